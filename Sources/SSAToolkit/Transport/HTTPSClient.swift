import CCurl
import Foundation
import Logging
import Synchronization

/// An HTTPS client over libcurl: TLS 1.2 or newer, peer and hostname verification always on,
/// redirects never followed, bounded time and body size, connections kept alive and reused
/// across calls.
///
/// Every transfer runs on one event-loop thread per client (libcurl's multi interface, see
/// ``CurlMultiLoop``), so awaiting one never blocks Swift's cooperative pool, a burst of calls
/// costs no thread per call, and connections to a host are capped at
/// ``TransportConfiguration/maximumConnectionsPerHost`` (calls beyond it queue for a free
/// connection). Identical GETs already in flight are joined: the second caller waits for the
/// first one's answer instead of sending the request again.
///
/// Proxies are taken from the usual environment variables (`https_proxy`, `no_proxy`).
public final class HTTPSClient: Sendable {
    /// The configuration the client was created with.
    public let configuration: TransportConfiguration
    private let logger: Logger
    private let loop: CurlMultiLoop?
    private let loopError: TransportError?
    private let tls: PreparedTLS
    private let joined = JoinedRequests()

    /// A client; `logger` receives debug lines (URL host and path, status, timings), never
    /// headers or bodies.
    public init(configuration: TransportConfiguration = TransportConfiguration(), logger: Logger = Logger(label: "ssa-toolkit.transport", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.configuration = configuration
        self.logger = logger
        self.tls = PreparedTLS(configuration)
        do {
            loop = try CurlMultiLoop(limits: .init(perHost: configuration.maximumConnectionsPerHost, cached: configuration.maximumIdleConnections))
            loopError = nil
        } catch {
            loop = nil
            loopError = error
        }
    }

    deinit { loop?.close() }

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

    enum Method: Sendable { case get, post }

    private func perform(url: URL, method: Method, headers: [String: String], body: [UInt8]?) async throws(TransportError) -> HTTPResponse {
        let scheme = url.scheme?.lowercased()
        guard scheme == "https" || (scheme == "http" && configuration.allowsPlainHTTP), url.host != nil else {
            throw TransportError(.invalidURL, "\(url.absoluteString) is not an https URL")
        }
        guard let loop else { throw loopError ?? TransportError(.transferFailed, "no curl multi handle") }
        let headerLines = headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        let request = CurlTransfer.Request(url: url, method: method, headerLines: headerLines, body: body)
        let configuration = self.configuration
        let tls = self.tls
        let submission = { @Sendable (finish: @escaping @Sendable (Result<HTTPResponse, TransportError>) -> Void) in
            loop.submit(.init(configure: { handle, share throws(TransportError) in
                try CurlTransfer(request, handle: handle, share: share, configuration: configuration, tls: tls)
            }, finish: finish))
        }
        let result: Result<HTTPResponse, TransportError> = await withCheckedContinuation { continuation in
            if method == .get {
                // Joined by method, URL and headers (the bearer token included): the same question
                // from the same caller, so the same answer.
                joined.run(key: "GET \(url.absoluteString)\n" + headerLines.joined(separator: "\n"), continuation, start: submission)
            } else {
                submission { continuation.resume(returning: $0) }
            }
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
}

/// The TLS material a client hands curl for every transfer, encoded once (the chain as PEM, the
/// trust anchors as PEM); the private key stays in its ``Secret`` until curl copies it.
struct PreparedTLS: Sendable {
    let trustAnchorsPEM: [UInt8]?
    let certificateChainPEM: [UInt8]?
    let identity: TransportIdentity?

    init(_ configuration: TransportConfiguration) {
        trustAnchorsPEM = configuration.trustAnchorsPEM.map { Array($0.utf8) }
        certificateChainPEM = configuration.clientIdentity.map { Array($0.certificateChainPEM.utf8) }
        identity = configuration.clientIdentity
    }
}

/// GETs in flight by key, each with the callers waiting for its answer.
final class JoinedRequests: Sendable {
    typealias Waiter = CheckedContinuation<Result<HTTPResponse, TransportError>, Never>
    private let waiting = Mutex<[String: [Waiter]]>([:])

    /// Joins the request in flight under `key`, or starts one with `start` and answers everyone
    /// who joined it when it finishes.
    func run(key: String, _ waiter: Waiter, start: (@escaping @Sendable (Result<HTTPResponse, TransportError>) -> Void) -> Void) {
        let first = waiting.withLock { table -> Bool in
            if table[key] != nil {
                table[key]!.append(waiter)
                return false
            }
            table[key] = [waiter]
            return true
        }
        guard first else { return }
        start { [self] result in
            for waiter in waiting.withLock({ $0.removeValue(forKey: key) ?? [] }) { waiter.resume(returning: result) }
        }
    }
}

/// One transfer on an easy handle: its options, the buffers curl writes into, and how curl's
/// result becomes an ``HTTPResponse`` or a ``TransportError``. Lives on the loop's thread.
final class CurlTransfer: @unchecked Sendable {
    struct Request: Sendable {
        let url: URL
        let method: HTTPSClient.Method
        let headerLines: [String]
        let body: [UInt8]?
    }

    private let request: Request
    private let configuration: TransportConfiguration
    private let sink: ResponseSink
    private let headerList: CurlStringList

    /// Resets `easy` and sets every option for `request`.
    init(_ request: Request, handle easy: CurlEasyHandle, share: UnsafeMutableRawPointer, configuration: TransportConfiguration, tls: PreparedTLS) throws(TransportError) {
        self.request = request
        self.configuration = configuration
        sink = ResponseSink(limit: configuration.maximumResponseBytes)
        headerList = CurlStringList(request.headerLines + ["Expect:"])
        easy.reset()
        try easy.set(CURLOPT_URL, request.url.absoluteString)
        try easy.set(CURLOPT_PROTOCOLS_STR, configuration.allowsPlainHTTP ? "http,https" : "https")
        try easy.set(CURLOPT_REDIR_PROTOCOLS_STR, "https")
        try easy.set(CURLOPT_FOLLOWLOCATION, 0)
        try easy.set(CURLOPT_NOSIGNAL, 1)
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(configuration.timeouts.connect))
        try easy.set(CURLOPT_TIMEOUT_MS, Self.milliseconds(configuration.timeouts.total))
        try easy.set(CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2))
        try easy.set(CURLOPT_SSL_VERIFYPEER, 1)
        try easy.set(CURLOPT_SSL_VERIFYHOST, 2)
        try easy.set(CURLOPT_TCP_KEEPALIVE, 1)
        try easy.check(ccurl_setopt_pointer(easy.handle, CURLOPT_SHARE, share), CURLOPT_SHARE)
        if let pem = tls.trustAnchorsPEM {
            // Only these anchors: no default bundle file or directory.
            try easy.set(CURLOPT_CAINFO, nil)
            try easy.set(CURLOPT_CAPATH, nil)
            try easy.setBlob(CURLOPT_CAINFO_BLOB, pem)
        }
        if let identity = tls.identity, let chain = tls.certificateChainPEM {
            // In memory: the chain as PEM, the key as PKCS#8 DER (curl copies both blobs).
            try easy.set(CURLOPT_SSLCERTTYPE, "PEM")
            try easy.setBlob(CURLOPT_SSLCERT_BLOB, chain)
            try easy.set(CURLOPT_SSLKEYTYPE, "DER")
            try identity.privateKeyDER.withBytes { key throws(TransportError) in try easy.setBlob(CURLOPT_SSLKEY_BLOB, key) }
        }
        try easy.set(CURLOPT_USERAGENT, configuration.userAgent)
        let userdata = Unmanaged.passUnretained(sink).toOpaque()  // kept alive by this transfer
        _ = ccurl_setopt_data_callback(easy.handle, CURLOPT_WRITEFUNCTION, ResponseSink.writeBody)
        _ = ccurl_setopt_pointer(easy.handle, CURLOPT_WRITEDATA, userdata)
        _ = ccurl_setopt_data_callback(easy.handle, CURLOPT_HEADERFUNCTION, ResponseSink.writeHeader)
        _ = ccurl_setopt_pointer(easy.handle, CURLOPT_HEADERDATA, userdata)
        _ = ccurl_setopt_slist(easy.handle, CURLOPT_HTTPHEADER, headerList.list)
        if request.method == .post {
            // curl copies the body, so it need not outlive this call.
            let body = request.body ?? []
            try easy.set(CURLOPT_POSTFIELDSIZE, body.count)
            try body.withUnsafeBufferPointer { buffer throws(TransportError) in
                try easy.check(ccurl_setopt_pointer(easy.handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!)), CURLOPT_COPYPOSTFIELDS)
            }
        }
    }

    /// The answer, once curl is done with the transfer.
    func outcome(_ code: CURLcode, easy: CurlEasyHandle) -> Result<HTTPResponse, TransportError> {
        ToolkitMetrics.tlsHandshakes(easy.info(CURLINFO_NUM_CONNECTS))  // new connections: each a TLS handshake
        guard code == CURLE_OK else { return .failure(classify(code, easy: easy)) }
        let status = easy.info(CURLINFO_RESPONSE_CODE)
        // 304 Not Modified answers a conditional request (If-None-Match): not a redirect.
        if (300..<400).contains(status), status != 304 {
            let location = sink.headers.first { $0.name.lowercased() == "location" }?.value ?? "nowhere"
            return .failure(TransportError(.redirectRefused, "\(request.url.host ?? "") answered \(status) redirecting to \(location); redirects are not followed", status: status))
        }
        return .success(HTTPResponse(status: status, headers: sink.headers, body: sink.body))
    }

    private func classify(_ code: CURLcode, easy: CurlEasyHandle) -> TransportError {
        let url = request.url
        let host = url.host ?? url.absoluteString
        let message = easy.message(for: code)
        switch code {
        case CURLE_WRITE_ERROR where sink.exceededLimit:
            return TransportError(.responseTooLarge, "the response from \(host) is larger than \(configuration.maximumResponseBytes) bytes")
        case CURLE_OPERATION_TIMEDOUT:
            // Plain HTTP (OCSP, CRLs) has no TLS step: its connection is the TCP one.
            let plain = url.scheme?.lowercased() == "http"
            if easy.infoOffset(plain ? CURLINFO_CONNECT_TIME_T : CURLINFO_APPCONNECT_TIME_T) == 0 {
                return TransportError(.connectTimeout, "no \(plain ? "" : "TLS ")connection to \(host) within \(configuration.timeouts.connect): \(message)")
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
        case CURLE_RECV_ERROR where message.contains(" alert "), CURLE_SEND_ERROR where message.contains(" alert "):
            // A TLS 1.3 server refuses a client certificate (none, or from a CA it does not
            // trust) with an alert after the client's side of the handshake has finished.
            return TransportError(.tlsFailure, "TLS with \(host) failed: the server ended the session with an alert (a refused or missing client certificate): \(message)")
        default:
            return TransportError(.transferFailed, "exchange with \(host) failed: \(message)")
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
