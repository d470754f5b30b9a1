import Foundation
import Testing
@testable import SiteGen
@testable import SiteGenBench

/// `sitegen bench corpus --plain`: the layouts that write the benchmark's Hugo pages build the corpus,
/// and its pages have what the Hugo layouts put on them (`HugoSite.layouts`).
@Suite struct BenchCorpusTests {
    @Test func plainLayoutsWriteTheHugoSitesPages() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sitegen-plain-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try CorpusGenerator(articles: 45, seed: 3).write(to: root, theme: nil)
        let output = root.appendingPathComponent("public")
        let report = try await Builder(source: root, output: output, options: BuildOptions()).build()
        #expect(report.articles == 45)
        #expect(report.warnings.isEmpty, "\(report.warnings)")

        let articles = try FileManager.default.contentsOfDirectory(atPath: output.appendingPathComponent("peninsula").path)
            .filter { $0.hasPrefix("a") }
        #expect(articles.count == 45)
        var withImage = 0
        for name in articles {
            let page = try String(contentsOf: output.appendingPathComponent("peninsula/\(name)/index.html"), encoding: .utf8)
            for expected in ["<p>Total Index: 45 publications</p>", "<article><p><a href=\"/peninsula/\">The Peninsula</a></p><h1>",
                             "<p>Published <time datetime=\"", "<p>Authors: <a href=\"/authors/", "<p>Categories: <a href=\"/categories/",
                             "<section><h2><a href=\"/authors/", "<a href=\"/peninsula/\">Return to The Peninsula</a>",
                             "<footer id=\"newsletter\"><h2>Stay Informed</h2>"] {
                #expect(page.contains(expected), "\(name): \(expected)")
            }
            #expect(!page.contains("{{") && !page.contains("site-header"), "\(name)")  // no theme markup
            if page.contains("<figure><img src=\"/images/photo-") {
                withImage += 1
                #expect(page.contains("</figcaption></figure>"))
            }
        }
        #expect(withImage > 20 && withImage < 45)
        // Front-matter text is plain (a site shows it as typed); bodies keep their Markdown.
        var bold = 0
        for name in articles {
            let source = try String(contentsOf: root.appendingPathComponent("content/peninsula/\(name).md"), encoding: .utf8)
            let lines = source.split(separator: "\n")
            for line in lines where ["title:", "summary:", "image_alt:"].contains(where: { line.hasPrefix($0) }) {
                #expect(!line.contains("*"), "\(name): \(line)")
            }
            if source.contains("**") { bold += 1 }
        }
        #expect(bold > 10)
        let list = try String(contentsOf: output.appendingPathComponent("peninsula/index.html"), encoding: .utf8)
        #expect(list.contains("<nav><p>Page 1 of 3</p>"))
        #expect(list.components(separatedBy: "<li><h2><a href=\"/peninsula/a").count == 21)
    }
}
