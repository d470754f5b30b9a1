import Foundation

/// Plain POSIX file reads and writes for the hot paths (reading every article, writing every page):
/// no URL building, no temporary file and no fsync per file (Foundation's `Data.write` syncs each
/// file, which cost seconds on a 12,000-file build). Crash safety comes from the staging-folder swap.
enum FileIO {
    struct Failure: Error, CustomStringConvertible {
        var path: String
        var code: Int32
        var description: String { "\(path): \(String(cString: strerror(code)))" }
    }

    static func read(_ path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(path: path, code: errno) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw Failure(path: path, code: errno) }
        // One spare byte: the read that finds the end needs room, and growing would copy the whole file.
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var filled = 0
        while true {
            if filled == bytes.count { bytes.append(contentsOf: [UInt8](repeating: 0, count: 4096)) }
            let count = bytes.withUnsafeMutableBytes { buffer in
                Glibc.read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, code: errno)
            }
            if count == 0 { break }
            filled += count
        }
        bytes.removeLast(bytes.count - filled)
        return bytes
    }

    static func write(_ path: String, _ text: String) throws {
        var text = text
        try text.withUTF8 { try write(path, UnsafeRawBufferPointer($0)) }
    }

    static func write(_ path: String, _ bytes: UnsafeRawBufferPointer) throws {
        try write(path, bytes, in: AT_FDCWD, named: path)
    }

    /// Writes `relative` in the open folder `directory` (openat(2): the folder's own path is not
    /// walked again for every file); `path` names the file in errors.
    static func write(_ relative: String, _ bytes: UnsafeRawBufferPointer, in directory: Int32, named path: String) throws {
        let descriptor = openat(directory, relative, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Failure(path: path, code: errno) }
        let code = writeAll(descriptor, bytes)
        guard code == 0 else {
            close(descriptor)
            throw Failure(path: path, code: code)
        }
        guard close(descriptor) == 0 else { throw Failure(path: path, code: errno) }
    }

    /// Writes every byte to an open descriptor, retrying on EINTR. Returns 0 or the errno.
    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        var written = 0
        while written < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if count < 0 {
                if errno == EINTR { continue }
                return errno
            }
            written += count
        }
        return 0
    }
}
