import Foundation

/// Article bodies (HTML and plain text) written to a file while parsing and read back when a page, a
/// feed or the search index needs them, so that a build holds the bodies of a few articles at a time
/// instead of every one (about 23 MB per 1,000 articles).
///
/// Two kinds of file:
/// - a *scratch* store (`init?(scratchIn:)`) is unlinked as soon as it is created and vanishes with the
///   process (`sitegen check`, tests);
/// - a *kept* store (`init?(creatingIn:)`) is `.sitegen-cache/bodies-XXXXXX.bin`: the build cache refers
///   to the bodies in it by offset instead of copying them, so a clean build writes each body once, and
///   the next build reuses them without reading them (`init?(existing:)`). A kept file is only ever
///   appended to by the build that created it; later builds open it read-only.
public final class BodyStore: @unchecked Sendable {
    /// Where a text is in the file.
    public struct Slice: Sendable, Equatable {
        var offset: Int
        var count: Int
        var end: Int { offset + count }
    }

    static let prefix = "bodies-"
    static let suffix = ".bin"

    private let descriptor: Int32
    private var end = 0
    private let lock = NSLock()
    /// Held by `write` for the whole write (see there).
    private let writeLock = NSLock()
    /// The file's name in the cache folder (kept stores), nil for scratch stores.
    let name: String?
    private let path: String?
    /// Set by the build cache: bodies still needed from this (older) store are copied into the new
    /// store by `MarkdownBody.move(to:)`, so that the file can be deleted (see `BuildCache.retire`).
    var retiring = false
    /// Bytes of search excerpts and term counts that bodies moved here also keep in memory (`keep`).
    private var kept = 0
    /// At most this many: at 10,000 articles all of them (~21 MB), at 100,000 about a quarter.
    var keptLimit = 48 << 20

    /// Whether a body moved here may also keep `count` bytes of what search reads in memory, counted
    /// against `keptLimit`: the index and the search results then read them without a pread(2) each
    /// (20,000 at 10k articles).
    func keep(_ count: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard kept + count <= keptLimit else { return false }
        kept += count
        return true
    }

    private init(descriptor: Int32, name: String?, path: String?, end: Int) {
        self.descriptor = descriptor
        self.name = name
        self.path = path
        self.end = end
    }

    /// A scratch store in `folder` (created if needed), else in the temporary folder; nil when neither works.
    public convenience init?(scratchIn folder: URL) {
        for candidate in [folder.path, NSTemporaryDirectory()] {
            guard let (descriptor, path) = Self.create(in: candidate) else { continue }
            unlink(path)
            self.init(descriptor: descriptor, name: nil, path: nil, end: 0)
            return
        }
        return nil
    }

    /// A new kept store `bodies-XXXXXX.bin` in `folder` (created if needed); nil when it cannot be made.
    convenience init?(creatingIn folder: URL) {
        guard let (descriptor, path) = Self.create(in: folder.path) else { return nil }
        self.init(descriptor: descriptor, name: (path as NSString).lastPathComponent, path: path, end: 0)
    }

    /// The kept store `name` in `folder`, opened to read; nil when it is missing or not a store's name.
    convenience init?(existing name: String, in folder: URL) {
        guard Self.isStoreName(name) else { return nil }
        let path = folder.appendingPathComponent(name).path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { close(descriptor); return nil }
        self.init(descriptor: descriptor, name: name, path: path, end: Int(info.st_size))
    }

    /// Reads use pread(2), not a mapping: mapped pages of the file would count as the process's
    /// memory (peak RSS went from 136 to 380 MB at 10k articles).
    deinit { close(descriptor) }

    static func isStoreName(_ name: String) -> Bool {
        name.hasPrefix(prefix) && name.hasSuffix(suffix) && !name.contains("/")
    }

    private static func create(in folder: String) -> (Int32, String)? {
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var template = Array((folder.hasSuffix("/") ? folder : folder + "/").utf8CString.dropLast())
            + Array((prefix + "XXXXXX" + suffix).utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, Int32(suffix.utf8.count)) }
        guard descriptor >= 0 else { return nil }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        return (descriptor, String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// The file's size: everything written so far.
    var size: Int {
        lock.lock()
        defer { lock.unlock() }
        return end
    }

    /// Whether `slice` lies inside the file.
    func contains(_ slice: Slice) -> Bool { slice.offset >= 0 && slice.count >= 0 && slice.end <= size }

    /// Deletes a kept store's file (its build failed, or no cache refers to it any more). What was
    /// written stays readable through the open descriptor until the process ends.
    func discard() {
        if let path { unlink(path) }
    }

    /// Appends `parts`, one after another, with pwritev(2) straight from the arrays (joining them
    /// first was ~3% of the parse step in copies); nil when the file cannot take them (the caller
    /// keeps them in memory). The slice covers all the parts.
    ///
    /// One write at a time: two threads writing into the same file spent their time contending for
    /// it (a two-thread C test writing 182 MB to tmpfs took 0.15-0.2 CPU-s against ~0.1 taken in turn,
    /// in the same wall time); the waiting thread sleeps instead.
    func write(_ parts: [[UInt8]]) -> Slice? {
        let parts = parts.filter { !$0.isEmpty }
        let total = parts.reduce(0) { $0 + $1.count }
        writeLock.lock()
        defer { writeLock.unlock() }
        lock.lock()
        let offset = end
        end += total
        lock.unlock()
        var vectors: [iovec] = []
        vectors.reserveCapacity(parts.count)
        let written = Self.withVectors(parts, into: &vectors) { vectors in
            Self.writeFully(descriptor, &vectors, at: offset)
        }
        return written ? Slice(offset: offset, count: total) : nil
    }

    /// Runs `body` with one `iovec` per part, each pointing into its array (nested scopes, so every
    /// pointer stays valid for the whole call).
    private static func withVectors<Result>(_ parts: [[UInt8]], from index: Int = 0, into vectors: inout [iovec],
                                            _ body: (inout [iovec]) -> Result) -> Result {
        guard index < parts.count else { return body(&vectors) }
        return parts[index].withUnsafeBufferPointer { buffer in
            vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: buffer.baseAddress), iov_len: buffer.count))
            return withVectors(parts, from: index + 1, into: &vectors, body)
        }
    }

    /// Writes all of `vectors` (none empty) at `offset`, resuming after short writes and EINTR.
    static func writeFully(_ descriptor: Int32, _ vectors: inout [iovec], at offset: Int) -> Bool {
        var first = 0, position = offset
        while first < vectors.count {
            let batch = Int32(min(vectors.count - first, 1024))  // IOV_MAX on Linux
            let count = vectors.withUnsafeBufferPointer { pwritev(descriptor, $0.baseAddress! + first, batch, off_t(position)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            position += count
            advance(&vectors, first: &first, by: count)
        }
        return true
    }

    /// Drops `count` written bytes from the front of `vectors[first...]`: whole vectors move `first`
    /// on, a partly written one starts later.
    static func advance(_ vectors: inout [iovec], first: inout Int, by count: Int) {
        var left = count
        while first < vectors.count, left >= vectors[first].iov_len {
            left -= vectors[first].iov_len
            first += 1
        }
        if left > 0, first < vectors.count {
            vectors[first].iov_base += left
            vectors[first].iov_len -= left
        }
    }

    /// The bytes at `slice`.
    func bytes(_ slice: Slice) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: slice.count) { buffer, initialized in
            if slice.count > 0 { readFully(slice.offset, slice.count, into: buffer.baseAddress!) }
            initialized = slice.count
        }
    }

    /// The text at the start of `slice`: at most `maximum` bytes, cut back to whole Unicode scalars.
    /// Bytes: the text is valid UTF-8, no String needs to check it. One byte more is read, if there
    /// is one, to see whether a scalar goes on past `maximum`.
    func prefixBytes(_ slice: Slice, maximum: Int) -> [UInt8] {
        let maximum = max(maximum, 0)
        let bytes = bytes(Slice(offset: slice.offset, count: min(maximum + 1, slice.count)))
        return bytes.count > maximum ? Array(bytes[..<Self.scalarBoundary(bytes, atMost: maximum)]) : bytes
    }

    /// The largest index ≤ `limit` that starts a scalar of `bytes` (valid UTF-8), or its end: where a
    /// prefix of at most `limit` bytes is cut without splitting a scalar.
    static func scalarBoundary(_ bytes: [UInt8], atMost limit: Int) -> Int {
        guard limit < bytes.count else { return bytes.count }
        var index = max(limit, 0)
        while index > 0, bytes[index] & 0xC0 == 0x80 { index -= 1 }
        return index
    }

    /// The file is this process's own or was checked against its size when opened, so a failing read
    /// means the machine is failing: the build stops rather than write a page with a missing body.
    private func readFully(_ offset: Int, _ count: Int, into target: UnsafeMutablePointer<UInt8>) {
        var done = 0
        while done < count {
            let read = pread(descriptor, target + done, count - done, off_t(offset + done))
            if read < 0, errno == EINTR { continue }
            guard read > 0 else { fatalError("sitegen: cannot read back an article body: \(String(cString: strerror(errno)))") }
            done += read
        }
    }


    /// Deletes the kept stores in `folder` that are not in `keep` (left by earlier builds).
    static func removeUnused(in folder: URL, keep: Set<String>) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where isStoreName(name) && !keep.contains(name) {
            unlink(folder.appendingPathComponent(name).path)
        }
    }
}

/// The HTML and plain text of a Markdown document, as UTF-8: in memory, or in a `BodyStore` until
/// needed. Bytes, not Strings: a body goes from cmark to the store to the page without being checked
/// as UTF-8 again (cmark validated its input; what it renders from valid UTF-8 is valid).
///
/// An article's body also has its search terms (`terms`), counted while it was parsed; its plain
/// text is then only the start that search results show (`forSearch`).
public struct MarkdownBody: Sendable, Equatable {
    enum Storage: Sendable {
        case memory(html: [UInt8], plainText: [UInt8])
        case stored(BodyStore, html: BodyStore.Slice, plainText: BodyStore.Slice)
    }

    var storage: Storage
    var terms: BodyTerms?
    /// The plain text, also kept in memory when the storage is a store (an article's search excerpt,
    /// within the store's `keptLimit`); nil otherwise.
    var plainTextCopy: [UInt8]?
    /// Set by `forDeferredSearch`: the plain text is still whole and its terms not counted yet
    /// (`finishSearch` does both), with the length of the excerpt to keep and whether the summary
    /// repeats the text.
    var pendingSearch: (excerpt: Int, summaryRepeats: Bool)?

    public init(html: String, plainText: String) {
        storage = .memory(html: Array(html.utf8), plainText: Array(plainText.utf8))
    }

    init(html: [UInt8], plainText: [UInt8]) { storage = .memory(html: html, plainText: plainText) }

    init(storage: Storage, terms: BodyTerms? = nil) {
        self.storage = storage
        self.terms = terms
    }

    public var html: String { String(decoding: htmlBytes, as: UTF8.self) }
    public var plainText: String { String(decoding: plainTextBytes, as: UTF8.self) }

    /// The HTML's UTF-8, without making a String of it.
    var htmlBytes: [UInt8] {
        switch storage {
        case .memory(let html, _): return html
        case .stored(let store, let html, _): return store.bytes(html)
        }
    }

    var plainTextBytes: [UInt8] {
        if let plainTextCopy { return plainTextCopy }
        switch storage {
        case .memory(_, let plainText): return plainText
        case .stored(let store, _, let plainText): return store.bytes(plainText)
        }
    }

    /// The plain text's first `maximum` bytes at most, cut back to whole Unicode scalars.
    public func plainTextPrefix(maximum: Int) -> String {
        String(decoding: plainTextPrefixBytes(maximum: maximum), as: UTF8.self)
    }

    /// `plainTextPrefix` as bytes.
    func plainTextPrefixBytes(maximum: Int) -> [UInt8] {
        if let plainTextCopy, plainTextCopy.count <= maximum { return plainTextCopy }
        switch storage {
        case .memory(_, let plainText):
            return plainText.count <= maximum ? plainText
                : Array(plainText[..<BodyStore.scalarBoundary(plainText, atMost: max(maximum, 0))])
        case .stored(let store, _, let plainText):
            return store.prefixBytes(plainText, maximum: maximum)
        }
    }

    /// The same body without its plain text (for documents whose plain text nothing reads).
    func withoutPlainText() -> MarkdownBody {
        switch storage {
        case .memory(let html, _): return MarkdownBody(html: html, plainText: [])
        case .stored(let store, let html, _):
            return MarkdownBody(storage: .stored(store, html: html, plainText: .init(offset: 0, count: 0)))
        }
    }

    /// An article's body for the search index (a body in memory, just parsed): its terms counted,
    /// whether `summary` repeats its start noted, and its plain text cut to what a search result shows
    /// (`SearchManifest.excerptLength`). The index and the results then read only that excerpt, once;
    /// they read ~2.4 KB twice, to compare with the summary and to show (~0.15 CPU-s of preads at 10k).
    func forSearch(summary: String) -> MarkdownBody {
        var body = forDeferredSearch(summary: summary)
        body.finishSearch(with: nil)
        return body
    }

    /// `forSearch` but for counting the terms, which `finishSearch` does later: a parse worker counts
    /// those of a chunk of articles one after another (`ContentLoader.finishArticles`), with a term
    /// table that stays in the processor's caches, instead of after each article's parse, which
    /// evicted it (counting took ~18 ns a word in a build against ~12 alone).
    func forDeferredSearch(summary: String) -> MarkdownBody {
        guard case .memory(_, let plainText) = storage, terms == nil else { return self }
        let kept = BodyTerms.keptPlainText(summary: summary)
        let start = plainText.count <= kept ? plainText : Array(plainText[..<BodyStore.scalarBoundary(plainText, atMost: kept)])
        let excerpt = start.withUnsafeBufferPointer { SearchManifest.excerptLength($0, limit: SearchManifest.snippetTextLimit) }
        var body = self
        body.pendingSearch = (excerpt, SearchDocument.summaryRepeats(summary, bytes: start))
        return body
    }

    /// Counts the terms of a body `forDeferredSearch` left whole (with `source`, which the caller holds
    /// alone, else one from the pool) and keeps only the excerpt of its text.
    mutating func finishSearch(with source: TermSource?) {
        guard let pending = pendingSearch, case .memory(let html, let plainText) = storage else { return }
        var terms = BodyTerms.analyse(plainText, source: source)
        terms.summaryRepeats = pending.summaryRepeats
        storage = .memory(html: html, plainText: Array(plainText[..<pending.excerpt]))
        self.terms = terms
        pendingSearch = nil
    }

    /// For the build cache: a body in a kept store is written as a reference to it (tag 1, the
    /// store's name, both slices; the name joins `writer.bodyStores`); any other as its two texts
    /// (tag 0), the way `CacheWriter.string` writes them. Then the terms, if any (`CacheWriter.terms`).
    func encode(into writer: inout CacheWriter) {
        if case .stored(let store, let html, let plainText) = storage, let name = store.name {
            writer.bodyStores.insert(name)
            writer.int(1)
            writer.string(name)
            writer.int(html.offset); writer.int(html.count)
            writer.int(plainText.offset); writer.int(plainText.count)
        } else {
            let html = htmlBytes, plainText = plainTextBytes
            writer.int(0)
            writer.int(html.count); writer.bytes += html
            writer.int(plainText.count); writer.bytes += plainText
        }
        writer.terms(terms)
    }

    /// Moves the texts (and terms) of all `bodies` that are in memory (or in a retiring store) into
    /// `store` with one write: per-body writes were 20,000 pwrite(2)s at 10k articles, contending
    /// for the file.
    static func move(_ bodies: inout [MarkdownBody], to store: BodyStore) {
        var parts: [[UInt8]] = []
        var moved: [(index: Int, html: Int, plainText: [UInt8], terms: [UInt8]?)] = []
        for index in bodies.indices {
            let html: [UInt8], plainText: [UInt8]
            switch bodies[index].storage {
            case .memory(let h, let p): (html, plainText) = (h, p)
            case .stored(let old, let h, let p):
                guard old.retiring, old !== store else { continue }
                (html, plainText) = (old.bytes(h), old.bytes(p))
            }
            let terms = bodies[index].terms?.entryBytes
            parts += [html, plainText, terms ?? []]
            moved.append((index, html.count, plainText, terms))
        }
        guard !moved.isEmpty, let whole = store.write(parts) else { return }
        var offset = whole.offset
        for (index, html, plainText, terms) in moved {
            // An article's excerpt and term counts (what the search index reads of it) stay in memory
            // too, within the store's budget.
            let keeps = terms.map { store.keep(plainText.count + $0.count) } ?? false
            bodies[index].plainTextCopy = keeps ? plainText : nil
            bodies[index].storage = .stored(store, html: Slice(offset: offset, count: html),
                                            plainText: Slice(offset: offset + html, count: plainText.count))
            offset += html + plainText.count
            if let terms {
                bodies[index].terms!.entriesCopy = keeps ? terms : nil
                bodies[index].terms!.entries = .stored(store, Slice(offset: offset, count: terms.count))
                offset += terms.count
            }
        }
    }

    typealias Slice = BodyStore.Slice

    /// Moves the texts into `store`: from memory, or from an older store that is being retired. They
    /// stay where they are if the store cannot take them.
    mutating func move(to store: BodyStore) {
        var one = [self]
        Self.move(&one, to: store)
        self = one[0]
    }

    /// Bytes this body holds in `store` (for retiring stores).
    func bytes(in store: BodyStore) -> Int {
        var total = 0
        if case .stored(let own, let html, let plainText) = storage, own === store { total += html.count + plainText.count }
        if case .stored(let own, let slice)? = terms?.entries, own === store { total += slice.count }
        return total
    }

    /// The store this body's texts are in, if any.
    var store: BodyStore? {
        if case .stored(let store, _, _) = storage { return store }
        return nil
    }

    public static func == (a: MarkdownBody, b: MarkdownBody) -> Bool {
        a.htmlBytes == b.htmlBytes && a.plainTextBytes == b.plainTextBytes && BodyTerms.same(a.terms, b.terms)
    }
}
