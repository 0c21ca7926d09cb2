import ArgumentParser
import Foundation
import Logging
import SSAToolkit

/// Exit status, the same for every command (docs/command-line.md).
enum ExitStatus: Int32 {
    /// Valid, accept, healthy.
    case success = 0
    /// A definite no: rejected, or a diagnostic found a problem.
    case no = 1
    /// Usage or configuration error: bad flag, unreadable file, wrong password.
    case usage = 2
    /// Undecided: network, timeout, directory failure.
    case undecided = 3
}

/// Runs `load` (configuration, key stores, signing key) and turns its failures into usage
/// failures (exit 2) that name the file, property or key.
func loadingConfiguration<T>(_ load: () throws -> T) throws -> T {
    do {
        return try load()
    } catch let error as KeyStoreError {
        throw UsageFailure(error.reason)
    } catch let error as ConfigurationError {
        throw UsageFailure("configuration: \(error)")
    } catch let error as JOSEError {
        throw UsageFailure("signing key: \(error.reason)")
    } catch let error as AuditError {
        throw UsageFailure("auditLog: \(error.reason)")
    }
}

/// The instant `--at` names (Unix seconds), or now. NaN, infinities and anything outside 1970
/// to 9999 are a usage error: an instant nobody can mean must not quietly pass every time rule.
func instant(_ at: Double?, option: String = "--at") throws -> Date {
    guard let at else { return Date() }
    guard let date = NumericDate.date(at) else {
        throw UsageFailure("\(option) \(at) \(NumericDate.problem(with: at) ?? "is out of range"): give Unix seconds between 0 and \(Int(NumericDate.latest))")
    }
    return date
}

/// A failure to start the work at all (exit status 2), with a message naming what is wrong.
struct UsageFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

@main
struct SSAVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssa-verify",
        abstract: "Open Banking software statement validation for authorization servers.",
        discussion: """
            Exit status: 0 valid/accept/healthy, 1 rejected or problems found, \
            2 usage or configuration error, 3 undecided (directory or network failure).
            """,
        version: "0.1.0",
        subcommands: [VerifyCommand.self, DecideCommand.self, TokenDecideCommand.self, StateStoreCommand.self, CertsCommand.self, DirectoryAccessTokenCommand.self, TPPCommand.self,
                      SandboxCommand.self, ServeCommand.self, OpenAPICommand.self, AuditCommand.self, DemoCommand.self]
    )

    /// Runs the command line with the project's exit statuses: argument errors exit 2 (not 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as UsageFailure {
            FileHandle.standardError.write(Data("ssa-verify: \(failure.description)\n".utf8))
            Foundation.exit(ExitStatus.usage.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(ExitStatus.usage.rawValue)
            }
            exit(withError: error)
        }
    }
}

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Log level on standard error: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .warning

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(name: .long, help: "Log line format on standard error: text, or json (one object per line, for a log shipper).")
    var logFormat: LogFormat = .text

    /// A logger writing to standard error at the chosen level. Nothing secret is ever logged.
    func makeLogger(_ label: String) -> Logger {
        let format = logFormat
        var logger = Logger(label: label, factory: { label in
            format == .json ? JSONLogHandler(label: label) as any LogHandler : TextLogHandler(label: label)
        })
        logger.logLevel = logLevel
        return logger
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

extension CommandConfiguration {
    /// A command that only groups its subcommands (`audit`, `state-store`).
    static func group(_ name: String, abstract: String, _ subcommands: [any ParsableCommand.Type]) -> CommandConfiguration {
        CommandConfiguration(commandName: name, abstract: abstract, subcommands: subcommands)
    }
}
