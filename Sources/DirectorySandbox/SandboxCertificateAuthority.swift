import COpenSSL
import Foundation
import Synchronization

/// The sandbox directory's issuing CA at work: it issues TPP transport certificates that name
/// the sandbox as their OCSP responder (Authority Information Access) and CRL distribution
/// point, answers OCSP requests about them (RFC 6960, signed by the CA itself), signs its CRL,
/// and revokes a certificate when the admin route asks. Through OpenSSL, as `openssl ca` and
/// `openssl ocsp` would; every OpenSSL object made here has one owner and is freed once.
final class SandboxCertificateAuthority: Sendable {
    /// A revoked serial: when, and why (an RFC 5280 `CRLReason` code).
    struct Revocation: Sendable { var time: Date; var reason: Int32 }

    private nonisolated(unsafe) let caCertificate: OpaquePointer
    private nonisolated(unsafe) let caKey: OpaquePointer
    private nonisolated(unsafe) let template: OpaquePointer
    private let caPEM: String
    private let issued = Mutex<Set<UInt64>>([])
    private let revoked = Mutex<[UInt64: Revocation]>([:])
    private let nextSerial = Mutex<UInt64>(0x5A_0000)
    /// How long an OCSP answer and the CRL say they hold (`nextUpdate` - `thisUpdate`).
    let answerLifetime: TimeInterval
    /// Whether OCSP answers are stale: `thisUpdate` two lifetimes ago and `nextUpdate` one
    /// lifetime ago, as a responder that stopped refreshing its answers would send.
    private let stale = Mutex(false)

    /// Makes OCSP answers stale (`true`) or current again.
    func answerStale(_ value: Bool) { stale.withLock { $0 = value } }

    /// The CA of `caCertificate`/`caKey` (PEM files); issued certificates copy the subject and
    /// key of the certificate in `template`.
    init(caCertificate caPath: String, caKey keyPath: String, template templatePath: String, answerLifetime: TimeInterval = 300) throws {
        func read<T>(_ path: String, _ body: (OpaquePointer) -> T?) throws -> T {
            guard let bio = BIO_new_file(path, "r") else { throw SandboxError("cannot read \(path)") }
            defer { BIO_free(bio) }
            guard let value = body(bio) else { ERR_clear_error(); throw SandboxError("\(path) holds no PEM object of the expected kind") }
            return value
        }
        let ca = try read(caPath) { PEM_read_bio_X509($0, nil, nil, nil) }
        guard let key = try? read(keyPath, { PEM_read_bio_PrivateKey($0, nil, nil, nil) }) else { X509_free(ca); throw SandboxError("cannot read the CA key \(keyPath)") }
        guard let model = try? read(templatePath, { PEM_read_bio_X509($0, nil, nil, nil) }) else {
            X509_free(ca)
            EVP_PKEY_free(key)
            throw SandboxError("cannot read the template certificate \(templatePath)")
        }
        caCertificate = ca
        caKey = key
        template = model
        caPEM = try String(contentsOfFile: caPath, encoding: .utf8)
        self.answerLifetime = answerLifetime
    }

    deinit {
        X509_free(caCertificate)
        EVP_PKEY_free(caKey)
        X509_free(template)
    }

    /// A new transport certificate for the template's subject, key and extensions, valid for a year from an
    /// hour ago, naming `ocsp` as its responder and `crl` as its distribution point (either
    /// omitted when `nil`): the leaf's PEM followed by the issuing CA's, and its serial.
    /// `templatePath` names another template (PEM) for this certificate's subject and key.
    func issue(ocsp: String?, crl: String?, templatePath: String? = nil) throws -> (chain: String, serial: UInt64) {
        let serial = nextSerial.withLock { value -> UInt64 in value += 1; return value }
        var model: OpaquePointer? = template
        if let templatePath {
            guard let bio = BIO_new_file(templatePath, "r") else { throw SandboxError("cannot read \(templatePath)") }
            model = PEM_read_bio_X509(bio, nil, nil, nil)
            BIO_free(bio)
            guard model != nil else { ERR_clear_error(); throw SandboxError("\(templatePath) holds no certificate") }
        }
        defer { if templatePath != nil { X509_free(model) } }
        guard let certificate = X509_dup(model) else { throw SandboxError("cannot copy the template certificate") }
        defer { X509_free(certificate) }
        guard X509_set_version(certificate, 2) == 1, ASN1_INTEGER_set_uint64(X509_get_serialNumber(certificate), serial) == 1,
              X509_gmtime_adj(X509_getm_notBefore(certificate), -3600) != nil, X509_gmtime_adj(X509_getm_notAfter(certificate), 365 * 86_400) != nil,
              X509_set_issuer_name(certificate, X509_get_subject_name(caCertificate)) == 1 else {
            ERR_clear_error()
            throw SandboxError("cannot set the certificate's fields")
        }
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, caCertificate, certificate, nil, nil, 0)
        // The template's own extensions (key usage, clientAuth, key identifiers) are kept; only
        // where to ask about revocation is added.
        var extensions: [(Int32, String)] = []
        if let ocsp { extensions.append((NID_info_access, "OCSP;URI:\(ocsp)")) }
        if let crl { extensions.append((NID_crl_distribution_points, "URI:\(crl)")) }
        for (nid, value) in extensions {
            guard let made = X509V3_EXT_conf_nid(nil, &context, nid, value) else { ERR_clear_error(); throw SandboxError("cannot make extension \(nid) = \(value)") }
            defer { X509_EXTENSION_free(made) }
            guard X509_add_ext(certificate, made, -1) == 1 else { ERR_clear_error(); throw SandboxError("cannot add extension \(nid)") }
        }
        guard X509_sign(certificate, caKey, EVP_sha256()) > 0 else { ERR_clear_error(); throw SandboxError("cannot sign the certificate") }
        issued.withLock { _ = $0.insert(serial) }
        return (try Self.pem(certificate) + caPEM, serial)
    }

    /// Marks `serial` revoked now for `reason` (default 1, `keyCompromise`); false when this CA
    /// never issued it.
    func revoke(_ serial: UInt64, reason: Int32 = 1, at time: Date = Date()) -> Bool {
        guard issued.withLock({ $0.contains(serial) }) else { return false }
        revoked.withLock { if $0[serial] == nil { $0[serial] = Revocation(time: time, reason: reason) } }
        return true
    }

    /// The DER OCSP response to the DER `request`: for each certificate asked about, `good` when
    /// this CA issued it and has not revoked it, `revoked` with time and reason, else `unknown`;
    /// the request's nonce echoed; signed by the CA. `nil` for a request that cannot be read.
    func respond(to request: [UInt8], now: Date = Date()) -> [UInt8]? {
        defer { ERR_clear_error() }
        let parsed: OpaquePointer? = request.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_OCSP_REQUEST(nil, &cursor, buffer.count)
        }
        guard let parsed else { return nil }
        defer { OCSP_REQUEST_free(parsed) }
        guard let basic = OCSP_BASICRESP_new() else { return nil }
        defer { OCSP_BASICRESP_free(basic) }
        guard let ours = OCSP_cert_to_id(EVP_sha1(), nil, caCertificate) else { return nil }
        defer { OCSP_CERTID_free(ours) }
        let count = OCSP_request_onereq_count(parsed)
        guard count > 0, count <= 16 else { return nil }
        let shift = stale.withLock { $0 } ? -2 * Int(answerLifetime) : 0
        let times = (X509_time_adj_ex(nil, 0, shift, nil), X509_time_adj_ex(nil, 0, shift + Int(answerLifetime), nil))
        defer { ASN1_TIME_free(times.0); ASN1_TIME_free(times.1) }
        for index in 0..<count {
            guard let one = OCSP_request_onereq_get0(parsed, index), let id = OCSP_onereq_get0_id(one) else { return nil }
            var serialPointer: UnsafeMutablePointer<ASN1_INTEGER>?
            var value: UInt64 = 0
            let readable = OCSP_id_get0_info(nil, nil, nil, &serialPointer, id) == 1 && serialPointer.map { ASN1_INTEGER_get_uint64(&value, $0) == 1 } == true
            let known = readable && OCSP_id_issuer_cmp(id, ours) == 0 && issued.withLock { $0.contains(value) }
            let revocation = known ? revoked.withLock { $0[value] } : nil
            if let revocation {
                let when = X509_time_adj_ex(nil, 0, Int(revocation.time.timeIntervalSince(now)), nil)
                defer { ASN1_TIME_free(when) }
                guard OCSP_basic_add1_status(basic, id, V_OCSP_CERTSTATUS_REVOKED, revocation.reason, when, times.0, times.1) != nil else { return nil }
            } else {
                guard OCSP_basic_add1_status(basic, id, known ? V_OCSP_CERTSTATUS_GOOD : V_OCSP_CERTSTATUS_UNKNOWN, 0, nil, times.0, times.1) != nil else { return nil }
            }
        }
        _ = OCSP_copy_nonce(basic, parsed)
        guard OCSP_basic_sign(basic, caCertificate, caKey, EVP_sha256(), nil, 0) == 1,
              let response = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic) else { return nil }
        defer { OCSP_RESPONSE_free(response) }
        var out: UnsafeMutablePointer<UInt8>?
        let length = i2d_OCSP_RESPONSE(response, &out)
        guard length > 0, let out else { return nil }
        defer { cossl_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }

    /// The CA's current CRL (DER): every serial it revoked, `nextUpdate` ``answerLifetime`` ahead.
    func crl(now: Date = Date()) -> [UInt8]? {
        defer { ERR_clear_error() }
        guard let list = X509_CRL_new() else { return nil }
        defer { X509_CRL_free(list) }
        let times = (X509_time_adj_ex(nil, 0, 0, nil), X509_time_adj_ex(nil, 0, Int(answerLifetime), nil))
        defer { ASN1_TIME_free(times.0); ASN1_TIME_free(times.1) }
        guard X509_CRL_set_version(list, 1) == 1, X509_CRL_set_issuer_name(list, X509_get_subject_name(caCertificate)) == 1,
              X509_CRL_set1_lastUpdate(list, times.0) == 1, X509_CRL_set1_nextUpdate(list, times.1) == 1 else { return nil }
        for (serial, revocation) in revoked.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            guard let entry = X509_REVOKED_new() else { return nil }
            let number = ASN1_INTEGER_new()
            let when = X509_time_adj_ex(nil, 0, Int(revocation.time.timeIntervalSince(now)), nil)
            defer { ASN1_INTEGER_free(number); ASN1_TIME_free(when) }
            guard ASN1_INTEGER_set_uint64(number, serial) == 1, X509_REVOKED_set_serialNumber(entry, number) == 1, X509_REVOKED_set_revocationDate(entry, when) == 1,
                  X509_CRL_add0_revoked(list, entry) == 1 else {
                X509_REVOKED_free(entry)
                return nil
            }
        }
        guard X509_CRL_sort(list) == 1, X509_CRL_sign(list, caKey, EVP_sha256()) > 0 else { return nil }
        var out: UnsafeMutablePointer<UInt8>?
        let length = i2d_X509_CRL(list, &out)
        guard length > 0, let out else { return nil }
        defer { cossl_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }

    private static func pem(_ certificate: OpaquePointer) throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw SandboxError("cannot encode the certificate") }
        defer { BIO_free(bio) }
        guard PEM_write_bio_X509(bio, certificate) == 1 else { ERR_clear_error(); throw SandboxError("cannot encode the certificate") }
        var data: UnsafeMutablePointer<CChar>?
        let length = cossl_bio_get_mem_data(bio, &data)
        guard length > 0, let data else { throw SandboxError("cannot encode the certificate") }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }
}
