import DirectorySandbox
import Foundation
@testable import SSAToolkit
import SSAToolkitTestSupport
import Testing
import X509

/// Open Finance Brasil and the CDR beside Open Banking UK, in one runtime that trusts the three
/// directories the sandbox is (three issuers): each framework's accepted, rejected and undecided
/// registrations, and its token-time allow, narrowing and deny, with the toolkit's own defaults
/// (revocation checked, transport keys bound where the framework publishes them).
@Suite("Trust frameworks: Open Finance Brasil and the CDR beside Open Banking UK")
struct TrustFrameworkDecisionTests {
    static let fixtures = RegistrationDeciderTests.fixtures
    typealias F = SandboxFrameworks

    /// A runtime trusting all three of `sandbox`'s directories, with the toolkit's defaults.
    static func runtime(_ sandbox: DirectorySandbox, _ overrides: [String: String] = [:]) throws -> ToolkitRuntime {
        var properties: [String: String] = [:]
        for (name, value) in sandbox.allFrameworksConfigurationJSON().objectValue! { properties[name] = value.stringValue ?? value.serialized() }
        properties["revocationWhenUnpublished"] = nil
        properties["transportKeyBinding"] = nil
        properties.merge(overrides) { _, new in new }
        return try ToolkitRuntime(configuration: try ToolkitConfiguration(properties: properties, baseDirectory: nil), environment: [:])
    }

    /// A registration of `ssa` by software `softwareID` presenting `pem`: a request JWT signed
    /// with the software's key, private_key_jwt, the SSA's first redirect URI, `scope`.
    static func register(_ runtime: ToolkitRuntime, ssa: String, softwareID: String, pem: String, scope: String, redirect: String,
                         changes: [String: JSONValue] = [:]) async throws -> RegistrationDecision {
        var tpp = try SandboxTPP(fixtures: fixtures)
        tpp.softwareID = softwareID
        var metadata: [String: JSONValue] = ["redirect_uris": [.string(redirect)], "scope": .string(scope), "token_endpoint_auth_method": "private_key_jwt",
                                             "tls_client_auth_subject_dn": .null]
        for (name, value) in changes { metadata[name] = value }
        return await runtime.registrationDecider.decide(RegistrationInput(request: try tpp.requestJWT(ssa: ssa, changes: metadata), clientCertificatePEM: pem))
    }

    static let brasilRedirect = "https://www.fintech-exemplo.com.br/callback"
    static let cdrRedirect = "https://budgeting.example.com.au/callback"

    static func brasilToken(_ sandbox: DirectorySandbox, _ pem: String, scopes: [String] = ["openid", "accounts", "payments", "consents"]) -> TokenRequest {
        TokenRequest(clientID: F.brasilSoftwareID, softwareID: F.brasilSoftwareID, organisationID: F.brasilOrganisationID, tokenEndpointAuthMethod: "private_key_jwt",
                     grantType: "authorization_code", scopes: scopes, userID: "user-1", clientCertificatePEM: pem, ssaIssuer: F.brasilIssuer,
                     softwareJWKSEndpoint: sandbox.softwareJWKSURL(F.brasilSoftwareID).absoluteString)
    }

    static let cdrScope = "openid profile bank:accounts.basic:read bank:accounts.detail:read bank:transactions:read common:customer.basic:read"

    static func cdrToken(_ pem: String, scopes: [String] = ["openid", "bank:accounts.basic:read", "bank:transactions:read"], legalEntity: String? = F.cdrLegalEntityID,
                         ssaScope: String? = cdrScope) -> TokenRequest {
        TokenRequest(clientID: F.cdrSoftwareID, softwareID: F.cdrSoftwareID, organisationID: F.cdrBrandID, tokenEndpointAuthMethod: "private_key_jwt",
                     grantType: "authorization_code", scopes: scopes, userID: "user-1", clientCertificatePEM: pem, ssaIssuer: F.cdrIssuer,
                     legalEntityID: legalEntity, softwareStatementScopes: ssaScope.map { $0.split(separator: " ").map(String.init) })
    }

    static func failure(_ decision: RegistrationDecision) -> String { decision.failedCheck.map { "\($0.name): \($0.detail)" } ?? "no failure" }
    static func failure(_ decision: TokenDecision) -> String { decision.failedCheck.map { "\($0.name): \($0.detail)" } ?? "no failure" }

    @Test("Open Finance Brasil: accepted; rejected for a bad signature, a stale SSA, a wrong issuer, a revoked participant, a role no longer Active, a scope outside the roles, another participant's certificate")
    func brasilRegistration() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            sandbox.setPublishedLists(maxAge: 0)
            let runtime = try Self.runtime(sandbox)
            let pem = try sandbox.issueFrameworkCertificate(.brasilTransport).chainPEM
            func register(_ ssa: String, pem: String = pem, scope: String = "openid accounts payments") async throws -> RegistrationDecision {
                try await Self.register(runtime, ssa: ssa, softwareID: F.brasilSoftwareID, pem: pem, scope: scope, redirect: Self.brasilRedirect)
            }
            let accepted = try await register(try sandbox.issueSoftwareStatement(framework: .openFinanceBrasil))
            #expect(accepted.verdict == .accept, "\(Self.failure(accepted))")
            #expect(accepted.directory == F.brasilIssuer)
            #expect(accepted.checks.first { $0.name == .clientCertificate }?.detail.contains("belongs to software \(F.brasilSoftwareID)") == true)
            #expect(accepted.checks.first { $0.name == .organisation }?.detail.contains("roles DADOS PAGTO Active") == true, "\(accepted.checks.first { $0.name == .organisation }?.detail ?? "")")
            #expect(accepted.checks.first { $0.name == .certificateRevocation }?.outcome == .pass)
            #expect(accepted.checks.first { $0.name == .transportKey }?.outcome == .pass)
            #expect(accepted.auditRecord(at: Date()).members["trust_framework"] == "open-finance-brasil")

            // Signed by a key the directory does not publish (joserfc made it): the signature.
            let forged = try Fixtures.string("frameworks/brasil-bad-signature.jwt")
            let badSignature = try await register(forged)
            #expect(badSignature.verdict == .reject && badSignature.error == .invalidSoftwareStatement && badSignature.failedCheck?.name == .signature, "\(Self.failure(badSignature))")
            let stale = try await register(try sandbox.issueSoftwareStatement(framework: .openFinanceBrasil, issuedAt: Date().addingTimeInterval(-400)))
            #expect(stale.verdict == .reject && stale.failedCheck?.name == .age && stale.failedCheck?.detail.contains("at most 5 min") == true, "\(Self.failure(stale))")
            let wrongIssuer = try await register(try sandbox.issueSoftwareStatement(framework: .openFinanceBrasil, changes: ["iss": "Some Other Directory"]))
            #expect(wrongIssuer.verdict == .reject && wrongIssuer.error == .unapprovedSoftwareStatement && wrongIssuer.failedCheck?.name == .issuer)
            let scope = try await register(try sandbox.issueSoftwareStatement(framework: .openFinanceBrasil), scope: "openid accounts fundsconfirmations")
            #expect(scope.verdict == .reject && scope.error == .invalidClientMetadata && scope.failedCheck?.name == .scope, "\(Self.failure(scope))")
            let other = try sandbox.issueFrameworkCertificate(.brasilOther).chainPEM
            let otherCertificate = try await register(try sandbox.issueSoftwareStatement(framework: .openFinanceBrasil), pem: other)
            #expect(otherCertificate.verdict == .reject && otherCertificate.failedCheck?.name == .clientCertificate, "\(Self.failure(otherCertificate))")
            #expect(otherCertificate.failedCheck?.detail.contains("UID") == true)

            sandbox.updateBrasilOrganisation(F.brasilOrganisationID, roles: ["PAGTO": "Inactive"])
            let role = try await register(try sandbox.issueSoftwareStatement(framework: .openFinanceBrasil))
            #expect(role.verdict == .reject && role.error == .unapprovedSoftwareStatement && role.failedCheck?.name == .organisation, "\(Self.failure(role))")
            #expect(role.failedCheck?.detail.contains("no Active role claim for PAGTO") == true)
            sandbox.updateBrasilOrganisation(F.brasilOrganisationID, status: "Revoked", roles: ["PAGTO": "Active"])
            let revoked = try await register(try sandbox.issueSoftwareStatement(framework: .openFinanceBrasil))
            #expect(revoked.verdict == .reject && revoked.error == .unapprovedSoftwareStatement && revoked.failedCheck?.name == .organisation, "\(Self.failure(revoked))")
            #expect(revoked.failedCheck?.detail.contains("\"Revoked\"") == true)
            // Its twin, back to Active: accepted again (the list was revalidated, not refetched whole).
            sandbox.updateBrasilOrganisation(F.brasilOrganisationID, status: "Active")
            #expect(try await register(try sandbox.issueSoftwareStatement(framework: .openFinanceBrasil)).verdict == .accept)
            #expect(sandbox.counts()["/brasil/participants 304"] == nil)
            #expect(try await register(try sandbox.issueSoftwareStatement(framework: .openFinanceBrasil)).verdict == .accept)
            #expect(sandbox.counts()["/brasil/participants 304"] == 1, "an unchanged list is answered 304 to If-None-Match, and the cached one serves")
        }
    }

    @Test("Open Finance Brasil and the CDR: a status source down or malformed is undecided at both moments, never an accept; an unknown status value too")
    func undecided() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            sandbox.setPublishedLists(maxAge: 0)
            let runtime = try Self.runtime(sandbox)
            let brasil = try sandbox.issueFrameworkCertificate(.brasilTransport).chainPEM
            let cdr = try sandbox.issueFrameworkCertificate(.cdrTransport).chainPEM
            for mode in [SandboxFrameworks.ListMode.down, .malformed] {
                sandbox.setPublishedLists(mode: mode)
                let registration = try await Self.register(runtime, ssa: try sandbox.issueSoftwareStatement(framework: .openFinanceBrasil), softwareID: F.brasilSoftwareID,
                                                           pem: brasil, scope: "openid accounts", redirect: Self.brasilRedirect)
                #expect(registration.verdict == .undecided && registration.error == .temporarilyUnavailable && registration.httpStatus == 503, "\(mode): \(Self.failure(registration))")
                let token = await runtime.tokenDecider.decide(Self.brasilToken(sandbox, brasil))
                #expect(token.verdict == .undecided && token.httpStatus == 503, "\(mode): \(Self.failure(token))")
                let cdrRegistration = try await Self.register(runtime, ssa: try sandbox.issueSoftwareStatement(framework: .cdrAU), softwareID: F.cdrSoftwareID,
                                                              pem: cdr, scope: "openid bank:accounts.basic:read", redirect: Self.cdrRedirect)
                #expect(cdrRegistration.verdict == .undecided, "\(mode): \(Self.failure(cdrRegistration))")
                #expect(await runtime.tokenDecider.decide(Self.cdrToken(cdr)).verdict == .undecided)
            }
            sandbox.setPublishedLists(mode: .ok)
            sandbox.updateCDRProduct(F.cdrSoftwareID, status: "PENDING_REVIEW")
            let unknown = await runtime.tokenDecider.decide(Self.cdrToken(cdr))
            #expect(unknown.verdict == .undecided && unknown.failedCheck?.name == .softwareActive && unknown.failedCheck?.detail.contains("never read as active") == true, "\(Self.failure(unknown))")
            sandbox.updateCDRProduct(F.cdrSoftwareID, status: "ACTIVE")
            // The twins: the same calls with the lists back, allowed and accepted.
            #expect(await runtime.tokenDecider.decide(Self.cdrToken(cdr)).verdict == .allow)
            #expect(await runtime.tokenDecider.decide(Self.brasilToken(sandbox, brasil)).verdict == .allow)
        }
    }

    @Test("Open Finance Brasil at token time: allowed with the roles Active now; a role made Inactive narrows its scopes away; a suspended organisation is denied")
    func brasilToken() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            sandbox.setPublishedLists(maxAge: 0)
            let runtime = try Self.runtime(sandbox)
            let pem = try sandbox.issueFrameworkCertificate(.brasilTransport).chainPEM
            let allowed = await runtime.tokenDecider.decide(Self.brasilToken(sandbox, pem))
            #expect(allowed.verdict == .allow, "\(Self.failure(allowed))")
            #expect(allowed.grantedScopes == ["openid", "accounts", "payments", "consents"] && allowed.removedScopes.isEmpty)
            #expect(allowed.accessTokenClaims["cnf"] != nil && allowed.directory == F.brasilIssuer)
            #expect(allowed.auditRecord(at: Date()).members["trust_framework"] == "open-finance-brasil")

            sandbox.updateBrasilOrganisation(F.brasilOrganisationID, roles: ["PAGTO": "Inactive"])
            let narrowed = await runtime.tokenDecider.decide(Self.brasilToken(sandbox, pem))
            #expect(narrowed.verdict == .allow && narrowed.grantedScopes == ["openid", "accounts", "consents"] && narrowed.removedScopes == ["payments"], "\(Self.failure(narrowed))")
            let none = await runtime.tokenDecider.decide(Self.brasilToken(sandbox, pem, scopes: ["openid", "payments"]))
            #expect(none.verdict == .deny && none.failedCheck?.name == .roles && none.error == .accessDenied, "\(Self.failure(none))")

            sandbox.updateBrasilOrganisation(F.brasilOrganisationID, status: "Suspended", roles: ["PAGTO": "Active"])
            let suspended = await runtime.tokenDecider.decide(Self.brasilToken(sandbox, pem))
            #expect(suspended.verdict == .deny && suspended.error == .accessDenied && suspended.failedCheck?.name == .organisation && suspended.httpStatus == 403, "\(Self.failure(suspended))")
            // Another participant's certificate: the same binding rule as registration.
            sandbox.updateBrasilOrganisation(F.brasilOrganisationID, status: "Active")
            let other = try sandbox.issueFrameworkCertificate(.brasilOther).chainPEM
            let otherCertificate = await runtime.tokenDecider.decide(Self.brasilToken(sandbox, other))
            #expect(otherCertificate.verdict == .deny && otherCertificate.failedCheck?.name == .certificate, "\(Self.failure(otherCertificate))")
        }
    }

    @Test("the CDR: accepted; rejected for a bad signature, an expired or long-lived SSA, a wrong issuer, a revoked data recipient, a scope outside the SSA's, another participant's certificate")
    func cdrRegistration() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            sandbox.setPublishedLists(maxAge: 0)
            let runtime = try Self.runtime(sandbox)
            let pem = try sandbox.issueFrameworkCertificate(.cdrTransport).chainPEM
            func register(_ ssa: String, pem: String = pem, scope: String = "openid bank:accounts.basic:read bank:transactions:read",
                          changes: [String: JSONValue] = [:]) async throws -> RegistrationDecision {
                try await Self.register(runtime, ssa: ssa, softwareID: F.cdrSoftwareID, pem: pem, scope: scope, redirect: Self.cdrRedirect, changes: changes)
            }
            let accepted = try await register(try sandbox.issueSoftwareStatement(framework: .cdrAU))
            #expect(accepted.verdict == .accept, "\(Self.failure(accepted))")
            #expect(accepted.checks.first { $0.name == .clientCertificate }?.detail.contains("holder-of-key") == true)
            #expect(accepted.checks.first { $0.name == .softwareActive }?.detail.contains("\"ACTIVE\" in the CDR Register") == true)
            #expect(accepted.checks.first { $0.name == .transportKey }?.outcome == .skip, "the CDR publishes no transport key set")
            #expect(accepted.auditRecord(at: Date()).members["trust_framework"] == "cdr-au")

            let forged = try Fixtures.string("frameworks/cdr-bad-signature.jwt")
            #expect(try await register(forged).failedCheck?.name == .signature)
            let expired = try await register(try sandbox.issueSoftwareStatement(framework: .cdrAU, issuedAt: Date().addingTimeInterval(-1200)))
            #expect(expired.verdict == .reject && expired.failedCheck?.name == .expiry, "\(Self.failure(expired))")
            let longLived = try await register(try sandbox.issueSoftwareStatement(framework: .cdrAU, changes: ["exp": .number(Date().timeIntervalSince1970.rounded(.down) + 86_400)]))
            #expect(longLived.verdict == .reject && longLived.failedCheck?.name == .expiry && longLived.failedCheck?.detail.contains("live at most") == true, "\(Self.failure(longLived))")
            let noExpiry = try await register(try sandbox.issueSoftwareStatement(framework: .cdrAU, changes: ["exp": .null]))
            #expect(noExpiry.verdict == .reject && noExpiry.failedCheck?.name == .expiry)
            let wrongIssuer = try await register(try sandbox.issueSoftwareStatement(framework: .cdrAU, changes: ["iss": "not-the-register"]))
            #expect(wrongIssuer.verdict == .reject && wrongIssuer.failedCheck?.name == .issuer)
            let scope = try await register(try sandbox.issueSoftwareStatement(framework: .cdrAU), scope: "openid bank:payees:read")
            #expect(scope.verdict == .reject && scope.failedCheck?.name == .scope && scope.failedCheck?.detail.contains("not within the software statement's scope") == true, "\(Self.failure(scope))")
            // tls_client_auth registers the certificate's DN: another recipient's certificate does not match it.
            let own = try Certificate(pemEncoded: pem.components(separatedBy: "-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----")
            let other = try sandbox.issueFrameworkCertificate(.cdrOther).chainPEM
            let otherCertificate = try await register(try sandbox.issueSoftwareStatement(framework: .cdrAU), pem: other,
                                                      changes: ["token_endpoint_auth_method": "tls_client_auth",
                                                                "tls_client_auth_subject_dn": .string(ComparableDistinguishedName.registrationForm(of: own.subject))])
            #expect(otherCertificate.verdict == .reject && otherCertificate.failedCheck?.name == .subjectDN, "\(Self.failure(otherCertificate))")

            sandbox.updateCDRRecipient(F.cdrLegalEntityID, status: "REVOKED")
            let revoked = try await register(try sandbox.issueSoftwareStatement(framework: .cdrAU))
            #expect(revoked.verdict == .reject && revoked.error == .unapprovedSoftwareStatement && revoked.failedCheck?.name == .organisation, "\(Self.failure(revoked))")
            sandbox.updateCDRRecipient(F.cdrLegalEntityID, status: "ACTIVE")
            sandbox.updateCDRProduct(F.cdrSoftwareID, status: "REMOVED")
            let removed = try await register(try sandbox.issueSoftwareStatement(framework: .cdrAU))
            #expect(removed.verdict == .reject && removed.failedCheck?.name == .softwareActive, "\(Self.failure(removed))")
        }
    }

    @Test("the CDR at token time: allowed within the SSA's scope; a scope outside it narrowed away; a suspended data recipient or inactive product denied; no legal_entity_id denied")
    func cdrToken() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            sandbox.setPublishedLists(maxAge: 0)
            let runtime = try Self.runtime(sandbox)
            let pem = try sandbox.issueFrameworkCertificate(.cdrTransport).chainPEM
            let allowed = await runtime.tokenDecider.decide(Self.cdrToken(pem))
            #expect(allowed.verdict == .allow && allowed.removedScopes.isEmpty, "\(Self.failure(allowed))")
            #expect(allowed.accessTokenClaims["cnf"] != nil, "holder-of-key: the token is bound to the certificate")
            let narrowed = await runtime.tokenDecider.decide(Self.cdrToken(pem, scopes: ["openid", "bank:accounts.basic:read", "bank:payees:read"]))
            #expect(narrowed.verdict == .allow && narrowed.grantedScopes == ["openid", "bank:accounts.basic:read"] && narrowed.removedScopes == ["bank:payees:read"], "\(Self.failure(narrowed))")
            sandbox.updateCDRRecipient(F.cdrLegalEntityID, status: "SUSPENDED")
            let suspended = await runtime.tokenDecider.decide(Self.cdrToken(pem))
            #expect(suspended.verdict == .deny && suspended.failedCheck?.name == .organisation && suspended.error == .accessDenied, "\(Self.failure(suspended))")
            sandbox.updateCDRRecipient(F.cdrLegalEntityID, status: "ACTIVE")
            sandbox.updateCDRProduct(F.cdrSoftwareID, status: "INACTIVE")
            let inactive = await runtime.tokenDecider.decide(Self.cdrToken(pem))
            #expect(inactive.verdict == .deny && inactive.failedCheck?.name == .softwareActive, "\(Self.failure(inactive))")
            sandbox.updateCDRProduct(F.cdrSoftwareID, status: "ACTIVE")
            #expect(await runtime.tokenDecider.decide(Self.cdrToken(pem, legalEntity: nil)).verdict == .deny)
            #expect(await runtime.tokenDecider.decide(Self.cdrToken(pem, ssaScope: nil)).verdict == .deny)
            #expect(await runtime.tokenDecider.decide(Self.cdrToken(pem)).verdict == .allow)
        }
    }

    @Test("one fetch of each status list serves every decision until it expires: 200 concurrent CDR token decisions, two fetches")
    func singleFlight() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let runtime = try Self.runtime(sandbox)
            let pem = try sandbox.issueFrameworkCertificate(.cdrTransport).chainPEM
            let verdicts = await withTaskGroup(of: TokenDecision.Verdict.self) { group in
                for _ in 0..<200 { group.addTask { await runtime.tokenDecider.decide(Self.cdrToken(pem)).verdict } }
                return await group.reduce(into: [TokenDecision.Verdict]()) { $0.append($1) }
            }
            #expect(verdicts.count == 200 && verdicts.allSatisfy { $0 == .allow })
            #expect(sandbox.counts()["/cdr/recipients"] == 1 && sandbox.counts()["/cdr/products"] == 1, "\(sandbox.counts())")
        }
    }

    @Test("a participants list of several megabytes (larger than any other answer the toolkit reads) is read, parsed once and cached")
    func largeList() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            sandbox.addBrasilOrganisations(8_000)
            let runtime = try Self.runtime(sandbox)
            let pem = try sandbox.issueFrameworkCertificate(.brasilTransport).chainPEM
            for _ in 0..<3 {
                let decision = await runtime.tokenDecider.decide(Self.brasilToken(sandbox, pem))
                #expect(decision.verdict == .allow, "\(Self.failure(decision))")
            }
            #expect(sandbox.counts()["/brasil/participants"] == 1)
            // The list really is larger than the 1 MiB every other client accepts.
            var configuration = TransportConfiguration.mutualTLS(
                identity: try TransportIdentity(pkcs12: KeyStoreLocation(path: Fixtures.url("stores/transport.p12").path), password: Secret("changeit")),
                trust: try TrustStore(pkcs12: KeyStoreLocation(path: Fixtures.url("stores/trust.p12").path), password: Secret("changeit")))
            configuration.maximumResponseBytes = 64 << 20
            let list = try await HTTPSClient(configuration: configuration).get(sandbox.participantsURL)
            #expect(list.body.count > 1 << 21, "\(list.body.count) bytes")
        }
    }

    @Test("a list past its lifetime serves while the publisher fails only within statusStaleIfErrorSeconds, saying so; never without it")
    func staleIfError() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            sandbox.setPublishedLists(maxAge: 0)
            let stale = try Self.runtime(sandbox, ["statusStaleIfErrorSeconds": "60"])
            let strict = try Self.runtime(sandbox)
            let pem = try sandbox.issueFrameworkCertificate(.cdrTransport).chainPEM
            #expect(await stale.tokenDecider.decide(Self.cdrToken(pem)).verdict == .allow)
            #expect(await strict.tokenDecider.decide(Self.cdrToken(pem)).verdict == .allow)
            sandbox.setPublishedLists(mode: .down)
            let served = await stale.tokenDecider.decide(Self.cdrToken(pem))
            #expect(served.verdict == .allow && served.checks.first { $0.name == .organisation }?.detail.contains("a stale list, used because the CDR Register failed") == true,
                    "\(served.checks.first { $0.name == .organisation }?.detail ?? "")")
            #expect(await strict.tokenDecider.decide(Self.cdrToken(pem)).verdict == .undecided)
        }
    }

    @Test("configuration: trustFramework names the framework and its status source is required; an entry of another framework does not inherit the top-level issuer")
    func configuration() throws {
        func load(_ properties: [String: String]) throws -> ToolkitConfiguration { try ToolkitConfiguration(properties: properties, baseDirectory: nil) }
        let base = ["jwks_endpoint": "https://keys.example/jwks"]
        #expect(try load(base).directories[0].trustFramework == .openBankingUK)
        #expect(try load(base).directories[0].issuer == "OpenBanking Ltd")
        let brasil = try load(base.merging(["trustFramework": "open-finance-brasil", "participantsUrl": "https://data.example/participants"]) { $1 })
        #expect(brasil.directories[0].trustFramework == .openFinanceBrasil && brasil.directories[0].issuer == TrustFramework.openFinanceBrasil.defaultIssuer)
        #expect(throws: ConfigurationError.self) { try load(base.merging(["trustFramework": "open-finance-brasil"]) { $1 }) }
        #expect(throws: ConfigurationError.self) { try load(base.merging(["trustFramework": "cdr-au"]) { $1 }) }
        #expect(throws: ConfigurationError.self) { try load(base.merging(["trustFramework": "open-banking-uk"]) { $1 }) }
        #expect(throws: ConfigurationError.self) { try load(base.merging(["trustFramework": "cdr-au", "registerUrl": "https://r.example", "registerIndustry": "mining"]) { $1 }) }
        let several = try load(base.merging(["issuer": "OpenBanking Ltd", "trustedDirectories":
            #"[{"issuer": "OpenBanking Ltd", "jwks_endpoint": "https://a.example/jwks"}, {"trustFramework": "cdr-au", "registerUrl": "https://api.cdr.example", "jwks_endpoint": "https://b.example/jwks"}]"#]) { $1 })
        #expect(several.directories.map(\.issuer) == ["OpenBanking Ltd", "cdr-register"])
        #expect(several.directories[1].registerIndustry == "banking" && several.revocation.whenUnpublished(for: .cdrAU) == .allow && several.revocation.whenUnpublished(for: .openBankingUK) == .reject)
        #expect(try load(base.merging(["revocationWhenUnpublished": "reject"]) { $1 }).revocation.whenUnpublished(for: .cdrAU) == .reject)
    }

    @Test("Open Banking UK in the same runtime: decided exactly as before, by its own directory")
    func openBankingUK() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let runtime = try Self.runtime(sandbox, ["revocationWhenUnpublished": "allow"])
            let tpp = try SandboxTPP(fixtures: Self.fixtures)
            let decision = await runtime.registrationDecider.decide(RegistrationInput(request: try tpp.requestJWT(ssa: try sandbox.issueSoftwareStatement()),
                                                                                      clientCertificatePEM: sandbox.transportCertificate.chainPEM))
            #expect(decision.verdict == .accept && decision.directory == "OpenBanking Ltd", "\(Self.failure(decision))")
            #expect(decision.auditRecord(at: Date()).members["trust_framework"] == "openbanking-uk")
            #expect(sandbox.counts()["/brasil/participants"] == nil && sandbox.counts()["/cdr/recipients"] == nil)
        }
    }
}
