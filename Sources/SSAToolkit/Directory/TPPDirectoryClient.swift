import Foundation

/// SCIM queries to the TPP directory (`tppUrl`) with the directory's bearer token.
///
/// Identifiers are validated before they go into a filter: a hostile identifier is an error,
/// never a query. A 401 invalidates the token once and retries once.
public struct TPPDirectoryClient: Sendable {
    /// The SCIM resource endpoint for TPPs.
    public var tppURL: URL
    private let accessTokens: DirectoryAccessTokenClient
    private let transport: HTTPSClient

    /// Schema URNs (primer section 5).
    public enum Schema: String, Sendable {
        /// The organisation: name, status, identifiers.
        case organisation = "urn:openbanking:organisation:1.0"
        /// Its status per authorisation domain (PSD2, Pay.UK, CD).
        case authorisationDomainStatus = "urn:openbanking:authorisationdomainstatus:1.0"
        /// Its authorisations from competent authorities (1.0).
        case competentAuthorityClaims = "urn:openbanking:competentauthorityclaims:1.0"
        /// Its authorisations under the trust framework (1.1).
        case trustFrameworkAuthorityClaims = "urn:trustframework:competentauthorityclaims:1.1"
        /// Its software statements, with `Active` and `Roles`.
        case softwareStatement = "urn:openbanking:softwarestatement:1.0"
        /// A SCIM list response (RFC 7644).
        case listResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
        /// A SCIM error (RFC 7644 section 3.12).
        case error = "urn:ietf:params:scim:api:messages:2.0:Error"
    }

    /// A client.
    public init(tppURL: URL, accessTokens: DirectoryAccessTokenClient, transport: HTTPSClient) {
        self.tppURL = tppURL
        self.accessTokens = accessTokens
        self.transport = transport
    }

    /// The SCIM filter for an active software statement; `nil` when `id` is not a safe identifier.
    public static func activeSoftwareStatementFilter(_ id: String) -> String? {
        guard Identifier.problem(with: id) == nil else { return nil }
        return "\(Schema.softwareStatement.rawValue):SoftwareStatements[Id eq \"\(id)\" and Active eq true]"
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
            let token = try await accessTokens.token()
            let response: HTTPResponse
            let start = ContinuousClock.now
            do throws(TransportError) {
                response = try await transport.get(url, headers: ["Authorization": "Bearer \(token.value)", "Accept": "application/scim+json, application/json"])
            } catch {
                ToolkitMetrics.directoryRequest("scim", succeeded: false, duration: ContinuousClock.now - start)
                throw DirectoryError(error, while: "SCIM query to \(url.host ?? "")")
            }
            // 2xx, or 404 (an answer: no such organisation); anything else is an error.
            ToolkitMetrics.directoryRequest("scim", succeeded: (200..<300).contains(response.status) || response.status == 404, duration: ContinuousClock.now - start)
            if response.status == 401 && attempt == 0 {
                await accessTokens.invalidate(token)
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

    /// Reads a participant resource (or a list response holding exactly one) as the SCIM
    /// specification describes it. Attribute names are matched case-insensitively, as SCIM
    /// (RFC 7643) defines them, by ASCII folding only; a name given twice in two spellings is
    /// refused rather than guessed. Flags that are not Booleans read as inactive.
    static func parseOrganisation(_ object: [String: JSONValue], id: String) throws(DirectoryError) -> OrganisationRecord {
        let resource: [String: JSONValue]
        if let resources = try member(object, "Resources") {
            guard let list = resources.arrayValue else { throw DirectoryError(.malformedResponse, "the SCIM list response's Resources is not an array") }
            guard list.count == 1, let only = list[0].objectValue else {
                throw DirectoryError(.notFound, "the directory returned \(list.count) records for organisation \(id)")
            }
            resource = only
        } else {
            resource = object
        }
        let organisation = try objectMember(resource, Schema.organisation.rawValue)
        let domainStatus = try objectMember(resource, Schema.authorisationDomainStatus.rawValue)
        let authority = try objectMember(resource, Schema.competentAuthorityClaims.rawValue)
        let trustFramework = try objectMember(resource, Schema.trustFrameworkAuthorityClaims.rawValue)
        let software = try objectMember(resource, Schema.softwareStatement.rawValue)

        var domainStatuses: [String: String] = [:]
        for entry in try arrayMember(domainStatus, "Status") {
            guard let entry = entry.objectValue, let domain = try member(entry, "AuthorizationDomain")?.stringValue,
                  let status = try member(entry, "Status")?.stringValue else {
                throw DirectoryError(.malformedResponse, "an authorisationdomainstatus entry lacks a string AuthorizationDomain or Status")
            }
            if let earlier = domainStatuses[domain], !earlier.isByteIdentical(to: status) {
                throw DirectoryError(.malformedResponse, "authorisationdomainstatus lists domain \(domain.quotedForReport()) twice with different statuses")
            }
            domainStatuses[domain] = status
        }

        var authorisations: [OrganisationRecord.Authorisation] = []
        for entry in try arrayMember(authority, "Authorisations") {
            guard let entry = entry.objectValue, let role = try member(entry, "Psd2Role")?.stringValue else { continue }
            authorisations.append(.init(memberState: try member(entry, "MemberState")?.stringValue ?? "", role: role,
                                        active: try member(entry, "Active")?.boolValue ?? false, authorizationDomain: nil))
        }
        for entry in try arrayMember(trustFramework, "Authorisations") {
            guard let entry = entry.objectValue, let role = try member(entry, "Role")?.stringValue else { continue }
            authorisations.append(.init(memberState: try member(entry, "MemberState")?.stringValue ?? "", role: role,
                                        active: try member(entry, "Active")?.boolValue ?? false,
                                        authorizationDomain: try member(entry, "AuthorizationDomain")?.stringValue))
        }
        var statements: [OrganisationRecord.SoftwareStatement] = []
        for entry in try arrayMember(software, "SoftwareStatements") {
            guard let entry = entry.objectValue, let sid = try member(entry, "Id")?.stringValue else { continue }
            statements.append(.init(id: sid, active: try member(entry, "Active")?.boolValue ?? false,
                                    mode: try member(entry, "Mode")?.stringValue, roles: try member(entry, "Roles")?.stringArrayValue ?? []))
        }
        let status: String?
        switch try member(organisation, "status") {
        case nil: status = nil
        case .string(let text)?: status = text
        case let other?: throw DirectoryError(.malformedResponse, "the organisation's status is \(other.typeDescription), not a string")
        }
        return OrganisationRecord(
            id: try member(resource, "id")?.stringValue ?? id,
            name: try member(organisation, "OrganisationCommonName")?.stringValue,
            status: status,
            domainStatuses: domainStatuses,
            authorisations: authorisations,
            softwareStatements: statements,
            raw: resource
        )
    }

    /// The member called `name`, matched with ASCII case folding (SCIM attribute names are
    /// case-insensitive); two members that fold to the same name are refused.
    private static func member(_ object: [String: JSONValue]?, _ name: String) throws(DirectoryError) -> JSONValue? {
        guard let object else { return nil }
        var found: JSONValue?
        var count = 0
        for (key, value) in object where key.isByteIdenticalIgnoringASCIICase(to: name) {
            found = value
            count += 1
        }
        guard count <= 1 else { throw DirectoryError(.malformedResponse, "the SCIM resource spells \(name) \(count) ways") }
        return found
    }

    private static func objectMember(_ object: [String: JSONValue]?, _ name: String) throws(DirectoryError) -> [String: JSONValue]? {
        guard let value = try member(object, name) else { return nil }
        guard let inner = value.objectValue else { throw DirectoryError(.malformedResponse, "\(name) is \(value.typeDescription), not an object") }
        return inner
    }

    private static func arrayMember(_ object: [String: JSONValue]?, _ name: String) throws(DirectoryError) -> [JSONValue] {
        guard let value = try member(object, name) else { return [] }
        guard let list = value.arrayValue else { throw DirectoryError(.malformedResponse, "\(name) is \(value.typeDescription), not an array") }
        return list
    }
}
