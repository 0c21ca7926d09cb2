import Foundation
import Logging
import X509

/// What the authorization server received: the registration request as posted, the SSA when
/// it is not inside the request, and the caller's TLS client certificate.
public struct RegistrationInput: Sendable {
    /// The SSA (compact JWS), when not embedded in ``request``.
    public var softwareStatement: String?
    /// The registration request as posted: a request JWT or JSON metadata.
    public var request: String?
    /// The caller's TLS client certificate, PEM.
    public var clientCertificatePEM: String?

    /// An input; at least the SSA or a request that embeds it.
    public init(softwareStatement: String? = nil, request: String? = nil, clientCertificatePEM: String? = nil) {
        self.softwareStatement = softwareStatement
        self.request = request
        self.clientCertificatePEM = clientCertificatePEM
    }
}
