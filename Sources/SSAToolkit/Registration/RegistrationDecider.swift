import Foundation
import Logging
import X509

/// Decides dynamic client registrations: verifies the SSA, checks the registration request
/// against it and the caller's certificate, and asks the directory whether the software and its
/// organisation are active and authorised.
///
/// Load it once and share it: every cache (directory JWKS, TPP key sets, the directory's access
/// token, TLS connections) lives inside, and it is safe to call from any number of tasks.
/// ``decide(_:at:)`` never throws; every failure is a ``RegistrationDecision`` (never an accept).
///
/// With several trusted directories, the SSA's `iss` selects the one that verifies it and is
/// asked about it; an SSA from any other issuer is `unapproved_software_statement`.
public final class RegistrationDecider: Decider {
    /// The trusted directories, in configuration order (at least one).
    public let trustedDirectories: [TrustedDirectory]
    /// The rules for requests.
    public let rules: RegistrationRules
    /// The `jti` of every accepted request JWT, for its lifetime.
    public let replays: any ReplayStore
    /// The closing steps every decision takes: audit record, metrics, one log line.
    public let closing: DecisionClosing
    /// Where decisions are recorded; `nil` when no audit log is configured.
    public var audit: (any AuditSink)? { closing.audit }

    /// A decider for one directory, from its parts.
    ///
    /// - Parameters:
    ///   - certificateTrust: the anchors the caller's TLS client certificate must chain to, or
    ///     ``ClientCertificateTrust/verifiedByProxy`` where the TLS-terminating proxy verified it.
    ///   - replays: where request JWT ids are remembered; share one store between servers.
    public convenience init(verifier: SoftwareStatementVerifier, directory: TPPDirectoryClient, rules: RegistrationRules, softwareKeys: SoftwareKeySets,
                            certificateTrust: ClientCertificateTrust, replays: any ReplayStore = InMemoryReplayStore(), audit: (any AuditSink)? = nil,
                            logger: Logger = Logger(label: "ssa-toolkit.registration", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.init(directories: [TrustedDirectory(verifier: verifier, directory: directory, softwareKeys: softwareKeys, certificateTrust: certificateTrust)],
                  rules: rules, replays: replays, audit: audit, logger: logger)
    }

    /// A decider for one or more directories (`directories` must not be empty; their issuers
    /// must differ), from their parts.
    public init(directories: [TrustedDirectory], rules: RegistrationRules, replays: any ReplayStore = InMemoryReplayStore(), audit: (any AuditSink)? = nil,
                logger: Logger = Logger(label: "ssa-toolkit.registration", factory: { _ in SwiftLogNoOpLogHandler() })) {
        precondition(!directories.isEmpty, "a registration decider needs at least one trusted directory")
        self.trustedDirectories = directories
        self.rules = rules
        self.replays = replays
        self.closing = DecisionClosing(audit: audit, logger: logger)
    }

    /// The SSA framed once, and the directory whose issuer is its `iss`: the only one when one
    /// is trusted (its verifier then names a wrong issuer itself, and frames the SSA itself);
    /// `nil` with the issuer found when several are and none matches.
    private func directory(for ssa: String) -> (index: Int?, framed: Result<CompactJWS, JOSEError>?, issuer: String) {
        guard trustedDirectories.count > 1 else { return (0, nil, "") }
        // Unverified, only to choose the keys; the chosen verifier checks iss again after the signature.
        let framed = Result { () throws(JOSEError) in try CompactJWS(parsing: ssa, limits: trustedDirectories[0].verifier.limits) }
        guard case .success(let parsed) = framed, case .string(let issuer)? = parsed.payload["iss"] else { return (0, framed, "") }
        return (trustedDirectories.firstIndex { $0.issuer.isByteIdentical(to: issuer) }, framed, issuer)
    }

    /// Evaluates the rules of a registration at `now`; ``decide(_:at:)`` (from ``Decider``)
    /// then closes it. Never accepts on an error.
    public func evaluate(_ input: RegistrationInput, at now: Date) async -> PendingDecision<RegistrationDecision> {
        var claimed: ClaimedJTI?
        var directory: (issuer: String, framework: String)?
        var revocation: String?
        var decision = await evaluateRules(input, at: now, claimed: &claimed, directory: &directory, revocation: &revocation)
        decision.directory = directory?.issuer
        decision.trustFramework = directory?.framework
        decision.revocation = revocation
        return PendingDecision(decision, claimed: claimed)
    }

    private func evaluateRules(_ input: RegistrationInput, at now: Date, claimed: inout ClaimedJTI?, directory chosen: inout (issuer: String, framework: String)?, revocation: inout String?) async -> RegistrationDecision {
        var checks: [Check] = []
        func stop(_ verdict: RegistrationDecision.Verdict, _ code: RegistrationErrorCode, _ name: Check.Name, _ detail: String, claims: SoftwareStatementClaims? = nil) -> RegistrationDecision {
            checks.append(Check(name, .fail, detail))
            return RegistrationDecision(verdict: verdict, error: code, errorDescription: detail, checks: checks, softwareStatement: claims)
        }

        // 1. Frame the request and find the SSA.
        var request: RegistrationRequest?
        if let text = input.request {
            do { request = try RegistrationRequest(parsing: text, limits: trustedDirectories[0].verifier.limits) } catch {
                return stop(.reject, .invalidClientMetadata, .requestFormat, error.reason)
            }
        }
        if let request, !request.isSigned, rules.requireSignedRequest {
            return stop(.reject, .invalidClientMetadata, .requestFormat, "plain JSON metadata is refused: this server requires a signed request JWT")
        }
        if let request, request.metadata["software_statement"] != nil, request.softwareStatement == nil {
            return stop(.reject, .invalidSoftwareStatement, .requestFormat, "software_statement in the request must be a string (a compact JWS)")
        }
        let embedded = request?.softwareStatement
        let given = input.softwareStatement?.trimmingASCIIWhitespace()
        if let embedded, let given, !embedded.isByteIdentical(to: given) {
            return stop(.reject, .invalidSoftwareStatement, .requestFormat, "the software statement given separately is not the one inside the request")
        }
        guard let ssa = embedded ?? given else {
            return stop(.reject, .invalidSoftwareStatement, .requestFormat, input.request == nil ? "neither a software statement nor a registration request was given" : "the registration request carries no software_statement")
        }
        switch request?.form {
        case .signed(let jws)?: checks.append(Check(.requestFormat, .pass, "signed request JWT (\(jws.header.algorithm.escapedForTerminal(limit: 16)), kid \(jws.header.keyID?.escapedForTerminal(limit: 64) ?? "-")), \(jws.byteCount) bytes, with a software statement"))
        case .plain?: checks.append(Check(.requestFormat, .pass, "plain JSON metadata (unsigned), with a software statement"))
        case nil: checks.append(Check(.requestFormat, .pass, "no registration request: the software statement alone"))
        }

        // 2. The software statement, verified by the directory its iss names.
        let selected = directory(for: ssa)
        guard let index = selected.index else {
            return stop(.reject, .unapprovedSoftwareStatement, .issuer,
                        "issuer \(selected.issuer.quotedForReport()) is not a trusted directory (trusted: \(trustedDirectories.map { $0.issuer.quotedForReport() }.joined(separator: ", ")))")
        }
        let trusted = trustedDirectories[index]
        chosen = (trusted.issuer, trusted.framework.name.rawValue)
        let verification = if let framed = selected.framed {
            await trusted.verifier.verify(framed: framed, at: now)
        } else {
            await trusted.verifier.verify(ssa, at: now)
        }
        checks += verification.checks
        guard verification.verdict == .valid, let claims = verification.claims else {
            return RegistrationDecision(verdict: verification.verdict == .undecided ? .undecided : .reject, error: verification.error ?? .invalidSoftwareStatement,
                            errorDescription: verification.errorDescription ?? "the software statement is not valid", checks: checks, softwareStatement: nil)
        }

        // 3. The request JWT's signature, with the software's own keys.
        if case .signed(let jws)? = request?.form {
            guard rules.audience != nil else {
                return stop(.undecided, .temporarilyUnavailable, .requestSignature, "a signed request JWT arrived but registrationAudience (this server's issuer identifier, which its aud must name) is not configured", claims: claims)
            }
            switch await checkRequestSignature(jws, claims: claims, softwareKeys: trusted.softwareKeys) {
            case .success(let detail): checks.append(Check(.requestSignature, .pass, detail))
            case .failure(.refused(let reason)): return stop(.reject, .invalidClientMetadata, .requestSignature, reason, claims: claims)
            case .failure(.unavailable(let reason)): return stop(.undecided, .temporarilyUnavailable, .requestSignature, reason, claims: claims)
            }
        } else {
            checks.append(Check(.requestSignature, .skip, request == nil ? "no registration request given" : "plain JSON metadata is not signed"))
        }

        // 4. The request's metadata against the SSA and the caller's certificate.
        var certificate: Result<PresentedCertificate, RuleFailure>?
        let certificateRule = trusted.certificateRule(bindsToSoftware: rules.bindsCertificateToSoftware)
        if let pem = input.clientCertificatePEM {
            certificate = await certificateRule.check(pem: pem, softwareID: claims.softwareID ?? "", organisationID: claims.organisationID ?? "", at: now)
        }
        let evaluation = rules.evaluate(request, ssa: claims, framework: trusted.framework, clientCertificate: certificate, at: now)
        checks += evaluation.checks
        if let failure = evaluation.failure {
            return RegistrationDecision(verdict: .reject, error: failure.code, errorDescription: failure.description, checks: checks, softwareStatement: claims)
        }
        // 4b. The certificate's standing, as token time checks it: not revoked (OCSP, CRL), and
        //     published in the software's key set. A revoked or unpublished certificate is
        //     invalid_client_metadata, like every other refusal of the caller's certificate.
        if case .success(let presented)? = certificate {
            let standing = await certificateRule.standing(of: presented, endpoint: claims.transportJWKSEndpoint, revokedEndpoint: claims.transportJWKSRevokedEndpoint)
            checks += standing.checks
            revocation = standing.revocation
            if let failure = standing.failure {
                return RegistrationDecision(verdict: failure.refused ? .reject : .undecided, error: failure.refused ? .invalidClientMetadata : .temporarilyUnavailable,
                                            errorDescription: failure.detail, checks: checks, softwareStatement: claims)
            }
        } else {
            for name in [Check.Name.certificateRevocation, .transportKey] { checks.append(Check(name, .skip, "no client certificate was given")) }
        }

        // 5. Replay: the request JWT's jti, once per iss for as long as the JWT could be accepted.
        if let request, request.isSigned, let jti = request.metadata["jti"]?.stringValue, let iss = request.metadata["iss"]?.stringValue,
           case .number(let exp)? = request.metadata["exp"], let expires = NumericDate.date(exp) {
            switch await replays.claim(jti: jti, issuer: iss, until: expires.addingTimeInterval(rules.clockSkew), now: now) {
            case .first:
                claimed = ClaimedJTI(jti: jti, issuer: iss, store: replays)
                checks.append(Check(.requestReplay, .pass, "jti not seen before; remembered until \(NumericDate.format(expires.addingTimeInterval(rules.clockSkew)))"))
            case .replay:
                return stop(.reject, .invalidClientMetadata, .requestReplay, "the request JWT's jti \(jti.quotedForReport()) from \(iss.quotedForReport()) was already used: a replayed request", claims: claims)
            case .unavailable(let why):
                return stop(.undecided, .temporarilyUnavailable, .requestReplay, "the replay cache cannot answer: \(why)", claims: claims)
            }
        } else {
            checks.append(Check(.requestReplay, .skip, request?.isSigned == true ? "no request JWT claims to remember" : "only a signed request JWT carries a jti"))
        }

        // 6. The directory: the software statement and the organisation (asked concurrently).
        let softwareID = claims.softwareID ?? ""
        let organisationID = claims.organisationID ?? ""
        if let participants = trusted.participants {
            // 6'. The framework's published status (Brasil's participants list, the CDR Register).
            let requiredRoles: [String]? = if case .roles = trusted.framework.scopes { claims.softwareRoles ?? [] } else { nil }
            let status = ParticipantChecks(await participants.standing(softwareID: softwareID, organisationID: organisationID, legalEntityID: claims.legalEntityID),
                                           source: participants.sourceName, organisationID: organisationID, requiredRoles: requiredRoles)
            checks += status.checks
            if let failure = status.failure {
                return RegistrationDecision(verdict: failure.refused ? .reject : .undecided, error: failure.refused ? .unapprovedSoftwareStatement : .temporarilyUnavailable,
                                            errorDescription: failure.detail, checks: checks, softwareStatement: claims)
            }
            return RegistrationDecision(verdict: .accept, checks: checks, softwareStatement: claims, client: evaluation.client)
        }
        guard let scim = trusted.directory else {
            return stop(.undecided, .temporarilyUnavailable, .softwareActive, "directory \(trusted.issuer.quotedForReport()) has no status source configured", claims: claims)
        }
        let roles = (claims.softwareRoles ?? []).filter { $0 != "ASPSP" }
        async let activeResult = result { () async throws(DirectoryError) in try await scim.isSoftwareStatementActive(softwareID) }
        async let recordResult = result { () async throws(DirectoryError) in try await scim.organisation(organisationID) }
        let (active, record) = await (activeResult, recordResult)

        var verdict: (RegistrationDecision.Verdict, RegistrationErrorCode, String)?
        func note(_ name: Check.Name, _ outcome: Check.Outcome, _ detail: String, _ failure: (RegistrationDecision.Verdict, RegistrationErrorCode)? = nil) {
            checks.append(Check(name, outcome, detail))
            if let failure, verdict == nil || (verdict!.0 == .undecided && failure.0 == .reject) { verdict = (failure.0, failure.1, detail) }
        }
        let unapproved = (RegistrationDecision.Verdict.reject, RegistrationErrorCode.unapprovedSoftwareStatement)
        switch active {
        case .success(true): note(.softwareActive, .pass, "the directory has software statement \(softwareID), active")
        case .success(false): note(.softwareActive, .fail, "the directory has no active software statement \(softwareID)", unapproved)
        case .failure(let error): note(.softwareActive, .fail, "the directory could not answer: \(error.reason)", Self.classify(error))
        }
        switch record {
        case .success(let organisation):
            let domain = rules.authorisationDomain
            switch organisation.status(forDomain: domain) {
            case .missing(let why):
                note(.organisation, .fail, "organisation \(organisationID): \(why); its status cannot be known", (.undecided, .temporarilyUnavailable))
            case .found(let status, let source) where !status.isByteIdentical(to: OrganisationRecord.activeStatus):
                note(.organisation, .fail, "organisation \(organisationID) has status \(status.quotedForReport()) in the directory (\(source)), not Active", unapproved)
            case .found:
                let missing = organisation.unauthorisedRoles(roles, memberState: rules.memberState, domain: domain)
                if !missing.isEmpty {
                    note(.organisation, .fail, "organisation \(organisationID) has no active authorisation for \(missing.joined(separator: ", "))\(rules.memberState.map { " in \($0)" } ?? "")", unapproved)
                } else {
                    note(.organisation, .pass, "organisation \(organisationID) \(organisation.name.map { "\($0.quotedForReport(limit: 128)) " } ?? "")is Active in \(domain) and authorised for \(roles.isEmpty ? "no PSD2 role" : roles.joined(separator: " "))")
                }
            }
        case .failure(let error) where error.code == .notFound:
            note(.organisation, .fail, "the directory has no organisation \(organisationID)", unapproved)
        case .failure(let error):
            note(.organisation, .fail, "the directory could not answer: \(error.reason)", Self.classify(error))
        }
        if let (kind, code, detail) = verdict {
            return RegistrationDecision(verdict: kind, error: code, errorDescription: detail, checks: checks, softwareStatement: claims)
        }
        return RegistrationDecision(verdict: .accept, checks: checks, softwareStatement: claims, client: evaluation.client)
    }

    /// A directory failure is undecided, except an identifier the directory may not be asked about.
    private static func classify(_ error: DirectoryError) -> (RegistrationDecision.Verdict, RegistrationErrorCode) {
        error.code == .invalidIdentifier ? (.reject, .invalidSoftwareStatement) : (.undecided, .temporarilyUnavailable)
    }
}

/// Captures a typed-throwing call as a `Result`.
private func result<T>(_ body: () async throws(DirectoryError) -> T) async -> Result<T, DirectoryError> {
    do { return .success(try await body()) } catch { return .failure(error) }
}
