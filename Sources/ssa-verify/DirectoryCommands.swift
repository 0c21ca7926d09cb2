import ArgumentParser
import DirectorySandbox
import Foundation
import SSAToolkit

/// Loads `--config` and builds the directory connection; load failures exit 2.
private func connect(_ path: String, global: GlobalOptions) throws -> DirectoryConnection {
    try loadingConfiguration {
        try DirectoryConnection(configuration: try ToolkitConfiguration.load(path: path), logger: global.makeLogger("ssa-verify"))
    }
}

/// Directory failures are *undecided*: exit 3 with the reason.
private func undecided(_ error: DirectoryError) -> ExitCode {
    FileHandle.standardError.write(Data("ssa-verify: the directory could not answer: \(error.reason)\n".utf8))
    return ExitCode(ExitStatus.undecided.rawValue)
}

struct DirectoryAccessTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "access-token",
        abstract: "Obtain the directory's OAuth access token over mutual TLS and show its metadata.",
        discussion: "The token itself is printed only with --reveal. Exit status: 0 obtained, 2 configuration error, 3 directory failure. (`token`, its earlier name, still works.)",
        aliases: ["token"]
    )

    @Option(name: .long, help: "A configuration file (Janssen script JSON or plain JSON).")
    var config: String

    @Flag(name: .long, help: "Also print the access token itself.")
    var reveal = false

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let connection = try connect(config, global: global)
        let token: DirectoryAccessToken
        do { token = try await connection.accessTokens.token() } catch { throw undecided(error) }
        var object: [String: JSONValue] = [
            "client_id": .string(connection.clientID), "token_endpoint": .string(connection.accessTokens.tokenURL.absoluteString),
            "token_type": .string(token.tokenType), "scope": token.scope.map { .string($0) } ?? .null,
            "expires_at": .string(SoftwareStatementRules.formatForReport(token.expiresAt)),
            "expires_in": .number(token.expiresAt.timeIntervalSince(token.obtainedAt).rounded()),
        ]
        if reveal { object["access_token"] = .string(token.revealed()) }
        switch global.format {
        case .json: print(JSONValue.object(object).prettySerialized(leadingKeys: ["client_id", "token_endpoint", "token_type", "scope", "expires_in", "expires_at"]))
        case .text:
            print("TOKEN OBTAINED  for \(connection.clientID) from \(connection.accessTokens.tokenURL.absoluteString)")
            print("  type        \(token.tokenType)")
            print("  scope       \((token.scope ?? "-").escapedForTerminal(limit: 400))")
            print("  expires     \(SoftwareStatementRules.formatForReport(token.expiresAt)) (in \(Int(token.expiresAt.timeIntervalSince(token.obtainedAt).rounded())) s)")
            print(reveal ? "  token       \(token.revealed())" : "  token       (hidden; --reveal prints it)")
        }
    }
}

struct TPPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tpp",
        abstract: "Ask the directory whether a software statement is active (and show its organisation).",
        discussion: "Exit status: 0 active, 1 not active, 2 configuration error or invalid identifier, 3 directory failure."
    )

    @Argument(help: "The software statement id.")
    var softwareID: String

    @Option(name: .long, help: "Also fetch this organisation's record (authorisations, software statements).")
    var org: String?

    @Option(name: .long, help: "A configuration file (Janssen script JSON or plain JSON).")
    var config: String

    @Option(name: .long, help: "Which trusted directory to ask, by its issuer (default: the first); its trustFramework decides the status source.")
    var issuer: String?

    @Option(name: .customLong("legal-entity"), help: "The CDR: the data recipient's legal entity id (the Register's status is kept per legal entity).")
    var legalEntity: String?

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        if let problem = Identifier.problem(with: softwareID) { throw UsageFailure("software statement id \(problem); it is not sent to the directory") }
        if let org, let problem = Identifier.problem(with: org) { throw UsageFailure("organisation id \(problem); it is not sent to the directory") }
        let configuration = try loadingConfiguration { try ToolkitConfiguration.load(path: config) }
        guard let directory = issuer.map({ named in configuration.directories.first { $0.issuer == named } }) ?? configuration.directories.first else {
            throw UsageFailure("--issuer: \(issuer?.quotedForReport() ?? "") is not a trusted directory (trusted: \(configuration.directories.map { $0.issuer.quotedForReport() }.joined(separator: ", ")))")
        }
        let connection = try loadingConfiguration {
            try DirectoryConnection(directory: directory, timeouts: configuration.timeouts, logger: global.makeLogger("ssa-verify"))
        }
        if let source = directory.participantStatusSource(client: connection.transport, token: configuration.token) {
            return try await published(source, framework: directory.trustFramework)
        }
        guard let tpp = connection.tpp else { throw UsageFailure("configuration: property tppUrl is required") }
        let active: Bool
        var record: OrganisationRecord?
        do {
            active = try await tpp.isSoftwareStatementActive(softwareID)
            if let org { record = try await tpp.organisation(org) }
        } catch { throw undecided(error) }
        switch global.format {
        case .json:
            var object: [String: JSONValue] = ["software_id": .string(softwareID), "active": .bool(active)]
            if let record { object["organisation"] = .object(record.raw) }
            print(JSONValue.object(object).prettySerialized(leadingKeys: ["software_id", "active"]))
        case .text:
            print(active ? "ACTIVE  software statement \(softwareID) is active in the directory" : "NOT ACTIVE  the directory has no active software statement \(softwareID)")
            if let record {
                print("  organisation  \(record.id.escapedForTerminal(limit: 128)) \(record.name.map { $0.quotedForReport(limit: 200) } ?? ""), status \(record.statusDescription.escapedForTerminal(limit: 200))")
                for a in record.authorisations { print("  authorisation \(a.memberState.escapedForTerminal(limit: 16)) \(a.role.escapedForTerminal(limit: 64)) \(a.active ? "active" : "inactive")") }
                for s in record.softwareStatements { print("  software      \(s.id.escapedForTerminal(limit: 128)) \(s.active ? "active" : "inactive") \(s.roles.joined(separator: " ").escapedForTerminal(limit: 200))") }
            }
        }
        if !active { throw ExitCode(ExitStatus.no.rawValue) }
    }

    /// Another framework's published status: the checks registration and token time make.
    private func published(_ source: any ParticipantStatusSource, framework: TrustFramework) async throws {
        let (checks, refused) = await source.checks(softwareID: softwareID, organisationID: org ?? "", legalEntityID: legalEntity)
        switch global.format {
        case .json:
            let object: [String: JSONValue] = [
                "software_id": .string(softwareID), "trust_framework": .string(framework.name.rawValue), "active": .bool(refused == nil),
                "checks": .array(checks.map { ["check": .string($0.name.rawValue), "outcome": .string($0.outcome.rawValue), "detail": .string($0.detail)] }),
            ]
            print(JSONValue.object(object).prettySerialized(leadingKeys: ["software_id", "trust_framework", "active"]))
        case .text:
            print(refused == nil ? "ACTIVE  software \(softwareID) in \(source.sourceName) (\(framework.name.rawValue))"
                : refused == true ? "NOT ACTIVE  software \(softwareID) in \(source.sourceName) (\(framework.name.rawValue))"
                : "UNDECIDED  \(source.sourceName) could not answer")
            for check in checks { print("  \(check.name.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)) \(check.outcome.rawValue)  \(check.detail.escapedForTerminal(limit: 400))") }
        }
        switch refused {
        case nil: return
        case true?: throw ExitCode(ExitStatus.no.rawValue)
        case false?: throw ExitCode(ExitStatus.undecided.rawValue)
        }
    }
}

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run the embedded Open Banking directory (JWKS, token, SCIM) on 127.0.0.1.",
        discussion: "Prints its URLs and writes a ready configuration file, then serves until interrupted."
    )

    @Option(name: .long, help: "Port (0 picks a free one).")
    var port: Int = 8443

    @Option(name: .long, help: "The fixtures folder (certs-fixtures).")
    var fixtures: String = "certs-fixtures"

    @Option(name: .customLong("write-config"), help: "Where to write the configuration for this sandbox.")
    var writeConfig: String = "sandbox-config.json"

    @Option(name: .customLong("write-certificate"), help: "Where to write the TPP transport certificate the sandbox issued (PEM chain; it names the sandbox's OCSP responder and CRL).")
    var writeCertificate: String?

    @Option(name: .long, help: "Which directory the written configuration trusts: openbanking-uk (or openbanking: iss \"OpenBanking Ltd\", key ob-rsa-1), second (iss \"Second Scheme Directory\", key ob-rsa-2 only), open-finance-brasil, cdr-au, or all (the three frameworks under three issuers). The sandbox serves every framework's endpoints whichever is chosen.")
    var scheme: String = "openbanking"

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let root = URL(fileURLWithPath: fixtures).standardizedFileURL
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent("pki/directory-server-chain.pem").path) else {
            throw UsageFailure("--fixtures: \(fixtures) does not hold the sandbox PKI (pki/directory-server-chain.pem)")
        }
        let chosen: DirectorySandbox.Scheme
        var framework: TrustFramework.Name?
        switch scheme {
        case "openbanking", "openbanking-uk": chosen = .openBanking
        case "second": chosen = .secondDirectory
        case "all": chosen = .openBanking
        default:
            guard let named = TrustFramework.Name(rawValue: scheme) else {
                throw UsageFailure("--scheme: \(scheme.quotedForReport()) is not openbanking-uk, second, open-finance-brasil, cdr-au or all")
            }
            chosen = .openBanking
            framework = named
        }
        let sandbox: DirectorySandbox
        do {
            sandbox = try await DirectorySandbox.start(fixtures: .init(root: root), port: port, scheme: chosen, logger: global.makeLogger("sandbox"))
        } catch {
            throw UsageFailure("the sandbox could not start on port \(port): \(error)")
        }
        let configuration = scheme == "all" ? sandbox.allFrameworksConfigurationJSON() : framework.map { sandbox.configurationJSON(framework: $0) } ?? sandbox.configurationJSON()
        let text = configuration.prettySerialized() + "\n"
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: writeConfig)) } catch {
            throw UsageFailure("--write-config: cannot write \(writeConfig)")
        }
        if let writeCertificate {
            do { try Data(sandbox.transportCertificate.chainPEM.utf8).write(to: URL(fileURLWithPath: writeCertificate)) } catch {
                throw UsageFailure("--write-certificate: cannot write \(writeCertificate)")
            }
        }
        // Written straight to the file descriptor: a caller reading a pipe sees it at once.
        FileHandle.standardOutput.write(Data("""
            sandbox directory listening on \(sandbox.baseURL.absoluteString) (client certificate required)
              jwks     \(sandbox.jwksURL.absoluteString)
              ocsp     \(sandbox.revocationURL.absoluteString)/ocsp (plain HTTP; CRL at /crl)
              revoke   POST \(sandbox.baseURL.absoluteString)/admin/certificates/revoke {"serial": "\(String(sandbox.transportCertificate.serial, radix: 16))"}
              token    \(sandbox.tokenURL.absoluteString)
              scim     \(sandbox.tppURL.absoluteString)
              brasil   \(sandbox.brasilJWKSURL.absoluteString), participants \(sandbox.participantsURL.absoluteString)
              cdr      \(sandbox.cdrJWKSURL.absoluteString), register \(sandbox.registerURL.absoluteString)/cdr-register/v1/banking/data-recipients/status
              config   \(writeConfig)   (try: ssa-verify access-token --config \(writeConfig))

            """.utf8))
        await waitForTerminationSignal()
        await sandbox.stop()
    }
}
