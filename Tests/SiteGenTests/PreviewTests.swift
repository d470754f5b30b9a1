import Foundation
import Testing
@testable import SiteGen
@testable import SiteGenPreview

/// The preview server's request handling, in process: path normalization, content types, redirects,
/// the 404 page, ETags, HEAD, the error overlay and live-reload injection, and traversal attempts.
@Suite struct PreviewTests {
    @Test(arguments: [
        ("/", "/"), ("/blog/a/", "/blog/a/"), ("/feed.xml?x=1#top", "/feed.xml"),
        ("/images/my%20photo.jpg", "/images/my photo.jpg"), ("/caf%C3%A9/", "/café/"),
        ("/a%252e%252e/", "/a%2e%2e/"),  // decoded once only
    ])
    func normalizerAcceptsPlainPaths(target: String, path: String) {
        #expect(RequestPath.normalize(target) == .success(path))
    }

    @Test(arguments: [
        "/../site.yml", "/blog/../../etc/passwd", "/%2e%2e/site.yml", "/%2E%2E/%2e%2e/etc/passwd", "/.%2e/x",
        "/%2F..%2Fsite.yml", "/..%2fsite.yml", "/a%2fb", "/\\..\\site.yml", "/%5c..%5csite.yml", "/a\\b",
        "/%00", "/blog/a.md%00.html", "/a%0ab", "//etc/passwd", "/blog//a/", "/./x", "/x/.",
        "http://127.0.0.1/../site.yml", "*", "", "etc/passwd", "/%zz", "/%2", "/%ff%fe",
    ])
    func normalizerRefusesTraversalAndOddities(target: String) {
        guard case .failure(.malformed) = RequestPath.normalize(target) else {
            Issue.record("accepted \(target.debugDescription)")
            return
        }
    }

    @Test func overLongTargetsAre414() {
        #expect(RequestPath.normalize("/" + String(repeating: "a", count: RequestPath.maxLength)) == .failure(.tooLong))
        #expect(RequestPath.normalize("/" + String(repeating: "a", count: RequestPath.maxLength - 1)) == .success(
            "/" + String(repeating: "a", count: RequestPath.maxLength - 1)))
        #expect(RequestPath.Rejection.tooLong.status == 414)
    }

    @Test(arguments: [
        ("blog/a/index.html", "text/html; charset=utf-8"), ("404.html", "text/html; charset=utf-8"),
        ("assets/style.css", "text/css; charset=utf-8"), ("assets/search.js", "text/javascript; charset=utf-8"),
        ("feed.xml", "application/atom+xml"), ("blog/feed.xml", "application/atom+xml"),
        ("sitemap.xml", "application/xml"), ("search-index.json", "application/json"),
        ("images/a.svg", "image/svg+xml"), ("images/a.png", "image/png"), ("images/a.JPG", "image/jpeg"),
        ("images/a.jpeg", "image/jpeg"), ("images/a.gif", "image/gif"), ("images/a.webp", "image/webp"),
        ("files/report.pdf", "application/pdf"), ("robots.txt", "text/plain; charset=utf-8"),
        ("assets/font.woff2", "font/woff2"), ("favicon.ico", "image/x-icon"), ("files/data", "application/octet-stream"),
        ("files/.hidden", "application/octet-stream"),
    ])
    func mediaTypes(path: String, type: String) {
        #expect(MediaTypes.of(path) == type)
    }

    // MARK: - Responses

    func site(errors: [Diagnostic] = [], mount: String = "/", staticFiles: [String: URL] = [:],
              sourceRoot: String = "/nonexistent") -> PreviewSite {
        PreviewSite(files: [
            "index.html": Data("<html><body><h1>Home</h1></body></html>".utf8),
            "blog/a/index.html": Data("<html><body><h1>A</h1></body></html>".utf8),
            "404.html": Data("<html><body><h1>Custom not found</h1></body></html>".utf8),
            "feed.xml": Data("<feed/>".utf8),
        ], staticFiles: staticFiles, errors: errors, version: "v1", mount: mount, sourceRoot: sourceRoot)
    }

    func get(_ site: PreviewSite, _ target: String, method: String = "GET", ifNoneMatch: String? = nil) -> PreviewResponse {
        site.respond(to: PreviewRequest(method: method, target: target, ifNoneMatch: ifNoneMatch))
    }

    func text(_ response: PreviewResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test func pagesGetTheReloadScriptAndOtherFilesDoNot() {
        let page = get(site(), "/blog/a/")
        #expect(page.status == 200)
        #expect(page.header("Content-Type") == "text/html; charset=utf-8")
        #expect(text(page).contains("<h1>A</h1><script id=\"\(LiveReload.marker)\">"))
        #expect(text(page).contains("const version = \"v1\""))
        #expect(text(page).hasSuffix("</script></body></html>"))
        #expect(page.header("Content-Length") == String(page.body.count))
        let feed = get(site(), "/feed.xml")
        #expect(feed.header("Content-Type") == "application/atom+xml")
        #expect(text(feed) == "<feed/>")
    }

    @Test func directoriesRedirectAndMissingPathsGetTheSite404() {
        let redirect = get(site(), "/blog/a?ref=x")
        #expect(redirect.status == 301)
        #expect(redirect.header("Location") == "/blog/a/?ref=x")
        let missing = get(site(), "/no/such/page/")
        #expect(missing.status == 404)
        #expect(text(missing).contains("Custom not found"))
        #expect(text(missing).contains(LiveReload.marker))
        #expect(get(site(), "/blog/").status == 404, "no directory listings")
        #expect(get(site(), "/index.html").status == 200)
    }

    @Test func etagsGive304AndHeadHasNoBody() throws {
        let first = get(site(), "/blog/a/")
        let etag = try #require(first.header("ETag"))
        #expect(etag.hasPrefix("\"") && etag.hasSuffix("\""))
        #expect(first.header("Cache-Control") == "no-cache")
        #expect(get(site(), "/blog/a/", ifNoneMatch: etag).status == 304)
        #expect(get(site(), "/blog/a/", ifNoneMatch: "\"other\", W/\(etag)").status == 304)
        #expect(get(site(), "/blog/a/", ifNoneMatch: "\"other\"").status == 200)
        let head = get(site(), "/blog/a/", method: "HEAD")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.header("Content-Length") == String(first.body.count))
        #expect(head.header("ETag") == etag)
    }

    @Test func onlyGetAndHead() {
        for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"] {
            let response = get(site(), "/", method: method)
            #expect(response.status == 405)
            #expect(response.header("Allow") == "GET, HEAD")
        }
    }

    @Test func refusedTargetsGet400Or414() {
        #expect(get(site(), "/%2e%2e/site.yml").status == 400)
        #expect(get(site(), "/" + String(repeating: "x", count: 2_100)).status == 414)
    }

    @Test func errorsShowTheOverlayForHTMLOnly() {
        let broken = site(errors: [Diagnostic(.error, file: "content/blog/a.md", line: 4, column: 11,
                                              "unknown author 'nobody'", hint: "authors are the files in content/authors/")])
        for target in ["/blog/a/", "/", "/no/such/"] {
            let overlay = get(broken, target)
            #expect(overlay.status == 500)
            #expect(overlay.header("Cache-Control") == "no-store")
            #expect(text(overlay).contains("content/blog/a.md:4:11"))
            #expect(text(overlay).contains("unknown author &#39;nobody&#39;"))
            #expect(text(overlay).contains("note: authors are the files"))
            #expect(text(overlay).contains(LiveReload.marker))
        }
        #expect(get(broken, "/feed.xml").status == 200, "the last good site still serves everything else")
    }

    @Test func aBasePathMountsTheSiteThere() {
        let mounted = site(mount: "/sub/")
        #expect(get(mounted, "/sub/blog/a/").status == 200)
        #expect(get(mounted, "/sub").header("Location") == "/sub/")
        #expect(get(mounted, "/").header("Location") == "/sub/")
        #expect(get(mounted, "/blog/a/").status == 404)
    }

    @Test func staticFilesAreServedOnlyByExactKeyAndOnlyInsideTheSite() throws {
        let site = try TestSite("-- content/files/notes.txt --\nhello\n-- content/files/b.txt --\nsecret\n")
        defer { site.remove() }
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("sitegen-outside-\(UUID().uuidString).txt")
        try Data("outside the site\n".utf8).write(to: outside)
        defer { try? FileManager.default.removeItem(at: outside) }
        let notes = site.root.appendingPathComponent("content/files/notes.txt")
        let moved = site.root.appendingPathComponent("content/files/b.txt")
        let preview = self.site(staticFiles: ["files/notes.txt": notes, "files/b.txt": moved],
                                sourceRoot: PreviewSite.realPath(site.root.path)!)
        let served = get(preview, "/files/notes.txt")
        #expect(served.status == 200)
        #expect(text(served) == "hello\n")
        #expect(served.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(get(preview, "/content/files/notes.txt").status == 404, "source paths are not keys")
        #expect(get(preview, "/files/../site.yml").status == 400)
        // A static file that became a link to outside the site after the build is not served.
        try FileManager.default.removeItem(at: moved)
        try FileManager.default.createSymbolicLink(at: moved, withDestinationURL: outside)
        let leaked = get(preview, "/files/b.txt")
        #expect(leaked.status == 404)
        #expect(!text(leaked).contains("outside the site"))
    }

    @Test func aSymlinkOutOfTheSiteIsRefusedByTheBuild() async throws {
        let site = try TestSite(annLee + "\n-- content/blog/a.md --\n" + article())
        defer { site.remove() }
        try FileManager.default.createSymbolicLink(atPath: site.root.appendingPathComponent("content/passwd").path,
                                                   withDestinationPath: "/etc/passwd")
        let outcome = await IncrementalBuilder(source: site.root, options: BuildOptions(now: TestSite.now)).rebuild()
        #expect(!outcome.succeeded)
        #expect(outcome.diagnostics.contains { $0.message.contains("symbolic link points outside the site") })
        #expect(outcome.staticFiles["passwd"] == nil)
    }

    @Test func reloadEventsAreServerSentEvents() async {
        #expect(LiveReload.event("reload", data: "v2") == "event: reload\ndata: v2\n\n")
        let hub = ReloadHub(version: "v1")
        var events = await hub.subscribe().makeAsyncIterator()
        #expect(await events.next() == "retry: 1000\n\nevent: hello\ndata: v1\n\n")
        await hub.reload("v2")
        #expect(await events.next() == "event: reload\ndata: v2\n\n")
        #expect(await hub.version == "v2")
        await hub.close()
        #expect(await events.next() == nil)
    }

    @Test func injectionAppendsWhenThereIsNoBody() {
        let page = LiveReload.inject(into: Data("<p>fragment</p>".utf8), version: "v")
        #expect(String(decoding: page, as: UTF8.self).hasPrefix("<p>fragment</p><script"))
    }

    /// The live-reload script belongs to the preview only: a real build never contains it.
    @Test func buildOutputHasNoLiveReloadScript() async throws {
        let site = try TestSite(annLee + "\n-- content/blog/a.md --\n" + article())
        defer { site.remove() }
        try await site.buildOK()
        for path in site.outputFiles() {
            let text = try String(contentsOf: site.output.appendingPathComponent(path), encoding: .utf8)
            #expect(!text.contains(LiveReload.marker), "\(path)")
            #expect(!text.contains("__sitegen"), "\(path)")
            #expect(!text.contains("EventSource"), "\(path)")
        }
    }

    /// An early snapshot answers HTML (current) and static files (unchanged); generated feeds and search
    /// data wait for the settled snapshot.
    @Test func earlySnapshotsAnswerOnlyWhatIsCurrent() {
        let files = ["blog/a/index.html": Data("a".utf8), "feed.xml": Data(), "search/manifest.json": Data(),
                     "404.html": Data()]
        let early = PreviewSite(files: files, staticFiles: ["assets/style.css": URL(fileURLWithPath: "/x")],
                                mount: "/", settled: false)
        #expect(early.isCurrent(for: "/blog/a/"))
        #expect(early.isCurrent(for: "/blog/a/index.html"))
        #expect(early.isCurrent(for: "/assets/style.css"))
        #expect(early.isCurrent(for: "/missing/"))
        #expect(!early.isCurrent(for: "/feed.xml"))
        #expect(!early.isCurrent(for: "/search/manifest.json?v=2"))
        let settled = PreviewSite(files: files, mount: "/")
        #expect(settled.isCurrent(for: "/feed.xml"))
    }
}
