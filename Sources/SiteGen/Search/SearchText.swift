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
