import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// `ssa-verify sandbox` in one process, `access-token` (and its old name `token`) and `tpp` in others, from its written configuration.
@Suite("ssa-verify sandbox, token and tpp, end to end")
struct DirectoryCommandTests {
    @Test("token metadata, the token itself only with --reveal, and directory answers")
    func tokenAndTPP() async throws {
        let sandbox = try SandboxProcess()
        let token = try await CommandRunner.run(["access-token", "--config", sandbox.configPath])
        #expect(token.status == 0, "\(token.standardOutput)\(token.standardError)")
        #expect(token.standardOutput.hasPrefix("TOKEN OBTAINED  for 2kiXQyo0tedjW2somjSgH7"))
        #expect(token.standardOutput.contains("token       (hidden; --reveal prints it)"))

        let revealed = try await CommandRunner.run(["token", "--config", sandbox.configPath, "--reveal", "--format", "json"])
        let object = try StrictJSONParser().parseObject(Array(revealed.standardOutput.utf8))
        #expect(object["token_type"] == "Bearer")
        #expect((object["access_token"]?.stringValue?.count ?? 0) > 20)

        let active = try await CommandRunner.run(["tpp", "4ZUKbHjbA2ZqxCxTsQPkTY", "--org", "0015800001041REAAY", "--config", sandbox.configPath])
        #expect(active.status == 0, "\(active.standardOutput)\(active.standardError)")
        #expect(active.standardOutput.hasPrefix("ACTIVE  software statement 4ZUKbHjbA2ZqxCxTsQPkTY is active"))
        #expect(active.standardOutput.contains("authorisation GB AISP active"))

        let inactive = try await CommandRunner.run(["tpp", "InactiveSoftware0001", "--config", sandbox.configPath])
        #expect(inactive.status == 1)
        #expect(inactive.standardOutput.hasPrefix("NOT ACTIVE"))

        let hostile = try await CommandRunner.run(["tpp", "x\" or 1 eq 1", "--config", sandbox.configPath])
        #expect(hostile.status == 2)
        #expect(hostile.standardError.contains("not sent to the directory"))
    }

    @Test("a directory that cannot be reached: exit 3")
    func unreachable() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("down-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var config = try StrictJSONParser().parseObject(Array(try Fixtures.data("config/toolkit.json")))
        for (name, value) in config where value.stringValue?.hasPrefix("../") == true {
            config[name] = .string(Fixtures.url(String(value.stringValue!.dropFirst(3))).path)
        }
        config["transportKeyStorePassword"] = "changeit"
        config["tokenUrl"] = "https://127.0.0.1:1/token"
        try Data(JSONValue.object(config).serialized().utf8).write(to: URL(fileURLWithPath: path))
        let result = try await CommandRunner.run(["token", "--config", path])
        #expect(result.status == 3, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardError.contains("the directory could not answer"))
    }
}
