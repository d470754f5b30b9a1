import Foundation

/// Splits a Markdown document into its YAML front matter and its body, remembering where each starts
/// so that errors inside either can name the line of the original file.
public struct SplitDocument: Sendable, Equatable {
    /// The YAML between the `---` fences, without them.
    public var yaml: String
    /// The 1-based line of the file on which the YAML starts (the line after the opening fence).
    public var yamlFirstLine: Int
    /// The Markdown after the closing fence (a view of the file's text: not copied).
    public var body: Substring
    /// The 1-based line of the file on which the body starts.
    public var bodyFirstLine: Int
}

public enum FrontMatterError: Error, Equatable, Sendable {
    /// The file does not start with a `---` line.
    case missingOpeningFence
    /// The opening fence has no matching closing `---` line; `openingLine` is where it began.
    case unterminated(openingLine: Int)
}

public enum FrontMatterSplitter {
    /// Splits normalized text (LF line endings, no BOM). The fences are lines holding exactly `---`
    /// (trailing spaces allowed); the closing fence may also be `...` as in YAML.
    /// Scans lines as bytes (memchr) up to the closing fence only: the body is never split into lines.
    public static func split(_ text: String) throws(FrontMatterError) -> SplitDocument {
        var text = text
        let found = try text.withUTF8 { bytes in findFences(bytes) }.get()
        let utf8 = text.utf8
        let yamlStart = utf8.index(utf8.startIndex, offsetBy: found.yamlStart)
        let yamlEnd = utf8.index(utf8.startIndex, offsetBy: found.yamlEnd)
        let bodyStart = utf8.index(utf8.startIndex, offsetBy: found.bodyStart)
        return SplitDocument(yaml: String(text[yamlStart..<yamlEnd]), yamlFirstLine: 2,
                             body: text[bodyStart...], bodyFirstLine: found.fenceLine + 1)
    }

    /// Where the YAML starts and ends (before the newline ending its last line), where the body
    /// starts (after the closing fence's line), and the closing fence's 1-based line; or which fence
    /// is missing.
    private static func findFences(_ bytes: UnsafeBufferPointer<UInt8>)
        -> Result<(yamlStart: Int, yamlEnd: Int, bodyStart: Int, fenceLine: Int), FrontMatterError> {
        guard let base = bytes.baseAddress else { return .failure(.missingOpeningFence) }
        let count = bytes.count
        /// The end of the line starting at `start` (its newline, or the end of the text).
        func lineEnd(_ start: Int) -> Int {
            guard start < count, let newline = memchr(base + start, 10, count - start) else { return count }
            return base.distance(to: newline.assumingMemoryBound(to: UInt8.self))
        }
        var end = lineEnd(0)
        guard isFence(UnsafeBufferPointer(start: base, count: end), allowDots: false) else {
            return .failure(.missingOpeningFence)
        }
        guard end < count else { return .failure(.unterminated(openingLine: 1)) }
        let yamlStart = end + 1
        var lineNumber = 2
        var start = yamlStart
        while true {
            end = lineEnd(start)
            if isFence(UnsafeBufferPointer(start: base + start, count: end - start), allowDots: true) {
                // The YAML is the lines between the fences, without the newline before the closing one.
                return .success((yamlStart, max(yamlStart, start - 1), min(end + 1, count), lineNumber))
            }
            if end >= count { return .failure(.unterminated(openingLine: 1)) }
            start = end + 1
            lineNumber += 1
        }
    }

    private static func isFence(_ line: UnsafeBufferPointer<UInt8>, allowDots: Bool) -> Bool {
        var length = line.count
        while length > 0, line[length - 1] == 32 || line[length - 1] == 9 { length -= 1 }
        guard length == 3 else { return false }
        let (a, b, c) = (line[0], line[1], line[2])
        return (a == 45 && b == 45 && c == 45) || (allowDots && a == 46 && b == 46 && c == 46)
    }
}

/// Text decoding shared by every file the build reads: strict UTF-8, BOM removed, CRLF and CR made LF.
public enum SourceText {
    public enum DecodeError: Error, Equatable, Sendable {
        /// The first byte that is not valid UTF-8, as a 1-based line and column (in bytes).
        case invalidUTF8(line: Int, column: Int)
    }

    public static func decode(_ bytes: [UInt8]) throws(DecodeError) -> String {
        var slice = bytes[...]
        if slice.starts(with: [0xEF, 0xBB, 0xBF]) { slice = slice.dropFirst(3) }
        guard let text = String(validating: slice, as: UTF8.self) else {
            let (line, column) = firstInvalidPosition(Array(slice))
            throw .invalidUTF8(line: line, column: column)
        }
        // memchr on the bytes: `text.utf8.contains(13)` walked the String one byte at a time.
        let hasCR = slice.withUnsafeBytes { raw in raw.count > 0 && memchr(raw.baseAddress!, 13, raw.count) != nil }
        if !hasCR { return text }
        return text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }

    private static func firstInvalidPosition(_ bytes: [UInt8]) -> (Int, Int) {
        var line = 1, lineStart = 0, index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length: Int
            switch byte {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return (line, index - lineStart + 1)
            }
            let end = index + length
            if end > bytes.count || String(validating: bytes[index..<end], as: UTF8.self) == nil {
                return (line, index - lineStart + 1)
            }
            if byte == 10 { line += 1; lineStart = end }
            index = end
        }
        return (line, index - lineStart + 1)
    }
}
