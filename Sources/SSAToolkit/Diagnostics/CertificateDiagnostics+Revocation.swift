import Foundation

extension CertificateDiagnostics {
    /// `revocation`: each certificate of the verified chain below its anchor, asked of its
    /// issuer's OCSP responder or CRL (``RevocationChecker``): the source, the status and the
    /// answer's `thisUpdate`/`nextUpdate`. Fails on a revoked or unknown certificate and on a
    /// source that gave no believable answer; skipped without a verified chain, for a
    /// certificate that names no source, and with `--no-revocation`.
    func revocationCheck(leaf: OwnedX509, others: [OwnedX509], anchors: [OwnedX509]) async -> Check {
        guard let revocation else { return Check("revocation", .skip, "not checked (--no-revocation)") }
        let outcome = ChainVerification.verify(leaf: leaf, untrusted: others, anchors: anchors)
        guard outcome.failure == nil, outcome.chain.count >= 2 else {
            return Check("revocation", .skip, "no verified chain to an issuer to ask about")
        }
        var lines: [String] = []
        var failed = false
        var unpublished = 0
        for index in 0..<(outcome.chain.count - 1) {
            let certificate = outcome.chain[index]
            let who = certificate.subject
            do throws(RevocationError) {
                let answer = try await revocation.status(of: certificate.x509.der, issuer: outcome.chain[index + 1].x509.der)
                let window = "thisUpdate \(NumericDate.format(answer.thisUpdate)), nextUpdate \(answer.nextUpdate.map { NumericDate.format($0) } ?? "none")"
                switch answer.status {
                case .good:
                    lines.append("\(who): good per \(answer.source) (\(window))")
                case .revoked(let reason, let time):
                    failed = true
                    lines.append("\(who): REVOKED\(reason.map { " (\($0))" } ?? "") at \(NumericDate.format(time)) per \(answer.source) (\(window))")
                case .unknown:
                    failed = true
                    lines.append("\(who): unknown to \(answer.source) (\(window))")
                }
            } catch where error.code == .unpublished {
                unpublished += 1
                lines.append("\(who): names no OCSP responder or CRL distribution point")
            } catch {
                failed = true
                lines.append("\(who): no answer: \(error.reason)")
            }
        }
        if failed { return Check("revocation", .fail, lines.joined(separator: "; ")) }
        if unpublished == outcome.chain.count - 1 { return Check("revocation", .skip, lines.joined(separator: "; ")) }
        return Check("revocation", .pass, lines.joined(separator: "; "))
    }
}
