import Foundation
import Hummingbird
import Logging
import NIOCore
import SSAToolkit
import ServiceLifecycle

/// `ssa-verify serve`: the registration decision over HTTP on 127.0.0.1, for hooks written in
/// other languages (the Janssen Jython script in `integrations/janssen/`).
///
/// - `POST /v1/decisions` with a JSON object: `registration_request` (the request JWT as a
///   string, or the metadata as an object), `software_statement` (when not in the request),
///   `client_certificate` (the caller's TLS certificate, PEM). Answers 200 with the decision JSON
///   (`verdict` accept, reject or undecided); 400 `invalid_request` when the call is malformed;
///   413 when the body is over ``maximumBodyBytes``.
/// - `GET /healthz` answers 200 `{"status":"ok"}`.
///
/// A caller registers the client only on HTTP 200 with `verdict` `accept`. Every request shares
/// the validator, so its caches (JWKS, token, connections) serve them all.
public final class DecisionService: Sendable {
    /// Largest accepted request body.
    public static let maximumBodyBytes = 256 * 1024

    /// `http://127.0.0.1:<port>`.
    public let baseURL: URL
    /// `POST` decisions here.
    public var decisionsURL: URL { baseURL.appendingPathComponent("v1/decisions") }
    private let group: ServiceGroup
    private let runner: Task<Void, any Error>

    private init(baseURL: URL, group: ServiceGroup, runner: Task<Void, any Error>) {
        self.baseURL = baseURL
        self.group = group
        self.runner = runner
    }

    /// Starts the service on 127.0.0.1 (`port` 0 picks a free one) and returns once it listens.
    public static func start(validator: RegistrationValidator, port: Int, logger: Logger = Logger(label: "ssa-toolkit.serve", factory: { _ in SwiftLogNoOpLogHandler() })) async throws -> DecisionService {
        let router = Router()
        router.get("healthz") { _, _ in json(.ok, ["status": "ok"]) }
        router.post("v1/decisions") { request, _ in
            await decide(request, validator: validator, logger: logger)
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "ssa-toolkit decision service"),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let runner = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next(), bound > 0 else {
            await group.triggerGracefulShutdown()
            if case .failure(let error) = await runner.result {
                throw DecisionServiceError("the decision service did not start listening on 127.0.0.1:\(port): \(error)")
            }
            throw DecisionServiceError("the decision service did not start listening on 127.0.0.1:\(port)")
        }
        return DecisionService(baseURL: URL(string: "http://127.0.0.1:\(bound)")!, group: group, runner: runner)
    }

    /// Stops the service gracefully.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await runner.value
    }

    /// Reads a call, decides, answers. Never throws: a malformed call is a 400.
    static func decide(_ request: Request, validator: RegistrationValidator, logger: Logger) async -> Response {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maximumBodyBytes)
        } catch {
            return json(.contentTooLarge, ["error": "invalid_request", "error_description": .string("the body is larger than \(maximumBodyBytes) bytes")])
        }
        let input: RegistrationInput
        switch parse(Array(buffer: body)) {
        case .success(let parsed): input = parsed
        case .failure(let failure):
            return json(.badRequest, ["error": "invalid_request", "error_description": .string(failure.description)])
        }
        let decision = await validator.decide(input)
        logger.info("decision \(decision.verdict.rawValue)", metadata: [
            "software_id": "\(decision.softwareStatement?.softwareID ?? "-")", "failed_check": "\(decision.failedCheck?.name.rawValue ?? "-")",
        ])
        return json(.ok, decision.json)
    }

    /// The call's JSON object as a registration input.
    static func parse(_ bytes: [UInt8]) -> Result<RegistrationInput, DecisionServiceError> {
        let object: [String: JSONValue]
        do {
            object = try StrictJSONParser(maximumDepth: 32, maximumBytes: maximumBodyBytes).parseObject(bytes)
        } catch {
            return .failure(DecisionServiceError("the body is not a JSON object: \(error.reason)"))
        }
        let known: Set<String> = ["registration_request", "software_statement", "client_certificate"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            return .failure(DecisionServiceError("unknown member \"\(unknown.prefix(64))\" (expected registration_request, software_statement, client_certificate)"))
        }
        var input = RegistrationInput()
        switch object["registration_request"] {
        case nil, .null?: break
        case .string(let text)?: input.request = text
        case .object(let metadata)?: input.request = JSONValue.object(metadata).serialized()
        case let other?: return .failure(DecisionServiceError("registration_request must be a string (JWT) or an object (metadata), not \(other.typeDescription)"))
        }
        for (member, path) in [("software_statement", \RegistrationInput.softwareStatement), ("client_certificate", \RegistrationInput.clientCertificatePEM)] {
            switch object[member] {
            case nil, .null?: break
            case .string(let text)?: input[keyPath: path] = text
            case let other?: return .failure(DecisionServiceError("\(member) must be a string, not \(other.typeDescription)"))
            }
        }
        guard input.request != nil || input.softwareStatement != nil else {
            return .failure(DecisionServiceError("give registration_request, software_statement or both"))
        }
        return .success(input)
    }

    static func json(_ status: HTTPResponse.Status, _ value: JSONValue) -> Response {
        Response(status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: value.serialized())))
    }
}

/// A call the decision service cannot read, or a service that cannot start.
public struct DecisionServiceError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
