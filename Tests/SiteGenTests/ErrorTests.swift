import Foundation
import Testing
@testable import SiteGen

/// One test per kind of bad input: each builds a tiny site and checks the exact compiler-style line
/// (`path:line:col: severity: message`), that the build failed, and where it matters that nothing in
/// the previous output or the source folder was touched.
@Suite("Errors")
struct ErrorTests {
    // MARK: Helpers

    /// The first line of each diagnostic (without its `note:` line) that is an error.
    private static func errors(_ diagnostics: [String]) -> [String] {
        diagnostics.map { String($0.split(separator: "\n", maxSplits: 1).first ?? "") }
            .filter { $0.contains(": error: ") }
    }

    /// Builds `text` (with Ann Lee and the blog section added) and returns the error lines.
    private static func buildErrors(_ text: String, sourceLocation: SourceLocation = #_sourceLocation)
        async throws -> [String] {
        let site = try TestSite(annLee + "\n" + text)
        defer { site.remove() }
        return errors(await site.buildErrors(sourceLocation: sourceLocation))
    }

    /// Every regular file under `folder` (hidden ones included) with its bytes.
    private static func snapshot(_ folder: URL) -> [String: Data] {
        var files: [String: Data] = [:]
        guard let enumerator = FileManager.default.enumerator(atPath: folder.path) else { return files }
        while let path = enumerator.nextObject() as? String {
            let url = folder.appendingPathComponent(path)
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
            if !isDirectory.boolValue { files[path] = FileManager.default.contents(atPath: url.path) }
        }
        return files
    }

    /// Builds a good site, breaks one file, builds again: the second build must fail with `expected`
    /// and leave `public/` exactly as the first build wrote it (and no staging folder behind).
    private static func expectOutputKept(breaking path: String, with body: String, expected: String,
                                         sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let site = try TestSite(annLee + """

            -- content/blog/a.md --
            \(article(title: "First"))
            -- content/blog/b.md --
            \(article(title: "Second", date: "2024-05-02"))
            """)
        defer { site.remove() }
        try await site.buildOK(sourceLocation: sourceLocation)
        let before = snapshot(site.output)
        #expect(before["blog/a/index.html"] != nil, sourceLocation: sourceLocation)
        #expect(before[OutputFolder.marker] != nil, sourceLocation: sourceLocation)

        try site.write(path, body)
        let lines = errors(await site.buildErrors(sourceLocation: sourceLocation))
        #expect(lines.contains(expected), "\(lines)", sourceLocation: sourceLocation)
        let after = snapshot(site.output)
        #expect(after.keys.sorted() == before.keys.sorted(), sourceLocation: sourceLocation)
        #expect(after == before, "public/ changed after a failed build", sourceLocation: sourceLocation)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: site.root.path)
            .filter { $0.hasPrefix(".public.") }
        #expect(leftovers.isEmpty, sourceLocation: sourceLocation)
    }

    // MARK: Front matter

    @Test func missingFrontMatter() async throws {
        let lines = try await Self.buildErrors("""
            -- content/blog/a.md --
            Just a body, no front matter.
            """)
        #expect(lines == ["content/blog/a.md:1:1: error: missing front matter"])
    }

    @Test func unterminatedFrontMatter() async throws {
        let lines = try await Self.buildErrors("""
            -- content/blog/a.md --
            ---
            title: Hello
            date: 2024-05-01

            The body, but the fence was never closed.
            """)
        #expect(lines == ["content/blog/a.md:1:1: error: front matter is not terminated"])
    }

    @Test func yamlSyntaxErrorPointsAtTheFileLine() async throws {
        // The third YAML line is line 4 of the file; the second ':' on it is column 11.
        let lines = try await Self.buildErrors("""
            -- content/blog/a.md --
            ---
            title: Hello
            date: 2024-05-01
            summary: a: b
            authors: [ann-lee]
            categories: [Security]
            ---
            Body.
            """)
        // Only the syntax error: the keys on the other lines exist and must not be called missing.
        #expect(lines == ["content/blog/a.md:4:11: error: invalid YAML: mapping values are not allowed in this context"])
    }

    @Test func siteConfigYAMLSyntaxError() async throws {
        // "base_url: a" is 11 characters: the second ':' is column 12.
        let lines = try await Self.buildErrors("""
            -- site.yml --
            title: Test
            base_url: a: b
            """)
        #expect(lines == ["site.yml:2:12: error: invalid YAML: mapping values are not allowed in this context"])
    }

    @Test func frontMatterThatIsNotAMapping() async throws {
        let lines = try await Self.buildErrors("""
            -- content/blog/a.md --
            ---
            - just
            - a list
            ---
            Body.
            """)
        #expect(lines == ["content/blog/a.md:2:1: error: front matter must be a mapping of keys to values"])
    }

    @Test func emptyFrontMatterListsEveryMissingKey() async throws {
        let lines = try await Self.buildErrors("""
            -- content/blog/a.md --
            ---
            ---
            Body.
            """)
        #expect(lines == [
            "content/blog/a.md:1:1: error: missing required key 'authors'",
            "content/blog/a.md:1:1: error: missing required key 'categories'",
            "content/blog/a.md:1:1: error: missing required key 'date'",
            "content/blog/a.md:1:1: error: missing required key 'title'",
        ])
    }

    @Test func yamlSyntaxErrorKeepsPreviousOutput() async throws {
        try await Self.expectOutputKept(breaking: "content/blog/a.md", with: """
            ---
            title: Hello
            date: 2024-05-01
            summary: a: b
            authors: [ann-lee]
            categories: [Security]
            ---
            Body.

            """, expected: "content/blog/a.md:4:11: error: invalid YAML: mapping values are not allowed in this context")
    }

    @Test func authorsOfTheWrongType() async throws {
        let lines = try await Self.buildErrors("""
            -- content/blog/a.md --
            \(article(authors: "5"))
            """)
        #expect(lines == ["content/blog/a.md:4:10: error: 'authors' must be a list, e.g. authors: [a, b]"])
    }

    @Test func invalidDate() async throws {
        let lines = try await Self.buildErrors("""
            -- content/blog/a.md --
            \(article(date: "yesterday"))
            """)
        #expect(lines == ["content/blog/a.md:3:7: error: 'date' is not a valid date: 'yesterday'"])
    }

    @Test func impossibleCalendarDate() async throws {
        let lines = try await Self.buildErrors("""
            -- content/blog/a.md --
            \(article(date: "2023-02-30"))
            """)
        #expect(lines == ["content/blog/a.md:3:7: error: 'date' is not a valid date: '2023-02-30'"])
    }

    @Test func missingTitle() async throws {
        let lines = try await Self.buildErrors("""
            -- content/blog/a.md --
            ---
            date: 2024-05-01
            authors: [ann-lee]
            categories: [Security]
            ---
            Body.
            """)
        #expect(lines == ["content/blog/a.md:1:1: error: missing required key 'title'"])
    }

    @Test func emptyTitle() async throws {
        let lines = try await Self.buildErrors("""
            -- content/blog/a.md --
            \(article(title: "\"\""))
            """)
        #expect(lines == ["content/blog/a.md:2:8: error: 'title' must not be empty"])
    }

    @Test func unknownAuthorWithSuggestion() async throws {
        // `authors: [ann-le]`: the list item starts after "authors: [" (10 characters), column 11.
        let site = try TestSite(annLee + """

            -- content/blog/a.md --
            \(article(authors: "[ann-le]"))
            """)
        defer { site.remove() }
        let diagnostics = await site.buildErrors()
        #expect(Self.errors(diagnostics) == [
            "content/blog/a.md:4:11: error: unknown author 'ann-le' (did you mean 'ann-lee'?)",
        ])
        #expect(diagnostics.first?.contains(
            "content/blog/a.md:4:11: note: authors are the files in content/authors/ (slug = file name)") == true)
    }

    @Test func unknownAuthorWithoutCloseMatch() async throws {
        let lines = try await Self.buildErrors("""
            -- content/blog/a.md --
            \(article(authors: "[ann-lee, zoltan]"))
            """)
        #expect(lines == ["content/blog/a.md:4:20: error: unknown author 'zoltan'"])
    }

    @Test func duplicateAuthor() async throws {
        let lines = try await Self.buildErrors("""
            -- content/blog/a.md --
            \(article(authors: "[ann-lee, ann-lee]"))
            """)
        #expect(lines == ["content/blog/a.md:4:20: error: author 'ann-lee' is listed twice"])
    }

    @Test func duplicateCategory() async throws {
        // "Security" and "security" have the same slug.
        let lines = try await Self.buildErrors("""
            -- content/blog/a.md --
            \(article(categories: "[Security, security]"))
            """)
        #expect(lines == ["content/blog/a.md:5:24: error: category 'security' is listed twice"])
    }

    @Test func duplicateYAMLKey() async throws {
        let lines = try await Self.buildErrors("""
            -- content/blog/a.md --
            ---
            title: One
            title: Two
            date: 2024-05-01
            authors: [ann-lee]
            categories: [Security]
            ---
            Body.
            """)
        let duplicate = lines.filter { $0.contains("duplicate key") }
        #expect(duplicate.count == 1, "\(lines)")
        #expect(duplicate.first?.hasPrefix("content/blog/a.md:") == true)
        #expect(duplicate.first?.contains("title") == true)
        // The error should point at the second `title:` (line 3), naming the first in its note.
        #expect(lines == ["content/blog/a.md:3:1: error: duplicate key 'title'"])
    }

    @Test func twoArticlesWithTheSameSlug() async throws {
        let site = try TestSite(annLee + """

            -- content/blog/a.md --
            \(article(title: "Newer", date: "2024-05-02", extra: "slug: same"))
            -- content/blog/b.md --
            \(article(title: "Older", date: "2024-05-01", extra: "slug: same"))
            """)
        defer { site.remove() }
        let lines = Self.errors(await site.buildErrors())
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.first?.hasPrefix("content/blog/b.md:") == true, "\(lines)")
        #expect(lines.first?.contains("error: output 'blog/same/index.html' is also produced by content/blog/a.md:") == true)
        // The position should be the `slug:` value (line 6, column 7) in both files.
        #expect(lines == [
            "content/blog/b.md:6:7: error: output 'blog/same/index.html' is also produced by content/blog/a.md:6",
        ])
    }

    @Test func aliasCollidingWithAnArticle() async throws {
        let lines = try await Self.buildErrors("""
            -- content/blog/a.md --
            \(article(title: "Target"))
            -- content/blog/b.md --
            \(article(title: "Other", extra: "aliases: [/blog/a/]"))
            """)
        #expect(lines == [
            "content/blog/b.md:6:11: error: output 'blog/a/index.html' is also produced by content/blog/a.md:1",
        ])
    }

    @Test func invalidAlias() async throws {
        let lines = try await Self.buildErrors("""
            -- content/blog/a.md --
            \(article(extra: "aliases: [/ok/, ../../x]"))
            """)
        #expect(lines == ["content/blog/a.md:6:17: error: invalid alias '../../x'"])
    }

    // MARK: Encoding

    @Test func fileThatIsNotUTF8() async throws {
        let site = try TestSite(annLee)
        defer { site.remove() }
        var bytes = Data("---\ntitle: Hello\ndate: ".utf8)
        bytes.append(0xFF)
        bytes.append(Data("2024-05-01\nauthors: [ann-lee]\ncategories: [Security]\n---\nBody.\n".utf8))
        try site.write("content/blog/a.md", bytes)
        let diagnostics = await site.buildErrors()
        #expect(Self.errors(diagnostics) == ["content/blog/a.md:3:7: error: file is not valid UTF-8"])
        #expect(diagnostics.first?.contains("note: re-save the file with UTF-8 encoding") == true)
    }

    @Test func byteOrderMarkAndCRLFBuildFine() async throws {
        let site = try TestSite(annLee)
        defer { site.remove() }
        let text = article(title: "Windows Title", body: "First line\nsecond line.\n\nSecond *paragraph*.")
            .replacingOccurrences(of: "\n", with: "\r\n")
        try site.write("content/blog/a.md", Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8))
        let report = try await site.buildOK()
        #expect(report.articles == 1)
        #expect(report.warnings.isEmpty, "\(report.warnings)")
        try site.expect("blog/a/index.html", """
            <h1>Windows Title</h1>
            Published May 1, 2024
            <p>First line
            second line.</p>
            <p>Second <em>paragraph</em>.</p>
            ! \r
            ! \u{FEFF}
            """)
    }

    // MARK: Templates

    @Test func staticFileWhereTheSearchIndexGoes() async throws {
        // The index files are planned after the pages of a full build: their collisions still stop it.
        let lines = try await Self.buildErrors(annLee + """

            -- content/blog/a.md --
            \(article())
            -- content/search/shards/0.json --
            {}
            """)
        #expect(lines == ["content/search/shards/0.json:1:1: error: output 'search/shards/0.json' is also produced by layouts/search.mustache:1"])
    }

    @Test func templateSyntaxError() async throws {
        // Line 2: "<div>" (5) + "{{#page}}" (9) + "{{title}}" (9) + "{{/" (3): the wrong name is at column 27.
        let lines = try await Self.buildErrors("""
            -- layouts/page.mustache --
            <p>{{site.title}}</p>
            <div>{{#page}}{{title}}{{/pag}}</div>
            """)
        #expect(lines == [
            "layouts/page.mustache:2:27: error: template syntax error: closing tag does not match the open section",
        ])
    }

    @Test func templateSyntaxErrorKeepsPreviousOutput() async throws {
        try await Self.expectOutputKept(breaking: "layouts/article.mustache", with: "{{#article}}\n  {{title}}\n",
            expected: "layouts/article.mustache:1:1: error: template syntax error: section 'article' is never closed")
    }

    @Test func unknownPartial() async throws {
        // "{{<base}}" and "{{$main}}" take columns 1–18.
        let site = try TestSite(annLee + """

            -- layouts/404.mustache --
            {{<base}}{{$main}}{{>partials/nope}}{{/main}}{{/base}}
            """)
        defer { site.remove() }
        let diagnostics = await site.buildErrors()
        #expect(Self.errors(diagnostics) == ["layouts/404.mustache:1:19: error: unknown partial 'partials/nope'"])
        #expect(diagnostics.first?.contains("note: templates are named by their path under layouts/") == true)
    }

    @Test func unknownPartialWithSuggestion() async throws {
        let lines = try await Self.buildErrors("""
            -- layouts/404.mustache --
            {{<base}}{{$main}}
            {{>partials/lst}}{{/main}}{{/base}}
            """)
        #expect(lines == ["layouts/404.mustache:2:1: error: unknown partial 'partials/lst' (did you mean 'partials/list'?)"])
    }

    // MARK: Configuration and keys

    @Test func siteConfigUnknownKey() async throws {
        let lines = try await Self.buildErrors("""
            -- site.yml --
            title: Test
            titel: Typo
            base_url: https://example.org/
            """)
        #expect(lines == ["site.yml:2:1: error: unknown key 'titel' (did you mean 'title'?)"])
    }

    @Test func siteConfigWithoutTitleStopsEarly() async throws {
        let lines = try await Self.buildErrors("""
            -- site.yml --
            titel: Typo
            base_url: https://example.org/
            """)
        #expect(lines == [
            "site.yml:1:1: error: missing required key 'title'",
            "site.yml:1:1: error: unknown key 'titel' (did you mean 'title'?)",
        ])
    }

    @Test func misspeltArticleKeyIsAWarning() async throws {
        let site = try TestSite(annLee + """

            -- content/blog/a.md --
            \(article(extra: "sumary: A summary"))
            """)
        defer { site.remove() }
        let report = try await site.buildOK()
        #expect(report.warnings.map(\.description) == [
            "content/blog/a.md:6:1: warning: unknown key 'sumary' (did you mean 'summary'?)\n"
                + "content/blog/a.md:6:1: note: unknown keys are passed to templates as params.sumary",
        ])
        #expect(site.exists("blog/a/index.html"))
    }

    @Test func javascriptImageURLRefused() async throws {
        let lines = try await Self.buildErrors("""
            -- content/blog/a.md --
            \(article(extra: "image: javascript:alert(1)\nimage_alt: x"))
            """)
        #expect(lines == ["content/blog/a.md:6:8: error: 'image' uses the unsafe scheme 'javascript:'"])
    }

    @Test func invalidSlugRefused() async throws {
        let lines = try await Self.buildErrors("""
            -- content/blog/a.md --
            \(article(extra: "slug: ../../etc"))
            """)
        #expect(lines == ["content/blog/a.md:6:7: error: invalid slug '../../etc'"])
    }

    @Test func symlinkOutsideTheSiteRefused() async throws {
        let site = try TestSite(annLee + """

            -- content/blog/a.md --
            \(article())
            """)
        defer { site.remove() }
        try FileManager.default.createSymbolicLink(
            at: site.root.appendingPathComponent("content/blog/leak.txt"),
            withDestinationURL: URL(fileURLWithPath: "/etc/hostname"))
        let target = URL(fileURLWithPath: "/etc/hostname").resolvingSymlinksInPath().path
        let lines = Self.errors(await site.buildErrors())
        #expect(lines == ["content/blog/leak.txt:1:1: error: symbolic link points outside the site (to \(target))"])
        #expect(!site.exists("blog/leak.txt"))
    }

    @Test func symlinkInsideTheSiteIsFine() async throws {
        let site = try TestSite(annLee + """

            -- content/blog/a.md --
            \(article())
            -- content/files/real.txt --
            hello
            """)
        defer { site.remove() }
        try FileManager.default.createSymbolicLink(
            at: site.root.appendingPathComponent("content/files/link.txt"),
            withDestinationURL: site.root.appendingPathComponent("content/files/real.txt"))
        try await site.buildOK()
        #expect(try site.read("files/link.txt") == "hello\n")
    }

    // MARK: Drafts and future articles

    @Test func draftExcludedUnlessRequested() async throws {
        let site = try TestSite(annLee + """

            -- content/blog/a.md --
            \(article(title: "Published"))
            -- content/blog/d.md --
            \(article(title: "Draft", extra: "draft: true"))
            """)
        defer { site.remove() }
        let normal = try await site.buildOK()
        #expect(normal.articles == 1)
        #expect(site.exists("blog/a/index.html"))
        #expect(!site.exists("blog/d/index.html"))
        try site.expect("blog/index.html", "! Draft")

        let withDrafts = try await site.buildOK(options: BuildOptions(drafts: true, now: TestSite.now))
        #expect(withDrafts.articles == 2)
        #expect(site.exists("blog/d/index.html"))
        try site.expect("blog/d/index.html", "<h1>Draft</h1>")
    }

    @Test func futureArticleExcludedUnlessRequested() async throws {
        // TestSite.now is 2026-01-01T00:00:00Z.
        let site = try TestSite(annLee + """

            -- content/blog/a.md --
            \(article(title: "Past"))
            -- content/blog/f.md --
            \(article(title: "Future", date: "2026-01-02"))
            """)
        defer { site.remove() }
        let normal = try await site.buildOK()
        #expect(normal.articles == 1)
        #expect(!site.exists("blog/f/index.html"))

        let withFuture = try await site.buildOK(options: BuildOptions(future: true, now: TestSite.now))
        #expect(withFuture.articles == 2)
        try site.expect("blog/f/index.html", "<h1>Future</h1>")
    }

    // MARK: Output folder

    private static func outputFailure(source: URL, output: URL) async -> [String] {
        let builder = Builder(source: source, output: output, options: BuildOptions(now: TestSite.now))
        do {
            _ = try await builder.build()
            Issue.record("build succeeded but --output should have been refused")
            return []
        } catch let failure as BuildFailure {
            return errors(failure.diagnostics.map(\.description))
        } catch {
            Issue.record("unexpected error \(error)")
            return []
        }
    }

    @Test func outputEqualToSourceRefused() async throws {
        let site = try TestSite(annLee + """

            -- content/blog/a.md --
            \(article())
            """)
        defer { site.remove() }
        let before = Self.snapshot(site.root)
        let lines = await Self.outputFailure(source: site.root, output: site.root)
        let path = site.root.resolvingSymlinksInPath().path
        #expect(lines == ["--output:1:1: error: refusing to use \(path) as output: it contains the site's source"])
        #expect(Self.snapshot(site.root) == before)
    }

    @Test func outputParentOfSourceRefused() async throws {
        let site = try TestSite("", minimalLayouts: false)
        defer { site.remove() }
        // The site lives in <root>/inner; the output would be <root>, which contains it.
        var files = TestSite.parse(annLee + "\n-- content/blog/a.md --\n" + article())
        for (path, body) in TestSite.minimalLayouts { files[path] = body }
        files["site.yml"] = "title: Inner\nbase_url: https://example.org/\n"
        for (path, body) in files { try site.write("inner/" + path, body) }
        try site.write("unrelated.txt", "keep me\n")
        let before = Self.snapshot(site.root)

        let lines = await Self.outputFailure(source: site.root.appendingPathComponent("inner"), output: site.root)
        let path = site.root.resolvingSymlinksInPath().path
        #expect(lines == ["--output:1:1: error: refusing to use \(path) as output: it contains the site's source"])
        #expect(Self.snapshot(site.root) == before)
    }

    @Test func outputInsideContentRefused() async throws {
        let site = try TestSite(annLee)
        defer { site.remove() }
        let lines = await Self.outputFailure(source: site.root, output: site.root.appendingPathComponent("content/out"))
        #expect(lines == ["--output:1:1: error: refusing to write the site inside content/"])
    }

    @Test func foreignNonEmptyOutputRefused() async throws {
        let site = try TestSite(annLee + """

            -- content/blog/a.md --
            \(article())
            -- public/keep.txt --
            not written by sitegen
            """)
        defer { site.remove() }
        let before = Self.snapshot(site.root)
        let lines = Self.errors(await site.buildErrors())
        let path = site.output.resolvingSymlinksInPath().path
        #expect(lines == [
            "--output:1:1: error: \(path) is not empty and was not written by sitegen; remove it or choose another --output",
        ])
        #expect(Self.snapshot(site.root) == before)
        #expect(site.outputFiles() == ["keep.txt"])
    }

    @Test func emptyOutputFolderIsAccepted() async throws {
        let site = try TestSite(annLee + "\n-- content/blog/a.md --\n" + article())
        defer { site.remove() }
        try FileManager.default.createDirectory(at: site.output, withIntermediateDirectories: true)
        try await site.buildOK()
        #expect(site.exists(OutputFolder.marker))
        #expect(site.exists("blog/a/index.html"))
    }

    // MARK: Many errors at once

    @Test func unknownAuthorKeepsPreviousOutput() async throws {
        try await Self.expectOutputKept(breaking: "content/blog/b.md",
            with: article(title: "Second", authors: "[ann-le]") + "\n",
            expected: "content/blog/b.md:4:11: error: unknown author 'ann-le' (did you mean 'ann-lee'?)")
    }

    @Test func everyErrorInEveryFileIsReportedSorted() async throws {
        let lines = try await Self.buildErrors("""
            -- site.yml --
            title: Test
            base_url: https://example.org/
            titel: Typo
            -- layouts/404.mustache --
            {{<base}}{{$main}}{{>partials/nope}}{{/main}}{{/base}}
            -- content/blog/c.md --
            \(article(title: "C", authors: "[ann-le]"))
            -- content/blog/b.md --
            No front matter here.
            -- content/blog/a.md --
            \(article(title: "A", date: "yesterday", extra: "draft: perhaps"))
            -- content/blog/ok.md --
            \(article(title: "Fine"))
            """)
        #expect(lines == [
            "content/blog/a.md:3:7: error: 'date' is not a valid date: 'yesterday'",
            "content/blog/a.md:6:8: error: 'draft' must be true or false",
            "content/blog/b.md:1:1: error: missing front matter",
            "content/blog/c.md:4:11: error: unknown author 'ann-le' (did you mean 'ann-lee'?)",
            "layouts/404.mustache:1:19: error: unknown partial 'partials/nope'",
            "site.yml:3:1: error: unknown key 'titel' (did you mean 'title'?)",
        ])
    }
}
