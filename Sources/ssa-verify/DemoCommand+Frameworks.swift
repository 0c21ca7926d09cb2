import DirectorySandbox
import Foundation
import SSAToolkit

// The demo's Open Finance Brasil and CDR samples: for each framework one accepted and one refused
// registration and one token decision, through the runtime that decides Open Banking UK's.

extension DemoCommand {
    /// Runs the framework samples, numbered from `first`, showing each through `show`; returns how
    /// many were decided and how many were not as expected.
    func frameworkSamples(_ sandbox: DirectorySandbox, runtime: ToolkitRuntime, fixtures: DirectorySandbox.Fixtures, first: Int,
                          show: (Int, String, String, String, String) -> Void) async throws -> (decided: Int, failures: Int) {
        typealias F = SandboxFrameworks
        let report = TextReport(style: .forStandardOutput)
        var number = first
        var failures = 0
        func register(_ title: String, expected: RegistrationDecision.Verdict, ssa: String, softwareID: String, pem: String, scope: String, redirect: String) async throws {
            var tpp = try SandboxTPP(fixtures: fixtures)
            tpp.softwareID = softwareID
            let request = try tpp.requestJWT(ssa: ssa, changes: ["redirect_uris": [.string(redirect)], "scope": .string(scope),
                                                                 "token_endpoint_auth_method": "private_key_jwt", "tls_client_auth_subject_dn": .null])
            let decision = await runtime.registrationDecider.decide(RegistrationInput(request: request, clientCertificatePEM: pem))
            show(number, title, expected.rawValue, decision.json.prettySerialized(leadingKeys: RegistrationDecision.jsonLeadingKeys), report.render(decision))
            number += 1
            if decision.verdict != expected { failures += 1 }
        }
        func token(_ title: String, _ call: TokenRequest, check: (TokenDecision) -> Bool) async {
            let decision = await runtime.tokenDecider.decide(call)
            show(number, title, "allow", decision.json.prettySerialized(leadingKeys: TokenDecision.jsonLeadingKeys), report.render(decision))
            number += 1
            if decision.verdict != .allow || !check(decision) { failures += 1 }
        }

        // Open Finance Brasil: an ICP-Brasil certificate (UID, organizationIdentifier OFBBR-).
        let brasil = try sandbox.issueFrameworkCertificate(.brasilTransport).chainPEM
        let brasilRedirect = "https://www.fintech-exemplo.com.br/callback"
        try await register("Open Finance Brasil: Fintech Exemplo registers (PS256 SSA under 5 minutes old, active in the participants list)", expected: .accept,
                           ssa: try sandbox.issueSoftwareStatement(framework: .openFinanceBrasil), softwareID: F.brasilSoftwareID, pem: brasil,
                           scope: "openid accounts payments", redirect: brasilRedirect)
        try await register("Open Finance Brasil: the same registration presented with another participant's ICP-Brasil certificate", expected: .reject,
                           ssa: try sandbox.issueSoftwareStatement(framework: .openFinanceBrasil), softwareID: F.brasilSoftwareID,
                           pem: try sandbox.issueFrameworkCertificate(.brasilOther).chainPEM, scope: "openid accounts payments", redirect: brasilRedirect)
        sandbox.updateBrasilOrganisation(F.brasilOrganisationID, roles: ["PAGTO": "Inactive"])
        await token("Open Finance Brasil: the participants list marks PAGTO Inactive: payments is removed from the next token",
                    TokenRequest(clientID: F.brasilSoftwareID, softwareID: F.brasilSoftwareID, organisationID: F.brasilOrganisationID, tokenEndpointAuthMethod: "private_key_jwt",
                                 grantType: "authorization_code", scopes: ["openid", "accounts", "payments"], userID: "user-1", clientCertificatePEM: brasil,
                                 ssaIssuer: F.brasilIssuer, softwareJWKSEndpoint: sandbox.softwareJWKSURL(F.brasilSoftwareID).absoluteString)) {
            $0.removedScopes == ["payments"] && $0.grantedScopes == ["openid", "accounts"]
        }

        // The CDR: a data recipient certificate, bound to tokens by holder-of-key.
        let cdr = try sandbox.issueFrameworkCertificate(.cdrTransport).chainPEM
        let cdrRedirect = "https://budgeting.example.com.au/callback"
        try await register("the CDR: Example Budgeting registers with the Register's SSA (scopes within its scope; ACTIVE in both status lists)", expected: .accept,
                           ssa: try sandbox.issueSoftwareStatement(framework: .cdrAU), softwareID: F.cdrSoftwareID, pem: cdr,
                           scope: "openid bank:accounts.basic:read bank:transactions:read", redirect: cdrRedirect)
        try await register("the CDR: an SSA the Register issued 20 minutes ago (expired 10 minutes after issue)", expected: .reject,
                           ssa: try sandbox.issueSoftwareStatement(framework: .cdrAU, issuedAt: Date().addingTimeInterval(-1200)), softwareID: F.cdrSoftwareID, pem: cdr,
                           scope: "openid bank:accounts.basic:read", redirect: cdrRedirect)
        let ssaScope = ["openid", "profile", "bank:accounts.basic:read", "bank:accounts.detail:read", "bank:transactions:read", "common:customer.basic:read"]
        await token("the CDR: a token asking for bank:payees:read, outside the SSA's scope: granted without it, bound to the certificate",
                    TokenRequest(clientID: F.cdrSoftwareID, softwareID: F.cdrSoftwareID, organisationID: F.cdrBrandID, tokenEndpointAuthMethod: "private_key_jwt",
                                 grantType: "authorization_code", scopes: ["openid", "bank:accounts.basic:read", "bank:payees:read"], userID: "user-1",
                                 clientCertificatePEM: cdr, ssaIssuer: F.cdrIssuer, legalEntityID: F.cdrLegalEntityID, softwareStatementScopes: ssaScope)) {
            $0.removedScopes == ["bank:payees:read"] && $0.accessTokenClaims["cnf"] != nil
        }
        return (number - first, failures)
    }
}
