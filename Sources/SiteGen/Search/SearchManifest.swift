import Foundation

/// The small files of the search index besides the shards:
///
/// - the manifest (`search/manifest.json`), fetched first: the first term of each shard, the score
///   scale, the authors and categories, the years, and every document's authors and categories
///   bit-packed, so that facet counts need no further download;
/// - one fragment per document (`search/docs/<id>.json`): what a result shows (title, link, date,
///   summary, and the start of the body for the snippet), fetched only for the results on screen.
public enum SearchManifest {
    public static let formatVersion = 1
    /// Characters of body text kept in a fragment for snippets.
    public static let snippetTextLimit = 2_000

    /// A facet value: `[slug, name, url]` in the manifest.
    public struct Facet: Sendable, Equatable {
        public var slug: String
        public var name: String
        public var url: String
        public init(slug: String, name: String, url: String) {
            self.slug = slug
            self.name = name
            self.url = url
        }
    }

    public static func json(index: SearchIndex, firstTerms: [String], documents: [SearchDocument],
                            authors: [Facet], categories: [Facet], version: String) -> String {
        func list(_ facets: [Facet]) -> String {
            "[" + facets.map { "[\(JSONText.quoted($0.slug)),\(JSONText.quoted($0.name)),\(JSONText.quoted($0.url))]" }
                .joined(separator: ",") + "]"
        }
        var years: [(Int, Int)] = []
        for (id, document) in documents.enumerated() where years.last?.0 != document.year {
            years.append((document.year, id))
        }
        let packing = FacetPacking(documents, authorCount: authors.count, categoryCount: categories.count)
        return """
        {"version":\(formatVersion),"id":\(JSONText.quoted(version)),"count":\(documents.count),\
        "maxScore":\(String(format: "%.6f", index.maxScore)),\
        "shards":[\(firstTerms.map(JSONText.quoted).joined(separator: ","))],
        "authors":\(list(authors)),
        "categories":\(list(categories)),
        "years":[\(years.map { "[\($0.0),\($0.1)]" }.joined(separator: ","))],
        "facets":{"countBits":\(packing.countBits),"authorBits":\(packing.authorBits),\
        "categoryBits":\(packing.categoryBits),"data":"\(packing.data.base64EncodedString())"}}

        """
    }

    /// The fragment of one document.
    public static func fragment(_ document: SearchDocument) -> String {
        var text = "{\"t\":" + JSONText.quoted(document.title) + ",\"u\":" + JSONText.quoted(document.url)
        text += ",\"d\":" + JSONText.quoted(document.date) + ",\"i\":" + JSONText.quoted(document.dateISO)
        if !document.summary.isEmpty { text += ",\"s\":" + JSONText.quoted(document.summary) }
        text += ",\"b\":" + JSONText.quoted(excerpt(document.body, limit: snippetTextLimit))
        return text + "}\n"
    }

    /// The start of `text`, cut at a space before `limit` characters; lines joined by spaces.
    static func excerpt(_ text: String, limit: Int) -> String {
        var result = String(text.prefix(limit))
        if result.count < text.count, let space = result.lastIndex(of: " ") { result = String(result[..<space]) }
        return result.replacingOccurrences(of: "\n", with: " ")
    }
}

/// Every document's authors and categories as one bit string: per document, the number of
/// authors (`countBits`), each author's index (`authorBits`), the number of categories, each
/// category's index (`categoryBits`); most significant bit first, padded to a byte, sent as base64.
struct FacetPacking {
    var countBits: Int
    var authorBits: Int
    var categoryBits: Int
    var data = Data()

    init(_ documents: [SearchDocument], authorCount: Int, categoryCount: Int) {
        func bits(_ value: Int) -> Int { max(1, Int.bitWidth - max(value, 1).leadingZeroBitCount) }
        countBits = bits(documents.map { max($0.authors.count, $0.categories.count) }.max() ?? 1)
        authorBits = bits(authorCount - 1)
        categoryBits = bits(categoryCount - 1)
        var writer = BitWriter()
        for document in documents {
            writer.write(document.authors.count, bits: countBits)
            for author in document.authors { writer.write(author, bits: authorBits) }
            writer.write(document.categories.count, bits: countBits)
            for category in document.categories { writer.write(category, bits: categoryBits) }
        }
        data = Data(writer.finish())
    }

    /// Reads the packing back (what the browser does).
    static func unpack(_ data: Data, count: Int, countBits: Int, authorBits: Int,
                       categoryBits: Int) -> [(authors: [Int], categories: [Int])] {
        var reader = BitReader(bytes: Array(data))
        return (0..<count).map { _ in
            let authors = (0..<reader.read(countBits)).map { _ in reader.read(authorBits) }
            let categories = (0..<reader.read(countBits)).map { _ in reader.read(categoryBits) }
            return (authors, categories)
        }
    }
}

struct BitWriter {
    private var bytes: [UInt8] = []
    private var current: UInt8 = 0
    private var used = 0

    mutating func write(_ value: Int, bits: Int) {
        for shift in stride(from: bits - 1, through: 0, by: -1) {
            current = current << 1 | UInt8((value >> shift) & 1)
            used += 1
            if used == 8 { bytes.append(current); current = 0; used = 0 }
        }
    }

    mutating func finish() -> [UInt8] {
        if used > 0 { bytes.append(current << (8 - used)) }
        return bytes
    }
}

struct BitReader {
    let bytes: [UInt8]
    var position = 0

    mutating func read(_ bits: Int) -> Int {
        var value = 0
        for _ in 0..<bits {
            let byte = position / 8 < bytes.count ? bytes[position / 8] : 0
            value = value << 1 | Int((byte >> (7 - position % 8)) & 1)
            position += 1
        }
        return value
    }
}
