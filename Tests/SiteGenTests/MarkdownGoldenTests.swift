import Foundation
import CSiteGenSupport
import Testing
@testable import SiteGen

/// Exact Markdown rendering: every `Golden/<feature>.md` is rendered and compared byte for byte with
/// `Golden/<feature>.html`. Run with `SITEGEN_UPDATE_GOLDEN=1` to rewrite the .html files in the source
/// tree on purpose (then read the diff).
///
/// Renderer per file: names ending in `-on` use `unsafeHTML: true`; `root-path-links` uses the root
/// path "/blog/"; everything else the defaults.
@Suite("Markdown golden files")
struct MarkdownGoldenTests {
    static let features = ["autolink", "footnotes", "heading-anchors", "raw-html-off", "raw-html-on",
                           "root-path-links", "smart-punctuation", "strikethrough", "tables", "tasklist"]

    static var updating: Bool { ProcessInfo.processInfo.environment["SITEGEN_UPDATE_GOLDEN"] == "1" }

    /// The Golden folder in the source tree (written in update mode).
    static var sourceFolder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    }

    /// The Golden folder copied into the test bundle (read when comparing).
    static var bundleFolder: URL? { Bundle.module.url(forResource: "Golden", withExtension: nil) }

    static func renderer(for name: String) -> MarkdownRenderer {
        if name == "root-path-links" { return MarkdownRenderer(rootPath: "/blog/") }
        return MarkdownRenderer(unsafeHTML: name.hasSuffix("-on"))
    }

    static func markdownNames(in folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".md") }
            .map { String($0.dropLast(3)) }
            .sorted()
    }

    @Test func goldenFilesMatch() throws {
        let folder = Self.updating ? Self.sourceFolder : try #require(Self.bundleFolder, "Golden resources missing")
        let names = try Self.markdownNames(in: folder)
        for feature in Self.features {
            #expect(names.contains(feature), "Golden/\(feature).md is missing")
        }
        for name in names {
            let markdown = try String(contentsOf: folder.appendingPathComponent("\(name).md"), encoding: .utf8)
            let html = Data(Self.renderer(for: name).render(markdown).html.utf8)
            let expectedURL = folder.appendingPathComponent("\(name).html")
            if Self.updating {
                try html.write(to: expectedURL)
                continue
            }
            guard let expected = FileManager.default.contents(atPath: expectedURL.path) else {
                Issue.record("Golden/\(name).html is missing; run with SITEGEN_UPDATE_GOLDEN=1 to create it")
                continue
            }
            #expect(html == expected, """
                Golden/\(name).html differs; rendered:
                \(String(decoding: html, as: UTF8.self))
                """)
        }
    }

    /// Spot checks that hold whatever the golden files say, so a careless update cannot bless a regression.
    @Test func featuresAreRendered() {
        let plain = MarkdownRenderer()
        #expect(plain.render("~~x~~").html == "<p><del>x</del></p>\n")
        #expect(plain.render("- [ ] a").html.contains("<input type=\"checkbox\" disabled=\"\" aria-label=\"Not done\" />"))
        #expect(plain.render("| a |\n|:-|\n| b |").html.contains("<td style=\"text-align: left\">b</td>"))
        #expect(plain.render("\"a\" -- b").html == "<p>“a” – b</p>\n")
        #expect(plain.render("<b>x</b>").html == "<p><!-- raw HTML omitted -->x<!-- raw HTML omitted --></p>\n")
        #expect(MarkdownRenderer(unsafeHTML: true).render("<b>x</b>").html == "<p><b>x</b></p>\n")
        #expect(plain.render("see https://example.org/x").html
                == "<p>see <a href=\"https://example.org/x\">https://example.org/x</a></p>\n")
        #expect(MarkdownRenderer(rootPath: "/blog/").render("[a](/x/)").html == "<p><a href=\"/blog/x/\">a</a></p>\n")
        #expect(MarkdownRenderer(rootPath: "/").render("[a](/x/)").html == "<p><a href=\"/x/\">a</a></p>\n")
    }

    /// Documents without '@' or '&' are parsed with an autolink extension that has no postprocess
    /// step (e-mail links); they must render exactly as with the registered extension, and documents
    /// with either character still get their e-mail links.
    @Test func autolinkWithoutItsPostprocessChangesNothingWhereItIsUsed() throws {
        let renderer = MarkdownRenderer()
        let without = try #require(MarkdownRenderer.extensionsWithoutEmailLinks)
        #expect(without.count == MarkdownRenderer.allExtensions.count && without != MarkdownRenderer.allExtensions)
        let documents = [
            "see https://example.org/x_y_z and www.example.com/path_(x), then http://a.b/c.",
            "Visit www.example.org, or ftp://files.example.org/a; *www.em.org* and [www.link.org](/x)",
            "A \"quoted\" www.example.org's page -- and 'single' ones... `code www.x.org`",
            "| a | b |\n|---|:-:|\n| www.t.org | https://u.org/v |\n\n- [x] www.done.org\n- [ ] ~~www.old.org~~",
            "Footnote[^1] with https://example.org/\n\n[^1]: See www.example.org/notes.",
            "# Heading www.h.org\n\n> quote https://q.org/q?a=1\n\n    code https://c.org\n",
            "wwwx www. w.x.y www.a_b.c http://localhost:8080/path?q=x#frag https:// :// done:",
        ]
        for markdown in documents {
            let bytes = Array(markdown.utf8)
            #expect(bytes.withUnsafeBytes { MarkdownRenderer.extensions(for: $0) } == without, "\(markdown)")
            #expect(renderer.render(markdown, extensions: without) == renderer.render(markdown, extensions: MarkdownRenderer.allExtensions),
                    "\(markdown)")
            #expect(renderer.render(markdown) == renderer.render(markdown, extensions: MarkdownRenderer.allExtensions))
        }
        // With '@' or a character reference, the registered extension links e-mail addresses.
        for markdown in ["Write to ann@example.org today", "Write to ann&#64;example.org today", "AT&T: bo@x.org"] {
            #expect(renderer.render(markdown).html.contains("<a href=\"mailto:"), "\(markdown)")
        }
        // And the inline-only extension would not have: the choice matters.
        #expect(!renderer.render("Write to ann@example.org", extensions: without).html.contains("mailto:"))
    }

    /// Documents without `www.` are parsed with an autolink extension that does not make `w` a special
    /// character (so their text is not split at every `w`); they must render exactly as with the
    /// registered extension. `w` is then only in cmark's table while a document with `www.` is parsed
    /// (`cmark_pinning.c`): the concurrency test below mixes both kinds.
    @Test func autolinkWithoutWWWChangesNothingWhereItIsUsed() throws {
        let renderer = MarkdownRenderer()
        let neither = try #require(MarkdownRenderer.extensionsWithoutEmailOrWWW)
        let emailOnly = try #require(MarkdownRenderer.extensionsWithoutWWW)
        #expect(Set([neither, emailOnly, MarkdownRenderer.allExtensions]).count == 3)
        let documents = [
            "see https://example.org/x_y_z and http://a.b/c. Wow, we went west with ftp://w.org/w",
            "A \"quoted\" page's -- and 'single' ones... `code https://x.org` wwwx ww. w.w.w",
            "| a | b |\n|---|:-:|\n| https://t.org/w | ~~wow~~ |\n\n- [x] done https://w.org\n- [ ] ~~old~~",
            "Footnote[^1] with https://example.org/\n\n[^1]: See https://example.org/notes, whatever.",
            "# Heading https://h.org/w\n\n> quote https://q.org/q?a=1\n\n    code https://c.org\n",
            "WWW.EXAMPLE.ORG is not a www link, nor is w ww. or (www)",
        ]
        for markdown in documents {
            let bytes = Array(markdown.utf8)
            #expect(bytes.withUnsafeBytes { MarkdownRenderer.extensions(for: $0) } == neither, "\(markdown)")
            let reference = renderer.render(markdown, extensions: MarkdownRenderer.allExtensions)
            #expect(renderer.render(markdown, extensions: neither) == reference, "\(markdown)")
            #expect(renderer.render(markdown) == reference, "\(markdown)")
        }
        // '@' without `www.`: e-mail links, and the scheme links still made at ':'.
        let mail = "Write to ann@example.org or see https://example.org/w"
        #expect(Array(mail.utf8).withUnsafeBytes { MarkdownRenderer.extensions(for: $0) } == emailOnly)
        #expect(renderer.render(mail) == renderer.render(mail, extensions: MarkdownRenderer.allExtensions))
        #expect(renderer.render(mail).html.contains("<a href=\"mailto:ann@example.org\">"))
        #expect(renderer.render(mail).html.contains("<a href=\"https://example.org/w\">"))
        // With `www.`, the extensions with `w`. (Whether the variant without would miss the link depends
        // on the other tests' parses running meanwhile, which may have `w` in the table.)
        let www = "Visit www.example.org today"
        #expect(Array(www.utf8).withUnsafeBytes { MarkdownRenderer.extensions(for: $0) }
                == MarkdownRenderer.extensionsWithoutEmailLinks)
        #expect(renderer.render(www).html.contains("<a href=\"http://www.example.org\">"))
    }

    /// The one-pass scan that picks the autolink variant agrees with the plain reading of its rules
    /// ('@' or '&' anywhere; "www." anywhere), for texts of every length up to several SSE2 blocks,
    /// with the characters at every offset, across block boundaries too.
    @Test func autolinkNeedsScanAgreesWithTheRules() {
        let alphabet = Array("ww.w@&a .[^".utf8)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(alphabet.count))
        }
        func reference(_ text: [UInt8]) -> Int {
            let email = text.contains(0x40) || text.contains(0x26)
            let www = text.count >= 4 && (3..<text.count).contains { text[$0] == 0x2E && text[($0 - 3)..<$0].allSatisfy { $0 == 0x77 } }
            let footnote = text.count >= 2 && (1..<text.count).contains { text[$0] == 0x5E && text[$0 - 1] == 0x5B }
            return (email ? Int(SITEGEN_NEEDS_EMAIL) : 0) | (www ? Int(SITEGEN_NEEDS_WWW) : 0)
                | (footnote ? Int(SITEGEN_NEEDS_FOOTNOTES) : 0)
        }
        var mismatches = 0
        for length in 0..<70 {
            for _ in 0..<150 {
                var text = (0..<length).map { _ in alphabet[next()] }
                // Mostly without '@' and '&', so that the www. search runs to the end.
                if next() < 6 { text = text.map { $0 == 0x40 || $0 == 0x26 ? 0x61 : $0 } }
                let found = text.withUnsafeBufferPointer { Int(sitegen_autolink_needs($0.baseAddress, $0.count)) }
                if found != reference(text) { mismatches += 1 }
            }
            // "www." placed at every offset of an otherwise plain text.
            for offset in 0...max(0, length - 4) where length >= 4 {
                var text = [UInt8](repeating: 0x61, count: length)
                text.replaceSubrange(offset..<(offset + 4), with: Array("www.".utf8))
                let found = text.withUnsafeBufferPointer { Int(sitegen_autolink_needs($0.baseAddress, $0.count)) }
                if found != Int(SITEGEN_NEEDS_WWW) { mismatches += 1 }
            }
            // "[^" at every offset, with '[' and '^' apart elsewhere.
            for offset in 0...max(0, length - 2) where length >= 2 {
                var text = [UInt8](repeating: 0x61, count: length)
                for index in stride(from: 0, to: length, by: 3) { text[index] = index % 2 == 0 ? 0x5E : 0x5B }
                if offset > 0 { text[offset - 1] = 0x61 }
                text.replaceSubrange(offset..<(offset + 2), with: Array("[^".utf8))
                let found = text.withUnsafeBufferPointer { Int(sitegen_autolink_needs($0.baseAddress, $0.count)) }
                if found != Int(SITEGEN_NEEDS_FOOTNOTES) || found != reference(text) { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
    }

    /// A document without "[^" is parsed without cmark's footnote option (which walks the whole tree
    /// twice, footnotes or not); it must render exactly as with it, and one with "[^" keeps it.
    @Test func footnotesOffOnlyWhereNoneCanStart() throws {
        let renderer = MarkdownRenderer()
        var documents = try TreeWalkTests.sampleDocuments(articles: 30, seed: 3)
        documents += ["", "a [link](/x) and [ref][r] ^caret [ ^ ] [^]\n\n[r]: /y", "[^ no", "x^2 and [brackets]",
                      "Footnote[^1].\n\n[^1]: The note.", "[^a]: definition only", "use &#91;^1] or \\[^1]"]
        var withoutFootnotes = 0
        for markdown in documents {
            let needs = Array(markdown.utf8).withUnsafeBytes { MarkdownRenderer.needs($0) }
            let full = renderer.render(markdown, parseOptions: renderer.options)
            #expect(renderer.render(markdown) == full, "\(markdown.prefix(200))")
            if needs & Int(SITEGEN_NEEDS_FOOTNOTES) == 0 {
                withoutFootnotes += 1
                #expect(renderer.parseOptions(needs: needs) != renderer.options)
            } else {
                #expect(renderer.parseOptions(needs: needs) == renderer.options)
            }
        }
        #expect(withoutFootnotes > 5)
        #expect(renderer.render("Note[^1].\n\n[^1]: Here.").html.contains("data-footnote-ref"))
    }

    /// sitegen's replacement of cmark-gfm's text escaper (`cmark_pinning.c`) writes exactly what the
    /// library's writes, for every byte value, at every offset of texts up to several SSE2 blocks,
    /// as the HTML renderer calls it and in secure mode.
    @Test func textEscaperAgreesWithCmarks() throws {
        func escaped(_ text: [UInt8], secure: Int32, library: Int32) -> [UInt8]? {
            var length = 0
            guard let copy = text.withUnsafeBufferPointer({
                sitegen_test_houdini($0.baseAddress, Int32($0.count), secure, library, &length)
            }) else { return nil }
            defer { free(copy) }
            return Array(UnsafeBufferPointer(start: copy, count: length))
        }
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ bound: Int) -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(bound))
        }
        let usual = Array("&<>\"'/a b".utf8)
        var texts: [[UInt8]] = [Array(0...255), Array((0...255).reversed())]
        for length in 0..<70 {
            for _ in 0..<20 {
                texts.append((0..<length).map { _ in next(4) == 0 ? UInt8(next(256)) : usual[next(usual.count)] })
            }
        }
        var mismatches = 0
        for text in texts {
            for secure: Int32 in [0, 1] {
                let ours = try #require(escaped(text, secure: secure, library: 0))
                if ours != escaped(text, secure: secure, library: 1) { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
        #expect(escaped(Array("a<b & \"c\"".utf8), secure: 0, library: 0) == Array("a&lt;b &amp; &quot;c&quot;".utf8))
    }

    @Test func headingsAndPlainText() {
        let result = MarkdownRenderer().render("""
            # Trade & Sanctions

            First *paragraph*
            continues here.

            ## Trade & Sanctions

            - item one
            """)
        #expect(result.headings == [
            .init(level: 1, text: "Trade & Sanctions", id: "trade-sanctions"),
            .init(level: 2, text: "Trade & Sanctions", id: "trade-sanctions-2"),
        ])
        #expect(result.firstParagraph == "First paragraph continues here.")
        #expect(result.plainText == "Trade & Sanctions\nFirst paragraph continues here.\nTrade & Sanctions\nitem one\n")
        #expect(result.wordCount == 12)
    }

    // MARK: Concurrency

    /// ~300 different documents exercising the inline extensions whose state cmark-gfm keeps globally.
    static func documents() -> [String] {
        (0..<300).map { i in
            var parts: [String] = ["# Heading \(i)", "Paragraph \(i) with ~~struck \(i)~~ text and *emphasis*."]
            if i % 2 == 0 { parts.append("Visit https://example.org/x/\(i) or www.example.com/\(i).") }
            if i % 3 == 0 {
                parts.append("| A | B |\n|---|:-:|\n| \(i) | ~~\(i * 2)~~ |\n| https://example.org/t/\(i) | `c` |")
            }
            if i % 4 == 0 { parts.append("- [x] done \(i)\n- [ ] todo ~~\(i)~~") }
            if i % 5 == 0 { parts.append("Note.[^n\(i)]\n\n[^n\(i)]: Footnote \(i) at https://example.org/f/\(i).") }
            if i % 7 == 0 { parts.append("\"Quoted\" -- text... [link](/p/\(i)/) and <span>raw</span>") }
            parts.append(String(repeating: "Filler ~~\(i)~~ https://example.org/\(i) ", count: i % 6 + 1))
            return parts.joined(separator: "\n\n")
        }
    }

    /// The replacement of cmark-gfm's special-character clearing (`cmark_pinning.c`) must be in force
    /// in a normal build, or every parse is serialized again (the concurrency test below would still
    /// pass, so this is what notices a linker or library change that bypasses it).
    @Test func cmarkFinishRunsInParallel() {
        #expect(!MarkdownRenderer.finishIsSerialized)
    }

    @Test func concurrentParsesMatchSerialOnes() async {
        let renderer = MarkdownRenderer(rootPath: "/blog/")
        let documents = Self.documents()
        let serial = documents.map { renderer.render($0) }
        #expect(serial[0].html.contains("<del>struck 0</del>"))
        #expect(serial[0].html.contains("<a href=\"https://example.org/x/0\">"))
        #expect(serial[3].html.contains("<table>"))

        let taskCount = 16
        for round in 0..<8 {
            let results = await withTaskGroup(of: [(Int, MarkdownResult)].self) { group in
                for task in 0..<taskCount {
                    group.addTask {
                        stride(from: task, to: documents.count, by: taskCount).map { ($0, renderer.render(documents[$0])) }
                    }
                }
                var all = [MarkdownResult?](repeating: nil, count: documents.count)
                for await part in group {
                    for (index, result) in part { all[index] = result }
                }
                return all
            }
            var mismatches = 0
            for index in documents.indices where results[index] != serial[index] {
                mismatches += 1
                if mismatches <= 3 {
                    Issue.record("""
                        round \(round), document \(index) rendered differently in parallel:
                        \(results[index]?.html ?? "nil")
                        --- serial:
                        \(serial[index].html)
                        """)
                }
            }
            #expect(mismatches == 0, "round \(round): \(mismatches) of \(documents.count) documents differ")
        }
    }
}
