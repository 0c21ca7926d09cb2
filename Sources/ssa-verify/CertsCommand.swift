import ArgumentParser
import Foundation
import SSAToolkit

struct CertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract: "Diagnose key stores, keys and certificates: what they hold and what is wrong with them.",
        discussion: """
            With --config, examines the trust store, the transport store and the signing key and \
            certificate it names, and whether keyId is published at jwks_endpoint. With --p12 or \
            --pem, examines one file. Exit status: 0 healthy, 1 problems found, 2 cannot load.
            """
    )

    @Option(name: .long, help: "A configuration file (Janssen script JSON or plain JSON).")
    var config: String?

    @Option(name: .long, help: "A PKCS#12 file to examine.")
    var p12: String?

    @Option(name: .customLong("password-env"), help: "Environment variable holding the --p12 password (unset: empty password).")
    var passwordEnv: String?

    @Option(name: .long, help: "A PEM certificate file to examine.")
    var pem: String?

    @Option(name: .long, help: "A PKCS#12 trust store to build chains against (with --p12 or --pem).")
    var trust: String?

    @Option(name: .customLong("trust-password-env"), help: "Environment variable holding the --trust password.")
    var trustPasswordEnv: String?

    @Option(name: .long, help: "What the --p12 file is for: transport, trust or file (decides which checks apply).")
    var role: String = "file"

    @Option(name: .long, help: "Evaluate validity at this instant (Unix seconds) instead of now.")
    var at: Double?

    @Flag(name: .customLong("no-revocation"), help: "Do not ask the certificates' OCSP responders or CRL distribution points whether they were revoked.")
    var noRevocation = false

    @Option(name: .customLong("trust-framework"), help: "Apply a trust framework's certificate profile to the leaf: openbanking-uk (CN, OU), open-finance-brasil (UID, organizationIdentifier OFBBR-) or cdr-au (holder-of-key).")
    var trustFramework: String?

    @Option(name: .customLong("software-id"), help: "With --trust-framework: the software the certificate must belong to (default: the one it names).")
    var softwareID: String?

    @Option(name: .customLong("org-id"), help: "With --trust-framework: its organisation (default: the one it names).")
    var organisationID: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        let sources = [config, p12, pem].compactMap { $0 }.count
        guard sources == 1 else { throw ValidationError("give exactly one of --config, --p12 or --pem") }
        guard ["transport", "trust", "file"].contains(role) else { throw ValidationError("--role must be transport, trust or file") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let logger = global.makeLogger("ssa-verify")
        var diagnostics = CertificateDiagnostics(at: try instant(at), environment: environment, logger: logger)
        if noRevocation { diagnostics.revocation = nil }
        if let trustFramework {
            guard let name = TrustFramework.Name(rawValue: trustFramework) else {
                throw UsageFailure("--trust-framework: \(trustFramework.quotedForReport()) is not \(TrustFramework.Name.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            diagnostics.profile = CertificateProfileCheck(framework: .named(name), softwareID: softwareID, organisationID: organisationID)
        } else if softwareID != nil || organisationID != nil {
            throw UsageFailure("--software-id and --org-id go with --trust-framework")
        }
        func password(_ variable: String?, option: String) throws -> Secret {
            guard let variable else { return Secret("") }
            guard let value = environment[variable] else { throw UsageFailure("\(option): environment variable \(variable) is not set") }
            return Secret(value)
        }
        let report: DiagnosticsReport
        do {
            let trustStore = try trust.map { (KeyStoreLocation(path: $0), try password(trustPasswordEnv, option: "--trust-password-env")) }
            if let config {
                let configuration = try ToolkitConfiguration.load(path: config)
                for warning in configuration.loadWarnings { logger.warning("\(warning)") }
                report = try await diagnostics.report(configuration: configuration)
            } else if let p12 {
                for warning in SafeFile.permissionWarnings(p12, what: "key store") { logger.warning("\(warning)") }
                let roles: [String: CertificateDiagnostics.Role] = ["transport": .transport, "trust": .trust, "file": .file]
                report = try await diagnostics.report(pkcs12: KeyStoreLocation(path: p12), password: try password(passwordEnv, option: "--password-env"), role: roles[role]!, trustStore: trustStore)
            } else if let pem {
                if let text = try? SafeFile.read(pem, limit: 1 << 20), String(decoding: text, as: UTF8.self).contains("PRIVATE KEY-----") {
                    for warning in SafeFile.permissionWarnings(pem, what: "private key file") { logger.warning("\(warning)") }
                }
                report = try await diagnostics.report(pem: KeyStoreLocation(path: pem), trustStore: trustStore)
            } else {
                throw UsageFailure("give exactly one of --config, --p12 or --pem")
            }
        } catch let error as KeyStoreError {
            throw UsageFailure(error.reason)
        } catch let error as ConfigurationError {
            throw UsageFailure("configuration: \(error)")
        }
        switch global.format {
        case .json: print(report.jsonValue.prettySerialized(leadingKeys: ["healthy", "evaluated_at", "role", "file", "property", "format", "private_key", "check", "outcome", "detail", "subject", "issuer"]))
        case .text: print(CertsTextReport(style: .forStandardOutput).render(report))
        }
        if !report.healthy { throw ExitCode(ExitStatus.no.rawValue) }
    }
}

/// `ssa-verify certs` for people: a verdict line, then per store its certificates and checks.
struct CertsTextReport {
    var style: TextReport.Style

    func render(_ report: DiagnosticsReport) -> String {
        let checks = TextReport(style: style)
        var lines: [String] = []
        let failures = report.stores.flatMap(\.checks).filter { $0.outcome == .fail }.count
        lines.append(report.healthy
            ? checks.paint("HEALTHY", "1;32") + "  \(report.stores.count) item\(report.stores.count == 1 ? "" : "s") examined at \(format(report.evaluatedAt))"
            : checks.paint("PROBLEMS FOUND", "1;31") + "  \(failures) failed check\(failures == 1 ? "" : "s"), evaluated at \(format(report.evaluatedAt))")
        for store in report.stores {
            lines.append("")
            lines.append(checks.paint(checks.safe("\(store.role): \(store.location)", limit: 400), "1"))
            var summary = "  \(store.format)"
            if let key = store.keyDescription { summary += ", private key \(checks.safe(key, limit: 200))" }
            summary += ", \(store.certificates.count) certificate\(store.certificates.count == 1 ? "" : "s")"
            lines.append(summary)
            for certificate in store.certificates {
                lines.append("  \(certificate.role):")
                lines += describe(certificate).map { "    \($0.0.padding(toLength: 13, withPad: " ", startingAt: 0)) \(checks.safe($0.1))" }
            }
            lines.append("  checks:")
            lines += checks.checkLines(store.checks).map { "  " + $0 }
        }
        return lines.joined(separator: "\n")
    }

    private func format(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    private func describe(_ c: CertificateReport) -> [(String, String)] {
        var rows: [(String, String)] = [("subject", c.subject), ("issuer", c.issuer), ("serial", c.serial)]
        if let notBefore = c.notBefore, let notAfter = c.notAfter {
            let days = c.daysRemaining.map { $0 >= 0 ? "\($0) days left" : "expired \(-$0) days ago" } ?? ""
            rows.append(("valid", "\(format(notBefore)) to \(format(notAfter)) (\(days))"))
        }
        rows.append(("key", c.keyDescription))
        rows.append(("signature", c.signatureAlgorithm))
        if !c.subjectAlternativeNames.isEmpty { rows.append(("SAN", c.subjectAlternativeNames.joined(separator: ", "))) }
        if !c.keyUsage.isEmpty { rows.append(("key usage", c.keyUsage.joined(separator: ", "))) }
        if let eku = c.extendedKeyUsage { rows.append(("ext. usage", eku.isEmpty ? "(none recognised)" : eku.joined(separator: ", "))) }
        rows.append(("SHA-256", c.sha256Fingerprint))
        var ob: [String] = []
        if let id = c.softwareStatementID { ob.append("software statement id (CN) \(id)") }
        if let org = c.organisationID { ob.append("organisation id (OU) \(org)") }
        if let identifier = c.organizationIdentifier { ob.append("organizationIdentifier \(identifier)") }
        if c.organisationID != nil || c.organizationIdentifier != nil { rows.append(("Open Banking", ob.joined(separator: "; "))) }
        return rows
    }
}
