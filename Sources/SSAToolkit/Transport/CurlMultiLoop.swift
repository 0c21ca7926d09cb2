import CCurl
import Foundation
import Synchronization

/// One thread driving libcurl's multi interface for one ``HTTPSClient``.
///
/// Every transfer of the client runs here, interleaved: a burst of concurrent calls costs no
/// thread per call, and they share one connection cache, TLS session cache and DNS cache (a
/// `CURLSH` share handle). Connections per host are capped (`CURLMOPT_MAX_HOST_CONNECTIONS`);
/// transfers beyond the cap wait in curl's queue for a connection to come free, and connections
/// are kept alive between calls, so under load the directory sees at most the cap of TLS
/// handshakes rather than one per call.
///
/// Ownership: the multi handle, the share handle and every easy handle are created, used and
/// freed on the loop's own thread only; other threads only append to the inbox (under a lock)
/// and wake the loop with `curl_multi_wakeup`. The thread keeps the loop alive until
/// ``close()`` ends it, and then frees the handles exactly once, easy handles before the
/// multi and share handles they belong to.
final class CurlMultiLoop: @unchecked Sendable {
    /// How many connections the loop may hold.
    struct Limits: Sendable {
        /// Connections to one host at once (`CURLMOPT_MAX_HOST_CONNECTIONS`).
        var perHost: Int
        /// Idle connections kept for reuse (`CURLMOPT_MAXCONNECTS`).
        var cached: Int
    }

    /// A transfer to run: `configure` sets the easy handle's options (on the loop thread), and
    /// `finish` receives curl's result for it.
    struct Submission: Sendable {
        let configure: @Sendable (CurlEasyHandle, UnsafeMutableRawPointer) throws(TransportError) -> CurlTransfer
        let finish: @Sendable (Result<HTTPResponse, TransportError>) -> Void
    }

    private let multi: UnsafeMutableRawPointer
    private let share: UnsafeMutableRawPointer
    private let limits: Limits
    private let inbox = Mutex<(queue: [Submission], closed: Bool)>(([], false))

    // The loop thread's own state: never touched elsewhere.
    private var running: [UnsafeMutableRawPointer: (handle: CurlEasyHandle, transfer: CurlTransfer, finish: @Sendable (Result<HTTPResponse, TransportError>) -> Void)] = [:]
    private var idle: [CurlEasyHandle] = []

    /// Creates the handles and starts the thread.
    init(limits: Limits) throws(TransportError) {
        _ = curlGlobalInitialisation
        guard let multi = curl_multi_init() else { throw TransportError(.transferFailed, "curl_multi_init failed") }
        guard let share = curl_share_init() else {
            curl_multi_cleanup(multi)
            throw TransportError(.transferFailed, "curl_share_init failed")
        }
        // One thread uses the share, so it needs no lock callbacks.
        for data in [CURL_LOCK_DATA_CONNECT, CURL_LOCK_DATA_SSL_SESSION, CURL_LOCK_DATA_DNS] {
            _ = ccurl_share_setopt_share(share, data)
        }
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, max(1, limits.perHost))
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(1, limits.cached))
        self.multi = multi
        self.share = share
        self.limits = limits
        let thread = Thread { [self] in run() }
        thread.name = "ssa-toolkit.curl"
        thread.start()
    }

    /// Queues a transfer and wakes the loop. After ``close()``, fails it at once.
    func submit(_ submission: Submission) {
        let accepted = inbox.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.queue.append(submission)
            // Under the lock: the loop frees the multi handle only after taking this lock once
            // it is closed, so a wakeup never reaches a freed handle.
            curl_multi_wakeup(multi)
            return true
        }
        guard accepted else {
            submission.finish(.failure(TransportError(.transferFailed, "the HTTPS client was closed")))
            return
        }
    }

    /// Ends the loop: transfers still queued or running fail, and the thread frees the handles.
    func close() {
        inbox.withLock { state in
            state.closed = true
            curl_multi_wakeup(multi)
        }
    }

    private func run() {
        while true {
            let (batch, closed) = inbox.withLock { state in
                defer { state.queue.removeAll(keepingCapacity: true) }
                return (state.queue, state.closed)
            }
            if closed {
                for submission in batch { submission.finish(.failure(TransportError(.transferFailed, "the HTTPS client was closed"))) }
                break
            }
            for submission in batch { start(submission) }
            var active: Int32 = 0
            _ = curl_multi_perform(multi, &active)
            collectFinished()
            var ready: Int32 = 0
            _ = curl_multi_poll(multi, nil, 0, 1000, &ready)
        }
        for (easy, entry) in running {
            curl_multi_remove_handle(multi, easy)
            entry.finish(.failure(TransportError(.transferFailed, "the HTTPS client was closed")))
        }
        running = [:]
        idle = []  // the easy handles are freed here, before the multi and share handles
        inbox.withLock { _ in }  // every wakeup (made under this lock) has returned
        curl_multi_cleanup(multi)
        curl_share_cleanup(share)
    }

    private func start(_ submission: Submission) {
        let handle: CurlEasyHandle
        if let reused = idle.popLast() {
            handle = reused
        } else {
            do { handle = try CurlEasyHandle() } catch {
                submission.finish(.failure(error))
                return
            }
        }
        let transfer: CurlTransfer
        do { transfer = try submission.configure(handle, share) } catch {
            park(handle)
            submission.finish(.failure(error))
            return
        }
        let code = curl_multi_add_handle(multi, handle.handle)
        guard code == CURLM_OK else {
            park(handle)
            submission.finish(.failure(TransportError(.transferFailed, "curl_multi_add_handle failed: \(String(cString: curl_multi_strerror(code)))")))
            return
        }
        running[handle.handle] = (handle, transfer, submission.finish)
    }

    private func collectFinished() {
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let code = ccurl_message_result(message)  // read before the handle is removed
            guard let entry = running.removeValue(forKey: easy) else { continue }
            curl_multi_remove_handle(multi, easy)
            let result = entry.transfer.outcome(code, easy: entry.handle)
            park(entry.handle)
            entry.finish(result)
        }
    }

    /// Keeps a finished handle for the next transfer (its options are reset then).
    private func park(_ handle: CurlEasyHandle) {
        if idle.count < max(limits.cached, limits.perHost) { idle.append(handle) }
    }
}
