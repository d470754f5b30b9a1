import Foundation

/// One article as the search index sees it: the text of each field, and what the results list shows.
public struct SearchDocument: Sendable, Equatable {
    public var title: String
    /// Root-relative link (base path included).
    public var url: String
    public var date: String
    public var dateISO: String
    public var year: Int
    /// Indices into the site's authors and categories (A–Z).
    public var authors: [Int]
    public var categories: [Int]
    public var authorNames: [String]
    public var categoryNames: [String]
    public var summary: String
    /// The article's plain text (read from the `BodyStore` each time when it was moved there).
    public var text: MarkdownBody
    public var body: String { text.plainText }

    /// A summary made from the first paragraph: the body already has its words.
    var summaryRepeatsBody: Bool { summaryRepeats(body) }

    /// `summaryRepeats` for a body read as bytes: compared as bytes when ASCII, else as a String.
    func summaryRepeats(bytes body: [UInt8]) -> Bool { Self.summaryRepeats(summary, bytes: body) }

    /// `summaryRepeatsBody` for a body already read.
    func summaryRepeats(_ body: String) -> Bool { Self.summaryRepeats(summary, body) }

    /// Whether `summary` (but a final "…") is the start of `body` (the plain text, or a start of it
    /// at least 256 bytes longer than the summary: `BodyTerms.keptPlainText`).
    static func summaryRepeats(_ summary: String, bytes body: [UInt8]) -> Bool {
        var summary = summary
        let ascii = summary.withUTF8 { s in body.withUnsafeBufferPointer { asciiSummaryRepeatsBody(s, $0) } }
        return ascii ?? summaryRepeats(summary, String(decoding: body, as: UTF8.self))
    }

    static func summaryRepeats(_ summary: String, _ body: String) -> Bool {
        if let answer = asciiSummaryRepeatsBody(summary, body) { return answer }
        let summary = summary.hasSuffix("…") ? String(summary.dropLast()) : summary
        return !summary.isEmpty && body.hasPrefix(summary)
    }

    /// `summaryRepeatsBody` by comparing bytes, when the summary (but a final "…") and the start of
    /// the body are ASCII; nil otherwise. For ASCII, equal `Character`s are equal bytes and every
    /// byte starts a `Character` except a line feed after a carriage return; "…" after ASCII is a
    /// `Character` of its own.
    static func asciiSummaryRepeatsBody(_ summary: String, _ body: String) -> Bool? {
        var summary = summary, body = body
        return summary.withUTF8 { s -> Bool? in body.withUTF8 { b -> Bool? in asciiSummaryRepeatsBody(s, b) } }
    }

    static func asciiSummaryRepeatsBody(_ s: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool? {
        var k = s.count
        if k >= 3, s[k - 3] == 0xE2, s[k - 2] == 0x80, s[k - 1] == 0xA6 { k -= 3 }  // "…"
        guard k > 0 else { return false }
        for i in 0..<k where s[i] >= 0x80 { return nil }
        for i in 0..<min(k + 1, b.count) where b[i] >= 0x80 { return nil }
        guard b.count >= k, memcmp(s.baseAddress!, b.baseAddress!, k) == 0 else { return false }
        return !(b.count > k && s[k - 1] == 0x0D && b[k] == 0x0A)
    }

    public init(title: String, url: String, date: String = "", dateISO: String = "", year: Int = 2000,
                authors: [Int] = [], categories: [Int] = [], authorNames: [String] = [],
                categoryNames: [String] = [], summary: String = "", body: String = "") {
        self.title = title
        self.url = url
        self.date = date
        self.dateISO = dateISO
        self.year = year
        self.authors = authors
        self.categories = categories
        self.authorNames = authorNames
        self.categoryNames = categoryNames
        self.summary = summary
        self.text = MarkdownBody(html: "", plainText: body)
    }
}

/// The inverted index of a site's articles: each term with the documents it occurs in and a
/// precomputed relevance score per document, so the browser only adds numbers.
///
/// The score of a term in a document is BM25 (k1 = 1.2, b = 0.75) over a weighted term frequency
/// (title ×3, authors ×2, categories ×2, summary and body ×1) and the length of summary and body,
/// plus a boost of 1.5 × idf when the term is in the title and 1 × idf when it names an author.
/// Scores are stored in 6 bits on a log scale (`quantize`). Document ids are positions in
/// the documents array. The postings are kept as the text the shards hold (`PostingCodec`).
public struct SearchIndex: Sendable {
    public struct Posting: Sendable, Equatable {
        public var document: Int32
        /// 1…63, see `SearchIndex.quantize`.
        public var score: UInt8
    }

    /// Sorted by UTF-16 code units, the order of JavaScript string comparison.
    public var terms: [String]
    /// The postings of every term as the shards hold them (`PostingCodec` text), one term after
    /// another: term i's are `postingText[postingStarts[i]..<postingStarts[i + 1]]`. About two
    /// bytes a posting, where decoded ones take eight.
    public var postingText: [UInt8]
    public var postingStarts: [Int]
    public var documentCount: Int
    /// The largest score: it quantizes to 63.
    public var maxScore: Double

    static let k1 = 1.2, b = 0.75
    static let titleBoost = 1.5, authorBoost = 1.0
    static let levels = 63.0

    /// Builds the index of `documents` (document id = position in the array).
    public static func build(_ documents: [SearchDocument]) -> SearchIndex {
        build(SearchAnalysis(documents))
    }

    /// The same, reusing (and keeping) the analysis of unchanged blocks of documents in `memo`.
    static func build(_ documents: [SearchDocument], memo: SearchAnalysis.Memo?) -> SearchIndex {
        build(SearchAnalysis(documents, memo: memo))
    }

    /// Reads the analysis three times rather than regrouping it by term: to count each term's
    /// documents and the length of its postings text, to find the largest score, and to write the
    /// text. Scores are computed twice instead of being kept, so the largest memory is the
    /// analysis plus the text.
    static func build(_ analysis: SearchAnalysis) -> SearchIndex {
        let termCount = analysis.terms.count
        let count = Double(analysis.lengths.count)
        let averageLength = max(1, Double(analysis.lengths.reduce(0) { $0 + Int($1) }) / max(count, 1))
        let norms = analysis.lengths.map { k1 * (1 - b + b * Double($0) / averageLength) }
        var frequencies = [Int](repeating: 0, count: termCount)
        var textLengths = [Int](repeating: 0, count: termCount)
        var previous = [Int](repeating: -1, count: termCount)
        frequencies.withUnsafeMutableBufferPointer { frequencies in
            textLengths.withUnsafeMutableBufferPointer { textLengths in
                previous.withUnsafeMutableBufferPointer { previous in
                    analysis.forEachEntry { document, term, _, _ in
                        frequencies[term] += 1
                        textLengths[term] += PostingCodec.length(document - previous[term] - 1) + 1
                        previous[term] = document
                    }
                }
            }
        }
        let idfs = frequencies.map { documents -> Double in
            let frequency = Double(documents)
            return log(1 + (count - frequency + 0.5) / (frequency + 0.5))
        }
        @inline(__always) func score(_ document: Int, _ term: Int, _ weight: Int, _ flags: UInt8) -> Double {
            let idf = idfs[term], tf = Double(weight)
            var score = idf * tf * (k1 + 1) / (tf + norms[document])
            if flags & SearchAnalysis.inTitle != 0 { score += titleBoost * idf }
            if flags & SearchAnalysis.inAuthor != 0 { score += authorBoost * idf }
            return score
        }
        var maxScore = 0.0
        analysis.forEachEntry { document, term, weight, flags in
            maxScore = max(maxScore, score(document, term, weight, flags))
        }
        let order = browserOrder(analysis.terms)
        var starts = [Int](repeating: 0, count: termCount + 1)
        var next = [Int](repeating: 0, count: termCount)  // per term id: where its next posting goes
        for (position, term) in order.enumerated() {
            next[term] = starts[position]
            starts[position + 1] = starts[position] + textLengths[term]
        }
        let total = starts[termCount], quantizer = Quantizer(logMax: log1p(maxScore))
        let text = [UInt8](unsafeUninitializedCapacity: total) { text, initialized in
            next.withUnsafeMutableBufferPointer { next in
                previous.withUnsafeMutableBufferPointer { previous in
                    previous.update(repeating: -1)
                    analysis.forEachEntry { document, term, weight, flags in
                        var at = next[term]
                        at += PostingCodec.write(document - previous[term] - 1, into: text, at: at)
                        text[at] = PostingCodec.digits[Int(quantizer.level(score(document, term, weight, flags)))]
                        next[term] = at + 1
                        previous[term] = document
                    }
                }
            }
            initialized = total
        }
        return SearchIndex(terms: order.map { analysis.terms[$0] }, postingText: text, postingStarts: starts,
                           documentCount: analysis.lengths.count, maxScore: maxScore)
    }

    /// The positions of `terms` sorted by UTF-16 code units (the browser's string order). That is
    /// the order of their UTF-8 bytes unless a term has a character U+E000…U+FFFF (UTF-8 lead
    /// bytes 0xEE, 0xEF; UTF-16 puts them after the surrogates of U+10000 and up): the bytes of all
    /// terms are compared in one buffer then, and UTF-16 views only when such a character is there.
    static func browserOrder(_ terms: [String]) -> [Int] {
        var bytes: [UInt8] = [], starts: [Int] = [0]
        bytes.reserveCapacity(terms.count * 8)
        starts.reserveCapacity(terms.count + 1)
        var byteOrder = true
        for term in terms {
            for byte in term.utf8 {
                if byte == 0xEE || byte == 0xEF { byteOrder = false }
                bytes.append(byte)
            }
            starts.append(bytes.count)
        }
        guard byteOrder else {
            return terms.indices.sorted { terms[$0].utf16.lexicographicallyPrecedes(terms[$1].utf16) }
        }
        return bytes.withUnsafeBufferPointer { bytes in
            starts.withUnsafeBufferPointer { starts in
                let base = bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!
                return terms.indices.sorted { a, b in
                    let aStart = starts[a], aCount = starts[a + 1] - aStart
                    let bStart = starts[b], bCount = starts[b + 1] - bStart
                    let order = memcmp(base + aStart, base + bStart, min(aCount, bCount))
                    return order != 0 ? order < 0 : aCount < bCount
                }
            }
        }
    }

    /// `quantize` for many scores with the same `logMax`, without a logarithm each (log1p and the
    /// rounding were ~1% of a 10k build): the scores where the level changes are worked out once, a
    /// score's level is found among them by bisection, and a score within a hair of one of them (where
    /// the two ways of computing could round differently) takes the exact formula. Same results.
    struct Quantizer {
        let logMax: Double
        /// `bounds[k]`: about the smallest score whose level is above `k + 1` (levels 1…63).
        private let bounds: [Double]

        init(logMax: Double) {
            self.logMax = logMax
            bounds = (1..<Int(SearchIndex.levels)).map { expm1((Double($0) + 0.5) / SearchIndex.levels * logMax) }
        }

        @inline(__always) func level(_ score: Double) -> UInt8 {
            guard logMax > 0, score > 0, logMax.isFinite, score.isFinite else { return quantize(score, logMax: logMax) }
            var low = 0, high = bounds.count  // the level is 1 + the number of bounds <= score
            bounds.withUnsafeBufferPointer { bounds in
                while low < high {
                    let middle = (low + high) >> 1
                    if bounds[middle] <= score { low = middle + 1 } else { high = middle }
                }
                // Near a bound the exact formula decides (its rounding and expm1's may disagree there).
                let near = { (index: Int) -> Bool in
                    index >= 0 && index < bounds.count && abs(bounds[index] - score) <= 1e-9 * bounds[index]
                }
                if near(low - 1) || near(low) { low = -1 }
            }
            return low < 0 ? quantize(score, logMax: logMax) : UInt8(low + 1)
        }
    }

    /// 1…63 on a log scale: `q = round(63 × ln(1 + score) / ln(1 + max))`, at least 1. The browser
    /// turns it back with `exp(q / 63 × ln(1 + max)) − 1`. Steps are about 6% of the score.
    public static func quantize(_ score: Double, max: Double) -> UInt8 {
        quantize(score, logMax: log1p(max))
    }

    /// `quantize` with `log1p(max)` worked out once for all scores.
    @inline(__always) static func quantize(_ score: Double, logMax: Double) -> UInt8 {
        guard logMax > 0, score > 0 else { return 1 }
        let level = (levels * log1p(score) / logMax).rounded()
        return UInt8(Swift.max(1, Swift.min(levels, level)))
    }

    public static func dequantize(_ level: UInt8, max: Double) -> Double {
        exp(Double(level) / levels * log1p(max)) - 1
    }

    /// The postings text of the term at `position` in `terms`.
    public func postingText(at position: Int) -> ArraySlice<UInt8> {
        postingText[postingStarts[position]..<postingStarts[position + 1]]
    }

    /// Every term's postings, decoded (for tests: a large site's take four times the memory of the text).
    public var postings: [[Posting]] {
        terms.indices.map { PostingCodec.decode(postingText(at: $0)) }
    }

    /// The postings of `term`, if it is in the index.
    public func postings(of term: String) -> [Posting]? {
        var low = 0, high = terms.count
        while low < high {
            let middle = (low + high) / 2
            if terms[middle].utf16.lexicographicallyPrecedes(term.utf16) { low = middle + 1 } else { high = middle }
        }
        return low < terms.count && terms[low] == term ? PostingCodec.decode(postingText(at: low)) : nil
    }
}
