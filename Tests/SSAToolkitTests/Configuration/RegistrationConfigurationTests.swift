import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// The registration properties: each read into the policy; each malformed or contradictory value
/// an error naming its property.
@Suite("Registration configuration properties")
struct RegistrationConfigurationTests {
    @Test("every property reaches the policy")
    func applied() throws {
        let configuration = try ToolkitConfiguration(properties: [
            "registrationAudience": "https://as.example", "clockSkewSeconds": "30", "maxSSAAgeSeconds": "86400",
            "connectTimeoutSeconds": "2", "requestTimeoutSeconds": "4", "jwksCacheMinSeconds": "10", "jwksCacheMaxSeconds": "600",
            "tokenEndpointAuthMethods": "private_key_jwt", "grantTypes": "authorization_code refresh_token", "responseTypes": "code",
            "requestSigningAlgorithms": "PS256", "roleScopes": "AISP:accounts;CBPII:fundsconfirmations openid", "requireSignedRequest": "true",
            "maxRequestLifetimeSeconds": "600", "memberState": "GB", "clientCertificateBinding": "none",
        ], baseDirectory: nil)
        #expect(configuration.registrationAudience == "https://as.example")
        #expect(configuration.clockSkew == 30 && configuration.maximumSSAAge == 86400)
        #expect(configuration.timeouts.connect == .seconds(2) && configuration.timeouts.total == .seconds(4))
        #expect(configuration.jwksCachePolicy.minimumLifetime == 10 && configuration.jwksCachePolicy.maximumLifetime == 600)
        #expect(configuration.unknownProperties.isEmpty)
        var policy = RegistrationRules(audience: "https://as.example")
        configuration.registration.apply(to: &policy)
        #expect(policy.tokenEndpointAuthMethods == ["private_key_jwt"])
        #expect(policy.grantTypes == ["authorization_code", "refresh_token"])
        #expect(policy.responseTypes == ["code"])
        #expect(policy.signingAlgorithms.allowed == [.PS256])
        #expect(policy.roleScopes == ["AISP": ["accounts"], "CBPII": ["fundsconfirmations", "openid"]])
        #expect(policy.requireSignedRequest && policy.maximumRequestLifetime == 600 && policy.memberState == "GB")
        #expect(!policy.bindsCertificateToSoftware)
        #expect(policy.allowedScopes(for: ["AISP", "PISP"]) == ["openid", "accounts"])
    }

    @Test("malformed and contradictory values name their property", arguments: [
        ("clockSkewSeconds", "ten"), ("clockSkewSeconds", "-1"), ("maxSSAAgeSeconds", "0"),
        ("connectTimeoutSeconds", "0"), ("jwksCacheMaxSeconds", "nan"),
        ("tokenEndpointAuthMethods", "client_secret_basic"), ("tokenEndpointAuthMethods", " , "),
        ("requestSigningAlgorithms", "HS256"), ("requestSigningAlgorithms", "none"),
        ("roleScopes", "AISP"), ("roleScopes", "AISP:a;AISP:b"), ("roleScopes", "A\"B:x"),
        ("requireSignedRequest", "maybe"), ("maxRequestLifetimeSeconds", "0"), ("memberState", "Great Britain"),
        ("clientCertificateBinding", "cn"), ("softwareJWKSTrust", "anyone"), ("grantTypes", ""),
    ])
    func refused(_ name: String, _ value: String) {
        #expect {
            try ToolkitConfiguration(properties: [name: value], baseDirectory: nil)
        } throws: { error in
            (error as? ConfigurationError)?.property == name
        }
    }

    @Test("a connect timeout longer than the whole request is contradictory")
    func contradictoryTimeouts() {
        #expect {
            try ToolkitConfiguration(properties: ["connectTimeoutSeconds": "10", "requestTimeoutSeconds": "5"], baseDirectory: nil)
        } throws: { error in
            (error as? ConfigurationError)?.property == "connectTimeoutSeconds"
        }
        #expect {
            try ToolkitConfiguration(properties: ["jwksCacheMinSeconds": "900", "jwksCacheMaxSeconds": "60"], baseDirectory: nil)
        } throws: { error in
            (error as? ConfigurationError)?.property == "jwksCacheMinSeconds"
        }
    }

    @Test("--set overrides replace the file's values; registrationAudience is needed only with requireSignedRequest")
    func overridesAndRequired() throws {
        let path = Fixtures.url("config/toolkit.json").path
        let configuration = try ToolkitConfiguration.load(path: path, overrides: ["memberState": "IE", "issuer": "Other Directory"])
        #expect(configuration.directory.issuer == "Other Directory")
        var policy = RegistrationRules(audience: "x")
        configuration.registration.apply(to: &policy)
        #expect(policy.memberState == "IE")
        // The reference script's properties alone (no registrationAudience) start a decider.
        let environment = ["SSA_TEST_TRANSPORT_PASSWORD": "changeit"]
        #expect(configuration.registrationAudience == nil)
        let decider = try RegistrationDecider(configuration: configuration, environment: environment)
        #expect(decider.rules.audience == nil)
        let strict = try ToolkitConfiguration.load(path: path, overrides: ["requireSignedRequest": "true"])
        #expect {
            try RegistrationDecider(configuration: strict, environment: environment)
        } throws: { error in
            (error as? ConfigurationError)?.property == "registrationAudience"
        }
    }
}
