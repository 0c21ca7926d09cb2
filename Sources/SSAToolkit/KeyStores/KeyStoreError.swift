/// Why a key store, key or certificate could not be loaded. Loading is all or nothing: no
/// partial store is ever returned.
///
/// The ``reason`` names the file and, when it came from configuration, the property.
public typealias KeyStoreError = CodedFailure<KeyStoreFailure>



/// Where a key store or key comes from, for error messages: the file and, optionally, the
/// configuration property that named it.
public struct KeyStoreLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file path.
    public var path: String
    /// The configuration property, e.g. `transportKeyStore`.
    public var property: String?

    /// A location.
    public init(path: String, property: String? = nil) {
        self.path = path
        self.property = property
    }

    /// "transport store transport.p12 (property transportKeyStore)".
    public var description: String {
        property.map { "\(path) (property \($0))" } ?? path
    }
}
