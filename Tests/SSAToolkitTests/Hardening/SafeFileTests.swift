import Foundation
@testable import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// Files the toolkit loads: regular files only, bounded, and warnings for secrets others can reach.
@Suite("Key stores, keys, passwords and configuration files are read safely")
struct SafeFileTests {
    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("safefile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("a FIFO, a directory and a missing file are refused at once, naming the path; a regular file is read")
    func notRegular() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("store.p12").path
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: SafeFileError(path: fifo, .notRegular("a FIFO (named pipe)"))) { try SafeFile.read(fifo, limit: 1024) }
        #expect(throws: SafeFileError(path: folder.path, .notRegular("a directory"))) { try SafeFile.read(folder.path, limit: 1024) }
        #expect(throws: SafeFileError(path: folder.path + "/none", .noSuchFile)) { try SafeFile.read(folder.path + "/none", limit: 1024) }
        let regular = folder.appendingPathComponent("file").path
        try Data("hello".utf8).write(to: URL(fileURLWithPath: regular))
        #expect(try SafeFile.read(regular, limit: 5) == Array("hello".utf8))
        #expect(throws: SafeFileError(path: regular, .tooLarge(4))) { try SafeFile.read(regular, limit: 4) }
        // The buffer follows the file's size, not the limit: a 1 TiB limit on a 5-byte file
        // allocates bytes, not a terabyte (the audit log is read with a 1 GiB limit).
        #expect(try SafeFile.read(regular, limit: 1 << 40) == Array("hello".utf8))
        let larger = folder.appendingPathComponent("larger").path
        let content = (0..<10_000).map { UInt8(truncatingIfNeeded: $0) }
        _ = FileManager.default.createFile(atPath: larger, contents: Data(content))
        #expect(try SafeFile.read(larger, limit: 10_000) == content)
        #expect(throws: SafeFileError(path: larger, .tooLarge(9_999))) { try SafeFile.read(larger, limit: 9_999) }

        // Through the loaders: a key store and a password file that are FIFOs.
        #expect(throws: KeyStoreError.self) { try TransportIdentity(pkcs12: KeyStoreLocation(path: fifo, property: "transportKeyStore"), password: Secret("x")) }
        do {
            _ = try TransportIdentity(pkcs12: KeyStoreLocation(path: fifo, property: "transportKeyStore"), password: Secret("x"))
        } catch {
            #expect(error.reason.contains("FIFO") && error.reason.contains(fifo))
        }
        #expect(throws: ConfigurationError.self) { try SecretReference.file(fifo).resolve(property: "transportKeyStorePassword", environment: [:]) }
        #expect(throws: ConfigurationError.self) { try ToolkitConfiguration.load(path: fifo) }
    }

    @Test("secret files readable or writable by others, and links to files others can replace, are warned about")
    func permissions() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = folder.appendingPathComponent("key.pem").path
        try Data("k".utf8).write(to: URL(fileURLWithPath: key))
        #expect(chmod(key, 0o600) == 0)
        #expect(SafeFile.permissionWarnings(key, what: "signingKey").isEmpty)
        #expect(chmod(key, 0o644) == 0)
        let readable = SafeFile.permissionWarnings(key, what: "signingKey")
        #expect(readable.count == 1 && readable[0].contains("readable by any user") && readable[0].contains("signingKey"))
        #expect(chmod(key, 0o620) == 0)
        #expect(SafeFile.permissionWarnings(key, what: "signingKey").contains { $0.contains("writable by its group") })

        let shared = folder.appendingPathComponent("shared")
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        #expect(chmod(shared.path, 0o777) == 0)
        let target = shared.appendingPathComponent("store.p12").path
        try Data("p".utf8).write(to: URL(fileURLWithPath: target))
        #expect(chmod(target, 0o600) == 0)
        let link = folder.appendingPathComponent("link.p12").path
        #expect(symlink(target, link) == 0)
        #expect(SafeFile.permissionWarnings(link, what: "transportKeyStore").contains { $0.contains("symbolic link") && $0.contains("replace") })
        #expect(SafeFile.permissionWarnings(target, what: "transportKeyStore").isEmpty)
    }

    @Test("an unknown --set property is refused with the closest known name; unknown file properties are warned about")
    func unknownProperties() throws {
        let path = Fixtures.url("config/toolkit.json").path
        #expect {
            try ToolkitConfiguration.load(path: path, overrides: ["sharedCacheUrl": "x"])
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.property == "sharedCacheUrl" && error.description.contains("not a property")
        }
        #expect {
            try ToolkitConfiguration.load(path: path, overrides: ["memberstate": "GB"])
        } throws: { error in
            (error as? ConfigurationError)?.description.contains("did you mean memberState?") == true
        }
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("c.json")
        try Data(#"{"tokenUrl": "https://127.0.0.1/token", "requireSignedReqest": "true"}"#.utf8).write(to: file)
        let configuration = try ToolkitConfiguration.load(path: file.path)
        #expect(configuration.unknownProperties == ["requireSignedReqest"])
        #expect(configuration.loadWarnings.contains { $0.contains("requireSignedReqest") && $0.contains("did you mean requireSignedRequest?") })
    }
}
