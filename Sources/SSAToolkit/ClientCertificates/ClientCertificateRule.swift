import Crypto
import Foundation
import SwiftASN1
import X509

/// The one rule a caller's TLS client certificate must meet, applied by registration and by
/// token time through the same code, so that token time never trusts a certificate registration
/// would refuse:
///
/// 1. it chains to the trust store (or, with `clientCertificateVerification=proxy`, the
///    TLS-terminating proxy verified the chain) and is valid at the decision's instant;
/// 2. with `clientCertificateBinding=software` (the default) it belongs to the client's
///    software: exactly one CN, equal to `software_id`; exactly one OU, equal to `org_id`; and an
///    `organizationIdentifier` (2.5.4.97), where it carries one, that agrees with `org_id`
///    (see ``organizationIdentifierProblem(_:organisationID:)``);
/// 3. for `tls_client_auth`, its subject is the registered `tls_client_auth_subject_dn`
///    (``subjectDNProblem(_:certificate:)``).
///
/// A chain that verified is remembered by the presented PEM text inside the window in which
/// every certificate of the chain is valid, so a warm token decision parses nothing and checks no
/// signature; the subject rules are re-applied on every call (they depend on the client).
public struct ClientCertificateRule: Sendable {
    /// Whom the chain must reach.
    public var trust: ClientCertificateTrust
    /// Whether the certificate must belong to the client's software (`clientCertificateBinding`).
    public var bindsToSoftware: Bool
    /// How the certificate's revocation is checked (`revocationCheck`); `nil`: not checked.
    public var revocation: RevocationPolicy?
    /// Where the certificate must be published (`transportKeyBinding=directory`); `nil`: off.
    var keyBinding: TransportKeyBinding?
    /// What ties the certificate to the software under the directory's trust framework (Open
    /// Banking UK's CN and OU, ICP-Brasil's UID and organizationIdentifier, or none: holder-of-key).
    public var binding: TrustFramework.CertificateBinding = .openBankingUK
    /// Chains that verified; shared by every copy of the rule made from the same directory.
    let verified: VerifiedCertificateCache

    /// A rule over `trust`, with its own cache of verified chains.
    public init(trust: ClientCertificateTrust, bindsToSoftware: Bool = true, revocation: RevocationPolicy? = nil) {
        self.init(trust: trust, bindsToSoftware: bindsToSoftware, revocation: revocation, cache: VerifiedCertificateCache())
    }

    init(trust: ClientCertificateTrust, bindsToSoftware: Bool, revocation: RevocationPolicy?, keyBinding: TransportKeyBinding? = nil,
         binding: TrustFramework.CertificateBinding = .openBankingUK, cache: VerifiedCertificateCache) {
        self.keyBinding = keyBinding
        self.binding = binding
        self.trust = trust
        self.bindsToSoftware = bindsToSoftware
        self.revocation = revocation
        self.verified = cache
    }

    /// The `certificate_revocation` check of a certificate that met the rule, the same at
    /// registration and at token time: `nil` when revocation is not checked
    /// (`revocationCheck=off`). A warm check makes no network call.
    func revocationOutcome(_ presented: PresentedCertificate) async -> RevocationPolicy.Outcome? {
        guard let revocation else { return nil }
        guard !presented.der.isEmpty else { return .refused("the client certificate cannot be encoded") }
        return await revocation.evaluate(leaf: presented.der, digest: presented.digest, issuer: presented.issuerDER)
    }

    /// The `transport_key` check of a certificate that met the rule (``TransportKeyBinding``),
    /// the same at registration and at token time: `nil` when `transportKeyBinding=off`.
    func transportKeyOutcome(_ presented: PresentedCertificate, endpoint: String?, revokedEndpoint: String?) async -> RuleOutcome? {
        guard let keyBinding else { return nil }
        return await keyBinding.check(thumbprint: presented.thumbprint, endpoint: endpoint, revokedEndpoint: revokedEndpoint)
    }

    /// Steps 1 and 2 for a certificate presented by the client of `softwareID` and
    /// `organisationID`: the parsed certificate with its thumbprint, or the sentence that refuses it.
    func check(pem: String, softwareID: String, organisationID: String, at now: Date) async -> Result<PresentedCertificate, RuleFailure> {
        let presented: PresentedCertificate
        switch await trust.verify(pem: pem, at: now, cache: verified) {
        case .success(let value): presented = value
        case .failure(let failure): return .failure(failure)
        }
        if bindsToSoftware, let problem = Self.bindingProblem(presented, binding: binding, softwareID: softwareID, organisationID: organisationID) {
            return .failure(problem)
        }
        return .success(presented)
    }

    /// Why the registered `tls_client_auth_subject_dn` `text` does not name `presented`'s
    /// subject, or `nil`: ``subjectDNProblem(_:certificate:)``, remembered per verified
    /// certificate once it matched (a client sends the same registered DN every time).
    func subjectDNProblem(_ text: String, presented: PresentedCertificate) -> RuleFailure? {
        if presented.knownSubjectDNs.containsByteIdentical(text) { return nil }
        if let problem = Self.subjectDNProblem(text, subject: presented.comparableSubject, certificate: presented.certificate) { return problem }
        if let key = presented.cacheKey { verified.noteMatch(key, subjectDN: text) }
        return nil
    }

    /// Why `presented` does not belong to software `softwareID` of organisation `organisationID`
    /// under `binding`, or `nil` when it does (always `nil` for holder-of-key).
    static func bindingProblem(_ presented: PresentedCertificate, binding: TrustFramework.CertificateBinding, softwareID: String, organisationID: String) -> RuleFailure? {
        switch binding {
        case .openBankingUK: return bindingProblem(presented, softwareID: softwareID, organisationID: organisationID)
        case .holderOfKey: return nil
        case .icpBrasil:
            let uids = presented.userIDs
            guard uids.count == 1, let uid = uids.first, uid.isByteIdentical(to: softwareID) else {
                return RuleFailure("the client certificate's UID \(Self.list(uids)) is not the software statement's software_id \(softwareID) (ICP-Brasil profile)")
            }
            let identifiers = presented.organizationIdentifiers
            let expected = "OFBBR-" + organisationID
            // Certificates of the coexistence period (issued before 2022-09-01) carry the org_id
            // in OU and no organizationIdentifier: the DCR profile accepts both.
            if identifiers.isEmpty, presented.units.count == 1, presented.units[0].isByteIdentical(to: organisationID) { return nil }
            guard identifiers.count == 1, let identifier = identifiers.first, identifier.isByteIdentical(to: expected) else {
                return RuleFailure("the client certificate's organizationIdentifier \(Self.list(identifiers)) is not \(expected.quotedForReport()) (OFBBR- and the software statement's org_id)")
            }
            return nil
        }
    }

    /// Open Banking UK's binding: CN = `software_id`, OU = `org_id`, an agreeing `organizationIdentifier`.
    static func bindingProblem(_ presented: PresentedCertificate, softwareID: String, organisationID: String) -> RuleFailure? {
        let commonNames = presented.commonNames
        guard commonNames.count == 1, let commonName = commonNames.first, commonName.isByteIdentical(to: softwareID) else {
            return RuleFailure("the client certificate's CN \(Self.list(commonNames)) is not the software statement's software_id \(softwareID)")
        }
        let units = presented.units
        guard units.count == 1, let unit = units.first, unit.isByteIdentical(to: organisationID) else {
            return RuleFailure("the client certificate's OU \(Self.list(units)) is not the software statement's org_id \(organisationID)")
        }
        let identifiers = presented.organizationIdentifiers
        guard identifiers.count <= 1 else {
            return RuleFailure("the client certificate carries \(identifiers.count) organizationIdentifier values (\(Self.list(identifiers))); one at most")
        }
        if let identifier = identifiers.first, let problem = organizationIdentifierProblem(identifier, organisationID: organisationID) {
            return RuleFailure("the client certificate's organizationIdentifier \(identifier.quotedForReport()) \(problem)")
        }
        return nil
    }

    /// `organizationIdentifier` (2.5.4.97).
    static let organizationIdentifier: ASN1ObjectIdentifier = [2, 5, 4, 97]
    /// `UID` (0.9.2342.19200300.100.1.1), which ICP-Brasil certificates set to the `software_id`.
    static let userID: ASN1ObjectIdentifier = [0, 9, 2342, 19200300, 100, 1, 1]

    /// Why an `organizationIdentifier` value disagrees with the client's `org_id`, or `nil`.
    ///
    /// Accepted: the `org_id` itself; an ETSI TS 119 495 PSD2 identifier (`PSD`, a country code,
    /// `-`, the authority, `-`, the identifier) issued by the directory itself (authority `OB`)
    /// whose identifier is the `org_id` or `Unknown` followed by it; and one issued by a national
    /// competent authority (`PSDGB-FCA-123456`), whose number is not a directory organisation id
    /// and so is checked for its form only. Anything else, including a directory-issued
    /// identifier naming another organisation, is refused.
    static func organizationIdentifierProblem(_ value: String, organisationID: String) -> String? {
        if value.isByteIdentical(to: organisationID) { return nil }
        // Read in place (this runs on every token decision): no copies of the bytes.
        var value = value
        var organisation = organisationID
        return value.withUTF8 { bytes in organisation.withUTF8 { org in psd2Problem(bytes, org, organisationID: organisationID) } }
    }

    /// ``organizationIdentifierProblem(_:organisationID:)`` for a value that is not the `org_id`
    /// itself, over the bytes of both (`org`: the `org_id`'s).
    private static func psd2Problem(_ bytes: UnsafeBufferPointer<UInt8>, _ org: UnsafeBufferPointer<UInt8>, organisationID: String) -> String? {
        func upper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
        func alnum(_ b: UInt8) -> Bool { upper(b) || (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7A) }
        guard bytes.count >= 9, bytes.count <= 128, bytes[0] == 0x50, bytes[1] == 0x53, bytes[2] == 0x44, upper(bytes[3]), upper(bytes[4]), bytes[5] == 0x2D else {
            return "is neither the client's org_id \(organisationID) nor a PSD2 identifier (PSD<country>-<authority>-<id>)"
        }
        let rest = bytes[6...]
        guard let dash = rest.firstIndex(of: 0x2D) else { return "is not of the form PSD<country>-<authority>-<id>" }
        let authority = rest[rest.startIndex..<dash]
        let identifier = rest[(dash + 1)...]
        guard (1...8).contains(authority.count), authority.allSatisfy(upper), !identifier.isEmpty,
              identifier.allSatisfy({ alnum($0) || $0 == 0x2D || $0 == 0x2E || $0 == 0x5F }) else {
            return "is not of the form PSD<country>-<authority>-<id> (authority in capitals, id of letters, digits, - . _)"
        }
        guard authority.elementsEqual("OB".utf8) else { return nil }
        if identifier.elementsEqual(org) { return nil }
        let unknown = "Unknown".utf8
        if identifier.count == unknown.count + org.count, identifier.prefix(unknown.count).elementsEqual(unknown), identifier.suffix(org.count).elementsEqual(org) {
            return nil
        }
        return "names a directory organisation other than the client's org_id \(organisationID)"
    }

    /// Why the registered `tls_client_auth_subject_dn` `text` does not name `certificate`'s
    /// subject, or `nil` when it does. The same comparison decides registration's `subject_dn`
    /// check and token time's.
    static func subjectDNProblem(_ text: String, certificate: Certificate) -> RuleFailure? {
        subjectDNProblem(text, subject: ComparableDistinguishedName(certificate.subject), certificate: certificate)
    }

    static func subjectDNProblem(_ text: String, subject: ComparableDistinguishedName, certificate: Certificate) -> RuleFailure? {
        let registered: ComparableDistinguishedName
        do throws(DistinguishedNameError) { registered = try ComparableDistinguishedName(parsing: text) } catch {
            return RuleFailure("tls_client_auth_subject_dn cannot be read: \(error.reason)")
        }
        guard registered.matches(subject) else {
            return RuleFailure("tls_client_auth_subject_dn \(text.quotedForReport(limit: 200)) does not name the client certificate's subject \(certificate.subject.description.escapedForTerminal(limit: 400))")
        }
        return nil
    }

    private static func list(_ values: [String]) -> String {
        values.isEmpty ? "(none)" : values.map { $0.quotedForReport() }.joined(separator: ", ")
    }
}

/// The caller's TLS client certificate, parsed, verified, and what became of its chain, with
/// what the subject rules read from it, computed once when the chain is verified (a warm token
/// decision reuses it from the cache).
struct PresentedCertificate: Sendable {
    /// What was read from the certificate once: shared by every copy (a decision passes the
    /// certificate along several steps, and the verified-chain cache hands out copies), so a
    /// copy is one reference, not a score of them.
    private final class Parts: Sendable {
        let certificate: Certificate
        let chain: String
        let thumbprint: String
        let commonNames: [String]
        let units: [String]
        let organizationIdentifiers: [String]
        let userIDs: [String]
        let comparableSubject: ComparableDistinguishedName
        let der: [UInt8]
        let digest: [UInt8]
        let issuerDER: [UInt8]?

        init(certificate: Certificate, chain: String, issuer: Certificate?) {
            self.certificate = certificate
            self.chain = chain
            var issuerDER: [UInt8]?
            if let issuer {
                var serializer = DER.Serializer()
                if (try? serializer.serialize(issuer)) != nil { issuerDER = serializer.serializedBytes }
            }
            self.issuerDER = issuerDER
            commonNames = certificate.subject.allValues(of: .RDNAttributeType.commonName)
            units = certificate.subject.allValues(of: .RDNAttributeType.organizationalUnitName)
            organizationIdentifiers = certificate.subject.allValues(of: ClientCertificateRule.organizationIdentifier)
            userIDs = certificate.subject.allValues(of: ClientCertificateRule.userID)
            comparableSubject = ComparableDistinguishedName(certificate.subject)
            var serializer = DER.Serializer()
            if (try? serializer.serialize(certificate)) != nil {
                der = serializer.serializedBytes
                digest = Array(SHA256.hash(data: serializer.serializedBytes))
                thumbprint = Base64URL.encode(Data(digest))
            } else {
                der = []
                digest = []
                thumbprint = ""
            }
        }
    }

    private let parts: Parts
    /// The leaf certificate.
    var certificate: Certificate { parts.certificate }
    /// A sentence on the chain: verified to which anchor, or left to the proxy.
    var chain: String { parts.chain }
    /// `x5t#S256`: the base64url SHA-256 of the leaf's DER (RFC 8705), for the access token's `cnf`.
    var thumbprint: String { parts.thumbprint }
    /// The subject's CN, OU and organizationIdentifier values, in encoding order.
    var commonNames: [String] { parts.commonNames }
    var units: [String] { parts.units }
    var organizationIdentifiers: [String] { parts.organizationIdentifiers }
    /// The subject's UID values (ICP-Brasil).
    var userIDs: [String] { parts.userIDs }
    /// The subject, normalised for comparison with a registered DN.
    var comparableSubject: ComparableDistinguishedName { parts.comparableSubject }
    /// The leaf's DER and its SHA-256 (the revocation cache's key).
    var der: [UInt8] { parts.der }
    var digest: [UInt8] { parts.digest }
    /// The DER of the certificate that issued the leaf (the next one of its verified chain, or
    /// the one the proxy forwarded), for its revocation check; `nil` when not known.
    var issuerDER: [UInt8]? { parts.issuerDER }
    /// Its key in the verified-chain cache, when it came through one.
    var cacheKey: String?
    /// Registered subject DNs (as sent) already found to name its subject, as the cache knew
    /// them when it was looked up.
    var knownSubjectDNs: [String] = []

    init(certificate: Certificate, chain: String, issuer: Certificate? = nil, cacheKey: String? = nil) {
        parts = Parts(certificate: certificate, chain: chain, issuer: issuer)
        self.cacheKey = cacheKey
    }
}

/// What the checks of a certificate's standing came to: `certificate_revocation` and
/// `transport_key`, the same at registration and at token time.
struct CertificateStanding: Sendable {
    /// The two checks (skipped when not configured).
    var checks: [Check] = []
    /// The failure that decides: a refusal (reject, deny) beats a missing answer (undecided).
    var failure: (name: Check.Name, refused: Bool, detail: String)?
    /// The revocation check's sentence, for the audit record.
    var revocation: String?
}

extension ClientCertificateRule {
    /// Whether `presented` (which met the rule) is still standing: not revoked, and published
    /// in the software's key set at `endpoint` and not in `revokedEndpoint`.
    func standing(of presented: PresentedCertificate, endpoint: String?, revokedEndpoint: String?) async -> CertificateStanding {
        // One after the other: on the warm path both are cache reads, and two child tasks
        // would cost more than either (callgrind); a cold registration pays both round trips.
        let revoked = await revocationOutcome(presented)
        let published = await transportKeyOutcome(presented, endpoint: endpoint, revokedEndpoint: revokedEndpoint)
        var standing = CertificateStanding()
        // Each outcome noted in turn (no array of tuples: a generic tuple's metadata is looked
        // up at run time on every call).
        func note(_ name: Check.Name, _ outcome: RuleOutcome?, off: String) {
            switch outcome {
            case nil:
                standing.checks.append(Check(name, .skip, off))
            case .passed(let detail)?:
                standing.checks.append(Check(name, .pass, detail))
            case .refused(let detail)?:
                standing.checks.append(Check(name, .fail, detail))
                if standing.failure?.refused != true { standing.failure = (name, true, detail) }
            case .unavailable(let detail)?:
                standing.checks.append(Check(name, .fail, detail))
                if standing.failure == nil { standing.failure = (name, false, detail) }
            }
        }
        note(.certificateRevocation, revoked, off: "not checked (revocationCheck=off)")
        note(.transportKey, published, off: "not checked (transportKeyBinding=off)")
        standing.revocation = revoked?.detail
        return standing
    }
}
