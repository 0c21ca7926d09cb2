import COpenSSL
import Foundation

/// One certificate revocation list (RFC 5280 section 5), parsed and verified once, then asked
/// about any number of certificates: signed by the issuer, named for it, current within the
/// skew. Owns its `X509_CRL *`.
///
/// `@unchecked Sendable`: the list is never changed after `init`, and OpenSSL's lookups by
/// serial on a verified list only read it (the list is sorted once, under OpenSSL's own lock).
final class VerifiedCRL: @unchecked Sendable {
    private let pointer: OpaquePointer
    /// Where it came from (`CRL <url>`).
    let source: String
    /// `thisUpdate`.
    let thisUpdate: Date
    /// `nextUpdate`, when it says.
    let nextUpdate: Date?

    /// Parses `bytes` (DER or PEM) from `source` and verifies it with `issuer`'s key.
    init(_ bytes: [UInt8], issuer: OwnedX509, source: String, now: Date, skew: TimeInterval) throws(RevocationError) {
        defer { ERR_clear_error() }
        let crl: OpaquePointer?
        if String(decoding: bytes.prefix(64), as: UTF8.self).contains("-----BEGIN") {
            let bio = OwnedMemoryBIO(bytes)
            crl = PEM_read_bio_X509_CRL(bio.pointer, nil, nil, nil)
        } else {
            crl = bytes.withUnsafeBufferPointer { buffer in
                var cursor = buffer.baseAddress
                return d2i_X509_CRL(nil, &cursor, buffer.count)
            }
        }
        guard let crl else { throw RevocationError(.malformedResponse, "\(source) is not a DER or PEM CRL") }
        guard X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer.pointer)) == 0 else {
            X509_CRL_free(crl)
            throw RevocationError(.mismatch, "\(source) is the CRL of another issuer")
        }
        guard let key = X509_get0_pubkey(issuer.pointer), X509_CRL_verify(crl, key) == 1 else {
            X509_CRL_free(crl)
            throw RevocationError(.badSignature, "\(source) is not signed by the certificate's issuer")
        }
        guard let issued = OCSPExchange.date(X509_CRL_get0_lastUpdate(crl)) else {
            X509_CRL_free(crl)
            throw RevocationError(.malformedResponse, "\(source) has no readable thisUpdate")
        }
        let next = OCSPExchange.date(X509_CRL_get0_nextUpdate(crl))
        if issued > now.addingTimeInterval(skew) || next.map({ $0 < now.addingTimeInterval(-skew) }) == true {
            X509_CRL_free(crl)
            throw RevocationError(.stale, "\(source) is not current (thisUpdate \(NumericDate.format(issued)), nextUpdate \(next.map { NumericDate.format($0) } ?? "none"))")
        }
        pointer = crl
        self.source = source
        thisUpdate = issued
        nextUpdate = next
    }

    deinit { X509_CRL_free(pointer) }

    /// Whether the list revokes `certificate` (looked up by serial number), as an answer.
    func answer(for certificate: OwnedX509) -> RevocationAnswer {
        var entry: OpaquePointer?
        guard X509_CRL_get0_by_cert(pointer, &entry, certificate.pointer) == 1, let entry else {
            return RevocationAnswer(status: .good, source: source, thisUpdate: thisUpdate, nextUpdate: nextUpdate)
        }
        var reason: String?
        if let code = X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, nil, nil) {
            let enumerated = code.assumingMemoryBound(to: ASN1_ENUMERATED.self)
            reason = String(cString: OCSP_crl_reason_str(ASN1_ENUMERATED_get(enumerated)))
            ASN1_ENUMERATED_free(enumerated)
        }
        let time = OCSPExchange.date(X509_REVOKED_get0_revocationDate(entry)) ?? thisUpdate
        return RevocationAnswer(status: .revoked(reason: reason, time: time), source: source, thisUpdate: thisUpdate, nextUpdate: nextUpdate)
    }

    /// The CRL distribution point URLs `certificate` names.
    static func distributionPoints(of certificate: OwnedX509) -> [String] {
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: 8)
        let count = Int(cossl_crl_distribution_uris(certificate.pointer, &pointers, Int32(pointers.count)))
        return pointers.prefix(count).compactMap { pointer in
            guard let pointer else { return nil }
            defer { cossl_free(pointer) }
            return String(cString: pointer)
        }
    }
}
