import Foundation

/// An organisation's record in the directory: its status, authorisations per role and member
/// state, and software statements.
public struct OrganisationRecord: Sendable {
    /// One competent-authority authorisation.
    public struct Authorisation: Sendable, Hashable {
        public var memberState: String
        public var role: String
        public var active: Bool
    }

    /// One software statement of the organisation.
    public struct SoftwareStatement: Sendable, Hashable {
        public var id: String
        public var active: Bool
        public var mode: String?
        public var roles: [String]
    }

    /// The organisation id.
    public var id: String
    /// `OrganisationCommonName`.
    public var name: String?
    /// `Status` ("Active", "Revoked", ...), when given.
    public var status: String?
    /// Authorisations per member state and role.
    public var authorisations: [Authorisation]
    /// Software statements.
    public var softwareStatements: [SoftwareStatement]
    /// The whole SCIM resource as received.
    public var raw: [String: JSONValue]

    /// Whether the organisation is active (`Status` Active, or absent).
    public var isActive: Bool { status.map { $0.caseInsensitiveCompare("Active") == .orderedSame } ?? true }

    /// Roles among `roles` without an active authorisation (in `memberState` when given).
    public func unauthorisedRoles(_ roles: [String], memberState: String? = nil) -> [String] {
        roles.filter { role in
            !authorisations.contains { $0.role == role && $0.active && (memberState == nil || $0.memberState == memberState) }
        }
    }
}

/// SCIM queries to the TPP directory (`tppUrl`) with the directory's bearer token.
///
/// Identifiers are validated before they go into a filter: a hostile identifier is an error,
/// never a query. A 401 invalidates the token once and retries once.
public struct TPPDirectoryClient: Sendable {
    /// The SCIM resource endpoint for TPPs.
    public var tppURL: URL
    private let tokens: DirectoryTokenClient
    private let transport: HTTPSClient

    /// Schema URNs (primer section 5).
    public enum Schema {
        public static let organisation = "urn:openbanking:organisation:1.0"
        public static let competentAuthorityClaims = "urn:openbanking:competentauthorityclaims:1.0"
        public static let softwareStatement = "urn:openbanking:softwarestatement:1.0"
    }

    /// A client.
    public init(tppURL: URL, tokens: DirectoryTokenClient, transport: HTTPSClient) {
        self.tppURL = tppURL
        self.tokens = tokens
        self.transport = transport
    }

    /// The SCIM filter for an active software statement; `nil` when `id` is not a safe identifier.
    public static func activeSoftwareStatementFilter(_ id: String) -> String? {
        guard Identifier.problem(with: id) == nil else { return nil }
        return "\(Schema.softwareStatement):SoftwareStatements[Id eq \"\(id)\" and Active eq true]"
    }

    /// Whether the directory has an active software statement with this id (`totalResults > 0`).
    public func isSoftwareStatementActive(_ id: String) async throws(DirectoryError) -> Bool {
        guard let filter = Self.activeSoftwareStatementFilter(id) else {
            throw DirectoryError(.invalidIdentifier, "software statement id \"\(id.prefix(64))\" \(Identifier.problem(with: id)!); it is not sent to the directory")
        }
        let object = try await get(query: [("filter", filter), ("attributes", "totalResults")])
        guard let total = object["totalResults"]?.numberValue else {
            throw DirectoryError(.malformedResponse, "the SCIM answer has no totalResults")
        }
        return total > 0
    }

    /// The organisation's full record.
    public func organisation(_ id: String) async throws(DirectoryError) -> OrganisationRecord {
        guard Identifier.problem(with: id) == nil else {
            throw DirectoryError(.invalidIdentifier, "organisation id \"\(id.prefix(64))\" \(Identifier.problem(with: id)!); it is not sent to the directory")
        }
        let object = try await get(path: id, query: [])
        return try Self.parseOrganisation(object, id: id)
    }

    private func get(path: String? = nil, query: [(String, String)]) async throws(DirectoryError) -> [String: JSONValue] {
        var url = tppURL
        if let path { url.appendPathComponent(path) }
        if !query.isEmpty {
            let encoded = query.map { FormEncoding.escape($0.0) + "=" + FormEncoding.escape($0.1).replacingOccurrences(of: "+", with: "%20") }.joined(separator: "&")
            url = URL(string: url.absoluteString + "?" + encoded)!
        }
        for attempt in 0..<2 {
            let token = try await tokens.token()
            let response: HTTPResponse
            do throws(TransportError) {
                response = try await transport.get(url, headers: ["Authorization": "Bearer \(token.value)", "Accept": "application/scim+json, application/json"])
            } catch {
                throw DirectoryError(error, while: "SCIM query to \(url.host ?? "")")
            }
            if response.status == 401 && attempt == 0 {
                await tokens.invalidate(token)
                continue
            }
            if response.status == 404 { throw DirectoryError(.notFound, "the directory has no such record", status: 404) }
            guard response.status == 200 else {
                throw DirectoryError(.malformedResponse, "the SCIM endpoint answered HTTP \(response.status)", status: response.status)
            }
            do {
                return try StrictJSONParser(maximumDepth: 16, maximumBytes: 1 << 20).parseObject(response.body)
            } catch {
                throw DirectoryError(.malformedResponse, "the SCIM answer is not a JSON object: \(error.reason)", status: 200)
            }
        }
        throw DirectoryError(.oauthError, "the directory refused a fresh token (HTTP 401)", status: 401)
    }

    /// Reads an organisation resource tolerantly (field spellings vary; `Active` Boolean or
    /// `Status` string) and fails closed on what it cannot read.
    static func parseOrganisation(_ object: [String: JSONValue], id: String) throws(DirectoryError) -> OrganisationRecord {
        let resource: [String: JSONValue]
        if let resources = object["Resources"]?.arrayValue {
            guard resources.count == 1, let only = resources[0].objectValue else {
                throw DirectoryError(.notFound, "the directory returned \(resources.count) records for organisation \(id)")
            }
            resource = only
        } else {
            resource = object
        }
        func member(_ object: [String: JSONValue]?, _ name: String) -> JSONValue? {
            object?.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
        func isActive(_ entry: [String: JSONValue]) -> Bool {
            if let active = member(entry, "Active")?.boolValue { return active }
            if let status = member(entry, "Status")?.stringValue { return status.caseInsensitiveCompare("Active") == .orderedSame }
            return false
        }
        let organisation = member(resource, Schema.organisation)?.objectValue
        let authority = member(resource, Schema.competentAuthorityClaims)?.objectValue
        let software = member(resource, Schema.softwareStatement)?.objectValue
        let authorisations = (member(authority, "Authorisations")?.arrayValue ?? []).compactMap { value -> OrganisationRecord.Authorisation? in
            guard let entry = value.objectValue, let role = member(entry, "Psd2Role")?.stringValue ?? member(entry, "Role")?.stringValue else { return nil }
            return .init(memberState: member(entry, "MemberState")?.stringValue ?? "", role: role, active: isActive(entry))
        }
        let statements = (member(software, "SoftwareStatements")?.arrayValue ?? []).compactMap { value -> OrganisationRecord.SoftwareStatement? in
            guard let entry = value.objectValue, let sid = member(entry, "Id")?.stringValue else { return nil }
            return .init(id: sid, active: isActive(entry), mode: member(entry, "Mode")?.stringValue, roles: member(entry, "Roles")?.stringArrayValue ?? [])
        }
        return OrganisationRecord(
            id: member(resource, "id")?.stringValue ?? id,
            name: member(organisation, "OrganisationCommonName")?.stringValue,
            status: member(organisation, "Status")?.stringValue,
            authorisations: authorisations,
            softwareStatements: statements,
            raw: resource
        )
    }
}
