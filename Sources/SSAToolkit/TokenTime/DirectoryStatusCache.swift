import Foundation

/// The directory's current record of each organisation, cached for token time.
///
/// On the token endpoint's hot path a decision must not cost a directory round trip: a record
/// is used for ``lifetime`` after it was fetched; one lookup is in flight per organisation
/// however many token requests wait for it; and, when configured, an expired record may serve
/// for ``staleIfError`` longer while the directory cannot answer (0 by default: fail closed).
public actor DirectoryStatusCache {
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

    /// How long a record is fresh.
    public let lifetime: TimeInterval
    /// How long past that a record may serve while the directory fails.
    public let staleIfError: TimeInterval
    private let fetch: @Sendable (String) async throws(DirectoryError) -> OrganisationRecord
    private let clock: @Sendable () -> Date
    private var entries: [String: Entry] = [:]
    private var inFlight: [String: Task<Result<OrganisationRecord, DirectoryError>, Never>] = [:]
    private var lookups = 0

    /// A cache over `fetch` (the directory's organisation lookup).
    public init(lifetime: TimeInterval = 300, staleIfError: TimeInterval = 0, clock: @escaping @Sendable () -> Date = { Date() },
                fetch: @escaping @Sendable (String) async throws(DirectoryError) -> OrganisationRecord) {
        self.lifetime = lifetime
        self.staleIfError = staleIfError
        self.clock = clock
        self.fetch = fetch
    }

    /// A cache over a directory client.
    public init(directory: TPPDirectoryClient, lifetime: TimeInterval = 300, staleIfError: TimeInterval = 0) {
        self.init(lifetime: lifetime, staleIfError: staleIfError) { (id: String) async throws(DirectoryError) -> OrganisationRecord in
            try await directory.organisation(id)
        }
    }

    /// How many directory lookups this cache has made.
    public var lookupCount: Int { lookups }

    /// The record of `organisationID`: cached while fresh, else fetched (joining a lookup already
    /// in flight), else stale within the window, else unavailable.
    public func record(_ organisationID: String) async -> Lookup {
        let now = clock()
        if let entry = entries[organisationID], now.timeIntervalSince(entry.fetchedAt) < lifetime {
            return .fresh(entry.record, fetchedAt: entry.fetchedAt)
        }
        let task: Task<Result<OrganisationRecord, DirectoryError>, Never>
        if let running = inFlight[organisationID] {
            task = running
        } else {
            lookups += 1
            let fetch = self.fetch
            task = Task {
                do throws(DirectoryError) { return .success(try await fetch(organisationID)) } catch { return .failure(error) }
            }
            inFlight[organisationID] = task
        }
        let result = await task.value
        if inFlight[organisationID] == task { inFlight[organisationID] = nil }
        switch result {
        case .success(let record):
            let fetchedAt = clock()
            if (entries[organisationID]?.fetchedAt ?? .distantPast) < fetchedAt { entries[organisationID] = Entry(record: record, fetchedAt: fetchedAt) }
            return .fresh(record, fetchedAt: fetchedAt)
        case .failure(let error):
            if error.code == .notFound { entries[organisationID] = nil }
            if error.code != .notFound, let entry = entries[organisationID], clock().timeIntervalSince(entry.fetchedAt) < lifetime + staleIfError {
                return .stale(entry.record, fetchedAt: entry.fetchedAt, error: error)
            }
            return .unavailable(error)
        }
    }

    /// Forgets every record (for operators rotating the directory, and tests).
    public func removeAll() { entries.removeAll() }
}
