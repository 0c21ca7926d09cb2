import COpenSSL
import Foundation

/// Loads OpenSSL's `default` and `legacy` providers once per process, so PKCS#12 files made
/// with RC2/3DES (`openssl pkcs12 -legacy`, older Java) can be decrypted. Loading any provider
/// explicitly turns off the implicit default one, hence both.
let openSSLProviders: (legacy: Bool, default: Bool) = {
    let defaultProvider = OSSL_PROVIDER_load(nil, "default") != nil
    let legacyProvider = OSSL_PROVIDER_load(nil, "legacy") != nil
    ERR_clear_error()
    return (legacyProvider, defaultProvider)
}()

/// The OpenSSL error queue, drained into readable lines (and cleared).
enum OpenSSLErrors {
    struct Entry {
        var library: Int32
        var reason: Int32
        var text: String
    }

    static func drain() -> [Entry] {
        var entries: [Entry] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            entries.append(Entry(library: cossl_err_get_lib(code), reason: cossl_err_get_reason(code), text: text))
        }
        return entries
    }

    static func summary(_ entries: [Entry]) -> String {
        guard let last = entries.last else { return "no detail from OpenSSL" }
        // "error:1C800064:Provider routines::bad decrypt" -> "bad decrypt"
        return last.text.split(separator: ":").last.map(String.init) ?? last.text
    }
}

/// Owns a `BIO *` over a copy of some bytes.
final class OwnedMemoryBIO {
    let pointer: OpaquePointer
    private let buffer: UnsafeMutableRawBufferPointer

    init(_ bytes: [UInt8]) {
        buffer = .allocate(byteCount: max(bytes.count, 1), alignment: 1)
        buffer.copyBytes(from: bytes)
        pointer = BIO_new_mem_buf(buffer.baseAddress, Int32(bytes.count))!
    }

    /// An empty, writable memory BIO.
    init() {
        buffer = .allocate(byteCount: 1, alignment: 1)
        pointer = BIO_new(BIO_s_mem())!
    }

    deinit {
        BIO_free(pointer)
        // Key material may have passed through: wipe before release.
        OPENSSL_cleanse(buffer.baseAddress, buffer.count)
        buffer.deallocate()
    }

    /// The bytes written so far (for a writable BIO).
    func contents() -> [UInt8] {
        var data: UnsafeMutablePointer<CChar>?
        let length = cossl_bio_get_mem_data(pointer, &data)
        guard length > 0, let data else { return [] }
        return data.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }
}

/// Owns an `X509 *`.
final class OwnedX509 {
    let pointer: OpaquePointer

    init(takingOwnership pointer: OpaquePointer) { self.pointer = pointer }

    deinit { X509_free(pointer) }

    /// The DER encoding.
    var der: [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        let length = i2d_X509(pointer, &out)
        guard length > 0, let out else { return [] }
        defer { cossl_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }
}

/// Owns an `EVP_PKEY *` (a private key).
final class OwnedPrivateKey {
    let pointer: OpaquePointer

    init(takingOwnership pointer: OpaquePointer) { self.pointer = pointer }

    deinit { EVP_PKEY_free(pointer) }

    /// "RSA", "EC" or another algorithm name, with size: "RSA 2048 bits", "EC P-256".
    var keyDescription: String {
        switch EVP_PKEY_get_base_id(pointer) {
        case EVP_PKEY_RSA: return "RSA \(EVP_PKEY_get_bits(pointer)) bits"
        case EVP_PKEY_EC: return "EC \(curveName ?? "unknown curve")"
        default: return "\(String(cString: OBJ_nid2sn(EVP_PKEY_get_base_id(pointer)))) key"
        }
    }

    var isRSA: Bool { EVP_PKEY_get_base_id(pointer) == EVP_PKEY_RSA }
    var isEC: Bool { EVP_PKEY_get_base_id(pointer) == EVP_PKEY_EC }
    var bits: Int { Int(EVP_PKEY_get_bits(pointer)) }

    /// "P-256" for prime256v1, else OpenSSL's group name.
    var curveName: String? {
        var buffer = [CChar](repeating: 0, count: 64)
        var length = 0
        guard EVP_PKEY_get_group_name(pointer, &buffer, buffer.count, &length) == 1 else { return nil }
        let name = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        switch name {
        case "prime256v1": return "P-256"
        case "secp384r1": return "P-384"
        case "secp521r1": return "P-521"
        default: return name
        }
    }

    /// Whether this key is the private half of the certificate's public key.
    func matches(_ certificate: OwnedX509) -> Bool {
        let result = X509_check_private_key(certificate.pointer, pointer) == 1
        ERR_clear_error()
        return result
    }

    /// The unencrypted PKCS#8 DER encoding, as a ``Secret`` (wiped on release).
    func pkcs8DER() -> Secret? {
        let bio = OwnedMemoryBIO()
        guard i2d_PKCS8PrivateKey_bio(bio.pointer, pointer, nil, nil, 0, nil, nil) == 1 else {
            ERR_clear_error()
            return nil
        }
        var bytes = bio.contents()
        defer { bytes.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        return Secret(bytes)
    }
}

/// Reads a file with a size bound, for key stores, keys and certificates.
enum BoundedFile {
    static let maximumBytes = 1 << 20

    static func read(_ location: KeyStoreLocation, what: String) throws(KeyStoreError) -> [UInt8] {
        do {
            return try SafeFile.read(location.path, limit: maximumBytes)
        } catch {
            switch error.kind {
            case .tooLarge: throw KeyStoreError(.unreadable, "\(what) \(location): larger than \(maximumBytes) bytes; not a key store")
            default: throw KeyStoreError(.unreadable, "\(what) \(location): \(error.reason)")
            }
        }
    }

    /// What a file that is not the expected format looks like, for the error message.
    static func describe(_ bytes: [UInt8]) -> String {
        if bytes.isEmpty { return "an empty file" }
        if bytes.starts(with: [0xFE, 0xED, 0xFE, 0xED]) {
            return "a Java JKS keystore (convert it: keytool -importkeystore -deststoretype PKCS12)"
        }
        if bytes.starts(with: [0xCE, 0xCE, 0xCE, 0xCE]) { return "a Java JCEKS keystore (convert it to PKCS12 with keytool)" }
        let head = String(decoding: bytes.prefix(4096), as: UTF8.self)
        if let range = head.range(of: "-----BEGIN ") {
            let label = head[range.upperBound...].prefix { $0 != "-" }
            return "a PEM file (\(label))"
        }
        var cursor: UnsafePointer<UInt8>? = nil
        let isCertificate: Bool = bytes.withUnsafeBufferPointer { buffer in
            cursor = buffer.baseAddress
            guard let x509 = d2i_X509(nil, &cursor, buffer.count) else { return false }
            X509_free(x509)
            return true
        }
        ERR_clear_error()
        if isCertificate { return "a DER-encoded X.509 certificate" }
        if bytes.first == 0x30 { return "DER data that is not a PKCS#12 store" }
        return "unrecognised binary data"
    }
}
