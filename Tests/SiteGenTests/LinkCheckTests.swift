import Foundation
import Testing
@testable import SiteGen

/// `sitegen check --links`: internal links and anchors of the built site, reported against the
/// source file of the page that has them.
@Suite("Link check")
struct LinkCheckTests {
    static let site = annLee + """
        -- content/blog/a.md --
        \(article(title: "A", body: """
            Intro with a [broken link](/nope/) and a [good one](/blog/b/).

            ## Background

            See [above](#background), [nowhere](#missing) and [B's part](/blog/b/#part-two).
            Also [B's missing part](/blog/b/#part-nine), [a file](/files/report.pdf) and [relative](../b/).
            """))
        -- content/blog/b.md --
        \(article(title: "B", date: "2024-05-02", body: "## Part two\n\nText."))
        -- layouts/assets/style.css --
        body {}
        -- content/files/report.pdf --
        %PDF
        """

    static func check(_ site: TestSite, baseURL: String) async -> [String] {
        guard case .success(let report) = await site.build(baseURL: baseURL) else {
            Issue.record("build failed")
            return []
        }
        let result = await LinkChecker(folder: site.output, baseURL: baseURL, owners: report.owners, source: site.root).check()
        #expect(result.pages > 5 && result.links > 20)
        return result.diagnostics.sortedForReport().map { String($0.description.split(separator: "\n")[0]) }
    }

    @Test func brokenLinksAndAnchorsNameTheSourceFileAndLine() async throws {
        let site = try TestSite(Self.site)
        defer { site.remove() }
        let lines = await Self.check(site, baseURL: "https://example.org/")
        #expect(lines.count == 3, "\(lines)")
        #expect(lines[0].hasPrefix("content/blog/a.md:8:28: error: broken link '/nope/' in blog/a/index.html:"), "\(lines)")
        #expect(lines[0].hasSuffix(": no page at /nope/"))
        #expect(lines[1].hasPrefix("content/blog/a.md:12:37: error: broken link '#missing' in blog/a/index.html:"), "\(lines)")
        #expect(lines[1].hasSuffix(": this page has no element with id 'missing'"))
        #expect(lines[2].hasPrefix("content/blog/a.md:13:25: error: broken link '/blog/b/#part-nine' in blog/a/index.html:"), "\(lines)")
        #expect(lines[2].hasSuffix(": blog/b/index.html has no element with id 'part-nine'"))
    }

    @Test func underABasePathLinksAreCheckedWithIt() async throws {
        let site = try TestSite(Self.site)
        defer { site.remove() }
        let lines = await Self.check(site, baseURL: "https://example.org/sub/")
        #expect(lines.count == 3, "\(lines)")
        // The Markdown says /nope/; the page says /sub/nope/; the error points at the Markdown.
        #expect(lines[0].hasPrefix("content/blog/a.md:8:28: error: broken link '/sub/nope/' in blog/a/index.html:"), "\(lines)")
    }

    @Test func aLinkBrokenByALayoutIsReportedOnce() async throws {
        let site = try TestSite(annLee + """
            -- content/blog/a.md --
            \(article())
            -- layouts/assets/style.css --
            body {}
            -- layouts/partials/list.mustache --
            <a href="{{site.root}}archive/">Archive</a> <a href="{{site.base_url}}about/">About</a>
            <a href="https://elsewhere.example/">External</a> <a href="mailto:x@example.org">Mail</a>
            <form action="https://lists.example/subscribe"></form>
            """)
        defer { site.remove() }
        let lines = await Self.check(site, baseURL: "https://example.org/")
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.allSatisfy { $0.contains("(on ") && $0.contains(" pages)") }, "\(lines)")
        #expect(lines.contains { $0.contains("broken link '/archive/'") })
        #expect(lines.contains { $0.contains("broken link 'https://example.org/about/'") })
    }

    @Test func scannerReadsAttributesAnchorsAndReferences() {
        let html = #"""
            <!doctype html><!-- <a href="/commented/"> --><p id=top class=x>
            <a href='/a/?x=1&amp;y=2#s&#101;c' name="old">x</a><img src=/i.png alt="">
            <script>document.write('<a href="/in-script/">')</script><STYLE>a{}</STYLE><A HREF="/upper/">u</A>
            """#
        let links = HTMLLinks(Array(html.utf8))
        #expect(links.links.map(\.url) == ["/a/?x=1&y=2#sec", "/i.png", "/upper/"])
        #expect(links.anchors == ["top", "old"])
        #expect(LinkChecker.normalize("a/./b/../c/") == "a/c/")
        #expect(LinkChecker.normalize("../x") == nil)
    }
}

@Suite(.tags(.process)) struct LinkCheckCommandTests {
    @Test func checkLinksExitsWithOneAndBuildCheckLinksToo() throws {
        let site = try TestSite(LinkCheckTests.site)
        defer { site.remove() }
        let command = CommandLineTests()
        let check = try command.run(["check", "--links"], in: site.root)
        #expect(check.status == 1)
        #expect(check.stderr.contains("content/blog/a.md:8:28: error: broken link '/nope/' in blog/a/index.html:"), "\(check.stderr)")
        #expect(check.stderr.contains("sitegen: 3 broken links"))
        #expect(!FileManager.default.fileExists(atPath: site.output.path))

        let build = try command.run(["build", "--check-links"], in: site.root)
        #expect(build.status == 1)
        #expect(build.stderr.contains("error: broken link '#missing'"))
        #expect(site.exists("blog/a/index.html"))  // built, then checked
    }
}
