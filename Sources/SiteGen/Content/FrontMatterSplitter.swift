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
    /// Scans lines as bytes up to the closing fence only: the body is never split into lines.
    public static func split(_ text: String) throws(FrontMatterError) -> SplitDocument {
        let utf8 = text.utf8
        var lineStart = utf8.startIndex
        var lineNumber = 1
        var yamlStart: String.Index?
        while lineStart < utf8.endIndex || lineNumber == 1 {
            let lineEnd = utf8[lineStart...].firstIndex(of: 10) ?? utf8.endIndex
            let line = utf8[lineStart..<lineEnd]
            let next = lineEnd < utf8.endIndex ? utf8.index(after: lineEnd) : lineEnd
            if let start = yamlStart {
                if isFence(line, allowDots: true) {
                    return SplitDocument(yaml: String(text[start..<lineStart].dropLast()), yamlFirstLine: 2,
                                         body: text[next...], bodyFirstLine: lineNumber + 1)
                }
            } else {
                guard isFence(line, allowDots: false) else { throw .missingOpeningFence }
                yamlStart = next
            }
            if lineEnd == utf8.endIndex { break }
            lineStart = next
            lineNumber += 1
        }
        throw .unterminated(openingLine: 1)
    }

    private static func isFence(_ line: Substring.UTF8View, allowDots: Bool) -> Bool {
        var trimmed = line
        while let last = trimmed.last, last == 32 || last == 9 { trimmed = trimmed.dropLast() }
        return trimmed.elementsEqual("---".utf8) || (allowDots && trimmed.elementsEqual("...".utf8))
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
