import ArgumentParser
import Foundation
import Logging
import SSAToolkit

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a software statement assertion (SSA) against the directory's JWKS.",
        discussion: "Exit status: 0 valid, 1 rejected, 2 usage error, 3 undecided (JWKS unavailable)."
    )

    @Argument(help: "The SSA: a file holding the compact JWS, or - for standard input.")
    var ssa: String

    @Option(name: .long, help: "The directory's JWKS: a file or an https URL.")
    var jwks: String

    @Option(name: .customLong("ca-file"), help: "PEM certificates to trust for an https JWKS URL (default: the system's).")
    var caFile: String?

    @Option(name: .customLong("trust-framework"), help: "The SSA's trust framework: openbanking-uk, open-finance-brasil or cdr-au (its claims, age and expiry rules, default issuer and algorithms).")
    var trustFramework: String = TrustFramework.Name.openBankingUK.rawValue

    @Option(name: .long, help: "The trusted issuer (iss); default: the framework's directory's.")
    var issuer: String?

    @Option(name: .customLong("allow-alg"), help: "Comma-separated signature algorithms to accept (narrowed to the framework's: PS256 for open-finance-brasil and cdr-au).")
    var allowAlg: String = "PS256,ES256"

    @Option(name: .customLong("max-age"), help: "Refuse an SSA whose iat is older than this many seconds (default: the framework's: none, 300, 600).")
    var maxAge: Double?

    @Option(name: .long, help: "Evaluate time rules at this instant (Unix seconds) instead of now.")
    var at: Double?

    @Option(name: .long, help: "Clock skew tolerated on iat and exp, in seconds.")
    var skew: Double = SoftwareStatementRules().clockSkew

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let logger = global.makeLogger("ssa-verify")
        guard let frameworkName = TrustFramework.Name(rawValue: trustFramework) else {
            throw UsageFailure("--trust-framework: \(trustFramework.quotedForReport()) is not \(TrustFramework.Name.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let framework = TrustFramework.named(frameworkName)
        var algorithms: AlgorithmPolicy
        do {
            algorithms = try AlgorithmPolicy(parsing: allowAlg)
        } catch {
            throw UsageFailure("--allow-alg: \(error.reason)")
        }
        if let signed = framework.ssaAlgorithms {
            algorithms = AlgorithmPolicy(allowed: algorithms.allowed.intersection(signed))
            guard !algorithms.allowed.isEmpty else { throw UsageFailure("--allow-alg allows none of \(framework.name.rawValue)'s algorithms (PS256)") }
        }
        if let maxAge, !(maxAge.isFinite && maxAge > 0 && maxAge <= 86_400 * 365 * 100) {
            throw UsageFailure("--max-age must be a positive number of seconds (at most 100 years)")
        }
        guard skew.isFinite, skew >= 0, skew <= 86_400 else { throw UsageFailure("--skew must be between 0 and 86400 seconds") }

        let evaluatedAt = try instant(at)
        let token = try InputFiles.readToken(ssa)
        let source = try InputFiles.jwksSource(jwks, caFile: caFile, logger: logger)
        var rules = SoftwareStatementRules(framework: framework)
        rules.issuer = issuer ?? framework.defaultIssuer
        rules.maximumAge = maxAge ?? framework.defaultMaximumAge
        rules.clockSkew = skew
        let verifier = SoftwareStatementVerifier(
            keys: JWKSProvider(source: source, logger: logger),
            algorithms: algorithms,
            rules: rules,
            logger: logger
        )
        let result = await verifier.verify(token, at: evaluatedAt)

        switch global.format {
        case .json: print(result.jsonReport.prettySerialized(leadingKeys: JSONValue.reportKeyOrder))
        case .text: print(TextReport(style: .forStandardOutput).render(result))
        }
        switch result.verdict {
        case .valid: return
        case .rejected: throw ExitCode(ExitStatus.no.rawValue)
        case .undecided: throw ExitCode(ExitStatus.undecided.rawValue)
        }
    }
}

/// Reading the command line's input files, with errors that name the file.
enum InputFiles {
    /// Compact JWS is at most 64 KiB by default; read a little more so an oversized token is
    /// reported as such by the verifier, but never a whole huge file.
    static let tokenReadLimit = 256 * 1024

    /// Reads a token from a file or standard input (`-`), trimming surrounding white space (a
    /// trailing newline); white space inside the token is left for the verifier to refuse.
    static func readToken(_ path: String) throws -> String {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readData(ofLength: tokenReadLimit)
        } else {
            do { data = Data(try SafeFile.read(path, limit: tokenReadLimit)) } catch {
                throw UsageFailure("the SSA file \(error)")
            }
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Reads a text file (or standard input for `-`) of at most `limit` bytes; a larger or
    /// unreadable file is a usage error naming the option.
    static func readText(_ path: String, what: String, limit: Int) throws -> String {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readData(ofLength: limit + 1)
        } else {
            do { data = Data(try SafeFile.read(path, limit: limit)) } catch {
                throw UsageFailure("\(what): \(error)")
            }
        }
        guard data.count <= limit else { throw UsageFailure("\(what): \(path) is larger than \(limit) bytes") }
        guard let text = String(data: data, encoding: .utf8) else { throw UsageFailure("\(what): \(path) is not UTF-8 text") }
        return text
    }

    /// A JWKS source from `--jwks`: an https URL, or a file that is read and parsed now so
    /// that a bad file is a usage error (exit 2), not a verdict.
    static func jwksSource(_ value: String, caFile: String?, logger: Logger) throws -> JWKSProvider.Source {
        if value.lowercased().hasPrefix("https://") {
            guard let url = URL(string: value), url.host != nil else { throw UsageFailure("--jwks: \(value) is not a valid URL") }
            var configuration = TransportConfiguration()
            if let caFile {
                let pem: [UInt8]
                do { pem = try SafeFile.read(caFile, limit: 1 << 20) } catch { throw UsageFailure("--ca-file: \(error)") }
                let text = String(decoding: pem, as: UTF8.self)
                guard text.contains("-----BEGIN CERTIFICATE-----") else { throw UsageFailure("--ca-file: \(caFile) holds no PEM certificate") }
                configuration.trustAnchorsPEM = text
            }
            return .url(url, HTTPSClient(configuration: configuration, logger: logger))
        }
        if value.lowercased().hasPrefix("http://") {
            throw UsageFailure("--jwks: \(value) is plain http; the directory's keys are only fetched over https")
        }
        let data: Data
        do { data = Data(try SafeFile.read(value, limit: 1 << 20)) } catch { throw UsageFailure("--jwks: \(error)") }
        do {
            let jwks = try JWKS(parsing: data)
            for warning in jwks.warnings { logger.warning("\(warning)", metadata: ["jwks": "\(value)"]) }
            return .fixed(jwks)
        } catch {
            throw UsageFailure("--jwks: \(value) is not a usable JWKS: \(error.reason)")
        }
    }
}
