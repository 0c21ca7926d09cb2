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
    /// Its SCIM client (with its token client): Open Banking UK's status source; `nil` for a
    /// framework whose status is ``participants``.
    public var directory: TPPDirectoryClient?
    /// The key sets of the software it lists.
    public var softwareKeys: SoftwareKeySets
    /// Whom its TPPs' certificates must chain to.
    public var certificateTrust: ClientCertificateTrust
    /// How its TPPs' certificates' revocation is checked (`nil`: not checked); one checker and
    /// cache for registration and token time.
    public var revocation: RevocationPolicy?
    /// The trust framework it belongs to: its SSAs' claims, certificate binding, scopes and status.
    public var framework: TrustFramework { verifier.rules.framework }
    /// Where its participants' status comes from, for frameworks other than Open Banking UK
    /// (whose status is ``directory``'s SCIM API).
    public var participants: (any ParticipantStatusSource)?
    /// Whether its TPPs' certificates must be published in their software's key set
    /// (`transportKeyBinding=directory`), fetched through ``softwareKeys``.
    public var transportKeyBinding: Bool
    /// Client certificate chains that verified against ``certificateTrust``, with the window in
    /// which that holds: shared by registration and token time, one per directory (each has its
    /// own anchors, so a chain verified for one never passes for another).
    let verifiedCertificates = VerifiedCertificateCache()

    /// A directory from its parts.
    public init(verifier: SoftwareStatementVerifier, directory: TPPDirectoryClient?, softwareKeys: SoftwareKeySets, certificateTrust: ClientCertificateTrust,
                revocation: RevocationPolicy? = nil, transportKeyBinding: Bool = false, participants: (any ParticipantStatusSource)? = nil) {
        self.participants = participants
        self.revocation = revocation
        self.transportKeyBinding = transportKeyBinding
        self.verifier = verifier
        self.directory = directory
        self.softwareKeys = softwareKeys
        self.certificateTrust = certificateTrust
    }

    /// The client certificate rule over this directory's anchors (and its cache of verified chains).
    public func certificateRule(bindsToSoftware: Bool) -> ClientCertificateRule {
        // A framework without transport key sets (the CDR) binds by holder-of-key instead.
        let publishes = framework.claimNames.transportJWKS != nil
        return ClientCertificateRule(trust: certificateTrust, bindsToSoftware: bindsToSoftware, revocation: revocation,
                                     keyBinding: transportKeyBinding && publishes ? TransportKeyBinding(keySets: softwareKeys) : nil,
                                     binding: framework.certificateBinding, cache: verifiedCertificates)
    }
}
