import Logging

/// `--log-format text` (the default): swift-log's `StreamLogHandler` lines on standard error,
/// with the metadata kept as a plain dictionary until a line is written.
///
/// `StreamLogHandler` renders its metadata into a string each time an entry is set. The HTTP
/// server sets a request identifier on every call's logger, so serve paid that rendering on
/// every call, although at the default level (`warning`) a call logs nothing. Here setting an
/// entry is a dictionary write, and the rendering happens only for a line that is written.
struct TextLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    let label: String

    init(label: String) { self.label = label }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = logLevel
        handler.metadata = metadata
        handler.log(event: event)
    }
}
