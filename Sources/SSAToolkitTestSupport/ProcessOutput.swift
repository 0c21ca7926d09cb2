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
    ///
    /// Blocking reads on a thread of its own, ended by the end of file, and never a
    /// `readabilityHandler`: on Linux that installs a libdispatch read source whose teardown races
    /// the event loop and crashed the whole test process now and then (a freed epoll muxnote
    /// dereferenced in `_dispatch_event_loop_drain`, swift-corelibs-libdispatch #949).
    public static func drain(_ pipe: Pipe) {
        let handle = pipe.fileHandleForReading
        Thread.detachNewThread {
            while !handle.availableData.isEmpty {}
        }
    }
}
