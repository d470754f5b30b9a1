import Foundation

/// How text becomes search terms. The browser does exactly the same to a query
/// (`layouts/assets/search.js`, `normalize`), so both sides must change together; the cases in
/// `.ci/browser/normalization-cases.tsv` are checked against both.
///
/// 1. Words are runs of letters, marks and digits; an apostrophe between two word characters is
///    dropped ("Korea's" → "Koreas"). Every Han, Hiragana and Katakana character is a word of its own
///    (those scripts do not separate words with spaces). Hangul words stay whole, as written.
/// 2. Case folding (Unicode lowercase), then diacritics folding: decompose, drop combining marks,
///    recompose (Séoul → seoul; Hangul syllables survive the round trip), plus ß→ss, æ→ae, œ→oe,
///    ø→o, đ→d, ł→l, ı→i.
/// 3. Stop words ("the", "of", …) and single ASCII characters are dropped.
/// 4. Words of ASCII letters get a light English stemming (`stem`).
public enum SearchText {
    static let stopWords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "he", "her",
        "his", "in", "is", "it", "its", "of", "on", "or", "she", "that", "the", "their", "they", "this",
        "to", "was", "were", "which", "will", "with",
    ]
    /// Longer words (URLs, hashes) are not indexed.
    static let maxWordLength = 40

    /// The search terms of `text`, in order, with repeats.
    public static func terms(in text: String) -> [String] {
        var terms: [String] = []
        forEachTerm(in: text) { terms.append($0) }
        return terms
    }

    /// The search term for one word, or nil when the word is not indexed (stop word, one letter).
    public static func term(_ word: String) -> String? {
        var result: String?
        forEachTerm(in: word) { if result == nil { result = $0 } }
        return result
    }

    /// Calls `body` with each term of `text` (the reference path; `TermTable` is the fast one).
    static func forEachTerm(in text: String, _ body: (String) -> Void) {
        forEachWord(in: text) { word, isASCII in
            if let term = term(ofWord: word, isASCII: isASCII) { body(term) }
        }
    }

    /// The term of one word as `forEachWord` yields it.
    static func term(ofWord word: UnsafeBufferPointer<UInt8>, isASCII: Bool) -> String? {
        if isASCII {
            var bytes = Array(word)
            return asciiTerm(&bytes)
        }
        return unicodeTerm(String(decoding: word, as: UTF8.self))
    }

    /// Splits text into words: calls `body` with each word's UTF-8 bytes (ASCII letters lowercased,
    /// apostrophes inside the word left out) and whether the word is all ASCII.
    static func forEachWord(in text: String, _ body: (UnsafeBufferPointer<UInt8>, Bool) -> Void) {
        withWords(in: text) { words in
            while let (word, isASCII) = words.next() { body(word, isASCII) }
        }
    }

    /// Runs `body` with a `WordScanner` over `text`.
    static func withWords<Result>(in text: String, _ body: (inout WordScanner) -> Result) -> Result {
        var text = text
        return text.withUTF8 { withWords(in: $0, body) }
    }

    /// The same over valid UTF-8 bytes (a body read back from the body store, never made a String).
    static func withWords<Result>(in bytes: UnsafeBufferPointer<UInt8>, _ body: (inout WordScanner) -> Result) -> Result {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: WordScanner.allocationSize) { buffer in
            var scanner = WordScanner(bytes: bytes, buffer: buffer)
            return body(&scanner)
        }
    }

    /// A lowercased ASCII word (letters and digits) → its term.
    static func asciiTerm(_ word: inout [UInt8]) -> String? {
        guard word.count > 1, word.count <= maxWordLength else { return nil }
        if word.count <= 5, stopWordBytes.contains(word) { return nil }
        stem(&word)
        return String(decoding: word, as: UTF8.self)
    }

    /// A word with non-ASCII characters → its term.
    static func unicodeTerm(_ word: String) -> String? {
        let folded = fold(word)
        if folded.unicodeScalars.allSatisfy({ $0.value < 128 }) {
            var bytes = Array(folded.utf8)
            return asciiTerm(&bytes)
        }
        guard folded.unicodeScalars.count <= maxWordLength else { return nil }
        return folded
    }

    /// Case and diacritics folding of one word (no stemming).
    public static func fold(_ word: String) -> String {
        if word.unicodeScalars.allSatisfy({ (0xAC00...0xD7A3).contains($0.value) }) { return word }  // Hangul syllables
        var folded = String.UnicodeScalarView()
        for scalar in word.lowercased().decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark: continue
            default: break
            }
            switch scalar {
            case "ß": folded.append(contentsOf: "ss".unicodeScalars)
            case "æ": folded.append(contentsOf: "ae".unicodeScalars)
            case "œ": folded.append(contentsOf: "oe".unicodeScalars)
            case "ø": folded.append("o")
            case "đ": folded.append("d")
            case "ł": folded.append("l")
            case "ı": folded.append("i")
            case "ς": folded.append("σ")
            default: folded.append(scalar)
            }
        }
        return String(folded).precomposedStringWithCanonicalMapping
    }

    /// Light English stemming of a word of ASCII lowercase letters (other words are left alone):
    /// 1. plurals: "-ies"/"-ied" → "-y" (policies, studied); else a final "s" goes unless the word
    ///    ends in "ss", "us" or "is" (sanctions → sanction, status stays);
    /// 2. "-ing", "-ed" go when at least three letters with a vowel remain, and a doubled final
    ///    consonant other than l, s, z is undoubled (stopped → stop);
    /// 3. "-ly" goes when at least five letters remain (recently → recent);
    /// 4. final "e"s go while more than three letters remain (trade → trad, agree → agr), so that
    ///    "trade", "trades", "traded" and "trading" all become "trad".
    public static func stem(_ word: String) -> String {
        var bytes = Array(word.utf8)
        stem(&bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func stem(_ w: inout [UInt8]) {
        guard w.count >= 4, w.allSatisfy({ $0 >= 97 && $0 <= 122 }) else { return }
        func ends(_ suffix: StaticString) -> Bool {
            let count = suffix.utf8CodeUnitCount
            guard w.count >= count else { return false }
            return suffix.withUTF8Buffer { w[(w.count - count)...].elementsEqual($0) }
        }
        // 1. Plurals.
        if w.count >= 5, ends("ies") || ends("ied") {
            w.removeLast(3)
            w.append(121)  // y
        } else if ends("s"), !ends("ss"), !ends("us"), !ends("is") {
            w.removeLast()
        }
        // 2. -ing, -ed.
        for suffix: StaticString in ["ing", "ed"] where ends(suffix) {
            let stemLength = w.count - suffix.utf8CodeUnitCount
            guard stemLength >= 3, w[..<stemLength].contains(where: isVowel) else { break }
            w.removeLast(suffix.utf8CodeUnitCount)
            if let last = w.last, w.count >= 2, w[w.count - 2] == last, !isVowel(last),
               last != 108, last != 115, last != 122 {  // l, s, z
                w.removeLast()
            }
            break
        }
        // 3. -ly.
        if w.count >= 7, ends("ly") { w.removeLast(2) }
        // 4. Final e.
        while w.count > 3, w.last == 101 { w.removeLast() }
    }

    static func isVowel(_ byte: UInt8) -> Bool {
        byte == 97 || byte == 101 || byte == 105 || byte == 111 || byte == 117 || byte == 121
    }

    static let stopWordBytes: Set<[UInt8]> = Set(stopWords.map { Array($0.utf8) })

    /// Letters, marks and digits (Unicode categories L, M, N).
    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    /// Han, Hiragana and Katakana: each character is a word.
    static func isIdeograph(_ value: UInt32) -> Bool {
        (0x3040...0x30FF).contains(value) || (0x3400...0x4DBF).contains(value) || (0x4E00...0x9FFF).contains(value)
            || (0xF900...0xFAFF).contains(value) || (0x20000...0x2FA1F).contains(value)
    }
}

/// The words of UTF-8 text, one at a time (the rules in `SearchText`). Works on bytes: the ASCII
/// letters and digits of most text never become `Character`s or `String`s. A word is copied into
/// `buffer` (ASCII lowercased, apostrophes left out); the result points into it until the next call.
///
/// Runs of ASCII letters and digits are taken 8 bytes at a time (`asciiRun`): one load classifies,
/// lowercases and copies up to 8 bytes, so a typical word costs one or two steps, not one per byte.
struct WordScanner {
    /// Bytes kept of one word; longer words are never indexed (more than `maxWordLength` scalars).
    static let bufferSize = 4 * SearchText.maxWordLength + 4
    /// Bytes to allocate for `buffer`: `bufferSize` plus room for one 8-byte store past its end.
    static let allocationSize = bufferSize + 8

    let bytes: UnsafeBufferPointer<UInt8>
    let buffer: UnsafeMutableBufferPointer<UInt8>
    private var position = 0

    /// `buffer` holds at least `allocationSize` bytes; the words use at most `bufferSize` of them.
    init(bytes: UnsafeBufferPointer<UInt8>, buffer: UnsafeMutableBufferPointer<UInt8>) {
        precondition(buffer.count >= Self.allocationSize)
        self.bytes = bytes
        self.buffer = buffer
    }

    /// Whether an ASCII byte is a letter or digit.
    @inline(__always) static func isASCIIWordByte(_ byte: UInt8) -> Bool {
        byte &- 48 < 10 || (byte | 0x20) &- 97 < 26
    }

    /// For 8 bytes of text (the first in the low byte): the bytes with ASCII letters lowercased, and
    /// how many of the first bytes are ASCII letters or digits (0...8). Each byte is classified by
    /// range tests on its low 7 bits that cannot carry into the next byte; bytes ≥ 0x80 never count.
    @inline(__always) static func asciiRun(_ x: UInt64) -> (lowered: UInt64, count: Int) {
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        let seven = x & ~high
        // The high bit of each byte of v + (0x80 - lo) is set when the byte is ≥ lo, that of
        // v + (0x7F - hi) when it is > hi.
        @inline(__always) func within(_ v: UInt64, _ lo: UInt64, _ hi: UInt64) -> UInt64 {
            ((v &+ (0x80 - lo) &* ones) & ~(v &+ (0x7F - hi) &* ones)) & high
        }
        let letter = within(seven | (0x20 &* ones), 0x61, 0x7A) & ~x
        let digit = within(seven, 0x30, 0x39) & ~x
        let stop = ~(letter | digit) & high
        return (x | letter >> 2, stop.trailingZeroBitCount >> 3)
    }

    private enum NonASCII {
        /// A Han, Hiragana or Katakana character: a word of its own.
        case ideograph(Int)
        /// A letter, mark or digit.
        case letter(Int)
        /// Anything else; `isApostrophe` for U+2019.
        case separator(Int, isApostrophe: Bool)
    }

    /// What the character at `position` (lead byte `byte`) is, and its size in bytes.
    @inline(never)
    private func nonASCII(_ byte: UInt8, text: UnsafePointer<UInt8>, count n: Int) -> NonASCII {
        let size = byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
        var value = UInt32(byte) & (size == 2 ? 0x1F : size == 3 ? 0x0F : 0x07)
        for k in 1..<size where position + k < n { value = value << 6 | UInt32(text[position + k] & 0x3F) }
        if SearchText.isIdeograph(value) { return .ideograph(size) }
        if let scalar = Unicode.Scalar(value), SearchText.isWordScalar(scalar) { return .letter(size) }
        return .separator(size, isApostrophe: value == 0x2019)
    }

    /// The next word and whether it is all ASCII, or nil at the end of the text.
    ///
    /// Inlined into the caller's loop for the common word: ASCII separators, a run of ASCII letters
    /// and digits taken 8 bytes at a time, then an ASCII separator other than an apostrophe. Any
    /// other case (an apostrophe, a non-ASCII character, the last 8 bytes of the text, a word longer
    /// than the buffer) goes to `nextInGeneral` from the word's first byte; the state there is the
    /// same as at the start of a call (no word begun), so the words are the same.
    @inline(__always)
    mutating func next() -> (UnsafeBufferPointer<UInt8>, Bool)? {
        let n = bytes.count
        guard let text = bytes.baseAddress else { return nil }
        let out = buffer.baseAddress!
        var start = position
        while start < n, text[start] < 0x80, !Self.isASCIIWordByte(text[start]) { start &+= 1 }
        var end = start, length = 0
        while end &+ 8 <= n {
            let (lowered, count) = Self.asciiRun(Bytes.word(at: text + end))
            guard length &+ count <= Self.bufferSize else { break }
            UnsafeMutableRawPointer(out + length).storeBytes(of: lowered.littleEndian, as: UInt64.self)
            length &+= count
            end &+= count
            if count < 8 {
                // The run ends at `end`: an ASCII separator ends the word unless it is an apostrophe.
                guard length > 0, text[end] < 0x80, text[end] != 39 else { break }
                position = end &+ 1
                return (UnsafeBufferPointer(start: out, count: length), true)
            }
        }
        position = start
        return nextInGeneral()
    }

    /// `next` for any text, one case at a time (see `next`).
    @inline(never)
    private mutating func nextInGeneral() -> (UnsafeBufferPointer<UInt8>, Bool)? {
        var length = 0, isASCII = true, apostrophe = false, overflow = false
        let n = bytes.count, capacity = Self.bufferSize
        guard let text = bytes.baseAddress else { return nil }
        let out = buffer.baseAddress!
        @inline(__always) func word() -> (UnsafeBufferPointer<UInt8>, Bool) {
            (UnsafeBufferPointer(start: out, count: length), isASCII)
        }
        while position < n {
            let byte = text[position]
            if byte < 0x80 {
                if Self.isASCIIWordByte(byte) {
                    // The common case: a run of ASCII letters and digits, 8 bytes at a time.
                    while position &+ 8 <= n {
                        let (lowered, count) = Self.asciiRun(Bytes.word(at: text + position))
                        if length &+ count <= capacity {
                            // All 8 bytes are stored; those past the run are overwritten or ignored.
                            UnsafeMutableRawPointer(out + length).storeBytes(of: lowered.littleEndian, as: UInt64.self)
                            length &+= count
                        } else {
                            overflow = true
                        }
                        position &+= count
                        if count < 8 { break }
                    }
                    // The last few bytes of the text, one at a time.
                    while position < n {
                        let byte = text[position]
                        guard byte < 0x80, Self.isASCIIWordByte(byte) else { break }
                        if length < capacity {
                            out[length] = byte &- 65 < 26 ? byte | 0x20 : byte
                            length += 1
                        } else {
                            overflow = true
                        }
                        position += 1
                    }
                    apostrophe = false
                    continue
                }
                position += 1
                if byte == 39, length > 0, !apostrophe {
                    apostrophe = true
                } else if length > 0 {
                    if !overflow { return word() }
                    length = 0; isASCII = true; apostrophe = false; overflow = false
                }
                continue
            }
            // Not ASCII: out of line, so that the ASCII path sets up no Unicode property lookups.
            switch nonASCII(byte, text: text, count: n) {
            case .ideograph(let size):
                if length > 0, !overflow { return word() }
                for k in 0..<size { out[k] = text[position + k] }
                position += size
                return (UnsafeBufferPointer(start: out, count: size), false)
            case .letter(let size):
                if length + size <= capacity {
                    for k in 0..<size { out[length + k] = text[position + k] }
                    length += size
                } else {
                    overflow = true
                }
                isASCII = false
                apostrophe = false
                position += size
            case .separator(let size, let isApostrophe):
                position += size
                if isApostrophe, length > 0, !apostrophe {
                    apostrophe = true
                } else if length > 0 {
                    if !overflow { return word() }
                    length = 0; isASCII = true; apostrophe = false; overflow = false
                }
            }
        }
        return length > 0 && !overflow ? word() : nil
    }
}
