import Foundation
import Synchronization

/// The directory's current record of each organisation, cached for token time.
///
/// On the token endpoint's hot path a decision must not cost a directory round trip: a record
/// is used for ``lifetime`` after it was fetched; one lookup is in flight per organisation
/// however many token requests wait for it; and, when configured, an expired record may serve
/// for ``staleIfError`` longer while the directory cannot answer (0 by default: fail closed).
public final class DirectoryStatusCache: Sendable {
    /// What a lookup gives.
    public enum Lookup: Sendable {
        /// A record within its lifetime.
        case fresh(OrganisationRecord, fetchedAt: Date)
        /// An expired record, used because the directory failed and the stale window allows it.
        case stale(OrganisationRecord, fetchedAt: Date, error: DirectoryError)
        /// No usable record: the directory failed (or said there is no such organisation).
        case unavailable(DirectoryError)
    }

    private struct Entry {
        var record: OrganisationRecord
        var fetchedAt: Date
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var inFlight: [String: Task<Result<OrganisationRecord, DirectoryError>, Never>] = [:]
        var lookups = 0
    }

    /// How long a record is fresh.
    public let lifetime: TimeInterval
    /// How long past that a record may serve while the directory fails.
    public let staleIfError: TimeInterval
    private let fetch: @Sendable (String) async throws(DirectoryError) -> OrganisationRecord
    private let clock: @Sendable () -> Date
    // A lock, not an actor: a warm hit is a dictionary read on the caller's thread, with no hop
    // to another executor and back on the token endpoint's hot path.
    private let state = Mutex(State())

    /// A cache over `fetch` (the directory's organisation lookup).
    public init(lifetime: TimeInterval = 300, staleIfError: TimeInterval = 0, clock: @escaping @Sendable () -> Date = { Date() },
                fetch: @escaping @Sendable (String) async throws(DirectoryError) -> OrganisationRecord) {
        self.lifetime = lifetime
        self.staleIfError = staleIfError
        self.clock = clock
        self.fetch = fetch
    }

    /// A cache over a directory client.
    public convenience init(directory: TPPDirectoryClient, lifetime: TimeInterval = 300, staleIfError: TimeInterval = 0) {
        self.init(lifetime: lifetime, staleIfError: staleIfError) { (id: String) async throws(DirectoryError) -> OrganisationRecord in
            try await directory.organisation(id)
        }
    }

    /// How many directory lookups this cache has made.
    public var lookupCount: Int { state.withLock { $0.lookups } }

    /// The record of `organisationID`: cached while fresh, else fetched (joining a lookup already
    /// in flight), else stale within the window, else unavailable.
    public func record(_ organisationID: String) async -> Lookup {
        let now = clock()
        enum Step {
            case hit(Entry)
            case wait(Task<Result<OrganisationRecord, DirectoryError>, Never>)
        }
        let fetch = self.fetch
        let step = state.withLock { state -> Step in
            if let entry = state.entries[organisationID], now.timeIntervalSince(entry.fetchedAt) < lifetime { return .hit(entry) }
            if let running = state.inFlight[organisationID] { return .wait(running) }
            state.lookups += 1
            let task = Task {
                do throws(DirectoryError) { return Result<OrganisationRecord, DirectoryError>.success(try await fetch(organisationID)) } catch { return .failure(error) }
            }
            state.inFlight[organisationID] = task
            return .wait(task)
        }
        let task: Task<Result<OrganisationRecord, DirectoryError>, Never>
        switch step {
        case .hit(let entry):
            ToolkitMetrics.statusCacheHits.increment()
            return .fresh(entry.record, fetchedAt: entry.fetchedAt)
        case .wait(let running):
            ToolkitMetrics.cache("status", "miss")
            task = running
        }
        let result = await task.value
        let fetchedAt = clock()
        return state.withLock { state -> Lookup in
            if state.inFlight[organisationID] == task { state.inFlight[organisationID] = nil }
            switch result {
            case .success(let record):
                if (state.entries[organisationID]?.fetchedAt ?? .distantPast) < fetchedAt {
                    state.entries[organisationID] = Entry(record: record, fetchedAt: fetchedAt)
                }
                return .fresh(record, fetchedAt: fetchedAt)
            case .failure(let error):
                if error.code == .notFound { state.entries[organisationID] = nil }
                if error.code != .notFound, let entry = state.entries[organisationID], fetchedAt.timeIntervalSince(entry.fetchedAt) < lifetime + staleIfError {
                    ToolkitMetrics.cache("status", "stale")
                    return .stale(entry.record, fetchedAt: entry.fetchedAt, error: error)
                }
                return .unavailable(error)
            }
        }
    }

    /// Forgets every record (for operators rotating the directory, and tests).
    public func removeAll() { state.withLock { $0.entries.removeAll() } }
}
