import Benchmark
import DirectorySandbox
import Foundation
import SSAToolkit

/// The committed fixtures, found from this file's path.
private let fixtures = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("certs-fixtures")

/// A SCIM lookup through the toolkit's directory client, warm (token cached, connection
/// reused), against the reference script's way: load the stores, build a new TLS connection and
/// fetch a new token for every lookup.
/// One sandbox and one warm client for the whole suite, made in the benchmarks' setup hooks
/// (package-benchmark calls a closure once per sample: a sandbox started inside it would be
/// most of what the warm figure measured).
private final class Shared: @unchecked Sendable {
    var sandbox: DirectorySandbox?
    var configuration: ToolkitConfiguration?
    var warm: TPPDirectoryClient?
}
private let shared = Shared()

private func configuration(_ sandbox: DirectorySandbox) throws -> ToolkitConfiguration {
    var properties: [String: String] = [:]
    for (name, value) in sandbox.configurationJSON().objectValue! { properties[name] = value.stringValue }
    return try ToolkitConfiguration(properties: properties, baseDirectory: nil)
}

private func startSandbox() async throws {
    let sandbox = try await DirectorySandbox.start(fixtures: .init(root: fixtures))
    shared.sandbox = sandbox
    shared.configuration = try configuration(sandbox)
    let tpp = try DirectoryConnection(configuration: shared.configuration!, environment: [:]).tpp!
    let active = try await tpp.isSoftwareStatementActive(SandboxRecords.activeSoftwareID)
    precondition(active)
    shared.warm = tpp
}

private func stopSandbox() async throws {
    await shared.sandbox?.stop()
    shared.sandbox = nil
    shared.warm = nil
}

/// A SCIM lookup through the toolkit's directory client, warm (token cached, connection
/// reused), against the reference script's way: load the stores, build a new TLS connection and
/// fetch a new token for every lookup. `make bench-directory` prints their ratio.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.throughput, .wallClock], maxDuration: .seconds(5), maxIterations: 100_000)

    Benchmark("SCIM lookup, warm (cached token, reused connection)", closure: { benchmark in
        let tpp = shared.warm!
        for _ in benchmark.scaledIterations {
            blackHole(try await tpp.isSoftwareStatementActive(SandboxRecords.activeSoftwareID))
        }
    }, setup: startSandbox, teardown: stopSandbox)

    Benchmark("SCIM lookup, cold (new stores, TLS connection and token each time)", closure: { benchmark in
        let config = shared.configuration!
        for _ in benchmark.scaledIterations {
            let tpp = try DirectoryConnection(configuration: config, environment: [:]).tpp!
            blackHole(try await tpp.isSoftwareStatementActive(SandboxRecords.activeSoftwareID))
        }
    }, setup: startSandbox, teardown: stopSandbox)
}
