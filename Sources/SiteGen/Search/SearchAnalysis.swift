import Foundation

/// What the index needs from the documents' text: for every term, the documents it occurs in with
/// a weighted frequency and whether it is in the title or an author's name, plus each document's
/// length (words of summary and body).
///
/// The documents are analysed in fixed blocks of `chunkSize` (by document id), the blocks in
/// parallel, each worker with its own `TermTable`; the blocks are then merged in order, numbering
/// terms by first appearance, so the result is exactly that of one pass over all documents. A
/// `Memo` keeps the blocks between builds (the preview server): after an edit only the blocks
/// whose documents changed are analysed again.
struct SearchAnalysis {
    static let titleWeight = 3, authorWeight = 2, categoryWeight = 2
    static let inTitle: UInt8 = 1, inAuthor: UInt8 = 2
    /// Documents a block: big enough that a block's vocabulary is small next to its words.
    static let chunkSize = 256

    /// The terms, numbered by first appearance.
    var terms: [String]
    /// Per document: its words in summary and body.
    var lengths: [Int32]
    /// The blocks, in document order, and per block its term ids (block term → `terms` index).
    /// The entries are not regrouped by term: the index reads them in passes (`forEachEntry`), so
    /// a large site holds each entry once.
    private var chunks: [Chunk]
    private var globals: [[Int32]]

    init(_ documents: [SearchDocument], memo: Memo? = nil, chunkSize: Int = Self.chunkSize) {
        let chunks = stride(from: 0, to: documents.count, by: chunkSize).map {
            $0..<min($0 + chunkSize, documents.count)
        }
        var results = [Chunk?](repeating: nil, count: chunks.count)
        var sources = [Source?](repeating: nil, count: chunks.count)
        var due: [Int] = []
        for (number, range) in chunks.enumerated() {
            if let known = memo?.chunk(number, documents[range]) { results[number] = known } else { due.append(number) }
        }
        if !due.isEmpty {
            let due = due
            // A few workers, each taking every n-th due block with one term table (so that each
            // spelling is normalized about once per worker, not once per block).
            let workers = min(due.count, max(1, ProcessInfo.processInfo.activeProcessorCount))
            let slots = UnsafeMutableBufferPointer<(Chunk, tableTerms: [Int32])?>.allocate(capacity: due.count)
            slots.initialize(repeating: nil)
            defer { slots.deinitialize(); slots.deallocate() }
            let output = SendableSlots(slots)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var counter = Counter()
                for position in stride(from: worker, to: due.count, by: workers) {
                    output.slots[position] = counter.analyse(documents[chunks[due[position]]])
                }
            }
            for (position, number) in due.enumerated() {
                let (chunk, tableTerms) = slots[position]!
                results[number] = chunk
                sources[number] = Source(worker: position % workers, tableTerms: tableTerms)
                memo?.keep(number, documents[chunks[number]], chunk)
            }
        }
        memo?.forget(after: chunks.count)
        self = Self.merge(results.map { $0! }, sources: sources)
    }

    /// Where a block analysed by this build got its terms: the worker, and per block term its id
    /// in that worker's `TermTable`. Equal table ids of one worker are the same term, so merging
    /// looks up each term of a worker by its text only once.
    private struct Source {
        var worker: Int
        var tableTerms: [Int32]
    }

    /// One block's analysis: its own terms (by first appearance) and entries per document.
    struct Chunk: Sendable {
        var terms: [String]
        var lengths: [Int32]
        /// Per document, in order: its number of entries, then per entry, by block term id, the
        /// gap to the previous entry's term id minus one (the first: the id) and weight × 4 +
        /// flags, all as `VarInt`s. Mostly two bytes an entry, where three arrays took nine.
        var entries: [UInt8]
    }

    /// Joins the blocks, in order, into one analysis: terms are numbered by first appearance. The
    /// blocks' entries stay where they are (grouped by document); `forEachEntry` reads them.
    private static func merge(_ chunks: [Chunk], sources: [Source?]) -> SearchAnalysis {
        var terms: [String] = [], termIDs: [String: Int32] = [:]
        /// Per worker, per table term id: its global id + 1, or 0 when not seen yet.
        var known: [[Int32]] = []
        var lengths: [Int32] = []
        lengths.reserveCapacity(chunks.reduce(0) { $0 + $1.lengths.count })
        // Block-local term ids to global ids. Within a block, terms are numbered by first
        // appearance; taking them in that order keeps the global numbering by first appearance.
        func globalID(_ term: String) -> Int32 {
            if let id = termIDs[term] { return id }
            let id = Int32(terms.count)
            terms.append(term)
            termIDs[term] = id
            return id
        }
        let globals = zip(chunks, sources).map { chunk, source -> [Int32] in
            lengths += chunk.lengths
            guard let source else { return chunk.terms.map(globalID) }
            while known.count <= source.worker { known.append([]) }
            var global: [Int32] = []
            global.reserveCapacity(chunk.terms.count)
            for (local, tableTerm) in source.tableTerms.enumerated() {
                let tableTerm = Int(tableTerm)
                if tableTerm >= known[source.worker].count {
                    known[source.worker].append(contentsOf: repeatElement(0, count: tableTerm + 1 - known[source.worker].count))
                }
                var id = known[source.worker][tableTerm] - 1
                if id < 0 {
                    id = globalID(chunk.terms[local])
                    known[source.worker][tableTerm] = id + 1
                }
                global.append(id)
            }
            return global
        }
        return SearchAnalysis(terms: terms, lengths: lengths, chunks: chunks, globals: globals)
    }

    private init(terms: [String], lengths: [Int32], chunks: [Chunk], globals: [[Int32]]) {
        self.terms = terms
        self.lengths = lengths
        self.chunks = chunks
        self.globals = globals
    }

    /// Calls `body` with every entry, by document (within a document in no particular order):
    /// the document id, the term id, the weighted frequency and the flags.
    @inline(__always)
    func forEachEntry(_ body: (_ document: Int, _ term: Int, _ weight: Int, _ flags: UInt8) -> Void) {
        var document = 0
        for (chunk, global) in zip(chunks, globals) {
            global.withUnsafeBufferPointer { global in
                chunk.entries.withUnsafeBufferPointer { entries in
                    var position = 0
                    for _ in chunk.lengths.indices {
                        var local = -1
                        for _ in 0..<VarInt.read(entries, &position) {
                            local += VarInt.read(entries, &position) + 1
                            let packed = VarInt.read(entries, &position)
                            body(document, Int(global[local]), packed >> 2, UInt8(packed & 3))
                        }
                        document += 1
                    }
                }
            }
        }
    }

    /// The blocks of the last analysis with the documents they were made from. A block is reused
    /// when its documents have the same text (fields the analysis reads); unchanged articles of a
    /// rebuilt site share their strings with the last one, so that comparison is mostly pointer checks.
    final class Memo: @unchecked Sendable {
        private let lock = NSLock()
        private var kept: [Int: (documents: [SearchDocument], chunk: Chunk)] = [:]

        init() {}

        func chunk(_ number: Int, _ documents: ArraySlice<SearchDocument>) -> Chunk? {
            lock.lock()
            defer { lock.unlock() }
            guard let (known, chunk) = kept[number], known.count == documents.count,
                  zip(known, documents).allSatisfy(Self.sameText) else { return nil }
            return chunk
        }

        func keep(_ number: Int, _ documents: ArraySlice<SearchDocument>, _ chunk: Chunk) {
            lock.lock()
            defer { lock.unlock() }
            kept[number] = (Array(documents), chunk)
        }

        func forget(after count: Int) {
            lock.lock()
            defer { lock.unlock() }
            kept = kept.filter { $0.key < count }
        }

        /// Blocks kept (for tests).
        var count: Int {
            lock.lock()
            defer { lock.unlock() }
            return kept.count
        }

        private static func sameText(_ a: SearchDocument, _ b: SearchDocument) -> Bool {
            a.title == b.title && a.authorNames == b.authorNames && a.categoryNames == b.categoryNames
                && a.summary == b.summary && a.body == b.body && BodyTerms.same(a.text.terms, b.text.terms)
        }
    }

    /// Counts the terms of one document at a time, then appends them as entries (term, weight, flags).
    /// The term table lives as long as the counter (a worker's blocks); entries use block-local ids.
    /// Not copyable: it holds its counts in a `TermCounts`.
    private struct Counter: ~Copyable {
        var table = TermTable()
        /// Per table term id: its weight and flags in the current document, and its id in the
        /// current block + 1 (0 when the block has not seen it).
        struct Count {
            var weight: Int32 = 0
            var local: Int32 = 0
            var flag: UInt8 = 0
        }
        /// Per table term id, its count in the current document; and the table term ids of the
        /// current document, each once (`slots.touched`).
        var slots = TermCounts(zero: Count(), minimum: 1024)
        /// The current document's terms as a set of block term ids, one bit each: read in order, it
        /// gives the entries sorted by block term id without sorting them (a sort of each
        /// document's few hundred entries was a tenth of the analysis).
        var present: [UInt64] = []
        var blockTerms: [Int32] = []
        var length: Int32 = 0
        var entries: [UInt8] = []
        var lengths: [Int32] = []

        /// The block's analysis, and per block term its id in `table`.
        mutating func analyse(_ documents: ArraySlice<SearchDocument>) -> (Chunk, tableTerms: [Int32]) {
            // Documents are read in place: `documents[index].field` copied the whole document (a
            // retain and a release of each of its fields) on every access.
            documents.withUnsafeBufferPointer { documents in
                guard let first = documents.baseAddress else { return }
                for offset in 0..<documents.count { analyse(first + offset) }
            }
            let terms = table.terms
            // Copies of the right size: the buffers grew by doubling and serve the next block.
            let chunk = Chunk(terms: blockTerms.map { terms[Int($0)] }, lengths: Array(lengths), entries: Array(entries))
            let tableTerms = blockTerms
            for id in blockTerms { slots.counts[Int(id)].local = 0 }
            blockTerms.removeAll(keepingCapacity: true)
            entries.removeAll(keepingCapacity: true)
            lengths.removeAll(keepingCapacity: true)
            return (chunk, tableTerms)
        }

        /// Counts one document's terms and appends its entries.
        mutating func analyse(_ document: UnsafePointer<SearchDocument>) {
            // A body whose terms were counted while parsing knows whether the summary repeats it;
            // another is read once, as bytes (it may come from the body store; no String is made of it).
            let terms = document.pointee.text.terms
            let body = terms == nil ? document.pointee.text.plainTextBytes : []
            let repeats = terms?.summaryRepeats ?? document.pointee.summaryRepeats(bytes: body)
            add(document.pointee.title, weight: SearchAnalysis.titleWeight, flag: SearchAnalysis.inTitle, counts: false)
            for name in document.pointee.authorNames {
                add(name, weight: SearchAnalysis.authorWeight, flag: SearchAnalysis.inAuthor, counts: false)
            }
            for name in document.pointee.categoryNames {
                add(name, weight: SearchAnalysis.categoryWeight, flag: 0, counts: false)
            }
            if !repeats { add(document.pointee.summary, weight: 1, flag: 0, counts: true) }
            if let terms {
                add(terms)
            } else {
                body.withUnsafeBufferPointer { add(bytes: $0, weight: 1, flag: 0, counts: true) }
            }
            finishDocument()
        }

        mutating func add(_ text: String, weight w: Int, flag f: UInt8, counts countsWords: Bool) {
            var text = text
            text.withUTF8 { add(bytes: $0, weight: w, flag: f, counts: countsWords) }
        }

        mutating func add(bytes text: UnsafeBufferPointer<UInt8>, weight w: Int, flag f: UInt8, counts countsWords: Bool) {
            var words: Int32 = 0
            SearchText.withWords(in: text) { scanner in
                while let (word, isASCII) = scanner.next() {
                    let id = table.id(word, isASCII: isASCII)
                    guard id >= 0 else { continue }
                    count(id, weight: Int32(w)).pointee.flag |= f
                    words &+= 1
                }
            }
            if countsWords { length += words }
        }

        /// Adds `weight` to table term `id` in the current document, noting the term when it is new
        /// to it; the term's count, for its flags.
        @inline(__always)
        @discardableResult
        mutating func count(_ id: Int32, weight: Int32) -> UnsafeMutablePointer<Count> {
            if Int(id) >= slots.capacity { slots.grow(Int(id) + 1) }
            let count = slots.counts + Int(id)
            slots.touched[slots.touchedCount] = id
            slots.touchedCount &+= count.pointee.weight == 0 ? 1 : 0
            count.pointee.weight += weight
            return count
        }

        /// Per term source seen (`BodyTerms.source`), per id in it: the id in `table` + 1, or 0
        /// when not looked up yet. The sources are held so that their identities stay theirs.
        var translations: [ObjectIdentifier: (source: TermSource, ids: [Int32])] = [:]

        /// Counts a body's terms counted while parsing, as `add(bytes:…)` counts the words of its
        /// text: weight 1 a word, in order of first appearance.
        mutating func add(_ terms: BodyTerms) {
            let key = ObjectIdentifier(terms.source)
            var ids = translations.removeValue(forKey: key)?.ids ?? []
            var sourceTerms: [String]?
            terms.entryBytes.withUnsafeBufferPointer { entries in
                var position = 0
                while position < entries.count {
                    let sourceID = VarInt.read(entries, &position)
                    let occurrences = Int32(VarInt.read(entries, &position))
                    if sourceID >= ids.count {
                        ids.append(contentsOf: repeatElement(0, count: max(sourceID + 1, 2 * ids.count) - ids.count))
                    }
                    var id = ids[sourceID] - 1
                    if id < 0 {
                        if sourceTerms == nil { sourceTerms = terms.source.terms }
                        precondition(sourceID < sourceTerms!.count, "sitegen: a search term the build cache lacks; delete .sitegen-cache")
                        id = table.id(ofTerm: sourceTerms![sourceID])
                        ids[sourceID] = id + 1
                    }
                    count(id, weight: occurrences)
                }
            }
            translations[key] = (terms.source, ids)
            length += Int32(terms.words)
        }

        mutating func finishDocument() {
            for id in UnsafeBufferPointer(start: slots.touched, count: slots.touchedCount) {
                let term = Int(id)
                if slots.counts[term].local == 0 {
                    blockTerms.append(id)
                    slots.counts[term].local = Int32(blockTerms.count)
                    if blockTerms.count > present.count << 6 { present.append(0) }
                }
                let local = Int(slots.counts[term].local - 1)
                present[local >> 6] |= 1 << UInt64(local & 63)
            }
            // By block term id, so that the gaps between ids are small.
            VarInt.append(slots.touchedCount, to: &entries)
            var previous = -1
            for index in 0..<(blockTerms.count + 63) >> 6 where present[index] != 0 {
                var bits = present[index]
                present[index] = 0
                while bits != 0 {
                    let local = index << 6 | bits.trailingZeroBitCount
                    bits &= bits &- 1
                    let term = Int(blockTerms[local])
                    VarInt.append(local - previous - 1, to: &entries)
                    VarInt.append(Int(slots.counts[term].weight) << 2 | Int(slots.counts[term].flag), to: &entries)
                    previous = local
                    slots.counts[term].weight = 0
                    slots.counts[term].flag = 0
                }
            }
            slots.touchedCount = 0
            lengths.append(length)
            length = 0
        }
    }
}

/// Lets `concurrentPerform` workers fill distinct slots of one buffer.
private struct SendableSlots<Element>: @unchecked Sendable {
    let slots: UnsafeMutableBufferPointer<Element>
    init(_ slots: UnsafeMutableBufferPointer<Element>) { self.slots = slots }
}
