import Foundation

extension LinkChecker {
    /// One diagnostic per broken link, against the page's source file; a link broken the same way on
    /// several pages (a layout's link, usually) is reported once with the number of pages.
    func report(_ broken: [Broken], bytes: [String: [UInt8]]) -> [Diagnostic] {
        var groups: [String: [Broken]] = [:]
        var order: [String] = []
        for link in broken {
            let key = link.url + "\u{0}" + link.reason
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(link)
        }
        return order.map { key in
            let links = groups[key]!
            let first = links[0]
            let owner = owners[first.page] ?? (folder.lastPathComponent + "/" + first.page)
            let (line, column) = Self.position(of: first.offset, in: bytes[first.page] ?? [])
            let place = "\(first.page):\(line):\(column)"
            var message = "broken link '\(first.url)' in \(place): \(first.reason)"
            var hint = first.url.hasPrefix("#")
                ? "link to a heading's id (shown in its anchor) or to an id the page has"
                : "link to a page or file the site has (\(first.page) is built from \(owner)), or remove the link"
            if links.count > 1 {
                message += " (on \(links.count) pages)"
                hint = "the same link is broken on \(links.count) pages; it probably comes from a layout in layouts/"
            }
            let where_ = sourcePosition(of: first.url, in: owner)
            return Diagnostic(.error, file: owner, line: where_.line, column: where_.column, message, hint: hint)
        }
    }

    /// Where `url` is written in the source file `owner` (Markdown or a layout): the URL as written,
    /// or without the base path that the build added. The top of the file when it is not found.
    func sourcePosition(of url: String, in owner: String) -> SourcePosition {
        guard let source, let data = FileManager.default.contents(atPath: source.appendingPathComponent(owner).path)
        else { return .start }
        var candidates = [url]
        if root != "/", url.hasPrefix(root) { candidates.append("/" + url.dropFirst(root.count)) }
        if url.hasPrefix(baseURL) { candidates.append("/" + url.dropFirst(baseURL.count)) }
        let bytes = Array(data)
        for candidate in candidates {
            for pattern in ["](\(candidate)", "\"\(candidate)\"", "<\(candidate)>", candidate] {
                if let offset = HTMLLinks.find(bytes, pattern, from: 0) {
                    let start = pattern.hasPrefix("](") ? offset + 2 : pattern.hasPrefix("\"") || pattern.hasPrefix("<") ? offset + 1 : offset
                    let (line, column) = Self.position(of: start, in: bytes)
                    return SourcePosition(line: line, column: column)
                }
            }
        }
        return .start
    }

    /// 1-based line and column (in bytes) of `offset`.
    static func position(of offset: Int, in bytes: [UInt8]) -> (Int, Int) {
        var line = 1, lineStart = 0
        for index in 0..<min(offset, bytes.count) where bytes[index] == 10 {
            line += 1
            lineStart = index + 1
        }
        return (line, offset - lineStart + 1)
    }
}

extension LinkChecker {
    /// The base URL a site is built with: `--base-url`, else `site.yml`'s `base_url`, else the default.
    public static func baseURL(source: URL, override: String?) -> String {
        if let override, let normalized = SiteConfig.normalizeBaseURL(override) { return normalized }
        let file = source.appendingPathComponent(SiteConfig.fileName)
        guard let data = FileManager.default.contents(atPath: file.path),
              let text = try? SourceText.decode(Array(data)),
              let config = SiteConfig.parse(text).0 else { return "https://example.org/" }
        return config.baseURL
    }
}
