import COpenSSL
import Foundation

/// One OCSP exchange (RFC 6960) about one certificate, through OpenSSL's OCSP API: the request to
/// send, and the verification of what comes back. Every OpenSSL object has one owner here and is
/// freed exactly once.
///
/// OpenSSL rather than swift-certificates: swift-certificates keeps its OCSP types internal and
/// offers only `OCSPVerifierPolicy`, which passes a certificate when the requester reports a
/// non-terminal error (a fail-open that `revocationFailure=closed` cannot allow) and hands back
/// neither the status's reason and time nor `nextUpdate`, which the cache needs.
struct OCSPExchange: ~Copyable {
    /// The DER request to POST (`application/ocsp-request`).
    let request: [UInt8]
    private let requestPointer: OpaquePointer
    private let certificateID: OpaquePointer

    /// A request about `leaf`, issued by `issuer` (SHA-1 `CertID`, as RFC 5019 responders
    /// expect), with a nonce unless `nonce` is false.
    init(leaf: OwnedX509, issuer: OwnedX509, nonce: Bool = true) throws(RevocationError) {
        guard let id = OCSP_cert_to_id(EVP_sha1(), leaf.pointer, issuer.pointer) else {
            ERR_clear_error()
            throw RevocationError(.malformedResponse, "an OCSP request cannot be made for this certificate and issuer")
        }
        // The request owns the copy of the id once add0 succeeds; until then every object made
        // here is freed on the way out, once.
        guard let request = OCSP_REQUEST_new() else {
            OCSP_CERTID_free(id)
            throw RevocationError(.malformedResponse, "an OCSP request cannot be made")
        }
        guard let copy = OCSP_CERTID_dup(id) else {
            OCSP_REQUEST_free(request)
            OCSP_CERTID_free(id)
            ERR_clear_error()
            throw RevocationError(.malformedResponse, "an OCSP request cannot be made")
        }
        guard OCSP_request_add0_id(request, copy) != nil else {
            OCSP_CERTID_free(copy)
            OCSP_REQUEST_free(request)
            OCSP_CERTID_free(id)
            ERR_clear_error()
            throw RevocationError(.malformedResponse, "an OCSP request cannot be made")
        }
        if nonce { OCSP_request_add1_nonce(request, nil, -1) }
        var out: UnsafeMutablePointer<UInt8>?
        let length = i2d_OCSP_REQUEST(request, &out)
        defer { if let out { cossl_free(out) } }
        guard length > 0, let out else {
            OCSP_REQUEST_free(request)
            OCSP_CERTID_free(id)
            throw RevocationError(.malformedResponse, "the OCSP request cannot be encoded")
        }
        self.request = Array(UnsafeBufferPointer(start: out, count: Int(length)))
        self.requestPointer = request
        self.certificateID = id
    }

    deinit {
        OCSP_REQUEST_free(requestPointer)
        OCSP_CERTID_free(certificateID)
    }

    /// Verifies `response` (DER) from `source`: a successful response, signed by `issuer` or by
    /// a responder certificate `issuer` signed for `id-kp-OCSPSigning`, about this certificate,
    /// echoing this request's nonce when it echoes one, and current at `now` within `skew`.
    func answer(_ response: [UInt8], issuer: OwnedX509, source: String, now: Date, skew: TimeInterval) throws(RevocationError) -> RevocationAnswer {
        defer { ERR_clear_error() }
        let parsed: OpaquePointer? = response.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_OCSP_RESPONSE(nil, &cursor, buffer.count)
        }
        guard let parsed else { throw RevocationError(.malformedResponse, "\(source) answered something that is not a DER OCSP response") }
        defer { OCSP_RESPONSE_free(parsed) }
        let status = OCSP_response_status(parsed)
        guard status == OCSP_RESPONSE_STATUS_SUCCESSFUL else {
            throw RevocationError(.malformedResponse, "\(source) answered \(String(cString: OCSP_response_status_str(Int(status))))")
        }
        guard let basic = OCSP_response_get1_basic(parsed) else { throw RevocationError(.malformedResponse, "\(source) answered a successful response without a basic response") }
        defer { OCSP_BASICRESP_free(basic) }
        if OCSP_check_nonce(requestPointer, basic) == 0 {
            throw RevocationError(.mismatch, "\(source) answered with another request's nonce")
        }
        try verifySignature(basic, issuer: issuer, source: source)
        var certificateStatus: Int32 = -1
        var reason: Int32 = -1
        var revokedAt: UnsafeMutablePointer<ASN1_GENERALIZEDTIME>?
        var thisUpdate: UnsafeMutablePointer<ASN1_GENERALIZEDTIME>?
        var nextUpdate: UnsafeMutablePointer<ASN1_GENERALIZEDTIME>?
        guard OCSP_resp_find_status(basic, certificateID, &certificateStatus, &reason, &revokedAt, &thisUpdate, &nextUpdate) == 1 else {
            throw RevocationError(.mismatch, "\(source) answered about another certificate")
        }
        guard let issued = Self.date(thisUpdate.map { UnsafePointer($0) }) else { throw RevocationError(.malformedResponse, "\(source) answered without a readable thisUpdate") }
        let next = Self.date(nextUpdate.map { UnsafePointer($0) })
        if issued > now.addingTimeInterval(skew) {
            throw RevocationError(.stale, "\(source)'s answer is from the future (thisUpdate \(NumericDate.format(issued)))")
        }
        if let next, next < now.addingTimeInterval(-skew) {
            throw RevocationError(.stale, "\(source)'s answer expired (nextUpdate \(NumericDate.format(next)))")
        }
        let answered: RevocationStatus
        switch certificateStatus {
        case V_OCSP_CERTSTATUS_GOOD: answered = .good
        case V_OCSP_CERTSTATUS_REVOKED:
            answered = .revoked(reason: reason >= 0 ? String(cString: OCSP_crl_reason_str(Int(reason))) : nil, time: Self.date(revokedAt.map { UnsafePointer($0) }) ?? issued)
        default: answered = .unknown
        }
        return RevocationAnswer(status: answered, source: source, thisUpdate: issued, nextUpdate: next)
    }

    /// The signature, by the issuer itself or a delegated responder the issuer signed and
    /// authorised (OpenSSL checks `id-kp-OCSPSigning` and that the issuer signed it), with the
    /// issuer as the only trust anchor.
    private func verifySignature(_ basic: OpaquePointer, issuer: OwnedX509, source: String) throws(RevocationError) {
        guard let store = X509_STORE_new(), let anchors = cossl_sk_X509_new_null() else {
            throw RevocationError(.badSignature, "cannot build a certificate store to verify \(source)'s answer")
        }
        defer {
            X509_STORE_free(store)
            cossl_sk_X509_free(anchors)
        }
        X509_STORE_add_cert(store, issuer.pointer)
        // The issuer may be an intermediate: it is the anchor, not a root above it.
        X509_STORE_set_flags(store, UInt(X509_V_FLAG_PARTIAL_CHAIN))
        cossl_sk_X509_push(anchors, issuer.pointer)
        guard OCSP_basic_verify(basic, anchors, store, 0) == 1 else {
            let detail = OpenSSLErrors.summary(OpenSSLErrors.drain())
            throw RevocationError(.badSignature, "\(source)'s answer is not signed by the issuer or a responder it authorised (\(detail))")
        }
    }

    /// An `ASN1_GENERALIZEDTIME *` as a date.
    static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date? {
        guard let time else { return nil }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }
}
