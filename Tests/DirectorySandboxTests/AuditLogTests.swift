import DirectorySandbox
import Foundation
@testable import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// The audit trail: a hash chain that detects an edit, a deletion and a reordering, survives
/// rotation, and makes decisions undecided when it cannot be written.
@Suite("The audit log's hash chain")
struct AuditLogTests {
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func write(_ count: Int, to log: AuditLog) async throws {
        for i in 0..<count {
            try await log.append(AuditRecord(kind: "token", time: Date(timeIntervalSince1970: 1_767_225_600 + Double(i)), decision: i % 3 == 0 ? "deny" : "allow",
                                             clientID: "client-\(i % 4)", softwareID: "software-\(i % 2)", organisationID: "org", scopesGranted: ["openid"]))
        }
    }

    @Test("intact as written (both durabilities, concurrent appends); an edit, a deletion and a reordering are each named by line")
    func tampering() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for durability in [AuditLog.Durability.groupCommit, .fsyncEachRecord] {
            let path = folder.appendingPathComponent("\(durability).log").path
            do {
                let log = try AuditLog(path: path, durability: durability)
                await withTaskGroup(of: Void.self) { group in
                    for i in 0..<200 {
                        group.addTask { try? await log.append(AuditRecord(kind: "token", time: Date(), decision: "allow", softwareID: "s\(i)")) }
                    }
                }
                #expect(log.head.records == 201)
            }  // closed: one writer at a time
            let verification = try AuditChain.verify([path])
            #expect(verification.decisions == 200 && verification.records == 201 && verification.isIntact)
            // Reopened, the chain continues from the last line on disk.
            let reopened = try AuditLog(path: path, durability: durability)
            #expect(reopened.lastHash == verification.lastHash)
            try await Self.write(3, to: reopened)
            #expect(try AuditChain.verify([path]).decisions == 203)
        }
        let path = folder.appendingPathComponent("tamper.log").path
        try await Self.write(10, to: try AuditLog(path: path))
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        func verify(_ lines: [String]) throws -> AuditChain.Verification {
            let copy = folder.appendingPathComponent("copy-\(UUID().uuidString).log").path
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: copy))
            return try AuditChain.verify([copy])
        }
        var edited = lines
        edited[5] = edited[5].replacingOccurrences(of: "\"decision\":\"allow\"", with: "\"decision\":\"deny\"")
        let editedBreak = try verify(edited).broken?.line
        #expect(edited[5] != lines[5] && editedBreak == 6)
        var lastEdited = lines
        lastEdited[10] = lastEdited[10].replacingOccurrences(of: "client-1", with: "client-2")
        #expect(try verify(lastEdited).broken?.line == 11)
        var deleted = lines
        deleted.remove(at: 3)
        #expect(try verify(deleted).broken?.line == 4)
        var reordered = lines
        reordered.swapAt(6, 7)
        #expect(try verify(reordered).broken?.line == 7)
        #expect(try verify(lines).broken == nil)
    }

    @Test("rotation: the new file continues the chain from the last line of the one before")
    func rotation() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("audit.log").path
        let log = try AuditLog(path: path, maximumBytes: 4096)
        try await Self.write(60, to: log)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map { folder.appendingPathComponent($0).path }
        let rotated = files.filter { $0 != path }
        #expect(rotated.count >= 2)
        let ordered = rotated + [path]
        let verification = try AuditChain.verify(ordered)
        #expect(verification.isIntact && verification.decisions == 60 && verification.records == 60 + files.count, "\(String(describing: verification.broken))")
        // The live file alone holds, but does not reach back to genesis: incomplete.
        let alone = try AuditChain.verify([path])
        #expect(alone.broken == nil && alone.continuesFrom != nil && alone.incomplete != nil)
        // Any order: the chain orders the files itself.
        let reversed = try AuditChain.verify(Array(ordered.reversed()))
        #expect(reversed.isIntact && reversed.files == ordered && reversed.decisions == 60)
        // Filters of `audit show`.
        #expect(try AuditChain.records(ordered, softwareID: "software-1").count == 30)
        #expect(try AuditChain.records(ordered, clientID: "client-0").count == 15)
        #expect(try AuditChain.records(ordered, since: Date(timeIntervalSince1970: 1_767_225_650)).count == 10)
    }

    @Test("a full disk: the append fails, health says so, and a token decision is undecided, never allowed")
    func fullDisk() async throws {
        // A full disk cannot be caused here otherwise: /dev/full, which only a test may open
        // (a running service accepts nothing but a regular file).
        let log = try AuditLog(path: "/dev/full", acceptsCharacterDevice: true)
        await #expect(throws: AuditError.self) { try await log.append(AuditRecord(kind: "token", time: Date(), decision: "allow")) }
        if case .failing(let reason) = log.health { #expect(reason.contains("/dev/full")) } else { Issue.record("health must be failing") }
        try await DirectorySandbox.withSandbox(fixtures: TokenDeciderTests.fixtures) { sandbox in
            let decision = try await TokenDeciderTests.decider(sandbox, audit: log).decide(TokenDeciderTests.request())
            #expect(decision.verdict == .undecided && decision.error == .temporarilyUnavailable && decision.failedCheck?.name == .audit)
            #expect(decision.idTokenClaims.isEmpty)
            // Registration too: no record, no registration.
            let (configuration, connection) = try TokenDeciderTests.connection(sandbox)
            let decider = try RegistrationDecider(configuration: configuration, connections: [connection], audit: log)
            let tpp = try SandboxTPP(fixtures: TokenDeciderTests.fixtures)
            let registration = await decider.decide(RegistrationInput(request: try tpp.requestJWT(ssa: try sandbox.issueSoftwareStatement()), clientCertificatePEM: tpp.transportCertificatePEM))
            #expect(registration.verdict == .undecided && registration.client == nil)
        }
    }
}
