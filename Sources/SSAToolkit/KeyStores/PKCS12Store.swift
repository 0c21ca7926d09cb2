import COpenSSL

/// The contents of a PKCS#12 file after its MAC was checked and its bags decrypted.
struct PKCS12Contents {
    var privateKey: OwnedPrivateKey?
    /// The certificate OpenSSL pairs with the private key (the leaf), if any.
    var certificate: OwnedX509?
    /// Every other certificate (chain, or trusted certificate entries of a trust store).
    var otherCertificates: [OwnedX509]

    /// The leaf first, then the others.
    var allCertificates: [OwnedX509] { (certificate.map { [$0] } ?? []) + otherCertificates }

    /// Opens a PKCS#12 file: modern (AES, PBKDF2), legacy (RC2/3DES), keytool-made, with an
    /// empty password or without a MAC.
    static func load(_ location: KeyStoreLocation, password: Secret, what: String) throws(KeyStoreError) -> PKCS12Contents {
        _ = openSSLProviders
        let bytes = try BoundedFile.read(location, what: what)
        let bio = OwnedMemoryBIO(bytes)
        guard let p12 = d2i_PKCS12_bio(bio.pointer, nil) else {
            ERR_clear_error()
            throw KeyStoreError(.notPKCS12, "\(what) \(location) is not a PKCS#12 file: it looks like \(BoundedFile.describe(bytes))")
        }
        defer { PKCS12_free(p12) }

        let hadMAC = PKCS12_mac_present(p12) == 1
        if hadMAC {
            // An empty password may have been encoded as "no password": PKCS12_parse tries both.
            let verified = password.withCString { pass, length in
                PKCS12_verify_mac(p12, pass, length) == 1 || (length == 0 && PKCS12_verify_mac(p12, nil, 0) == 1)
            }
            guard verified else {
                _ = OpenSSLErrors.drain()
                throw KeyStoreError(.wrongPassword, "\(what) \(location): the integrity check (MAC) failed: wrong password")
            }

        } else {
            // PKCS12_parse insists on a MAC. A store without one (`-nomac`) gets a MAC computed
            // here, in memory, with the given password; a wrong password then fails decryption.
            _ = password.withCString { pass, length in PKCS12_set_mac(p12, pass, length, nil, 0, 1, nil) }
        }

        var key: OpaquePointer?
        var certificate: OpaquePointer?
        var others: OpaquePointer?
        let parsed = password.withCString { pass, _ in PKCS12_parse(p12, pass, &key, &certificate, &others) }
        guard parsed == 1 else {
            let errors = OpenSSLErrors.drain()
            let detail = OpenSSLErrors.summary(errors)
            if errors.contains(where: { $0.text.contains("unsupported") }) && !openSSLProviders.legacy {
                throw KeyStoreError(.malformed, "\(what) \(location): uses a legacy algorithm and OpenSSL's legacy provider is not available (\(detail))")
            }
            if !hadMAC {
                throw KeyStoreError(.wrongPassword, "\(what) \(location): cannot decrypt the store (\(detail)): wrong password?")
            }
            throw KeyStoreError(.malformed, "\(what) \(location): cannot read the store: \(detail)")
        }
        var contents = PKCS12Contents(
            privateKey: key.map { OwnedPrivateKey(takingOwnership: $0) },
            certificate: certificate.map { OwnedX509(takingOwnership: $0) },
            otherCertificates: []
        )
        if let others {
            for i in 0..<cossl_sk_X509_num(others) {
                guard let x509 = cossl_sk_X509_value(others, i) else { continue }
                X509_up_ref(x509)
                contents.otherCertificates.append(OwnedX509(takingOwnership: x509))
            }
            cossl_sk_X509_pop_free(others)
        }
        return contents
    }
}
