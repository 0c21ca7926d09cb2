import Foundation

/// Reading what a started process writes, for the test servers and command-line suites that
/// wait for a process's banner.
public enum ProcessOutput {
    /// What was written to `handle`, up to the first chunk that contains `marker` (or its end
    /// of file).
    public static func read(_ handle: FileHandle, until marker: String) -> String {
        var text = ""
        while !text.contains(marker) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        return text
    }

    /// Keeps reading (and dropping) what is written to `handle` until its end of file, so a full
    /// pipe never blocks the process that writes it.
    ///
    /// Blocking reads on a thread of its own, and never a `readabilityHandler`: on Linux that
    /// installs a libdispatch read source whose teardown races the event loop and crashed the
    /// whole test process now and then (a freed epoll muxnote dereferenced in
    /// `_dispatch_event_loop_drain`, swift-corelibs-libdispatch #949).
    public static func drain(_ handle: FileHandle) {
        Thread.detachNewThread {
            while !handle.availableData.isEmpty {}
        }
    }
}
