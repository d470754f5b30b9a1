import Foundation

/// A compact binary encoding for the build cache: length-prefixed strings, little-endian integers.
/// Decoding is defensive: a truncated or foreign file throws and the cache is ignored.
struct CacheWriter {
    var bytes: [UInt8] = []
    /// The kept body stores the written entries refer to.
    var bodyStores: Set<String> = []
    /// The term sources the written bodies' terms refer to, numbered in order of first reference.
    var termSourceNumbers: [ObjectIdentifier: Int] = [:]
    var termSourceList: [TermSource] = []

    mutating func int(_ value: Int) { withUnsafeBytes(of: Int64(value).littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func uint(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }
    mutating func string(_ value: String) {
        int(value.utf8.count)
        bytes.append(contentsOf: value.utf8)
    }
    mutating func optional(_ value: String?) {
        bool(value != nil)
        if let value { string(value) }
    }
    mutating func date(_ value: Date) { uint(value.timeIntervalSince1970.bitPattern) }
    mutating func position(_ value: SourcePosition) { int(value.line); int(value.column) }
    mutating func located(_ value: Located<String>) { string(value.value); position(value.position) }
    mutating func list<T>(_ values: [T], _ each: (inout CacheWriter, T) -> Void) {
        int(values.count)
        for value in values { each(&self, value) }
    }
}

/// Reads what `CacheWriter` wrote, from memory or straight from a file through a small window
/// (`init(descriptor:size:)`): the cache of a large site is hundreds of megabytes, and holding it whole next to
/// the documents decoded from it would double the memory a no-change build needs.
struct CacheReader {
    struct Corrupt: Error {}
    /// The window: `buffer[offset..<filled]` are the next bytes; `base` is the position of `buffer[0]`.
    private var buffer: [UInt8]
    private var offset = 0
    private var filled: Int
    private var base = 0
    /// Bytes in all (a file's size when opened: reading stops there).
    private let total: Int
    private let descriptor: Int32?
    /// Where the kept body stores the entries refer to are (`BodyStore`), and those opened so far.
    var bodyFolder: URL?
    private(set) var bodyStores: [String: BodyStore] = [:]
    /// The term sources bodies refer to, by number: made empty when first referred to, filled by
    /// `termSources()` once the entries are read.
    private var termSourceList: [TermSource] = []

    init(_ bytes: [UInt8]) {
        buffer = bytes
        filled = bytes.count
        total = bytes.count
        descriptor = nil
    }

    /// Reads `descriptor` (a regular file of `size` bytes) from its current position; the caller closes it.
    init(descriptor: Int32, size: Int, window: Int = 1 << 20) {
        buffer = [UInt8](repeating: 0, count: max(window, 16))
        filled = 0
        total = size
        self.descriptor = descriptor
    }

    /// The bytes not read yet.
    private var remaining: Int { total - base - offset }
    var atEnd: Bool { remaining == 0 }

    /// Makes at least `count` bytes (no more than the window) available at `offset`.
    private mutating func need(_ count: Int) throws {
        guard filled - offset < count else { return }
        guard count <= remaining, let descriptor else { throw Corrupt() }
        let kept = filled - offset, start = offset
        base += offset
        offset = 0
        // Fill the window (not beyond the end), so most values need no read of their own.
        let goal = min(buffer.count, total - base)
        filled = buffer.withUnsafeMutableBytes { window -> Int in
            if kept > 0, start > 0 { memmove(window.baseAddress!, window.baseAddress! + start, kept) }
            var filled = kept
            while filled < goal {
                let got = read(descriptor, window.baseAddress! + filled, goal - filled)
                if got < 0, errno == EINTR { continue }
                guard got > 0 else { break }
                filled += got
            }
            return filled
        }
        guard filled >= count else { throw Corrupt() }
    }

    mutating func uint() throws -> UInt64 {
        try need(8)
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(buffer[offset + index]) << (8 * UInt64(index)) }
        offset += 8
        return value
    }
    mutating func int() throws -> Int { Int(Int64(bitPattern: try uint())) }
    mutating func bool() throws -> Bool { try byte() != 0 }
    mutating func byte() throws -> UInt8 {
        try need(1)
        offset += 1
        return buffer[offset - 1]
    }
    mutating func string() throws -> String {
        let count = try int()
        guard count >= 0, count <= remaining else { throw Corrupt() }
        if count <= buffer.count {
            try need(count)
            defer { offset += count }
            return buffer.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[offset..<(offset + count)]), as: UTF8.self) }
        }
        // Longer than the window: the bytes at hand, then the rest read straight into the string.
        guard let descriptor else { throw Corrupt() }
        var failed = false
        let atHand = filled - offset, start = offset, end = filled
        let text = String(unsafeUninitializedCapacity: count) { target in
            buffer.withUnsafeBytes { window in
                UnsafeMutableRawBufferPointer(target).copyMemory(from: UnsafeRawBufferPointer(rebasing: window[start..<end]))
            }
            var done = atHand
            while done < count {
                let got = read(descriptor, target.baseAddress! + done, count - done)
                if got < 0, errno == EINTR { continue }
                guard got > 0 else { failed = true; break }
                done += got
            }
            return failed ? 0 : count
        }
        guard !failed else { throw Corrupt() }
        base += filled + (count - (filled - offset))
        offset = 0
        filled = 0
        return text
    }
    mutating func optional() throws -> String? { try bool() ? try string() : nil }
    mutating func date() throws -> Date { Date(timeIntervalSince1970: Double(bitPattern: try uint())) }
    mutating func position() throws -> SourcePosition { SourcePosition(line: try int(), column: try int()) }
    mutating func located() throws -> Located<String> { Located(try string(), at: try position()) }
    mutating func list<T>(_ each: (inout CacheReader) throws -> T) throws -> [T] {
        let count = try int()
        guard count >= 0, count <= remaining else { throw Corrupt() }
        var values: [T] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try each(&self)) }
        return values
    }
}

// MARK: Documents

extension CacheWriter {
    mutating func markdown(_ value: MarkdownResult) {
        value.body.encode(into: &self)
        string(value.firstParagraph); int(value.wordCount)
        list(value.headings) { $0.int($1.level); $0.string($1.text); $0.string($1.id) }
    }

    mutating func params(_ value: [String: ParamValue]) {
        list(value.keys.sorted()) { writer, key in writer.string(key); writer.param(value[key]!) }
    }

    mutating func param(_ value: ParamValue) {
        switch value {
        case .string(let text): int(0); string(text)
        case .list(let items): int(1); list(items) { $0.param($1) }
        case .map(let map): int(2); params(map)
        }
    }

    mutating func diagnostic(_ value: Diagnostic) {
        bool(value.severity == .error); string(value.file); int(value.line); int(value.column)
        string(value.message); optional(value.hint)
    }

    mutating func loaded(_ value: ContentLoader.Loaded) {
        switch value {
        case .none: int(0)
        case .article(let d):
            int(1); string(d.path); uint(d.fingerprint.value); string(d.section); located(d.slug); string(d.title)
            date(d.date.value); position(d.date.position); bool(d.updated != nil); if let u = d.updated { date(u) }
            list(d.authors) { $0.located($1) }; position(d.authorsPosition); list(d.categories) { $0.located($1) }
            optional(d.summary); bool(d.image != nil)
            if let image = d.image { string(image.url); string(image.alt); optional(image.credit) }
            bool(d.draft); list(d.aliases) { $0.located($1) }; params(d.params); markdown(d.body)
        case .author(let d):
            int(2); string(d.path); uint(d.fingerprint.value); string(d.slug); string(d.name); optional(d.role)
            optional(d.photo); markdown(d.bio); params(d.params)
        case .category(let d):
            int(3); string(d.path); uint(d.fingerprint.value); string(d.slug); string(d.name); optional(d.description)
        case .section(let d):
            int(4); string(d.path); uint(d.fingerprint.value); string(d.slug); string(d.title); string(d.description)
            string(d.returnLabel); markdown(d.intro)
        case .page(let d):
            int(5); string(d.path); uint(d.fingerprint.value); located(d.slug); string(d.title); string(d.description)
            bool(d.draft); list(d.aliases) { $0.located($1) }; params(d.params); markdown(d.body)
        case .home(let d):
            int(6); string(d.path); uint(d.fingerprint.value); optional(d.title); optional(d.description); markdown(d.intro)
        }
    }
}

extension CacheWriter {
    /// A body's terms: whether there are any, the number of their source (`termSources`), the word
    /// count, whether the summary repeats the body, then the entries: a reference into a kept body
    /// store (1), or the bytes (0).
    mutating func terms(_ terms: BodyTerms?) {
        bool(terms != nil)
        guard let terms else { return }
        let key = ObjectIdentifier(terms.source)
        if termSourceNumbers[key] == nil {
            termSourceNumbers[key] = termSourceList.count
            termSourceList.append(terms.source)
        }
        int(termSourceNumbers[key]!)
        int(terms.words)
        bool(terms.summaryRepeats)
        if case .stored(let store, let slice) = terms.entries, let name = store.name {
            bodyStores.insert(name)
            int(1); string(name); int(slice.offset); int(slice.count)
        } else {
            let entries = terms.entryBytes
            int(0); int(entries.count)
            bytes += entries
        }
    }

    /// The terms of the sources the written entries referred to, in their numbers' order.
    mutating func termSources() {
        int(termSourceList.count)
        for source in termSourceList { list(source.terms) { $0.string($1) } }
    }
}

extension CacheReader {
    mutating func markdown() throws -> MarkdownResult {
        MarkdownResult(body: try body(), firstParagraph: try string(), wordCount: try int(),
                       headings: try list { .init(level: try $0.int(), text: try $0.string(), id: try $0.string()) })
    }

    /// What `MarkdownBody.encode` wrote: the texts, or a reference into a kept body store, which must
    /// exist and hold the slices (else the cache is not used).
    mutating func body() throws -> MarkdownBody {
        switch try int() {
        case 0:
            let html = Array(try string().utf8), plainText = Array(try string().utf8)
            return MarkdownBody(storage: .memory(html: html, plainText: plainText), terms: try terms())
        case 1:
            let name = try string()
            let html = BodyStore.Slice(offset: try int(), count: try int())
            let plainText = BodyStore.Slice(offset: try int(), count: try int())
            guard let store = try bodyStore(name), store.contains(html), store.contains(plainText) else { throw Corrupt() }
            return MarkdownBody(storage: .stored(store, html: html, plainText: plainText), terms: try terms())
        default:
            throw Corrupt()
        }
    }

    /// What `CacheWriter.terms` wrote.
    mutating func terms() throws -> BodyTerms? {
        guard try bool() else { return nil }
        let number = try int()
        guard number >= 0, number < 1 << 20 else { throw Corrupt() }
        while termSourceList.count <= number { termSourceList.append(TermSource(terms: [])) }
        let words = try int(), summaryRepeats = try bool()
        switch try int() {
        case 0:
            let count = try int()
            guard count >= 0, count <= remaining else { throw Corrupt() }
            var entries: [UInt8] = []
            entries.reserveCapacity(count)
            for _ in 0..<count { entries.append(try byte()) }
            return BodyTerms(source: termSourceList[number], entries: .memory(entries), words: words,
                             summaryRepeats: summaryRepeats)
        case 1:
            let name = try string()
            let slice = BodyStore.Slice(offset: try int(), count: try int())
            guard let store = try bodyStore(name), store.contains(slice) else { throw Corrupt() }
            return BodyTerms(source: termSourceList[number], entries: .stored(store, slice), words: words,
                             summaryRepeats: summaryRepeats)
        default:
            throw Corrupt()
        }
    }

    /// What `CacheWriter.termSources` wrote: the terms of every source the entries referred to.
    mutating func termSources() throws {
        let count = try int()
        guard count == termSourceList.count else { throw Corrupt() }
        for source in termSourceList { source.fill(try list { try $0.string() }) }
    }

    private mutating func bodyStore(_ name: String) throws -> BodyStore? {
        if let store = bodyStores[name] { return store }
        guard let bodyFolder, let store = BodyStore(existing: name, in: bodyFolder) else { return nil }
        bodyStores[name] = store
        return store
    }

    mutating func params() throws -> [String: ParamValue] {
        var map: [String: ParamValue] = [:]
        for (key, value) in try list({ (try $0.string(), try $0.param()) }) { map[key] = value }
        return map
    }

    mutating func param() throws -> ParamValue {
        switch try int() {
        case 0: return .string(try string())
        case 1: return .list(try list { try $0.param() })
        case 2: return .map(try params())
        default: throw Corrupt()
        }
    }

    mutating func diagnostic() throws -> Diagnostic {
        let severity: Diagnostic.Severity = try bool() ? .error : .warning
        return Diagnostic(severity, file: try string(), line: try int(), column: try int(), try string(), hint: try optional())
    }

    mutating func fingerprint() throws -> Fingerprint { Fingerprint(value: try uint()) }

    mutating func loaded() throws -> ContentLoader.Loaded {
        switch try int() {
        case 0: return .none
        case 1:
            let path = try string(), fingerprint = try fingerprint(), section = try string(), slug = try located()
            let title = try string(), dateValue = try date(), datePosition = try position()
            let updated = try bool() ? try date() : nil
            let authors = try list { try $0.located() }, authorsPosition = try position()
            let categories = try list { try $0.located() }, summary = try optional()
            let image = try bool() ? ImageRef(url: try string(), alt: try string(), credit: try optional()) : nil
            var document = ArticleDocument(
                path: path, section: section, slug: slug, title: title, date: Located(dateValue, at: datePosition),
                updated: updated, authors: authors, authorsPosition: authorsPosition, categories: categories,
                summary: summary, image: image, draft: try bool(), aliases: try list { try $0.located() },
                params: try params(), body: try markdown())
            document.fingerprint = fingerprint
            return .article(document)
        case 2:
            let path = try string(), fingerprint = try fingerprint()
            var document = AuthorDocument(path: path, slug: try string(), name: try string(), role: try optional(),
                                          photo: try optional(), bio: try markdown(), params: try params())
            document.fingerprint = fingerprint
            return .author(document)
        case 3:
            let path = try string(), fingerprint = try fingerprint()
            var document = CategoryDocument(path: path, slug: try string(), name: try string(), description: try optional())
            document.fingerprint = fingerprint
            return .category(document)
        case 4:
            let path = try string(), fingerprint = try fingerprint()
            var document = SectionDocument(path: path, slug: try string(), title: try string(), description: try string(),
                                           returnLabel: try string(), intro: try markdown())
            document.fingerprint = fingerprint
            return .section(document)
        case 5:
            let path = try string(), fingerprint = try fingerprint()
            var document = PageDocument(path: path, slug: try located(), title: try string(), description: try string(),
                                        draft: try bool(), aliases: try list { try $0.located() }, params: try params(),
                                        body: try markdown())
            document.fingerprint = fingerprint
            return .page(document)
        case 6:
            let path = try string(), fingerprint = try fingerprint()
            var document = HomeDocument(path: path, title: try optional(), description: try optional(), intro: try markdown())
            document.fingerprint = fingerprint
            return .home(document)
        default: throw CacheReader.Corrupt()
        }
    }
}
