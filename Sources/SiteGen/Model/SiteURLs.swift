import Foundation

/// Turns site-relative paths into the links the output uses: root-relative links that include the
/// base URL's path (`/blog/peninsula/x/`), and absolute permalinks for feeds, canonical and Open Graph.
public struct SiteURLs: Sendable {
    /// "/" or e.g. "/blog/".
    public let root: String
    /// Absolute, ending in "/".
    public let base: String

    /// "scheme://host[:port]" of `base`, parsed once (nil when it has no scheme or host): `absolute`
    /// parsed it with Foundation's URL on every call, for every article page with an image.
    private let origin: String?

    public init(baseURL: String, root: String) {
        self.base = baseURL.hasSuffix("/") ? baseURL : baseURL + "/"
        self.root = root
        if let url = URL(string: base), let scheme = url.scheme, let host = url.host {
            origin = "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
        } else {
            origin = nil
        }
    }

    /// A link for a site-relative path such as `peninsula/x/` (no leading slash).
    public func link(_ path: String) -> String { root + Self.encodePath(path) }

    /// The absolute URL of a site-relative path.
    public func permalink(_ path: String) -> String { base + Self.encodePath(path) }

    /// Resolves a URL written in content: absolute URLs stay; "/x" and "x" are site-relative (content
    /// never needs to know where the site is deployed) and gain the root path.
    /// (`Bytes.contains`: Foundation's `contains` goes through CFString, and every page resolves the
    /// menu's URLs.)
    public func resolve(_ url: String) -> String {
        if Bytes.contains(url, "://") || url.hasPrefix("//") || url.hasPrefix("mailto:") || url.hasPrefix("#") { return url }
        let trimmed = url.hasPrefix("/") ? String(url.dropFirst()) : url
        return root + trimmed
    }

    /// Like `resolve`, but always absolute (for og:image and feeds).
    public func absolute(_ url: String) -> String {
        let resolved = resolve(url)
        if Bytes.contains(resolved, "://") || resolved.hasPrefix("//") || resolved.hasPrefix("mailto:")
            || resolved.hasPrefix("#") { return resolved }
        guard let origin else { return resolved }
        return origin + resolved
    }

    static let pathAllowed: CharacterSet = {
        var set = CharacterSet.urlPathAllowed
        set.remove(charactersIn: "%;?#")
        return set
    }()

    /// Percent-encodes characters that cannot appear in a URL path (Hangul slugs, spaces, and
    /// `<>"` `{}|\^` and backquote from file names).
    public static func encodePath(_ path: String) -> String {
        var path = path
        if path.withUTF8({ $0.allSatisfy(isPlainPathByte) }) { return path }
        return path.addingPercentEncoding(withAllowedCharacters: pathAllowed) ?? path
    }

    /// The bytes of `pathAllowed`: letters, digits and `!$&'()*+,-./:=@_~`.
    /// (One `switch`: searching the punctuation in a string for every byte showed in the profile.)
    static func isPlainPathByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&")...UInt8(ascii: "/"),  // &'()*+,-./
             UInt8(ascii: ":"), UInt8(ascii: "="), UInt8(ascii: "@"), UInt8(ascii: "_"), UInt8(ascii: "~"): return true
        default: return false
        }
    }
}
