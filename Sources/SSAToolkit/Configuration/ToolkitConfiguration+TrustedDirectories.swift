import Foundation

extension ToolkitConfiguration {
    /// Reads `trustedDirectories`: a JSON list of objects whose string members are
    /// ``directoryProperties``, each laid over the top-level (`shared`) ones.
    static func directories(_ text: String, shared: [String: String], baseDirectory: String?) throws(ConfigurationError) -> [TrustedDirectorySettings] {
        let property = "trustedDirectories"
        let entries: [JSONValue]
        do {
            guard let list = try StrictJSONParser(maximumDepth: 4, maximumBytes: 1 << 20).parse(Array(text.utf8)).arrayValue else {
                throw ConfigurationError(property: property, "must be a list of objects, one per directory")
            }
            entries = list
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError(property: property, "is not JSON: \(error)")
        }
        guard !entries.isEmpty, entries.count <= 16 else { throw ConfigurationError(property: property, "must list between 1 and 16 directories") }
        let base = shared.filter { directoryProperties.contains($0.key) }
        var issuers: [String] = []
        var directories: [TrustedDirectorySettings] = []
        for (index, entry) in entries.enumerated() {
            guard let members = entry.objectValue else { throw ConfigurationError(property: property, "entry \(index) is not an object") }
            var merged = base
            // An entry of another framework stands for that framework's directory unless it
            // names its issuer: the top level's issuer is not inherited across frameworks.
            if members["trustFramework"] != nil, members["issuer"] == nil { merged["issuer"] = nil }
            for (name, value) in members {
                guard directoryProperties.contains(name) else {
                    throw ConfigurationError(property: property, "entry \(index): \(name.quotedForReport()) is not a per-directory property (allowed: \(directoryProperties.sorted().joined(separator: ", ")))")
                }
                switch value {
                case .string(let text): merged[name] = text
                case .array where name == "clientScopes":
                    guard let scopes = value.stringArrayValue else { throw ConfigurationError(property: property, "entry \(index): clientScopes must be a string or a list of strings") }
                    merged[name] = scopes.joined(separator: " ")
                default: throw ConfigurationError(property: property, "entry \(index): \(name) is \(value.typeDescription), not a string")
                }
            }
            // An entry names its issuer, or a trust framework whose directory's issuer it takes.
            let framework = members["trustFramework"]?.stringValue.flatMap(TrustFramework.Name.init(rawValue:)).map(TrustFramework.named)
            guard let issuer = members["issuer"]?.stringValue ?? framework?.defaultIssuer, !issuer.isEmpty else {
                throw ConfigurationError(property: property, "entry \(index) has no issuer: the SSA iss that selects it (or a trustFramework, whose directory's issuer it takes)")
            }
            guard !issuers.containsByteIdentical(issuer) else { throw ConfigurationError(property: property, "issuer \(issuer.quotedForReport()) is listed twice") }
            issuers.append(issuer)
            do {
                directories.append(try TrustedDirectorySettings(properties: merged, baseDirectory: baseDirectory))
            } catch {
                throw ConfigurationError(property: error.property.map { "\(property)[\(index)].\($0)" } ?? property, error.reason)
            }
        }
        return directories
    }
}
