import Foundation
import X509

/// A trust framework's certificate profile, applied by `certs` to a leaf: the binding rule
/// registration and token time apply (``ClientCertificateRule``), through the same code.
public struct CertificateProfileCheck: Sendable {
    /// The framework whose profile applies.
    public var framework: TrustFramework
    /// The software the certificate must belong to; `nil`: read from the certificate.
    public var softwareID: String?
    /// Its organisation; `nil`: read from the certificate.
    public var organisationID: String?

    /// A check of `framework`'s profile, for `softwareID` of `organisationID` when given.
    public init(framework: TrustFramework, softwareID: String? = nil, organisationID: String? = nil) {
        self.framework = framework
        self.softwareID = softwareID
        self.organisationID = organisationID
    }

    /// The `certificate_profile` check of the leaf whose DER is `der`.
    func check(leafDER der: [UInt8]) -> Check {
        let name: Check.Name = "certificate_profile"
        guard let certificate = try? Certificate(derEncoded: der) else { return Check(name, .fail, "the certificate cannot be read") }
        let presented = PresentedCertificate(certificate: certificate, chain: "")
        let profile = "\(framework.name.rawValue) (\(framework.certificateBinding.rawValue))"
        // The identities the profile reads, when the caller named none.
        let software: String?
        let organisation: String?
        switch framework.certificateBinding {
        case .holderOfKey:
            return Check(name, .pass, "\(profile): no subject rule binds it to a software; tokens are bound to it by its thumbprint")
        case .openBankingUK:
            software = softwareID ?? presented.commonNames.first
            organisation = organisationID ?? presented.units.first
        case .icpBrasil:
            software = softwareID ?? presented.userIDs.first
            organisation = organisationID ?? presented.organizationIdentifiers.first.map { $0.hasPrefix("OFBBR-") ? String($0.dropFirst(6)) : $0 }
        }
        guard let software, let organisation else {
            return Check(name, .fail, "\(profile): the subject carries no \(framework.certificateBinding == .icpBrasil ? "UID or organizationIdentifier" : "CN or OU") naming a software and organisation")
        }
        if let problem = ClientCertificateRule.bindingProblem(presented, binding: framework.certificateBinding, softwareID: software, organisationID: organisation) {
            return Check(name, .fail, "\(profile): \(problem.reason)")
        }
        return Check(name, .pass, "\(profile): belongs to software \(software) of organisation \(organisation)")
    }
}
