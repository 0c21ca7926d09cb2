import CCurl
import Foundation
import Logging
import Synchronization

/// An HTTPS client over libcurl: TLS 1.2 or newer, peer and hostname verification always on,
/// redirects never followed, bounded time and body size, connections reused across calls.
///
/// Transfers run on their own threads, so awaiting one never blocks Swift's cooperative pool.
/// Proxies are taken from the usual environment variables (`https_proxy`, `no_proxy`).
public final class HTTPSClient: Sendable {
    /// The configuration the client was created with.
    public let configuration: TransportConfiguration
    private let logger: Logger
    private let idleHandles = Mutex<[CurlEasyHandle]>([])

    /// A client; `logger` receives debug lines (URL host and path, status, timings), never
    /// headers or bodies.
    public init(configuration: TransportConfiguration = TransportConfiguration(), logger: Logger = Logger(label: "ssa-toolkit.transport", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.configuration = configuration
        self.logger = logger
    }

    /// GETs `url`.
    public func get(_ url: URL, headers: [String: String] = [:]) async throws(TransportError) -> HTTPResponse {
        try await perform(url: url, method: .get, headers: headers, body: nil)
    }

    /// POSTs `body` to `url` with the given content type.
    public func post(_ url: URL, body: [UInt8], contentType: String, headers: [String: String] = [:]) async throws(TransportError) -> HTTPResponse {
        var all = headers
        all["Content-Type"] = contentType
        return try await perform(url: url, method: .post, headers: all, body: body)
    }

    private enum Method { case get, post }

    private func perform(url: URL, method: Method, headers: [String: String], body: [UInt8]?) async throws(TransportError) -> HTTPResponse {
        guard url.scheme?.lowercased() == "https", url.host != nil else {
            throw TransportError(.invalidURL, "\(url.absoluteString) is not an https URL")
        }
        let pooled = idleHandles.withLock { $0.popLast() }
        let handle: CurlEasyHandle
        if let pooled { handle = pooled } else { handle = try CurlEasyHandle() }
        let configuration = self.configuration
        let result: Result<HTTPResponse, TransportError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: Self.transfer(handle, url: url, method: method, headers: headers, body: body, configuration: configuration))
            }
            thread.name = "ssa-toolkit.curl"
            thread.start()
        }
        idleHandles.withLock { idle in
            if idle.count < configuration.maximumIdleConnections { idle.append(handle) }
        }
        switch result {
        case .success(let response):
            logger.debug("HTTPS \(method == .get ? "GET" : "POST") \(url.host ?? "")\(url.path) -> \(response.status), \(response.body.count) bytes")
            return response
        case .failure(let error):
            logger.debug("HTTPS \(method == .get ? "GET" : "POST") \(url.host ?? "")\(url.path) failed: \(error)")
            throw error
        }
    }

    /// Runs one blocking transfer on the calling (dedicated) thread.
    private static func transfer(_ easy: CurlEasyHandle, url: URL, method: Method, headers: [String: String], body: [UInt8]?, configuration: TransportConfiguration) -> Result<HTTPResponse, TransportError> {
        let sink = ResponseSink(limit: configuration.maximumResponseBytes)
        let headerList = CurlStringList(headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" } + ["Expect:"])
        return withExtendedLifetime((sink, headerList)) {
            do throws(TransportError) {
                easy.reset()
                try easy.set(CURLOPT_URL, url.absoluteString)
                try easy.set(CURLOPT_PROTOCOLS_STR, "https")
                try easy.set(CURLOPT_REDIR_PROTOCOLS_STR, "https")
                try easy.set(CURLOPT_FOLLOWLOCATION, 0)
                try easy.set(CURLOPT_NOSIGNAL, 1)
                try easy.set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds(configuration.timeouts.connect))
                try easy.set(CURLOPT_TIMEOUT_MS, milliseconds(configuration.timeouts.total))
                try easy.set(CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2))
                try easy.set(CURLOPT_SSL_VERIFYPEER, 1)
                try easy.set(CURLOPT_SSL_VERIFYHOST, 2)
                if let pem = configuration.trustAnchorsPEM {
                    // Only these anchors: no default bundle file or directory.
                    try easy.set(CURLOPT_CAINFO, nil)
                    try easy.set(CURLOPT_CAPATH, nil)
                    try easy.setBlob(CURLOPT_CAINFO_BLOB, Array(pem.utf8))
                }
                if let identity = configuration.clientIdentity {
                    // In memory: the chain as PEM, the key as PKCS#8 DER (curl copies both blobs).
                    try easy.set(CURLOPT_SSLCERTTYPE, "PEM")
                    try easy.setBlob(CURLOPT_SSLCERT_BLOB, Array(identity.certificateChainPEM.utf8))
                    try easy.set(CURLOPT_SSLKEYTYPE, "DER")
                    try identity.privateKeyDER.withBytes { key throws(TransportError) in try easy.setBlob(CURLOPT_SSLKEY_BLOB, key) }
                }
                try easy.set(CURLOPT_USERAGENT, configuration.userAgent)
                let userdata = Unmanaged.passUnretained(sink).toOpaque()
                _ = ccurl_setopt_data_callback(easy.handle, CURLOPT_WRITEFUNCTION, ResponseSink.writeBody)
                _ = ccurl_setopt_pointer(easy.handle, CURLOPT_WRITEDATA, userdata)
                _ = ccurl_setopt_data_callback(easy.handle, CURLOPT_HEADERFUNCTION, ResponseSink.writeHeader)
                _ = ccurl_setopt_pointer(easy.handle, CURLOPT_HEADERDATA, userdata)
                _ = ccurl_setopt_slist(easy.handle, CURLOPT_HTTPHEADER, headerList.list)
                var postBody = body ?? []
                let code: CURLcode = postBody.withUnsafeMutableBytes { raw in
                    if method == .post {
                        _ = ccurl_setopt_long(easy.handle, CURLOPT_POSTFIELDSIZE, raw.count)
                        _ = ccurl_setopt_pointer(easy.handle, CURLOPT_POSTFIELDS, raw.baseAddress)
                    }
                    return curl_easy_perform(easy.handle)
                }
                guard code == CURLE_OK else {
                    throw classify(code, easy: easy, sink: sink, url: url, configuration: configuration)
                }
                let status = easy.info(CURLINFO_RESPONSE_CODE)
                if (300..<400).contains(status) {
                    let location = sink.headers.first { $0.name.lowercased() == "location" }?.value ?? "nowhere"
                    throw TransportError(.redirectRefused, "\(url.host ?? "") answered \(status) redirecting to \(location); redirects are not followed", status: status)
                }
                return .success(HTTPResponse(status: status, headers: sink.headers, body: sink.body))
            } catch {
                return .failure(error)
            }
        }
    }

    private static func classify(_ code: CURLcode, easy: CurlEasyHandle, sink: ResponseSink, url: URL, configuration: TransportConfiguration) -> TransportError {
        let host = url.host ?? url.absoluteString
        let message = easy.message(for: code)
        switch code {
        case CURLE_WRITE_ERROR where sink.exceededLimit:
            return TransportError(.responseTooLarge, "the response from \(host) is larger than \(configuration.maximumResponseBytes) bytes")
        case CURLE_OPERATION_TIMEDOUT:
            if easy.infoOffset(CURLINFO_APPCONNECT_TIME_T) == 0 {
                return TransportError(.connectTimeout, "no TLS connection to \(host) within \(configuration.timeouts.connect): \(message)")
            }
            return TransportError(.timeout, "\(host) did not answer within \(configuration.timeouts.total): \(message)")
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            return TransportError(.invalidURL, "\(url.absoluteString): \(message)")
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            return TransportError(.connectionFailed, "cannot connect to \(host): \(message)")
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
             CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_SSL_CRL_BADFILE, CURLE_USE_SSL_FAILED:
            return TransportError(.tlsFailure, "TLS with \(host) failed: \(message)")
        default:
            return TransportError(.transferFailed, "exchange with \(host) failed: \(message)")
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
