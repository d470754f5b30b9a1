import Foundation
import Testing
@testable import SiteGen
@testable import SiteGenBench

/// The plain-text pass over parsed documents: the direct walk over cmark-gfm's nodes (tree_walk.c)
/// against the walk through cmark's API, which is its specification.
@Suite struct TreeWalkTests {
    /// Both walks over one parse of `markdown` each (the walk rewrites links, so not the same tree).
    static func walks(_ markdown: String, rootPath: String) throws -> (api: TreeWalk, direct: TreeWalk) {
        (try #require(TreeWalk.walk(markdown, rootPath: rootPath, direct: false)),
         try #require(TreeWalk.walk(markdown, rootPath: rootPath, direct: true)))
    }

    @Test func directWalkIsInForceHere() {
        #expect(TreeWalk.directIsFaithful, "the direct walk disagreed with cmark's API on the probe document")
    }

    /// Every golden file's Markdown, then the bodies of `articles` generated articles.
    static func sampleDocuments(articles: Int, seed: UInt64) throws -> [String] {
        var documents: [String] = []
        let folder = try #require(MarkdownGoldenTests.bundleFolder, "Golden resources missing")
        for name in try MarkdownGoldenTests.markdownNames(in: folder) {
            documents.append(try String(contentsOf: folder.appendingPathComponent("\(name).md"), encoding: .utf8))
        }
        let corpus = CorpusGenerator(articles: articles, seed: seed)
        var random = SeededRandom(seed: seed)
        return documents + corpus.makeArticles(&random, people: corpus.makePeople(&random)).map(\.body)
    }

    @Test func directWalkMatchesTheAPIWalkOnGoldenFilesAndGeneratedArticles() throws {
        var documents = try Self.sampleDocuments(articles: 60, seed: 11)
        documents += ["", "plain", "# Only a heading", "- [ ] a\n- [x] b", "> a\n>\n> b\n\n---\n\n<div>x</div>",
                      "Setext\n===\n\ntext  \nbreak", "| a |\n|---|\n| `c` *d* |\n\nafter"]
        for markdown in documents {
            for rootPath in ["/", "/blog/"] {
                let (api, direct) = try Self.walks(markdown, rootPath: rootPath)
                #expect(api.matches(direct), "walks differ for root \(rootPath):\n\(markdown.prefix(300))")
                #expect(api.plainText == direct.plainText)
            }
        }
    }

    @Test func directWalkCollectsWhatTheBuildReads() throws {
        let (_, walk) = try Self.walks("""
            Intro with **bold** and `code`.

            ## Part “one”
            second line

            | x | y |
            |---|---|
            | 1 | 2 |

            - [x] done
            """, rootPath: "/")
        #expect(String(decoding: walk.plainText, as: UTF8.self)
                == "Intro with bold and code.\nPart “one”\nsecond line\nx y \n1 2 \ndone\n")
        #expect(walk.firstParagraph == "Intro with bold and code.")
        #expect(walk.headings.map(\.text) == ["Part “one”"])
        #expect(walk.headings.map(\.level) == [2])
        #expect(walk.hasTaskItems)
        #expect(walk.wordCount == 14)
    }

    /// Repeated headings get -2, -3, …, with few headings and with many.
    @Test(arguments: [3, 40]) func repeatedHeadingsGetNumberedIDs(count: Int) {
        let markdown = (0..<count).map { "## Same \($0 % 2 == 0 ? "" : "Ünï")\n\ntext\n" }.joined(separator: "\n")
        let ids = MarkdownRenderer().render(markdown).headings.map(\.id)
        let evens = (0..<count).filter { $0 % 2 == 0 }.map { $0 / 2 == 0 ? "same" : "same-\($0 / 2 + 1)" }
        let odds = (0..<count).filter { $0 % 2 == 1 }.map { $0 / 2 == 0 ? "same-uni" : "same-uni-\($0 / 2 + 1)" }
        #expect(ids.enumerated().filter { $0.offset % 2 == 0 }.map(\.element) == evens)
        #expect(ids.enumerated().filter { $0.offset % 2 == 1 }.map(\.element) == odds)
    }

    @Test func asciiSlugsFollowTheRules() {
        #expect(Slug.make("Korea's  Future -- 2030!") == "koreas-future-2030")
        #expect(Slug.make("--Lead & trail--") == "lead-trail")
        #expect(Slug.make("") == "")
        #expect(Slug.makeASCII("Séoul") == nil)
        #expect(Slug.make("Séoul Ünion") == "seoul-union")
    }
}
