import ArgumentParser
import Foundation
import Logging
import PostgresStateStore
import SSAToolkit

/// `ssa-verify token-decide`: one token request decided from a JSON file or from flags.
struct TokenDecideCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token-decide",
        abstract: "Decide a token request: the TPP's current directory status and roles, the intent, sub, the certificate, lifetimes.",
        discussion: """
            The request is a JSON file (--request, or - for standard input) with the members of \
            POST /v1/token-decisions, or is built from flags. Exit status: 0 allow, 1 deny, \
            2 usage or configuration error, 3 undecided (directory or audit log unavailable).
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .long, help: "The token request as JSON (file, or -).")
    var request: String?

    @Option(name: .customLong("client-id")) var clientID: String?
    @Option(name: .customLong("software-id")) var softwareID: String?
    @Option(name: .customLong("org-id")) var organisationID: String?
    @Option(name: .customLong("grant-type")) var grantType: String = "authorization_code"
    @Option(name: .long, help: "The scopes about to be granted, space-separated.") var scope: String?
    @Option(name: .customLong("user-id")) var userID: String?
    @Option(name: .long, help: "The consent's openbanking_intent_id (as the claims parameter would carry it).") var intent: String?
    @Option(name: .customLong("auth-method")) var authMethod: String?
    @Option(name: .customLong("subject-dn"), help: "The registered tls_client_auth_subject_dn.") var subjectDN: String?
    @Option(name: .customLong("client-cert"), help: "The caller's TLS client certificate (PEM file).") var clientCert: String?

    @Option(name: .long, help: "Evaluate at this instant (Unix seconds) instead of now.")
    var at: Double?

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let logger = global.makeLogger("ssa-verify")
        let evaluatedAt = try instant(at)
        let tokenRequest = try buildRequest()
        let runtime = try options.loadRuntime(logger: logger)
        let decision = await runtime.tokenDecider.decide(tokenRequest, at: evaluatedAt)
        switch global.format {
        case .json: print(decision.json.prettySerialized(leadingKeys: TokenDecision.jsonLeadingKeys + ["check", "outcome", "detail"]))
        case .text: print(TextReport(style: .forStandardOutput).render(decision))
        }
        switch decision.verdict {
        case .allow: break
        case .deny: throw ExitCode(ExitStatus.no.rawValue)
        case .undecided: throw ExitCode(ExitStatus.undecided.rawValue)
        }
    }

    private func buildRequest() throws -> TokenRequest {
        var object: [String: JSONValue]
        if let request {
            let text = try InputFiles.readText(request, what: "--request", limit: 256 * 1024)
            do { object = try StrictJSONParser(maximumDepth: 32, maximumBytes: 256 * 1024).parseObject(Array(text.utf8)) } catch {
                throw UsageFailure("--request: not a JSON object: \(error.reason)")
            }
        } else {
            guard let softwareID, let organisationID, let scope else {
                throw UsageFailure("give --request FILE, or at least --software-id, --org-id and --scope")
            }
            object = ["client_id": .string(clientID ?? softwareID), "software_id": .string(softwareID), "org_id": .string(organisationID),
                      "grant_type": .string(grantType), "scope": .string(scope)]
            if let userID { object["user_id"] = .string(userID) }
            if let intent { object["claims"] = ["id_token": ["openbanking_intent_id": ["value": .string(intent), "essential": true]]] }
            if let authMethod { object["token_endpoint_auth_method"] = .string(authMethod) }
            if let subjectDN { object["tls_client_auth_subject_dn"] = .string(subjectDN) }
        }
        if let clientCert { object["client_certificate"] = .string(try InputFiles.readText(clientCert, what: "--client-cert", limit: 64 * 1024)) }
        do { return try TokenRequest(json: object) } catch { throw UsageFailure("token request: \(error.reason)") }
    }
}
