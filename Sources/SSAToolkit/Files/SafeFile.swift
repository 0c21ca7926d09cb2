#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads configuration, key store, key and password files the careful way.
///
/// A path may name a FIFO, a device or a directory: reading one either hangs the process (a FIFO
/// with no writer) or returns something that is not a file's contents. Every file the toolkit
/// loads goes through ``read(_:limit:)``: opened without blocking, checked to be a regular file
/// through the descriptor that is then read (no race between the check and the read), and read
/// up to a bound.
public enum SafeFile {
    /// Reads at most `limit` bytes of the regular file at `path`.
    ///
    /// - Throws: ``SafeFileError`` naming the path and what is wrong with it.
    public static func read(_ path: String, limit: Int) throws(SafeFileError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            switch code {
            case ENOENT, ENOTDIR: throw SafeFileError(path: path, .noSuchFile)
            case EACCES, EPERM: throw SafeFileError(path: path, .permissionDenied)
            default: throw SafeFileError(path: path, .unreadable(String(cString: strerror(code))))
            }
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw SafeFileError(path: path, .unreadable(String(cString: strerror(errno)))) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw SafeFileError(path: path, .notRegular(kind(of: status.st_mode))) }
        // Back to blocking reads: a regular file never blocks, and O_NONBLOCK only served the open.
        let flags = fcntl(descriptor, F_GETFL)
        if flags >= 0 { _ = fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK) }
        // Sized by what fstat says (plus one byte, to notice a file that grew past the limit),
        // never by the limit: an audit log may be allowed 1 GiB and be 4 KiB long.
        let expected = Swift.min(limit, Swift.max(0, Int(status.st_size)))
        var bytes = [UInt8](repeating: 0, count: expected + 1)
        var count = 0
        while count <= limit {
            if count == bytes.count {
                bytes.append(contentsOf: repeatElement(0, count: Swift.min(Swift.max(bytes.count, 4096), limit + 1 - bytes.count)))
            }
            let n = bytes.withUnsafeMutableBytes { buffer in
                systemRead(descriptor, buffer.baseAddress! + count, buffer.count - count)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw SafeFileError(path: path, .unreadable(String(cString: strerror(errno))))
            }
            if n == 0 { break }
            count += n
        }
        guard count <= limit else {
            bytes.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) }
            throw SafeFileError(path: path, .tooLarge(limit))
        }
        bytes.removeSubrange(count...)
        return bytes
    }

    /// Warnings about who else may read or change a file that holds a secret (a private key, a
    /// key store or a password): group or other permission bits on the file, and a symbolic
    /// link on the way whose target's folder or file others may write. Empty when all is well
    /// or the file cannot be examined (reading it reports that).
    public static func permissionWarnings(_ path: String, what: String, secret: Bool = true) -> [String] {
        var warnings: [String] = []
        var link = stat()
        guard lstat(path, &link) == 0 else { return [] }
        var target = stat()
        guard stat(path, &target) == 0 else { return [] }
        let mode = target.st_mode
        if secret, mode & (S_IRGRP | S_IROTH) != 0 {
            warnings.append("\(what) \(path) is readable by \(mode & S_IROTH != 0 ? "any user" : "its group") (mode \(octal(mode & 0o777))); chmod 600 it")
        }
        if mode & (S_IWGRP | S_IWOTH) != 0 {
            warnings.append("\(what) \(path) is writable by \(mode & S_IWOTH != 0 ? "any user" : "its group") (mode \(octal(mode & 0o777))); chmod 600 it")
        }
        if !secret, link.st_mode & S_IFMT == S_IFLNK {
            // A log reached through a link: whoever can change the link chooses where records go.
            warnings.append("\(what) \(path) is a symbolic link; name the file itself")
        } else if link.st_mode & S_IFMT == S_IFLNK {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            if realpath(path, &buffer) != nil {
                let resolved = String(cString: buffer)
                let folder = resolved.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
                var folderStatus = stat()
                let folderWritable = stat(folder.isEmpty ? "/" : folder, &folderStatus) == 0
                    && folderStatus.st_mode & S_IWOTH != 0 && folderStatus.st_mode & S_ISVTX == 0
                if mode & S_IWOTH != 0 || folderWritable {
                    warnings.append("\(what) \(path) is a symbolic link to \(resolved), which other users can \(folderWritable ? "replace (its folder is writable by any user)" : "write")")
                }
            }
        }
        return warnings
    }

    private static func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        #if canImport(Darwin)
        Darwin.read(descriptor, buffer, count)
        #elseif canImport(Musl)
        Musl.read(descriptor, buffer, count)
        #else
        Glibc.read(descriptor, buffer, count)
        #endif
    }

    private static func octal(_ mode: mode_t) -> String { "0" + String(mode, radix: 8) }

    static func kind(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
    }
}

/// A file that could not be read, with its path and the reason.
public struct SafeFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public enum Kind: Hashable, Sendable {
        /// Nothing at the path.
        case noSuchFile
        /// Not allowed to open it.
        case permissionDenied
        /// A directory, FIFO, device or socket (named).
        case notRegular(String)
        /// Larger than the bound (bytes).
        case tooLarge(Int)
        /// Another error from the system.
        case unreadable(String)
    }

    /// The path as given.
    public var path: String
    /// What is wrong.
    public var kind: Kind

    init(path: String, _ kind: Kind) {
        self.path = path
        self.kind = kind
    }

    /// What is wrong, without the path: `is a FIFO (named pipe), not a regular file`.
    public var reason: String {
        switch kind {
        case .noSuchFile: "no such file"
        case .permissionDenied: "cannot be read (permission denied)"
        case .notRegular(let kind): "is \(kind), not a regular file"
        case .tooLarge(let limit): "is larger than \(limit) bytes"
        case .unreadable(let why): "cannot be read: \(why)"
        }
    }

    public var description: String { "\(path): \(reason)" }
}
