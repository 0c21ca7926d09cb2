import Foundation
import SSAToolkit

// The sandbox as Open Finance Brasil's directory and the CDR Register (SandboxFrameworks): the
// SSAs it issues, the certificates its CA issues in each profile, the statuses it publishes, and
// a configuration for each framework or all three at once.

extension DirectorySandbox {
    /// A transport certificate profile the sandbox's CA issues (from a fixture made by openssl).
    public enum FrameworkCertificate: String, Sendable, CaseIterable {
        /// ICP-Brasil profile for ``SandboxFrameworks/brasilSoftwareID``.
        case brasilTransport = "brasil-transport"
        /// ICP-Brasil profile for another Brasil participant.
        case brasilOther = "brasil-other"
        /// A CDR data recipient's certificate for ``SandboxFrameworks/cdrSoftwareID``.
        case cdrTransport = "cdr-transport"
        /// Another data recipient's.
        case cdrOther = "cdr-other"
    }

    /// The Brasil directory's JWKS.
    public var brasilJWKSURL: URL { baseURL.appendingPathComponent("brasil/jwks") }
    /// The Brasil participants list.
    public var participantsURL: URL { baseURL.appendingPathComponent("brasil/participants") }
    /// The CDR Register's JWKS.
    public var cdrJWKSURL: URL { baseURL.appendingPathComponent("cdr/jwks") }
    /// The CDR Register's base URL (`registerUrl`).
    public var registerURL: URL { baseURL }

    /// Issues a software statement as `framework`'s directory does: the joserfc fixture's claims
    /// (`frameworks/brasil-valid.jwt`, `frameworks/cdr-valid.jwt`) with this sandbox's issuer,
    /// `iat` = `issuedAt` (and, for the CDR, `exp` ten minutes later), a new `jti`, the software's
    /// key sets at this sandbox, then `changes` (`.null` removes a claim), signed PS256.
    /// Open Banking UK's SSAs come from ``issueSoftwareStatement(softwareID:issuedAt:changes:)``.
    public func issueSoftwareStatement(framework: TrustFramework.Name, softwareID: String? = nil, issuedAt: Date = Date(),
                                       changes: [String: JSONValue] = [:]) throws -> String {
        let iat = JSONValue.number(issuedAt.timeIntervalSince1970.rounded(.down))
        var claims: [String: JSONValue]
        let signer: JWSSigner
        switch framework {
        case .openBankingUK:
            return try issueSoftwareStatement(softwareID: softwareID ?? SandboxRecords.activeSoftwareID, issuedAt: issuedAt, changes: changes)
        case .openFinanceBrasil:
            let id = softwareID ?? SandboxFrameworks.brasilSoftwareID
            claims = frameworks.brasilTemplate
            claims["iss"] = .string(SandboxFrameworks.brasilIssuer)
            claims["software_id"] = .string(id)
            claims["software_client_id"] = .string(id)
            if id == SandboxFrameworks.brasilOtherSoftwareID { claims["org_id"] = .string(SandboxFrameworks.brasilOtherOrganisationID) }
            claims["software_jwks_uri"] = .string(softwareJWKSURL(id).absoluteString)
            claims["software_jwks_transport_uri"] = .string(softwareJWKSURL(id).absoluteString)
            claims["software_jwks_inactive_uri"] = .string(softwareRevokedJWKSURL(id).absoluteString)
            claims["software_jwks_transport_inactive_uri"] = .string(softwareRevokedJWKSURL(id).absoluteString)
            signer = frameworks.brasilSigner
        case .cdrAU:
            let id = softwareID ?? SandboxFrameworks.cdrSoftwareID
            claims = frameworks.cdrTemplate
            claims["iss"] = .string(SandboxFrameworks.cdrIssuer)
            claims["software_id"] = .string(id)
            if id == SandboxFrameworks.cdrOtherSoftwareID { claims["legal_entity_id"] = .string(SandboxFrameworks.cdrOtherLegalEntityID) }
            claims["exp"] = .number(issuedAt.timeIntervalSince1970.rounded(.down) + 600)
            claims["jwks_uri"] = .string(softwareJWKSURL(id).absoluteString)
            signer = frameworks.cdrSigner
        }
        claims["iat"] = iat
        claims["jti"] = .string(UUID().uuidString.lowercased())
        for (name, value) in changes { claims[name] = value == .null ? nil : value }
        return try signer.sign(payload: claims)
    }

    /// Issues a transport certificate in `profile` (the fixture's subject and key), naming this
    /// sandbox's OCSP responder and CRL, published in the software key sets when `publish` is true.
    public func issueFrameworkCertificate(_ profile: FrameworkCertificate, publish: Bool = true) throws -> IssuedCertificate {
        let issued = try revocation.authority.issue(ocsp: revocationURL.appendingPathComponent("ocsp").absoluteString,
                                                    crl: revocationURL.appendingPathComponent("crl").absoluteString,
                                                    templatePath: fixtures.path("frameworks/\(profile.rawValue).pem"))
        if publish { try revocation.publish(issued.chain) }
        return IssuedCertificate(chainPEM: issued.chain, serial: issued.serial)
    }

    /// Changes a Brasil organisation in the participants list (`POST /admin/frameworks/brasil/organisations/{id}`):
    /// its `Status`, and the `Status` of each role named.
    @discardableResult
    public func updateBrasilOrganisation(_ id: String, status: String? = nil, roles: [String: String] = [:]) -> Bool {
        frameworks.setBrasilOrganisation(id, status: status, roles: roles)
    }

    /// Adds `count` active organisations to the participants list, to serve a list as large as
    /// the real one (several megabytes).
    public func addBrasilOrganisations(_ count: Int) { frameworks.addBrasilOrganisations(count) }

    /// Changes a data recipient's status in the Register (`POST /admin/frameworks/cdr/recipients/{id}`).
    public func updateCDRRecipient(_ legalEntityID: String, status: String) { frameworks.setRecipient(legalEntityID, status: status) }

    /// Changes a software product's status in the Register (`POST /admin/frameworks/cdr/products/{id}`).
    public func updateCDRProduct(_ softwareID: String, status: String) { frameworks.setProduct(softwareID, status: status) }

    /// Makes the published lists answer as `mode` says, and with `Cache-Control: max-age=maxAge`
    /// (`POST /admin/frameworks/lists`).
    public func setPublishedLists(mode: SandboxFrameworks.ListMode? = nil, maxAge: Int? = nil) { frameworks.setLists(mode: mode, maxAge: maxAge) }

    /// The configuration for one framework's directory in this sandbox (plain JSON), as
    /// ``configurationJSON()`` is for Open Banking UK's; for every framework at once, see
    /// ``allFrameworksConfigurationJSON()``.
    public func configurationJSON(framework: TrustFramework.Name) -> JSONValue {
        guard case .object(var object) = configurationJSON() else { return configurationJSON() }
        for (name, value) in directoryProperties(framework) { object[name] = value }
        if framework != .openBankingUK { object["tppUrl"] = nil }
        return .object(object)
    }

    /// One configuration that trusts the three directories this sandbox is, under their three
    /// issuers (`trustedDirectories`).
    public func allFrameworksConfigurationJSON() -> JSONValue {
        guard case .object(var object) = configurationJSON() else { return configurationJSON() }
        object["trustedDirectories"] = .array(TrustFramework.Name.allCases.map { .object(directoryProperties($0)) })
        return .object(object)
    }

    private func directoryProperties(_ framework: TrustFramework.Name) -> [String: JSONValue] {
        switch framework {
        case .openBankingUK:
            return ["trustFramework": "openbanking-uk", "issuer": .string(scheme.issuer), "jwks_endpoint": .string(jwksURL.absoluteString), "tppUrl": .string(tppURL.absoluteString)]
        case .openFinanceBrasil:
            return ["trustFramework": "open-finance-brasil", "issuer": .string(SandboxFrameworks.brasilIssuer), "jwks_endpoint": .string(brasilJWKSURL.absoluteString),
                    "participantsUrl": .string(participantsURL.absoluteString)]
        case .cdrAU:
            return ["trustFramework": "cdr-au", "issuer": .string(SandboxFrameworks.cdrIssuer), "jwks_endpoint": .string(cdrJWKSURL.absoluteString),
                    "registerUrl": .string(registerURL.absoluteString), "registerIndustry": "banking"]
        }
    }
}
