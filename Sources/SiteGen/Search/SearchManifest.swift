import Foundation

/// The small files of the search index besides the shards:
///
/// - the manifest (`search/manifest.json`), fetched first: the first term of each shard, the score
///   scale, the authors and categories (most used first), the years, and every document's authors
///   and categories bit-packed (`FacetPacking`), so that facet counts need no further download;
/// - the fragments (`search/docs/<n>.json`): what a result shows (title, link, date, summary, and
///   the start of the body for the snippet), `documentsPerFile` documents a file (document id / that
///   number), fetched only for the results on screen. Grouping keeps the file count down (creating
///   files is much of a build's cost); the group stays small so that ten results scattered over ten
///   files remain a small download (about 80 KB on a 10,000-article site).
public enum SearchManifest {
    public static let formatVersion = 1
    /// Characters of body text kept in a fragment for snippets.
    public static let snippetTextLimit = 600
    public static let documentsPerFile = 8

    /// A facet value: `[slug, name]` in the manifest; its page is the facet's `url` + slug + `/`.
    public struct Facet: Sendable, Equatable {
        public var slug: String
        public var name: String
        public init(slug: String, name: String) {
            self.slug = slug
            self.name = name
        }
    }

    /// Root-relative links of the author and category index pages (`/blog/authors/`).
    public struct Links: Sendable, Equatable {
        public var authors: String
        public var categories: String
        public init(authors: String, categories: String) {
            self.authors = authors
            self.categories = categories
        }
    }

    public static func json(index: SearchIndex, firstTerms: [String], documents: [SearchDocument],
                            authors: [Facet], categories: [Facet], links: Links, version: String) -> String {
        func list(_ facets: [Facet]) -> String {
            "[" + facets.map { "[\(JSONText.quoted($0.slug)),\(JSONText.quoted($0.name))]" }.joined(separator: ",") + "]"
        }
        var years: [(Int, Int)] = []
        for (id, document) in documents.enumerated() where years.last?.0 != document.year {
            years.append((document.year, id))
        }
        let packing = FacetPacking(documents, authorCount: authors.count, categoryCount: categories.count)
        return """
        {"version":\(formatVersion),"id":\(JSONText.quoted(version)),"count":\(documents.count),\
        "maxScore":\(String(format: "%.6f", index.maxScore)),"documentsPerFile":\(documentsPerFile),\
        "shards":[\(firstTerms.map(JSONText.quoted).joined(separator: ","))],
        "authorsURL":\(JSONText.quoted(links.authors)),"categoriesURL":\(JSONText.quoted(links.categories)),
        "authors":\(list(packing.authorOrder.map { authors[$0] })),
        "categories":\(list(packing.categoryOrder.map { categories[$0] })),
        "years":[\(years.map { "[\($0.0),\($0.1)]" }.joined(separator: ","))],
        "facets":{"countBits":\(packing.countBits),"authorRice":\(packing.authorRice),\
        "categoryRice":\(packing.categoryRice),"data":"\(packing.data.base64EncodedString())"}}

        """
    }

    /// The file of fragments `range` (a JSON array). Written as UTF-8 bytes into one buffer, made a
    /// String once (joining a String per fragment, itself joined from a String per field, was
    /// most of the time of these files).
    public static func fragments(_ documents: ArraySlice<SearchDocument>) -> String {
        String(decoding: fragmentBytes(documents), as: UTF8.self)
    }

    /// `fragments` as the file's bytes (valid UTF-8 by construction: making a String of them checked
    /// them all again, and the file's bytes were then copied out of it).
    static func fragmentBytes(_ documents: ArraySlice<SearchDocument>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(documents.count * (4 * snippetTextLimit / 3 + 400))
        out.append(UInt8(ascii: "["))
        for (position, document) in documents.enumerated() {
            if position > 0 { out += [UInt8(ascii: ","), UInt8(ascii: "\n")] }
            appendFragment(document, to: &out)
        }
        out += [UInt8(ascii: "]"), UInt8(ascii: "\n")]
        return out
    }

    /// The fragment of one document: `t` title, `u` link, `d` date, `i` ISO date, `s` summary (left
    /// out when the body starts with it), `b` the start of the body.
    public static func fragment(_ document: SearchDocument) -> String {
        var out: [UInt8] = []
        appendFragment(document, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendFragment(_ document: SearchDocument, to out: inout [UInt8]) {
        func name(_ name: StaticString) { name.withUTF8Buffer { out.append(contentsOf: $0) } }
        func field(_ key: StaticString, _ value: String) {
            name(key)
            JSONText.append(value, to: &out)
        }
        field("{\"t\":", document.title)
        field(",\"u\":", document.url)
        field(",\"d\":", document.date)
        field(",\"i\":", document.dateISO)
        // Only the start of the body is shown: enough bytes for `snippetTextLimit` + 1 scalars, and for
        // the summary comparison (the summary's bytes and a margin for a grapheme that continues).
        // Read as bytes: the text is valid UTF-8, and a String of it was checked again (0.5% of a build).
        // An article's body counted while parsing holds just the excerpt and knows whether the summary
        // repeats it (`MarkdownBody.forSearch`).
        let body: [UInt8], repeats: Bool, isExcerpt: Bool
        if let terms = document.text.terms {
            body = document.text.plainTextBytes
            repeats = terms.summaryRepeats
            isExcerpt = true
        } else {
            body = document.text.plainTextPrefixBytes(maximum: max(4 * (snippetTextLimit + 1), document.summary.utf8.count + 256))
            repeats = document.summaryRepeats(bytes: body)
            isExcerpt = false
        }
        if !document.summary.isEmpty, !repeats { field(",\"s\":", document.summary) }
        name(",\"b\":")
        body.withUnsafeBufferPointer { body in
            let end = isExcerpt ? body.count : excerptLength(body, limit: snippetTextLimit)
            JSONText.append(bytes: UnsafeBufferPointer(rebasing: body[..<end]), to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// The start of `text`: at most `limit` Unicode scalars, cut at the last space or line break.
    static func excerpt(_ text: String, limit: Int) -> String {
        var text = text
        return text.withUTF8 { String(decoding: $0[..<excerptLength($0, limit: limit)], as: UTF8.self) }
    }

    /// The length in bytes of `excerpt` of valid UTF-8 `text`: all of it when it has at most
    /// `limit` scalars, else up to the last space or line feed before scalar `limit` (or to it).
    static func excerptLength(_ text: UnsafeBufferPointer<UInt8>, limit: Int) -> Int {
        var scalars = 0, end = text.count
        for (offset, byte) in text.enumerated() where byte & 0xC0 != 0x80 {  // a scalar's first byte
            if scalars == limit {
                end = offset
                break
            }
            scalars += 1
        }
        guard end < text.count else { return end }
        return text[..<end].lastIndex { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") } ?? end
    }
}

/// Every document's authors and categories as one bit string. Authors and categories are
/// numbered by how many documents they have (most first: the manifest lists them in that order),
/// and each number is Rice-coded (`q = n >> k` ones, a zero, then the low `k` bits), with the `k`
/// that makes the whole smallest; frequent authors cost few bits. Per document: the number of
/// authors (`countBits`), the authors, the number of categories, the categories; most significant
/// bit first, padded to a byte, sent as base64.
struct FacetPacking {
    var countBits: Int
    var authorRice: Int
    var categoryRice: Int
    /// Site author / category index by rank (the order of the manifest's lists).
    var authorOrder: [Int]
    var categoryOrder: [Int]
    var data = Data()

    init(_ documents: [SearchDocument], authorCount: Int, categoryCount: Int) {
        // Only the facet lists are read, once: each pass over `documents` copied every document (a
        // retain and a release of each of its fields).
        let (authors, categories) = documents.withUnsafeBufferPointer { documents in
            (documents.indices.map { documents[$0].authors }, documents.indices.map { documents[$0].categories })
        }
        countBits = max(1, Int.bitWidth - max(zip(authors, categories).map { max($0.count, $1.count) }.max() ?? 1, 1)
            .leadingZeroBitCount)
        authorOrder = Self.byFrequency(authors.flatMap { $0 }, count: authorCount)
        categoryOrder = Self.byFrequency(categories.flatMap { $0 }, count: categoryCount)
        let authorRank = Self.ranks(authorOrder), categoryRank = Self.ranks(categoryOrder)
        authorRice = Self.bestRice(authors.flatMap { $0.map { authorRank[$0] } })
        categoryRice = Self.bestRice(categories.flatMap { $0.map { categoryRank[$0] } })
        var writer = BitWriter()
        for (documentAuthors, documentCategories) in zip(authors, categories) {
            writer.write(documentAuthors.count, bits: countBits)
            for author in documentAuthors { writer.writeRice(authorRank[author], k: authorRice) }
            writer.write(documentCategories.count, bits: countBits)
            for category in documentCategories { writer.writeRice(categoryRank[category], k: categoryRice) }
        }
        data = Data(writer.finish())
    }

    /// Indices 0..<count, most used first (ties: lower index first).
    static func byFrequency(_ uses: [Int], count: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: count)
        for use in uses { counts[use] += 1 }
        return (0..<count).sorted { (counts[$1], $0) < (counts[$0], $1) }
    }

    static func ranks(_ order: [Int]) -> [Int] {
        var ranks = [Int](repeating: 0, count: order.count)
        for (rank, index) in order.enumerated() { ranks[index] = rank }
        return ranks
    }

    static func bestRice(_ values: [Int]) -> Int {
        (0...12).min { k, other in
            values.reduce(0) { $0 + ($1 >> k) + 1 + k } < values.reduce(0) { $0 + ($1 >> other) + 1 + other }
        } ?? 0
    }

    /// Reads the packing back (what the browser does); authors and categories as ranks.
    static func unpack(_ data: Data, count: Int, countBits: Int, authorRice: Int,
                       categoryRice: Int) -> [(authors: [Int], categories: [Int])] {
        var reader = BitReader(bytes: Array(data))
        return (0..<count).map { _ in
            let authors = (0..<reader.read(countBits)).map { _ in reader.readRice(authorRice) }
            let categories = (0..<reader.read(countBits)).map { _ in reader.readRice(categoryRice) }
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

    mutating func writeRice(_ value: Int, k: Int) {
        for _ in 0..<(value >> k) { write(1, bits: 1) }
        write(0, bits: 1)
        write(value & ((1 << k) - 1), bits: k)
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

    mutating func readRice(_ k: Int) -> Int {
        var high = 0
        while position < bytes.count * 8, read(1) == 1 { high += 1 }
        return high << k | read(k)
    }
}
