import COpenSSL
import Foundation

/// Asks a certificate's OCSP responder (its Authority Information Access extension) about it,
/// over the toolkit's HTTP transport (bounded time and size; `http://` allowed, since the answer
/// is signed and verified), and verifies the answer (``OCSPExchange``).
public struct OCSPClient: Sendable {
    /// The transport: plain HTTP allowed, nothing else relaxed.
    public let transport: HTTPSClient
    /// Clock skew allowed on `thisUpdate` and `nextUpdate`.
    public var skew: TimeInterval

    /// A client whose calls keep to `timeouts`.
    public init(timeouts: TransportConfiguration.Timeouts = .init(), skew: TimeInterval = 120) {
        var configuration = TransportConfiguration()
        configuration.allowsPlainHTTP = true
        configuration.timeouts = timeouts
        configuration.maximumResponseBytes = 64 * 1024
        transport = HTTPSClient(configuration: configuration)
        self.skew = skew
    }

    /// The OCSP responder URLs the certificate (PEM or DER in `certificate`) names.
    static func responders(of certificate: OwnedX509) -> [String] {
        guard let list = X509_get1_ocsp(certificate.pointer) else { return [] }
        defer { X509_email_free(list) }
        return (0..<cossl_sk_OPENSSL_STRING_num(list)).compactMap { index in cossl_sk_OPENSSL_STRING_value(list, index).map { String(cString: $0) } }
    }

    /// The status of `leaf` (issued by `issuer`, the next certificate of its verified chain) at
    /// `now`, from the first responder it names that answers.
    ///
    /// - Throws: ``RevocationError``: `unpublished` when it names none; otherwise the failure of
    ///   the last responder tried.
    public func status(of leaf: [UInt8], issuer: [UInt8], at now: Date = Date()) async throws(RevocationError) -> RevocationAnswer {
        let leafCertificate = try Self.certificate(leaf, what: "the certificate")
        let issuerCertificate = try Self.certificate(issuer, what: "its issuer")
        let responders = Self.responders(of: leafCertificate)
        guard !responders.isEmpty else { throw RevocationError(.unpublished, "the certificate names no OCSP responder (Authority Information Access)") }
        var failure = RevocationError(.unreachable, "no OCSP responder answered")
        for responder in responders {
            guard let url = URL(string: responder), ["http", "https"].contains(url.scheme?.lowercased() ?? "") else {
                failure = RevocationError(.unpublished, "the OCSP responder \(responder.quotedForReport()) is not an http or https URL")
                continue
            }
            let exchange = try OCSPExchange(leaf: leafCertificate, issuer: issuerCertificate)
            let source = "OCSP \(responder)"
            let response: HTTPResponse
            do {
                response = try await transport.post(url, body: exchange.request, contentType: "application/ocsp-request", headers: ["Accept": "application/ocsp-response"])
            } catch {
                failure = RevocationError(.unreachable, "\(source): \(error.reason)")
                continue
            }
            guard response.status == 200 else {
                failure = RevocationError(.unreachable, "\(source) answered HTTP \(response.status)", status: response.status)
                continue
            }
            return try exchange.answer(response.body, issuer: issuerCertificate, source: source, now: now, skew: skew)
        }
        throw failure
    }

    /// A certificate from PEM or DER bytes, owned.
    static func certificate(_ bytes: [UInt8], what: String) throws(RevocationError) -> OwnedX509 {
        let text = String(decoding: bytes.prefix(64), as: UTF8.self)
        if text.contains("-----BEGIN") {
            let bio = OwnedMemoryBIO(bytes)
            if let x509 = PEM_read_bio_X509(bio.pointer, nil, nil, nil) { return OwnedX509(takingOwnership: x509) }
        } else {
            let parsed: OpaquePointer? = bytes.withUnsafeBufferPointer { buffer in
                var cursor = buffer.baseAddress
                return d2i_X509(nil, &cursor, buffer.count)
            }
            if let parsed { return OwnedX509(takingOwnership: parsed) }
        }
        ERR_clear_error()
        throw RevocationError(.malformedResponse, "\(what) is not a PEM or DER certificate")
    }
}
