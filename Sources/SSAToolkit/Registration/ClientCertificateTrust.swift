import Foundation
import SwiftASN1
import X509

/// Whom a caller's TLS client certificate must chain to before the registration rules look at
/// its subject.
///
/// A certificate with the right subject proves nothing by itself: anyone can make a
/// self-signed one. By default the chain is verified against the loaded trust store (the
/// directory's anchors: the scheme's issuing CAs sign the TPPs' transport certificates too).
/// ``verifiedByProxy`` is for deployments whose TLS-terminating proxy already verified the chain
/// against the same anchors: the proxy then carries that duty, and must refuse every handshake
/// whose chain does not verify and strip any certificate header a client sends.
public enum ClientCertificateTrust: Sendable {
    /// Verify the chain against these anchors (intermediates from the store help build it).
    case trustStore(TrustStore)
    /// The proxy in front verified the chain; only the subject and validity are checked here.
    case verifiedByProxy

    /// Parses `pem` (the leaf first; any further certificates are treated as untrusted
    /// intermediates) and verifies it at `now`.
    func verify(pem: String, at now: Date) async -> Result<PresentedCertificate, RuleFailure> {
        guard pem.utf8.count <= 64 * 1024 else { return .failure(RuleFailure("the client certificate is larger than 64 KiB")) }
        let certificates: [Certificate]
        do {
            certificates = try PEMDocument.parseMultiple(pemString: pem).map { try Certificate(pemDocument: $0) }
        } catch {
            return .failure(RuleFailure("the client certificate is not a PEM X.509 certificate"))
        }
        guard let leaf = certificates.first else { return .failure(RuleFailure("the client certificate is not a PEM X.509 certificate")) }
        switch self {
        case .verifiedByProxy:
            return .success(PresentedCertificate(certificate: leaf, chain: "chain verified by the TLS-terminating proxy (clientCertificateVerification=proxy)"))
        case .trustStore(let store):
            var verifier = Verifier(rootCertificates: CertificateStore(store.anchors)) {
                RFC5280Policy(validationTime: now)
            }
            let intermediates = CertificateStore(store.intermediates + certificates.dropFirst().prefix(8))
            switch await verifier.validate(leaf: leaf, intermediates: intermediates) {
            case .validCertificate(let chain):
                let anchor = chain.last.map { $0.subject.description.escapedForTerminal(limit: 200) } ?? "the trust store"
                return .success(PresentedCertificate(certificate: leaf, chain: "chains to \(anchor) in \(store.location.path.escapedForTerminal(limit: 200))"))
            case .couldNotValidate(let failures):
                let reason = failures.first.map { String(describing: $0.policyFailureReason).escapedForTerminal(limit: 300) } ?? "no chain to an anchor could be built"
                return .failure(RuleFailure("the client certificate \(leaf.subject.description.escapedForTerminal(limit: 300)) does not chain to the trust store: \(reason)"))
            }
        }
    }
}
