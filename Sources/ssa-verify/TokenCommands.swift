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

    @OptionGroup var options: ValidatorOptions

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
        let decision = await runtime.tokens.decide(tokenRequest, at: evaluatedAt)
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

/// `ssa-verify audit verify|show`: the audit trail's chain and its records.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check the audit log's hash chain, or show its records.",
        subcommands: [AuditVerifyCommand.self, AuditShowCommand.self]
    )
}

struct AuditVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that the audit log files (oldest first), or the audit chains in the shared state store, form unbroken hash chains.",
        discussion: """
            With files: one chain across them. With --config naming a stateStore (and no files): every node's chain in \
            the database, or --node's. Exit status: 0 intact, 1 broken (the first broken record is named), 2 unreadable \
            file or unreachable database.
            """
    )

    @Argument(help: "Audit log files, oldest first (a rotated file before the one that continues it).")
    var files: [String] = []

    @Option(name: .long, help: "A configuration whose stateStore (and stateStorePassword) names the database.")
    var config: String?

    @Option(name: .long, help: "Only this node's chain (stateStoreNode).")
    var node: String?

    func run() async throws {
        if let config {
            guard files.isEmpty else { throw UsageFailure("give either audit log files or --config, not both") }
            try await verifyDatabase(config)
            return
        }
        guard !files.isEmpty else { throw UsageFailure("give at least one audit log file, or --config with a stateStore") }
        let verification: AuditChain.Verification
        do { verification = try AuditChain.verify(files) } catch { throw UsageFailure("audit log \(error)") }
        if let broken = verification.broken {
            print("BROKEN  \(broken.file.escapedForTerminal(limit: 400)):\(broken.line): \(broken.reason)")
            print("        \(verification.records) record\(verification.records == 1 ? "" : "s") before it hold")
            throw ExitCode(ExitStatus.no.rawValue)
        }
        print("INTACT  \(verification.records) record\(verification.records == 1 ? "" : "s") in \(files.count) file\(files.count == 1 ? "" : "s"); last hash \(verification.lastHash)")
        if let from = verification.continuesFrom {
            print("        continues a chain whose earlier file was not given (first prev \(from))")
        }
    }

    private func verifyDatabase(_ path: String) async throws {
        let configuration = try loadingConfiguration { try ToolkitConfiguration.load(path: path) }
        guard let settings = configuration.stateStore else { throw UsageFailure("--config: \(path) names no stateStore") }
        let store = try loadingConfiguration { try PostgresStateStore(settings: settings) }
        let chains: [(node: String, verification: AuditChain.Verification)]
        do {
            chains = try await PostgresAuditSink.verify(store, node: node)
        } catch {
            await store.shutdown()
            throw UsageFailure("state store: \(error.reason)")
        }
        await store.shutdown()
        var intact = true
        for (name, verification) in chains {
            if let broken = verification.broken {
                intact = false
                print("BROKEN  \(settings.displayName) node \(name.escapedForTerminal(limit: 128)), record \(broken.line): \(broken.reason)")
                print("        \(verification.records) record\(verification.records == 1 ? "" : "s") before it hold")
            } else {
                print("INTACT  \(verification.records) record\(verification.records == 1 ? "" : "s") of node \(name.escapedForTerminal(limit: 128)) in \(settings.displayName); last hash \(verification.lastHash)")
            }
        }
        if chains.isEmpty { print("EMPTY   no audit records in \(settings.displayName)") }
        if !intact { throw ExitCode(ExitStatus.no.rawValue) }
    }
}

struct AuditShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the audit records that match, one JSON object per line."
    )

    @Argument(help: "Audit log files, oldest first.")
    var files: [String]

    @Option(name: .customLong("software-id")) var softwareID: String?
    @Option(name: .customLong("client-id")) var clientID: String?
    @Option(name: .long, help: "Only records at or after this instant (Unix seconds).") var since: Double?
    @Option(name: .long, help: "Only records at or before this instant (Unix seconds).") var until: Double?

    func run() throws {
        guard !files.isEmpty else { throw UsageFailure("give at least one audit log file") }
        let from = try since.map { try instant($0, option: "--since") }
        let to = try until.map { try instant($0, option: "--until") }
        let records: [[String: JSONValue]]
        do { records = try AuditChain.records(files, softwareID: softwareID, clientID: clientID, since: from, until: to) } catch {
            throw UsageFailure("audit log \(error)")
        }
        for record in records { print(JSONValue.object(record).serialized()) }
    }
}
