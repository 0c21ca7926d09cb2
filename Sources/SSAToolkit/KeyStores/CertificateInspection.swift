import COpenSSL
import Crypto
import Foundation

/// What OpenSSL reads from a certificate, for diagnostics. OpenSSL parses certificates that
/// stricter parsers refuse (a 1024-bit RSA key, a SHA-1 signature), and a diagnostic must still
/// describe them.
struct CertificateInspection {
    let x509: OwnedX509

    init(_ x509: OwnedX509) { self.x509 = x509 }

    private static func bioString(_ body: (OpaquePointer) -> Void) -> String {
        let bio = OwnedMemoryBIO()
        body(bio.pointer)
        return String(decoding: bio.contents(), as: UTF8.self)
    }

    var subject: String {
        Self.bioString { _ = X509_NAME_print_ex($0, X509_get_subject_name(x509.pointer), 0, cossl_xn_flag_rfc2253()) }
    }

    var issuer: String {
        Self.bioString { _ = X509_NAME_print_ex($0, X509_get_issuer_name(x509.pointer), 0, cossl_xn_flag_rfc2253()) }
    }

    var isSelfIssued: Bool {
        X509_NAME_cmp(X509_get_subject_name(x509.pointer), X509_get_issuer_name(x509.pointer)) == 0
    }

    /// The first value of a subject attribute, by NID.
    func subjectValue(_ nid: Int32) -> String? {
        let name = X509_get_subject_name(x509.pointer)
        let index = X509_NAME_get_index_by_NID(name, nid, -1)
        guard index >= 0, let entry = X509_NAME_get_entry(name, index), let data = X509_NAME_ENTRY_get_data(entry) else { return nil }
        var utf8: UnsafeMutablePointer<UInt8>?
        let length = ASN1_STRING_to_UTF8(&utf8, data)
        guard length >= 0, let utf8 else { return nil }
        defer { cossl_free(utf8) }
        return String(decoding: UnsafeBufferPointer(start: utf8, count: Int(length)), as: UTF8.self)
    }

    var commonName: String? { subjectValue(NID_commonName) }
    var organisationalUnit: String? { subjectValue(NID_organizationalUnitName) }
    var organizationIdentifier: String? { subjectValue(NID_organizationIdentifier) }

    var serial: String {
        guard let bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(x509.pointer), nil) else { return "?" }
        defer { BN_free(bn) }
        guard let hex = BN_bn2hex(bn) else { return "?" }
        defer { cossl_free(hex) }
        let text = String(cString: hex)
        let padded = text.count % 2 == 1 ? "0" + text : text
        var pairs: [String] = []
        var index = padded.startIndex
        while index < padded.endIndex {
            let next = padded.index(index, offsetBy: 2)
            pairs.append(String(padded[index..<next]))
            index = next
        }
        return pairs.joined(separator: ":")
    }

    private static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date? {
        guard let time else { return nil }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }

    var notBefore: Date? { Self.date(X509_get0_notBefore(x509.pointer)) }
    var notAfter: Date? { Self.date(X509_get0_notAfter(x509.pointer)) }

    /// "RSA", "EC" and its size or curve.
    var publicKey: (type: String, bits: Int, curve: String?) {
        guard let key = X509_get0_pubkey(x509.pointer) else { return ("unknown", 0, nil) }
        let borrowed = EVP_PKEY_get_base_id(key)
        let bits = Int(EVP_PKEY_get_bits(key))
        switch borrowed {
        case EVP_PKEY_RSA: return ("RSA", bits, nil)
        case EVP_PKEY_EC:
            var buffer = [CChar](repeating: 0, count: 64)
            var length = 0
            let curve = EVP_PKEY_get_group_name(key, &buffer, buffer.count, &length) == 1
                ? buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } : nil
            let named = ["prime256v1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"][curve ?? ""] ?? curve
            return ("EC", bits, named)
        default:
            return (String(cString: OBJ_nid2sn(borrowed)), bits, nil)
        }
    }

    var signatureAlgorithm: String {
        String(cString: OBJ_nid2ln(X509_get_signature_nid(x509.pointer)))
    }

    var subjectAlternativeNames: [String] {
        let index = X509_get_ext_by_NID(x509.pointer, NID_subject_alt_name, -1)
        guard index >= 0, let ext = X509_get_ext(x509.pointer, index) else { return [] }
        let text = Self.bioString { _ = X509V3_EXT_print($0, ext, 0, 0) }
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    var keyUsage: [String] {
        let bits = X509_get_key_usage(x509.pointer)
        guard bits != UInt32.max else { return [] }  // no extension
        let names: [(UInt32, String)] = [
            (UInt32(KU_DIGITAL_SIGNATURE), "digitalSignature"), (UInt32(KU_NON_REPUDIATION), "nonRepudiation"),
            (UInt32(KU_KEY_ENCIPHERMENT), "keyEncipherment"), (UInt32(KU_DATA_ENCIPHERMENT), "dataEncipherment"),
            (UInt32(KU_KEY_AGREEMENT), "keyAgreement"), (UInt32(KU_KEY_CERT_SIGN), "keyCertSign"), (UInt32(KU_CRL_SIGN), "cRLSign"),
        ]
        return names.filter { bits & $0.0 != 0 }.map(\.1)
    }

    /// Extended key usages; `nil` when the certificate has no EKU extension (any use allowed).
    var extendedKeyUsage: [String]? {
        guard X509_get_ext_by_NID(x509.pointer, NID_ext_key_usage, -1) >= 0 else { return nil }
        let bits = X509_get_extended_key_usage(x509.pointer)
        let names: [(UInt32, String)] = [
            (UInt32(XKU_SSL_SERVER), "serverAuth"), (UInt32(XKU_SSL_CLIENT), "clientAuth"), (UInt32(XKU_SMIME), "emailProtection"),
            (UInt32(XKU_CODE_SIGN), "codeSigning"), (UInt32(XKU_OCSP_SIGN), "OCSPSigning"), (UInt32(XKU_TIMESTAMP), "timeStamping"),
        ]
        return names.filter { bits & $0.0 != 0 }.map(\.1)
    }

    var sha256Fingerprint: String {
        SHA256.hash(data: x509.der).map { String(format: "%02X", $0) }.joined(separator: ":")
    }

    /// Whether `key` is the private half of this certificate's key.
    func matches(_ key: OwnedPrivateKey) -> Bool { key.matches(x509) }
}

/// Builds and verifies a chain with OpenSSL, as the TLS layer will (validity times aside).
enum ChainVerification {
    struct Outcome {
        /// The chain from the leaf to the anchor, when it verified.
        var chain: [CertificateInspection]
        /// OpenSSL's reason and the depth where it failed, when it did not.
        var failure: (reason: String, depth: Int, code: Int32)?
    }

    static func verify(leaf: OwnedX509, untrusted: [OwnedX509], anchors: [OwnedX509]) -> Outcome {
        guard let store = X509_STORE_new() else { return Outcome(chain: [], failure: ("cannot create a certificate store", 0, -1)) }
        defer { X509_STORE_free(store) }
        for anchor in anchors { X509_STORE_add_cert(store, anchor.pointer) }
        ERR_clear_error()
        guard let stack = cossl_sk_X509_new_null() else { return Outcome(chain: [], failure: ("out of memory", 0, -1)) }
        defer { cossl_sk_X509_free(stack) }
        for certificate in untrusted { _ = cossl_sk_X509_push(stack, certificate.pointer) }  // borrowed: the stack does not own them
        guard let context = X509_STORE_CTX_new() else { return Outcome(chain: [], failure: ("out of memory", 0, -1)) }
        defer { X509_STORE_CTX_free(context) }
        guard X509_STORE_CTX_init(context, store, leaf.pointer, stack) == 1 else {
            return Outcome(chain: [], failure: ("cannot initialise verification", 0, -1))
        }
        // Validity is reported by its own check: here only the path (names, signatures, CA flags).
        X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(context), UInt(X509_V_FLAG_NO_CHECK_TIME))
        let verified = withExtendedLifetime((leaf, untrusted, anchors)) { X509_verify_cert(context) == 1 }
        var chain: [CertificateInspection] = []
        if let built = X509_STORE_CTX_get0_chain(context) {
            for i in 0..<cossl_sk_X509_num(built) {
                guard let x509 = cossl_sk_X509_value(built, i) else { continue }
                X509_up_ref(x509)
                chain.append(CertificateInspection(OwnedX509(takingOwnership: x509)))
            }
        }
        ERR_clear_error()
        if verified { return Outcome(chain: chain, failure: nil) }
        let code = X509_STORE_CTX_get_error(context)
        let reason = String(cString: X509_verify_cert_error_string(Int(code)))
        return Outcome(chain: chain, failure: (reason, Int(X509_STORE_CTX_get_error_depth(context)), code))
    }
}

extension CertificateInspection {
    /// The DER SubjectPublicKeyInfo of the certificate's key.
    var subjectPublicKeyInfoDER: [UInt8] {
        guard let key = X509_get0_pubkey(x509.pointer) else { return [] }
        var out: UnsafeMutablePointer<UInt8>?
        let length = i2d_PUBKEY(key, &out)
        guard length > 0, let out else { return [] }
        defer { cossl_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }
}

extension ChainVerification {
    /// OpenSSL's codes for "the issuer is not available".
    static let missingIssuerCodes: Set<Int32> = [X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY]
    /// A self-signed leaf that is not trusted.
    static let selfSignedLeafCode: Int32 = X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
    /// A chain ending at a self-signed certificate that is not trusted.
    static let untrustedRootCode: Int32 = X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN
}
