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
struct SearchAnalysis {
    static let titleWeight: Float = 3, authorWeight: Float = 2, categoryWeight: Float = 2
    static let inTitle: UInt8 = 1, inAuthor: UInt8 = 2

    var terms: [String]
    var lengths: [Int32]
    /// Postings of term t: `starts[t]..<starts[t + 1]` in the arrays below, by document.
    var starts: [Int]
    var documents: [Int32]
    var weights: [Float]
    var flags: [UInt8]

    init(_ documents: [SearchDocument]) {
        var counter = Counter()
        for document in documents {
            counter.add(document.title, weight: Self.titleWeight, flag: Self.inTitle, counts: false)
            for name in document.authorNames { counter.add(name, weight: Self.authorWeight, flag: Self.inAuthor, counts: false) }
            for name in document.categoryNames { counter.add(name, weight: Self.categoryWeight, flag: 0, counts: false) }
            if !document.summaryRepeatsBody { counter.add(document.summary, weight: 1, flag: 0, counts: true) }
            counter.add(document.body, weight: 1, flag: 0, counts: true)
            counter.finishDocument()
        }
        terms = counter.table.terms
        lengths = counter.lengths
        (starts, self.documents, weights, flags) = Self.groupByTerm(
            termCount: terms.count, entryTerms: counter.entryTerms, entryWeights: counter.entryWeights,
            entryFlags: counter.entryFlags, entryStarts: counter.entryStarts)
    }

    /// Counts the terms of one document at a time, then appends them as entries (term, weight, flags).
    private struct Counter {
        var table = TermTable()
        var weight: [Float] = [], flag: [UInt8] = [], touched: [Int32] = []
        var length: Int32 = 0
        var entryTerms: [Int32] = [], entryWeights: [Float] = [], entryFlags: [UInt8] = [], entryStarts = [0]
        var lengths: [Int32] = []

        mutating func add(_ text: String, weight w: Float, flag f: UInt8, counts: Bool) {
            SearchText.withWords(in: text) { words in
                while let (word, isASCII) = words.next() {
                    let id = table.id(word, isASCII: isASCII)
                    guard id >= 0 else { continue }
                    let term = Int(id)
                    if term >= weight.count {
                        weight.append(contentsOf: repeatElement(0, count: term + 1 - weight.count))
                        flag.append(contentsOf: repeatElement(0, count: term + 1 - flag.count))
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
                entryTerms.append(id)
                entryWeights.append(weight[Int(id)])
                entryFlags.append(flag[Int(id)])
                weight[Int(id)] = 0
                flag[Int(id)] = 0
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
