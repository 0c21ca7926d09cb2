import Foundation
import Logging
import SSAToolkit
import Synchronization

/// `--log-format json`: one JSON object per line on standard error, with the fields of the text
/// logs (`time`, `level`, `label`, `source`, `message`, and each metadata entry under
/// `metadata`), for a log shipper. What is logged is the same as in text: never a secret.
struct JSONLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    let label: String
    /// Lines are written whole, one `write` each, so lines from several threads never interleave.
    private static let output = Mutex<Void>(())

    init(label: String) { self.label = label }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        var all = metadata
        if let explicit { all.merge(explicit) { $1 } }
        var object: [String: JSONValue] = [
            "time": .string(Self.timestamp()),
            "level": .string(level.rawValue),
            "label": .string(label),
            "source": .string(source),
            "message": .string(message.description),
        ]
        if !all.isEmpty { object["metadata"] = .object(all.mapValues(Self.json)) }
        var bytes = JSONValue.object(object).serializedBytes()
        bytes.append(0x0A)
        Self.output.withLock { _ in
            bytes.withUnsafeBytes { raw in _ = Foundation.write(STDERR_FILENO, raw.baseAddress, raw.count) }
        }
    }

    private static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let convertible): .string(convertible.description)
        case .array(let values): .array(values.map(json))
        case .dictionary(let members): .object(members.mapValues(json))
        }
    }

    private static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().timeSeparator(.colon).time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
