import Foundation
import CSiteGenSupport

/// The index split into files the browser fetches one at a time: each shard holds a run of
/// consecutive terms (in the browser's string order) with their postings, about `targetBytes`
/// each; a term whose postings alone are larger gets a shard of its own. The manifest lists the
/// first term of every shard, so a term, or every term with a prefix, maps to its shards.
///
/// Shard file: `{"t":["term",…],"p":["postings",…]}`. A postings string is, per document in id
/// order, the gap to the previous id minus one (the first: the id) as a `PostingCodec` number,
/// then the score as one digit.
public struct SearchShards: Sendable {
    /// Ranges of term indices, in order, covering every term.
    public var ranges: [Range<Int>]

    public static let defaultTargetBytes = 16_000

    public init(_ index: SearchIndex, targetBytes: Int = defaultTargetBytes) {
        var ranges: [Range<Int>] = []
        var start = 0, bytes = 0
        for term in index.terms.indices {
            let size = index.terms[term].utf8.count + index.postingText(at: term).count + 6
            if term > start, bytes + size > targetBytes {
                ranges.append(start..<term)
                start = term
                bytes = 0
            }
            bytes += size
        }
        if start < index.terms.count || ranges.isEmpty { ranges.append(start..<index.terms.count) }
        self.ranges = ranges
    }

    /// The first term of each shard ("" for an empty index).
    public func firstTerms(_ index: SearchIndex) -> [String] {
        ranges.map { $0.isEmpty ? "" : index.terms[$0.lowerBound] }
    }

    /// The shard that holds `term` if the index has it: the last shard whose first term is not after it.
    public static func shard(for term: String, firstTerms: [String]) -> Int {
        var low = 0, high = firstTerms.count
        while low < high {
            let middle = (low + high) / 2
            if term.utf16.lexicographicallyPrecedes(firstTerms[middle].utf16) { high = middle } else { low = middle + 1 }
        }
        return max(0, low - 1)
    }

    /// The JSON text of shard `number`.
    public func json(_ number: Int, index: SearchIndex) -> String {
        let range = ranges[number]
        var text = "{\"t\":["
        text.reserveCapacity(range.reduce(64) { $0 + index.postingText(at: $1).count + index.terms[$1].utf8.count + 6 })
        for term in range {
            if term > range.lowerBound { text += "," }
            text += JSONText.quoted(index.terms[term])
        }
        text += "],\"p\":["
        for term in range {
            if term > range.lowerBound { text += "," }
            text += "\""
            text += String(decoding: index.postingText(at: term), as: UTF8.self)  // only PostingCodec digits: nothing to escape
            text += "\""
        }
        return text + "]}\n"
    }
}

/// Numbers as short JSON-safe text. A number is written as base-16 "high" digits from
/// `continuation` (none when it is below 64) followed by one base-64 digit from `digits`;
/// so 0…63 take one character, up to 1,023 two, up to 16,383 three.
public enum PostingCodec {
    public static let digits = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_".utf8)
    public static let continuation = Array("!#$%()*+,./:;=?@".utf8)

    public static func append(_ value: Int, to out: inout [UInt8]) {
        forEachCharacter(of: value) { out.append($0) }
    }

    /// Writes `value` at `start` in `out`; returns the number of characters, `length(value)`.
    @inline(__always)
    static func write(_ value: Int, into out: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        var at = start
        forEachCharacter(of: value) { character in
            out[at] = character
            at += 1
        }
        return at - start
    }

    /// The number of characters of `value`.
    @inline(__always) static func length(_ value: Int) -> Int {
        let high = value >> 6
        return high > 0 ? 1 + (Int.bitWidth - high.leadingZeroBitCount + 3) / 4 : 1
    }

    @inline(__always) private static func forEachCharacter(of value: Int, _ body: (UInt8) -> Void) {
        let high = value >> 6
        if high > 0 {
            var shift = (Int.bitWidth - high.leadingZeroBitCount - 1) / 4 * 4
            while shift >= 0 {
                body(continuation[(high >> shift) & 15])
                shift -= 4
            }
        }
        body(digits[value & 63])
    }

    public static func encode(_ postings: [SearchIndex.Posting]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(postings.count * 2 + 4)
        var previous: Int32 = -1
        for posting in postings {
            append(Int(posting.document - previous - 1), to: &out)
            out.append(digits[Int(posting.score)])
            previous = posting.document
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The inverse of `encode` (what the browser does).
    public static func decode(_ text: String) -> [SearchIndex.Posting] {
        decode(text.utf8)
    }

    static func decode(_ text: some Sequence<UInt8>) -> [SearchIndex.Posting] {
        var postings: [SearchIndex.Posting] = []
        var high = 0, previous: Int32 = -1, pendingDocument: Int32?
        for byte in text {
            if let digit = continuation.firstIndex(of: byte) {
                high = high * 16 + digit
            } else if let value = digits.firstIndex(of: byte) {
                if let document = pendingDocument {
                    postings.append(.init(document: document, score: UInt8(value)))
                    previous = document
                    pendingDocument = nil
                } else {
                    pendingDocument = previous + 1 + Int32(high * 64 + value)
                    high = 0
                }
            }
        }
        return postings
    }
}

/// JSON string literals. Besides what JSON requires, `<`, `>`, `&` and U+2028/2029 are escaped, so
/// the text stays inert even if a file is ever embedded in or sniffed as HTML.
public enum JSONText {
    public static func quoted(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            if cleanEnd(bytes, from: 0) == bytes.count { return "\"" + String(decoding: bytes, as: UTF8.self) + "\"" }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 32)
            append(bytes: bytes, to: &out)
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// `quoted(text)` appended to `out` as UTF-8.
    static func append(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { append(bytes: $0, to: &out) }
    }

    /// `quoted` of the valid UTF-8 `bytes` appended to `out`.
    static func append(bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(0x22)
        var i = 0
        while i < bytes.count {
            let end = cleanEnd(bytes, from: i)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<end]))
            guard end < bytes.count else { break }
            i = end + escape(bytes, end, into: &out)
        }
        out.append(0x22)
    }

    /// Where the run of bytes from `start` that need no escape ends (the first byte that does, or the
    /// end). Clean runs are found 16 bytes at a time (C, SSE2); a 0xE2 that starts another character
    /// than U+2028 or U+2029 is clean too, and the run goes on after it.
    private static func cleanEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        var end = start
        while end < bytes.count {
            end += sitegen_json_clean_run(base + end, bytes.count - end)
            if end >= bytes.count || needsEscape(bytes, end) { break }
            end += 1
        }
        return end
    }

    private static func needsEscape(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        let byte = bytes[i]
        switch byte {
        case 0..<0x20, 0x22, 0x5C, 0x3C, 0x3E, 0x26: return true
        case 0xE2: return i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9)
        default: return false
        }
    }

    private static let hex = Array("0123456789abcdef".utf8)

    /// Appends the escape of the character at `i`; returns how many bytes it took.
    private static func escape(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int, into out: inout [UInt8]) -> Int {
        func unicode(_ value: Int) {
            out.append(contentsOf: [0x5C, 0x75, hex[value >> 12 & 15], hex[value >> 8 & 15], hex[value >> 4 & 15], hex[value & 15]])
        }
        switch bytes[i] {
        case 0x22: out += [0x5C, 0x22]
        case 0x5C: out += [0x5C, 0x5C]
        case 0x0A: out += [0x5C, 0x6E]
        case 0x0D: out += [0x5C, 0x72]
        case 0x09: out += [0x5C, 0x74]
        case 0xE2:
            unicode(bytes[i + 2] == 0xA8 ? 0x2028 : 0x2029)  // LINE / PARAGRAPH SEPARATOR
            return 3
        default: unicode(Int(bytes[i]))
        }
        return 1
    }
}
