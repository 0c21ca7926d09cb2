import Foundation
import Logging

/// A client-registration hook with the life cycle of the Janssen "Client Registration" custom
/// script: set up once, decide each create and update, hand out the key sets the server verifies
/// with, tear down.
///
/// ```swift
/// let hook = try OpenBankingRegistrationHook(configuration: .load(path: "/etc/ssa-toolkit/toolkit.json"))
/// let decision = await hook.createClient(RegistrationInput(request: body, clientCertificatePEM: callerPEM))
/// guard decision.verdict == .accept, let client = decision.client else {
///     return respond(decision.httpStatus, error: decision.error, description: decision.errorDescription)
/// }
/// register(client)
/// ```
public protocol ClientRegistrationHook: Sendable {
    /// Loads configuration, key stores and clients (the script's `init`).
    init(configuration: ToolkitConfiguration) throws

    /// Decides a new registration (`createClient`).
    func createClient(_ input: RegistrationInput) async -> RegistrationDecision

    /// Decides an update of an existing client (`updateClient`): the same rules, and the
    /// software statement must still be the client's.
    func updateClient(_ input: RegistrationInput, existingClientID: String) async -> RegistrationDecision

    /// The key set that verifies software statements (`getSoftwareStatementJwks`).
    func softwareStatementJWKS() async throws -> JWKS

    /// The key set that verifies the registration request JWT of this software statement
    /// (`getDcrJwks`): its `software_jwks_endpoint`.
    func dcrJWKS(softwareStatement: SoftwareStatementClaims) async throws -> JWKS

    /// An HMAC secret for software statements (`getSoftwareStatementHmacSecret`). Open Banking
    /// signs with public keys only, so the Open Banking hook returns `nil`.
    func softwareStatementHMACSecret() -> String?

    /// An HMAC secret for request JWTs (`getDcrHmacSecret`); `nil` for the same reason.
    func dcrHMACSecret() -> String?

    /// Releases what `init` acquired (the script's `destroy`).
    func destroy() async
}

/// The Open Banking hook: ``RegistrationDecider`` behind the script's life cycle.
public struct OpenBankingRegistrationHook: ClientRegistrationHook {
    /// The shared decider (its caches serve every call).
    public let decider: RegistrationDecider

    /// Loads everything `configuration` names.
    public init(configuration: ToolkitConfiguration) throws {
        decider = try RegistrationDecider(configuration: configuration)
    }

    /// Wraps a decider built elsewhere.
    public init(decider: RegistrationDecider) { self.decider = decider }

    public func createClient(_ input: RegistrationInput) async -> RegistrationDecision {
        await decider.decide(input)
    }

    public func updateClient(_ input: RegistrationInput, existingClientID: String) async -> RegistrationDecision {
        var decision = await decider.decide(input)
        if decision.verdict == .accept, let client = decision.client, !client.clientID.isByteIdentical(to: existingClientID) {
            decision.verdict = .reject
            decision.error = .invalidSoftwareStatement
            decision.errorDescription = "the software statement is for client \(client.clientID), not for client \(existingClientID.prefix(64))"
            decision.client = nil
            decision.checks.append(Check(.requestFormat, .fail, decision.errorDescription!))
        }
        return decision
    }

    public func softwareStatementJWKS() async throws -> JWKS {
        try await decider.trustedDirectories[0].verifier.keys.keys()
    }

    public func dcrJWKS(softwareStatement: SoftwareStatementClaims) async throws -> JWKS {
        guard let endpoint = softwareStatement.softwareJWKSEndpoint else {
            throw JWKSUnavailableError(source: "software_jwks_endpoint", reason: "the software statement names no software_jwks_endpoint")
        }
        return try await decider.trustedDirectories[0].softwareKeys.provider(for: endpoint).keys()
    }

    public func softwareStatementHMACSecret() -> String? { nil }

    public func dcrHMACSecret() -> String? { nil }

    public func destroy() async {}
}
