import Foundation
import Testing
@testable import SiteGen

/// Incremental rebuilds must give exactly the site a fresh build gives: after every edit in a
/// sequence, the in-memory site is compared file by file with a clean build of the same sources.
@Suite struct IncrementalTests {
    let options = BuildOptions(now: TestSite.now)

    /// The clean build's files, read back from disk.
    func cleanBuild(_ site: TestSite) async throws -> [String: Data] {
        try await site.buildOK(options: options)
        var files: [String: Data] = [:]
        for path in site.outputFiles() where path != OutputFolder.marker {
            files[path] = try Data(contentsOf: site.output.appendingPathComponent(path))
        }
        return files
    }

    func siteFiles(_ outcome: IncrementalBuilder.Outcome) throws -> [String: Data] {
        var files = outcome.files
        for (path, url) in outcome.staticFiles { files[path] = try Data(contentsOf: url) }
        return files
    }

    func expectSame(_ outcome: IncrementalBuilder.Outcome, _ site: TestSite, step: String,
                    sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(outcome.succeeded, "\(step): \(outcome.diagnostics)", sourceLocation: sourceLocation)
        let clean = try await cleanBuild(site)
        let incremental = try siteFiles(outcome)
        #expect(Set(incremental.keys) == Set(clean.keys),
                "\(step): only incremental \(Set(incremental.keys).subtracting(clean.keys).sorted()), only clean \(Set(clean.keys).subtracting(incremental.keys).sorted())",
                sourceLocation: sourceLocation)
        for (path, data) in clean where incremental[path] != data {
            Issue.record("\(step): \(path) differs from a clean build", sourceLocation: sourceLocation)
        }
    }

    @Test func everyEditGivesTheCleanBuildSite() async throws {
        var files = "-- site.yml --\ntitle: T\nbase_url: https://example.org/\nper_page: 2\n" + annLee + """
        -- content/authors/bo-kim.md --
        ---
        name: Bo Kim
        ---
        Bo.
        -- content/images/a.svg --
        <svg xmlns="http://www.w3.org/2000/svg"/>
        """
        for day in 1...5 {
            files += "\n-- content/blog/post-\(day).md --\n"
                + article(title: "Post \(day)", date: "2024-01-0\(day)", categories: day % 2 == 0 ? "[Security]" : "[Trade]")
        }
        let site = try TestSite(files)
        defer { site.remove() }
        let builder = IncrementalBuilder(source: site.root, options: options)
        try await expectSame(await builder.rebuild(), site, step: "initial")

        func edit(_ path: String, _ text: String?, _ step: String) async throws -> IncrementalBuilder.Outcome {
            let url = site.root.appendingPathComponent(path)
            if let text { try site.write(path, text) } else { try FileManager.default.removeItem(at: url) }
            let outcome = await builder.rebuild(changed: [path])
            try await expectSame(outcome, site, step: step)
            return outcome
        }

        // Body only: the page, its lists and feeds change; the others are reused.
        let body = try await edit("content/blog/post-3.md",
                                  article(title: "Post 3", date: "2024-01-03", categories: "[Trade]", body: "New body."),
                                  "edit body")
        #expect(body.parsed == 1)
        #expect(body.changed.contains("blog/post-3/index.html"))
        #expect(!body.changed.contains("blog/post-1/index.html"))
        #expect(body.rendered < 20, "rendered \(body.rendered) jobs for a body edit")

        let title = try await edit("content/blog/post-3.md",
                                   article(title: "Third", date: "2024-01-03", categories: "[Trade]", body: "New body."),
                                   "edit title")
        #expect(title.changed.contains("blog/post-2/index.html"), "the neighbour shows the title")
        #expect(title.changed.contains("blog/post-4/index.html"))

        _ = try await edit("content/blog/post-3.md",
                           article(title: "Third", date: "2024-02-09", categories: "[Trade]"), "change date")
        _ = try await edit("content/blog/post-6.md", article(title: "Six", date: "2024-01-06"), "add article")
        _ = try await edit("content/blog/post-1.md", nil, "delete article")
        _ = try await edit("content/blog/post-2.md", nil, "rename article: delete")
        _ = try await edit("content/blog/second.md", article(title: "Post 2", date: "2024-01-02"), "rename article: add")
        _ = try await edit("content/blog/post-4.md",
                           article(title: "Post 4", date: "2024-01-04", authors: "[bo-kim, ann-lee]",
                                   categories: "[Diplomacy, Security]"), "change authors and categories")
        _ = try await edit("content/authors/ann-lee.md", "---\nname: Ann Lee-Park\ntitle: Director\n---\nNew bio.\n",
                           "edit author")
        _ = try await edit("site.yml", "title: Renamed\nbase_url: https://example.org/sub/\nper_page: 3\n", "edit site.yml")
        _ = try await edit("layouts/section.mustache",
                           "{{<base}}{{$main}}<h2>{{section.title}}!</h2>{{>partials/list}}{{/main}}{{/base}}", "edit layout")
        _ = try await edit("content/images/b.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"><g/></svg>\n", "add static file")
        _ = try await edit("content/images/a.svg", nil, "delete static file")

        // An error keeps the last good site and reports; fixing it gives the clean-build site again.
        try site.write("content/blog/post-5.md", article(title: "Five", date: "2024-01-05", authors: "[nobody]"))
        let broken = await builder.rebuild(changed: ["content/blog/post-5.md"])
        #expect(!broken.succeeded)
        #expect(broken.diagnostics.contains { $0.message.contains("unknown author 'nobody'") })
        #expect(broken.files["blog/post-5/index.html"] != nil, "the last good page is still served")
        _ = try await edit("content/blog/post-5.md", article(title: "Five", date: "2024-01-05"), "fix error")
    }

    @Test func aRebuildWithNothingChangedRendersNothing() async throws {
        let site = try TestSite(annLee + "\n-- content/blog/a.md --\n" + article())
        defer { site.remove() }
        let builder = IncrementalBuilder(source: site.root, options: options)
        let first = await builder.rebuild()
        #expect(first.rendered > 5)
        let second = await builder.rebuild(changed: [])
        #expect(second.rendered == 1, "only the sitemap, which has no fingerprint")
        #expect(second.parsed == 0)
        #expect(second.changed.isEmpty)
    }

    /// The preview's fast path: an edit to an article's body (nothing a list shows) re-renders only that
    /// page first, and the full rebuild that follows changes no other HTML page; any other edit gets no
    /// fast path.
    @Test func earlyPagesAreWhatTheFullRebuildGives() async throws {
        func post(_ body: String, title: String = "Post 2", summary: String = "Fixed summary.") -> String {
            article(title: title, date: "2024-01-02", extra: "summary: \(summary)", body: body)
        }
        var files = annLee
        files += "\n-- content/blog/post-1.md --\n" + article(title: "Post 1", date: "2024-01-01")
        files += "\n-- content/blog/post-2.md --\n" + post("First paragraph.\n\nSecond.")
        files += "\n-- content/blog/post-3.md --\n" + article(title: "Post 3", date: "2024-01-03")
        let site = try TestSite(files)
        defer { site.remove() }
        let builder = IncrementalBuilder(source: site.root, options: options)
        let initial = await builder.rebuild()
        #expect(initial.succeeded)

        try site.write("content/blog/post-2.md", post("First paragraph.\n\nA **new** second paragraph."))
        let early = try #require(await builder.early(changed: ["content/blog/post-2.md"]))
        #expect(early.changed == ["blog/post-2/index.html"])
        #expect(String(decoding: early.files["blog/post-2/index.html"] ?? Data(), as: UTF8.self)
            .contains("A <strong>new</strong> second paragraph."))
        let full = await builder.rebuild(changed: ["content/blog/post-2.md"])
        try await expectSame(full, site, step: "body edit")
        #expect(full.files["blog/post-2/index.html"] == early.files["blog/post-2/index.html"])
        let otherHTML = full.changed.filter { $0.hasSuffix(".html") && !early.changed.contains($0) }
        #expect(otherHTML.isEmpty, "the full rebuild changed \(otherHTML)")
        #expect(full.changed.contains("feed.xml"), "feeds carry the content")

        // Anything a list or a neighbour shows: no fast path.
        try site.write("content/blog/post-2.md", post("Body.", title: "Renamed"))
        #expect(await builder.early(changed: ["content/blog/post-2.md"]) == nil)
        try site.write("content/blog/post-2.md", post("Body.", summary: "Other summary."))
        #expect(await builder.early(changed: ["content/blog/post-2.md"]) == nil)
        #expect(await builder.early(changed: ["content/authors/ann-lee.md"]) == nil)
        #expect(await builder.early(changed: ["site.yml"]) == nil)
        // A file with an error: the full rebuild reports it.
        try site.write("content/blog/post-2.md", post("Body.").replacingOccurrences(of: "[ann-lee]", with: "[nobody]"))
        #expect(await builder.early(changed: ["content/blog/post-2.md"]) == nil)
    }
}
