import Crypto
import Foundation
import Logging
import X509

extension TokenDecider {
    /// The client certificate rule (chain, validity, binding to the client's software) and, for
    /// `tls_client_auth`, the registered DN; the thumbprint for `cnf` on success.
    /// A certificate that passed: its thumbprint and the check's sentence (a struct, not a
    /// tuple: a generic tuple's metadata is looked up at run time on every call).
    struct AcceptedCertificate {
        var thumbprint: String
        var detail: String
        var presented: PresentedCertificate
    }

    func certificateCheck(_ pem: String, request: TokenRequest, rule: ClientCertificateRule, at now: Date) async -> Result<AcceptedCertificate, RuleFailure> {
        let presented: PresentedCertificate
        switch await rule.check(pem: pem, softwareID: request.softwareID, organisationID: request.organisationID, at: now) {
        case .success(let value): presented = value
        case .failure(let failure): return .failure(failure)
        }
        var registered = ""
        if request.tokenEndpointAuthMethod?.isByteIdentical(to: "tls_client_auth") == true {
            guard let dn = request.registeredSubjectDN, !dn.isEmpty else {
                return .failure(RuleFailure("tls_client_auth client without a registered tls_client_auth_subject_dn"))
            }
            if let problem = rule.subjectDNProblem(dn, presented: presented) { return .failure(problem) }
            registered = ", the registered subject DN"
        }
        guard !presented.thumbprint.isEmpty else { return .failure(RuleFailure("the client certificate cannot be encoded")) }
        // The sentence only when the answer carries it (Prefer: return=minimal leaves it out).
        guard request.checkDetails.explains(.pass) else { return .success(AcceptedCertificate(thumbprint: presented.thumbprint, detail: "", presented: presented)) }
        let binding = switch (rule.bindsToSoftware, rule.binding) {
        case (false, _): "accepted (clientCertificateBinding=none\(registered))"
        case (true, .openBankingUK): "the client's (CN \(request.softwareID), OU \(request.organisationID)\(registered))"
        case (true, .icpBrasil): "the client's (UID \(request.softwareID), organizationIdentifier OFBBR-\(request.organisationID)\(registered))"
        case (true, .holderOfKey): "chains to the framework's CA; the token is bound to it (holder-of-key\(registered))"
        }
        return .success(AcceptedCertificate(thumbprint: presented.thumbprint, detail: "\(binding); \(presented.chain); x5t#S256 \(presented.thumbprint)", presented: presented))
    }
}
