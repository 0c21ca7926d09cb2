import Foundation

/// A throwaway PostgreSQL server from Debian's packages, on 127.0.0.1 in a temporary folder, for
/// the shared state store's tests (`integrations/postgres/test-postgres.sh`: the service role
/// `ssa` and the owner role `ssa_owner`, SCRAM passwords, a database `ssa` owned by `ssa_owner`
/// with the schema made for `ssa` unless bare, TLS with a CA of its own). Stopped and removed on
/// `deinit`.
public final class TestPostgres: @unchecked Sendable {
    /// The folder holding the cluster, its TLS files and its log.
    public let folder: URL
    /// `postgres://ssa@127.0.0.1:PORT/ssa`.
    public let url: String
    /// The role's password (test-only).
    public let password = "ssa-test-password"
    /// The CA that issued the server's certificate (for `sslmode=verify-full`).
    public var caFile: String { folder.appendingPathComponent("tls/ca.pem").path }

    static let script = Fixtures.packageRoot.appendingPathComponent("integrations/postgres/test-postgres.sh").path

    private init(folder: URL, url: String) {
        self.folder = folder
        self.url = url
    }

    /// `postgres://ssa_owner@127.0.0.1:PORT/ssa`: the schema's owner (same test password).
    public var ownerURL: String { url.replacingOccurrences(of: "postgres://ssa@", with: "postgres://ssa_owner@") }

    /// Starts a new server (installing PostgreSQL first when it is missing); `bare`: without the
    /// schema (for `ssa-verify state-store init`).
    public static func start(bare: Bool = false) async throws -> TestPostgres {
        let install = try await AsyncProcess.run(URL(fileURLWithPath: "/bin/bash"), [script, "install"], seconds: 600)
        guard install.status == 0 else { throw TestHTTPSServer.StartFailure(description: "PostgreSQL could not be installed: \(install.standardError)") }
        // The script picks a free port and then starts the server on it; on a busy machine
        // another process can take the port in between ("Address already in use"): try again on
        // a new one.
        for attempt in 1...3 {
            // Short: the server's Unix socket lives in the folder.
            let folder = URL(fileURLWithPath: "/tmp/ssa-pg-\(UUID().uuidString.prefix(8).lowercased())")
            let started = try await AsyncProcess.run(URL(fileURLWithPath: "/bin/bash"), [script, "start", folder.path] + (bare ? ["--bare"] : []), seconds: 120)
            let url = started.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            if started.status == 0, url.hasPrefix("postgres://") { return TestPostgres(folder: folder, url: url) }
            try? FileManager.default.removeItem(at: folder)
            guard attempt < 3, started.standardError.contains("Address already in use") else {
                throw TestHTTPSServer.StartFailure(description: "PostgreSQL did not start: \(started.standardError)")
            }
        }
        throw TestHTTPSServer.StartFailure(description: "PostgreSQL did not start")
    }

    /// Stops the server at once, as a crash or an outage would (`pg_ctl stop -m immediate`).
    public func kill() async throws {
        let result = try await AsyncProcess.run(URL(fileURLWithPath: "/bin/bash"), [Self.script, "kill", folder.path], seconds: 60)
        guard result.status == 0 else { throw TestHTTPSServer.StartFailure(description: "PostgreSQL did not stop: \(result.standardError)") }
    }

    /// Starts it again on the same port and data.
    public func restart() async throws {
        let result = try await AsyncProcess.run(URL(fileURLWithPath: "/bin/bash"), [Self.script, "restart", folder.path], seconds: 60)
        guard result.status == 0 else { throw TestHTTPSServer.StartFailure(description: "PostgreSQL did not restart: \(result.standardError)") }
    }

    /// Runs SQL as the `ssa` role through psql (another client than the toolkit's).
    public func psql(_ sql: String) async throws -> String {
        let result = try await AsyncProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["psql", url + "?sslmode=disable", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                                                environment: ["PGPASSWORD": password], seconds: 60)
        guard result.status == 0 else { throw TestHTTPSServer.StartFailure(description: "psql: \(result.standardError)") }
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs SQL as the superuser (the local socket; what only a database administrator or an
    /// attacker who became one can do), with triggers skipped when `bypassTriggers`.
    public func superuserPSQL(_ sql: String, bypassTriggers: Bool = false) async throws -> String {
        let port = try String(contentsOf: folder.appendingPathComponent("port"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let bin = try FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql").sorted().last.map { "/usr/lib/postgresql/\($0)/bin/psql" } ?? "psql"
        let command = (getuid() == 0 ? ["runuser", "-u", "postgres", "--"] : []) + [bin, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", folder.path, "-p", port, "-U", "postgres", "-d", "ssa"]
            + (bypassTriggers ? ["-c", "SET session_replication_role = replica"] : []) + ["-c", sql]
        let result = try await AsyncProcess.run(URL(fileURLWithPath: "/usr/bin/env"), command, directory: URL(fileURLWithPath: "/"), seconds: 60)
        guard result.status == 0 else { throw TestHTTPSServer.StartFailure(description: "psql as superuser: \(result.standardError)") }
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit {
        (try? SpawnedProcess("/bin/bash", [Self.script, "remove", folder.path]))?.waitUntilExit()
    }
}
