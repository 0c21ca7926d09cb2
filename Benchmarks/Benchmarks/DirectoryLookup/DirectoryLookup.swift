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
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.throughput, .wallClock], maxDuration: .seconds(5), maxIterations: 100_000)

    func configuration(_ sandbox: DirectorySandbox) throws -> ToolkitConfiguration {
        var properties: [String: String] = [:]
        for (name, value) in sandbox.configurationJSON().objectValue! { properties[name] = value.stringValue }
        return try ToolkitConfiguration(properties: properties, baseDirectory: nil)
    }

    Benchmark("SCIM lookup, warm (cached token, reused connection)") { benchmark in
        let sandbox = try await DirectorySandbox.start(fixtures: .init(root: fixtures))
        let tpp = try DirectoryConnection(configuration: try configuration(sandbox), environment: [:]).tpp!
        let warmedUp = try await tpp.isSoftwareStatementActive(SandboxRecords.activeSoftwareID)
        precondition(warmedUp)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try await tpp.isSoftwareStatementActive(SandboxRecords.activeSoftwareID))
        }
        benchmark.stopMeasurement()
        await sandbox.stop()
    }

    Benchmark("SCIM lookup, cold (new stores, TLS connection and token each time)") { benchmark in
        let sandbox = try await DirectorySandbox.start(fixtures: .init(root: fixtures))
        let config = try configuration(sandbox)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let tpp = try DirectoryConnection(configuration: config, environment: [:]).tpp!
            blackHole(try await tpp.isSoftwareStatementActive(SandboxRecords.activeSoftwareID))
        }
        benchmark.stopMeasurement()
        await sandbox.stop()
    }
}
