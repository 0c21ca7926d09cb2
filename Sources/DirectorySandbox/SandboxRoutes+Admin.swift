import Foundation
import Hummingbird
import SSAToolkit

// The admin routes that issue as the directory does: software statements (of any framework the
// sandbox is) and transport certificates (the fixture TPP's, or a framework's profile).

extension SandboxRoutes {
    /// `POST /admin/software-statements`: an empty body issues an Open Banking UK SSA;
    /// `{"framework": NAME, "age_seconds": N}` one of that framework's, issued N seconds ago.
    func adminSoftwareStatement(_ request: Request) async -> Response {
        state.count("/admin")
        let object = await adminBody(request) ?? [:]
        guard object.keys.allSatisfy({ ["framework", "age_seconds"].contains($0) }) else {
            return Self.json(.badRequest, ["error": "give framework (openbanking-uk, open-finance-brasil, cdr-au) and/or age_seconds"])
        }
        guard let framework = TrustFramework.Name(rawValue: object["framework"]?.stringValue ?? "openbanking-uk") else {
            return Self.json(.badRequest, ["error": "framework is openbanking-uk, open-finance-brasil or cdr-au"])
        }
        let issuedAt = Date().addingTimeInterval(-(object["age_seconds"]?.numberValue ?? 0))
        guard let sandbox = owner.withLock({ $0.sandbox }), let ssa = try? sandbox.issueSoftwareStatement(framework: framework, issuedAt: issuedAt) else {
            return Self.json(.serviceUnavailable, ["error": "the sandbox is stopping"])
        }
        return Self.json(.ok, ["software_statement": .string(ssa)])
    }

    /// `POST /admin/certificates`: `ocsp`, `crl` and `publish` (Booleans, each true by default)
    /// for the fixture TPP's, or `profile` (`brasil-transport`, `brasil-other`, `cdr-transport`,
    /// `cdr-other`) for a framework's.
    func adminCertificate(_ request: Request) async -> Response {
        state.count("/admin")
        guard let object = await adminBody(request), object.keys.allSatisfy({ ["ocsp", "crl", "publish", "profile"].contains($0) }),
              object.filter({ $0.key != "profile" }).values.allSatisfy({ $0.boolValue != nil }) else {
            return Self.json(.badRequest, ["error": "give ocsp, crl and publish (Booleans, each true by default), or profile (brasil-transport, brasil-other, cdr-transport, cdr-other)"])
        }
        if let name = object["profile"]?.stringValue {
            guard let profile = DirectorySandbox.FrameworkCertificate(rawValue: name), let sandbox = owner.withLock({ $0.sandbox }),
                  let issued = try? sandbox.issueFrameworkCertificate(profile) else {
                return Self.json(.badRequest, ["error": "profile is brasil-transport, brasil-other, cdr-transport or cdr-other"])
            }
            return Self.json(.ok, ["serial": .string(String(issued.serial, radix: 16)), "certificate": .string(issued.chainPEM)])
        }
        guard let sandbox = owner.withLock({ $0.sandbox }),
              let issued = try? sandbox.issueTransportCertificate(ocsp: object["ocsp"]?.boolValue ?? true, crl: object["crl"]?.boolValue ?? true,
                                                                 publish: object["publish"]?.boolValue ?? true) else {
            return Self.json(.serviceUnavailable, ["error": "the certificate could not be issued"])
        }
        return Self.json(.ok, ["serial": .string(String(issued.serial, radix: 16)), "certificate": .string(issued.chainPEM)])
    }
}
