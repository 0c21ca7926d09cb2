import Foundation
import Hummingbird
import HummingbirdCore
import HTTPTypes
import Logging
import NIOCore
import Prometheus
import SSAToolkit
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The checks every route makes before it reads a call.
extension DecisionService {
    /// `Host`, as a header field name (the first `Host` becomes the request's authority; any
    /// further one stays among the header fields).
    static let hostField = HTTPField.Name("Host")!

    /// Why a call is refused before it is read, or `nil`: more than one `Host` header (RFC 9112
    /// section 3.2: 400), the bearer token when `authenticate` and one is configured, the `Host`
    /// naming this service, and (for bodies, when `json`) `application/json`.
    static func refusal(of request: Request, options: Options, allowedHosts: [String], authenticate: Bool = true, json requiresJSON: Bool = true) -> Response? {
        if request.headers.contains(hostField) {
            return json(.badRequest, ["error": "invalid_request", "error_description": "more than one Host header"])
        }
        if authenticate, let token = options.bearerToken {
            let header = request.headers[.authorization] ?? ""
            let prefix = "Bearer "
            guard header.hasPrefix(prefix), token.matches(Array(header.utf8.dropFirst(prefix.utf8.count))) else {
                var response = json(.unauthorized, ["error": "invalid_token", "error_description": "a bearer token is required"])
                response.headers[.wwwAuthenticate] = "Bearer"
                return response
            }
        }
        if options.unixSocketPath == nil, allowedHosts.count == 2 {
            let host = request.head.authority ?? ""
            guard allowedHosts.contains(where: { $0.isByteIdenticalIgnoringASCIICase(to: host) }) else {
                return json(.misdirectedRequest, ["error": "invalid_request", "error_description": .string("the Host header must name this service (\(allowedHosts.joined(separator: " or ")))")])
            }
        }
        guard !requiresJSON || isJSONMediaType(contentType(of: request.headers)) else {
            return json(.unsupportedMediaType, ["error": "invalid_request", "error_description": "the body must be application/json"])
        }
        return nil
    }

    /// The `Content-Type` value: the one field's own value (no joined copy), or every field's
    /// values joined as the fields' subscript joins them (so two types never pass as one).
    static func contentType(of headers: HTTPFields) -> String {
        var found: String?
        for field in headers where field.name == .contentType {
            if found != nil { return headers[.contentType] ?? "" }
            found = field.value
        }
        return found ?? ""
    }

    /// Whether a `Content-Type` value names `application/json` (any case, parameters such as
    /// `charset` after `;` ignored, spaces and tabs around the type allowed).
    static func isJSONMediaType(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { bytes in
            // The media type: up to the first ';', spaces and tabs around it dropped.
            var end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
            var start = 0
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            let expected: StaticString = "application/json"
            guard end - start == expected.utf8CodeUnitCount else { return false }
            return expected.withUTF8Buffer { wanted in
                (0..<wanted.count).allSatisfy { offset in
                    let b = bytes[start + offset]
                    return (b >= 0x41 && b <= 0x5A ? b | 0x20 : b) == wanted[offset]
                }
            }
        }
    }
}

/// The guard of a route group, as middleware: refuses a call before it is read when
/// ``DecisionService/refusal(of:options:allowedHosts:authenticate:json:)`` says so.
struct CallerGuard<Context: RequestContext>: RouterMiddleware {
    let options: DecisionService.Options
    let allowedHosts: @Sendable () -> [String]
    let authenticate: Bool
    let requireJSON: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let refusal = DecisionService.refusal(of: request, options: options, allowedHosts: allowedHosts(), authenticate: authenticate, json: requireJSON) {
            return refusal
        }
        return try await next(request, context)
    }
}
