import Foundation
import Logging
import X509

/// One directory a server trusts, with what registration needs of it: the verifier of its SSAs
/// (its JWKS and its `iss`), its SCIM client, the key sets of the software it lists, and the
/// anchors its TPPs' certificates chain to.
public struct TrustedDirectory: Sendable {
    /// The SSA `iss` that selects this directory (compared byte for byte).
    public var issuer: String { verifier.rules.issuer }
    /// Verifies this directory's SSAs against its JWKS.
    public var verifier: SoftwareStatementVerifier
    /// Its SCIM client (with its token client).
    public var directory: TPPDirectoryClient
    /// The key sets of the software it lists.
    public var softwareKeys: SoftwareKeySets
    /// Whom its TPPs' certificates must chain to.
    public var certificateTrust: ClientCertificateTrust
    /// Client certificate chains that verified against ``certificateTrust``, with the window in
    /// which that holds: shared by registration and token time, one per directory (each has its
    /// own anchors, so a chain verified for one never passes for another).
    let verifiedCertificates = VerifiedCertificateCache()

    /// A directory from its parts.
    public init(verifier: SoftwareStatementVerifier, directory: TPPDirectoryClient, softwareKeys: SoftwareKeySets, certificateTrust: ClientCertificateTrust) {
        self.verifier = verifier
        self.directory = directory
        self.softwareKeys = softwareKeys
        self.certificateTrust = certificateTrust
    }

    /// The client certificate rule over this directory's anchors (and its cache of verified chains).
    public func certificateRule(bindsToSoftware: Bool) -> ClientCertificateRule {
        ClientCertificateRule(trust: certificateTrust, bindsToSoftware: bindsToSoftware, cache: verifiedCertificates)
    }
}
