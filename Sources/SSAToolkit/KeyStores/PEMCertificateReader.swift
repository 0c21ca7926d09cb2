import COpenSSL

/// Reads PEM certificates one after another from a memory BIO.
enum PEMCertificateReader {
    static func next(_ bio: OwnedMemoryBIO) -> OpaquePointer? {
        PEM_read_bio_X509(bio.pointer, nil, nil, nil)
    }

    static func clearErrors() { ERR_clear_error() }
}
