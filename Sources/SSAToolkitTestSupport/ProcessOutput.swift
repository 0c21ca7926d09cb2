import Foundation

/// Reading what a started process writes, for the test servers and command-line suites that
/// wait for a process's banner.
public enum ProcessOutput {
    /// What the process has written to `pipe`, up to the first chunk that contains `marker` (or
    /// its end of file).
    public static func read(_ pipe: Pipe, until marker: String) -> String {
        var text = ""
        while !text.contains(marker) {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        return text
    }

    /// Keeps reading (and dropping) what the process writes to `pipe`, so a full pipe never
    /// blocks it.
    public static func drain(_ pipe: Pipe) {
        pipe.fileHandleForReading.readabilityHandler = { (handle: FileHandle) in
            if handle.availableData.isEmpty { handle.readabilityHandler = nil }
        }
    }
}
