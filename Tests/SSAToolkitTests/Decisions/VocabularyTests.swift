import Foundation
@testable import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// One vocabulary: a check's name means one rule, a type's name one type, and both kinds of
/// decision list their checks without repeats.
@Suite("One vocabulary: check names and type names are unique")
struct VocabularyTests {
    /// Every Swift file under `Sources/`, with its path relative to the package.
    static func sources() throws -> [(path: String, text: String)] {
        let root = Fixtures.packageRoot.appendingPathComponent("Sources")
        let paths = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        return try paths.sorted().map { ("Sources/" + $0, try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8)) }
    }

    /// `(declared name, raw value, file)` of every check name declared as a static constant.
    static func declaredCheckNames(in sources: [(path: String, text: String)]) throws -> [(name: String, raw: String, path: String)] {
        let pattern = try Regex(#"static let (\w+): (?:Check\.)?Name = "([a-z_0-9]+)""#)
        return sources.flatMap { source in
            source.text.matches(of: pattern).compactMap { match -> (String, String, String)? in
                guard let name = match.output[1].substring, let raw = match.output[2].substring else { return nil }
                return (String(name), String(raw), source.path)
            }
        }
    }

    @Test("each check name (the text reports, metrics and tests match on) is declared once: no two constants for one rule")
    func checkNames() throws {
        let declared = try Self.declaredCheckNames(in: Self.sources())
        #expect(declared.count >= 30, "found \(declared.count) check names")
        let byRaw = Dictionary(grouping: declared, by: \.raw)
        for (raw, declarations) in byRaw where declarations.count > 1 {
            Issue.record("check name \(raw) is declared \(declarations.count) times: \(declarations.map { "\($0.name) in \($0.path)" }.joined(separator: ", "))")
        }
        // The test can fail: the names both kinds use are each declared exactly once.
        #expect(byRaw["software_active"]?.count == 1 && byRaw["organisation"]?.count == 1 && byRaw["audit"]?.count == 1)
    }

    @Test("each kind of decision lists every check once, and the names they share mean the same rule")
    func checkOrders() {
        for order in [RegistrationDecision.checkOrder, TokenDecision.checkOrder, SoftwareStatementVerifier.checkOrder] {
            #expect(Set(order).count == order.count, "\(order.map(\.rawValue))")
        }
        let shared = Set(RegistrationDecision.checkOrder).intersection(TokenDecision.checkOrder).map(\.rawValue).sorted()
        #expect(shared == ["certificate_revocation", "organisation", "scope", "software_active", "token_endpoint_auth_method", "transport_key"])
    }

    @Test("no two types in Sources/ share a name (public or not, nested types aside)")
    func typeNames() throws {
        let pattern = try Regex(#"(?m)^(?:public |internal |package |fileprivate |private )?(?:final )?(?:struct|class|enum|protocol|actor|typealias) (\w+)"#)
        var seen: [String: [String]] = [:]
        for source in try Self.sources() {
            for match in source.text.matches(of: pattern) {
                guard let name = match.output[1].substring else { continue }
                seen[String(name), default: []].append(source.path)
            }
        }
        #expect(seen.count > 100, "found \(seen.count) top-level types")
        for (name, paths) in seen.sorted(by: { $0.key < $1.key }) where paths.count > 1 {
            Issue.record("\(name) is declared in \(paths.joined(separator: ", "))")
        }
    }
}
