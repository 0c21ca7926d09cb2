import FuzzSupport

/// Every target of this executable: SSAToolkit's public API only.
let allTargets: [FuzzTarget] = [
    FuzzTarget("json", "StrictJSONParser.parse, serialized()/prettySerialized() round trip, text helpers on every string", body: JSONTarget.run),
    FuzzTarget("base64url", "Base64URL.decode (canonical: re-encodes to the input) and encode/decode round trip", body: Base64URLTarget.run),
    FuzzTarget("jws", "CompactJWS(parsing:), JWSVerifier header/alg/key/signature checks against the fixture JWKS, SSA claims policy", body: JWSTarget.run),
    FuzzTarget("jwks", "JWKS(parsing:), JWK(members:), JWK.mismatch(with:) for every algorithm", body: JWKSTarget.run),
    FuzzTarget("dn", "ComparableDistinguishedName(parsing:), matching against itself and a certificate subject", body: DistinguishedNameTarget.run),
    FuzzTarget("registration-body", "POST /v1/decisions body framing (as the decision route reads it), RegistrationRequest(parsing:), the SSA, client_certificate PEM", body: RegistrationBodyTarget.run),
    FuzzTarget("token-body", "POST /v1/token-decisions body: StrictJSONParser + TokenRequest(json:), its DN and PEM members", body: TokenBodyTarget.run),
    FuzzTarget("pem", "PEM certificate files: CertificateDiagnostics.report(pem:) (OpenSSL PEM reader), TrustStore(pemFile:), CertificateFile(pem:)", body: PEMTarget.run),
    FuzzTarget("pkcs12", "PKCS#12 files, password \"changeit\": TrustStore(pkcs12:), TransportIdentity(pkcs12:), CertificateDiagnostics.report(pkcs12:)", body: PKCS12Target.run),
    // Checks of the harness itself, not run by `make fuzz`: each must be reported by libFuzzer.
    FuzzTarget("selftest-crash", "harness check: traps on an input starting with \"!\"", body: SelfTest.crash),
    FuzzTarget("selftest-leak", "harness check: leaks 64 bytes on an input starting with \"!\"", body: SelfTest.leak),
]

// SwiftPM names an executable's entry point `<Target>_main` and aliases `main` to it; libFuzzer's
// `fuzzer_no_main` runtime brings no `main` of its own, so this is the process's entry.
@_cdecl("FuzzParsers_main")
func fuzzParsersMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    FuzzDriver.main(program: "FuzzParsers", targets: allTargets, argc: argc, argv: argv)
}
