import Testing
@testable import SiteGen
@testable import SiteGenBench

/// The result fragments (`search/docs/<n>.json`), written as bytes, against the String-joining
/// code they replaced (kept here as the reference): the same bytes for hostile and non-ASCII
/// fields, summaries the body repeats or not, and bodies cut at every kind of place.
@Suite struct SearchFragmentTests {
    static func referenceExcerpt(_ text: String, limit: Int) -> String {
        let scalars = text.unicodeScalars
        guard let end = scalars.index(scalars.startIndex, offsetBy: limit, limitedBy: scalars.endIndex),
              end < scalars.endIndex else { return text }
        let cut = scalars[..<end].lastIndex { $0 == " " || $0 == "\n" } ?? end
        return String(scalars[..<cut])
    }

    static func referenceFragment(_ document: SearchDocument) -> String {
        var text = "{\"t\":" + JSONText.quoted(document.title) + ",\"u\":" + JSONText.quoted(document.url)
        text += ",\"d\":" + JSONText.quoted(document.date) + ",\"i\":" + JSONText.quoted(document.dateISO)
        let limit = SearchManifest.snippetTextLimit
        let body = document.text.plainTextPrefix(maximum: max(4 * (limit + 1), document.summary.utf8.count + 256))
        if !document.summary.isEmpty, !document.summaryRepeats(body) {
            text += ",\"s\":" + JSONText.quoted(document.summary)
        }
        return text + ",\"b\":" + JSONText.quoted(referenceExcerpt(body, limit: limit)) + "}"
    }

    static func documents() -> [SearchDocument] {
        var random = SeededRandom(seed: 99)
        let pieces = ["word", " ", " ", "\n", "é", "서울", "北", "\u{1F600}", "e\u{301}", "\"", "\\", "<", ">", "&", "\u{2028}",
                      "\u{2029}", "\u{1}", "\t", "\r\n", "’", "…", "Infrastructure", "x"]
        var documents: [SearchDocument] = []
        for round in 0..<200 {
            // Bodies around the excerpt's limit in scalars, some without any space to cut at.
            var body = ""
            let length = [10, 590, 600, 601, 605, 700, 2_000][round % 7]
            while body.unicodeScalars.count < length {
                body += round % 11 == 0 ? random.pick(["x", "é", "北", "\u{1F600}"]) : random.pick(pieces)
            }
            let summary = [body.isEmpty ? "" : String(body.prefix(40)) + "…", "", "A summary <b>&</b> \"quoted\"",
                           String(body.prefix(12)), "Séoul 서울"][round % 5]
            documents.append(SearchDocument(title: random.pick(pieces) + "Title \(round) " + random.pick(pieces),
                                            url: "/peninsula/a\(round)-\u{e9}/", date: "May \(round % 28 + 1), 2024",
                                            dateISO: "2024-05-\(round % 28 + 1)", summary: summary, body: body))
        }
        documents.append(SearchDocument(title: "", url: "", summary: "", body: ""))
        return documents
    }

    @Test func fragmentsAreTheBytesTheStringCodeWrote() {
        let documents = Self.documents()
        for document in documents {
            #expect(SearchManifest.fragment(document) == Self.referenceFragment(document), "\(document.title.debugDescription)")
        }
        for start in stride(from: 0, to: documents.count, by: 8) {
            let group = documents[start..<min(start + 8, documents.count)]
            #expect(SearchManifest.fragments(group) == "[" + group.map(Self.referenceFragment).joined(separator: ",\n") + "]\n")
        }
        #expect(SearchManifest.fragments([]) == "[]\n")
    }

    @Test func excerptsCutWhereTheScalarCodeCut() {
        var random = SeededRandom(seed: 5)
        let pieces = ["a", "bc", " ", "\n", "é", "서울", "\u{1F600}", "e\u{301}", "\r\n", "\u{2028}"]
        for _ in 0..<500 {
            var text = ""
            for _ in 0..<Int(random.next() % 40) { text += random.pick(pieces) }
            for limit in [0, 1, 2, 5, 17, 40] {
                #expect(SearchManifest.excerpt(text, limit: limit) == Self.referenceExcerpt(text, limit: limit),
                        "\(text.debugDescription) \(limit)")
            }
        }
    }
}
