import Foundation

/// `.sitegen-cache/` in the source folder: what the last successful build parsed (keyed by each file's
/// size, modification time and inode) and the fingerprint of every output file it wrote. A build with
/// nothing changed re-parses nothing and writes nothing; any change re-parses the changed files and
/// re-renders the pages whose fingerprint changed, hard-linking the others from the previous output.
struct BuildCache: Sendable {
    static let folder = ".sitegen-cache"
    static let file = "build-v2.bin"
    static let magic = "sitegen-cache-2"

    struct Entry: Sendable {
        var stamp: FileStamp
        var loaded: ContentLoader.Loaded
        var diagnostics: [Diagnostic]
    }

    /// Hash of site.yml and options: parsed Markdown depends on them.
    var configFingerprint = Fingerprint()
    var entries: [String: Entry] = [:]
    var templatesFingerprint = Fingerprint()
    /// The output folder the outputs below were written to, and the build ID in its marker.
    var outputPath = ""
    var buildID = ""
    var outputs: [String: Fingerprint] = [:]
    var staticSources: [String: FileStamp] = [:]

    static func url(_ source: URL) -> URL { source.appendingPathComponent(folder).appendingPathComponent(file) }

    /// The cache of the last build, or nil when there is none or it cannot be read.
    static func load(source: URL) -> BuildCache? {
        let descriptor = open(url(source).path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        var reader = CacheReader(descriptor: descriptor, size: Int(info.st_size))
        return read(&reader)
    }

    static func read(_ reader: inout CacheReader) -> BuildCache? {
        do {
            guard try reader.string() == magic else { return nil }
            var cache = BuildCache()
            cache.configFingerprint = try reader.fingerprint()
            cache.templatesFingerprint = try reader.fingerprint()
            cache.outputPath = try reader.string()
            cache.buildID = try reader.string()
            for _ in 0..<(try reader.int()) {
                let path = try reader.string(), stamp = try reader.stamp()
                let loaded = try reader.loaded(), diagnostics = try reader.list { try $0.diagnostic() }
                cache.entries[path] = Entry(stamp: stamp, loaded: loaded, diagnostics: diagnostics)
            }
            for _ in 0..<(try reader.int()) { cache.outputs[try reader.string()] = try reader.fingerprint() }
            for _ in 0..<(try reader.int()) { cache.staticSources[try reader.string()] = try reader.stamp() }
            return reader.atEnd ? cache : nil
        } catch {
            return nil
        }
    }

    /// Writes the cache (to a temporary file first, so a killed build never leaves a torn cache),
    /// streaming it in 1 MB pieces so that it never holds the whole encoding in memory.
    func save(source: URL) throws {
        let folder = source.appendingPathComponent(Self.folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let temporary = folder.appendingPathComponent("\(Self.file).\(getpid()).tmp").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileIO.Failure(path: temporary, code: errno) }
        var failed: Int32 = 0
        var writer = CacheWriter()
        func flush(force: Bool = false) {
            guard force || writer.bytes.count >= 1 << 20, failed == 0 else { return }
            failed = writer.bytes.withUnsafeBytes { FileIO.writeAll(descriptor, $0) }
            writer.bytes.removeAll(keepingCapacity: true)
        }
        writer.string(Self.magic)
        writer.uint(configFingerprint.value)
        writer.uint(templatesFingerprint.value)
        writer.string(outputPath)
        writer.string(buildID)
        writer.int(entries.count)
        for (path, entry) in entries.sorted(by: { $0.key < $1.key }) {
            writer.string(path)
            writer.stamp(entry.stamp)
            writer.loaded(entry.loaded)
            writer.list(entry.diagnostics) { $0.diagnostic($1) }
            flush()
        }
        writer.int(outputs.count)
        for (path, fingerprint) in outputs.sorted(by: { $0.key < $1.key }) { writer.string(path); writer.uint(fingerprint.value) }
        writer.int(staticSources.count)
        for (path, stamp) in staticSources.sorted(by: { $0.key < $1.key }) { writer.string(path); writer.stamp(stamp) }
        flush(force: true)
        if close(descriptor) != 0 && failed == 0 { failed = errno }
        guard failed == 0 else {
            unlink(temporary)
            throw FileIO.Failure(path: temporary, code: failed)
        }
        guard rename(temporary, Self.url(source).path) == 0 else {
            unlink(temporary)
            throw FileIO.Failure(path: Self.url(source).path, code: errno)
        }
    }
}

/// A file's identity for the cache: size, modification time (ns) and inode, like make and git use.
struct FileStamp: Sendable, Equatable {
    var size: Int
    var modified: Int
    var inode: UInt64

    init(size: Int, modified: Int, inode: UInt64) {
        self.size = size
        self.modified = modified
        self.inode = inode
    }

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        size = Int(info.st_size)
        modified = Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec)
        inode = UInt64(info.st_ino)
    }
}

extension CacheWriter {
    mutating func stamp(_ value: FileStamp) { int(value.size); int(value.modified); uint(value.inode) }
}

extension CacheReader {
    mutating func stamp() throws -> FileStamp { FileStamp(size: try int(), modified: try int(), inode: try uint()) }
}
