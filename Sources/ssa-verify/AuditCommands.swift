import ArgumentParser
import Foundation
import PostgresStateStore
import SSAToolkit

/// `ssa-verify audit verify|show`: the audit trail's chain, its completeness and its records.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration.group(
        "audit", abstract: "Check the audit log's hash chain (against signed checkpoints), or show its records.", [AuditVerifyCommand.self, AuditShowCommand.self])
}

/// The checkpoints named by `--checkpoint`, verified with `--checkpoint-key`.
struct CheckpointOptions: ParsableArguments {
    @Option(name: .customLong("checkpoint"), help: ArgumentHelp("A signed checkpoint (a file holding its compact JWS); repeat for several.", valueName: "FILE"))
    var checkpoints: [String] = []

    @Option(name: .customLong("checkpoint-key"), help: ArgumentHelp("The PEM public key the checkpoints are signed with.", valueName: "PUBLIC_PEM"))
    var checkpointKey: String?

    /// Each checkpoint file with the checkpoint it holds, or why it cannot be trusted.
    func load() throws -> [(file: String, checkpoint: Result<AuditCheckpoint, AuditError>)] {
        guard !checkpoints.isEmpty else { return [] }
        guard let checkpointKey else { throw UsageFailure("--checkpoint needs --checkpoint-key: a checkpoint counts only when its signature verifies") }
        let key: AuditCheckpointPublicKey
        do { key = try AuditCheckpointPublicKey(pem: try InputFiles.readText(checkpointKey, what: "--checkpoint-key", limit: 16 * 1024)) } catch let error as AuditError {
            throw UsageFailure("--checkpoint-key: \(error.reason)")
        }
        return try checkpoints.map { file in
            let text = try InputFiles.readText(file, what: "--checkpoint", limit: 16 * 1024)
            return (file, Result { () throws(AuditError) in try AuditCheckpoint.verify(text, with: key) })
        }
    }
}

struct AuditVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that audit log files (in any order), or the audit chains in the shared state store, form one unbroken chain from its genesis record, and hold what signed checkpoints committed to.",
        discussion: """
            With files: one chain across them, ordered by the chain itself. It must reach back to the log's genesis \
            record (or to --from HASH, where a deliberately archived prefix ended). With --config naming a stateStore (and \
            no files): every node's chain in the database, or --node's. With --checkpoint (and --checkpoint-key): each \
            checkpoint's signature is verified, and the chain must hold as many records as it committed to, the last of \
            them hashing to its head. Every break is named. Exit status: 0 intact, 1 broken, incomplete or short of a \
            checkpoint, 2 unreadable file, bad checkpoint key or unreachable database.
            """
    )

    @Argument(help: "Audit log files, in any order (the live file and its rotated ones).")
    var files: [String] = []

    @Option(name: .long, help: "A configuration whose stateStore (and stateStorePassword) names the database.")
    var config: String?

    @Option(name: .long, help: "Only this node's chain (stateStoreNode).")
    var node: String?

    @Option(name: .long, help: ArgumentHelp("The hash where a deliberately archived prefix of the log ended: the chain may start there.", valueName: "HASH"))
    var from: String?

    @OptionGroup var checkpointOptions: CheckpointOptions

    func run() async throws {
        let checkpoints = try checkpointOptions.load()
        if let config {
            guard files.isEmpty else { throw UsageFailure("give either audit log files or --config, not both") }
            try await verifyDatabase(config, checkpoints: checkpoints)
            return
        }
        guard !files.isEmpty else { throw UsageFailure("give at least one audit log file, or --config with a stateStore") }
        let wanted = Set(checkpoints.compactMap { try? $0.checkpoint.get().records })
        let verification: AuditChain.Verification
        do { verification = try AuditChain.verify(files, from: from, hashesAt: wanted) } catch { throw UsageFailure("audit log \(error)") }
        var good = verification.isIntact
        for item in verification.breaks {
            print("BROKEN  \(item.file.escapedForTerminal(limit: 400)):\(item.line): \(item.reason)")
        }
        if let incomplete = verification.incomplete {
            print("INCOMPLETE  \(incomplete.escapedForTerminal(limit: 600))")
        }
        good = Self.report(checkpoints, against: verification) && good
        let summary = "\(verification.records) record\(verification.records == 1 ? "" : "s") (\(verification.decisions) decision\(verification.decisions == 1 ? "" : "s")) in \(files.count) file\(files.count == 1 ? "" : "s")"
        if good {
            print("INTACT  \(summary); last hash \(verification.lastHash)")
            if let id = verification.logID { print("        log \(id) of node \(verification.node?.escapedForTerminal(limit: 128) ?? "-"), from \(verification.offset == 0 ? "its genesis record" : "record \(verification.offset + 1)")") }
            if verification.logID == nil { print("        begun before logs had a genesis record (its first record starts the chain)") }
            if checkpoints.isEmpty { print("        no checkpoint given: records cut from the end cannot be detected without one") }
        } else {
            print("NOT INTACT  \(summary) hold")
            throw ExitCode(ExitStatus.no.rawValue)
        }
    }

    /// Prints each checkpoint's outcome against `verification`; false when one fails.
    static func report(_ checkpoints: [(file: String, checkpoint: Result<AuditCheckpoint, AuditError>)], against verification: AuditChain.Verification) -> Bool {
        var good = true
        for (file, result) in checkpoints {
            switch result {
            case .failure(let error):
                good = false
                print("CHECKPOINT FAILED  \(file.escapedForTerminal(limit: 400)): \(error.reason)")
            case .success(let checkpoint):
                if let problem = checkpoint.problem(with: verification) {
                    good = false
                    print("CHECKPOINT FAILED  \(file.escapedForTerminal(limit: 400)): \(problem)")
                } else {
                    print("CHECKPOINT OK  \(file.escapedForTerminal(limit: 400)): \(checkpoint.records) records, head \(checkpoint.head) (\(NumericDate.format(checkpoint.time)))")
                }
            }
        }
        return good
    }

    private func verifyDatabase(_ path: String, checkpoints: [(file: String, checkpoint: Result<AuditCheckpoint, AuditError>)]) async throws {
        let configuration = try loadingConfiguration { try ToolkitConfiguration.load(path: path) }
        guard let settings = configuration.stateStore else { throw UsageFailure("--config: \(path) names no stateStore") }
        let store = try loadingConfiguration { try PostgresStateStore(settings: settings) }
        let wanted = Set(checkpoints.compactMap { try? $0.checkpoint.get().records })
        let chains: [(node: String, verification: AuditChain.Verification)]
        do {
            chains = try await PostgresAuditSink.verify(store, node: node, hashesAt: wanted)
        } catch {
            await store.shutdown()
            throw UsageFailure("state store: \(error.reason)")
        }
        await store.shutdown()
        var intact = true
        for (name, verification) in chains {
            for item in verification.breaks {
                intact = false
                print("BROKEN  \(settings.displayName) node \(name.escapedForTerminal(limit: 128)), record \(item.line): \(item.reason)")
            }
            if verification.breaks.isEmpty {
                print("INTACT  \(verification.records) record\(verification.records == 1 ? "" : "s") of node \(name.escapedForTerminal(limit: 128)) in \(settings.displayName); last hash \(verification.lastHash)")
            }
        }
        // A checkpoint names its node: that node's chain must hold what it committed to.
        for (file, result) in checkpoints {
            guard case .success(let checkpoint) = result, let chain = chains.first(where: { $0.node.isByteIdentical(to: checkpoint.node) }) else {
                if case .success(let checkpoint) = result {
                    intact = false
                    print("CHECKPOINT FAILED  \(file.escapedForTerminal(limit: 400)): node \(checkpoint.node.escapedForTerminal(limit: 128)) has vanished from \(settings.displayName): every record it committed to is gone")
                    continue
                }
                intact = Self.report([(file, result)], against: AuditChain.Verifier().verification) && intact
                continue
            }
            intact = Self.report([(file, result)], against: chain.verification) && intact
        }
        if chains.isEmpty { print("EMPTY   no audit records in \(settings.displayName)\(checkpoints.isEmpty ? " (without a checkpoint, a node whose records were all deleted cannot be told from one that never wrote)" : "")") }
        if !intact { throw ExitCode(ExitStatus.no.rawValue) }
    }
}

struct AuditShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the audit records that match, one JSON object per line, from a chain that verifies.",
        discussion: "A broken or incomplete chain is refused (exit 1) unless --unverified is given; its broken records then carry \"audit_broken\" with the reason, and lines that are not records are shown as such."
    )

    @Argument(help: "Audit log files, in any order.")
    var files: [String]

    @Option(name: .customLong("software-id")) var softwareID: String?
    @Option(name: .customLong("client-id")) var clientID: String?
    @Option(name: .long, help: "Only records at or after this instant (Unix seconds).") var since: Double?
    @Option(name: .long, help: "Only records at or before this instant (Unix seconds).") var until: Double?
    @Option(name: .long, help: ArgumentHelp("The hash where a deliberately archived prefix ended.", valueName: "HASH")) var from: String?
    @Flag(name: .long, help: "Show the records of a broken or incomplete chain, marking the broken ones.") var unverified = false

    func run() throws {
        guard !files.isEmpty else { throw UsageFailure("give at least one audit log file") }
        let start = try since.map { try instant($0, option: "--since") }
        let end = try until.map { try instant($0, option: "--until") }
        let verification: AuditChain.Verification
        do { verification = try AuditChain.verify(files, from: from) } catch { throw UsageFailure("audit log \(error)") }
        if !verification.isIntact, !unverified {
            let why = verification.breaks.first.map { "\($0.file):\($0.line): \($0.reason)" } ?? verification.incomplete ?? "not intact"
            FileHandle.standardError.write(Data("ssa-verify: the audit chain does not verify (\(why.escapedForTerminal(limit: 600))); refusing to show its records. Run audit verify, or give --unverified\n".utf8))
            throw ExitCode(ExitStatus.no.rawValue)
        }
        let broken = Dictionary(verification.breaks.map { ("\($0.file)\u{0}\($0.line)", $0.reason) }) { first, _ in first }
        for file in verification.files {
            let bytes: [UInt8]
            do { bytes = try SafeFile.read(file, limit: 1 << 30) } catch { throw UsageFailure("audit log \(error)") }
            for (index, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
                let mark = broken["\(file)\u{0}\(index + 1)"]
                guard var object = try? StrictJSONParser(maximumDepth: 8, maximumBytes: 1 << 20).parseObject(Array(line)) else {
                    print(JSONValue.object(["audit_broken": .string(mark ?? "not a record"), "file": .string(file), "line": .number(Double(index + 1))]).serialized())
                    continue
                }
                guard AuditChain.matches(object, softwareID: softwareID, clientID: clientID, since: start, until: end) else { continue }
                if let mark { object["audit_broken"] = .string(mark) }
                print(JSONValue.object(object).serialized())
            }
        }
    }
}
