import Foundation

/// The site configuration from `site.yml`, with defaults applied.
public struct SiteConfig: Sendable {
    public struct Newsletter: Sendable {
        public var action: String
        public var heading: String
        public var text: String
    }
    public struct MenuItem: Sendable {
        public var label: String
        public var url: String
    }

    public var title: String
    /// Absolute, ending in "/", e.g. `https://example.org/blog/`.
    public var baseURL: String
    public var language: String
    public var description: String
    public var timeZone: TimeZone
    public var perPage: Int
    public var newsletter: Newsletter?
    public var unsafeHTML: Bool
    public var menu: [MenuItem]
    public var params: [String: ParamValue]

    public static let fileName = "site.yml"
    static let knownKeys = ["title", "base_url", "language", "description", "timezone", "per_page",
                            "newsletter", "markdown", "menu", "params"]

    public init(title: String, baseURL: String = "https://example.org/", language: String = "en",
                description: String = "", timeZone: TimeZone = TimeZone(identifier: "UTC")!,
                perPage: Int = 20, newsletter: Newsletter? = nil, unsafeHTML: Bool = false,
                menu: [MenuItem] = [], params: [String: ParamValue] = [:]) {
        self.title = title
        self.baseURL = baseURL
        self.language = language
        self.description = description
        self.timeZone = timeZone
        self.perPage = perPage
        self.newsletter = newsletter
        self.unsafeHTML = unsafeHTML
        self.menu = menu
        self.params = params
    }

    /// The path part of `baseURL`: "/" or e.g. "/blog/". Every link in the output starts with it.
    public var rootPath: String {
        guard let url = URL(string: baseURL) else { return "/" }
        let path = url.path(percentEncoded: true)
        if path.isEmpty { return "/" }
        return path.hasSuffix("/") ? path : path + "/"
    }
}

extension SiteConfig {
    /// Reads `site.yml` text. Problems are returned as diagnostics against `file`; the result is nil
    /// only when no usable configuration could be read.
    public static func parse(_ text: String, file: String = fileName,
                             baseURLOverride: String? = nil) -> (SiteConfig?, [Diagnostic]) {
        var fields = YAMLFields(yaml: text, file: file, firstLine: 1)
        guard fields.parsed else { return (nil, fields.diagnostics) }
        fields.checkUnknownKeys(knownKeys, passThrough: false)
        let title = fields.string("title", required: true)
        var config = SiteConfig(title: title ?? "")
        var extra: [Diagnostic] = []

        if let override = baseURLOverride {
            if let normalized = normalizeBaseURL(override) { config.baseURL = normalized } else {
                extra.append(Diagnostic(.error, file: "--base-url",
                                        "'\(override)' is not an absolute http(s) URL", hint: baseURLHint))
            }
        } else if let raw = fields.string("base_url") {
            if let normalized = normalizeBaseURL(raw) { config.baseURL = normalized } else {
                extra.append(.error(file, fields.field("base_url")!.position,
                    "'base_url' must be an absolute http(s) URL, e.g. https://example.org/blog/", hint: baseURLHint))
            }
        }
        config.language = fields.string("language") ?? "en"
        config.description = fields.string("description") ?? ""
        if let zone = fields.string("timezone") {
            if let timeZone = TimeZone(identifier: zone) { config.timeZone = timeZone } else {
                extra.append(.error(file, fields.field("timezone")!.position,
                    "unknown time zone '\(zone)'", hint: "use an IANA name such as Asia/Seoul or America/New_York"))
            }
        }
        config.perPage = fields.int("per_page", range: 1...1000) ?? 20
        if var newsletter = fields.mapping("newsletter") {
            newsletter.checkUnknownKeys(["action", "heading", "text"], passThrough: false)
            let action = newsletter.string("action", required: true,
                                           at: fields.field("newsletter")!.keyPosition)
            config.newsletter = Newsletter(action: action ?? "",
                                           heading: newsletter.string("heading") ?? "Stay Informed",
                                           text: newsletter.string("text") ?? "")
            if let action, let problem = URLSafety.problem(with: action) {
                extra.append(.error(file, newsletter.field("action")!.position, "newsletter action \(problem)",
                                    hint: URLSafety.hint))
            }
            extra += newsletter.diagnostics
        }
        if var markdown = fields.mapping("markdown") {
            markdown.checkUnknownKeys(["unsafe_html"], passThrough: false)
            config.unsafeHTML = markdown.bool("unsafe_html") ?? false
            extra += markdown.diagnostics
        }
        config.menu = readMenu(&fields, into: &extra)
        if let paramsField = fields.field("params") {
            config.params = FrontMatterParams.convert(paramsField.value).mapValue ?? [:]
        }
        let diagnostics = fields.diagnostics + extra
        return (title == nil ? nil : config, diagnostics)
    }

    private static func readMenu(_ fields: inout YAMLFields, into diagnostics: inout [Diagnostic]) -> [MenuItem] {
        guard let field = fields.field("menu") else { return [] }
        guard case .sequence(let items, _) = field.value else {
            fields.typeError(field, expected: "a list of {label, url} entries")
            return []
        }
        var menu: [MenuItem] = []
        for item in items {
            let position = item.position
            guard let label = item.text(of: "label"), let url = item.text(of: "url") else {
                diagnostics.append(.error(fields.file, position, "each menu entry needs 'label' and 'url'",
                                          hint: "write each entry as '- label: About' with 'url: /about/' on the next line"))
                continue
            }
            if let problem = URLSafety.problem(with: url) {
                diagnostics.append(.error(fields.file, position, "menu url \(problem)", hint: URLSafety.hint))
                continue
            }
            menu.append(MenuItem(label: label, url: url))
        }
        return menu
    }

    static let baseURLHint = "write the address the site is served at, with http:// or https:// and a host"

    static func normalizeBaseURL(_ raw: String) -> String? {
        guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", url.host != nil, url.query == nil, url.fragment == nil
        else { return nil }
        return raw.hasSuffix("/") ? raw : raw + "/"
    }
}

/// Rules for URLs that come from front matter or configuration.
enum URLSafety {
    static let hint = "use an http(s) URL or a site path such as /images/photo.jpg"

    /// Why a URL may not be used (e.g. a `javascript:` URL), or nil when it is fine.
    static func problem(with url: String) -> String? {
        let trimmed = Bytes.trimmed(url, newlines: true)
        if trimmed.isEmpty { return "must not be empty" }
        return trimmed.utf8.allSatisfy({ $0 < 0x80 }) ? asciiProblem(with: trimmed) : generalProblem(with: trimmed)
    }

    /// The checks on a trimmed, non-empty URL, by Characters.
    static func generalProblem(with trimmed: String) -> String? {
        let lowered = trimmed.lowercased().filter { !$0.isWhitespace && !$0.isNewline }
        for scheme in ["javascript:", "vbscript:", "data:", "file:"] where lowered.hasPrefix(scheme) {
            return "uses the unsafe scheme '\(scheme)'"
        }
        if trimmed.unicodeScalars.contains(where: { $0.value < 0x20 }) { return "contains control characters" }
        return nil
    }

    /// The same checks on an ASCII URL, by bytes (every image of every article passes here): ASCII
    /// whitespace and newlines are bytes 9–13 and 32, and lowercasing only touches A–Z.
    static func asciiProblem(with trimmed: String) -> String? {
        var lowered: [UInt8] = []
        lowered.reserveCapacity(12)
        for byte in trimmed.utf8 where byte != 32 && !(9...13).contains(byte) {
            lowered.append(byte >= 65 && byte <= 90 ? byte + 32 : byte)
            if lowered.count == 11 { break }  // the longest scheme below
        }
        for scheme in ["javascript:", "vbscript:", "data:", "file:"] where lowered.starts(with: scheme.utf8) {
            return "uses the unsafe scheme '\(scheme)'"
        }
        if trimmed.utf8.contains(where: { $0 < 0x20 }) { return "contains control characters" }
        return nil
    }
}
