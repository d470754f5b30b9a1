import Foundation

/// Maps words, as `SearchText.forEachWord` yields them, to term ids. Each distinct spelling is
/// normalized once (`SearchText.term(ofWord:isASCII:)`) and remembered, so the millions of words
/// of a large site cost one hash and one table probe each.
///
/// Open addressing with small slots (24 bytes): a slot holds a spelling's first 16 bytes, its
/// length and its term id, so a probe for a word of up to 16 bytes (nearly all) reads one slot and
/// compares it without branching on the word's length; a longer spelling keeps where the rest
/// starts in `long`, the rest in `arena`. (With 16-byte slots, bytes 8…15 lived in `long`: words
/// of 9…16 bytes took a second lookup and branches that went either way with each word's length.)
struct TermTable {
    /// The terms, by id (in order of first appearance).
    private(set) var terms: [String] = []
    private var termIDs: [String: Int32] = [:]
    private var slots = [Slot](repeating: Slot(), count: 1 << 14)
    private var used = 0
    private var long: [Long] = []
    private var arena: [UInt8] = []

    private struct Slot {
        var head0: UInt64 = 0
        var head1: UInt64 = 0
        /// The term id, or -1 when the spelling is not indexed (a stop word).
        var term: Int32 = 0
        /// The spelling's length in bytes (low 8 bits; 0 for an empty slot, as words are never
        /// empty) and, for spellings of more than 16 bytes, their index in `long` (the bits above).
        var meta: UInt32 = 0
        var length: Int { Int(meta & 0xFF) }
    }

    private struct Long {
        /// Where the bytes past the first 16 start in `arena`.
        var restStart: Int32
        /// The low bits of the spelling's hash (for rehashing).
        var hash: UInt32
    }

    /// The term id of `word`, or -1 when it is not indexed. `word` is one a `WordScanner` yields:
    /// at the start of its buffer, so that 16 bytes can be read from it, and zero past its end up
    /// to 16 bytes (`scannedHeads`). Inlined into the word loop (a known spelling costs a hash, a
    /// probe and a compare); new spellings and spellings past 16 bytes are handled out of line.
    @inline(__always)
    mutating func id(_ word: UnsafeBufferPointer<UInt8>, isASCII: Bool) -> Int32 {
        let count = word.count
        let (head0, head1) = Self.scannedHeads(word)
        let hash = Self.hash(head0, head1, count, word)
        let found = slots.withUnsafeBufferPointer { slots -> (term: Int32, slot: Int) in
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: hash) & mask
            while true {
                let entry = slots[slot]
                if entry.meta == 0 { return (0, slot) }
                // One test for heads and length (the length is below 256: `meta`'s low byte).
                if (entry.head0 ^ head0) | (entry.head1 ^ head1) | UInt64(entry.meta & 0xFF ^ UInt32(truncatingIfNeeded: count)) == 0,
                   count <= 16 || restMatches(word, Int(entry.meta >> 8)) {
                    return (entry.term, -1)
                }
                slot = (slot + 1) & mask
            }
        }
        if found.slot < 0 { return found.term }
        return insert(word, isASCII: isASCII, head: (head0, head1), hash: hash, slot: found.slot)
    }

    /// Whether the spelling `long[index]` has the bytes of `word` past its first 16.
    @inline(never)
    private func restMatches(_ word: UnsafeBufferPointer<UInt8>, _ index: Int) -> Bool {
        arena.withUnsafeBufferPointer { arena in
            memcmp(arena.baseAddress! + Int(long[index].restStart), word.baseAddress! + 16, word.count - 16) == 0
        }
    }

    @inline(never)
    private mutating func insert(_ word: UnsafeBufferPointer<UInt8>, isASCII: Bool, head: (UInt64, UInt64),
                                 hash: UInt64, slot: Int) -> Int32 {
        var id: Int32 = -1
        if let term = SearchText.term(ofWord: word, isASCII: isASCII) { id = self.id(ofTerm: term) }
        var meta = UInt32(word.count)
        if word.count > 16 {
            precondition(long.count < 1 << 24, "too many distinct long words")
            meta |= UInt32(long.count) << 8
            long.append(Long(restStart: Int32(arena.count), hash: UInt32(truncatingIfNeeded: hash)))
            arena.append(contentsOf: word[16...])
        }
        slots[slot] = Slot(head0: head.0, head1: head.1, term: id, meta: meta)
        used += 1
        if used * 2 > slots.count { rehash() }
        return id
    }

    /// The first 16 bytes of `word`, zero-padded, as two little-endian numbers, for a word a
    /// `WordScanner` yields: at the start of its buffer (which has `WordScanner.allocationSize`
    /// bytes), with zeros after it up to 16 bytes (`WordScanner.next`). So two 8-byte loads at
    /// offsets 0 and 8, not masked (masking by the length was 13 instructions a word, on the way
    /// from the word to its slot). The scanner stored the word 8 bytes at a time at those
    /// offsets, so each load is served from one store.
    @inline(__always) static func scannedHeads(_ word: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
        let raw = UnsafeRawPointer(word.baseAddress.unsafelyUnwrapped)
        let first = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        let second = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        assert(isZeroPadded(word), "not a word from a WordScanner")
        return (first, second)
    }

    /// Whether the bytes after `word` are zero up to 16 (for `assert`: debug builds only).
    static func isZeroPadded(_ word: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = word.baseAddress else { return false }
        return (word.count..<max(word.count, 16)).allSatisfy { base[$0] == 0 }
    }

    /// One 64 × 64 → 128-bit multiply of the heads (folded), then the bytes past 16, if any.
    @inline(__always) private static func hash(_ head0: UInt64, _ head1: UInt64, _ length: Int,
                                               _ word: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let product = (head0 ^ 0x9E37_79B9_7F4A_7C15).multipliedFullWidth(
            by: head1 ^ 0xC2B2_AE3D_27D4_EB4F ^ UInt64(truncatingIfNeeded: length) << 56)
        var hash = product.high ^ product.low
        if length > 16 {
            for byte in word[16...] { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
            hash ^= hash >> 29
        }
        return hash
    }

    /// The id of `term` (a term, not a spelling: `SearchText.term(ofWord:isASCII:)` made it), added
    /// when new: for a new spelling (`insert`), and for terms counted elsewhere (`BodyTerms`), whose
    /// spellings met later find the same id.
    mutating func id(ofTerm term: String) -> Int32 {
        if let known = termIDs[term] { return known }
        let id = Int32(terms.count)
        terms.append(term)
        termIDs[term] = id
        return id
    }

    /// Doubles the slots and places every spelling again.
    private mutating func rehash() {
        let old = slots
        slots = [Slot](repeating: Slot(), count: old.count * 2)
        let mask = slots.count - 1
        slots.withUnsafeMutableBufferPointer { slots in
            for entry in old where entry.meta != 0 {
                let hash = entry.length > 16 ? UInt64(long[Int(entry.meta >> 8)].hash)
                    : Self.hash(entry.head0, entry.head1, entry.length, UnsafeBufferPointer(start: nil, count: 0))
                var slot = Int(truncatingIfNeeded: hash) & mask
                while slots[slot].meta != 0 { slot = (slot + 1) & mask }
                slots[slot] = entry
            }
        }
    }
}
