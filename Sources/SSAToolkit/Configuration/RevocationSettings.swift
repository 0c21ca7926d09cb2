import Foundation

/// The configuration properties of the revocation checks of a caller's certificate (registration
/// and token time alike), each optional:
///
/// | property | value |
/// | --- | --- |
/// | `revocationCheck` | `ocsp-then-crl` (default), `ocsp`, `crl` or `off` |
/// | `revocationFailure` | `closed` (default: no answer at all makes the decision undecided, HTTP 503) or `open` (the certificate passes; logged, counted, and the check says so) |
/// | `revocationWhenUnpublished` | for a certificate that names neither an OCSP responder nor a CRL: `reject` (default for Open Banking UK, whose directory certificates carry both) or `allow` |
/// | `revocationCacheMaxSeconds` | the longest an answer is reused, whatever its `nextUpdate` says (default 3600) |
/// | `transportKeyBinding` | `directory` (default: the certificate must be published in the software statement's key set, `software_jwks_endpoint`, and absent from `software_jwks_revoked_endpoint`) or `off` |
public struct RevocationSettings: Sendable, Equatable {
    /// Property names read here.
    public static let propertyNames: Set<String> = [
        "revocationCheck", "revocationFailure", "revocationWhenUnpublished", "revocationCacheMaxSeconds", "transportKeyBinding",
    ]

    /// `revocationCheck`.
    public var sources: RevocationSources = .ocspThenCRL
    /// `revocationFailure`.
    public var failure: RevocationPolicy.FailureMode = .closed
    /// `revocationWhenUnpublished`; `nil` when not configured: each directory's trust framework
    /// decides (``whenUnpublished(for:)``).
    public var configuredWhenUnpublished: RevocationPolicy.Unpublished?

    /// What a certificate that names no OCSP responder and no CRL comes to under `framework`:
    /// as configured, else `reject` where the framework's certificates publish revocation
    /// (Open Banking UK, Open Finance Brasil) and `allow` where they need not (the CDR).
    public func whenUnpublished(for framework: TrustFramework) -> RevocationPolicy.Unpublished {
        configuredWhenUnpublished ?? (framework.certificatesPublishRevocation ? .reject : .allow)
    }

    /// `revocationWhenUnpublished` as Open Banking UK reads it.
    public var whenUnpublished: RevocationPolicy.Unpublished {
        get { whenUnpublished(for: .openBankingUK) }
        set { configuredWhenUnpublished = newValue }
    }
    /// `revocationCacheMaxSeconds`.
    public var cacheMaximum: TimeInterval = 3600
    /// `transportKeyBinding`: whether the certificate must be published in the software's key set.
    public var bindsToSoftwareKeys = true

    /// Defaults only.
    public init() {}

    /// Reads the properties; a malformed one is an error naming it.
    public init(properties: [String: String]) throws(ConfigurationError) {
        if let value = try ConfigurationError.choice(properties, "revocationCheck", ["ocsp-then-crl": RevocationSources.ocspThenCRL, "ocsp": .ocsp, "crl": .crl, "off": .off]) {
            sources = value
        }
        if let value = try ConfigurationError.choice(properties, "revocationFailure", ["closed": RevocationPolicy.FailureMode.closed, "open": .open]) { failure = value }
        if let value = try ConfigurationError.choice(properties, "revocationWhenUnpublished", ["reject": RevocationPolicy.Unpublished.reject, "allow": .allow]) {
            configuredWhenUnpublished = value
        }
        if let value = try ToolkitConfiguration.seconds(properties, "revocationCacheMaxSeconds", range: 1...(86_400 * 7)) { cacheMaximum = value }
        if let value = try ConfigurationError.choice(properties, "transportKeyBinding", ["directory": true, "off": false]) { bindsToSoftwareKeys = value }
    }
}
