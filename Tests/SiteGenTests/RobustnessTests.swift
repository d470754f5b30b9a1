import Foundation
import Testing
@testable import SiteGen

/// Bad input that a newsroom's unattended CI build must survive: each case either builds (CRLF, a
/// 20 MB article, absurd nesting) or fails with compiler-form errors that say where (file:line:col),
/// what is wrong, and how to fix it (the `note:` line), all of them in one run, sorted.
@Suite("Robustness")
struct RobustnessTests {
    // MARK: Helpers

    /// The errors of a failed build of `text` (with Ann Lee and the blog section added).
    private static func failure(_ text: String, sourceLocation: SourceLocation = #_sourceLocation)
        async throws -> [Diagnostic] {
        let site = try TestSite(annLee + "\n" + text)
        defer { site.remove() }
        switch await site.build() {
        case .success:
            Issue.record("build succeeded but errors were expected", sourceLocation: sourceLocation)
            return []
        case .failure(let failure):
            return failure.diagnostics.errors
        }
    }

    /// `path:line:col: error: message` lines, and a check that every error says how to fix it.
    private static func lines(_ errors: [Diagnostic], sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
        for error in errors {
            #expect(error.hint?.isEmpty == false, "no hint for: \(error.description)", sourceLocation: sourceLocation)
        }
        return errors.map { String($0.description.split(separator: "\n", maxSplits: 1)[0]) }
    }

    // MARK: Inputs that must just work

    @Test func crlfAndCarriageReturnFilesEverywhereBuild() async throws {
        // Every file of the site with CRLF line endings (site.yml, layouts, authors, sections,
        // articles, pages), one article with old-Mac CR-only endings.
        let site = try TestSite(annLee + """
            -- content/pages/about.md --
            ---
            title: About Us
            ---
            We *exist*.
            -- content/blog/a.md --
            \(article(title: "Windows", extra: "summary: Line endings\nsubtitle: Sub",
                      body: "Para one\ncontinues.\n\n> quoted\n> still quoted\n\n```\ncode\nblock\n```"))
            """)
        defer { site.remove() }
        for path in try allFiles(site.root) {
            let text = try String(contentsOf: site.root.appendingPathComponent(path), encoding: .utf8)
            try site.write(path, text.replacingOccurrences(of: "\n", with: "\r\n"))
        }
        try site.write("content/blog/mac.md", article(title: "Classic Mac", date: "2024-05-02")
            .replacingOccurrences(of: "\n", with: "\r"))
        let report = try await site.buildOK()
        #expect(report.articles == 2)
        #expect(report.warnings.isEmpty, "\(report.warnings)")
        for file in site.outputFiles() where file.hasSuffix(".html") || file.hasSuffix(".xml") {
            #expect(!(try site.read(file)).contains("\r"), "\(file) contains a carriage return")
        }
        try site.expect("blog/a/index.html", """
            <h1>Windows</h1>
            <p>Para one
            continues.</p>
            <blockquote>
            <p>quoted
            still quoted</p>
            <pre><code>code
            block
            </code></pre>
            params: Sub
            """)
        try site.expect("blog/mac/index.html", "<h1>Classic Mac</h1>")
        try site.expect("about/index.html", "<em>exist</em>")
    }

    @Test func crlfFileErrorsPointAtTheRightLineAndColumn() async throws {
        let site = try TestSite(annLee)
        defer { site.remove() }
        try site.write("content/blog/a.md", article(authors: "[ann-le]").replacingOccurrences(of: "\n", with: "\r\n"))
        let errors = await site.buildErrors()
        #expect(errors.first?.hasPrefix("content/blog/a.md:4:11: error: unknown author 'ann-le'") == true, "\(errors)")
    }

    /// Megabytes of the big-article test: 20 with `SITEGEN_BIG_ARTICLE_MB=20` (about 40 s in a debug
    /// build, 7 s in release); 4 by default so that the suite stays under a minute.
    static let bigArticleMegabytes = Int(ProcessInfo.processInfo.environment["SITEGEN_BIG_ARTICLE_MB"] ?? "") ?? 4

    @Test func twentyMegabyteArticleBuilds() async throws {
        // Markdown paragraphs with emphasis, links, code and characters that need escaping.
        let paragraph = "Sanctions & *pressure* on the 1 < 2 > 0 peninsula with \"quotes\", `code`, a [link](/blog/) "
            + "and **bold** text that goes on for a while to make a realistic paragraph of prose. "
        var body = "Opening paragraph.\n\n"
        let size = Self.bigArticleMegabytes * 1_000_000
        body.reserveCapacity(size + 1_000_000)
        var count = 0
        while body.utf8.count < size {
            count += 1
            body += "## Part \(count)\n\n" + String(repeating: paragraph, count: 10) + "\n\n"
        }
        body += "The very last paragraph."
        let site = try TestSite(annLee + "\n-- content/blog/huge.md --\n" + article(title: "Huge", body: body))
        defer { site.remove() }
        let clock = ContinuousClock()
        let start = clock.now
        let report = try await site.buildOK()
        let seconds = (clock.now - start).seconds
        print("RobustnessTests: a \(body.utf8.count / 1_000_000) MB article built in "
              + String(format: "%.1f", seconds) + " s (debug build)")
        #expect(report.articles == 1)
        let page = try site.read("blog/huge/index.html")
        #expect(page.contains("<p>The very last paragraph.</p>"))
        #expect(page.contains("id=\"part-\(count)\""))
        #expect(page.contains("Sanctions &amp; <em>pressure</em> on the 1 &lt; 2 &gt; 0 peninsula"))
        #expect(try site.read("feed.xml").contains("The very last paragraph."))
        #expect(try site.read("blog/index.html").contains("Opening paragraph."))
    }

    @Test func deeplyNestedMarkdownDoesNotCrash() async throws {
        let cases: [(String, String)] = [
            ("quote", String(repeating: ">", count: 10_000) + " deep quote"),
            ("list", String(repeating: "- ", count: 10_000) + "deep list"),
            ("ordered", String(repeating: "1. ", count: 10_000) + "deep ordered"),
            ("brackets", String(repeating: "[", count: 10_000) + "deep brackets" + String(repeating: "]", count: 10_000)),
            ("links", String(repeating: "[a](", count: 5_000) + "deep links" + String(repeating: ")", count: 5_000)),
            ("emphasis", String(repeating: "*a ", count: 10_000) + "deep emphasis" + String(repeating: " a*", count: 10_000)),
            ("html", String(repeating: "<div>", count: 10_000) + "\n\ndeep html"),
            ("footnotes", (0..<2_000).map { "[^\($0)]\n\n[^\($0)]: [^\($0 + 1)] note \($0)" }.joined(separator: "\n\n")
                + "\n\ndeep footnotes"),
            ("quoted-lists", (1...2_000).map { String(repeating: "> - ", count: $0 % 50) + "item \($0)" }
                .joined(separator: "\n") + "\n\ndeep quoted-lists"),
        ]
        var text = ""
        for (name, body) in cases {
            text += "\n-- content/blog/\(name).md --\n" + article(title: name, body: body)
        }
        let site = try TestSite(annLee + text)
        defer { site.remove() }
        let report = try await site.buildOK()
        #expect(report.articles == cases.count)
        for (name, _) in cases {
            #expect(try site.read("blog/\(name)/index.html").contains("deep \(name)"), "\(name)")
        }
    }

    @Test func oneLetterFolderNamesBuild() async throws {
        // Regression: NSString.deletingLastPathComponent traps on "x", which crashed every build of a
        // site with a one-letter section, static folder or alias folder.
        let site = try TestSite(annLee + """
            -- content/x/a.md --
            \(article(title: "In X", extra: "aliases: [/y/z.., /q/]"))
            -- content/i/f.txt --
            static
            """)
        defer { site.remove() }
        try await site.buildOK()
        #expect(site.exists("x/a/index.html"))
        #expect(site.exists("i/f.txt"))
        #expect(site.exists("y/z.."))
        #expect(site.exists("q/index.html"))
    }

    // MARK: Inputs that must fail, clearly

    @Test func deeplyNestedYAMLIsAnErrorNotACrash() async throws {
        let nested = String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)
        let errors = try await Self.failure("-- content/blog/a.md --\n" + article(extra: "deep: " + nested))
        let lines = Self.lines(errors)
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.first?.hasPrefix("content/blog/a.md:6:") == true, "\(lines)")
        #expect(lines.first?.contains("nested too deeply") == true, "\(lines)")
    }

    @Test func emptyTitle() async throws {
        let errors = try await Self.failure("-- content/blog/a.md --\n" + article(title: "\"  \""))
        #expect(Self.lines(errors) == ["content/blog/a.md:2:8: error: 'title' must not be empty"])
        #expect(errors.first?.hint == "write a value after 'title:', in quotes if it starts with a special character")
    }

    @Test func siteConfigUnknownKey() async throws {
        let errors = try await Self.failure("""
            -- site.yml --
            title: Test
            base_url: https://example.org/
            per_pgae: 10
            -- content/blog/a.md --
            \(article())
            """)
        #expect(Self.lines(errors) == ["site.yml:3:1: error: unknown key 'per_pgae' (did you mean 'per_page'?)"])
        #expect(errors.first?.hint?.hasPrefix("known keys: title, base_url,") == true)
    }

    @Test func templateWithAnUnknownPartial() async throws {
        let errors = try await Self.failure("""
            -- layouts/page.mustache --
            {{<base}}{{$main}}
            <h1>{{page.title}}</h1>
              {{>partials/sidebar}}
            {{/main}}{{/base}}
            -- content/blog/a.md --
            \(article())
            """)
        #expect(Self.lines(errors) == ["layouts/page.mustache:3:3: error: unknown partial 'partials/sidebar'"])
    }

    @Test func twoArticlesWithTheSameURL() async throws {
        // b.md takes a.md's URL through its slug; the later file (by path) is the one reported.
        let errors = try await Self.failure("""
            -- content/blog/a.md --
            \(article(title: "A"))
            -- content/blog/b.md --
            \(article(title: "B", extra: "slug: a"))
            """)
        #expect(Self.lines(errors) == [
            "content/blog/b.md:6:7: error: output 'blog/a/index.html' is also produced by content/blog/a.md:1",
        ])
    }

    @Test func aliasCollidingWithAPage() async throws {
        let errors = try await Self.failure("""
            -- content/pages/about.md --
            ---
            title: About
            ---
            About us.
            -- content/blog/a.md --
            \(article(extra: "aliases:\n  - /old/a/\n  - /about/"))
            """)
        #expect(Self.lines(errors) == [
            "content/blog/a.md:8:5: error: output 'about/index.html' is also produced by content/pages/about.md:1",
        ])
    }

    @Test func aStaticFileWhereTheSearchIndexGoes() async throws {
        // The search index files are planned after the pages (they are built while pages render).
        let errors = try await Self.failure("-- content/blog/a.md --\n" + article()
            + "\n-- content/search/manifest.json --\n{}\n")
        #expect(Self.lines(errors).count == 1, "\(errors)")
        #expect(Self.lines(errors).first?.contains("'search/manifest.json'") == true, "\(errors)")
    }

    @Test func aliasCollidingWithAFeedOrTheSitemap() async throws {
        let errors = try await Self.failure("-- content/blog/a.md --\n" + article(extra: "aliases: [/feed.xml, /sitemap.xml]"))
        #expect(Self.lines(errors).count == 2, "\(errors)")
    }

    @Test func everyErrorOfOneRunIsReportedSortedWithAHint() async throws {
        let errors = try await Self.failure("""
            -- site.yml --
            title: Test
            base_url: https://example.org/
            per_pgae: 10
            -- layouts/page.mustache --
            {{<base}}{{$main}}{{>partials/sidebar}}{{/main}}{{/base}}
            -- content/pages/about.md --
            ---
            title: About
            ---
            -- content/blog/a.md --
            \(article(title: "A", extra: "aliases: [/about/]"))
            -- content/blog/b.md --
            \(article(title: "B", extra: "slug: a"))
            -- content/blog/c.md --
            \(article(title: "''", authors: "5"))
            -- content/blog/d.md --
            \(article(title: "D", date: "yesterday"))
            -- content/blog/e.md --
            ---
            title: E
            date: 2024-05-01
            ---
            """)
        let lines = Self.lines(errors)
        #expect(lines == [
            "content/blog/a.md:6:11: error: output 'about/index.html' is also produced by content/pages/about.md:1",
            "content/blog/b.md:6:7: error: output 'blog/a/index.html' is also produced by content/blog/a.md:1",
            "content/blog/c.md:2:8: error: 'title' must not be empty",
            "content/blog/c.md:4:10: error: 'authors' must be a list, e.g. authors: [a, b]",
            "content/blog/d.md:3:7: error: 'date' is not a valid date: 'yesterday'",
            "content/blog/e.md:1:1: error: missing required key 'authors'",
            "content/blog/e.md:1:1: error: missing required key 'categories'",
            "layouts/page.mustache:1:19: error: unknown partial 'partials/sidebar'",
            "site.yml:3:1: error: unknown key 'per_pgae' (did you mean 'per_page'?)",
        ])
    }

    // MARK: Hints for the other errors of the error suite

    @Test func everyContentErrorSaysHowToFixIt() async throws {
        let cases: [String] = [
            "-- content/blog/a.md --\nNo front matter.",
            "-- content/blog/a.md --\n---\ntitle: A\n",
            "-- content/blog/a.md --\n" + article(extra: "summary: a: b"),
            "-- content/blog/a.md --\n---\n- a list\n---\n",
            "-- content/blog/a.md --\n---\n? [a, b]\n: c\ntitle: A\n---\n",
            "-- content/blog/a.md --\n" + article(authors: "[ann-lee, ann-lee]"),
            "-- content/blog/a.md --\n" + article(authors: "[ann-lee, zoltan]"),
            "-- content/blog/a.md --\n" + article(categories: "[Security, security]"),
            "-- content/blog/a.md --\n" + article(categories: "['%%%']"),
            "-- content/blog/a.md --\n" + article(categories: "[]"),
            "-- content/blog/a.md --\n" + article(categories: "[[nested]]"),
            "-- content/blog/a.md --\n" + article(extra: "draft: perhaps"),
            "-- content/blog/a.md --\n" + article(extra: "image: javascript:alert(1)\nimage_alt: x"),
            "-- content/blog/a.md --\n" + article(extra: "slug: ../x"),
            "-- content/blog/a.md --\n" + article(extra: "aliases: [../../x]"),
            "-- content/authors/x.md --\n---\nname: X\nphoto: 'javascript:alert(1)'\n---\n",
            "-- content/categories/x.md --\n---\nname: Not X\n---\n",
            "-- content/search/a.md --\n" + article(),
            "-- content/a.md --\n" + article(),
            "-- site.yml --\ntitle: T\nbase_url: ftp://x/\n",
            "-- site.yml --\ntitle: T\ntimezone: Mars/Olympus\n",
            "-- site.yml --\ntitle: T\nnewsletter:\n  action: javascript:alert(1)\n",
            "-- site.yml --\ntitle: T\nmenu:\n  - label: X\n",
            "-- site.yml --\ntitle: T\nmenu:\n  - label: X\n    url: 'javascript:alert(1)'\n",
            "-- site.yml --\ntitle: T\nper_page: 0\n",
            "-- layouts/page.mustache --\n{{#a}}\n",
            "-- layouts/page.mustache --\n{{<nope}}{{/nope}}\n",
        ]
        for text in cases {
            let errors = try await Self.failure(text)
            #expect(!errors.isEmpty, "no error for:\n\(text)")
            _ = Self.lines(errors)
        }
    }
}

/// Relative paths of every regular file under `root`.
func allFiles(_ root: URL) throws -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: root.path) else { return [] }
    var files: [String] = []
    while let path = enumerator.nextObject() as? String {
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isDirectory)
        if !isDirectory.boolValue { files.append(path) }
    }
    return files.sorted()
}
