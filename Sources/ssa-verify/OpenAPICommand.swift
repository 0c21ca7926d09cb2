import ArgumentParser
import DecisionService
import Foundation

/// `ssa-verify openapi`: the decision service's contract, as `serve` answers it at `GET /openapi.json`.
struct OpenAPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi",
        abstract: "Print the decision service's OpenAPI 3.1 document (what serve answers at GET /openapi.json)."
    )

    func run() throws {
        FileHandle.standardOutput.write(Data((OpenAPIDocument.json + "\n").utf8))
    }
}
