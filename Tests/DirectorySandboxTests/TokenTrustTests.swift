import DirectorySandbox
import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// Token time trusts exactly what registration trusts: each hostile input a security review
/// tried at token time is refused here, beside its passing twin (the right certificate, method,
/// grant and scope still get `allow`). The certificates are made by OpenSSL.
@Suite("Token time trusts what registration trusts")
struct TokenTrustTests {
    typealias Base = TokenDeciderTests

    static func detail(_ decision: TokenDecision) -> String { Base.detail(decision) }

    /// A call of the registered `tls_client_auth` client with `certificate`, or `method` instead.
    static func request(certificate: String?, method: String = "tls_client_auth", grantType: String = "authorization_code",
                        scopes: [String] = ["openid", "accounts", "payments"]) -> TokenRequest {
        var request = Base.request(scopes: scopes, grantType: grantType, certificate: certificate, userID: grantType == "client_credentials" ? nil : "user-1")
        request.tokenEndpointAuthMethod = method
        return request
    }

    @Test("1. certificates: self-signed with the TPP's subject, expired, another organisation's OU, another organisationIdentifier, two CNs are denied; registration refuses each too; a renewed certificate from the directory CA is allowed at both")
    func certificates() async throws {
        let made = try await HostileCertificates.make()
        try await DirectorySandbox.withSandbox(fixtures: Base.fixtures) { sandbox in
            let runtime = try ToolkitRuntime(configuration: try Base.connection(sandbox).0, environment: [:])
            let tpp = try SandboxTPP(fixtures: Base.fixtures)
            let hostile: [(String, String, String)] = [
                ("self-signed", made.selfSigned, "does not chain to the trust store"),
                ("expired", made.expired, "expired at 2001-01-01"),
                ("O=Evil, OU=EVILORG000000001", made.otherOrganisation, "OU \"EVILORG000000001\""),
                ("another organizationIdentifier", made.otherOrganisationIdentifier, "organizationIdentifier"),
                ("two CNs", made.twoCommonNames, "SomeoneElse0000001"),
            ]
            for (name, pem, reason) in hostile {
                for method in ["tls_client_auth", "private_key_jwt"] {
                    let decision = await runtime.tokenDecider.decide(Self.request(certificate: pem, method: method))
                    #expect(decision.verdict == .deny && decision.error == .accessDenied && decision.failedCheck?.name == .certificate, "\(name) \(method): \(Self.detail(decision))")
                    #expect(decision.failedCheck?.detail.contains(reason) == true, "\(name): \(Self.detail(decision))")
                    #expect(decision.accessTokenClaims["cnf"] == nil && decision.certificateThumbprint == nil && decision.httpStatus == 403)
                }
                // Registration refuses the same certificate, through the same rule.
                let registration = await runtime.registrationDecider.decide(RegistrationInput(request: try tpp.requestJWT(ssa: try sandbox.issueSoftwareStatement()), clientCertificatePEM: pem))
                #expect(registration.verdict == .reject && registration.failedCheck?.name == .clientCertificate, "\(name): \(registration.failedCheck?.detail ?? "")")
            }
            // The passing twins: the registered certificate, and a renewed one from the same CA.
            for pem in [Base.transportCertificate, made.renewed] {
                let decision = await runtime.tokenDecider.decide(Self.request(certificate: pem))
                #expect(decision.verdict == .allow, "\(Self.detail(decision))")
                #expect(decision.accessTokenClaims["cnf"] == ["x5t#S256": .string(decision.certificateThumbprint ?? "-")] && decision.certificateThumbprint?.count == 43)
                #expect(decision.checks.first { $0.name == .certificate }?.detail.contains("chains to") == true)
                let registration = await runtime.registrationDecider.decide(RegistrationInput(request: try tpp.requestJWT(ssa: try sandbox.issueSoftwareStatement()), clientCertificatePEM: pem))
                #expect(registration.verdict == .accept, "\(registration.failedCheck?.detail ?? "")")
            }
            // Warm: the second decision on one certificate reuses the verified chain.
            let again = await runtime.tokenDecider.decide(Self.request(certificate: made.renewed))
            #expect(again.verdict == .allow)
        }
    }

    @Test("1. proxy mode: the proxy answers for the chain; validity and the binding to the client are still checked here")
    func proxy() async throws {
        let made = try await HostileCertificates.make()
        try await DirectorySandbox.withSandbox(fixtures: Base.fixtures) { sandbox in
            let decider = try Base.decider(sandbox, ["clientCertificateVerification": "proxy"])
            // A self-signed certificate reaches us only if the proxy let it through: its duty.
            let selfSigned = await decider.decide(Self.request(certificate: made.selfSigned))
            #expect(selfSigned.verdict == .allow && selfSigned.checks.first { $0.name == .certificate }?.detail.contains("proxy") == true, "\(Self.detail(selfSigned))")
            for pem in [made.expired, made.otherOrganisation, made.twoCommonNames] {
                let decision = await decider.decide(Self.request(certificate: pem))
                #expect(decision.verdict == .deny && decision.failedCheck?.name == .certificate, "\(Self.detail(decision))")
            }
        }
    }

    @Test("2. token_endpoint_auth_method: only the known spellings; TLS_Client_Auth is a malformed call (and a deny from the library); a method the server does not support is invalid_client")
    func authMethod() async throws {
        let made = try await HostileCertificates.make()
        let body: [String: JSONValue] = [
            "client_id": "c", "software_id": "4ZUKbHjbA2ZqxCxTsQPkTY", "org_id": "0015800001041REAAY", "grant_type": "authorization_code", "scope": "openid accounts",
            "client_certificate": .string(made.otherOrganisation),
        ]
        for method in ["TLS_Client_Auth", "tls_client_auth ", "client_secret_basic", "none", ""] {
            var call = body
            call["token_endpoint_auth_method"] = .string(method)
            #expect(throws: TokenRequestError.self, "\(method)") { try TokenRequest(json: call) }
        }
        for method in TokenRequest.knownAuthMethods {
            var call = body
            call["token_endpoint_auth_method"] = .string(method)
            #expect(try TokenRequest(json: call).tokenEndpointAuthMethod == method)
        }
        try await DirectorySandbox.withSandbox(fixtures: Base.fixtures) { sandbox in
            let decider = try Base.decider(sandbox)
            // Built from parts, a variant never skips the registered-DN comparison: it is refused.
            let variant = await decider.decide(Self.request(certificate: made.otherOrganisation, method: "TLS_Client_Auth"))
            #expect(variant.verdict == .deny && variant.error == .invalidClient && variant.failedCheck?.name == .tokenEndpointAuthMethod && variant.httpStatus == 401, "\(Self.detail(variant))")
            // The twin: the exact spelling with the client's certificate.
            let exact = await decider.decide(Self.request(certificate: Base.transportCertificate, method: "tls_client_auth"))
            #expect(exact.verdict == .allow && exact.checks.first { $0.name == .certificate }?.detail.contains("registered subject DN") == true, "\(Self.detail(exact))")
            // A known method this server does not support (registration would refuse it too).
            let narrowed = try Base.decider(sandbox, ["tokenEndpointAuthMethods": "private_key_jwt"])
            let unsupported = await narrowed.decide(Self.request(certificate: Base.transportCertificate, method: "tls_client_auth"))
            #expect(unsupported.verdict == .deny && unsupported.error == .invalidClient && unsupported.failedCheck?.detail.contains("not supported") == true)
            #expect(await narrowed.decide(Self.request(certificate: Base.transportCertificate, method: "private_key_jwt")).verdict == .allow)
        }
    }

    @Test("3. certificate-bound tokens by default: no certificate is invalid_client; a tls_client_auth client never goes without; requireClientCertificate=false lets a private_key_jwt client go unbound")
    func requiredCertificate() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Base.fixtures) { sandbox in
            let decider = try Base.decider(sandbox)
            for method in ["tls_client_auth", "private_key_jwt"] {
                let bare = await decider.decide(Self.request(certificate: nil, method: method))
                #expect(bare.verdict == .deny && bare.error == .invalidClient && bare.failedCheck?.name == .certificate && bare.httpStatus == 401, "\(method): \(Self.detail(bare))")
                #expect(bare.lifetimes == nil && bare.accessTokenClaims.isEmpty)
                let bound = await decider.decide(Self.request(certificate: Base.transportCertificate, method: method))
                #expect(bound.verdict == .allow && bound.accessTokenClaims["cnf"] != nil, "\(method): \(Self.detail(bound))")
            }
            let optional = try Base.decider(sandbox, ["requireClientCertificate": "false"])
            let tls = await optional.decide(Self.request(certificate: nil, method: "tls_client_auth"))
            #expect(tls.verdict == .deny && tls.error == .invalidClient && tls.failedCheck?.detail.contains("presented no certificate") == true, "\(Self.detail(tls))")
            let jwt = await optional.decide(Self.request(certificate: nil, method: "private_key_jwt"))
            #expect(jwt.verdict == .allow && jwt.accessTokenClaims["cnf"] == nil, "\(Self.detail(jwt))")
            #expect(jwt.checks.first { $0.name == .certificate }.map { $0.outcome == .skip && $0.detail.contains("requireClientCertificate=false") } == true)
            #expect(throws: ConfigurationError.self) { try ToolkitConfiguration(properties: ["requireClientCertificate": "no"], baseDirectory: nil) }
        }
    }

    @Test("4. grant types on an allow-list: implicit, password, device code, token exchange, jwt-bearer, case variants, unknown and empty are unsupported_grant_type; the four supported ones are allowed")
    func grantTypes() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Base.fixtures) { sandbox in
            let decider = try Base.decider(sandbox)
            let refused = ["implicit", "password", "urn:ietf:params:oauth:grant-type:device_code", "urn:ietf:params:oauth:grant-type:token-exchange",
                           "urn:ietf:params:oauth:grant-type:jwt-bearer", "Authorization_Code", "urn:x", "", "authorization_code\u{0}"]
            for grant in refused {
                let decision = await decider.decide(Self.request(certificate: Base.transportCertificate, grantType: grant))
                #expect(decision.verdict == .deny && decision.error == .unsupportedGrantType && decision.failedCheck?.name == .grantType && decision.httpStatus == 400,
                        "\(grant.debugDescription): \(Self.detail(decision))")
                #expect(decision.lifetimes == nil && decision.idTokenClaims.isEmpty)
            }
            for grant in ["authorization_code", "refresh_token", "urn:openid:params:grant-type:ciba", "client_credentials"] {
                let decision = await decider.decide(Self.request(certificate: Base.transportCertificate, grantType: grant, scopes: grant == "client_credentials" ? ["accounts"] : ["openid", "accounts", "payments"]))
                #expect(decision.verdict == .allow, "\(grant): \(Self.detail(decision))")
            }
            // The list is registration's grantTypes: narrowing it narrows token time too.
            let narrowed = try Base.decider(sandbox, ["grantTypes": "authorization_code refresh_token"])
            let clientCredentials = await narrowed.decide(Self.request(certificate: Base.transportCertificate, grantType: "client_credentials", scopes: ["accounts"]))
            #expect(clientCredentials.verdict == .deny && clientCredentials.error == .unsupportedGrantType)
        }
    }

    @Test("6. scopes per RFC 6749: a tab, a NUL, a full-width letter or two spaces are a malformed call naming the byte; an empty list is invalid_scope; well-formed scopes still allowed")
    func scopes() async throws {
        func call(_ scope: JSONValue) -> [String: JSONValue] {
            ["client_id": "c", "software_id": "4ZUKbHjbA2ZqxCxTsQPkTY", "org_id": "0015800001041REAAY", "grant_type": "authorization_code", "scope": scope]
        }
        let malformed: [(JSONValue, String)] = [
            ("openid\tpayments", "byte 6"), (["openid", "accounts\u{0}"], "entry 1"), ("openid \u{FF41}ccounts", "byte 7"),
            ("openid  accounts", "two spaces"), ([" accounts"], "entry 0"), ("a\"b", "byte 1"), ("a\\b", "byte 1"), ([""], "entry 0"),
        ]
        for (scope, position) in malformed {
            #expect { try TokenRequest(json: call(scope)) } throws: { ($0 as? TokenRequestError)?.reason.contains(position) == true }
        }
        #expect(try TokenRequest(json: call(" openid accounts ")).scopes == ["openid", "accounts"])
        #expect(try TokenRequest(json: call(" ")).scopes == [])
        #expect(try TokenRequest(json: call(["openid", "payments"])).scopes == ["openid", "payments"])
        try await DirectorySandbox.withSandbox(fixtures: Base.fixtures) { sandbox in
            let decider = try Base.decider(sandbox, ["statusCacheSeconds": "0"])
            sandbox.updateSoftware(SandboxRecords.activeSoftwareID, roles: ["AISP"])
            // Built from parts, the same rule: nothing malformed reaches the byte-for-byte match.
            for scopes in [["openid\tpayments"], ["accounts\u{0}"], ["\u{FF41}ccounts"], [" "], ["openid", ""]] {
                let decision = await decider.decide(Self.request(certificate: Base.transportCertificate, scopes: scopes))
                #expect(decision.verdict == .deny && decision.error == .invalidScope && decision.failedCheck?.name == .scope, "\(scopes): \(Self.detail(decision))")
            }
            let empty = await decider.decide(Self.request(certificate: Base.transportCertificate, scopes: try TokenRequest(json: call(" ")).scopes))
            #expect(empty.verdict == .deny && empty.error == .invalidScope && empty.httpStatus == 400)
            // The twin: after PISP is dropped, payments is removed byte for byte, accounts stays.
            let narrowed = await decider.decide(Self.request(certificate: Base.transportCertificate, scopes: try TokenRequest(json: call("openid accounts payments")).scopes))
            #expect(narrowed.verdict == .allow && narrowed.grantedScopes == ["openid", "accounts"] && narrowed.removedScopes == ["payments"], "\(Self.detail(narrowed))")
        }
    }
}
