import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import NIOTLS
import SSAToolkit
import ServiceLifecycle
import Synchronization

/// An Open Banking directory on 127.0.0.1 for tests, the demo and `ssa-verify sandbox`:
/// `GET /jwks`, `POST /token` (mutual TLS, `private_key_jwt`) and SCIM TPP queries, over HTTPS
/// that requires a client certificate from the fixture PKI. It counts requests per endpoint so
/// tests can prove caching.
public final class DirectorySandbox: Sendable {
    /// Where the sandbox finds its certificates, keys and JWKS.
    public struct Fixtures: Sendable {
        /// `certs-fixtures/`.
        public var root: URL

        /// Fixtures below `root`.
        public init(root: URL) { self.root = root }

        func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
    }

    /// Who the sandbox is as an SSA issuer: its `iss` and the key it signs SSAs with.
    public struct Scheme: Sendable {
        /// The `iss` of the SSAs it issues.
        public var issuer: String
        /// The PEM private key (below the fixtures) that signs them.
        public var signingKey: String
        /// Its `kid`.
        public var keyID: String
        /// Whether `/jwks` serves the fixture directory JWKS (many keys, for the JOSE tests) or
        /// only the public half of ``signingKey``.
        public var servesFixtureJWKS: Bool

        /// The fixture directory: `OpenBanking Ltd`, PS256 with `ob-rsa-1`, the fixture JWKS.
        public static let openBanking = Scheme(issuer: "OpenBanking Ltd", signingKey: "jose/keys/ob-rsa-1.key.pem", keyID: "ob-rsa-1", servesFixtureJWKS: true)
        /// A second directory with a key of its own (`ob-rsa-2`, which the first does not
        /// publish), for servers that trust several.
        public static let secondDirectory = Scheme(issuer: "Second Scheme Directory", signingKey: "jose/keys/ob-rsa-2.key.pem", keyID: "ob-rsa-2", servesFixtureJWKS: false)
    }

    /// The sandbox's base URL, e.g. `https://127.0.0.1:8443`.
    public let baseURL: URL
    /// `POST` here for a token.
    public var tokenURL: URL { baseURL.appendingPathComponent("token") }
    /// The SCIM TPP endpoint.
    public var tppURL: URL { baseURL.appendingPathComponent("scim/v2/OBThirdPartyProviders") }
    /// The directory JWKS.
    public var jwksURL: URL { baseURL.appendingPathComponent("jwks") }
    /// The plain-HTTP base of its OCSP responder (`/ocsp`) and CRL (`/crl`).
    public let revocationURL: URL
    /// The TPP transport certificate it issued at start (the fixture TPP's subject and key,
    /// naming this sandbox as OCSP responder and CRL distribution point, published in the
    /// software key set): PEM, the leaf then the issuing CA.
    public let transportCertificate: IssuedCertificate

    /// A transport certificate the sandbox's issuing CA issued.
    public struct IssuedCertificate: Sendable {
        /// The leaf's PEM followed by the issuing CA's.
        public var chainPEM: String
        /// Its serial number.
        public var serial: UInt64
    }
    /// The fixtures it serves.
    public let fixtures: Fixtures
    /// Its issuer name and SSA signing key.
    public let scheme: Scheme

    private let state: SandboxState
    private let group: ServiceGroup
    private let runner: Task<Void, any Error>

    /// Requests seen per endpoint (`/jwks`, `/token`, `/scim`), refused token requests, and
    /// completed TLS handshakes (`tls-handshakes`: each new connection, resumed sessions too).
    public func counts() -> [String: Int] { state.counts() }

    /// Starts the sandbox on 127.0.0.1 (`port` 0 picks a free one) and returns once it listens.
    public static func start(fixtures: Fixtures, port: Int = 0, scheme: Scheme = .openBanking,
                             logger: Logger = Logger(label: "ssa-toolkit.sandbox", factory: { _ in SwiftLogNoOpLogHandler() })) async throws -> DirectorySandbox {
        let registered = try JWKS(parsing: Array(try Data(contentsOf: URL(fileURLWithPath: fixtures.path("jose/as-software.jwks.json")))))
        let directoryKey = try SigningKey(pem: KeyStoreLocation(path: fixtures.path(scheme.signingKey)))
        let directorySigner = try JWSSigner(key: directoryKey.key, algorithm: .PS256, keyID: scheme.keyID)
        let directoryJWKS = scheme.servesFixtureJWKS
            ? Array(try Data(contentsOf: URL(fileURLWithPath: fixtures.path("jose/directory.jwks.json"))))
            : JSONValue.object(["keys": .array([.object(try directoryKey.key.publicJWK(keyID: scheme.keyID))])]).serializedBytes()
        let state = SandboxState(registeredKeys: registered)

        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(fixtures.path("pki/directory-server-chain.pem")).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: fixtures.path("pki/directory-server.key.pem"), format: .pem))
        )
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = .noHostnameVerification  // a client certificate is required
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(fixtures.path("pki/ca-bundle.pem")))

        let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
        let softwareJWKS = try Data(contentsOf: URL(fileURLWithPath: fixtures.path("registration/tpp-software.jwks.json")))
        let template = try StrictJSONParser(maximumDepth: 16, maximumBytes: 1 << 20).parseObject(Array(try Data(contentsOf: URL(fileURLWithPath: fixtures.path("jose/ssa/valid-ps256.claims.json")))))
        let authority = try SandboxCertificateAuthority(caCertificate: fixtures.path("pki/directory-issuing-ca.pem"), caKey: fixtures.path("pki/directory-issuing-ca.key.pem"),
                                                        template: fixtures.path("registration/tpp-transport.pem"))
        var transportKey = try SigningKey(pem: KeyStoreLocation(path: fixtures.path("registration/tpp-transport.key.pem"))).key.publicJWK(keyID: nil, use: nil)
        transportKey["alg"] = nil
        let revocation = try SandboxRevocation(authority: authority, state: state, softwareJWKS: Array(softwareJWKS), transportKey: transportKey)
        // The fixture transport certificate (no AIA or CDP: it predates revocation checking) is
        // published too, so a server with revocationWhenUnpublished=allow accepts it.
        try revocation.publish(try String(contentsOfFile: fixtures.path("registration/tpp-transport.pem"), encoding: .utf8))
        let frameworks = try SandboxFrameworks(fixtures: fixtures, counter: state)
        let routes = SandboxRoutes(state: state, directoryJWKS: directoryJWKS, revocation: revocation, frameworks: frameworks, logger: logger)
        let app = Application(
            router: routes.router(),
            server: try .tls(.http1(configuration: .init(additionalChannelHandlers: [TLSHandshakeCounter(state: state)])), tlsConfiguration: tls),
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "ssa-toolkit sandbox directory"),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
            },
            logger: logger
        )
        // OCSP and the CRL are served over plain HTTP, as responders and distribution points are.
        let responder = Application(
            router: revocation.router(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "ssa-toolkit sandbox OCSP responder"),
            onServerRunning: { channel in
                portContinuation.yield(-(channel.localAddress?.port ?? 0))
            },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app, responder], gracefulShutdownSignals: [], logger: logger))
        let runner = Task { try await group.run() }
        var iterator = portStream.makeAsyncIterator()
        var bound = 0
        var responderPort = 0
        while bound <= 0 || responderPort <= 0, let next = await iterator.next(), next != 0 {
            if next > 0 { bound = next } else { responderPort = -next }
        }
        portContinuation.finish()
        guard bound > 0, responderPort > 0 else {
            await group.triggerGracefulShutdown()
            _ = try? await runner.value
            throw SandboxError("the sandbox directory did not start listening")
        }
        let revocationURL = URL(string: "http://127.0.0.1:\(responderPort)")!
        let issued = try authority.issue(ocsp: revocationURL.appendingPathComponent("ocsp").absoluteString, crl: revocationURL.appendingPathComponent("crl").absoluteString)
        try revocation.publish(issued.chain)
        let sandbox = DirectorySandbox(baseURL: URL(string: "https://127.0.0.1:\(bound)")!, revocationURL: revocationURL, fixtures: fixtures, scheme: scheme, state: state,
                                       revocation: revocation, transportCertificate: IssuedCertificate(chainPEM: issued.chain, serial: issued.serial),
                                       group: group, runner: runner, directorySigner: directorySigner, ssaTemplate: template, frameworks: frameworks)
        routes.setBaseURL(sandbox.baseURL)
        routes.setOwner(sandbox)
        return sandbox
    }

    private let directorySigner: JWSSigner
    private let ssaTemplate: [String: JSONValue]

    let revocation: SandboxRevocation
    /// The directories of Open Finance Brasil and the CDR that it is too.
    let frameworks: SandboxFrameworks

    private init(baseURL: URL, revocationURL: URL, fixtures: Fixtures, scheme: Scheme, state: SandboxState, revocation: SandboxRevocation, transportCertificate: IssuedCertificate,
                 group: ServiceGroup, runner: Task<Void, any Error>, directorySigner: JWSSigner, ssaTemplate: [String: JSONValue], frameworks: SandboxFrameworks) {
        self.frameworks = frameworks
        self.revocationURL = revocationURL
        self.revocation = revocation
        self.transportCertificate = transportCertificate
        self.directorySigner = directorySigner
        self.ssaTemplate = ssaTemplate
        self.baseURL = baseURL
        self.fixtures = fixtures
        self.scheme = scheme
        self.state = state
        self.group = group
        self.runner = runner
    }

    /// The issuer identifier of the fixture authorization server (the `aud` of request JWTs).
    public static let authorizationServerIssuer = "https://as.sandbox-bank.example"

    /// Where the sandbox publishes a software statement's keys.
    public func softwareJWKSURL(_ softwareID: String) -> URL {
        baseURL.appendingPathComponent("software").appendingPathComponent(softwareID).appendingPathComponent("jwks")
    }

    /// Where the sandbox lists a software statement's revoked keys (empty until
    /// ``listRevokedTransportCertificate(_:)``).
    public func softwareRevokedJWKSURL(_ softwareID: String) -> URL {
        baseURL.appendingPathComponent("software").appendingPathComponent(softwareID).appendingPathComponent("revoked-jwks")
    }

    /// Lists the transport certificate `pem` (its first certificate) in every software's revoked
    /// key set, as a directory does when a TPP withdraws a key.
    public func listRevokedTransportCertificate(_ pem: String) throws { try revocation.publish(pem, revoked: true) }

    /// Issues a software statement assertion as the directory does: the fixture SSA's claims
    /// with `iss` the scheme's issuer, `iat` = `issuedAt`, `software_jwks_endpoint` at this
    /// sandbox, then `changes` (a `.null` value removes a claim), signed PS256 with the scheme's
    /// key (`ob-rsa-1` for the fixture directory).
    public func issueSoftwareStatement(softwareID: String = SandboxRecords.activeSoftwareID, issuedAt: Date = Date(), changes: [String: JSONValue] = [:]) throws -> String {
        var claims = ssaTemplate
        claims["iss"] = .string(scheme.issuer)
        claims["software_id"] = .string(softwareID)
        claims["software_client_id"] = .string(softwareID)
        claims["iat"] = .number(issuedAt.timeIntervalSince1970.rounded(.down))
        claims["jti"] = .string(UUID().uuidString.lowercased())
        claims["software_jwks_endpoint"] = .string(softwareJWKSURL(softwareID).absoluteString)
        claims["software_jwks_revoked_endpoint"] = .string(softwareRevokedJWKSURL(softwareID).absoluteString)
        if let organisation = SandboxRecords.organisation(owning: softwareID) {
            claims["org_id"] = .string(organisation.id)
            claims["org_name"] = .string(organisation.name)
        }
        for (name, value) in changes { claims[name] = value == .null ? nil : value }
        return try directorySigner.sign(payload: claims)
    }

    /// Issues another transport certificate for the fixture TPP (a new serial), naming this
    /// sandbox as OCSP responder (`ocsp`) and CRL distribution point (`crl`), and publishes it in
    /// the software key set when `publish` is true. `revocationBase` names another responder and
    /// distribution point than ``revocationURL`` (e.g. one that is down).
    public func issueTransportCertificate(ocsp: Bool = true, crl: Bool = true, publish: Bool = true, revocationBase: URL? = nil) throws -> IssuedCertificate {
        let base = revocationBase ?? revocationURL
        let issued = try revocation.authority.issue(ocsp: ocsp ? base.appendingPathComponent("ocsp").absoluteString : nil,
                                                    crl: crl ? base.appendingPathComponent("crl").absoluteString : nil)
        if publish { try revocation.publish(issued.chain) }
        return IssuedCertificate(chainPEM: issued.chain, serial: issued.serial)
    }

    /// Revokes a certificate the sandbox issued (`keyCompromise`, now), as the admin route
    /// `POST /admin/certificates/revoke` does: its OCSP answer becomes `revoked` and its CRL
    /// lists it. False when the sandbox never issued `serial`.
    @discardableResult
    public func revokeCertificate(serial: UInt64) -> Bool { revocation.authority.revoke(serial) }

    /// Forgets every issued access token, so the next use of one is answered 401 (for tests of
    /// token invalidation).
    public func revokeTokens() { state.revokeTokens() }

    /// Changes a software statement in the directory while the sandbox runs (what the admin
    /// route `POST /admin/software/{id}` does): `active`, and the current `roles`.
    @discardableResult
    public func updateSoftware(_ id: String, active: Bool? = nil, roles: [String]? = nil) -> Bool {
        state.updateSoftware(id, active: active, roles: roles) != nil
    }

    /// Changes an organisation's status while the sandbox runs (`POST /admin/organisations/{id}`).
    @discardableResult
    public func updateOrganisation(_ id: String, status: String) -> Bool {
        state.updateOrganisation(id, status: status) != nil
    }

    /// Makes every SCIM answer wait this long before it is sent (zero by default), so a test can
    /// hold requests in flight for a known time instead of hoping the scheduler overlaps them.
    public func delaySCIMAnswers(by delay: Duration) { state.setSCIMDelay(delay) }

    /// Stops the server gracefully.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await runner.value
    }

    /// Runs `body` with a started sandbox and stops it on every path.
    public static func withSandbox<R: Sendable>(fixtures: Fixtures, port: Int = 0, scheme: Scheme = .openBanking, _ body: (DirectorySandbox) async throws -> R) async throws -> R {
        let sandbox = try await start(fixtures: fixtures, port: port, scheme: scheme)
        do {
            let result = try await body(sandbox)
            await sandbox.stop()
            return result
        } catch {
            await sandbox.stop()
            throw error
        }
    }

    /// A configuration (plain JSON, the toolkit's property names) for the authorization server
    /// fixture identity against this sandbox. Passwords are the fixtures' test-only ones.
    ///
    /// `revocationWhenUnpublished` is `allow`: the fixture PKI's transport certificate
    /// (`registration/tpp-transport.pem`) names neither an OCSP responder nor a CRL, so it passes
    /// with the check saying so, while ``transportCertificate`` (which names this sandbox) is
    /// checked for revocation. The toolkit's own default is `reject`. `transportKeyBinding` is
    /// `off`: the token calls of the fixtures and samples name no `software_jwks_endpoint`. The
    /// toolkit's default is `directory`; the demo and the revocation tests set it.
    public func configurationJSON() -> JSONValue {
        [
            "revocationWhenUnpublished": "allow",
            "transportKeyBinding": "off",
            "clientScopes": "ASPSPReadAccess TPPReadAccess AuthoritiesReadAccess",
            "keyId": "as-signing-1",
            "signingCert": .string(fixtures.path("pki/as-signing.pem")),
            "signingKey": .string(fixtures.path("pki/as-signing.key.pem")),
            "trustKeyStore": .string(fixtures.path("stores/trust.p12")),
            "trustKeyStorePassword": "changeit",
            "transportKeyStore": .string(fixtures.path("stores/transport.p12")),
            "transportKeyStorePassword": "changeit",
            "tokenUrl": .string(tokenURL.absoluteString),
            "tppUrl": .string(tppURL.absoluteString),
            "jwks_endpoint": .string(jwksURL.absoluteString),
            "aud": .string(tokenURL.absoluteString),
            "registrationAudience": .string(Self.authorizationServerIssuer),
            "issuer": .string(scheme.issuer),
        ]
    }
}

/// A sandbox that could not start.
public struct SandboxError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Counts completed TLS handshakes (`tls-handshakes`), so tests and the load benchmark can show
/// that a client keeps its connections rather than opening one per call.
final class TLSHandshakeCounter: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = Never
    private let state: SandboxState

    init(state: SandboxState) { self.state = state }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted? = event as? TLSUserEvent { state.count("tls-handshakes") }
        context.fireUserInboundEventTriggered(event)
    }
}
