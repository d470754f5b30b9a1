import Foundation
import Testing
@testable import SiteGen
@testable import SiteGenBench

/// sitegen's join of adjacent text nodes at the end of a parse (consolidate.c) against cmark-gfm's own
/// `cmark_consolidate_text_nodes`, which is its specification: the same trees, node for node, with the
/// same source positions.
@Suite struct ConsolidationTests {
    static func expectSameTrees(_ markdown: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let library = try #require(MarkdownRenderer.consolidationTrees(markdown, direct: false))
        let direct = try #require(MarkdownRenderer.consolidationTrees(markdown, direct: true))
        #expect(library.count == 4 && direct.count == 4)
        for (index, (expected, actual)) in zip(library, direct).enumerated() where expected != actual {
            Issue.record("trees differ (output \(index)) for:\n\(markdown.prefix(300))\n--- library\n\(expected.prefix(2000))\n--- sitegen\n\(actual.prefix(2000))",
                         sourceLocation: sourceLocation)
        }
    }

    @Test func oneJoinIsInForceHere() {
        #expect(MarkdownRenderer.directConsolidation, "the one-pass join disagreed with cmark-gfm's on the probe document")
    }

    @Test func sameTreesOnGoldenFilesAndGeneratedArticles() throws {
        let documents = try TreeWalkTests.sampleDocuments(articles: 40, seed: 5)
        #expect(documents.count > 40)
        for markdown in documents { try Self.expectSameTrees(markdown) }
    }

    @Test func sameTreesOnEdgeCases() throws {
        let cases = [
            "", "plain", "...", "--", "'", "\"\"", "&amp;", "&amp;&lt;&gt;", "\\*\\_\\[", "a.b.c.d",
            "*a.b* **c-d** [e.f](/g) ![h.i](/j.png)", "x [not a link] y ! z ] [", "end with a dot.",
            "line one.\nline two.\n\nnext -- para...", "a  \nb. c\\\nd.", "`code.span` then. text",
            "<span>x.y</span> z.w", "| a.b | c-d |\n|---|---|\n| e.f | 'g' |",
            "Note[^n].\n\n[^n]: The \"note\" -- here.", "mail a.b@example.org. or www.example.org. ok",
            "~a.b~ ~~c.d~~", "- [x] done.\n- [ ] not -- yet", "> quoted. \"text\" -- here",
            "# h.e.a.d -- ing\n\nSetext.\n---", String(repeating: "word. ", count: 2000),
            String(repeating: "> ", count: 30) + "deep. nest", "日本語。テキスト. 한국어 -- \"텍스트\"",
        ]
        for markdown in cases { try Self.expectSameTrees(markdown) }
    }

    /// The join does join: a sentence the inline parser leaves in pieces is one text node after it.
    @Test func piecesBecomeOneTextNode() throws {
        let trees = try #require(MarkdownRenderer.consolidationTrees("It's 3.5 -- or \"so\"... fine.", direct: true))
        let xml = trees[0]
        #expect(xml.components(separatedBy: "<text").count - 1 == 1, "\(xml)")
        #expect(xml.contains("It’s 3.5 – or “so”… fine.</text>"), "\(xml)")
    }
}
