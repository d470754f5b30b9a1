import Foundation

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
    /// `encoded[i]`: the postings string of term i.
    public var encoded: [String]

    public static let defaultTargetBytes = 16_000

    public init(_ index: SearchIndex, targetBytes: Int = defaultTargetBytes) {
        encoded = index.postings.map(PostingCodec.encode)
        var ranges: [Range<Int>] = []
        var start = 0, bytes = 0
        for (term, postings) in zip(index.terms.indices, encoded) {
            let size = index.terms[term].utf8.count + postings.utf8.count + 6
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
        text.reserveCapacity(range.reduce(64) { $0 + encoded[$1].utf8.count + index.terms[$1].utf8.count + 6 })
        for term in range {
            if term > range.lowerBound { text += "," }
            text += JSONText.quoted(index.terms[term])
        }
        text += "],\"p\":["
        for term in range {
            if term > range.lowerBound { text += "," }
            text += "\""
            text += encoded[term]  // only PostingCodec digits: nothing to escape
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
        let high = value >> 6
        if high > 0 {
            var shift = (Int.bitWidth - high.leadingZeroBitCount - 1) / 4 * 4
            while shift >= 0 {
                out.append(continuation[(high >> shift) & 15])
                shift -= 4
            }
        }
        out.append(digits[value & 63])
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
        var postings: [SearchIndex.Posting] = []
        var high = 0, previous: Int32 = -1, pendingDocument: Int32?
        for byte in text.utf8 {
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
        var needsEscaping = false
        for byte in text.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x3C || byte == 0x3E
            || byte == 0x26 || byte == 0xE2 {
            needsEscaping = true
            break
        }
        guard needsEscaping else { return "\"" + text + "\"" }
        var out = "\""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    out += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
