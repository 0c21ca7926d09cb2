import Crypto
import Foundation
import Logging
import X509

/// Decides one token request at the token endpoint (the Update Token half of Open Banking):
/// whether the TPP is still active and authorised in the directory, which of the requested
/// scopes its current roles still permit, the consent's intent id for the id_token, `sub`, the
/// caller's certificate, and token lifetimes; then writes the audit record.
///
/// Load it once and share it. A decision on a warm status cache costs no directory round trip,
/// parses no certificate unless one is given, and never throws: every failure is a
/// ``TokenDecision`` that is not an allow.
public final class TokenPolicy: Sendable {
    /// The first (default) directory's records, cached.
    public var status: DirectoryStatusCache { directories[0].status }
    /// Each trusted directory's issuer and its records, cached, in configuration order: a
    /// client's status is asked of the directory that issued its SSA (``TokenRequest/ssaIssuer``),
    /// the first one when the call does not say.
    public let directories: [(issuer: String, status: DirectoryStatusCache)]
    /// Token-time settings.
    public let settings: TokenSettings
    /// Scopes each role permits (shared with registration's `roleScopes`).
    public let roleScopes: [String: [String]]
    /// The authorisation domain whose status and authorisations count.
    public let authorisationDomain: String
    /// The member state whose authorisations count (`nil`: any).
    public let memberState: String?
    /// Where decisions are recorded; `nil` when no audit log is configured.
    public let audit: (any AuditSink)?
    /// Every scope some role governs: a resource scope.
    public let resourceScopes: Set<String>
    private let logger: Logger

    /// The checks of a token decision, in order.
    public static let checkOrder: [Check.Name] = [.tokenSoftwareActive, .tokenOrganisation, .roles, .intent, .subject, .certificate, .lifetimes, .audit]

    /// A policy for one directory, from its parts.
    public convenience init(status: DirectoryStatusCache, settings: TokenSettings = TokenSettings(), roleScopes: [String: [String]] = RegistrationPolicy.defaultRoleScopes,
                            authorisationDomain: String = "PSD2", memberState: String? = nil, audit: (any AuditSink)? = nil,
                            logger: Logger = Logger(label: "ssa-toolkit.token", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.init(directories: [(SoftwareStatementPolicy().issuer, status)], settings: settings, roleScopes: roleScopes, authorisationDomain: authorisationDomain,
                  memberState: memberState, audit: audit, logger: logger)
    }

    /// A policy for one or more directories (not empty), each named by the SSA issuer it stands for.
    public init(directories: [(issuer: String, status: DirectoryStatusCache)], settings: TokenSettings = TokenSettings(), roleScopes: [String: [String]] = RegistrationPolicy.defaultRoleScopes,
                authorisationDomain: String = "PSD2", memberState: String? = nil, audit: (any AuditSink)? = nil,
                logger: Logger = Logger(label: "ssa-toolkit.token", factory: { _ in SwiftLogNoOpLogHandler() })) {
        precondition(!directories.isEmpty, "a token policy needs at least one trusted directory")
        self.directories = directories
        self.settings = settings
        self.roleScopes = roleScopes
        self.authorisationDomain = authorisationDomain
        self.memberState = memberState
        self.audit = audit
        self.resourceScopes = Set(roleScopes.values.joined())
        self.logger = logger
    }

    /// A policy over an already loaded directory connection, with the configuration's settings.
    public convenience init(configuration: ToolkitConfiguration, connection: DirectoryConnection, audit: (any AuditSink)?, logger: Logger = Logger(label: "ssa-toolkit.token", factory: { _ in SwiftLogNoOpLogHandler() })) throws {
        try self.init(configuration: configuration, connections: [connection], audit: audit, logger: logger)
    }

    /// A policy over already loaded directory connections, one per entry of
    /// ``ToolkitConfiguration/directories`` in the same order, with the configuration's settings.
    public convenience init(configuration: ToolkitConfiguration, connections: [DirectoryConnection], audit: (any AuditSink)?, logger: Logger = Logger(label: "ssa-toolkit.token", factory: { _ in SwiftLogNoOpLogHandler() })) throws {
        let configurations = configuration.directories
        guard connections.count == configurations.count else {
            throw ConfigurationError(property: "trustedDirectories", "lists \(configurations.count) directories but \(connections.count) connections were loaded")
        }
        let directories = try zip(configurations, connections).map { directory, connection throws in
            guard let tpp = connection.tpp else { throw ConfigurationError(property: "tppUrl", "is required to ask the directory about the software") }
            return (directory.issuer, DirectoryStatusCache(directory: tpp, lifetime: configuration.token.statusCacheLifetime, staleIfError: configuration.token.staleIfError))
        }
        var registration = RegistrationPolicy(audience: nil)
        configuration.registration.apply(to: &registration)
        self.init(directories: directories,
                  settings: configuration.token, roleScopes: registration.roleScopes, authorisationDomain: registration.authorisationDomain,
                  memberState: registration.memberState, audit: audit, logger: logger)
    }

    /// Decides `request` at `now`. Never throws; never allows on an error.
    public func decide(_ request: TokenRequest, at now: Date = Date()) async -> TokenDecision {
        var decision = await evaluate(request, at: now)
        let reason = decision.verdict == .allow ? "not evaluated" : "not evaluated: \(decision.failedCheck?.name.rawValue ?? "an earlier check") \(decision.verdict == .undecided ? "could not be decided" : "failed")"
        for name in Self.checkOrder where name != .audit && !decision.checks.contains(where: { $0.name == name }) {
            decision.checks.append(Check(name, .skip, reason))
        }
        decision.checks.sort(inOrder: Self.checkOrder)
        if let audit {
            do throws(AuditError) {
                try await audit.append(AuditRecord(
                    kind: "token", time: now, decision: decision.verdict.rawValue, error: decision.error?.rawValue,
                    failedChecks: decision.checks.filter { $0.outcome == .fail }.map(\.name.rawValue), clientID: request.clientID,
                    softwareID: request.softwareID, organisationID: request.organisationID,
                    scopesGranted: decision.verdict == .allow ? decision.grantedScopes : [], scopesRemoved: decision.removedScopes, intentID: decision.intentID))
                decision.checks.append(Check(.audit, .pass, "recorded in \(audit.location)"))
                ToolkitMetrics.auditRecord(kind: "token")
            } catch {
                // No record, no token: an unrecorded allow is not an allow.
                decision.checks.append(Check(.audit, .fail, error.reason))
                decision = Self.undecided(decision, error.reason)
            }
        } else {
            decision.checks.append(Check(.audit, .skip, "no auditLog configured"))
        }
        ToolkitMetrics.decision(kind: "token", verdict: decision.verdict.rawValue, error: decision.error?.rawValue,
                                failedChecks: decision.checks.compactMap { $0.outcome == .fail ? $0.name.rawValue : nil })
        logger.debug("token \(decision.verdict.rawValue)", metadata: [
            "software_id": "\(request.softwareID)", "failed_check": "\(decision.failedCheck?.name.rawValue ?? "-")",
        ])
        return decision
    }

    private static func undecided(_ decision: TokenDecision, _ reason: String) -> TokenDecision {
        var changed = decision
        changed.verdict = .undecided
        changed.error = .temporarilyUnavailable
        changed.errorDescription = reason
        changed.idTokenClaims = [:]
        changed.accessTokenClaims = [:]
        return changed
    }

    private func evaluate(_ request: TokenRequest, at now: Date) async -> TokenDecision {
        var decision = TokenDecision(verdict: .deny, checks: [], clientID: request.clientID, softwareID: request.softwareID, organisationID: request.organisationID)
        func stop(_ verdict: TokenDecision.Verdict, _ code: TokenErrorCode, _ name: Check.Name, _ detail: String) -> TokenDecision {
            decision.checks.append(Check(name, .fail, detail))
            decision.verdict = verdict
            decision.error = code
            decision.errorDescription = detail
            return decision
        }
        guard Identifier.problem(with: request.softwareID) == nil, Identifier.problem(with: request.organisationID) == nil else {
            return stop(.deny, .accessDenied, .tokenSoftwareActive, "the client's software_id or org_id is not a directory identifier")
        }

        // 1. The current record (cached) from the directory that issued the client's SSA.
        let status: DirectoryStatusCache
        if let issuer = request.ssaIssuer {
            guard let named = directories.first(where: { $0.issuer.isByteIdentical(to: issuer) }) else {
                return stop(.deny, .accessDenied, .tokenSoftwareActive, "the client's SSA issuer \(issuer.quotedForReport()) is not a trusted directory")
            }
            status = named.status
        } else {
            status = directories[0].status
        }
        let record: OrganisationRecord
        var age: String
        switch await status.record(request.organisationID) {
        case .fresh(let fresh, let fetchedAt):
            record = fresh
            age = "directory record \(NumericDate.wholeSeconds(max(0, now.timeIntervalSince(fetchedAt)))) s old"
        case .stale(let stale, let fetchedAt, let error):
            record = stale
            age = "stale directory record \(NumericDate.wholeSeconds(max(0, now.timeIntervalSince(fetchedAt)))) s old, used because the directory failed (\(error.reason))"
        case .unavailable(let error) where error.code == .notFound:
            return stop(.deny, .accessDenied, .tokenOrganisation, "the directory has no organisation \(request.organisationID)")
        case .unavailable(let error):
            return stop(.undecided, .temporarilyUnavailable, .tokenSoftwareActive, "the directory could not answer and no usable status is cached: \(error.reason)")
        }
        guard let software = record.softwareStatement(request.softwareID) else {
            return stop(.deny, .accessDenied, .tokenSoftwareActive, "the directory lists no software statement \(request.softwareID) for organisation \(request.organisationID)")
        }
        guard software.active else {
            return stop(.deny, .accessDenied, .tokenSoftwareActive, "software statement \(request.softwareID) is no longer active in the directory")
        }
        decision.checks.append(Check(.tokenSoftwareActive, .pass, "software statement \(request.softwareID) is active (\(age))"))
        switch record.status(forDomain: authorisationDomain) {
        case .missing(let why):
            return stop(.undecided, .temporarilyUnavailable, .tokenOrganisation, "organisation \(request.organisationID): \(why); its status cannot be known")
        case .found(let value, let source) where !value.isByteIdentical(to: OrganisationRecord.activeStatus):
            return stop(.deny, .accessDenied, .tokenOrganisation, "organisation \(request.organisationID) has status \(value.quotedForReport()) in the directory (\(source)), not Active")
        case .found:
            decision.checks.append(Check(.tokenOrganisation, .pass, "organisation \(request.organisationID) is Active in \(authorisationDomain)"))
        }

        // 2. Roles: the software's current roles that the organisation is still authorised for.
        let unauthorised = Set(record.unauthorisedRoles(software.roles, memberState: memberState, domain: authorisationDomain))
        let roles = software.roles.filter { !unauthorised.contains($0) }
        var permitted: Set<String> = ["openid"]
        for role in roles { for scope in roleScopes.first(where: { $0.key.isByteIdentical(to: role) })?.value ?? [] { permitted.insert(scope) } }
        let governed = request.scopes.filter { scope in resourceScopes.contains { $0.isByteIdentical(to: scope) } }
        let removed = governed.filter { scope in !permitted.contains { $0.isByteIdentical(to: scope) } }
        let granted = request.scopes.filter { scope in !removed.contains { $0.isByteIdentical(to: scope) } }
        decision.removedScopes = removed
        decision.grantedScopes = granted
        let rolesText = roles.isEmpty ? "no role" : roles.joined(separator: " ")
        if !governed.isEmpty, removed.count == governed.count {
            return stop(.deny, .accessDenied, .roles, "the TPP's current roles (\(rolesText)) permit none of the requested resource scopes (\(removed.joined(separator: " ")))")
        }
        decision.checks.append(Check(.roles, .pass, removed.isEmpty
            ? "current roles \(rolesText) permit \(granted.joined(separator: " "))"
            : "current roles \(rolesText): removed \(removed.joined(separator: " ")), granting \(granted.joined(separator: " "))"))

        // 3. Intent.
        let grantedResource = granted.contains { scope in resourceScopes.contains { $0.isByteIdentical(to: scope) } }
        let needsIntent = grantedResource && ["authorization_code", "refresh_token", "urn:openid:params:grant-type:ciba"].containsByteIdentical(request.grantType)
        switch request.requestedIntentID {
        case .string(let intent)?:
            guard Self.intentProblem(intent) == nil else {
                return stop(.deny, .invalidGrant, .intent, "openbanking_intent_id \(Self.intentProblem(intent) ?? "")")
            }
            decision.intentID = intent
            decision.idTokenClaims["openbanking_intent_id"] = .string(intent)
            decision.accessTokenClaims["openbanking_intent_id"] = .string(intent)
            decision.checks.append(Check(.intent, .pass, "openbanking_intent_id \(intent)"))
        case let other?:
            return stop(.deny, .invalidGrant, .intent, "openbanking_intent_id is \(other.typeDescription), not a string")
        case nil where needsIntent:
            return stop(.deny, .invalidGrant, .intent, "a \(request.grantType.escapedForTerminal(limit: 64)) grant for resource scopes carries no openbanking_intent_id in its claims")
        case nil:
            decision.checks.append(Check(.intent, .skip, grantedResource ? "a \(request.grantType.escapedForTerminal(limit: 64)) grant needs no intent" : "no resource scope granted"))
        }

        // 4. Subject.
        switch settings.subjectClaim {
        case .intent:
            if let intent = decision.intentID {
                decision.idTokenClaims["sub"] = .string(intent)
                decision.checks.append(Check(.subject, .pass, "sub is the intent id (subjectClaim=intent)"))
            } else {
                decision.checks.append(Check(.subject, .skip, "no intent id; sub left as the server sets it"))
            }
        case .user:
            if let user = request.userID, !user.isEmpty {
                decision.idTokenClaims["sub"] = .string(user)
                decision.checks.append(Check(.subject, .pass, "sub is the user id (subjectClaim=user)"))
            } else if request.grantType.isByteIdentical(to: "client_credentials") {
                decision.checks.append(Check(.subject, .skip, "client_credentials: no user"))
            } else {
                return stop(.deny, .invalidGrant, .subject, "subjectClaim=user, but the grant carries no user id")
            }
        }

        // 5. The caller's certificate, only when one is given.
        if let pem = request.clientCertificatePEM {
            switch certificateCheck(pem, request: request) {
            case .success(let (thumbprint, detail)):
                decision.certificateThumbprint = thumbprint
                decision.accessTokenClaims["cnf"] = ["x5t#S256": .string(thumbprint)]
                decision.checks.append(Check(.certificate, .pass, detail))
            case .failure(let failure):
                return stop(.deny, .accessDenied, .certificate, failure.reason)
            }
        } else {
            decision.checks.append(Check(.certificate, .skip, "no client certificate given"))
        }

        // 6. Lifetimes.
        let applicableRoles = roles.filter { role in
            (roleScopes.first { $0.key.isByteIdentical(to: role) }?.value ?? []).contains { scope in granted.containsByteIdentical(scope) }
        }
        let lifetimes = settings.lifetimes.lifetimes(grantType: request.grantType, roles: applicableRoles)
        decision.lifetimes = lifetimes
        decision.checks.append(Check(.lifetimes, .pass, "access token \(lifetimes.accessToken) s, id_token \(lifetimes.idToken) s, \(lifetimes.refreshToken.map { "refresh token \($0) s" } ?? "no refresh token")"))

        for (name, value) in settings.idTokenClaims where decision.idTokenClaims[name] == nil { decision.idTokenClaims[name] = value }
        for (name, value) in settings.accessTokenClaims where decision.accessTokenClaims[name] == nil { decision.accessTokenClaims[name] = value }
        decision.verdict = .allow
        return decision
    }

    /// Why `intent` is not an acceptable intent id, or `nil`: 1 to 128 bytes of letters, digits
    /// and `-_:.`.
    static func intentProblem(_ intent: String) -> String? {
        guard !intent.isEmpty, intent.utf8.count <= 128 else { return "must be 1 to 128 bytes" }
        let ok = intent.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F || b == 0x3A || b == 0x2E
        }
        return ok ? nil : "has characters other than letters, digits and - _ : ."
    }

    private func certificateCheck(_ pem: String, request: TokenRequest) -> Result<(String, String), RuleFailure> {
        let certificate: Certificate
        do { certificate = try Certificate(pemEncoded: pem) } catch {
            return .failure(RuleFailure("the client certificate is not a PEM X.509 certificate"))
        }
        let names = certificate.subject.allValues(of: .RDNAttributeType.commonName)
        guard names.count == 1, let name = names.first, name.isByteIdentical(to: request.softwareID) else {
            return .failure(RuleFailure("the client certificate's CN \(names.isEmpty ? "(none)" : names.map { $0.quotedForReport() }.joined(separator: ", ")) is not the client's software_id \(request.softwareID)"))
        }
        if request.tokenEndpointAuthMethod?.isByteIdentical(to: "tls_client_auth") == true {
            guard let registered = request.registeredSubjectDN else {
                return .failure(RuleFailure("tls_client_auth client without a registered tls_client_auth_subject_dn"))
            }
            guard let parsed = try? ComparableDistinguishedName(parsing: registered), parsed.matches(ComparableDistinguishedName(certificate.subject)) else {
                return .failure(RuleFailure("the client certificate's subject \(certificate.subject.description.escapedForTerminal(limit: 300)) is not the registered tls_client_auth_subject_dn"))
            }
        }
        guard let der = try? certificate.serializeAsPEM().derBytes else { return .failure(RuleFailure("the client certificate cannot be encoded")) }
        let thumbprint = Base64URL.encode(Data(SHA256.hash(data: der)))
        return .success((thumbprint, "the certificate is the client's (CN \(request.softwareID)\(request.tokenEndpointAuthMethod == "tls_client_auth" ? ", registered subject DN" : "")); x5t#S256 \(thumbprint)"))
    }
}
