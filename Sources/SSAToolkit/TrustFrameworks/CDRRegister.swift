import Foundation

/// The CDR Register's public status endpoints (`registerUrl`, `registerIndustry`):
/// `GET {register}/cdr-register/v1/{industry}/data-recipients/status` (`data[]`:
/// `legalEntityId`, `status` ACTIVE, SUSPENDED, REVOKED, SURRENDERED) and
/// `GET .../data-recipients/brands/software-products/status` (`data[]`: `softwareProductId`,
/// `status` ACTIVE, INACTIVE, REMOVED), asked with the `x-v` version header and revalidated with
/// `If-None-Match`. Both must be ACTIVE. One fetch of each list serves every decision until it
/// expires.
public struct CDRRegister: ParticipantStatusSource {
    /// Data recipients' (legal entities') statuses, by `legalEntityId`.
    public let recipients: PublishedListCache<[String: String]>
    /// Software products' statuses, by `softwareProductId`.
    public let products: PublishedListCache<[String: String]>
    public var sourceName: String { "the CDR Register" }

    /// The `x-v` the status endpoints are asked for.
    public static let statusVersion = "2"

    /// The Register at `base` (its base URL), for `industry` (`banking`, `energy`, `telco`, `all`);
    /// each list is used for its `max-age` but never longer than `lifetime` (`statusCacheSeconds`).
    public init(base: URL, industry: String = "banking", client: HTTPSClient, lifetime: TimeInterval = 300, staleIfError: TimeInterval = 0,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        let root = base.appendingPathComponent("cdr-register/v1").appendingPathComponent(industry).appendingPathComponent("data-recipients")
        let headers = ["x-v": Self.statusVersion]
        recipients = PublishedListCache(name: "the Register's data recipient statuses", url: root.appendingPathComponent("status"), client: client, headers: headers,
                                        lifetime: lifetime, maximumLifetime: lifetime, staleIfError: staleIfError, metricLabel: "cdr_recipients", clock: clock) { (bytes: [UInt8]) throws(DirectoryError) in
            try Self.parse(bytes, key: "legalEntityId")
        }
        products = PublishedListCache(name: "the Register's software product statuses", url: root.appendingPathComponent("brands/software-products/status"), client: client,
                                      headers: headers, lifetime: lifetime, maximumLifetime: lifetime, staleIfError: staleIfError, metricLabel: "cdr_products", clock: clock) { (bytes: [UInt8]) throws(DirectoryError) in
            try Self.parse(bytes, key: "softwareProductId")
        }
    }

    /// Reads `{"data": [{key: id, "status": s}, ...]}` into id to status.
    public static func parse(_ bytes: [UInt8], key: String) throws(DirectoryError) -> [String: String] {
        let value: JSONValue
        do { value = try StrictJSONParser(maximumDepth: 16, maximumBytes: 32 << 20).parse(bytes) } catch {
            throw DirectoryError(.malformedResponse, "not JSON: \(error)")
        }
        guard let entries = value.objectValue?["data"]?.arrayValue else {
            throw DirectoryError(.malformedResponse, "an object with a data array was expected, found \(value.typeDescription)")
        }
        var statuses: [String: String] = [:]
        for (index, entry) in entries.enumerated() {
            guard let id = entry.objectValue?[key]?.stringValue, let status = entry.objectValue?["status"]?.stringValue else {
                throw DirectoryError(.malformedResponse, "data entry \(index) has no \(key) or status string")
            }
            statuses[id] = status
        }
        return statuses
    }

    /// A legal entity's status as a state: ACTIVE; SUSPENDED; REVOKED, SURRENDERED; else unknown.
    public static func recipientState(_ status: String) -> ParticipantState {
        switch status {
        case "ACTIVE": .active
        case "SUSPENDED": .suspended
        case "REVOKED", "SURRENDERED": .revoked
        default: .unknown
        }
    }

    /// A software product's status as a state: ACTIVE; INACTIVE; REMOVED; else unknown.
    public static func productState(_ status: String) -> ParticipantState {
        switch status {
        case "ACTIVE": .active
        case "INACTIVE": .suspended
        case "REMOVED": .revoked
        default: .unknown
        }
    }

    public func standing(softwareID: String, organisationID: String, legalEntityID: String?) async -> Result<ParticipantStanding, DirectoryError> {
        guard let legalEntityID, !legalEntityID.isEmpty else {
            return .failure(DirectoryError(.notFound, "no legal_entity_id names the data recipient: the Register's status is kept per legal entity"))
        }
        async let recipientsLookup = recipients.current()
        async let productsLookup = products.current()
        let (recipientList, productList) = await (recipientsLookup, productsLookup)
        guard case .list(let entities, let fetchedAt, let staleRecipients) = recipientList else {
            if case .unavailable(let error) = recipientList { return .failure(error) }
            return .failure(DirectoryError(.malformedResponse, "no list"))
        }
        guard case .list(let softwareProducts, _, let staleProducts) = productList else {
            if case .unavailable(let error) = productList { return .failure(error) }
            return .failure(DirectoryError(.malformedResponse, "no list"))
        }
        guard let entityStatus = entities[legalEntityID] else {
            return .failure(DirectoryError(.notFound, "the CDR Register lists no data recipient (legal entity) \(legalEntityID)"))
        }
        let organisation = Self.recipientState(entityStatus).outcome("data recipient \(legalEntityID)", raw: entityStatus, source: sourceName)
        let software: RuleOutcome
        if let productStatus = softwareProducts[softwareID] {
            software = Self.productState(productStatus).outcome("software product \(softwareID)", raw: productStatus, source: sourceName)
        } else {
            software = .refused("the CDR Register lists no software product \(softwareID)")
        }
        return .success(ParticipantStanding(software: software, organisation: organisation, activeRoles: nil, fetchedAt: fetchedAt,
                                            staleBecause: staleRecipients ?? staleProducts))
    }
}
