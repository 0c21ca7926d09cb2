import Foundation
import SSAToolkitTestSupport
import Testing

/// The layout docs/architecture.md describes, kept: one responsibility per folder of
/// `Sources/SSAToolkit`, no two folders that need each other, no file too long to read.
@Suite("Layout: no folder cycles in SSAToolkit, no Swift file over 350 lines")
struct LayoutTests {
    /// The top-level types each folder of `Sources/SSAToolkit` declares, and the folders whose
    /// types each folder's code names.
    static func folderDependencies() throws -> [String: Set<String>] {
        let root = Fixtures.packageRoot.appendingPathComponent("Sources/SSAToolkit")
        let files = (FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []).filter { $0.hasSuffix(".swift") }
        let declaration = try Regex(#"(?m)^(?:public |internal |package |fileprivate |private )?(?:final )?(?:struct|class|enum|protocol|actor|typealias) (\w+)"#)
        var texts: [(folder: String, text: String)] = []
        var owner: [String: String] = [:]
        for file in files {
            let folder = String(file.split(separator: "/").first ?? "")
            // Comments say where things are; only code makes a dependency.
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false)
                .map { line in line.range(of: "//").map { String(line[..<$0.lowerBound]) } ?? String(line) }
                .joined(separator: "\n")
            texts.append((folder, text))
            for match in text.matches(of: declaration) {
                if let name = match.output[1].substring, owner[String(name)] == nil { owner[String(name)] = folder }
            }
        }
        let word = try Regex(#"\b[A-Z]\w*"#)
        var dependencies: [String: Set<String>] = [:]
        for (folder, text) in texts {
            for match in text.matches(of: word) {
                if let name = match.output[0].substring, let other = owner[String(name)], other != folder { dependencies[folder, default: []].insert(other) }
            }
        }
        return dependencies
    }

    @Test("no two folders of SSAToolkit depend on each other (Registration, SoftwareStatement, TokenTime, Configuration, Decisions ...)")
    func noFolderCycles() throws {
        let dependencies = try Self.folderDependencies()
        // The check can fail: the dependencies it sees are the real ones.
        #expect(dependencies["TokenTime"]?.contains("Registration") == true)
        #expect(dependencies["Runtime"]?.isSuperset(of: ["Configuration", "Registration", "TokenTime"]) == true)
        for (folder, needs) in dependencies.sorted(by: { $0.key < $1.key }) {
            for other in needs.sorted() where folder < other && dependencies[other]?.contains(folder) == true {
                Issue.record("\(folder) and \(other) depend on each other")
            }
        }
    }

    @Test("no Swift file in Sources/ is over 350 lines")
    func fileLengths() throws {
        let root = Fixtures.packageRoot.appendingPathComponent("Sources")
        let files = (FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []).filter { $0.hasSuffix(".swift") }
        #expect(files.count > 100)
        for file in files.sorted() {
            let lines = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).count
            #expect(lines <= 351, "Sources/\(file) has \(lines) lines")
        }
    }
}
