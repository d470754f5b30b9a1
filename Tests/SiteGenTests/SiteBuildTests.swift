import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import SiteGen

/// Whole-site tests: each declares its few files inline, builds, and checks the HTML.
@Suite struct SiteBuildTests {
    @Test func articlePageCarriesEverythingThePeninsulaShows() async throws {
        let site = try TestSite(annLee + """
        -- content/authors/bo-kim.md --
        ---
        name: Bo Kim
        title: Fellow
        photo: /images/bo.svg
        ---
        Bo studies trade.
        -- content/blog/first.md --
        \(article(title: "First & Foremost", date: "2023-11-28", authors: "[ann-lee, bo-kim]",
                  categories: "[North Korea, Human Rights]",
                  extra: "image: /images/a.jpg\nimage_alt: A border fence\nimage_credit: Photo by the desk\nsubtitle: Extra",
                  body: "Opening paragraph with **bold**.\n\n## Background\n\nMore."))
        -- content/blog/second.md --
        \(article(title: "Second", date: "2023-12-01"))
        """)
        defer { site.remove() }
        try await site.buildOK()
        try site.expect("blog/first/index.html", """
            <h1>First &amp; Foremost</h1>
            Published November 28, 2023
            Authors: <a href="/authors/ann-lee/">Ann Lee</a>, <a href="/authors/bo-kim/">Bo Kim</a>
            Categories: <a href="/categories/north-korea/">North Korea</a>, <a href="/categories/human-rights/">Human Rights</a>
            <img src="/images/a.jpg" alt="A border fence">
            Photo: Photo by the desk
            <strong>bold</strong>
            <h2><a class="anchor" id="background" href="#background"
            Ann Lee Senior Fellow <p>Ann writes about <em>security</em>.</p>
            Bo Kim Fellow <p>Bo studies trade.</p>
            <a class="return" href="/blog/">Return to the Peninsula</a>
            <a rel="next" href="/blog/second/">Second</a>
            ! rel="prev"
            Total Index: 2 publications
            <link rel="canonical" href="https://example.org/blog/first/">
            <meta property="og:image" content="https://example.org/images/a.jpg">
            <meta property="og:description" content="Opening paragraph with bold.">
            params: Extra
            """)
        try site.expect("blog/second/index.html", """
            <a rel="prev" href="/blog/first/">First &amp; Foremost</a>
            ! rel="next"
            Author: <a href="/authors/ann-lee/">Ann Lee</a>
            Category: <a href="/categories/security/">Security</a>
            """)
    }

    @Test func sectionIndexIsPaginatedNewestFirst() async throws {
        var files = "-- site.yml --\ntitle: T\nbase_url: https://example.org/\nper_page: 2\n" + annLee
        for day in 1...5 {
            files += "\n-- content/blog/post-\(day).md --\n" + article(title: "Post \(day)", date: "2024-01-0\(day)")
        }
        let site = try TestSite(files)
        defer { site.remove() }
        try await site.buildOK()
        try site.expect("blog/index.html", """
            <a href="/blog/post-5/">Post 5</a>
            <a href="/blog/post-4/">Post 4</a>
            ! Post 3</a>
            Page 1 of 3
            <a href="/blog/page/2/">Older</a>
            <link rel="next" href="/blog/page/2/">
            ! Newer
            """)
        try site.expect("blog/page/2/index.html", """
            <a href="/blog/post-3/">Post 3</a>
            Page 2 of 3
            <a href="/blog/">Newer</a>
            <a href="/blog/page/3/">Older</a>
            <link rel="prev" href="/blog/">
            """)
        try site.expect("blog/page/3/index.html", "<a href=\"/blog/post-1/\">Post 1</a>\nPage 3 of 3")
        #expect(!site.exists("blog/page/4/index.html"))
        #expect(!site.exists("blog/page/1/index.html"))
        let posts = try site.read("blog/index.html")
        let five = try #require(posts.range(of: "Post 5")), four = try #require(posts.range(of: "Post 4"))
        #expect(five.lowerBound < four.lowerBound)
    }

    @Test func categoryAndAuthorIndexes() async throws {
        let site = try TestSite(annLee + """
        -- content/authors/zed-adams.md --
        ---
        name: Zed Adams
        ---
        Zed.
        -- content/categories/security.md --
        ---
        name: Security
        description: Defence and deterrence.
        ---
        -- content/blog/a.md --
        \(article(title: "A", categories: "[Security, Trade & Economics]"))
        -- content/blog/b.md --
        \(article(title: "B", date: "2024-06-01", authors: "[zed-adams, ann-lee]", categories: "[security]"))
        """)
        defer { site.remove() }
        try await site.buildOK()
        try site.expect("categories/index.html", """
            <li><a href="/categories/security/">Security</a> (2)</li>
            <li><a href="/categories/trade-economics/">Trade &amp; Economics</a> (1)</li>
            """)
        try site.expect("categories/security/index.html", "<h1>Security (2)</h1>\n<a href=\"/blog/b/\">B</a>")
        try site.expect("authors/index.html", """
            <li><a href="/authors/ann-lee/">Ann Lee</a> (2)</li>
            <li><a href="/authors/zed-adams/">Zed Adams</a> (1)</li>
            """)
        try site.expect("authors/zed-adams/index.html", "<h1>Zed Adams</h1>\n<p>Zed.</p>\n<a href=\"/blog/b/\">B</a>\n! >A</a>")
        let authors = try site.read("authors/index.html")
        #expect(authors.range(of: "Ann Lee")!.lowerBound < authors.range(of: "Zed Adams")!.lowerBound)
    }

    @Test func homeFeedsSitemapRobotsAnd404() async throws {
        let site = try TestSite(annLee + """
        -- content/blog/a.md --
        \(article(title: "Tom & <Jerry>", date: "2024-02-03T10:30:00+09:00", body: "Body with <b>tag</b> & more."))
        -- content/pages/about.md --
        ---
        title: About Us
        ---
        We are *here*.
        """)
        defer { site.remove() }
        try await site.buildOK()
        try site.expect("index.html", "Total Index: 1 publications\n<a href=\"/blog/a/\">Tom &amp; &lt;Jerry&gt;</a>")
        try site.expect("about/index.html", "<h1>About Us</h1>\n<em>here</em>")
        try site.expect("404.html", "<h1>Not found</h1>")
        try site.expect("feed.xml", """
            <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
            <link href="https://example.org/feed.xml" rel="self" type="application/atom+xml"/>
            <title>Tom &amp; &lt;Jerry&gt;</title>
            <id>https://example.org/blog/a/</id>
            <published>2024-02-03T01:30:00Z</published>
            <author><name>Ann Lee</name><uri>https://example.org/authors/ann-lee/</uri></author>
            <category term="security" label="Security"/>
            <content type="html" xml:base="https://example.org/blog/a/"><![CDATA[<p>Body with <!-- raw HTML omitted -->tag
            """)
        for feed in ["blog/feed.xml", "categories/security/feed.xml", "authors/ann-lee/feed.xml"] {
            try site.expect(feed, "<id>https://example.org/blog/a/</id>")
        }
        try site.expect("sitemap.xml", """
            <loc>https://example.org/</loc>
            <loc>https://example.org/blog/a/</loc><lastmod>2024-02-03T01:30:00Z</lastmod>
            <loc>https://example.org/about/</loc>
            ! 404.html
            """)
        try site.expect("robots.txt", "Sitemap: https://example.org/sitemap.xml")
        let feed = try Data(contentsOf: site.output.appendingPathComponent("feed.xml"))
        let parser = XMLParser(data: feed)
        #expect(parser.parse(), "feed.xml is not well-formed XML")
    }

    @Test func everyLinkWorksUnderABaseURLWithAPath() async throws {
        let site = try TestSite("""
        -- site.yml --
        title: T
        base_url: https://example.org/blog/
        menu:
          - label: About
            url: /about/
        """ + annLee + """
        -- content/blog/a.md --
        \(article(title: "A", extra: "image: /images/x.svg\nimage_alt: X", body: "See [b](/blog/b/) and ![i](/images/y.png)."))
        -- content/blog/b.md --
        \(article(title: "B", date: "2024-06-01"))
        -- content/pages/about.md --
        ---
        title: About
        ---
        Hi
        """)
        defer { site.remove() }
        try await site.buildOK()
        try site.expect("blog/a/index.html", """
            <a href="/blog/authors/ann-lee/">Ann Lee</a>
            <a href="/blog/categories/security/">Security</a>
            <img src="/blog/images/x.svg" alt="X">
            <a href="/blog/blog/b/">b</a>
            <img src="/blog/images/y.png"
            <a class="return" href="/blog/blog/">
            <link rel="canonical" href="https://example.org/blog/blog/a/">
            <form action="/blog/search/">
            <link href="/blog/assets/style.css">
            """)
        try site.expect("feed.xml", "<id>https://example.org/blog/blog/a/</id>")
        try site.expect("sitemap.xml", "<loc>https://example.org/blog/about/</loc>")
    }

    @Test func baseURLOverrideFromTheCommandLine() async throws {
        let site = try TestSite(annLee + "\n-- content/blog/a.md --\n" + article())
        defer { site.remove() }
        try await site.buildOK(baseURL: "https://news.example.com/x")
        try site.expect("blog/a/index.html", """
            <link rel="canonical" href="https://news.example.com/x/blog/a/">
            <a class="return" href="/x/blog/">
            """)
    }

    @Test func aliasesBecomeRedirectPages() async throws {
        let site = try TestSite(annLee + "\n-- content/blog/a.md --\n"
            + article(extra: "aliases: [/old/a-post/, /2019/01/a.html]"))
        defer { site.remove() }
        try await site.buildOK()
        for path in ["old/a-post/index.html", "2019/01/a.html"] {
            try site.expect(path, """
                <meta http-equiv="refresh" content="0; url=https://example.org/blog/a/">
                <link rel="canonical" href="https://example.org/blog/a/">
                """)
        }
    }

    @Test func staticFilesAndAssetsAreCopied() async throws {
        let site = try TestSite(annLee + """
        -- content/blog/a.md --
        \(article())
        -- content/images/chart.svg --
        <svg xmlns="http://www.w3.org/2000/svg"/>
        -- content/blog/report.pdf --
        %PDF-1.4
        -- layouts/assets/style.css --
        body { color: black; }
        """)
        defer { site.remove() }
        let report = try await site.buildOK()
        #expect(try site.read("images/chart.svg").contains("<svg"))
        #expect(try site.read("blog/report.pdf").hasPrefix("%PDF"))
        #expect(try site.read("assets/style.css").contains("color: black"))
        #expect(report.staticFiles == 3)
    }

    @Test func valuesFromFrontMatterAreEscapedEverywhere() async throws {
        let site = try TestSite(annLee + "\n-- content/blog/a.md --\n" + article(
            title: "'<script>alert(1)</script>'",
            extra: "summary: \"\\\"><img src=x onerror=alert(2)>\"\nimage: /i.png\nimage_alt: '\" onload=\"x'",
            body: "<script>alert(3)</script>\n\nText <img src=x onerror=alert(4)>"))
        defer { site.remove() }
        try await site.buildOK()
        try site.expect("blog/a/index.html", """
            <h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>
            &quot;&gt;&lt;img src=x onerror=alert(2)&gt;
            alt="&quot; onload=&quot;x"
            ! <script>
            ! <img src=x
            """)
        try site.expect("feed.xml", "&lt;script&gt;alert(1)&lt;/script&gt;\n! <script>")
    }

    @Test func rawHTMLPassesOnlyWhenEnabled() async throws {
        let site = try TestSite("""
        -- site.yml --
        title: T
        markdown:
          unsafe_html: true
        """ + annLee + "\n-- content/blog/a.md --\n" + article(body: "<div class=\"note\">Hi</div>\n\n<script>x()</script>"))
        defer { site.remove() }
        try await site.buildOK()
        try site.expect("blog/a/index.html", "<div class=\"note\">Hi</div>\n&lt;script>x()")
    }

    @Test func aFailedBuildLeavesThePreviousOutputIntact() async throws {
        let site = try TestSite(annLee + "\n-- content/blog/a.md --\n" + article(title: "Good"))
        defer { site.remove() }
        try await site.buildOK()
        let before = site.outputFiles()
        let page = try site.read("blog/a/index.html")
        try site.write("content/blog/b.md", article(title: "Bad", authors: "[nobody]"))
        let errors = await site.buildErrors()
        #expect(errors.contains { $0.contains("unknown author 'nobody'") })
        #expect(site.outputFiles() == before)
        #expect(try site.read("blog/a/index.html") == page)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: site.root.path).filter { $0.contains("staging") }
        #expect(leftovers.isEmpty)
    }

    @Test func aSecondBuildReplacesTheSiteWhole() async throws {
        let site = try TestSite(annLee + "\n-- content/blog/a.md --\n" + article(title: "A")
            + "\n-- content/blog/b.md --\n" + article(title: "B"))
        defer { site.remove() }
        try await site.buildOK()
        #expect(site.exists("blog/b/index.html"))
        try FileManager.default.removeItem(at: site.root.appendingPathComponent("content/blog/b.md"))
        try await site.buildOK()
        #expect(!site.exists("blog/b/index.html"))
        try site.expect("index.html", "Total Index: 1 publications")
    }

    @Test func checkValidatesWithoutWriting() async throws {
        let site = try TestSite(annLee + "\n-- content/blog/a.md --\n" + article())
        defer { site.remove() }
        let result = await site.build(writes: false)
        #expect((try? result.get()) != nil)
        #expect(!FileManager.default.fileExists(atPath: site.output.path))
    }

    @Test func summaryIsDerivedFromTheFirstParagraph() async throws {
        let long = String(repeating: "word ", count: 100)
        let site = try TestSite(annLee + "\n-- content/blog/a.md --\n" + article(body: "# Title\n\nFirst *para*.\n\nSecond.")
            + "\n-- content/blog/b.md --\n" + article(title: "B", body: long))
        defer { site.remove() }
        try await site.buildOK()
        try site.expect("blog/index.html", "First para.\n! Second.")
        let list = try site.read("blog/index.html")
        #expect(list.contains("word word…"))
    }
}
