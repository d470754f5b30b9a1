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

    /// `summaryRepeatsBody` for a body already read.
    func summaryRepeats(_ body: String) -> Bool {
        let summary = self.summary.hasSuffix("…") ? String(self.summary.dropLast()) : self.summary
        return !summary.isEmpty && body.hasPrefix(summary)
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
/// the documents array.
public struct SearchIndex: Sendable {
    public struct Posting: Sendable, Equatable {
        public var document: Int32
        /// 1…63, see `SearchIndex.quantize`.
        public var score: UInt8
    }

    /// Sorted by UTF-16 code units, the order of JavaScript string comparison.
    public var terms: [String]
    /// `postings[i]` belongs to `terms[i]`, ordered by document.
    public var postings: [[Posting]]
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

    static func build(_ analysis: SearchAnalysis) -> SearchIndex {
        let count = Double(analysis.lengths.count)
        let averageLength = max(1, Double(analysis.lengths.reduce(0) { $0 + Int($1) }) / max(count, 1))
        let norms = analysis.lengths.map { k1 * (1 - b + b * Double($0) / averageLength) }
        let order = analysis.terms.indices.sorted {
            analysis.terms[$0].utf16.lexicographicallyPrecedes(analysis.terms[$1].utf16)
        }
        var scores = [Double](repeating: 0, count: analysis.documents.count)
        var maxScore = 0.0
        for term in analysis.terms.indices {
            let range = analysis.starts[term]..<analysis.starts[term + 1]
            let frequency = Double(range.count)
            let idf = log(1 + (count - frequency + 0.5) / (frequency + 0.5))
            for entry in range {
                let tf = Double(analysis.weights[entry])
                var score = idf * tf * (k1 + 1) / (tf + norms[Int(analysis.documents[entry])])
                if analysis.flags[entry] & SearchAnalysis.inTitle != 0 { score += titleBoost * idf }
                if analysis.flags[entry] & SearchAnalysis.inAuthor != 0 { score += authorBoost * idf }
                scores[entry] = score
                maxScore = max(maxScore, score)
            }
        }
        let postings = order.map { term in
            (analysis.starts[term]..<analysis.starts[term + 1]).map { entry in
                Posting(document: analysis.documents[entry], score: quantize(scores[entry], max: maxScore))
            }
        }
        return SearchIndex(terms: order.map { analysis.terms[$0] }, postings: postings,
                           documentCount: analysis.lengths.count, maxScore: maxScore)
    }

    /// 1…63 on a log scale: `q = round(63 × ln(1 + score) / ln(1 + max))`, at least 1. The browser
    /// turns it back with `exp(q / 63 × ln(1 + max)) − 1`. Steps are about 6% of the score.
    public static func quantize(_ score: Double, max: Double) -> UInt8 {
        guard max > 0, score > 0 else { return 1 }
        let level = (levels * log1p(score) / log1p(max)).rounded()
        return UInt8(Swift.max(1, Swift.min(levels, level)))
    }

    public static func dequantize(_ level: UInt8, max: Double) -> Double {
        exp(Double(level) / levels * log1p(max)) - 1
    }

    /// The postings of `term`, if it is in the index.
    public func postings(of term: String) -> [Posting]? {
        var low = 0, high = terms.count
        while low < high {
            let middle = (low + high) / 2
            if terms[middle].utf16.lexicographicallyPrecedes(term.utf16) { low = middle + 1 } else { high = middle }
        }
        return low < terms.count && terms[low] == term ? postings[low] : nil
    }
}
