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
public final class TokenDecider: Decider {
    /// Each trusted directory, in configuration order: a client's status is asked of the
    /// directory that issued its SSA (``TokenRequest/ssaIssuer``); with one directory, that one;
    /// with several and no `ssa_issuer`, only ``TokenSettings/defaultTokenDirectory`` if configured.
    public let directories: [TokenDirectory]
    /// Token-time settings.
    public let settings: TokenSettings
    /// The registration rules token time applies too: supported `token_endpoint_auth_method`s
    /// and grant types, role scopes, the authorisation domain and member state, and whether a
    /// certificate must belong to the client's software. One rule, one place.
    public let rules: RegistrationRules
    /// Scopes each role permits (registration's `roleScopes`).
    public var roleScopes: [String: [String]] { rules.roleScopes }
    /// The authorisation domain whose status and authorisations count.
    public var authorisationDomain: String { rules.authorisationDomain }
    /// The member state whose authorisations count (`nil`: any).
    public var memberState: String? { rules.memberState }
    /// The closing steps every decision takes: audit record, metrics, one log line.
    public let closing: DecisionClosing
    /// Where decisions are recorded; `nil` when no audit log is configured.
    public var audit: (any AuditSink)? { closing.audit }
    /// Every scope some role governs: a resource scope.
    public let resourceScopes: Set<String>

    /// A decider for one directory, from its parts: `certificateTrust` is whom clients'
    /// certificates must chain to (or the proxy that verified them).
    public convenience init(status: DirectoryStatusCache, certificateTrust: ClientCertificateTrust, issuer: String = SoftwareStatementRules().issuer,
                            rules: RegistrationRules = RegistrationRules(audience: nil), settings: TokenSettings = TokenSettings(), audit: (any AuditSink)? = nil,
                            logger: Logger = Logger(label: "ssa-toolkit.token", factory: { _ in SwiftLogNoOpLogHandler() })) {
        let certificates = ClientCertificateRule(trust: certificateTrust, bindsToSoftware: rules.bindsCertificateToSoftware)
        self.init(directories: [TokenDirectory(issuer: issuer, status: status, certificates: certificates)], rules: rules, settings: settings, audit: audit, logger: logger)
    }

    /// A decider for one or more directories (not empty, issuers distinct).
    public init(directories: [TokenDirectory], rules: RegistrationRules = RegistrationRules(audience: nil), settings: TokenSettings = TokenSettings(),
                audit: (any AuditSink)? = nil, logger: Logger = Logger(label: "ssa-toolkit.token", factory: { _ in SwiftLogNoOpLogHandler() })) {
        precondition(!directories.isEmpty, "a token decider needs at least one trusted directory")
        self.directories = directories
        self.settings = settings
        self.rules = rules
        self.closing = DecisionClosing(audit: audit, logger: logger)
        self.resourceScopes = Set(rules.roleScopes.values.joined())
    }

    /// Evaluates the rules of `request` at `now`; ``decide(_:at:)`` (from ``Decider``) then
    /// closes it. Never allows on an error.
    public func evaluate(_ request: TokenRequest, at now: Date) async -> PendingDecision<TokenDecision> {
        PendingDecision(await evaluateRules(request, at: now))
    }

    private func evaluateRules(_ request: TokenRequest, at now: Date) async -> TokenDecision {
        var decision = TokenDecision(verdict: .deny, checks: [], clientID: request.clientID, softwareID: request.softwareID, organisationID: request.organisationID)
        decision.checkDetails = request.checkDetails
        // Room for every check up front (and for the claims where they are first set): nothing
        // grows while the rules run.
        decision.checks.reserveCapacity(TokenDecision.checkOrder.count)
        func stop(_ verdict: TokenDecision.Verdict, _ code: TokenErrorCode, _ name: Check.Name, _ detail: String) -> TokenDecision {
            decision.checks.append(Check(name, .fail, detail))
            decision.verdict = verdict
            decision.error = code
            decision.errorDescription = detail
            return decision
        }
        guard Identifier.problem(with: request.softwareID) == nil, Identifier.problem(with: request.organisationID) == nil else {
            return stop(.deny, .accessDenied, .softwareActive, "the client's software_id or org_id is not a directory identifier")
        }

        // 1. The directory that answers for this client: never a silent fallback.
        let directory: TokenDirectory
        if let issuer = request.ssaIssuer {
            guard let named = directories.first(where: { $0.issuer.isByteIdentical(to: issuer) }) else {
                return stop(.deny, .accessDenied, .directory, "the client's SSA issuer \(issuer.quotedForReport()) is not a trusted directory")
            }
            directory = named
            decision.record(.directory, .pass, named.quotedIssuer + ", the issuer of the client's SSA (ssa_issuer)")
        } else if directories.count == 1 {
            directory = directories[0]
            decision.record(.directory, .pass, directory.quotedIssuer + ", the only trusted directory")
        } else if let named = settings.defaultTokenDirectory, let chosen = directories.first(where: { $0.issuer.isByteIdentical(to: named) }) {
            directory = chosen
            decision.record(.directory, .pass, chosen.quotedIssuer + ", named by defaultTokenDirectory (the call names no ssa_issuer)")
        } else {
            return stop(.deny, .accessDenied, .directory,
                        "\(directories.count) directories are trusted and the call names no ssa_issuer (the iss of the client's SSA); name it, or configure defaultTokenDirectory")
        }
        decision.directory = directory.issuer
        decision.trustFramework = directory.frameworkName

        // 2. The call's own terms, against the rules registration applies.
        if let method = request.tokenEndpointAuthMethod {
            guard TokenRequest.knownAuthMethods.containsByteIdentical(method) else {
                return stop(.deny, .invalidClient, .tokenEndpointAuthMethod, "token_endpoint_auth_method \(method.quotedForReport()) is not one of \(TokenRequest.knownAuthMethods.joined(separator: ", "))")
            }
            if let problem = rules.authMethodProblem(method) { return stop(.deny, .invalidClient, .tokenEndpointAuthMethod, problem.reason) }
            decision.record(.tokenEndpointAuthMethod, .pass, method)
        } else {
            decision.record(.tokenEndpointAuthMethod, .skip, "the call names no token_endpoint_auth_method")
        }
        if let problem = rules.grantTypeProblem(request.grantType) {
            return stop(.deny, .unsupportedGrantType, .grantType, problem.reason)
        }
        decision.record(.grantType, .pass, request.grantType)
        for (index, scope) in request.scopes.enumerated() {
            if let problem = ScopeSyntax.problem(with: scope) { return stop(.deny, .invalidScope, .scope, "scope entry \(index) \(problem.description)") }
        }
        guard !request.scopes.isEmpty else { return stop(.deny, .invalidScope, .scope, "no scope to grant") }
        decision.record(.scope, .pass, "\(request.scopes.count) well-formed scope token\(request.scopes.count == 1 ? "" : "s")")

        // 3. The caller's certificate: the rule registration applies, through the same code.
        if let pem = request.clientCertificatePEM {
            switch await certificateCheck(pem, request: request, rule: directory.certificates, at: now) {
            case .success(let accepted):
                decision.record(.certificate, .pass, accepted.detail)
                // Still standing: not revoked, still published in the software's key set
                // (cached answers on the warm path; the checks registration made).
                let standing = await directory.certificates.standing(of: accepted.presented, endpoint: request.softwareJWKSEndpoint,
                                                                     revokedEndpoint: request.softwareJWKSRevokedEndpoint)
                decision.revocation = standing.revocation
                if let failure = standing.failure {
                    decision.checks += standing.checks.filter { $0.name != failure.name }
                    return stop(failure.refused ? .deny : .undecided, failure.refused ? .accessDenied : .temporarilyUnavailable, failure.name, failure.detail)
                }
                decision.checks += standing.checks
                decision.certificateThumbprint = accepted.thumbprint
                decision.accessTokenClaims.reserveCapacity(2 + settings.accessTokenClaims.count)
                decision.accessTokenClaims["cnf"] = ["x5t#S256": .string(accepted.thumbprint)]
            case .failure(let failure):
                return stop(.deny, .accessDenied, .certificate, failure.reason)
            }
        } else if request.authenticatesWithCertificate {
            return stop(.deny, .invalidClient, .certificate, "a \(request.tokenEndpointAuthMethod ?? "") client presented no certificate (a proxy that drops the client certificate header would otherwise get unbound tokens issued)")
        } else if settings.requireClientCertificate {
            return stop(.deny, .invalidClient, .certificate, "no client certificate was given: every token is bound to the client's certificate (requireClientCertificate=true)")
        } else {
            decision.record(.certificate, .skip, "no client certificate given; the token is not bound to one (requireClientCertificate=false)")
        }

        // 4–5. The participant's current status and the scopes it still permits: Open Banking
        //      UK's SCIM record, or the framework's published lists.
        let scopes: PermittedScopes
        if let participants = directory.participants {
            switch await participantScopes(request, directory: directory, participants: participants, decision: &decision) {
            case .success(let permitted): scopes = permitted
            case .failure(let stopped): return stopped.decision
            }
        } else {
            switch await directoryScopes(request, directory: directory, at: now, decision: &decision) {
            case .success(let permitted): scopes = permitted
            case .failure(let stopped): return stopped.decision
            }
        }
        let permitted = scopes.permitted
        let resourceScopes = scopes.resource
        let roles = scopes.roles
        // Each requested scope once: a resource scope the directory governs is granted only when
        // still permitted; any other scope passes through. Both lists sized once.
        var removed: [String] = []
        var granted: [String] = []
        granted.reserveCapacity(request.scopes.count)
        var governed = 0
        for scope in request.scopes {
            guard resourceScopes.contains(where: { $0.isByteIdentical(to: scope) }) else {
                granted.append(scope)
                continue
            }
            governed += 1
            if permitted.contains(where: { $0.isByteIdentical(to: scope) }) { granted.append(scope) } else { removed.append(scope) }
        }
        decision.removedScopes = removed
        decision.grantedScopes = granted
        let verb = scopes.verb
        if governed > 0, removed.count == governed {
            return stop(.deny, .accessDenied, .roles, "the TPP's \(scopes.quotedSubject) \(verb) none of the requested resource scopes (\(removed.joined(separator: " ")))")
        }
        decision.record(.roles, .pass, removed.isEmpty
            ? "\(scopes.subject) \(verb) \(granted.joined(separator: " "))"
            : "\(scopes.subject): removed \(removed.joined(separator: " ")), granting \(granted.joined(separator: " "))")

        // 6. Intent.
        let grantedResource = granted.contains { scope in resourceScopes.contains { $0.isByteIdentical(to: scope) } }
        let needsIntent = scopes.requiresIntent && grantedResource && !request.grantType.isByteIdentical(to: "client_credentials")
        switch request.requestedIntentID {
        case .string(let intent)?:
            guard Self.intentProblem(intent) == nil else {
                return stop(.deny, .invalidGrant, .intent, "openbanking_intent_id \(Self.intentProblem(intent) ?? "")")
            }
            decision.intentID = intent
            decision.idTokenClaims.reserveCapacity(2 + settings.idTokenClaims.count)
            decision.idTokenClaims["openbanking_intent_id"] = .string(intent)
            decision.accessTokenClaims["openbanking_intent_id"] = .string(intent)
            decision.record(.intent, .pass, "openbanking_intent_id \(intent)")
        case let other?:
            return stop(.deny, .invalidGrant, .intent, "openbanking_intent_id is \(other.typeDescription), not a string")
        case nil where needsIntent:
            return stop(.deny, .invalidGrant, .intent, "a \(request.grantType.escapedForTerminal(limit: 64)) grant for resource scopes carries no openbanking_intent_id in its claims")
        case nil:
            decision.record(.intent, .skip, !scopes.requiresIntent ? "\(directory.framework.name.rawValue) carries consent outside openbanking_intent_id; none given"
                : grantedResource ? "a \(request.grantType.escapedForTerminal(limit: 64)) grant needs no intent" : "no resource scope granted")
        }

        // 7. Subject.
        switch settings.subjectClaim {
        case .intent:
            if let intent = decision.intentID {
                decision.idTokenClaims["sub"] = .string(intent)
                decision.record(.subject, .pass, "sub is the intent id (subjectClaim=intent)")
            } else {
                decision.record(.subject, .skip, "no intent id; sub left as the server sets it")
            }
        case .user:
            if let user = request.userID, !user.isEmpty {
                decision.idTokenClaims["sub"] = .string(user)
                decision.record(.subject, .pass, "sub is the user id (subjectClaim=user)")
            } else if request.grantType.isByteIdentical(to: "client_credentials") {
                decision.record(.subject, .skip, "client_credentials: no user")
            } else {
                return stop(.deny, .invalidGrant, .subject, "subjectClaim=user, but the grant carries no user id")
            }
        }

        // 8. Lifetimes.
        let applicableRoles = roles.filter { role in
            (scopes.roleMap.first { $0.key.isByteIdentical(to: role) }?.value ?? []).contains { scope in granted.containsByteIdentical(scope) }
        }
        let lifetimes = settings.lifetimes.lifetimes(grantType: request.grantType, roles: applicableRoles)
        decision.lifetimes = lifetimes
        decision.record(.lifetimes, .pass, "access token \(lifetimes.accessToken) s, id_token \(lifetimes.idToken) s, \(lifetimes.refreshToken.map { "refresh token \($0) s" } ?? "no refresh token")")

        for (name, value) in settings.idTokenClaims where decision.idTokenClaims[name] == nil { decision.idTokenClaims[name] = value }
        for (name, value) in settings.accessTokenClaims where decision.accessTokenClaims[name] == nil { decision.accessTokenClaims[name] = value }
        decision.verdict = .allow
        return decision
    }

    /// Why `intent` is not an acceptable intent id, or `nil`: 1 to 128 bytes of letters, digits
    /// and `-_:.`.
    static func intentProblem(_ intent: String) -> String? {
        guard !intent.isEmpty, intent.utf8.count <= 128 else { return "must be 1 to 128 bytes" }
        let ok = intent.allUTF8 { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F || b == 0x3A || b == 0x2E
        }
        return ok ? nil : "has characters other than letters, digits and - _ : ."
    }
}
