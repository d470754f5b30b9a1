import Foundation
import Testing
import Yams
import CCmarkGFM
@testable import SiteGen

/// The load stage's fast paths must give exactly what the general code gives: each test compares a
/// fast path with the slower code it stands in for, on ordinary input and on the edge cases.
@Suite("Content load fast paths")
struct ContentFastPathTests {
    // MARK: Summary

    /// Deterministic pseudo-random ASCII paragraphs around the summary limit, with runs of spaces and
    /// newlines and punctuation where the cut falls.
    static func paragraphs() -> [String] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let pieces = ["word", "a", "policy", "x,", "end.", "semi;", "colon:", "dash-", "--", "...", " ", "  ",
                      "\n", "\n\n", " \n ", "tab\there", "ünicode"].dropLast()  // ASCII only
        var result = ["", " ", "\n", "one", " lead and trail \n", String(repeating: "x", count: 400),
                      String(repeating: "ab ", count: 100), String(repeating: "y", count: 279) + " z,.;",
                      String(repeating: "w", count: 280), String(repeating: "w", count: 281),
                      String(repeating: "q", count: 270) + ", - . more words here to pass the limit"]
        for _ in 0..<400 {
            var text = ""
            let target = 200 + next(200)
            while text.utf8.count < target { text += pieces[next(pieces.count)] + (next(3) == 0 ? "" : " ") }
            result.append(text)
        }
        return result
    }

    @Test func asciiSummaryEqualsTheCharacterVersion() {
        for paragraph in Self.paragraphs() {
            let fast = Summary.makeASCII(paragraph)
            #expect(fast != nil)
            #expect(fast == Summary.makeCharacters(paragraph), "\(paragraph.debugDescription)")
        }
    }

    @Test func summaryLeavesOtherTextToTheCharacterVersion() {
        #expect(Summary.makeASCII("café au lait") == nil)
        #expect(Summary.makeASCII("line\r\nnext") == nil)
        #expect(Summary.makeASCII("lone\rreturn") == nil)
        let long = String(repeating: "é ", count: 200) + "end"
        #expect(Summary.make(from: long) == Summary.makeCharacters(long))
        #expect(Summary.make(from: long).hasSuffix("…"))
    }

    /// Random paragraphs from pieces that stand alone (smart quotes, dashes, accented letters, Hangul,
    /// Han) and pieces that join a neighbour or need the Character path (a combining accent, CR LF,
    /// Hangul jamo, an emoji with a joiner, a variation selector).
    @Test func scalarSummaryEqualsTheCharacterVersion() {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let alone = ["word", "“quoted”", "it’s", "–", "—", "…", "café", "Ελλάδα", "Россия", "한국어", "漢字", ",", ".",
                     " ", "  ", "\n", "€5", "x;", "end—"]
        let joining = ["e\u{301}", "\r\n", "\u{1100}\u{1161}", "한\u{11A8}", "👩\u{200D}💻", "✌\u{FE0F}", " \u{301}"]
        var fastCount = 0
        for round in 0..<600 {
            var text = ""
            let target = 150 + next(300)
            while text.unicodeScalars.count < target {
                text += alone[next(alone.count)] + (next(3) == 0 ? "" : " ")
                if round % 3 == 0, next(40) == 0 { text += joining[next(joining.count)] }
            }
            let expected = Summary.makeCharacters(text)
            #expect(Summary.make(from: text) == expected, "\(text.debugDescription)")
            if let fast = Summary.makeScalars(text) {
                fastCount += 1
                #expect(fast == expected, "\(text.debugDescription)")
            }
        }
        #expect(fastCount >= 300, "most of the paragraphs take the scalar path")
        #expect(Summary.makeScalars("e\u{301}") == nil)
        #expect(Summary.makeScalars("a\r\nb") == nil)
        #expect(Summary.makeScalars("“smart” — quotes") == "“smart” — quotes")
    }

    /// Trimming keeps Foundation's result, for text that needs trimming and text that does not.
    @Test func trimmingEqualsFoundation() {
        let samples = ["", " ", "\t", "\n", "a", " a", "a ", "\ta\t", "\na\n", "\r\n", "a\r\n", "\u{A0}a", "a\u{A0}",
                       "\u{2003}x\u{3000}", "\u{85}y", "z\u{2028}", "é", " é ", "\u{0B}v\u{0C}", "2024-01-02",
                       " 2024-01-02T10:00:00Z\t", "\u{0}nul\u{0}"]
        for sample in samples {
            #expect(Bytes.trimmed(sample, newlines: false) == sample.trimmingCharacters(in: .whitespaces),
                    "\(sample.debugDescription)")
            #expect(Bytes.trimmed(sample, newlines: true) == sample.trimmingCharacters(in: .whitespacesAndNewlines),
                    "\(sample.debugDescription)")
        }
    }

    /// The byte checks of ASCII URLs give what the Character checks give.
    @Test func asciiURLChecksEqualTheGeneralOnes() {
        let samples = ["/images/a.jpg", "https://example.org/x", "javascript:alert(1)", "JavaScript:x",
                       "java\tscript:x", "java\nscript:x", " j a v a s c r i p t : x", "vbscript:x", "VBSCRIPT:",
                       "data:text/html,x", "DATA:", "file:///etc/passwd", "fil e:x", "a\u{1}b", "a\u{7F}b",
                       "javascript", "javascrip:", "ftp://x", "data", "\r\nfile:x", "x\r\ny", "mailto:a@b.c"]
        for sample in samples {
            #expect(URLSafety.asciiProblem(with: sample) == URLSafety.generalProblem(with: sample), "\(sample.debugDescription)")
        }
        #expect(URLSafety.problem(with: "  javascript:x ") != nil)
        #expect(URLSafety.problem(with: "/ok.png") == nil)
    }

    // MARK: Word count and heading text

    @Test func wordCountMatchesASimpleCount() {
        let samples = ["", " ", "one", " one ", "one two\tthree\nfour", "\n\n a  b \t\t c\n", "ü ß — x",
                       String(repeating: "w ", count: 1000), "no-space-at-all", "a\u{0B}b"]
        for sample in samples {
            let expected = sample.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).count
            let counted = Array(sample.utf8).withUnsafeBufferPointer(TreeWalk.countWords)
            #expect(counted == expected, "\(sample.debugDescription)")
        }
        // Every length up to three 16-byte blocks and more, with spaces and words at every offset.
        for sample in piecedTexts([" ", "\n", "\t", "a", "é", "\u{0B}", "bc"], lengths: 0...56, count: 40, seed: 7) {
            let expected = sample.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).count
            #expect(Array(sample.utf8).withUnsafeBufferPointer(TreeWalk.countWords) == expected, "\(sample.debugDescription)")
        }
    }

    /// Sources are valid UTF-8 (checked when read), so cmark does not check them again; a NUL still
    /// becomes U+FFFD, in the HTML and in the plain text.
    @Test func nulBecomesTheReplacementCharacter() {
        let result = MarkdownRenderer().render("a\u{0}b *c\u{0}*\n\n`x\u{0}`\n")
        #expect(result.html == "<p>a\u{FFFD}b <em>c\u{FFFD}</em></p>\n<p><code>x\u{FFFD}</code></p>\n")
        #expect(!result.plainText.contains("\u{0}"))
    }

    @Test func headingTextJoinsLinesAndInlineMarkup() {
        // A soft break is a space in the plain text; a newline from an entity is one only in the heading.
        let result = MarkdownRenderer().render(
            "Intro *here*.\n\nSetext *heading*\nwith `code`&#10;x\n===\n\n## Two  [link](/x)\n\nEnd\n")
        #expect(result.headings.map(\.text) == ["Setext heading with code x", "Two  link"])
        #expect(result.plainText == "Intro here.\nSetext heading with code\nx\nTwo  link\nEnd\n")
        #expect(result.firstParagraph == "Intro here.")
        #expect(result.wordCount == 10)
    }

    // MARK: Simple front matter

    /// Whenever the fast reader accepts a block, Yams must read it without error to a mapping of plain
    /// keys whose values convert to the same: text, plain or quoted, positions (offset by the block's
    /// first line), children in order.
    static func expectSameAsYams(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard let fast = SimpleFrontMatter.read(yaml, firstLine: 3) else { return false }
        let slow: Node?
        do { slow = try Yams.compose(yaml: yaml, .default, .default, .utf8) } catch {
            Issue.record("fast path accepted what Yams rejects: \(yaml.debugDescription): \(error)", sourceLocation: sourceLocation)
            return true
        }
        guard let slow, case .mapping(let pairs, _) = YAMLValue(slow, firstLine: 3) else {
            Issue.record("Yams read no mapping from \(yaml.debugDescription)", sourceLocation: sourceLocation)
            return true
        }
        let fields = pairs.map { pair -> YAMLFields.Field? in
            guard case .scalar(let key) = pair.key, key.style == .plain else { return nil }
            return YAMLFields.Field(key: key.text, keyPosition: key.position, value: pair.value)
        }
        #expect(fast == fields, "\(yaml.debugDescription)", sourceLocation: sourceLocation)
        return true
    }

    @Test func simpleFrontMatterEqualsYams() {
        let accepted = [
            "title: \"Revenue reform which crisis & \\\"Program\\\"\"\ndate: 2024-12-26T15:38:52Z\nauthors: [rafael-ferrante, yuna-brandt]\ncategories: [\"Russia\", \"Alliances\"]\nsummary: \"As legislation: # not a comment\"\nimage: /images/photo-4.svg\nimage_alt: \"Framework.\"",
            "title: Plain title, with (parens) and it's fine!\ndraft: true\nslug: a-b\naliases: []",
            "name: Ann Lee\ntitle: null\nphoto: /a.png",
            "n: 123\nx: 1.5e3\nz: a:b\nurl: https://example.org/x?y",
            "list: [\"a, b\", c, \"\", d/e.f_g-h]",
            "back: \"\\\\\"",
            // Non-ASCII text in quotes; columns after it count characters, not bytes.
            "name: \"Chloé Brandt\"\ntitle: \"외교 (Harbor) \\\"q\\\" 😀\"",
            "list: [\"é\", b, \"외교\", c, \"😀\\\\x\", \"\u{A0}\u{E000}\u{FFFD}\u{10FFFF}\", d]",
            (0..<64).map { "k\($0): x" }.joined(separator: "\n"),
        ]
        for yaml in accepted {
            #expect(Self.expectSameAsYams(yaml), "not taken by the fast path: \(yaml.debugDescription)")
        }
        let rejected = [
            "", "title: x\n", "title: a # comment", "title: x\n  continued", "title: 'single'", "a: 1\na: 2",
            "title: a: b", "title: ends:", "title: trailing ", "title:  two", "title:", "- a", "? a",
            "title: &anchor x", "title: *alias", "title: !tag x", "title: [a,b]", "title: [ a ]", "title: [a, [b]]",
            "title: {a: b}", "title: \"tab\there\"", "title: \"new\\nline\"", "title: café", "title: \"x\" y",
            "title: |\n  block", "title: >\n  folded", "title: -x", "title: .5", "title: %x", "title: @x",
            "title: `x`", "y: ~a", "y: a~", "\"quoted key\": x", "1key: x", "key : x", "key:x", "# comment\ntitle: x",
            "title: x\n\ndate: y", "title: [a, b] ", "title: [a,  b]", "title: [\"a\" , b]", "nested:\n  a: b",
            "title: a #b", "title: a\tb", String(repeating: "k", count: 65) + ": x",
            "title: \"\u{85}\"", "title: \"a\u{2028}b\"", "title: \"\u{2029}\"", "title: \"\u{FEFF}\"", "title: \"\u{9F}\"",
            "title: \"\u{FFFE}\"", "title: \"\u{FFFF}\"", "title: [é]", "é: \"x\"", "title: \"é\" é",
            (0..<65).map { "k\($0): x" }.joined(separator: "\n"),
        ]
        for yaml in rejected {
            #expect(SimpleFrontMatter.read(yaml, firstLine: 1) == nil, "\(yaml.debugDescription)")
        }
    }

    /// Random lines from tricky pieces: whatever the fast path accepts must equal Yams.
    @Test func simpleFrontMatterFuzzAgainstYams() {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let keys = ["title", "date", "a", "_x", "k9", "title", "on", "null", "true"]
        let pieces = ["a", "b1", " ", ":", ": ", "#", " #", "\"", "\\", "\\\"", "[", "]", ", ", ",", "'", "-", "/",
                      "?", "!", "&", "*", "(", ")", ".", "~", "null", "true", "12", "0x1F", "2024-01-01", "%", "|", ">",
                      "{", "}", "@", "`", "\t", ";", "+", "_", "=", "\u{00e9}", "외교", "😀", "\u{A0}",
                      "\u{85}", "\u{2028}", "\u{FEFF}", "\u{9F}"]
        var accepted = 0
        for _ in 0..<4000 {
            var lines: [String] = []
            for _ in 0..<(1 + next(4)) {
                var value = ""
                let form = next(3)
                if form == 0 { value += "\"" }
                if form == 1 { value += "[" }
                for _ in 0..<(1 + next(6)) { value += pieces[next(pieces.count)] }
                if form == 0 && next(4) != 0 { value += "\"" }
                if form == 1 && next(4) != 0 { value += "]" }
                lines.append(keys[next(keys.count)] + ": " + value)
            }
            if Self.expectSameAsYams(lines.joined(separator: "\n")) { accepted += 1 }
        }
        #expect(accepted > 100)  // the fuzz must exercise the fast path, not only its refusals
    }

    /// Yams shares the node an alias names; converting each collection once keeps that sharing, so a
    /// few lines of nested aliases (here a million leaves) stay a few dozen values.
    @Test func aliasedNodesAreConvertedOnce() throws {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"
        for level in 1...6 {
            yaml += "\na\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]"
        }
        let node = try #require(try Yams.compose(yaml: yaml, .default, .default, .utf8))
        var converter = YAMLValue.Converter(firstLine: 2)
        let value = converter.convert(node)
        #expect(converter.converted < 100)
        guard case .mapping(let pairs, _) = value, case .sequence(let items, _) = pairs[6].value else {
            Issue.record("not a mapping of lists: \(value)")
            return
        }
        #expect(items.count == 10 && items[9] == pairs[5].value)
        #expect(items[9].position == SourcePosition(line: 7, column: 5))
    }

    // MARK: cmark arena

    /// cmark's own HTML for `markdown` with the system allocator, as before the arena.
    static func systemAllocatorHTML(_ markdown: String) -> String {
        _ = MarkdownRenderer.registered
        let options = MarkdownRenderer().options
        let parser = cmark_parser_new(options)!
        defer { cmark_parser_free(parser) }
        for name in MarkdownRenderer.extensionNames {
            if let ext = cmark_find_syntax_extension(name) { cmark_parser_attach_syntax_extension(parser, ext) }
        }
        cmark_parser_feed(parser, markdown, markdown.utf8.count)
        MarkdownRenderer.parseLock.lock()
        let document = cmark_parser_finish(parser)!
        MarkdownRenderer.parseLock.unlock()
        defer { cmark_node_free(document) }
        let rendered = cmark_render_html(document, options, cmark_parser_get_syntax_extensions(parser))!
        defer { free(rendered) }
        return String(cString: rendered)
    }

    /// Documents without headings, task lists or root-relative links, so the HTML is cmark's own.
    @Test func arenaRenderEqualsSystemAllocator() {
        let small = "Para with ~~struck~~ *em* https://example.org/x and `code`.\n\n| A | B |\n|---|:-:|\n| 1 | ~~2~~ |\n\n"
            + "Note.[^n]\n\n[^n]: Footnote at www.example.com.\n\n> quote\n\n```swift\nlet x = 1\n```\n"
        // Larger than an arena chunk, so blocks move between chunks and the oversized chunk is dropped.
        let large = (0..<6000).map { "Row \($0) ~~x~~ https://example.org/\($0) *y* [^f\($0 % 50)]\n" }.joined(separator: "\n")
            + (0..<50).map { "\n[^f\($0)]: F \($0)\n" }.joined()
        let renderer = MarkdownRenderer()
        for document in [small, large, small, large, small] {
            let html = renderer.render(document).html
            #expect(html == Self.systemAllocatorHTML(document))
        }
        #expect(renderer.render(large).html.utf8.count > 2_000_000)
    }

    // MARK: Blank values

    @Test func blankCheckEqualsTrimming() {
        for text in ["", " ", "\t\n\r", "\u{0B}\u{0C}", "\u{A0}", "\u{2003}", "\u{2003}x", " a ", "\u{7F}", "\u{85}",
                     "\u{2028}", "é", "\u{200B}", "title"] {
            #expect(YAMLFields.isBlank(text) == text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
                    "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    // MARK: Scanner

    @Test func readdirWalkEqualsTheFileManagerWalk() throws {
        let fileManager = FileManager.default
        let source = fileManager.temporaryDirectory.appendingPathComponent("sitegen-walk-\(UUID().uuidString)")
        defer { try? fileManager.removeItem(at: source) }
        let content = source.appendingPathComponent("content")
        for folder in ["blog/2024", "blog/.hidden", "pages", "images/nested/deeper", "empty"] {
            try fileManager.createDirectory(at: content.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        for file in ["_index.md", "blog/a.md", "blog/2024/b.md", "blog/.hidden/c.md", "blog/.dot.md", "pages/p.md",
                     "images/x.svg", "images/nested/deeper/y.png", "ünïcode.md"] {
            try Data("x".utf8).write(to: content.appendingPathComponent(file))
        }
        func link(_ at: String, _ to: String) throws {
            try fileManager.createSymbolicLink(atPath: content.appendingPathComponent(at).path, withDestinationPath: to)
        }
        try link("blog/link.md", "a.md")                          // file inside the site
        try link("linked-images", "images")                      // folder inside the site (visited once)
        try link("blog/broken.md", "missing.md")                  // broken
        try link("blog/outside.txt", "/etc/hostname")             // leaves the site
        #expect(mkfifo(content.appendingPathComponent("pipe").path, 0o600) == 0)

        var fastDiagnostics: [Diagnostic] = []
        var legacyDiagnostics: [Diagnostic] = []
        let fast = ContentScanner.walk(content, source: source, diagnostics: &fastDiagnostics)
        let legacy = ContentScanner.legacyWalk(content, source: source, diagnostics: &legacyDiagnostics)
        #expect(fast == legacy)
        #expect(fast.contains("blog/link.md") && fast.contains("pipe") && fast.contains("ünïcode.md"))
        #expect(!fast.contains { $0.contains(".hidden") || $0.contains(".dot") })
        #expect(fastDiagnostics.map(\.description).sorted() == legacyDiagnostics.map(\.description).sorted())
        #expect(fastDiagnostics.count == 2)
        #expect(ContentScanner.walk(content.appendingPathComponent("nothing"), source: source,
                                    diagnostics: &fastDiagnostics) == [])
    }
}
