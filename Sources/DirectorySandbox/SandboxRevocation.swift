import Foundation
import Hummingbird
import SSAToolkit
import SwiftASN1
import Synchronization
import X509

/// The sandbox's revocation side: its certificate authority, the plain-HTTP routes that answer
/// OCSP (`POST /ocsp`, RFC 6960 appendix A) and serve the CRL (`GET /crl`), as real responders
/// do over HTTP, and the software key set that publishes each TPP transport certificate it issued.
final class SandboxRevocation: Sendable {
    let authority: SandboxCertificateAuthority
    private let state: SandboxState
    /// The fixture TPP key set (signing keys) and the `tls` entries of transport certificates.
    private let signingKeys: [JSONValue]
    private let transportKey: [String: JSONValue]
    private let transportEntries = Mutex<[JSONValue]>([])
    private let revokedEntries = Mutex<[JSONValue]>([])

    init(authority: SandboxCertificateAuthority, state: SandboxState, softwareJWKS: [UInt8], transportKey: [String: JSONValue]) throws {
        self.authority = authority
        self.state = state
        let parsed = try StrictJSONParser(maximumDepth: 16, maximumBytes: 1 << 20).parseObject(softwareJWKS)
        signingKeys = parsed["keys"]?.arrayValue ?? []
        self.transportKey = transportKey
    }

    /// Publishes the transport certificate `pem` (its first certificate) in the software key set,
    /// `use` `tls`, with its `x5c` (or, with `revoked`, in the revoked key set instead).
    func publish(_ pem: String, revoked: Bool = false) throws {
        guard let document = try PEMDocument.parseMultiple(pemString: pem).first else { throw SandboxError("no certificate to publish") }
        var entry = transportKey
        entry["use"] = "tls"
        entry["x5c"] = .array([.string(Data(document.derBytes).base64EncodedString())])
        func add(_ entries: inout [JSONValue]) {
            entry["kid"] = .string("tpp-tls-\(revoked ? "revoked-" : "")\(entries.count + 1)")
            entries.append(.object(entry))
        }
        if revoked { revokedEntries.withLock { add(&$0) } } else { transportEntries.withLock { add(&$0) } }
    }

    /// The revoked key set as served.
    var revokedJWKS: [UInt8] { JSONValue.object(["keys": .array(revokedEntries.withLock { $0 })]).serializedBytes() }

    /// The software key set as served: signing keys, then every published transport certificate.
    var softwareJWKS: [UInt8] {
        JSONValue.object(["keys": .array(signingKeys + transportEntries.withLock { $0 })]).serializedBytes()
    }

    /// `POST /ocsp` and `GET /crl`, on the plain-HTTP listener.
    func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.post("ocsp") { request, _ in
            self.state.count("/ocsp")
            guard let body = try? await request.body.collect(upTo: 16 * 1024), let answer = self.authority.respond(to: Array(buffer: body)) else {
                return Response(status: .badRequest)
            }
            return Self.binary(answer, type: "application/ocsp-response")
        }
        router.get("crl") { _, _ in
            self.state.count("/crl")
            guard let list = self.authority.crl() else { return Response(status: .internalServerError) }
            return Self.binary(list, type: "application/pkix-crl")
        }
        return router
    }

    private static func binary(_ bytes: [UInt8], type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
