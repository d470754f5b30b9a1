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

    /// The whole file at `path`. `size` is what the file's size is expected to be (from a stat(2) the
    /// caller just made), else it is asked with fstat(2); either way the file is read to its end.
    /// With `directory` (an open folder), `path` is relative to it (openat(2): the folder's own path
    /// is not walked again for every file); `name` is then how errors name the file.
    static func read(_ path: String, size: Int? = nil, in directory: Int32 = AT_FDCWD, name: String? = nil) throws -> [UInt8] {
        var stamp: FileStamp?
        return try read(path, size: size, in: directory, name: name, stamp: &stamp)
    }

    /// The same; without `size`, `stamp` is set to the stamp of the file opened (from the fstat(2) that
    /// gives its size), taken before it is read.
    static func read(_ path: String, size: Int?, in directory: Int32 = AT_FDCWD, name: String? = nil,
                     stamp: inout FileStamp?) throws -> [UInt8] {
        let descriptor = openat(directory, path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(path: name ?? path, code: errno) }
        let path = name ?? path
        defer { close(descriptor) }
        var expected = max(size ?? 0, 0)
        if size == nil {
            var info = stat()
            guard fstat(descriptor, &info) == 0 else { throw Failure(path: path, code: errno) }
            expected = Int(info.st_size)
            stamp = FileStamp(info)
        }
        // One spare byte: the read that finds the end needs room. The buffer is not zeroed first
        // (every byte kept is read into it); a file that grew since its size was taken goes on in
        // a second buffer.
        var failure: Int32 = 0
        var filled = 0
        var bytes = [UInt8](unsafeUninitializedCapacity: expected + 1) { buffer, initialized in
            filled = readFully(descriptor, into: UnsafeMutableRawBufferPointer(buffer), failure: &failure,
                               endsAt: expected)
            initialized = filled
        }
        guard failure == 0 else { throw Failure(path: path, code: failure) }
        if filled == expected + 1 {
            var more = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = more.withUnsafeMutableBytes { readFully(descriptor, into: $0, failure: &failure) }
                guard failure == 0 else { throw Failure(path: path, code: failure) }
                bytes += more[..<count]
                if count < more.count { break }
            }
        }
        return bytes
    }

    /// Reads from `descriptor` until `buffer` is full or the file ends; the bytes read. Sets
    /// `failure` to errno when a read fails. With `endsAt` (the file's size from a stat(2)), a read
    /// that stops short exactly there is taken as the end of the file: a regular file's read returns
    /// less than asked only at its end, so the read that would return 0 is not made (one read(2) a
    /// file instead of two: 10,000 system calls in a 10k-article build).
    private static func readFully(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer,
                                  failure: inout Int32, endsAt: Int? = nil) -> Int {
        var filled = 0
        while filled < buffer.count {
            let count = Glibc.read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            if count < 0 {
                if errno == EINTR { continue }
                failure = errno
                return filled
            }
            if count == 0 { break }
            filled += count
            if filled == endsAt && filled < buffer.count { break }
        }
        return filled
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
