import Foundation
import SiteGen

/// One HTTP request as the preview sees it: the method, the raw request target, and the
/// `If-None-Match` header.
public struct PreviewRequest: Sendable {
    public var method: String
    public var target: String
    public var ifNoneMatch: String?

    public init(method: String, target: String, ifNoneMatch: String? = nil) {
        self.method = method
        self.target = target
        self.ifNoneMatch = ifNoneMatch
    }
}

/// A complete response: status, headers (Content-Length included) and body (empty for HEAD).
public struct PreviewResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Data

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// What the preview serves at one moment, and how it answers a request. Swapped whole after each
/// rebuild, so a request sees either the old site or the new one, never a mix.
///
/// Generated files come from memory (`files`); files copied as they are (`staticFiles`) are read from
/// the site folder, but only by an exact key of the build's map, and only while their real path is
/// still inside the site. While `errors` is not empty, every HTML answer is the error overlay; other
/// files still come from the last good site.
public struct PreviewSite: Sendable {
    public var files: [String: Data]
    public var staticFiles: [String: URL]
    /// The errors of the last rebuild; empty when it succeeded.
    public var errors: [Diagnostic]
    /// Changes whenever open tabs are told to reload; pages carry it (see `LiveReload`).
    public var version: String
    /// The path the site is served under, from the base URL: `/` or e.g. `/blog/`.
    public var mount: String
    /// The real path of the site folder: static files must resolve inside it.
    public var sourceRoot: String
    /// False for an early snapshot (an edited article's page before the rest of the rebuild): its HTML
    /// is current, but generated feeds and search data may not be; requests for those wait for the
    /// settled snapshot (`isCurrent(for:)`).
    public var settled: Bool

    public init(files: [String: Data] = [:], staticFiles: [String: URL] = [:], errors: [Diagnostic] = [],
                version: String = "0", mount: String = "/", sourceRoot: String = "/nonexistent",
                settled: Bool = true) {
        self.settled = settled
        self.files = files
        self.staticFiles = staticFiles
        self.errors = errors
        self.version = version
        self.mount = mount
        self.sourceRoot = sourceRoot
    }

    public func respond(to request: PreviewRequest) -> PreviewResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            return Self.text(405, "Method Not Allowed: the preview serves GET and HEAD only",
                             extra: [("Allow", "GET, HEAD")])
        }
        var response: PreviewResponse
        switch RequestPath.normalize(request.target) {
        case .failure(.tooLong):
            response = Self.text(414, "URI Too Long")
        case .failure(.malformed(let reason)):
            response = Self.text(400, "Bad Request: \(reason)")
        case .success(let path):
            response = resolve(path, target: request.target, ifNoneMatch: request.ifNoneMatch)
        }
        if request.method == "HEAD" { response.body = Data() }
        return response
    }

    /// Whether this snapshot may answer `target`: always when settled; in an early snapshot, for
    /// everything except generated files that are not HTML (feeds, search data, sitemap).
    public func isCurrent(for target: String) -> Bool {
        guard !settled, case .success(let path) = RequestPath.normalize(target), path.hasPrefix(mount) else { return true }
        let relative = String(path.dropFirst(mount.count))
        guard !relative.isEmpty, !relative.hasSuffix("/"), files[relative] != nil else { return true }
        return relative.hasSuffix(".html")
    }

    /// Maps a decoded path to a file, a redirect or the 404 page.
    func resolve(_ path: String, target: String, ifNoneMatch: String?) -> PreviewResponse {
        let rawPath = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let query = target.firstIndex(of: "?").map { String(target[$0...]) } ?? ""
        guard path.hasPrefix(mount) else {
            if path + "/" == mount || path == "/" { return Self.redirect(to: mount + query) }
            return notFound()
        }
        let relative = String(path.dropFirst(mount.count))
        if relative.isEmpty || relative.hasSuffix("/") {
            return serve(relative + "index.html", ifNoneMatch: ifNoneMatch) ?? notFound()
        }
        if let response = serve(relative, ifNoneMatch: ifNoneMatch) { return response }
        if contents(of: relative + "/index.html") != nil {
            return Self.redirect(to: rawPath + "/" + query)
        }
        return notFound()
    }

    /// The bytes of an output path: generated, or a static file that is still inside the site.
    func contents(of key: String) -> Data? {
        if let data = files[key] { return data }
        guard let url = staticFiles[key], let real = Self.realPath(url.path),
              real.hasPrefix(sourceRoot.hasSuffix("/") ? sourceRoot : sourceRoot + "/") else { return nil }
        return FileManager.default.contents(atPath: real)
    }

    func serve(_ key: String, ifNoneMatch: String?) -> PreviewResponse? {
        guard var body = contents(of: key) else { return nil }
        let type = MediaTypes.of(key)
        if MediaTypes.isHTML(type) {
            if !errors.isEmpty { return overlay() }
            body = LiveReload.inject(into: body, version: version)
        }
        let etag = "\"" + Fingerprint.of(body).description + "\""
        var headers: [(String, String)] = [("Content-Type", type), ("ETag", etag), ("Cache-Control", "no-cache"),
                                           ("X-Content-Type-Options", "nosniff")]
        if let ifNoneMatch, Self.matches(ifNoneMatch, etag: etag) {
            headers.append(("Content-Length", "0"))
            return PreviewResponse(status: 304, headers: headers, body: Data())
        }
        headers.append(("Content-Length", String(body.count)))
        return PreviewResponse(status: 200, headers: headers, body: body)
    }

    func notFound() -> PreviewResponse {
        if !errors.isEmpty { return overlay() }
        guard let page = contents(of: "404.html") else { return Self.text(404, "Not Found") }
        let body = LiveReload.inject(into: page, version: version)
        return PreviewResponse(status: 404, headers: [
            ("Content-Type", MediaTypes.of("404.html")), ("Cache-Control", "no-cache"),
            ("X-Content-Type-Options", "nosniff"), ("Content-Length", String(body.count)),
        ], body: body)
    }

    func overlay() -> PreviewResponse {
        let body = ErrorOverlay.page(errors: errors, version: version)
        return PreviewResponse(status: 500, headers: [
            ("Content-Type", MediaTypes.of("index.html")), ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"), ("Content-Length", String(body.count)),
        ], body: body)
    }

    static func redirect(to location: String) -> PreviewResponse {
        let body = Data("Moved Permanently: \(location)\n".utf8)
        return PreviewResponse(status: 301, headers: [
            ("Location", location), ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", String(body.count)),
        ], body: body)
    }

    static func text(_ status: Int, _ message: String, extra: [(String, String)] = []) -> PreviewResponse {
        let body = Data((message + "\n").utf8)
        return PreviewResponse(status: status, headers: [
            ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", String(body.count)),
        ] + extra, body: body)
    }

    /// `If-None-Match: "a", W/"b"` or `*`.
    static func matches(_ header: String, etag: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
