import Foundation
import Testing
@testable import SiteGen
@testable import SiteGenPreview

/// Runs the real `sitegen serve` on a free port and talks HTTP to it over a raw socket: content types,
/// redirects, the site's 404 page, ETags, HEAD, traversal attempts, then edits that must reach an open
/// live-reload connection, and an error overlay that appears and clears.
@Suite(.tags(.process)) struct ServeTests {
    /// A running `sitegen serve`; its standard output and error go to files so that tests can wait for lines.
    final class Server {
        let process = Process()
        let out: URL
        let err: URL
        private(set) var port = 0

        init(_ site: TestSite, arguments: [String] = []) throws {
            out = site.root.appendingPathComponent(".serve-out.txt")
            err = site.root.appendingPathComponent(".serve-err.txt")
            _ = FileManager.default.createFile(atPath: out.path, contents: nil)
            _ = FileManager.default.createFile(atPath: err.path, contents: nil)
            process.executableURL = CommandLineTests.executable
            process.arguments = ["serve", "--source", site.root.path, "--port", "0"] + arguments
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = try FileHandle(forWritingTo: err)
            try process.run()
            let line = try waitFor("sitegen: serving http://127.0.0.1:")
            let rest = line.components(separatedBy: "http://127.0.0.1:")[1]
            port = Int(rest.prefix { $0.isNumber }) ?? 0
            _ = try waitFor("sitegen: built ")
        }

        var output: String { (try? String(contentsOf: out, encoding: .utf8)) ?? "" }
        var errors: String { (try? String(contentsOf: err, encoding: .utf8)) ?? "" }
        var http: RawHTTP { RawHTTP(port: port) }

        /// Waits until a line of standard output contains `text` (after `skipping` earlier matches); returns it.
        @discardableResult
        func waitFor(_ text: String, count: Int = 1, timeout: Double = 60) throws -> String {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                let lines = output.split(separator: "\n").filter { $0.contains(text) }
                if lines.count >= count { return String(lines[count - 1]) }
                guard process.isRunning else { break }
                Thread.sleep(forTimeInterval: 0.02)
            }
            throw RawHTTP.Failure(description: "no line with '\(text)' (#\(count)); output:\n\(output)\nerrors:\n\(errors)")
        }

        /// SIGTERM, then waits for a graceful exit; returns the exit status (nil if it had to be killed).
        func stop() -> Int32? {
            process.terminate()
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
            guard !process.isRunning else {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                return nil
            }
            return process.terminationStatus
        }
    }

    static let files = annLee + """

    -- content/blog/a.md --
    ---
    title: First Post
    date: 2024-05-01
    authors: [ann-lee]
    categories: [Security]
    ---
    Original body.
    -- content/files/notes.txt --
    notes
    -- content/files/data.json --
    {"a": 1}
    -- content/files/report.pdf --
    %PDF-1.4
    -- content/files/font.woff2 --
    wOF2
    -- content/files/pic.png --
    png
    -- content/files/pic.jpg --
    jpg
    -- content/files/pic.gif --
    gif
    -- content/files/pic.webp --
    webp
    -- content/files/icon.ico --
    ico
    -- content/files/logo.svg --
    <svg xmlns="http://www.w3.org/2000/svg"/>
    -- layouts/assets/style.css --
    body { color: black; }
    -- layouts/assets/site.js --
    console.log(1);
    """

    @Test func servesTheSiteOverHTTP() throws {
        let site = try TestSite(Self.files)
        defer { site.remove() }
        let server = try Server(site)
        defer { #expect(server.stop() == 0) }
        let http = server.http
        #expect(server.port > 0)

        let page = try http.get("/blog/a/")
        #expect(page.status == 200)
        #expect(page.headers["content-type"] == "text/html; charset=utf-8")
        #expect(page.text.contains("First Post"))
        #expect(page.text.contains(LiveReload.marker))
        #expect(page.text.contains("<link rel=\"canonical\" href=\"http://127.0.0.1:\(server.port)/blog/a/\">"),
                "the base URL is the preview's own")
        #expect(try http.get("/").status == 200)

        let types = [
            "/feed.xml": "application/atom+xml", "/sitemap.xml": "application/xml",
            "/robots.txt": "text/plain; charset=utf-8", "/files/notes.txt": "text/plain; charset=utf-8",
            "/files/data.json": "application/json", "/files/report.pdf": "application/pdf",
            "/files/font.woff2": "font/woff2", "/files/pic.png": "image/png", "/files/pic.jpg": "image/jpeg",
            "/files/pic.gif": "image/gif", "/files/pic.webp": "image/webp", "/files/icon.ico": "image/x-icon",
            "/files/logo.svg": "image/svg+xml", "/assets/style.css": "text/css; charset=utf-8",
            "/assets/site.js": "text/javascript; charset=utf-8", "/404.html": "text/html; charset=utf-8",
        ]
        for (target, type) in types {
            let reply = try http.get(target)
            #expect(reply.status == 200, "\(target)")
            #expect(reply.headers["content-type"] == type, "\(target)")
        }
        #expect(try http.get("/files/notes.txt").text == "notes\n")

        let redirect = try http.get("/blog/a")
        #expect(redirect.status == 301)
        #expect(redirect.headers["location"] == "/blog/a/")
        let missing = try http.get("/no/such/page/")
        #expect(missing.status == 404)
        #expect(missing.text.contains("Not found"), "the site's own 404 page")

        let etag = try #require(page.headers["etag"])
        let cached = try http.get("/blog/a/", headers: ["If-None-Match": etag])
        #expect(cached.status == 304)
        #expect(cached.body.isEmpty)
        let head = try http.send("HEAD", "/blog/a/")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.headers["content-length"] == String(page.body.count))
        let post = try http.send("POST", "/blog/a/")
        #expect(post.status == 405)
        #expect(post.headers["allow"] == "GET, HEAD")
    }

    @Test func noRequestEscapesTheSite() throws {
        let site = try TestSite(Self.files)
        defer { site.remove() }
        try Data("secret: do not serve\n".utf8).write(to: site.root.appendingPathComponent("secret.txt"))
        let server = try Server(site)
        defer { #expect(server.stop() == 0) }
        let attempts = [
            "/../secret.txt", "/../../../../etc/passwd", "/%2e%2e/secret.txt", "/%2E%2E/%2e%2e/%2e%2e/etc/passwd",
            "/files/%2e%2e/%2e%2e/secret.txt", "/%2F..%2Fsecret.txt", "/..%2fsecret.txt", "/\\..\\secret.txt",
            "/%5c..%5csecret.txt", "/%00", "/files/notes.txt%00.html", "//etc/passwd", "/secret.txt", "/site.yml",
            "/content/files/notes.txt", "http://127.0.0.1/../secret.txt", "/./secret.txt", "/files/",
        ]
        for target in attempts {
            let reply = try server.http.get(target)
            #expect([400, 404].contains(reply.status), "\(target) → \(reply.status)")
            #expect(!reply.text.contains("do not serve") && !reply.text.contains("root:x:0"), "\(target) leaked a file")
            #expect(!reply.text.contains("Index of"), "\(target) listed a folder")
        }
        #expect(try server.http.get("/" + String(repeating: "a", count: 3_000)).status == 414)
    }

    @Test func editsReloadAndErrorsShowAnOverlayUntilFixed() throws {
        let site = try TestSite(Self.files)
        defer { site.remove() }
        let server = try Server(site)
        defer { #expect(server.stop() == 0, "a graceful stop, even with a live-reload connection open") }
        let events = try EventStreamReader(port: server.port)
        let first = try events.next("hello")

        try site.write("content/blog/a.md", article(title: "First Post", body: "Edited body."))
        let second = try events.next("reload")
        #expect(second != first)
        #expect(try server.http.get("/blog/a/").text.contains("Edited body."))
        try server.waitFor("sitegen: content/blog/a.md: re-rendered ")

        // An editor that saves through a temporary file and a rename.
        try site.write("content/blog/a.md.tmp", article(title: "First Post", body: "Saved by rename."))
        #expect(rename(site.root.appendingPathComponent("content/blog/a.md.tmp").path,
                       site.root.appendingPathComponent("content/blog/a.md").path) == 0)
        _ = try events.next("reload")
        #expect(try server.http.get("/blog/a/").text.contains("Saved by rename."))

        // A new folder of articles.
        try site.write("content/blog/2024/later.md", article(title: "Later Post", date: "2024-06-01"))
        _ = try events.next("reload")
        #expect(try server.http.get("/blog/later/").text.contains("Later Post"))

        // An error: the overlay for pages, the last good site for the rest, compiler form in the terminal.
        try site.write("content/blog/a.md", article(title: "First Post", authors: "[nobody]"))
        _ = try events.next("reload")
        let overlay = try server.http.get("/blog/a/")
        #expect(overlay.status == 500)
        #expect(overlay.text.contains("content/blog/a.md:4:"))
        #expect(overlay.text.contains("unknown author"))
        #expect(try server.http.get("/assets/style.css").status == 200)
        try server.waitFor("error; still serving the last good site")
        #expect(server.errors.contains("content/blog/a.md:4:11: error: unknown author 'nobody'"))

        try site.write("content/blog/a.md", article(title: "First Post", body: "Fixed."))
        _ = try events.next("reload")
        let fixed = try server.http.get("/blog/a/")
        #expect(fixed.status == 200)
        #expect(fixed.text.contains("Fixed."))
        #expect(!fixed.text.contains("unknown author"))
    }

    @Test func initCreatesASiteThatServes() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("sitegen-init-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: parent) }
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        let created = try CommandLineTests().run(["init", "mysite"], in: parent)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("created a new site in mysite"))
        let again = try CommandLineTests().run(["init", "mysite"], in: parent)
        #expect(again.status == 1)
        #expect(again.stderr.contains("is not empty"))
        let build = try CommandLineTests().run(["build"], in: parent.appendingPathComponent("mysite"))
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stderr.isEmpty, "no warnings: \(build.stderr)")
    }
}
