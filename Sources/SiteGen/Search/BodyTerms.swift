import Foundation

/// An article body's search terms, counted while the article is parsed, when its plain text is in
/// memory: the index then reads about 1.5 KB per article instead of its whole plain text (~10 KB,
/// which went to the `BodyStore` and back: ~0.1 CPU-s at 10k articles), and the build cache keeps
/// the counts, so that an edit build indexes the unchanged articles without their text.
///
/// The terms are ids in a `TermSource` (a parse worker's `TermTable`); `SearchAnalysis` maps them
/// to its own tables. They are listed in order of first appearance in the body, so the analysis
/// sees the terms in the order a scan of the text would, and numbers them the same way.
struct BodyTerms: Sendable {
    /// Per distinct indexed term, in order of first appearance: its id in `source`, then the
    /// number of times it occurs, as `VarInt`s.
    enum Entries: Sendable {
        case memory([UInt8])
        case stored(BodyStore, BodyStore.Slice)
    }

    var source: TermSource
    var entries: Entries
    /// The entries, also kept in memory when they are in a store (see `MarkdownBody.plainTextCopy`).
    var entriesCopy: [UInt8]?
    /// Indexed words in the body (stop words not counted): the body's share of the document length.
    var words: Int
    /// Whether the article's summary repeats the start of its body (`SearchDocument.summaryRepeats`),
    /// found while parsing, when the plain text was there: the index and the search results then read
    /// none of it for that (the body store keeps only what a result shows, `MarkdownBody.forSearch`).
    var summaryRepeats = false

    var entryBytes: [UInt8] {
        if let entriesCopy { return entriesCopy }
        switch entries {
        case .memory(let bytes): return bytes
        case .stored(let store, let slice): return store.bytes(slice)
        }
    }

    /// The terms with their counts, in order (for comparing terms of different sources, and tests).
    var counts: [(term: String, count: Int)] {
        let terms = source.terms
        return entryBytes.withUnsafeBufferPointer { bytes in
            var position = 0, result: [(term: String, count: Int)] = []
            while position < bytes.count {
                let id = VarInt.read(bytes, &position)
                result.append((terms[id], VarInt.read(bytes, &position)))
            }
            return result
        }
    }

    /// The terms of `text` (the plain text of a body), counted with `source`, else with a table from
    /// the shared pool.
    static func analyse(_ text: [UInt8], source: TermSource? = nil) -> BodyTerms {
        if let source { return source.analyse(text) }
        return TermSource.pool.borrow { source in source.analyse(text) }
    }

    /// How much of an article's plain text tells whether its summary repeats it, and holds what a search
    /// result shows of it (`SearchManifest.fragment`).
    static func keptPlainText(summary: String) -> Int {
        max(4 * (SearchManifest.snippetTextLimit + 1), summary.utf8.count + 256)
    }

    /// Same terms with the same counts: the same entries of one source, else compared as terms.
    static func same(_ a: BodyTerms?, _ b: BodyTerms?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        guard a.words == b.words, a.summaryRepeats == b.summaryRepeats else { return false }
        if a.source === b.source {
            switch (a.entries, b.entries) {
            case (.stored(let x, let s), .stored(let y, let t)) where x === y && s == t: return true
            default: return a.entryBytes == b.entryBytes
            }
        }
        let x = a.counts, y = b.counts
        return x.count == y.count && zip(x, y).allSatisfy { $0.term == $1.term && $0.count == $1.count }
    }
}

/// The terms that `BodyTerms` ids stand for. A source made while parsing numbers words with its own
/// `TermTable`, used by one parse worker at a time (`pool`); a source read from the build cache
/// has only its list of terms. The lock lets the terms be read while a worker adds to them (builds
/// running at once in one process, as tests do, share the pool).
final class TermSource: @unchecked Sendable {
    private let lock = NSLock()
    /// The table new words are looked up in; nil for a source read from the cache.
    private var table: TermTable?
    private var loaded: [String]
    /// Per table term id + 1, its occurrences in the current text (zero between texts; slot 0
    /// counts stop words). Nil only while `analyse` holds it.
    private var slots: TermCounts<Int32>? = TermCounts(zero: 0, minimum: 4096)

    /// A source for parsing, with an empty table.
    init() {
        table = TermTable()
        loaded = []
    }

    /// A source read from the build cache: `terms`, or none yet (`fill`).
    init(terms: [String]) {
        table = nil
        loaded = terms
    }

    /// The terms so far, by id.
    var terms: [String] {
        lock.lock()
        defer { lock.unlock() }
        return table?.terms ?? loaded
    }

    /// Sets the terms of a source read from the cache, whose entries were read before its terms.
    func fill(_ terms: [String]) {
        lock.lock()
        defer { lock.unlock() }
        precondition(table == nil, "only a source read from the cache is filled")
        loaded = terms
    }

    /// Counts the words of `text` (valid UTF-8). The caller holds the source alone (`pool`). The
    /// table and counts are moved into locals for the loop: through the class, every word paid for
    /// exclusivity checks.
    fileprivate func analyse(_ text: [UInt8]) -> BodyTerms {
        lock.lock()
        defer { lock.unlock() }
        guard var table = table.take() else { preconditionFailure("a source read from the cache numbers no new words") }
        guard var slots = slots.take() else { preconditionFailure("a source's counts are in use") }
        var words = 0
        text.withUnsafeBufferPointer { text in
            SearchText.withWords(in: text) { scanner in
                // The counts' pointers and the number of ids touched in locals (registers), written back
                // to `slots` only when it grows: updated in `slots` itself, every word read back and
                // stored the count of touched ids, which the next word's store waited on.
                var counts = slots.counts, touched = slots.touched, capacity = slots.capacity
                var touchedCount = slots.touchedCount
                while let (word, isASCII) = scanner.next() {
                    // Slot id + 1: stop words (id -1) are counted in slot 0 and dropped below, so that
                    // no branch goes either way with every word (one in six is a stop word).
                    let id = table.id(word, isASCII: isASCII)
                    let slot = Int(id) &+ 1
                    if slot >= capacity {
                        slots.touchedCount = touchedCount
                        slots.grow(slot + 1)
                        (counts, touched, capacity) = (slots.counts, slots.touched, slots.capacity)
                    }
                    let count = counts + slot
                    touched[touchedCount] = id
                    touchedCount &+= count.pointee == 0 ? 1 : 0
                    count.pointee &+= 1
                    words &+= id >= 0 ? 1 : 0
                }
                slots.touchedCount = touchedCount
            }
        }
        self.table = table
        var entries: [UInt8] = []
        entries.reserveCapacity(slots.touchedCount * 3)
        for id in UnsafeBufferPointer(start: slots.touched, count: slots.touchedCount) {
            let slot = Int(id) + 1
            if id >= 0 {
                VarInt.append(Int(id), to: &entries)
                VarInt.append(Int(slots.counts[slot]), to: &entries)
            }
            slots.counts[slot] = 0
        }
        slots.touchedCount = 0
        self.slots = consume slots
        return BodyTerms(source: self, entries: .memory(entries), words: words)
    }

    /// Parse sources not in use. A worker borrows one for each body, so the sources are about as
    /// many as the workers that ever parsed at once, and each spelling is normalized about once a worker.
    static let pool = Pool()

    final class Pool: @unchecked Sendable {
        private let lock = NSLock()
        private var idle: [TermSource] = []

        func borrow<Result>(_ body: (TermSource) -> Result) -> Result {
            lock.lock()
            let source = idle.popLast() ?? TermSource()
            lock.unlock()
            defer {
                lock.lock()
                idle.append(source)
                lock.unlock()
            }
            return body(source)
        }
    }
}
