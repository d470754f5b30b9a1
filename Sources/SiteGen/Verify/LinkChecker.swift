import Foundation

/// `sitegen check --links`: every internal link and `#anchor` of a built site, checked offline
/// against the files of the output folder. Internal means root-relative under the base path
/// (`/blog/x/`), relative (`../x/`), or absolute under `base_url` (canonical links). A broken link is
/// reported against the source file of the page that has it (the page's `RenderJob.owner`), at the
/// line where the link is written there when it can be found, else at the top of the file.
public struct LinkChecker: Sendable {
    /// The built site.
    public var folder: URL
    /// Absolute, ending in "/", e.g. `https://example.org/blog/`.
    public var baseURL: String
    /// Output file → source file (`BuildReport.owners`); pages without an owner are named by path.
    public var owners: [String: String]
    /// The site's source folder, to find the line of a link in its owner.
    public var source: URL?

    public struct Result: Sendable {
        public var pages = 0
        public var links = 0
        /// One error per broken link; a link broken the same way on many pages is reported once.
        public var diagnostics: [Diagnostic] = []
    }

    public init(folder: URL, baseURL: String, owners: [String: String] = [:], source: URL? = nil) {
        self.folder = folder.standardizedFileURL
        self.baseURL = baseURL.hasSuffix("/") ? baseURL : baseURL + "/"
        self.owners = owners
        self.source = source
    }

    /// The base path: "/" or e.g. "/blog/".
    var root: String {
        let path = URL(string: baseURL)?.path(percentEncoded: true) ?? "/"
        return path.hasSuffix("/") ? path : path + "/"
    }

    struct Broken: Sendable {
        var page: String
        var url: String
        var offset: Int
        var reason: String
    }

    public func check() async -> Result {
        let files = Set((try? allFiles()) ?? [])
        let pages = files.filter { $0.hasSuffix(".html") }.sorted()
        let folder = self.folder
        let scanned = await Parallel.map(pages) { page -> (String, HTMLLinks, [UInt8]) in
            let bytes = (try? Array(Data(contentsOf: folder.appendingPathComponent(page)))) ?? []
            return (page, HTMLLinks(bytes), bytes)
        }
        var anchors: [String: Set<String>] = [:]
        for (page, links, _) in scanned { anchors[page] = links.anchors }
        var result = Result(pages: pages.count)
        var broken: [Broken] = []
        for (page, links, _) in scanned {
            // A form posting to an absolute URL talks to a server, not to a file of the site.
            for link in links.links where !(link.attribute == "action" && (Self.hasScheme(link.url) || link.url.hasPrefix("//"))) {
                guard let outcome = resolve(link.url, on: page, files: files, anchors: anchors) else { continue }
                result.links += 1
                if let reason = outcome { broken.append(Broken(page: page, url: link.url, offset: link.offset, reason: reason)) }
            }
        }
        let bytesByPage = Dictionary(scanned.map { ($0.0, $0.2) }, uniquingKeysWith: { first, _ in first })
        result.diagnostics = report(broken, bytes: bytesByPage)
        return result
    }

    /// nil for links that are not checked (external, empty); `.some(nil)` for a good link; else why
    /// it is broken.
    func resolve(_ raw: String, on page: String, files: Set<String>, anchors: [String: Set<String>]) -> String?? {
        var url = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !url.isEmpty else { return nil }
        if url.hasPrefix(baseURL) {
            url = root + url.dropFirst(baseURL.count)
        } else if url.hasPrefix("//") || Self.hasScheme(url) {
            return nil
        }
        var fragment = ""
        if let hash = url.firstIndex(of: "#") {
            fragment = String(url[url.index(after: hash)...])
            url = String(url[..<hash])
        }
        if let question = url.firstIndex(of: "?") { url = String(url[..<question]) }
        var target = page
        if !url.isEmpty {
            let relative: String
            if url.hasPrefix("/") {
                guard url.hasPrefix(root) || url + "/" == root else {
                    return .some("it is outside the site's base path \(root)")
                }
                relative = String(url.dropFirst(min(root.count, url.count)))
            } else {
                relative = (page.split(separator: "/").dropLast().joined(separator: "/") + "/" + url)
            }
            guard let path = Self.normalize(relative.removingPercentEncoding ?? relative) else {
                return .some("it goes above the site's root")
            }
            if path.isEmpty || path.hasSuffix("/") {
                target = path + "index.html"
            } else if files.contains(path) {
                target = path
            } else if files.contains(path + "/index.html") {
                target = path + "/index.html"
            } else {
                return .some("no file \(path) in the site")
            }
            guard files.contains(target) else { return .some("no page at \(root)\(path)") }
        }
        let name = fragment.removingPercentEncoding ?? fragment
        if !name.isEmpty, target.hasSuffix(".html"), anchors[target]?.contains(name) != true {
            return .some("\(target == page ? "this page" : target) has no element with id '\(name)'")
        }
        return .some(nil)
    }

    /// "a/./b/../c/" → "a/c/"; nil when ".." climbs above the root.
    static func normalize(_ path: String) -> String? {
        var parts: [Substring] = []
        let pieces = path.split(separator: "/", omittingEmptySubsequences: true)
        for piece in pieces {
            if piece == "." { continue }
            if piece == ".." {
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            } else {
                parts.append(piece)
            }
        }
        let joined = parts.joined(separator: "/")
        let isFolder = path.hasSuffix("/") || path.hasSuffix("/.") || path.hasSuffix("/..") || path == "." || path == ".."
        return joined.isEmpty ? "" : (isFolder ? joined + "/" : joined)
    }

    static func hasScheme(_ url: String) -> Bool {
        guard let colon = url.firstIndex(of: ":") else { return false }
        let scheme = url[..<colon]
        guard let first = scheme.first, first.isASCII, first.isLetter else { return false }
        return scheme.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }
    }

    private func allFiles() throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return []
        }
        let prefix = folder.path.hasSuffix("/") ? folder.path : folder.path + "/"
        var files: [String] = []
        for case let url as URL in enumerator where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            let path = url.standardizedFileURL.path
            if path.hasPrefix(prefix) { files.append(String(path.dropFirst(prefix.count))) }
        }
        return files
    }
}
