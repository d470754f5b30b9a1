#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Changes in the site folder, gathered until the files have been quiet for a moment.
public struct ChangeBatch: Sendable, Equatable {
    /// Paths relative to the site folder (`content/blog/a.md`, `site.yml`); a folder that appeared,
    /// went away or moved is listed with a trailing `/` (`content/blog/2024/`).
    public var paths: [String]
    /// The watcher lost track (its queue overflowed, or `content/` or `layouts/` itself was created,
    /// removed or moved): re-read everything.
    public var everything: Bool

    public init(paths: [String], everything: Bool = false) {
        self.paths = paths
        self.everything = everything
    }

    /// What `IncrementalBuilder.rebuild(changed:)` takes: nil re-reads everything.
    public var changed: [String]? { everything ? nil : paths }

    /// Both batches as one.
    public func merged(with other: ChangeBatch) -> ChangeBatch {
        ChangeBatch(paths: Array(Set(paths).union(other.paths)).sorted(), everything: everything || other.everything)
    }
}

/// Changes waiting for the next rebuild. Batches that arrive while a rebuild runs are merged, so a
/// slow rebuild is followed by one rebuild of everything that changed meanwhile, not by a queue of them.
public actor ChangeQueue {
    private var pending: ChangeBatch?
    private var waiting: CheckedContinuation<ChangeBatch?, Never>?
    private var finished = false

    public init() {}

    public func put(_ batch: ChangeBatch) {
        if let waiting {
            self.waiting = nil
            waiting.resume(returning: batch)
        } else {
            pending = pending.map { $0.merged(with: batch) } ?? batch
        }
    }

    /// No more batches: `take` returns what is pending, then nil.
    public func finish() {
        finished = true
        waiting?.resume(returning: nil)
        waiting = nil
    }

    /// Everything that changed since the last call; waits when nothing has.
    public func take() async -> ChangeBatch? {
        if let pending {
            self.pending = nil
            return pending
        }
        if finished { return nil }
        return await withCheckedContinuation { waiting = $0 }
    }
}

/// Watches `site.yml`, `content/` and `layouts/` with inotify (every folder, recursively; folders
/// that appear later are added as they appear) and reports batches of changed paths once no event
/// has arrived for `quietPeriod` (at most `maxDelay` after the first event).
///
/// A dedicated thread owns the inotify descriptor and its table of watches; it hands batches to the
/// async world through an `AsyncStream`. Editors that save through a temporary file and a rename
/// (vim, JetBrains, many others) are seen by the rename (`IN_MOVED_TO`); their scratch files
/// (`.a.md.swp`, `4913`, `a.md~`, `#a.md#`, `*.tmp`) are ignored. Ending the stream, or `stop()`,
/// stops the thread and closes its descriptors.
public struct Watcher: Sendable {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The batches, in order.
    public let changes: AsyncStream<ChangeBatch>
    private let continuation: AsyncStream<ChangeBatch>.Continuation

    /// Starts watching; every folder that exists now is watched when this returns.
    public init(source: URL, quietPeriod: Duration = .milliseconds(30),
                maxDelay: Duration = .milliseconds(500)) throws {
        let descriptor = inotify_init1(Int32(IN_CLOEXEC))
        guard descriptor >= 0 else { throw Failure(description: "inotify_init1: \(String(cString: strerror(errno)))") }
        var wake: [Int32] = [0, 0]
        guard pipe(&wake) == 0 else {
            close(descriptor)
            throw Failure(description: "pipe: \(String(cString: strerror(errno)))")
        }
        var table = WatchTable(descriptor: descriptor, root: source.standardizedFileURL.path)
        guard table.add("") != nil else {
            close(descriptor); close(wake[0]); close(wake[1])
            throw Failure(description: "cannot watch \(source.path): \(String(cString: strerror(errno)))")
        }
        for folder in WatchTable.folders { _ = table.addTree(folder) }

        let (stream, continuation) = AsyncStream<ChangeBatch>.makeStream()
        let wakeWrite = wake[1]
        continuation.onTermination = { _ in
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
        changes = stream
        self.continuation = continuation
        let loop = WatchLoop(table: table, wake: wake[0], continuation: continuation,
                             quiet: quietPeriod, maxDelay: maxDelay)
        let thread = Thread {
            var loop = loop
            loop.run()
            close(wakeWrite)
        }
        thread.name = "sitegen-watcher"
        thread.start()
    }

    /// Stops watching; the stream ends.
    public func stop() { continuation.finish() }

    /// Scratch files that editors write beside the real one while saving; never a change.
    public static func isIgnored(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix("~") || name == "4913" || name.hasSuffix(".swp")
            || name.hasSuffix(".swx") || name.hasSuffix(".tmp") || name.hasSuffix("___jb_tmp___")
            || name.hasSuffix("___jb_old___") || (name.hasPrefix("#") && name.hasSuffix("#"))
    }
}

/// The inotify descriptor and which folder (relative to the site) each watch descriptor stands for.
struct WatchTable: Sendable {
    static let folders = ["content", "layouts"]
    static let rootMask = UInt32(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR)
    static let folderMask = rootMask | UInt32(IN_DELETE_SELF | IN_DONT_FOLLOW)

    let descriptor: Int32
    let root: String
    var folders: [Int32: String] = [:]

    init(descriptor: Int32, root: String) {
        self.descriptor = descriptor
        self.root = root
    }

    func absolute(_ relative: String) -> String { relative.isEmpty ? root : root + "/" + relative }

    /// Watches one folder; nil when it does not exist (any more) or is not a folder.
    mutating func add(_ relative: String) -> Int32? {
        let watch = inotify_add_watch(descriptor, absolute(relative), relative.isEmpty ? Self.rootMask : Self.folderMask)
        guard watch >= 0 else { return nil }
        folders[watch] = relative
        return watch
    }

    /// Watches a folder and every folder under it (not following symbolic links, skipping hidden
    /// names); returns the files found in them, relative to the site, so that files written before
    /// the watch existed are not missed.
    mutating func addTree(_ relative: String) -> [String] {
        var files: [String] = []
        var pending = [relative]
        while let folder = pending.popLast() {
            guard add(folder) != nil else { continue }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: absolute(folder))) ?? []
            for name in names where !Watcher.isIgnored(name) {
                let child = folder + "/" + name
                var status = stat()
                guard lstat(absolute(child), &status) == 0 else { continue }
                if status.st_mode & S_IFMT == S_IFDIR { pending.append(child) } else { files.append(child) }
            }
        }
        return files
    }

    /// Forgets a folder and the folders under it (it was moved away or deleted).
    mutating func removeTree(_ relative: String) {
        for (watch, folder) in folders where folder == relative || folder.hasPrefix(relative + "/") {
            inotify_rm_watch(descriptor, watch)
            folders[watch] = nil
        }
    }
}

/// The watcher thread: waits on inotify (and on the wake pipe that stops it), turns events into
/// paths, and sends a batch once the quiet period has passed.
struct WatchLoop {
    var table: WatchTable
    let wake: Int32
    let continuation: AsyncStream<ChangeBatch>.Continuation
    let quiet: Duration
    let maxDelay: Duration
    var pending: Set<String> = []
    var everything = false
    var first: ContinuousClock.Instant?
    var last: ContinuousClock.Instant?

    init(table: WatchTable, wake: Int32, continuation: AsyncStream<ChangeBatch>.Continuation,
         quiet: Duration, maxDelay: Duration) {
        self.table = table
        self.wake = wake
        self.continuation = continuation
        self.quiet = quiet
        self.maxDelay = maxDelay
    }

    mutating func run() {
        let size = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        defer {
            buffer.deallocate()
            continuation.finish()
            close(table.descriptor)
            close(wake)
        }
        var polled = [pollfd(fd: table.descriptor, events: Int16(POLLIN), revents: 0),
                      pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        while true {
            let ready = poll(&polled, 2, timeout())
            if ready < 0 && errno != EINTR { return }
            if polled[1].revents != 0 { return }
            if polled[0].revents & Int16(POLLIN) != 0 {
                let count = read(table.descriptor, buffer, size)
                if count <= 0 && errno != EINTR && errno != EAGAIN { return }
                if count > 0 { handle(UnsafeRawBufferPointer(start: buffer, count: count)) }
            }
            flushIfDue()
        }
    }

    /// Milliseconds until the pending batch is due; -1 (wait forever) when nothing is pending.
    func timeout() -> Int32 {
        guard let first, let last else { return -1 }
        let due = min(last + quiet, first + maxDelay)
        let remaining = due - ContinuousClock.now
        return remaining <= .zero ? 0 : Int32(remaining.components.seconds * 1000
            + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
    }

    mutating func flushIfDue() {
        guard first != nil, timeout() == 0 else { return }
        if everything || !pending.isEmpty {
            continuation.yield(ChangeBatch(paths: pending.sorted(), everything: everything))
        }
        pending = []
        everything = false
        first = nil
        last = nil
    }

    /// Walks the `inotify_event` records in one read.
    mutating func handle(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        let header = 16  // int wd; uint32_t mask, cookie, len
        while offset + header <= bytes.count {
            let watch = bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let mask = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let length = Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let nameBytes = bytes[(offset + header)..<min(offset + header + length, bytes.count)]
            let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
            offset += header + length
            handle(watch: watch, mask: mask, name: name)
        }
    }

    mutating func handle(watch: Int32, mask: UInt32, name: String) {
        let now = ContinuousClock.now
        func note() {
            if first == nil { first = now }
            last = now
        }
        if mask & UInt32(IN_Q_OVERFLOW) != 0 {
            for folder in WatchTable.folders { _ = table.addTree(folder) }
            everything = true
            return note()
        }
        if mask & UInt32(IN_IGNORED) != 0 { table.folders[watch] = nil; return }
        guard let folder = table.folders[watch], !name.isEmpty, !Watcher.isIgnored(name) else { return }
        let isFolder = mask & UInt32(IN_ISDIR) != 0
        let appeared = mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0
        let vanished = mask & UInt32(IN_DELETE | IN_MOVED_FROM) != 0
        if folder.isEmpty {  // the site folder: only site.yml, content/ and layouts/ matter
            if isFolder && WatchTable.folders.contains(name) && (appeared || vanished) {
                if appeared { _ = table.addTree(name) } else { table.removeTree(name) }
                everything = true
                note()
            } else if !isFolder && name == "site.yml" {
                pending.insert(name)
                note()
            }
            return
        }
        let path = folder + "/" + name
        if isFolder {
            if appeared { pending.formUnion(table.addTree(path)) }
            if vanished { table.removeTree(path) }
            guard appeared || vanished else { return }
            pending.insert(path + "/")
        } else {
            pending.insert(path)
        }
        note()
    }
}
