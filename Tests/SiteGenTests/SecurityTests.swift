import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import SiteGen

/// Nothing from front matter, `site.yml` or file names can put markup or script into a page, a feed
/// or a URL; `javascript:` URLs are refused; raw HTML stays off unless enabled; no output path can
/// leave the output folder. (JSON, for the search index, is tested with the search pipeline.)
@Suite("Security")
struct SecurityTests {
    /// Breaks out of HTML text, of both kinds of quoted attribute, and of XML.
    static let payload = #"<script>alert(1)</script>" onmouseover="alert(2)' onfocus='alert(3) & "#
    static let inHTML = "&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;alert(2)&#39; onfocus=&#39;alert(3) &amp; "
    static let inXML = "&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;alert(2)&apos; onfocus=&apos;alert(3) &amp; "
    static let breakouts = ["<script>alert", "onmouseover=\"alert", "onfocus='alert", "onerror=\"", "javascript:"]

    /// The example site's own layouts (the real attack surface), from the repository root.
    static var themeLayouts: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("layouts")
    }

    static func yaml(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    @Test func frontMatterSiteConfigAndFileNamesAreEscapedForTheirContext() async throws {
        let p = Self.yaml(Self.payload)
        let site = try TestSite("""
            -- site.yml --
            title: \(p)
            description: \(p)
            base_url: https://example.org/
            newsletter:
              action: /subscribe/?list=\(Self.payload.replacingOccurrences(of: "\"", with: "").replacingOccurrences(of: "'", with: "").replacingOccurrences(of: ":", with: "").replacingOccurrences(of: "#", with: ""))
              heading: \(p)
              text: \(p)
            menu:
              - label: \(p)
                url: /about/
            -- content/_index.md --
            ---
            title: \(p)
            description: \(p)
            ---
            -- content/authors/ann-lee.md --
            ---
            name: \(p)
            title: \(p)
            photo: \(Self.yaml("/img/a\" onerror=\"alert(4).jpg"))
            ---
            Bio.
            -- content/categories/c-script-alert-1-script-onmouseover-alert-2-onfocus-alert-3.md --
            ---
            name: \(Self.yaml("C " + Self.payload))
            description: \(p)
            ---
            -- content/blog/_index.md --
            ---
            title: \(p)
            description: \(p)
            return_label: \(p)
            ---
            Intro.
            -- content/blog/<b>"x'.md --
            \(article(title: p, categories: "[\(Self.yaml("C " + Self.payload))]",
                      extra: "summary: \(p)\nimage: \(Self.yaml("/img/a\" onerror=\"alert(4).jpg"))\nimage_alt: \(p)\nimage_credit: \(p)\nsubtitle: \(p)",
                      body: "Body [a link](/blog/) and [bad](javascript:alert(5)) ![img](javascript:alert(6))."))
            -- content/blog/second.md --
            \(article(title: "Second", date: "2024-05-02", categories: "[\(Self.yaml("C " + Self.payload))]"))
            -- content/pages/about.md --
            ---
            title: \(p)
            description: \(p)
            ---
            About.
            """, minimalLayouts: false)
        defer { site.remove() }
        for file in try allFiles(Self.themeLayouts) {
            try site.write("layouts/" + file, try Data(contentsOf: Self.themeLayouts.appendingPathComponent(file)))
        }
        try await site.buildOK()
        let files = site.outputFiles().filter { $0.hasSuffix(".html") || $0.hasSuffix(".xml") }
        #expect(files.count > 10)
        var sawHTML = false, sawXML = false
        for file in files {
            let text = try site.read(file)
            for breakout in Self.breakouts {
                #expect(!text.contains(breakout), "\(file) contains \(breakout)")
            }
            sawHTML = sawHTML || text.contains(Self.inHTML)
            sawXML = sawXML || text.contains(Self.inXML)
        }
        #expect(sawHTML && sawXML)
        // The article at /blog/<b>"x'/ : its file name is percent-encoded in every URL.
        let page = try site.read("blog/<b>\"x'/index.html")
        TestSite.expect(page, """
            <h1 class="article-title">\(Self.inHTML)</h1>
            <link rel="canonical" href="https://example.org/blog/%3Cb%3E%22x&#39;/">
            <img src="/img/a&quot; onerror=&quot;alert(4).jpg" alt="\(Self.inHTML)"
            <a href="">bad</a>
            <img src="" alt="img" />
            <a href="/blog/">a link</a>
            """)
        // Feeds are well-formed and give the text back exactly.
        for feed in ["feed.xml", "blog/feed.xml", "categories/c-script-alert-1-script-onmouseover-alert-2-onfocus-alert-3/feed.xml",
                     "authors/ann-lee/feed.xml", "sitemap.xml"] {
            let document = try XMLDocument(data: Data(try site.read(feed).utf8))
            #expect(document.rootElement() != nil, "\(feed)")
        }
        let feed = try XMLDocument(data: Data(try site.read("feed.xml").utf8))
        let titles = try feed.nodes(forXPath: "//*[local-name()='entry']/*[local-name()='title']").map { $0.stringValue ?? "" }
        #expect(titles.contains(Self.payload))
        let links = try feed.nodes(forXPath: "//*[local-name()='entry']/*[local-name()='link']/@href").map { $0.stringValue ?? "" }
        #expect(links.contains("https://example.org/blog/%3Cb%3E%22x'/"))
    }

    @Test func javascriptURLsInFrontMatterAndSiteConfigAreRefused() async throws {
        let urls = ["javascript:alert(1)", "JavaScript:alert(1)", "  javascript:alert(1)", "java\tscript:alert(1)",
                    "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>", "file:///etc/passwd"]
        for url in urls {
            let quoted = Self.yaml(url).replacingOccurrences(of: "\t", with: "\\t")
            let site = try TestSite(annLee + """
                -- site.yml --
                title: T
                newsletter:
                  action: \(quoted)
                menu:
                  - label: Home
                    url: \(quoted)
                -- content/authors/bo.md --
                ---
                name: Bo
                photo: \(quoted)
                ---
                -- content/blog/a.md --
                \(article(extra: "image: \(quoted)\nimage_alt: x"))
                """)
            defer { site.remove() }
            let lines = await site.buildErrors().map { String($0.split(separator: "\n")[0]) }
            #expect(lines.count == 4, "\(url): \(lines)")
            #expect(lines.contains { $0.hasPrefix("site.yml:3:11: error: newsletter action ") }, "\(url): \(lines)")
            #expect(lines.contains { $0.hasPrefix("site.yml:5:5: error: menu url ") }, "\(url): \(lines)")
            #expect(lines.contains { $0.hasPrefix("content/authors/bo.md:3:8: error: 'photo' ") }, "\(url): \(lines)")
            #expect(lines.contains { $0.hasPrefix("content/blog/a.md:6:8: error: 'image' ") }, "\(url): \(lines)")
            #expect(!FileManager.default.fileExists(atPath: site.output.path))
        }
    }

    static let rawHTML = """
        <script>alert(1)</script>

        Inline <img src=x onerror=alert(2)> and <a href="javascript:alert(3)">a link</a>.

        <iframe src="https://evil.example/"></iframe>
        """

    @Test func rawHTMLStaysOffUnlessEnabled() async throws {
        let text = """
            -- content/_index.md --
            ---
            title: Home
            ---
            \(Self.rawHTML)
            -- content/authors/ann-lee.md --
            ---
            name: Ann Lee
            ---
            \(Self.rawHTML)
            -- content/blog/_index.md --
            ---
            title: Blog
            ---
            \(Self.rawHTML)
            -- content/pages/about.md --
            ---
            title: About
            ---
            \(Self.rawHTML)
            -- content/blog/a.md --
            \(article(body: Self.rawHTML))
            """
        let safe = try TestSite(text)
        defer { safe.remove() }
        try await safe.buildOK()
        for file in ["blog/a/index.html", "about/index.html", "authors/ann-lee/index.html", "blog/index.html", "feed.xml"] {
            let page = try safe.read(file)
            for needle in ["<script", "onerror", "javascript:", "<iframe", "&lt;script"] {
                #expect(!page.contains(needle), "\(file) contains \(needle)")
            }
            if file != "blog/index.html" { #expect(page.contains("raw HTML omitted"), "\(file)") }
        }

        let unsafe = try TestSite("-- site.yml --\ntitle: T\nmarkdown:\n  unsafe_html: true\n" + text)
        defer { unsafe.remove() }
        try await unsafe.buildOK()
        let page = try unsafe.read("blog/a/index.html")
        // Enabled: the author's HTML passes, except what GitHub's tag filter always disarms.
        #expect(page.contains("<img src=x onerror=alert(2)>"))
        #expect(page.contains("&lt;script>alert(1)&lt;/script>"))
        #expect(page.contains("&lt;iframe"))
        #expect(!page.contains("<script"))
    }

    @Test func noGeneratedPathCanLeaveTheOutputFolder() async throws {
        let aliases = ["../x", "/a/../../x", "/./x", "//evil.example/x", "https://evil.example/", "\\\\..\\\\x",
                       "/a\\\\..\\\\..\\\\x", "/x?y=1", "/x#y", "/.hidden/", "C:/x", "/..", "..", "javascript:alert(1)"]
        for alias in aliases {
            let site = try TestSite(annLee + "\n-- content/blog/a.md --\n" + article(extra: "aliases: [\(Self.yaml(alias))]"))
            defer { site.remove() }
            let lines = await site.buildErrors().map { String($0.split(separator: "\n")[0]) }
            #expect(lines.count == 1 && lines[0].contains("error: invalid alias"), "\(alias): \(lines)")
        }
        for slug in ["../x", "a/b", ".hidden", "..", "a\\\\b", "%2e%2e", "x y"] {
            let site = try TestSite(annLee + "\n-- content/blog/a.md --\n" + article(extra: "slug: \(Self.yaml(slug))"))
            defer { site.remove() }
            let lines = await site.buildErrors().map { String($0.split(separator: "\n")[0]) }
            #expect(lines.count == 1 && lines[0].contains("error: invalid slug"), "\(slug): \(lines)")
        }
        // Section folders that are not URL parts; files whose names hold dots.
        let site = try TestSite(annLee + """
            -- content/a b/x.md --
            \(article())
            -- content/blog/a..b.md --
            \(article(title: "Dots"))
            -- content/blog/..hidden.md --
            \(article(title: "Hidden"))
            """)
        defer { site.remove() }
        let lines = await site.buildErrors().map { String($0.split(separator: "\n")[0]) }.filter { $0.contains(": error: ") }
        #expect(lines == ["content/a b:1:1: error: 'a b' cannot be a section name: the site uses /a b/ itself or it is not a valid URL part"])

        // Whatever the slugs, a build writes nothing outside its output folder.
        let ok = try TestSite(annLee + """
            -- content/blog/a..b.md --
            \(article(title: "Dots", extra: "aliases: [/old/x../, /y/z..]"))
            -- content/pages/..page.md --
            ---
            title: Hidden page
            ---
            """)
        defer { ok.remove() }
        let before = try allFiles(ok.root)
        try await ok.buildOK()
        let outside = { (files: [String]) in files.filter { !$0.hasPrefix("public/") && !$0.hasPrefix(".sitegen-") } }
        #expect(outside(try allFiles(ok.root)) == outside(before))
        #expect(ok.exists("blog/a..b/index.html"))
        #expect(ok.exists("old/x../index.html"))
        #expect(ok.exists("y/z.."))
        #expect(!ok.exists("page/index.html"))
    }

    @Test func outputPathsAreCheckedBeforeWriting() {
        for bad in ["../x.html", "a/../../x", "/etc/passwd", "a//b", "./a", "a/./b", "", "a/\u{0}/b", "..", "a\\b"] {
            #expect(!OutputPath.isContained(bad), "\(bad)")
        }
        for good in ["index.html", "a/b/index.html", "a..b/index.html", "old/..x/index.html", "feed.xml"] {
            #expect(OutputPath.isContained(good), "\(good)")
        }
    }
}
