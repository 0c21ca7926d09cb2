import Foundation
import FuzzSupport
@testable import SSAToolkit

/// The body of a SCIM answer (`GET tppUrl/<org id>`), read as `TPPDirectoryClient.organisation`
/// reads it once the HTTPS call returned 200: the only public way in is over the network, so
/// the internal `parseOrganisation` is called directly, then every query the registration and
/// token decisions make of the record.
enum SCIMTarget {
    static let parser = StrictJSONParser(maximumDepth: 16, maximumBytes: 1 << 20)

    static func run(_ bytes: [UInt8]) {
        let object: [String: JSONValue]
        do { object = try parser.parseObject(bytes) } catch { return }
        let record: OrganisationRecord
        do { record = try TPPDirectoryClient.parseOrganisation(object, id: "0015800001041REAAY") } catch {
            _ = error.description.escapedForTerminal()
            return
        }
        for domain in ["PSD2", "Pay.UK"] + record.domainStatuses.keys.prefix(4) {
            _ = record.status(forDomain: domain)
            _ = record.isActive(domain: domain)
        }
        _ = record.statusDescription
        let roles = ["AISP", "PISP", "CBPII"] + record.authorisations.prefix(4).map(\.role)
        _ = record.unauthorisedRoles(roles, memberState: "GB")
        _ = record.unauthorisedRoles(roles)
        for statement in record.softwareStatements.prefix(4) { _ = record.softwareStatement(statement.id) }
        _ = record.softwareStatement("4ZUKbHjbA2ZqxCxTsQPkTY")
    }
}
