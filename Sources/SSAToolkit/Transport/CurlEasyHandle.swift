import CCurl
import Foundation

/// `curl_global_init`, once per process, before the first handle.
let curlGlobalInitialisation: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

/// Owns one `CURL *` (freed in `deinit`) and the buffers curl points into while it lives.
///
/// A handle belongs to one ``CurlMultiLoop`` and is only used on that loop's thread, one
/// transfer at a time, which is why it can be `@unchecked Sendable`.
final class CurlEasyHandle: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    /// curl writes its last error message here (CURLOPT_ERRORBUFFER); owned by this object.
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init() throws(TransportError) {
        _ = curlGlobalInitialisation
        guard let handle = curl_easy_init() else {
            throw TransportError(.transferFailed, "curl_easy_init failed")
        }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Resets options (keeping the connection cache) and re-arms the error buffer.
    func reset() {
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        _ = ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
    }

    /// curl's message for the last failure, or its generic text for `code`.
    func message(for code: CURLcode) -> String {
        let specific = String(cString: errorBuffer)
        return specific.isEmpty ? String(cString: curl_easy_strerror(code)) : specific
    }

    func set(_ option: CURLoption, _ value: Int) throws(TransportError) {
        try check(ccurl_setopt_long(handle, option, value), option)
    }

    func set(_ option: CURLoption, _ value: String?) throws(TransportError) {
        let code: CURLcode
        if let value {
            code = value.withCString { ccurl_setopt_string(handle, option, $0) }  // curl copies strings
        } else {
            code = ccurl_setopt_string(handle, option, nil)
        }
        try check(code, option)
    }

    func setBlob(_ option: CURLoption, _ bytes: [UInt8]) throws(TransportError) {
        try bytes.withUnsafeBufferPointer { buffer throws(TransportError) in try setBlob(option, buffer) }
    }

    /// curl copies the blob (CURL_BLOB_COPY), so the buffer need not outlive the call.
    func setBlob(_ option: CURLoption, _ bytes: UnsafeBufferPointer<UInt8>) throws(TransportError) {
        let code = ccurl_setopt_blob_copy(handle, option, UnsafeMutableRawPointer(mutating: bytes.baseAddress!), bytes.count)
        try check(code, option)
    }

    func check(_ code: CURLcode, _ option: CURLoption) throws(TransportError) {
        guard code == CURLE_OK else {
            throw TransportError(.transferFailed, "curl option \(option.rawValue) refused: \(String(cString: curl_easy_strerror(code)))")
        }
    }

    func info(_ item: CURLINFO) -> Int {
        var value = 0
        _ = ccurl_getinfo_long(handle, item, &value)
        return value
    }

    func infoOffset(_ item: CURLINFO) -> Int64 {
        var value: curl_off_t = 0
        _ = ccurl_getinfo_offset(handle, item, &value)
        return Int64(value)
    }
}

/// An `curl_slist` owned by this object.
final class CurlStringList {
    private(set) var list: UnsafeMutablePointer<curl_slist>?

    init(_ lines: [String]) {
        for line in lines { list = curl_slist_append(list, line) }
    }

    deinit { curl_slist_free_all(list) }
}

/// Collects a response while curl runs; passed to curl callbacks as unretained user data and
/// kept alive by the transfer that owns it.
final class ResponseSink {
    let limit: Int
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var exceededLimit = false

    init(limit: Int) { self.limit = limit }

    static let writeBody: ccurl_data_callback = { data, size, count, userdata in
        let sink = Unmanaged<ResponseSink>.fromOpaque(userdata!).takeUnretainedValue()
        let n = size * count
        guard sink.body.count + n <= sink.limit else {
            sink.exceededLimit = true
            return 0  // makes curl abort with CURLE_WRITE_ERROR
        }
        data.withMemoryRebound(to: UInt8.self, capacity: n) { sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n)) }
        return n
    }

    static let writeHeader: ccurl_data_callback = { data, size, count, userdata in
        let sink = Unmanaged<ResponseSink>.fromOpaque(userdata!).takeUnretainedValue()
        let n = size * count
        data.withMemoryRebound(to: UInt8.self, capacity: n) { start in
            let line = UnsafeBufferPointer(start: start, count: n)
            if line.starts(with: "HTTP/".utf8) {
                sink.headers.removeAll()  // a new response (after 100 Continue or a proxy CONNECT)
            } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
                let name = String(decoding: UnsafeBufferPointer(rebasing: line[..<colon]), as: UTF8.self).trimmingASCIIWhitespace()
                let value = String(decoding: UnsafeBufferPointer(rebasing: line[(colon + 1)...]), as: UTF8.self).trimmingASCIIWhitespace()
                sink.headers.append((name, value))
            }
        }
        return n
    }
}
