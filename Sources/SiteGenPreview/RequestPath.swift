import Foundation

/// Turns the request target of an HTTP request into a decoded, site-relative path, or refuses it.
///
/// The preview serves generated files from memory and static files only by exact key of the build's
/// map, so a request can never name a file by itself; this check is the first line anyway. It decodes
/// percent escapes exactly once and refuses anything that could mean something else to a file system:
/// `.` and `..` segments (also as `%2e%2e`), encoded slashes and backslashes (`%2f`, `%5c`), raw
/// backslashes, NUL and other control bytes, empty segments (`//etc/passwd`), targets that are not a
/// path (`http://host/x`, `*`), invalid escapes or UTF-8, and targets over `maxLength` bytes.
public enum RequestPath {
    /// Longer request targets get 414 URI Too Long.
    public static let maxLength = 2_000

    public enum Rejection: Error, Equatable, Sendable {
        /// 414: the request target is longer than `maxLength` bytes.
        case tooLong
        /// 400: the request target is not a plain path; the reason is for the response body.
        case malformed(String)

        public var status: Int {
            switch self {
            case .tooLong: return 414
            case .malformed: return 400
            }
        }
    }

    /// The decoded path, starting with `/` (query and fragment removed), or why it is refused.
    public static func normalize(_ target: String) -> Result<String, Rejection> {
        let bytes = Array(target.utf8)
        guard bytes.count <= maxLength else { return .failure(.tooLong) }
        let end = bytes.firstIndex { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? bytes.endIndex
        let raw = bytes[..<end]
        guard raw.first == UInt8(ascii: "/") else { return .failure(.malformed("the target is not a path")) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index < raw.endIndex {
            var byte = raw[index]
            if byte == UInt8(ascii: "%") {
                guard raw.endIndex - index >= 3, let high = hexValue(raw[index + 1]), let low = hexValue(raw[index + 2]) else {
                    return .failure(.malformed("invalid percent escape"))
                }
                byte = high << 4 | low
                if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\\") {
                    return .failure(.malformed("encoded slash or backslash"))
                }
                index += 3
            } else {
                index += 1
            }
            if byte == UInt8(ascii: "\\") { return .failure(.malformed("backslash")) }
            if byte < 0x20 || byte == 0x7f { return .failure(.malformed("control character")) }
            decoded.append(byte)
        }
        guard let path = String(validating: decoded, as: UTF8.self) else {
            return .failure(.malformed("the path is not valid UTF-8"))
        }
        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        for (position, segment) in segments.enumerated() {
            if segment == "." || segment == ".." { return .failure(.malformed("dot segment")) }
            if segment.isEmpty && position < segments.count - 1 { return .failure(.malformed("empty segment")) }
        }
        return .success(path)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
