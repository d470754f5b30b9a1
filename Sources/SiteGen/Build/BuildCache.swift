import Foundation

/// `.sitegen-cache/` in the source folder: what the last successful build parsed (keyed by each file's
/// size, modification time and inode) and the fingerprint of every output file it wrote. A build with
/// nothing changed re-parses nothing and writes nothing; any change re-parses the changed files and
/// re-renders the pages whose fingerprint changed, hard-linking the others from the previous output.
struct BuildCache: Sendable {
    static let folder = ".sitegen-cache"
    static let file = "build-v6.bin"
    static let magic = "sitegen-cache-6"

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
        reader.bodyFolder = source.appendingPathComponent(folder)
        guard let cache = read(&reader) else { return nil }
        retire(Array(reader.bodyStores.values), entries: cache.entries)
        return cache
    }

    /// Body stores kept at most (see `retire`).
    static let keptStores = 4

    /// Each build that parses something writes its bodies to a new store, and the bodies still used in
    /// older stores stay where they are. So that old stores do not pile up, a store where less than
    /// half the bytes are still used, or beyond the `keptStores` with the most bytes used, is retired:
    /// its bodies move into the new store while content loads, and the file goes when the cache is saved.
    static func retire(_ stores: [BodyStore], entries: [String: Entry]) {
        var used: [ObjectIdentifier: Int] = [:]
        for entry in entries.values {
            guard case .article(let document) = entry.loaded, let store = document.body.body.store else { continue }
            used[ObjectIdentifier(store), default: 0] += document.body.body.bytes(in: store)
        }
        let ranked = stores.sorted { used[ObjectIdentifier($0), default: 0] > used[ObjectIdentifier($1), default: 0] }
        for (rank, store) in ranked.enumerated() {
            let bytes = used[ObjectIdentifier(store), default: 0]
            store.retiring = rank >= keptStores || bytes * 2 < store.size
        }
    }

    static func read(_ reader: inout CacheReader) -> BuildCache? {
        do {
            guard try reader.string() == magic else { return nil }
            var cache = BuildCache()
            cache.configFingerprint = try reader.fingerprint()
            cache.templatesFingerprint = try reader.fingerprint()
            cache.outputPath = try reader.string()
            for _ in 0..<(try reader.int()) {
                let path = try reader.string(), stamp = try reader.stamp()
                let loaded = try reader.loaded(), diagnostics = try reader.list { try $0.diagnostic() }
                cache.entries[path] = Entry(stamp: stamp, loaded: loaded, diagnostics: diagnostics)
            }
            try reader.termSources()
            cache.buildID = try reader.string()
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
        let saver = try Saver(source: source, cache: self)
        saver.writeEntries()
        try saver.finish(self)
    }

    /// A save in two parts: the parsed entries (most of the file, known once parsing is done) on a
    /// thread of their own while the pages render, then the outputs of the build (`finish`).
    final class Saver: @unchecked Sendable {
        private let target: String
        private let temporary: String
        private let descriptor: Int32
        private let cache: BuildCache
        private var failed: Int32 = 0
        private var writer = CacheWriter()
        private let done = DispatchSemaphore(value: 0)
        private var started = false

        init(source: URL, cache: BuildCache) throws {
            let folder = source.appendingPathComponent(BuildCache.folder)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            target = BuildCache.url(source).path
            temporary = folder.appendingPathComponent("\(BuildCache.file).\(getpid()).tmp").path
            descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw FileIO.Failure(path: temporary, code: errno) }
            self.cache = cache
        }

        /// Starts `writeEntries` in the background.
        func start() {
            started = true
            DispatchQueue.global().async { [self] in
                writeEntries()
                done.signal()
            }
        }

        private func flush(force: Bool = false) {
            guard force || writer.bytes.count >= 1 << 20, failed == 0 else { return }
            failed = writer.bytes.withUnsafeBytes { FileIO.writeAll(descriptor, $0) }
            writer.bytes.removeAll(keepingCapacity: true)
        }

        func writeEntries() {
            writer.string(BuildCache.magic)
            writer.uint(cache.configFingerprint.value)
            writer.uint(cache.templatesFingerprint.value)
            writer.string(cache.outputPath)
            writer.int(cache.entries.count)
            for path in cache.entries.keys.sorted() {  // not the entries: a sorted copy of them all
                let entry = cache.entries[path]!
                writer.string(path)
                writer.stamp(entry.stamp)
                writer.loaded(entry.loaded)
                writer.list(entry.diagnostics) { $0.diagnostic($1) }
                flush()
            }
            writer.termSources()
            flush()
        }

        /// Waits for the entries, writes what only the finished build knows, and puts the file in place.
        func finish(_ final: BuildCache) throws {
            if started { done.wait() }
            writer.string(final.buildID)
            writer.int(final.outputs.count)
            for (path, fingerprint) in final.outputs.sorted(by: { $0.key < $1.key }) {
                writer.string(path)
                writer.uint(fingerprint.value)
            }
            writer.int(final.staticSources.count)
            for (path, stamp) in final.staticSources.sorted(by: { $0.key < $1.key }) {
                writer.string(path)
                writer.stamp(stamp)
            }
            flush(force: true)
            if close(descriptor) != 0 && failed == 0 { failed = errno }
            guard failed == 0 else {
                unlink(temporary)
                throw FileIO.Failure(path: temporary, code: failed)
            }
            guard rename(temporary, target) == 0 else {
                unlink(temporary)
                throw FileIO.Failure(path: target, code: errno)
            }
            // Body stores no entry refers to any more: retired ones, and those of earlier failed runs.
            let folder = URL(fileURLWithPath: target).deletingLastPathComponent()
            BodyStore.removeUnused(in: folder, keep: writer.bodyStores)
            for old in ["build-v5.bin", "build-v4.bin", "build-v3.bin", "build-v2.bin", "build-v1.bin", "build.bin"] {  // earlier formats
                unlink(folder.appendingPathComponent(old).path)
            }
        }

        /// Drops the file (the build failed, or the cache on disk is already this one).
        func abandon() {
            if started { done.wait() }
            close(descriptor)
            unlink(temporary)
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

    /// The stamp of a file that could not be stat'ed: it equals no real file's stamp.
    static let missing = FileStamp(size: -1, modified: 0, inode: 0)

    /// The stamp of the file at `path`: absolute, or relative to the open folder `directory`.
    init?(path: String, in directory: Int32 = AT_FDCWD) {
        var info = stat()
        guard fstatat(directory, path, &info, 0) == 0 else { return nil }
        self.init(info)
    }

    /// The stamp in a stat(2) result.
    init(_ info: stat) {
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
