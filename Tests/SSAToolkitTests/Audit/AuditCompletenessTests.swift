import Foundation
@testable import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// An audit trail that proves it is complete: what an attacker with write access to the log can
/// do (cut its head, its tail, its middle, a whole rotated file; empty it; forge a checkpoint; run
/// a second writer) is each found, given a checkpoint written before the cut; the same log uncut
/// verifies intact with the same checkpoints. Checkpoint keys are made by OpenSSL.
@Suite("Audit trail completeness: genesis, checkpoints, one writer")
struct AuditCompletenessTests {
    /// A temporary folder, removed by the caller.
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("complete-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// A private key made by `openssl genpkey` (`EC` P-256 or `ED25519`) and its public PEM.
    static func key(_ algorithm: String, in folder: URL) async throws -> (AuditCheckpointKey, AuditCheckpointPublicKey, String) {
        let name = folder.appendingPathComponent("\(algorithm)-\(UUID().uuidString)").path
        let options = algorithm == "EC" ? "-pkeyopt ec_paramgen_curve:P-256" : ""
        let made = try await AsyncProcess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "openssl genpkey -algorithm \(algorithm) \(options) -out '\(name).key' && openssl pkey -in '\(name).key' -pubout -out '\(name).pub'"])
        #expect(made.status == 0, "\(made.standardError)")
        let key = try AuditCheckpointKey(pem: try String(contentsOfFile: name + ".key", encoding: .utf8))
        return (key, try AuditCheckpointPublicKey(pem: try String(contentsOfFile: name + ".pub", encoding: .utf8)), name + ".pub")
    }

    static func write(_ count: Int, to log: AuditLog, from start: Int = 0) async throws {
        for i in start..<(start + count) {
            try await log.append(AuditRecord(kind: "token", time: Date(timeIntervalSince1970: 1_767_225_600 + Double(i)), decision: "allow",
                                             clientID: "client-\(i)", softwareID: "software", organisationID: "org", scopesGranted: ["openid"]))
        }
    }

    static func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    static func file(_ folder: URL, _ lines: [String]) throws -> String {
        let path = folder.appendingPathComponent("copy-\(UUID().uuidString).log").path
        try Data((lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("a new log begins with a genesis record (random log id, node); rotation begins each file with a continuation record naming the file and its last hash")
    func identity() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("audit.log").path
        let log = try AuditLog(path: path, maximumBytes: 4096, node: "node-a")
        try await Self.write(40, to: log)
        let other = try AuditLog(path: folder.appendingPathComponent("other.log").path, node: "node-a")
        try await Self.write(1, to: other)
        #expect(log.logID.count == 32 && log.logID != other.logID)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("audit.log") }.sorted().map { folder.appendingPathComponent($0).path }
        #expect(files.count >= 3)
        let genesis = try StrictJSONParser(maximumDepth: 8).parseObject(Array(try Self.lines(files[1])[0].utf8))  // audit.log.<time> sorts after audit.log
        #expect(genesis["kind"] == "genesis" && genesis["log_id"] == .string(log.logID) && genesis["node"] == "node-a" && genesis["prev"] == .string(AuditLog.genesis))
        let live = try StrictJSONParser(maximumDepth: 8).parseObject(Array(try Self.lines(path)[0].utf8))
        #expect(live["kind"] == "continuation" && live["log_id"] == .string(log.logID))
        let continued = try #require(live["continues"]?.stringValue)
        #expect(live["prev"] == .string(AuditLog.hash(ofLine: Array(try Self.lines(folder.appendingPathComponent(continued).path).last!.utf8))))
        let verification = try AuditChain.verify(files)
        #expect(verification.isIntact && verification.decisions == 40 && verification.records == log.head.records && verification.logID == log.logID,
                "\(verification.breaks) \(verification.incomplete ?? "")")
    }

    @Test("group commit: a sync of a file rotated away meanwhile is not a failure of the log; a failed sync of the current file still fails appends until one succeeds")
    func syncAcrossRotation() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("audit.log").path
        // Syncs are driven by hand here: the scheduled one would come an hour later.
        let log = try AuditLog(path: path, durability: .groupCommit(interval: .seconds(3600)), maximumBytes: 4096, node: "node-a")
        try await Self.write(1, to: log)
        let generation = log.syncTarget().generation
        try await Self.write(40, to: log)  // several rotations: the descriptor taken above is closed
        let current = log.syncTarget().generation
        #expect(current > generation)
        // The sync thread's fdatasync of the closed descriptor fails (EBADF, or whatever the
        // number now names): the log is not failing, and appends go on.
        log.finishSync(generation: generation, failed: "Bad file descriptor")
        guard case .ok = log.health else { Issue.record("a rotated-away sync made the log fail: \(log.health)"); return }
        try await Self.write(1, to: log, from: 41)
        // Its twin: a failed sync of the current file fails every append (fail closed) until a
        // sync succeeds.
        log.finishSync(generation: current, failed: "Input/output error")
        guard case .failing(let reason) = log.health else { Issue.record("a failed sync of the current file was ignored"); return }
        #expect(reason.contains("cannot be synced") && reason.contains("Input/output error"))
        await #expect(throws: AuditError.self) { try await Self.write(1, to: log, from: 42) }
        log.finishSync(generation: current, failed: nil)
        try await Self.write(1, to: log, from: 42)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("audit.log") }.sorted().map { folder.appendingPathComponent($0).path }
        let verification = try AuditChain.verify(files)
        #expect(verification.isIntact && verification.decisions == 43, "\(verification.breaks) \(verification.incomplete ?? "")")
    }

    @Test("cuts of the head, the tail, the middle, a whole rotated file and an emptied file are each reported given a checkpoint written before the cut; the uncut log verifies with the same checkpoints")
    func cuts() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (key, publicKey, _) = try await Self.key("EC", in: folder)
        let path = folder.appendingPathComponent("audit.log").path
        let log = try AuditLog(path: path, maximumBytes: 4096, node: "node-a")
        let writer = AuditCheckpointWriter(key: key, directory: folder.path, interval: .seconds(60))
        try await Self.write(25, to: log)
        let early = try #require(try writer.write(log.head))
        try await Self.write(25, to: log)
        let late = try #require(try writer.write(log.head))
        let checkpoints = try [early, late].map { try AuditCheckpoint.verify(try $0.signed(with: key), with: publicKey) }
        let wanted = Set(checkpoints.map(\.records))
        func check(_ files: [String], from: String? = nil) throws -> (AuditChain.Verification, [String]) {
            let verification = try AuditChain.verify(files, from: from, hashesAt: wanted)
            return (verification, checkpoints.compactMap { $0.problem(with: verification) })
        }
        let all = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("audit.log") }.map { folder.appendingPathComponent($0).path }
        #expect(all.count >= 3)
        // Uncut, in any order: intact, and both checkpoints hold.
        let (uncut, uncutProblems) = try check(all.shuffled())
        #expect(uncut.isIntact && uncutProblems.isEmpty, "\(uncut.breaks) \(uncutProblems)")
        let ordered = uncut.files
        let liveLines = try Self.lines(path)

        // Tail cut: without a checkpoint it looks intact; the late checkpoint finds it.
        let tailCut = ordered.dropLast() + [try Self.file(folder, Array(liveLines.dropLast(3)))]
        let (tail, tailProblems) = try check(Array(tailCut))
        #expect(tail.isIntact && tailProblems.count == 1 && tailProblems[0].contains("cut from its end"), "\(tailProblems)")
        // Head cut: incomplete, and the checkpoints cannot be reached from genesis.
        let firstLines = try Self.lines(ordered[0])
        let headCut = [try Self.file(folder, Array(firstLines.dropFirst(2)))] + ordered.dropFirst()
        let (head, _) = try check(Array(headCut))
        #expect(head.incomplete != nil && !head.isIntact, "\(head.incomplete ?? "complete")")
        // Middle: one record deleted in the first file.
        var middleLines = firstLines
        middleLines.remove(at: 5)
        let (middle, middleProblems) = try check([try Self.file(folder, middleLines)] + ordered.dropFirst())
        #expect(middle.breaks.first?.line == 6 && !middleProblems.isEmpty, "\(middle.breaks)")
        // A whole rotated file left out: incomplete, and the late checkpoint fails.
        let (gap, gapProblems) = try check(ordered.enumerated().filter { $0.offset != 1 }.map(\.element))
        #expect(gap.incomplete != nil && !gapProblems.isEmpty, "\(gap.incomplete ?? "complete") \(gapProblems)")
        // Emptied: incomplete, both checkpoints fail.
        let (empty, emptyProblems) = try check([try Self.file(folder, [])])
        #expect(empty.incomplete?.contains("empty") == true && emptyProblems.count == 2)
        // An archived prefix, said where it ended: complete from there, checkpoints counted from genesis.
        let (archived, archivedProblems) = try check(Array(ordered.dropFirst()), from: AuditLog.hash(ofLine: Array(firstLines.last!.utf8)))
        #expect(archived.isIntact && archived.offset > 0 && archivedProblems.isEmpty, "\(archived.incomplete ?? "") \(archivedProblems)")
        let (unsaid, _) = try check(Array(ordered.dropFirst()))
        #expect(unsaid.incomplete != nil)
    }

    @Test("every break is named, not only the first; a legacy log (begun before genesis records) still verifies")
    func everyBreak() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("audit.log").path
        try await Self.write(20, to: try AuditLog(path: path))
        var lines = try Self.lines(path)
        lines[3] = lines[3].replacingOccurrences(of: "client-2", with: "client-X")
        lines[15] = lines[15].replacingOccurrences(of: "client-14", with: "client-Y")
        let verification = try AuditChain.verify([try Self.file(folder, lines)])
        #expect(verification.breaks.map(\.line) == [4, 16], "\(verification.breaks)")
        // The lines after genesis, re-chained from zeros as an older version wrote them.
        let legacy = folder.appendingPathComponent("legacy.log").path
        var previous = AuditLog.genesis
        var text = ""
        for i in 0..<3 {
            let (line, hash) = AuditLog.Prepared(AuditRecord(kind: "token", time: Date(timeIntervalSince1970: 1_767_225_600), decision: "allow", clientID: "c\(i)")).chained(to: previous)
            text += String(decoding: line, as: UTF8.self) + "\n"
            previous = hash
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: legacy))
        let old = try AuditChain.verify([legacy])
        #expect(old.isIntact && old.decisions == 3 && old.logID == nil)
        // Reopened, an old log continues (no genesis added in its middle).
        let reopened = try AuditLog(path: legacy)
        try await Self.write(1, to: reopened)
        #expect(try AuditChain.verify([legacy]).decisions == 4 && reopened.logID.hasPrefix("legacy-"))
    }

    @Test("checkpoints: ES256 and Ed25519 keys from OpenSSL; a forged one (other key), a tampered payload and another log's are refused; OpenSSL verifies the Ed25519 signature")
    func checkpoints() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = try AuditLog(path: folder.appendingPathComponent("audit.log").path)
        try await Self.write(3, to: log)
        for algorithm in ["EC", "ED25519"] {
            let (key, publicKey, publicPath) = try await Self.key(algorithm, in: folder)
            let (otherKey, _, _) = try await Self.key(algorithm, in: folder)
            let jws = try AuditCheckpoint(log.head, time: Date()).signed(with: key)
            let checkpoint = try AuditCheckpoint.verify(jws, with: publicKey)
            #expect(checkpoint.records == 4 && checkpoint.head == log.lastHash && checkpoint.logID == log.logID)
            #expect(throws: AuditError.self) { try AuditCheckpoint.verify(try AuditCheckpoint(log.head, time: Date()).signed(with: otherKey), with: publicKey) }
            var parts = jws.split(separator: ".").map(String.init)
            parts[1] = Base64URL.encode(Array(String(decoding: Base64URL.decode(parts[1])!, as: UTF8.self).replacingOccurrences(of: "\"records\":4", with: "\"records\":3").utf8))
            #expect(throws: AuditError.self) { try AuditCheckpoint.verify(parts.joined(separator: "."), with: publicKey) }
            var foreign = log.head
            foreign.logID = "0123456789abcdef0123456789abcdef"
            let wrongLog = try AuditCheckpoint.verify(try AuditCheckpoint(foreign, time: Date()).signed(with: key), with: publicKey)
            #expect(wrongLog.problem(with: try AuditChain.verify([log.path], hashesAt: [4]))?.contains("log") == true)
            if algorithm == "ED25519" {
                // Another implementation verifies it, as a bank's collector would.
                let input = folder.appendingPathComponent("input").path, signature = folder.appendingPathComponent("signature").path
                let pieces = jws.split(separator: ".")
                try Data((pieces[0] + "." + pieces[1]).utf8).write(to: URL(fileURLWithPath: input))
                try Data(Base64URL.decode(String(pieces[2]))!).write(to: URL(fileURLWithPath: signature))
                let verified = try await AsyncProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", publicPath, "-rawin", "-in", input, "-sigfile", signature])
                #expect(verified.status == 0 && verified.standardOutput.contains("Signature Verified Successfully"), "\(verified.standardOutput)\(verified.standardError)")
            }
        }
    }

    @Test("one writer per file: a second writer is refused naming this process's pid; the first writer's chain stays intact")
    func oneWriter() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("audit.log").path
        let first = try AuditLog(path: path)
        try await Self.write(2, to: first)
        #expect { try AuditLog(path: path) } throws: { error in
            (error as? AuditError)?.reason.contains("pid \(ProcessInfo.processInfo.processIdentifier)") == true
        }
        try await Self.write(2, to: first, from: 2)
        #expect(try AuditChain.verify([path]).isIntact && (try AuditChain.verify([path]).decisions) == 4)
    }
}
