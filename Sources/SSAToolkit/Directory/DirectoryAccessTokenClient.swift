import Foundation
import Logging

/// Obtains the directory access token over mutual TLS with a signed client assertion, and
/// caches it until shortly before it expires. However many callers wait, one request is in
/// flight; a 401 on use invalidates the cached token once.
public actor DirectoryAccessTokenClient {
    /// Where and as whom.
    public nonisolated let tokenURL: URL
    private let assertions: ClientAssertionFactory
    private let transport: HTTPSClient
    private let now: @Sendable () -> Date
    private let logger: Logger
    /// A token is renewed this long before it expires.
    public let refreshMargin: TimeInterval

    private var cached: DirectoryAccessToken?
    private var inFlight: Task<Result<DirectoryAccessToken, DirectoryError>, Never>?

    /// How many token requests were sent (for diagnostics and tests of caching).
    public private(set) var requestCount = 0

    /// A token client. `transport` must present the transport identity (mutual TLS).
    public init(tokenURL: URL, assertions: ClientAssertionFactory, transport: HTTPSClient, refreshMargin: TimeInterval = 60, logger: Logger = Logger(label: "ssa-toolkit.directory", factory: { _ in SwiftLogNoOpLogHandler() }), now: @escaping @Sendable () -> Date = { Date() }) {
        self.tokenURL = tokenURL
        self.assertions = assertions
        self.transport = transport
        self.refreshMargin = refreshMargin
        self.logger = logger
        self.now = now
    }

    /// A valid token: the cached one, or a new one (one request for all concurrent callers).
    public func token() async throws(DirectoryError) -> DirectoryAccessToken {
        if let cached, now() < cached.expiresAt.addingTimeInterval(-refreshMargin) {
            ToolkitMetrics.cache("directory_token", "hit")
            return cached
        }
        ToolkitMetrics.cache("directory_token", cached == nil ? "miss" : "refresh")
        let task: Task<Result<DirectoryAccessToken, DirectoryError>, Never>
        if let inFlight {
            task = inFlight
        } else {
            requestCount += 1
            let request = makeRequest
            task = Task { await request() }
            inFlight = task
        }
        let result = await task.value
        if inFlight == task { inFlight = nil }
        switch result {
        case .success(let token):
            cached = token
            return token
        case .failure(let error):
            throw error
        }
    }

    /// Drops `token` from the cache if it is still the cached one (after a 401), so the next
    /// call fetches a new one; a token already replaced is left alone.
    public func invalidate(_ token: DirectoryAccessToken) {
        if cached?.value == token.value {
            cached = nil
            logger.debug("directory token invalidated after a 401")
        }
    }

    private nonisolated var makeRequest: @Sendable () async -> Result<DirectoryAccessToken, DirectoryError> {
        let assertions = self.assertions
        let transport = self.transport
        let tokenURL = self.tokenURL
        let now = self.now
        let logger = self.logger
        return {
            let issuedAt = now()
            let assertion: String
            do throws(JOSEError) { assertion = try assertions.make(at: issuedAt) } catch {
                return .failure(DirectoryError(.assertionFailed, "cannot sign the client assertion: \(error.reason)"))
            }
            let form = FormEncoding.encode([
                ("grant_type", "client_credentials"),
                ("scope", assertions.scopes.joined(separator: " ")),
                ("client_id", assertions.clientID),
                ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                ("client_assertion", assertion),
            ])
            let response: HTTPResponse
            let start = ContinuousClock.now
            do throws(TransportError) {
                response = try await transport.post(tokenURL, body: Array(form.utf8), contentType: "application/x-www-form-urlencoded", headers: ["Accept": "application/json"])
            } catch {
                ToolkitMetrics.directoryRequest("token", succeeded: false, duration: ContinuousClock.now - start)
                return .failure(DirectoryError(error, while: "token request to \(tokenURL.host ?? "")"))
            }
            logger.debug("directory token request answered \(response.status)")
            let parsed = TokenResponse.parse(response, obtainedAt: issuedAt)
            ToolkitMetrics.directoryRequest("token", succeeded: (try? parsed.get()) != nil, duration: ContinuousClock.now - start)
            return parsed
        }
    }
}

/// `application/x-www-form-urlencoded` encoding (RFC 1866 / WHATWG): unreserved characters as
/// they are, space as `+`, everything else percent-encoded.
enum FormEncoding {
    private static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._*".utf8)

    static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else if byte == 0x20 {
                out += "+"
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}

/// Parsing of token endpoint answers (RFC 6749 section 5).
enum TokenResponse {
    static func parse(_ response: HTTPResponse, obtainedAt: Date) -> Result<DirectoryAccessToken, DirectoryError> {
        let object = try? StrictJSONParser(maximumDepth: 8, maximumBytes: 256 * 1024).parseObject(response.body)
        guard response.status == 200 else {
            if let error = object?["error"]?.stringValue {
                let description = object?["error_description"]?.stringValue.map { ": \($0)" } ?? ""
                return .failure(DirectoryError(.oauthError, "the directory refused the token request (HTTP \(response.status)) with \(error)\(description)", status: response.status))
            }
            return .failure(DirectoryError(.malformedResponse, "the token endpoint answered HTTP \(response.status)", status: response.status))
        }
        guard let object else {
            return .failure(DirectoryError(.malformedResponse, "the token endpoint's answer is not a JSON object", status: 200))
        }
        guard let value = object["access_token"]?.stringValue, !value.isEmpty else {
            return .failure(DirectoryError(.malformedResponse, "the token endpoint's answer has no access_token", status: 200))
        }
        let type = object["token_type"]?.stringValue ?? "Bearer"
        guard type.isByteIdenticalIgnoringASCIICase(to: "Bearer") else {
            return .failure(DirectoryError(.malformedResponse, "token_type \(type) is not Bearer", status: 200))
        }
        guard let expiresIn = object["expires_in"]?.numberValue, expiresIn > 0, expiresIn <= 86_400 * 7 else {
            return .failure(DirectoryError(.malformedResponse, "the token endpoint's answer has no usable expires_in", status: 200))
        }
        return .success(DirectoryAccessToken(value: value, tokenType: "Bearer", scope: object["scope"]?.stringValue, expiresAt: obtainedAt.addingTimeInterval(expiresIn), obtainedAt: obtainedAt))
    }
}
