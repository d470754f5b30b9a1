import Foundation
#if canImport(FoundationXML)
import CSiteGenSupport
import FoundationXML
#endif
import Testing
@testable import SiteGen

/// Unit tests for the dense helpers only: front-matter splitting, decoding, slugs, pagination, output
/// paths, URLs, dates and suggestions. Everything else is tested through whole-site builds.
@Suite("Helpers")
struct UnitTests {
    // MARK: FrontMatterSplitter

    @Test func splitsYAMLAndBodyWithLineNumbers() throws {
        let split = try FrontMatterSplitter.split("---\ntitle: A\ndate: 2024-01-01\n---\nBody line 1\nBody line 2\n")
        #expect(split == SplitDocument(yaml: "title: A\ndate: 2024-01-01", yamlFirstLine: 2,
                                       body: "Body line 1\nBody line 2\n", bodyFirstLine: 5))
    }

    @Test func closingFenceMayBeDotsOrHaveTrailingSpaces() throws {
        let dots = try FrontMatterSplitter.split("---\ntitle: A\n...\nBody")
        #expect(dots.yaml == "title: A")
        #expect(dots.body == "Body")
        #expect(dots.bodyFirstLine == 4)
        let spaced = try FrontMatterSplitter.split("--- \t\na: 1\nb: 2\n---  \n\nBody")
        #expect(spaced.yaml == "a: 1\nb: 2")
        #expect(spaced.yamlFirstLine == 2)
        #expect(spaced.body == "\nBody")
        #expect(spaced.bodyFirstLine == 5)
    }

    @Test func emptyFrontMatterAndEmptyBody() throws {
        #expect(try FrontMatterSplitter.split("---\n---\n") ==
                SplitDocument(yaml: "", yamlFirstLine: 2, body: "", bodyFirstLine: 3))
        #expect(try FrontMatterSplitter.split("---\ntitle: A\n---") ==
                SplitDocument(yaml: "title: A", yamlFirstLine: 2, body: "", bodyFirstLine: 4))
    }

    @Test func onlyTheFirstClosingFenceCounts() throws {
        let split = try FrontMatterSplitter.split("---\na: 1\n---\ntext\n---\nmore")
        #expect(split.yaml == "a: 1")
        #expect(split.body == "text\n---\nmore")
        #expect(split.bodyFirstLine == 4)
    }

    @Test func missingOpeningFence() {
        #expect(throws: FrontMatterError.missingOpeningFence) { try FrontMatterSplitter.split("title: A\n---\n") }
        #expect(throws: FrontMatterError.missingOpeningFence) { try FrontMatterSplitter.split("") }
        #expect(throws: FrontMatterError.missingOpeningFence) { try FrontMatterSplitter.split("...\na: 1\n...\n") }
        #expect(throws: FrontMatterError.missingOpeningFence) { try FrontMatterSplitter.split(" ---\na: 1\n---\n") }
        #expect(throws: FrontMatterError.missingOpeningFence) { try FrontMatterSplitter.split("----\na: 1\n---\n") }
    }

    @Test func unterminatedFrontMatter() {
        #expect(throws: FrontMatterError.unterminated(openingLine: 1)) {
            try FrontMatterSplitter.split("---\ntitle: A\n\nBody without a closing fence\n")
        }
        #expect(throws: FrontMatterError.unterminated(openingLine: 1)) { try FrontMatterSplitter.split("---") }
        #expect(throws: FrontMatterError.unterminated(openingLine: 1)) {
            try FrontMatterSplitter.split("---\na: 1\n----\n")
        }
    }

    /// The byte scanner against a line-by-line reading of the same rules, on every combination of
    /// a few lines that make or almost make fences.
    @Test func splitterAgreesWithLineByLineRules() {
        func reference(_ text: String) -> Result<SplitDocument, FrontMatterError> {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            func fence(_ line: String, dots: Bool) -> Bool {
                var line = Substring(line)
                while let last = line.last, last == " " || last == "\t" { line = line.dropLast() }
                return line == "---" || (dots && line == "...")
            }
            guard fence(lines[0], dots: false) else { return .failure(.missingOpeningFence) }
            for index in 1..<lines.count where fence(lines[index], dots: true) {
                let yaml = lines[1..<index].joined(separator: "\n")
                let body = lines[(index + 1)...].joined(separator: "\n")
                return .success(SplitDocument(yaml: yaml, yamlFirstLine: 2, body: Substring(body), bodyFirstLine: index + 2))
            }
            return .failure(.unterminated(openingLine: 1))
        }
        let pieces = ["---", "--- \t", "...", "----", " ---", "a: 1", "", "é: ü", "body"]
        var checked = 0
        for first in pieces { for second in pieces { for third in pieces { for last in ["", "\n", "\nmore\n"] {
            let text = [first, second, third].joined(separator: "\n") + last
            let actual: Result<SplitDocument, FrontMatterError>
            do { actual = .success(try FrontMatterSplitter.split(text)) } catch { actual = .failure(error) }
            #expect(actual == reference(text), "\(text.debugDescription)")
            checked += 1
        } } } }
        #expect(checked == 9 * 9 * 9 * 3)
    }

    // MARK: SourceText

    @Test func decodeRemovesBOMAndNormalizesLineEndings() throws {
        #expect(try SourceText.decode([0xEF, 0xBB, 0xBF] + Array("a\nb".utf8)) == "a\nb")
        #expect(try SourceText.decode(Array("a\r\nb\r\n".utf8)) == "a\nb\n")
        #expect(try SourceText.decode(Array("a\rb\r".utf8)) == "a\nb\n")
        #expect(try SourceText.decode(Array("a\r\n\r\nb\rc\n".utf8)) == "a\n\nb\nc\n")
        #expect(try SourceText.decode([0xEF, 0xBB, 0xBF] + Array("---\r\ntitle: 통일\r\n---\r\n".utf8))
                == "---\ntitle: 통일\n---\n")
        #expect(try SourceText.decode([]) == "")
    }

    @Test func decodeKeepsABOMThatIsNotAtTheStart() throws {
        let text = try SourceText.decode(Array("a\u{FEFF}b".utf8))
        #expect(Array(text.unicodeScalars) == ["a", "\u{FEFF}", "b"])
    }

    @Test func decodeReportsTheFirstInvalidByte() {
        #expect(throws: SourceText.DecodeError.invalidUTF8(line: 1, column: 1)) { try SourceText.decode([0xFF]) }
        #expect(throws: SourceText.DecodeError.invalidUTF8(line: 3, column: 7)) {
            try SourceText.decode(Array("---\ntitle: A\ndate: ".utf8) + [0xFF] + Array("\n".utf8))
        }
        // Columns count bytes: "é" is two.
        #expect(throws: SourceText.DecodeError.invalidUTF8(line: 2, column: 4)) {
            try SourceText.decode(Array("x\né!".utf8) + [0xC0, 0x80])
        }
        // A truncated sequence at the end, and a lone continuation byte.
        #expect(throws: SourceText.DecodeError.invalidUTF8(line: 1, column: 3)) {
            try SourceText.decode(Array("ab".utf8) + [0xE3, 0x81])
        }
        #expect(throws: SourceText.DecodeError.invalidUTF8(line: 2, column: 1)) {
            try SourceText.decode(Array("ab\n".utf8) + [0x80])
        }
        // Surrogates encoded in UTF-8 are invalid.
        #expect(throws: SourceText.DecodeError.invalidUTF8(line: 1, column: 2)) {
            try SourceText.decode([0x61, 0xED, 0xA0, 0x80])
        }
        // CR line endings count as lines only after decoding; the position is in LF lines.
        #expect(throws: SourceText.DecodeError.invalidUTF8(line: 2, column: 1)) {
            try SourceText.decode(Array("a\r\n".utf8) + [0xFE])
        }
    }

    // MARK: Slug

    @Test(arguments: [
        ("North Korea", "north-korea"),
        ("Séoul", "seoul"),
        ("Trade & Economics", "trade-economics"),
        ("Korea's", "koreas"),
        ("Korea\u{2019}s Future", "koreas-future"),
        ("  Leading, trailing!  ", "leading-trailing"),
        ("2024 Report", "2024-report"),
        ("ÉCOLE Über", "ecole-uber"),
        ("a---b", "a-b"),
        ("!!!", ""),
    ])
    func slugMake(name: String, slug: String) {
        #expect(Slug.make(name) == slug)
    }

    @Test func slugKeepsHangulComposed() {
        let slug = Slug.make("통일 정책")
        #expect(slug == "통일-정책")
        // Byte for byte (precomposed syllables), since the slug becomes a file name and a URL.
        #expect(Array(slug.utf8) == Array("통일-정책".utf8))
        #expect(Slug.make("북한 경제 2024") == "북한-경제-2024")
    }

    @Test func slugIsValid() {
        for good in ["north-korea", "통일-정책", "a_b.c", "v1.2", "x", String(repeating: "a", count: 200)] {
            #expect(Slug.isValid(good), "\(good)")
        }
        for bad in ["", ".hidden", "..", "../../etc", "a/b", "a\\b", "a b", "a?b", "a#b", "a%20b", "a:b",
                    String(repeating: "a", count: 201)] {
            #expect(!Slug.isValid(bad), "\(bad)")
        }
    }

    // MARK: Pager

    @Test func pagerWithNoItemsHasOneEmptyPage() {
        let pager = Pager(basePath: "x/", count: 0, perPage: 20)
        #expect(pager.pageCount == 1)
        #expect(pager.range(page: 1) == 0..<0)
        #expect(pager.path(page: 1) == "x/")
    }

    @Test func pagerSplitsIntoPages() {
        let pager = Pager(basePath: "x/", count: 41, perPage: 20)
        #expect(pager.pageCount == 3)
        #expect(pager.range(page: 1) == 0..<20)
        #expect(pager.range(page: 2) == 20..<40)
        #expect(pager.range(page: 3) == 40..<41)
        #expect(pager.path(page: 1) == "x/")
        #expect(pager.path(page: 2) == "x/page/2/")
        #expect(pager.path(page: 3) == "x/page/3/")
    }

    @Test func pagerEdges() {
        #expect(Pager(basePath: "", count: 40, perPage: 20).pageCount == 2)
        #expect(Pager(basePath: "", count: 40, perPage: 20).path(page: 2) == "page/2/")
        #expect(Pager(basePath: "", count: 20, perPage: 20).pageCount == 1)
        #expect(Pager(basePath: "", count: 21, perPage: 20).pageCount == 2)
        #expect(Pager(basePath: "c/", count: 3, perPage: 0).perPage == 1)
        #expect(Pager(basePath: "c/", count: 3, perPage: 0).pageCount == 3)
        #expect(Pager(basePath: "c/", count: 5, perPage: 2).range(page: 4) == 5..<5)
    }

    // MARK: OutputPath

    @Test func outputPathNormalize() {
        #expect(OutputPath.normalize("/old/path/") == "old/path/")
        #expect(OutputPath.normalize("old/path") == "old/path/")
        #expect(OutputPath.normalize("/about") == "about/")
        #expect(OutputPath.normalize("feed.xml") == "feed.xml")
        #expect(OutputPath.normalize("/old/page.html") == "old/page.html")
        #expect(OutputPath.normalize("  /spaced/  ") == "spaced/")
        #expect(OutputPath.normalize("/통일/") == "통일/")
    }

    @Test func outputPathRefusals() {
        for bad in ["../x", "/a/../b", "a/./b", ".", "/", "", "   ", "/a\\b", "//evil.com/x", "https://evil.com/x",
                    "/a?b=1", "/a#top", "/.git/config", "/a/.hidden/", "a\u{0}b", "a\nb", "a\u{7F}b"] {
            #expect(OutputPath.normalize(bad) == nil, "\(bad.debugDescription)")
        }
    }

    @Test func outputPathEmptyInnerComponents() {
        // Repeated slashes collapse (as documented); they cannot leave the output folder.
        #expect(OutputPath.normalize("/a//b/") == "a/b/")
        #expect(OutputPath.normalize("javascript:alert(1)") == nil)
    }

    @Test func outputPathFile() {
        #expect(OutputPath.file(for: "a/b/") == "a/b/index.html")
        #expect(OutputPath.file(for: "") == "index.html")
        #expect(OutputPath.file(for: "feed.xml") == "feed.xml")
    }

    // MARK: SiteURLs

    @Test func siteURLsUnderASubfolder() {
        let urls = SiteURLs(baseURL: "https://example.org/blog/", root: "/blog/")
        #expect(urls.link("peninsula/x/") == "/blog/peninsula/x/")
        #expect(urls.link("") == "/blog/")
        #expect(urls.permalink("peninsula/x/") == "https://example.org/blog/peninsula/x/")
        #expect(urls.permalink("feed.xml") == "https://example.org/blog/feed.xml")
        #expect(urls.resolve("/images/a.svg") == "/blog/images/a.svg")
        #expect(urls.resolve("images/a.svg") == "/blog/images/a.svg")
        // Content URLs are always site-relative, even when they start like the root path.
        #expect(urls.resolve("/blog/images/a.svg") == "/blog/blog/images/a.svg")
        #expect(urls.absolute("/images/a.svg") == "https://example.org/blog/images/a.svg")
        #expect(SiteURLs(baseURL: "http://localhost:8080/blog", root: "/blog/").absolute("a.png")
                == "http://localhost:8080/blog/a.png")
    }

    @Test func siteURLsLeaveAbsoluteURLsAlone() {
        let urls = SiteURLs(baseURL: "https://example.org/blog/", root: "/blog/")
        for url in ["https://cdn.example.org/a.svg", "http://x.org/", "//cdn.example.org/a.js",
                    "mailto:press@example.org", "#top"] {
            #expect(urls.resolve(url) == url)
            #expect(urls.absolute(url) == url || url == "#top")
        }
    }

    @Test func siteURLsAtTheRoot() {
        let urls = SiteURLs(baseURL: "https://example.org", root: "/")
        #expect(urls.base == "https://example.org/")
        #expect(urls.link("peninsula/x/") == "/peninsula/x/")
        #expect(urls.permalink("") == "https://example.org/")
        #expect(urls.resolve("/images/a.svg") == "/images/a.svg")
        #expect(urls.resolve("images/a.svg") == "/images/a.svg")
    }

    @Test func siteURLsPercentEncodeHangulAndSpecials() {
        let urls = SiteURLs(baseURL: "https://example.org/blog/", root: "/blog/")
        #expect(urls.link("peninsula/통일-정책/") == "/blog/peninsula/%ED%86%B5%EC%9D%BC-%EC%A0%95%EC%B1%85/")
        #expect(urls.permalink("categories/통일/")
                == "https://example.org/blog/categories/%ED%86%B5%EC%9D%BC/")
        #expect(SiteURLs.encodePath("a b/c%d?e#f") == "a%20b/c%25d%3Fe%23f")
        #expect(SiteURLs.encodePath("plain-path/x.html") == "plain-path/x.html")
    }

    /// The fast test for "needs no encoding" agrees with the character set `encodePath` encodes with.
    @Test func plainPathBytesAreExactlyThePathAllowedASCII() {
        for byte in UInt8(0)...UInt8(255) {
            let allowed = byte < 128 && SiteURLs.pathAllowed.contains(Unicode.Scalar(byte))
            #expect(SiteURLs.isPlainPathByte(byte) == allowed, "\(byte)")
        }
    }

    // MARK: DateParser and DateFormatting

    static let utc = TimeZone(identifier: "UTC")!
    static let seoul = TimeZone(identifier: "Asia/Seoul")!
    static let newYork = TimeZone(identifier: "America/New_York")!

    @Test func parsesDaysAtMidnightInTheGivenZone() {
        #expect(DateParser.parse("2023-11-28", timeZone: Self.seoul) == Date(timeIntervalSince1970: 1_701_097_200))
        #expect(DateParser.parse("2023-11-28", timeZone: Self.utc) == Date(timeIntervalSince1970: 1_701_129_600))
        #expect(DateParser.parse(" 2023-11-28 ", timeZone: Self.utc) == Date(timeIntervalSince1970: 1_701_129_600))
        #expect(DateParser.parse("2024-02-29", timeZone: Self.utc) == Date(timeIntervalSince1970: 1_709_164_800))
        #expect(DateParser.parse("2000-02-29", timeZone: Self.utc) != nil)
    }

    @Test func parsesRFC3339() {
        let zulu = Date(timeIntervalSince1970: 1_701_163_800)  // 2023-11-28T09:30:00Z
        #expect(DateParser.parse("2023-11-28T09:30:00Z", timeZone: Self.seoul) == zulu)
        #expect(DateParser.parse("2023-11-28t09:30:00z", timeZone: Self.seoul) == zulu)
        #expect(DateParser.parse("2023-11-28T09:30:00.123Z", timeZone: Self.seoul) == zulu)
        #expect(DateParser.parse("2023-11-28T09:30:00.5+00:00", timeZone: Self.seoul) == zulu)
        #expect(DateParser.parse("2023-11-28T18:30:00+09:00", timeZone: Self.utc) == zulu)
        #expect(DateParser.parse("2023-11-28 04:30:00-05:00", timeZone: Self.utc) == zulu)
        #expect(DateParser.parse("2023-11-28T09:30:00+09:00", timeZone: Self.utc)
                == Date(timeIntervalSince1970: 1_701_131_400))
        // Without an offset the time is in the given zone.
        #expect(DateParser.parse("2023-11-28T18:30:00", timeZone: Self.seoul) == zulu)
    }

    @Test(arguments: ["2023-02-30", "2023-02-29", "1900-02-29", "2023-13-01", "2023-00-10", "2023-04-31",
                      "yesterday", "2023-1-5", "2023/01/05", "", "2023-11-28junk", "2023-11-28T25:00:00Z",
                      "2023-11-28T09:60:00Z", "2023-11-28T09:30Z", "2023-11-28T09:30:00+0900",
                      "2023-11-28T09:30:00.Z", "2023-11-28T09:30:00Zjunk", "2023-11-28T09:30:00+24:00"])
    func rejectsInvalidDates(text: String) {
        #expect(DateParser.parse(text, timeZone: Self.utc) == nil)
    }

    @Test func formatsDates() throws {
        let date = try #require(DateParser.parse("2023-11-28", timeZone: Self.seoul))
        let seoul = DateFormatting(timeZone: Self.seoul)
        #expect(seoul.long(date) == "November 28, 2023")
        #expect(seoul.rfc3339(date) == "2023-11-28T00:00:00+09:00")
        #expect(seoul.day(date) == "2023-11-28")
        #expect(seoul.year(date) == 2023)
        let utc = DateFormatting(timeZone: Self.utc)
        #expect(utc.long(date) == "November 27, 2023")
        #expect(utc.rfc3339(date) == "2023-11-27T15:00:00Z")
        #expect(DateFormatting(timeZone: Self.newYork).rfc3339(date) == "2023-11-27T10:00:00-05:00")
        let january = try #require(DateParser.parse("2024-01-05T07:08:09Z", timeZone: Self.utc))
        #expect(utc.long(january) == "January 5, 2024")
        #expect(utc.rfc3339(january) == "2024-01-05T07:08:09Z")
        #expect(DateFormatting(timeZone: TimeZone(secondsFromGMT: 5 * 3600 + 1800)!).rfc3339(january)
                == "2024-01-05T12:38:09+05:30")
    }

    // MARK: Suggestions

    @Test func closestSuggestion() {
        #expect(Suggestions.closest(to: "titel", in: ["title", "date", "authors"]) == "title")
        #expect(Suggestions.closest(to: "sumary", in: DocumentDecoder.articleKeys) == "summary")
        #expect(Suggestions.closest(to: "ann-le", in: ["ann-lee", "bob-kim"]) == "ann-lee")
        #expect(Suggestions.closest(to: "TITLE", in: ["title"]) == "title")
        #expect(Suggestions.closest(to: "tilte", in: ["title"]) == "title")  // a transposition is one edit
        #expect(Suggestions.closest(to: "cat", in: ["hat", "bat"]) == "bat")  // ties: alphabetical
        #expect(Suggestions.closest(to: "autors", in: ["author", "authors"]) == "authors")
        #expect(Suggestions.closest(to: "xyz", in: ["title", "date"]) == nil)
        #expect(Suggestions.closest(to: "partials/nope", in: ["partials/list", "base"]) == nil)
        #expect(Suggestions.closest(to: "x", in: [String]()) == nil)
        #expect(Suggestions.didYouMean("titel", in: ["title"]) == " (did you mean 'title'?)")
        #expect(Suggestions.didYouMean("zzz", in: ["title"]) == "")
    }

    @Test func editDistance() {
        func distance(_ a: String, _ b: String) -> Int { Suggestions.editDistance(Array(a), Array(b)) }
        #expect(distance("", "abc") == 3)
        #expect(distance("abc", "") == 3)
        #expect(distance("abc", "abc") == 0)
        #expect(distance("ab", "ba") == 1)
        #expect(distance("kitten", "sitting") == 3)
        #expect(distance("ann-le", "ann-lee") == 1)
    }
}

/// Article bodies in the scratch file read back exactly, whatever their size and script.
@Suite struct BodyStoreTests {
    /// Moved to a store, an article's search excerpt and term counts also stay in memory while the
    /// store's budget lasts; read from memory or from the store, they are the same bytes.
    @Test func searchTextStaysInMemoryWithinTheBudget() throws {
        let store = try #require(BodyStore(scratchIn: FileManager.default.temporaryDirectory))
        let texts = (0..<6).map { n in (0..<200).map { "word\(n) term\($0 % 37)" }.joined(separator: " ") }
        var bodies = texts.map { MarkdownBody(html: Array("<p>\($0)</p>".utf8), plainText: Array($0.utf8)).forSearch(summary: "") }
        let expected = bodies.map { ($0.plainTextBytes, $0.terms!.entryBytes) }
        store.keptLimit = expected.prefix(3).reduce(0) { $0 + $1.0.count + $1.1.count }
        MarkdownBody.move(&bodies, to: store)
        let kept = [true, true, true, false, false, false]
        #expect(bodies.map { $0.plainTextCopy != nil } == kept)
        #expect(bodies.map { $0.terms!.entriesCopy != nil } == kept)
        for (body, (text, entries)) in zip(bodies, expected) {
            guard case .stored = body.storage, case .stored = body.terms!.entries else { Issue.record("not moved"); continue }
            #expect(body.plainTextBytes == text && body.terms!.entryBytes == entries)
            #expect(body.plainTextPrefixBytes(maximum: 10) == Array(text.prefix(10)))
            var fromStore = body
            fromStore.plainTextCopy = nil
            fromStore.terms!.entriesCopy = nil
            #expect(fromStore.plainTextBytes == text && fromStore.terms!.entryBytes == entries)
        }
    }

    @Test func bodiesReadBackExactly() throws {
        let store = try #require(BodyStore(scratchIn: FileManager.default.temporaryDirectory))
        let texts = ["", "<p>Hello</p>\n", "한국어 “quotes” & <tags>\r\n", String(repeating: "ab€", count: 300_000)]
        var bodies = texts.map { MarkdownBody(html: $0, plainText: String($0.reversed())) }
        for index in bodies.indices { bodies[index].move(to: store) }
        for (body, text) in zip(bodies, texts) {
            guard case .stored = body.storage else { Issue.record("not moved"); continue }
            #expect(body.html == text)
            #expect(body.plainText == String(text.reversed()))
        }
        // Prefixes end on whole scalars, the same from memory and from the store.
        let mixed = String(repeating: "a한😀é", count: 50)
        var stored = MarkdownBody(html: "", plainText: mixed)
        stored.move(to: store)
        let inline = MarkdownBody(html: "", plainText: mixed)
        for maximum in 0...40 {
            let prefix = inline.plainTextPrefix(maximum: maximum)
            #expect(prefix == stored.plainTextPrefix(maximum: maximum))
            #expect(prefix.utf8.count <= maximum && maximum - prefix.utf8.count < 4)
            #expect(mixed.hasPrefix(prefix) || mixed.unicodeScalars.starts(with: prefix.unicodeScalars))
            // As bytes: the same cut, from memory and from the store.
            #expect(inline.plainTextPrefixBytes(maximum: maximum) == Array(prefix.utf8), "\(maximum)")
            #expect(stored.plainTextPrefixBytes(maximum: maximum) == Array(prefix.utf8), "\(maximum)")
        }
        #expect(stored.plainTextPrefixBytes(maximum: 10_000) == Array(mixed.utf8))
        #expect(stored.plainTextPrefix(maximum: 10_000) == mixed)
        // The byte cut (`scalarBoundary`) keeps the most whole scalars that fit in `maximum` bytes.
        let mixedBytes = Array(mixed.utf8)
        var scalarEnds: Set<Int> = [0], offset = 0
        for scalar in mixed.unicodeScalars {
            offset += UTF8.width(scalar)
            scalarEnds.insert(offset)
        }
        for maximum in 0...(mixedBytes.count + 2) {
            let cut = BodyStore.scalarBoundary(mixedBytes, atMost: maximum)
            let best = scalarEnds.filter { $0 <= maximum }.max()!
            #expect(cut == best, "\(maximum)")
        }
        // The cache encoding of a stored body is that of the texts.
        var fromStore = CacheWriter(), fromMemory = CacheWriter()
        stored.encode(into: &fromStore)
        inline.encode(into: &fromMemory)
        #expect(fromStore.bodyStores.isEmpty && fromMemory.bodyStores.isEmpty)
        #expect(fromStore.bytes == fromMemory.bytes)
        // Reads from many threads at once.
        let moved = bodies
        DispatchQueue.concurrentPerform(iterations: 64) { index in
            let body = moved[index % moved.count]
            #expect(body.html == texts[index % texts.count])
        }
    }

    /// One batch (one pwritev) of bodies, some empty, reads back body by body.
    @Test func aBatchOfBodiesReadsBackExactly() throws {
        let store = try #require(BodyStore(scratchIn: FileManager.default.temporaryDirectory))
        let texts = (0..<40).map { String(repeating: "b\($0)é", count: $0 % 3 == 0 ? 0 : $0 * 50) }
        var bodies = texts.map { MarkdownBody(html: $0, plainText: "plain " + $0) }
        MarkdownBody.move(&bodies, to: store)
        for (body, text) in zip(bodies, texts) {
            guard case .stored = body.storage else { Issue.record("not moved"); continue }
            #expect(body.html == text)
            #expect(body.plainText == "plain " + text)
        }
    }

    /// After a short write, the vectors resume at the first byte not written.
    @Test func shortWritesResumeAtTheRightByte() {
        let bytes = Array(0..<20).map(UInt8.init)
        bytes.withUnsafeBufferPointer { buffer in
            let base = UnsafeMutableRawPointer(mutating: buffer.baseAddress!)
            let lengths = [3, 0, 5, 2, 10]
            var offsets: [Int] = [], start = 0
            for length in lengths { offsets.append(start); start += length }
            for written in 0...20 {
                var vectors = zip(offsets, lengths).map { iovec(iov_base: base + $0, iov_len: $1) }
                var first = 0
                BodyStore.advance(&vectors, first: &first, by: written)
                // What is left, in order, is exactly the bytes from `written` on.
                let rest = vectors[first...].flatMap { vector in
                    Array(UnsafeRawBufferPointer(start: vector.iov_base, count: vector.iov_len))
                }
                #expect(rest == Array(bytes[written...]), "after \(written) bytes")
            }
        }
    }
}


/// Fingerprints tell apart inputs that differ in any one bit, at any position, word-aligned or not.
@Suite struct FingerprintTests {
    @Test func everySingleBitChangeChangesTheFingerprint() {
        // Short (one lane) and long (four lanes, then the tail): 57 and 157 bytes.
        let short = "The Peninsula: an article body of some length, 37 bytes+"
        for base in [Array(short.utf8), Array((short + short + "and a tail of 43 bytes beyond the lanes...").utf8)] {
            var seen: Set<UInt64> = [Fingerprint(bytes: base).value]
            for position in base.indices {
                for bit in 0..<8 {
                    var changed = base
                    changed[position] ^= UInt8(1 << bit)
                    seen.insert(Fingerprint(bytes: changed).value)
                }
            }
            #expect(seen.count == 1 + base.count * 8, "\(base.count) bytes")
        }
    }

    /// The lanes are told apart: the same 8-byte words in another order give another fingerprint.
    @Test func wordsSwappedBetweenLanesChangeTheFingerprint() {
        let words = (0..<12).map { n in Array("word \(n % 10)..".utf8).prefix(8) }
        let base = words.flatMap { $0 }
        var seen: Set<UInt64> = [Fingerprint(bytes: base).value]
        for (a, b) in [(0, 1), (0, 4), (1, 2), (2, 3), (3, 7), (0, 8), (5, 6)] {
            var swapped = words
            swapped.swapAt(a, b)
            if swapped != words { seen.insert(Fingerprint(bytes: swapped.flatMap { $0 }).value) }
        }
        #expect(seen.count == 8)
    }

    @Test func bytesAndTextAgreeAndPartsAreDelimited() {
        #expect(Fingerprint(bytes: Array("héllo wörld, 12 bytes+".utf8)) == Fingerprint("héllo wörld, 12 bytes+"))
        #expect(Fingerprint("ab", "c") != Fingerprint("a", "bc"))
        #expect(Fingerprint("abcdefgh", "") != Fingerprint("", "abcdefgh"))
        #expect(Fingerprint(bytes: []) != Fingerprint(bytes: [0]))
        #expect(Fingerprint(bytes: [UInt8](repeating: 0, count: 8)) != Fingerprint(bytes: [UInt8](repeating: 0, count: 16)))
    }
}

/// The template engine's escaping (8 bytes at a time) agrees with `HTML.escape` and with a
/// scalar-by-scalar reference at every offset.
@Suite struct TemplateEscapingTests {
    /// Escaping one scalar at a time: for HTML (`xml` false) `& < > " '`; for XML those (with
    /// `&apos;`) and the characters XML 1.0 does not allow dropped.
    static func reference(_ text: String, xml: Bool) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 38: out += "&amp;"
            case 60: out += "&lt;"
            case 62: out += "&gt;"
            case 34: out += "&quot;"
            case 39: out += xml ? "&apos;" : "&#39;"
            case 9, 10, 13: out.unicodeScalars.append(scalar)
            case 0..<0x20 where xml, 0x7F where xml, 0xFFFE where xml, 0xFFFF where xml: break
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
    static func htmlReference(_ text: String) -> String { reference(text, xml: false) }
    static func xmlReference(_ text: String) -> String { reference(text, xml: true) }

    @Test func escapingAgreesWithHTMLEscapeAtEveryOffset() {
        let pieces = ["a", "&", "<", ">", "\"", "'", "é", "xyzxyzxy", " ", "한", "\u{1}", "\u{FFFE}"]
        for text in piecedTexts(pieces, lengths: 0...40, count: 30, seed: 11) {
            var output: [UInt8] = [1, 2]
            TemplateRenderer.appendEscaped(text, to: &output)
            #expect(output == [1, 2] + Array(Self.htmlReference(text).utf8), "\(text.debugDescription)")
            #expect(HTML.escape(text) == Self.htmlReference(text))
        }
    }

    /// Texts longer than the escaper's 4 KB scratch buffer, with entities across its refills.
    @Test func longTextsAreEscapedWhole() {
        let pieces = ["<p>", "&", "\"", "'", "é", "xyzxyzxy", "\n", "한", "\u{1}", "\u{FFFF}", "abc"]
        for text in piecedTexts(pieces, lengths: 4_090...4_200, count: 2, seed: 17) {
            var output: [UInt8] = [9]
            TemplateRenderer.appendEscaped(text, to: &output)
            #expect(output == [9] + Array(Self.htmlReference(text).utf8))
            var xml: [UInt8] = []
            var copy = text
            copy.withUTF8 { Escaper.append($0, xml: true, to: &xml) }
            #expect(String(decoding: xml, as: UTF8.self) == Self.xmlReference(text))
        }
    }

    /// Feed HTML in a CDATA section: what XML does not allow dropped (as `reference` drops it), `]]>`
    /// split across two sections, everything else as it is; parsed back as XML, the text is the input's.
    @Test func cdataAgreesWithAReferenceAtEveryOffset() throws {
        func reference(_ text: String) -> String {
            var kept = ""
            for scalar in text.unicodeScalars {
                switch scalar.value {
                case 9, 10, 13: kept.unicodeScalars.append(scalar)
                case 0..<0x20, 0x7F, 0xFFFE, 0xFFFF: break
                default: kept.unicodeScalars.append(scalar)
                }
            }
            return kept.replacingOccurrences(of: "]]>", with: "]]]]><![CDATA[>")
        }
        let pieces = ["a", "]", "]]", ">", "]]>", "<p>", "&", "\"", "'", "é", "xyzxyzxyzxyzxyz", "\n", "\u{1}",
                      "\u{7F}", "\u{FFFE}", "한"]
        for text in piecedTexts(pieces, lengths: 0...60, count: 40, seed: 23)
            + piecedTexts(pieces, lengths: 4_090...4_130, count: 2, seed: 29) {
            var out: [UInt8] = []
            var copy = text
            copy.withUTF8 { Escaper.appendCDATA($0, to: &out) }
            let section = String(decoding: out, as: UTF8.self)
            #expect(section == reference(text), "\(text.debugDescription)")
            // As XML, the sections hold the text (without what XML does not allow).
            let document = Data(("<x><![CDATA[" + section + "]]></x>").utf8)
            let parser = XMLParser(data: document)
            let collector = CDATACollector()
            parser.delegate = collector
            #expect(parser.parse(), "\(text.debugDescription)")
            #expect(collector.text == reference(text).replacingOccurrences(of: "]]]]><![CDATA[>", with: "]]>"))
        }
    }

    /// `sitegen_escape` never writes past the room it is given: a clean run of up to 15 bytes, then the
    /// longest entity or `]]>` split, at every fill of the buffer and in every mode, with canary bytes
    /// after it. (A guard of 16 bytes let it write 14 past the end.)
    @Test func escapingStaysInsideItsBuffer() {
        let canary: UInt8 = 0xA5
        for mode: Int32 in [0, 1, Int32(SITEGEN_ESCAPE_CDATA)] {
            for special in mode == Int32(SITEGEN_ESCAPE_CDATA) ? ["]]>", "]]\u{1}>"] : ["\"", "&", "'"] {
                // Clean bytes before the special one, and enough after it for a 16-byte block there.
                for run in 0...48 {
                    let text = Array((String(repeating: "a", count: run) + special + String(repeating: "b", count: 16)).utf8)
                    for capacity in 30...62 {
                        var out = [UInt8](repeating: canary, count: capacity + 32)
                        var consumed = 0
                        let written = text.withUnsafeBufferPointer { text in
                            out.withUnsafeMutableBufferPointer { out in
                                sitegen_escape(text.baseAddress!, text.count, mode, out.baseAddress!, capacity, &consumed)
                            }
                        }
                        #expect(written <= capacity && consumed > 0, "mode \(mode), run \(run), capacity \(capacity)")
                        #expect(out[capacity...].allSatisfy { $0 == canary },
                                "mode \(mode), run \(run) + \(special.debugDescription), capacity \(capacity)")
                    }
                }
            }
        }
    }

    /// XML escaping (clean runs found 16 bytes at a time) against a scalar-by-scalar reference.
    @Test func xmlEscapingAgreesWithAReferenceAtEveryOffset() {
        let reference = Self.xmlReference
        // Control characters next to tab, newline and return (8, 11, 12, 14) included: the fast path
        // lets those three through and must not let their neighbours through with them.
        let pieces = ["a", "&", "<", "\"", "'", "é", "xyzxyzxy", "\n", "\t", "\r", "\u{1}", "\u{7F}", "\u{FFFE}",
                      "\u{FFFF}", "\u{FEFF}", "\u{EFFF}", "한", "\u{8}", "\u{B}", "\u{C}", "\u{E}", "\n\u{B}\t\u{8}"]
        for text in piecedTexts(pieces, lengths: 0...40, count: 60, seed: 5) {
            #expect(XML.escape(text) == reference(text), "\(text.debugDescription)")
        }
    }
}

/// Template objects (a small array scanned by key hash) behave like a dictionary.
@Suite struct TemplateFieldsTests {
    @Test func setRemoveAndMergeAgreeWithADictionary() {
        let pool = ["", "a", "b", "url", "title", "document_title", "total_publications_of_the_site", "é", "한국", "A"]
        var fields = TemplateFields()
        var reference: [String: TemplateValue] = [:]
        var state: UInt64 = 7
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        for step in 0..<2_000 {
            let key = pool[next(pool.count)]
            switch next(4) {
            case 0:
                fields[key] = nil
                reference[key] = nil
            case 1:
                let other: TemplateFields = [pool[next(pool.count)]: .int(step), pool[next(pool.count)]: .int(-step)]
                fields.merge(other) { old, new in old == new ? old : .list([old, new]) }
                reference.merge(other.mapValues { $0 }) { old, new in old == new ? old : .list([old, new]) }
            default:
                fields[key] = .int(step)
                reference[key] = .int(step)
            }
            #expect(fields.count == reference.count)
            #expect(fields.mapValues { $0 } == reference)
            for name in pool {
                #expect(fields[name] == reference[name], "\(name) at step \(step)")
                #expect(TemplateValue.object(fields)[TemplateKey(name)] == reference[name])
            }
        }
    }

    @Test func equalityIgnoresOrderAndLiteralsKeepTheLastValue() {
        let forward: TemplateFields = ["a": 1, "b": 2, "c": 3]
        let backward: TemplateFields = ["c": 3, "b": 2, "a": 1]
        #expect(forward == backward)
        #expect(forward != ["a": 1, "b": 2])
        #expect(forward != ["a": 1, "b": 2, "d": 3])
        #expect(TemplateFields(["c": 3, "a": 1, "b": 2]) == forward)
        let repeated = TemplateValue(dictionaryLiteral: ("k", 1), ("k", 2))
        #expect(repeated == ["k": 2])
        #expect(forward.merging(["a": 9, "z": 0]) { _, new in new } == ["a": 9, "b": 2, "c": 3, "z": 0])
        #expect(forward.keys.sorted() == ["a", "b", "c"])
    }
}

/// `FileIO.read` with a size taken before the read: a file that grew or shrank since is still read whole.
@Suite("FileIO")
struct FileIOTests {
    @Test func readsWholeFileWhateverTheExpectedSize() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sitegen-fileio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for length in [0, 1, 7, 4095, 4096, 4097, 10_000] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let path = folder.appendingPathComponent("f\(length)").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            for expected in [nil, 0, length / 2, max(length - 1, 0), length, length + 1, length + 5000] {
                #expect(try FileIO.read(path, size: expected) == bytes, "length \(length), expected \(String(describing: expected))")
            }
        }
        #expect(throws: FileIO.Failure.self) { try FileIO.read(folder.appendingPathComponent("missing").path, size: 10) }
        #expect(throws: FileIO.Failure.self) { try FileIO.read(folder.path, size: 10) }
    }
}

/// The text of a document's CDATA sections and character data, joined.
final class CDATACollector: NSObject, XMLParserDelegate {
    var text = ""
    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) { text += String(decoding: CDATABlock, as: UTF8.self) }
    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
}

@Suite struct ArrangeTests {
    /// `Array.arrange(by:)` (the assembler's move into newest-first order) puts the elements exactly
    /// where a copy through the order would, for permutations with every kind of cycle.
    @Test func arrangingByAnOrderEqualsMappingThroughIt() {
        var generator = SystemRandomNumberGenerator()
        for count in [0, 1, 2, 3, 7, 64, 257] {
            for _ in 0..<20 {
                let order = Array(0..<count).shuffled(using: &generator)
                var items = (0..<count).map { "item \($0)" }
                let expected = order.map { items[$0] }
                items.arrange(by: order)
                #expect(items == expected, "order \(order)")
            }
        }
        var reversed = [1, 2, 3, 4, 5]
        reversed.arrange(by: [4, 3, 2, 1, 0])
        #expect(reversed == [5, 4, 3, 2, 1])
    }
}
