import Foundation

/// Maps words, as `SearchText.forEachWord` yields them, to term ids. Each distinct spelling is
/// normalized once (`SearchText.term(ofWord:isASCII:)`) and remembered, so the millions of words
/// of a large site cost one hash and one table probe each.
///
/// Open addressing with small slots (16 bytes, so that the table of a large site's vocabulary
/// stays in the core's cache while pages render on the other): a slot holds a spelling's first 8
/// bytes, its length and its term id, so a probe for a word of up to 8 bytes reads one slot; a
/// longer spelling keeps its bytes 8…15 and where the rest starts in `long`, the rest in `arena`.
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
        /// The term id, or -1 when the spelling is not indexed (a stop word).
        var term: Int32 = 0
        /// The spelling's length in bytes (low 8 bits; 0 for an empty slot, as words are never
        /// empty) and, for spellings of more than 8 bytes, their index in `long` (the bits above).
        var meta: UInt32 = 0
        var length: Int { Int(meta & 0xFF) }
    }

    private struct Long {
        var head1: UInt64
        /// Where the bytes past the first 16 start in `arena`.
        var restStart: Int32
        /// The low bits of the spelling's hash (for rehashing).
        var hash: UInt32
    }

    /// The term id of `word`, or -1 when it is not indexed.
    mutating func id(_ word: UnsafeBufferPointer<UInt8>, isASCII: Bool) -> Int32 {
        let count = word.count
        let (head0, head1) = Self.heads(word)
        let hash = Self.hash(head0, head1, count, word)
        let found = slots.withUnsafeBufferPointer { slots -> (term: Int32, slot: Int) in
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: hash) & mask
            while true {
                let entry = slots[slot]
                if entry.meta == 0 { return (0, slot) }
                if entry.head0 == head0, entry.length == count,
                   count <= 8 || longMatches(word, head1, Int(entry.meta >> 8)) {
                    return (entry.term, -1)
                }
                slot = (slot + 1) & mask
            }
        }
        if found.slot < 0 { return found.term }
        return insert(word, isASCII: isASCII, head: (head0, head1), hash: hash, slot: found.slot)
    }

    /// Whether the spelling `long[index]` has the bytes of `word` past its first 8.
    private func longMatches(_ word: UnsafeBufferPointer<UInt8>, _ head1: UInt64, _ index: Int) -> Bool {
        long.withUnsafeBufferPointer { long in
            guard long[index].head1 == head1 else { return false }
            guard word.count > 16 else { return true }
            return arena.withUnsafeBufferPointer { arena in
                memcmp(arena.baseAddress! + Int(long[index].restStart), word.baseAddress! + 16, word.count - 16) == 0
            }
        }
    }

    private mutating func insert(_ word: UnsafeBufferPointer<UInt8>, isASCII: Bool, head: (UInt64, UInt64),
                                 hash: UInt64, slot: Int) -> Int32 {
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
        var meta = UInt32(word.count)
        if word.count > 8 {
            precondition(long.count < 1 << 24, "too many distinct long words")
            meta |= UInt32(long.count) << 8
            long.append(Long(head1: head.1, restStart: Int32(arena.count), hash: UInt32(truncatingIfNeeded: hash)))
            if word.count > 16 { arena.append(contentsOf: word[16...]) }
        }
        slots[slot] = Slot(head0: head.0, term: id, meta: meta)
        used += 1
        if used * 2 > slots.count { rehash() }
        return id
    }

    /// The first 16 bytes of `word`, zero-padded, as two little-endian numbers. Loads whole words
    /// (overlapping for lengths that are not a multiple of 8) and never reads outside `word`.
    @inline(__always) static func heads(_ word: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
        let count = word.count
        guard count > 0, let base = word.baseAddress else { return (0, 0) }
        let raw = UnsafeRawPointer(base)
        @inline(__always) func load8(_ offset: Int) -> UInt64 {
            UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        }
        @inline(__always) func load4(_ offset: Int) -> UInt64 {
            UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        }
        if count >= 8 {
            let head1 = count >= 16 ? load8(8) : count > 8 ? load8(count - 8) >> (8 * UInt64(16 - count)) : 0
            return (load8(0), head1)
        }
        if count >= 4 { return (load4(0) | load4(count - 4) << (8 * UInt64(count - 4)), 0) }
        let middle = count >> 1
        return (UInt64(base[0]) | UInt64(base[middle]) << (8 * UInt64(middle))
                    | UInt64(base[count - 1]) << (8 * UInt64(count - 1)), 0)
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

    /// Doubles the slots and places every spelling again.
    private mutating func rehash() {
        let old = slots
        slots = [Slot](repeating: Slot(), count: old.count * 2)
        let mask = slots.count - 1
        slots.withUnsafeMutableBufferPointer { slots in
            for entry in old where entry.meta != 0 {
                let hash = entry.length > 8 ? UInt64(long[Int(entry.meta >> 8)].hash)
                    : Self.hash(entry.head0, 0, entry.length, UnsafeBufferPointer(start: nil, count: 0))
                var slot = Int(truncatingIfNeeded: hash) & mask
                while slots[slot].meta != 0 { slot = (slot + 1) & mask }
                slots[slot] = entry
            }
        }
    }
}
