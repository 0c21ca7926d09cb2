import SSAToolkit

/// A key store in `certs-fixtures/stores/`.
public func store(_ name: String, property: String? = nil) -> KeyStoreLocation {
    KeyStoreLocation(path: Fixtures.url("stores/" + name).path, property: property)
}

/// A file in `certs-fixtures/pki/`.
public func pki(_ name: String) -> KeyStoreLocation {
    KeyStoreLocation(path: Fixtures.url("pki/" + name).path)
}

/// The fixture stores' test-only password.
public let changeit = Secret("changeit")
