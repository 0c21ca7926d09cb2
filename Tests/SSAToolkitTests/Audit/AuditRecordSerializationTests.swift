import Foundation
@testable import SSAToolkit
import Testing

/// The audit record written around `prev` is the same JSON as the record's members with `prev`.
@Suite("Audit record serialization")
struct AuditRecordSerializationTests {
    @Test("head + prev + tail is the sorted JSON of the members, with and without optional members")
    func sameBytes() {
        let full = AuditRecord(kind: "token", time: Date(timeIntervalSince1970: 1_767_225_600), decision: "deny", error: "access_denied", directory: "OpenBanking Ltd",
                               failedChecks: ["roles", "x\"y"], clientID: "c\u{1}", softwareID: "s", organisationID: "o",
                               scopesGranted: ["openid"], scopesRemoved: ["payments"], intentID: "urn:i")
        let bare = AuditRecord(kind: "registration", time: Date(timeIntervalSince1970: 0), decision: "undecided")
        for record in [full, bare] {
            let (head, tail) = record.serializedAroundPrevious
            var members = record.members
            members["prev"] = .string(AuditLog.genesis)
            var built = head
            JSONValue.writeQuoted(AuditLog.genesis, to: &built)
            built += tail + [0x7D]
            #expect(built == JSONValue.object(members).serializedBytes(), "\(String(decoding: built, as: UTF8.self))")
        }
    }

    @Test("string arrays and space-joined scopes written directly are JSONValue's bytes (empty, one, several, escapes, non-ASCII)")
    func directWriters() {
        for strings in [[], ["openid"], ["openid", "accounts", "payments"], ["x\"y", "tab\there", "é€", ""]] as [[String]] {
            var array: [UInt8] = []
            JSONValue.writeStringArray(strings, to: &array)
            #expect(array == JSONValue.array(strings.map { .string($0) }).serializedBytes())
            var joined: [UInt8] = []
            JSONValue.writeSpaceJoined(strings, to: &joined)
            #expect(joined == JSONValue.string(strings.joined(separator: " ")).serializedBytes())
        }
    }
}
