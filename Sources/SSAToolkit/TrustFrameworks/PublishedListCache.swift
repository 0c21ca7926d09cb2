import Foundation
import Synchronization

/// A status list a directory publishes as one public JSON document (Open Finance Brasil's
/// participants list, the CDR Register's status lists), fetched over HTTPS and kept as the
/// publisher says: for its `Cache-Control` `max-age` (at most ``maximumLifetime``; ``lifetime``
/// when it names none), revalidated with `If-None-Match` when it carried an `ETag`. One fetch is
/// in flight however many decisions wait for it, and every decision until it expires reads the
/// parsed list without a network call. When configured, an expired list may serve for
/// ``staleIfError`` longer while the publisher cannot answer (0 by default: fail closed).
public final class PublishedListCache<List: Sendable>: Sendable {
    /// What a read gives.
    public enum Lookup: Sendable {
        /// The list, when it was fetched (or revalidated), and whether it is past its lifetime
        /// (served because the publisher failed, within ``staleIfError``).
        case list(List, fetchedAt: Date, stale: DirectoryError?)
        /// No usable list: the publisher failed or sent what cannot be read.
        case unavailable(DirectoryError)
    }

    private struct Entry {
        var list: List
        var fetchedAt: Date
        var expiresAt: Date
        var etag: String?
    }

    private enum Step {
        case hit(Entry)
        case wait(Task<Result<Entry, DirectoryError>, Never>)
    }

    private struct State {
        var entry: Entry?
        var inFlight: Task<Result<Entry, DirectoryError>, Never>?
        var fetches = 0
    }

    /// What the list is called in sentences (`the participants list`).
    public let name: String
    /// Where it is published.
    public let url: URL
    /// How long a list that names no `max-age` is used.
    public let lifetime: TimeInterval
    /// The longest a `max-age` is honoured.
    public let maximumLifetime: TimeInterval
    /// How long past its lifetime a list may serve while the publisher fails.
    public let staleIfError: TimeInterval
    private let client: HTTPSClient
    private let headers: [String: String]
    private let parse: @Sendable ([UInt8]) throws(DirectoryError) -> List
    private let clock: @Sendable () -> Date
    private let state = Mutex(State())
    /// The label of its cache metric (`ssa_toolkit_cache_events_total{cache=...}`).
    private let metricLabel: String

    /// A cache of the document at `url`, read with `client` (sending `headers`), parsed by `parse`.
    public init(name: String, url: URL, client: HTTPSClient, headers: [String: String] = [:], lifetime: TimeInterval = 300, maximumLifetime: TimeInterval = 3600,
                staleIfError: TimeInterval = 0, metricLabel: String, clock: @escaping @Sendable () -> Date = { Date() },
                parse: @escaping @Sendable ([UInt8]) throws(DirectoryError) -> List) {
        self.name = name
        self.url = url
        self.client = client
        self.headers = headers
        self.lifetime = lifetime
        self.maximumLifetime = maximumLifetime
        self.staleIfError = staleIfError
        self.metricLabel = metricLabel
        self.clock = clock
        self.parse = parse
    }

    /// How many times the list was fetched (or revalidated).
    public var fetchCount: Int { state.withLock { $0.fetches } }

    /// The list: cached while within its lifetime, else fetched (joining a fetch in flight), else
    /// stale within the window, else unavailable.
    public func current() async -> Lookup {
        let now = clock()
        let step = state.withLock { state -> Step in
            if let entry = state.entry, now < entry.expiresAt { return .hit(entry) }
            if let running = state.inFlight { return .wait(running) }
            state.fetches += 1
            let previous = state.entry
            let task = Task { await self.fetch(revalidating: previous) }
            state.inFlight = task
            return .wait(task)
        }
        let task: Task<Result<Entry, DirectoryError>, Never>
        switch step {
        case .hit(let entry):
            ToolkitMetrics.cache(metricLabel, "hit")
            return .list(entry.list, fetchedAt: entry.fetchedAt, stale: nil)
        case .wait(let running):
            ToolkitMetrics.cache(metricLabel, "miss")
            task = running
        }
        let result = await task.value
        let after = clock()
        return state.withLock { state -> Lookup in
            if state.inFlight == task { state.inFlight = nil }
            switch result {
            case .success(let entry):
                if (state.entry?.fetchedAt ?? .distantPast) <= entry.fetchedAt { state.entry = entry }
                return .list(entry.list, fetchedAt: entry.fetchedAt, stale: nil)
            case .failure(let error):
                if let entry = state.entry, after < entry.expiresAt.addingTimeInterval(staleIfError) {
                    ToolkitMetrics.cache(metricLabel, "stale")
                    return .list(entry.list, fetchedAt: entry.fetchedAt, stale: error)
                }
                return .unavailable(error)
            }
        }
    }

    /// Forgets the list (for operators, and tests).
    public func removeAll() { state.withLock { $0.entry = nil } }

    private func fetch(revalidating previous: Entry?) async -> Result<Entry, DirectoryError> {
        var headers = self.headers
        headers["Accept"] = "application/json"
        if let etag = previous?.etag { headers["If-None-Match"] = etag }
        let response: HTTPResponse
        do { response = try await client.get(url, headers: headers) } catch {
            return .failure(DirectoryError(error, while: "fetching \(name) (\(url.absoluteString))"))
        }
        let fetchedAt = clock()
        let expiresAt = fetchedAt.addingTimeInterval(freshness(response))
        if response.status == 304, let previous {
            return .success(Entry(list: previous.list, fetchedAt: fetchedAt, expiresAt: expiresAt, etag: response.header("ETag") ?? previous.etag))
        }
        guard response.status == 200 else {
            return .failure(DirectoryError(.malformedResponse, "\(name) answered HTTP \(response.status)", status: response.status))
        }
        do throws(DirectoryError) {
            let list = try parse(response.body)
            return .success(Entry(list: list, fetchedAt: fetchedAt, expiresAt: expiresAt, etag: response.header("ETag")))
        } catch {
            return .failure(DirectoryError(error.code, "\(name) cannot be read: \(error.reason)", status: response.status))
        }
    }

    /// How long the answer may be used: its `max-age` (capped), none for `no-store`/`no-cache`,
    /// else ``lifetime``.
    private func freshness(_ response: HTTPResponse) -> TimeInterval {
        guard let control = response.header("Cache-Control") else { return lifetime }
        var maxAge: TimeInterval?
        for directive in control.split(separator: ",") {
            let part = directive.trimmingCharacters(in: .whitespaces).lowercased()
            if part == "no-store" || part == "no-cache" { return 0 }
            if part.hasPrefix("max-age="), let seconds = Int(part.dropFirst(8)), seconds >= 0 { maxAge = TimeInterval(seconds) }
        }
        return min(maxAge ?? lifetime, maximumLifetime)
    }
}
