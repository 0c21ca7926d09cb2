import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// The documentation stays true where a test can tell: every property the toolkit reads is in
/// docs/configuration.md's table (and nothing else is), every page the README links to exists,
/// and the README stays short.
@Suite("Documentation")
struct DocumentationTests {
    static func text(_ path: String) throws -> String {
        try String(contentsOf: Fixtures.packageRoot.appendingPathComponent(path), encoding: .utf8)
    }

    @Test("docs/configuration.md's table lists exactly the properties the toolkit reads")
    func everyProperty() throws {
        let page = try Self.text("docs/configuration.md")
        let table = try #require(page.components(separatedBy: "## Every property").dropFirst().first)
        let rows = table.split(separator: "\n").prefix { !$0.hasPrefix("## ") }.filter { $0.hasPrefix("| `") }
        let listed = Set(rows.compactMap { row in row.split(separator: "`").dropFirst().first.map(String.init) })
        #expect(listed == ToolkitConfiguration.knownProperties, "missing: \(ToolkitConfiguration.knownProperties.subtracting(listed).sorted()); unknown: \(listed.subtracting(ToolkitConfiguration.knownProperties).sorted())")
        #expect(rows.count == listed.count, "a property is listed twice")
    }

    @Test("the README is short, opens with the two commands, and every page it links to exists")
    func readme() throws {
        let readme = try Self.text("README.md")
        #expect(readme.split(separator: "\n", omittingEmptySubsequences: false).count <= 250)
        #expect(readme.contains("make demo") && readme.contains("make test"))
        let links = readme.components(separatedBy: "](").dropFirst().compactMap { $0.split(separator: ")").first.map(String.init) }.filter { !$0.hasPrefix("http") }
        #expect(links.count >= 9)
        for link in links {
            #expect(FileManager.default.fileExists(atPath: Fixtures.packageRoot.appendingPathComponent(link).path), "README links to \(link), which does not exist")
        }
    }
}
