import Foundation

/// Maps words, as `SearchText.forEachWord` yields them, to term ids. Each distinct spelling is
/// normalized once (`SearchText.term(ofWord:isASCII:)`) and remembered, so the millions of words
/// of a large site cost one hash and one table probe each.
struct TermTable {
    /// The terms, by id (in order of first appearance).
    private(set) var terms: [String] = []
    private var termIDs: [String: Int32] = [:]
    /// Open addressing over the spellings seen: entry index + 1, or 0 for an empty slot.
    private var slots = [Int32](repeating: 0, count: 1 << 14)
    /// Per spelling: its first 16 bytes (zero-padded), its length, the rest of its bytes in `arena`.
    private var spellings: [Spelling] = []
    private var arena: [UInt8] = []

    private struct Spelling {
        var head0: UInt64, head1: UInt64
        var length: Int
        var restStart: Int
        /// The term id, or -1 when the spelling is not indexed (a stop word).
        var term: Int32
    }

    /// The term id of `word`, or -1 when it is not indexed.
    mutating func id(_ word: UnsafeBufferPointer<UInt8>, isASCII: Bool) -> Int32 {
        var head0: UInt64 = 0, head1: UInt64 = 0
        let count = word.count
        for k in 0..<min(count, 8) { head0 |= UInt64(word[k]) << (8 * UInt64(k)) }
        if count > 8 { for k in 8..<min(count, 16) { head1 |= UInt64(word[k]) << (8 * UInt64(k - 8)) } }
        let hash = Self.hash(head0, head1, count, rest: count > 16 ? word[16...] : word[0..<0])
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 {
            let spelling = spellings[Int(slots[slot]) - 1]
            if spelling.head0 == head0, spelling.head1 == head1, spelling.length == count,
               count <= 16 || arena[spelling.restStart..<spelling.restStart + count - 16].elementsEqual(word[16...]) {
                return spelling.term
            }
            slot = (slot + 1) & mask
        }
        return insert(word, isASCII: isASCII, head: (head0, head1), slot: slot)
    }

    private mutating func insert(_ word: UnsafeBufferPointer<UInt8>, isASCII: Bool, head: (UInt64, UInt64),
                                 slot: Int) -> Int32 {
        var id: Int32 = -1
        if let term = SearchText.term(ofWord: word, isASCII: isASCII) {
            if let known = termIDs[term] {
                id = known
            } else {
                id = Int32(terms.count)
                terms.append(term)
                termIDs[term] = id
            }
        }
        spellings.append(Spelling(head0: head.0, head1: head.1, length: word.count, restStart: arena.count, term: id))
        if word.count > 16 { arena.append(contentsOf: word[16...]) }
        slots[slot] = Int32(spellings.count)
        if spellings.count * 2 > slots.count { rehash() }
        return id
    }

    private static func hash(_ head0: UInt64, _ head1: UInt64, _ length: Int, rest: some Sequence<UInt8>) -> UInt64 {
        var hash = (head0 &* 0x9E37_79B9_7F4A_7C15) ^ (head1 &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(length)
        for byte in rest { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash ^ (hash >> 31)
    }

    /// Doubles the slots and places every spelling again.
    private mutating func rehash() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for (entry, spelling) in spellings.enumerated() {
            let rest = arena[spelling.restStart..<spelling.restStart + max(0, spelling.length - 16)]
            let hash = Self.hash(spelling.head0, spelling.head1, spelling.length, rest: rest)
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(entry + 1)
        }
    }
}

/// What the index needs from the documents' text: for every term, the documents it occurs in with
/// a weighted frequency and whether it is in the title or an author's name, plus each document's
/// length (words of summary and body). Postings are grouped by term id ("compressed rows").
///
/// The documents are analysed in fixed blocks of `chunkSize` (by document id), the blocks in
/// parallel, each worker with its own `TermTable`; the blocks are then merged in order, numbering
/// terms by first appearance, so the result is exactly that of one pass over all documents. A
/// `Memo` keeps the blocks between builds (the preview server): after an edit only the blocks
/// whose documents changed are analysed again.
struct SearchAnalysis {
    static let titleWeight: Float = 3, authorWeight: Float = 2, categoryWeight: Float = 2
    static let inTitle: UInt8 = 1, inAuthor: UInt8 = 2
    /// Documents a block: big enough that a block's vocabulary is small next to its words.
    static let chunkSize = 256

    var terms: [String]
    var lengths: [Int32]
    /// Postings of term t: `starts[t]..<starts[t + 1]` in the arrays below, by document.
    var starts: [Int]
    var documents: [Int32]
    var weights: [Float]
    var flags: [UInt8]

    init(_ documents: [SearchDocument], memo: Memo? = nil, chunkSize: Int = Self.chunkSize) {
        let chunks = stride(from: 0, to: documents.count, by: chunkSize).map {
            $0..<min($0 + chunkSize, documents.count)
        }
        var results = [Chunk?](repeating: nil, count: chunks.count)
        var due: [Int] = []
        for (number, range) in chunks.enumerated() {
            if let known = memo?.chunk(number, documents[range]) { results[number] = known } else { due.append(number) }
        }
        if !due.isEmpty {
            let due = due
            // A few workers, each taking every n-th due block with one term table (so that each
            // spelling is normalized about once per worker, not once per block).
            let workers = min(due.count, max(1, ProcessInfo.processInfo.activeProcessorCount))
            let slots = UnsafeMutableBufferPointer<Chunk?>.allocate(capacity: due.count)
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
                results[number] = slots[position]
                memo?.keep(number, documents[chunks[number]], slots[position]!)
            }
        }
        memo?.forget(after: chunks.count)
        self = Self.merge(results.map { $0! })
    }

    /// One block's analysis: its own terms (by first appearance) and entries per document.
    struct Chunk: Sendable {
        var terms: [String]
        var lengths: [Int32]
        var entryTerms: [Int32], entryWeights: [Float], entryFlags: [UInt8]
        /// Entries of the block's document d: `entryStarts[d]..<entryStarts[d + 1]`.
        var entryStarts: [Int]
    }

    /// Joins the blocks, in order, into one analysis: terms are numbered by first appearance.
    private static func merge(_ chunks: [Chunk]) -> SearchAnalysis {
        var terms: [String] = [], termIDs: [String: Int32] = [:]
        var lengths: [Int32] = [], entryTerms: [Int32] = [], entryWeights: [Float] = [], entryFlags: [UInt8] = []
        var entryStarts = [0]
        let entryCount = chunks.reduce(0) { $0 + $1.entryTerms.count }
        entryTerms.reserveCapacity(entryCount)
        entryWeights.reserveCapacity(entryCount)
        entryFlags.reserveCapacity(entryCount)
        for chunk in chunks {
            // Block-local term ids to global ids. Within a block, terms are numbered by first
            // appearance; taking them in that order keeps the global numbering by first appearance.
            let global = chunk.terms.map { term -> Int32 in
                if let id = termIDs[term] { return id }
                let id = Int32(terms.count)
                terms.append(term)
                termIDs[term] = id
                return id
            }
            for local in chunk.entryTerms { entryTerms.append(global[Int(local)]) }
            entryWeights += chunk.entryWeights
            entryFlags += chunk.entryFlags
            let base = entryStarts[entryStarts.count - 1]
            for start in chunk.entryStarts.dropFirst() { entryStarts.append(base + start) }
            lengths += chunk.lengths
        }
        let (starts, documents, weights, flags) = groupByTerm(
            termCount: terms.count, entryTerms: entryTerms, entryWeights: entryWeights, entryFlags: entryFlags,
            entryStarts: entryStarts)
        return SearchAnalysis(terms: terms, lengths: lengths, starts: starts, documents: documents, weights: weights,
                              flags: flags)
    }

    private init(terms: [String], lengths: [Int32], starts: [Int], documents: [Int32], weights: [Float], flags: [UInt8]) {
        self.terms = terms
        self.lengths = lengths
        self.starts = starts
        self.documents = documents
        self.weights = weights
        self.flags = flags
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
                && a.summary == b.summary && a.body == b.body
        }
    }

    /// Counts the terms of one document at a time, then appends them as entries (term, weight, flags).
    /// The term table lives as long as the counter (a worker's blocks); entries use block-local ids.
    private struct Counter {
        var table = TermTable()
        var weight: [Float] = [], flag: [UInt8] = [], touched: [Int32] = []
        /// Per table term id: its id in the current block + 1, or 0 when the block has not seen it.
        var local: [Int32] = []
        var blockTerms: [Int32] = []
        var length: Int32 = 0
        var entryTerms: [Int32] = [], entryWeights: [Float] = [], entryFlags: [UInt8] = [], entryStarts = [0]
        var lengths: [Int32] = []

        mutating func analyse(_ documents: ArraySlice<SearchDocument>) -> Chunk {
            for document in documents {
                add(document.title, weight: SearchAnalysis.titleWeight, flag: SearchAnalysis.inTitle, counts: false)
                for name in document.authorNames { add(name, weight: SearchAnalysis.authorWeight, flag: SearchAnalysis.inAuthor, counts: false) }
                for name in document.categoryNames { add(name, weight: SearchAnalysis.categoryWeight, flag: 0, counts: false) }
                let body = document.body
                if !document.summaryRepeats(body) { add(document.summary, weight: 1, flag: 0, counts: true) }
                add(body, weight: 1, flag: 0, counts: true)
                finishDocument()
            }
            let terms = table.terms
            let chunk = Chunk(terms: blockTerms.map { terms[Int($0)] }, lengths: lengths, entryTerms: entryTerms,
                              entryWeights: entryWeights, entryFlags: entryFlags, entryStarts: entryStarts)
            for id in blockTerms { local[Int(id)] = 0 }
            blockTerms.removeAll(keepingCapacity: true)
            entryTerms = []; entryWeights = []; entryFlags = []; entryStarts = [0]; lengths = []
            return chunk
        }

        mutating func add(_ text: String, weight w: Float, flag f: UInt8, counts: Bool) {
            SearchText.withWords(in: text) { words in
                while let (word, isASCII) = words.next() {
                    let id = table.id(word, isASCII: isASCII)
                    guard id >= 0 else { continue }
                    let term = Int(id)
                    if term >= weight.count {
                        let grow = term + 1 - weight.count
                        weight.append(contentsOf: repeatElement(0, count: grow))
                        flag.append(contentsOf: repeatElement(0, count: grow))
                        local.append(contentsOf: repeatElement(0, count: grow))
                    }
                    if weight[term] == 0 { touched.append(id) }
                    weight[term] += w
                    flag[term] |= f
                    if counts { length += 1 }
                }
            }
        }

        mutating func finishDocument() {
            for id in touched {
                let term = Int(id)
                if local[term] == 0 {
                    blockTerms.append(id)
                    local[term] = Int32(blockTerms.count)
                }
                entryTerms.append(local[term] - 1)
                entryWeights.append(weight[term])
                entryFlags.append(flag[term])
                weight[term] = 0
                flag[term] = 0
            }
            touched.removeAll(keepingCapacity: true)
            entryStarts.append(entryTerms.count)
            lengths.append(length)
            length = 0
        }
    }

    /// Counting sort of the per-document entries into per-term rows (documents stay in order).
    private static func groupByTerm(termCount: Int, entryTerms: [Int32], entryWeights: [Float], entryFlags: [UInt8],
                                    entryStarts: [Int]) -> ([Int], [Int32], [Float], [UInt8]) {
        var starts = [Int](repeating: 0, count: termCount + 1)
        for term in entryTerms { starts[Int(term) + 1] += 1 }
        for t in 0..<termCount { starts[t + 1] += starts[t] }
        var next = starts
        var documents = [Int32](repeating: 0, count: entryTerms.count)
        var weights = [Float](repeating: 0, count: entryTerms.count)
        var flags = [UInt8](repeating: 0, count: entryTerms.count)
        for document in 0..<(entryStarts.count - 1) {
            for entry in entryStarts[document]..<entryStarts[document + 1] {
                let term = Int(entryTerms[entry])
                let position = next[term]
                next[term] += 1
                documents[position] = Int32(document)
                weights[position] = entryWeights[entry]
                flags[position] = entryFlags[entry]
            }
        }
        return (starts, documents, weights, flags)
    }
}

/// Lets `concurrentPerform` workers fill distinct slots of one buffer.
private struct SendableSlots<Element>: @unchecked Sendable {
    let slots: UnsafeMutableBufferPointer<Element>
    init(_ slots: UnsafeMutableBufferPointer<Element>) { self.slots = slots }
}
