/// Splits a Markdown document into its YAML front matter and its body, remembering where each starts
/// so that errors inside either can name the line of the original file.
public struct SplitDocument: Sendable, Equatable {
    /// The YAML between the `---` fences, without them.
    public var yaml: String
    /// The 1-based line of the file on which the YAML starts (the line after the opening fence).
    public var yamlFirstLine: Int
    /// The Markdown after the closing fence.
    public var body: String
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
    public static func split(_ text: String) throws(FrontMatterError) -> SplitDocument {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        guard let first = lines.first, isFence(first, allowDots: false) else {
            throw .missingOpeningFence
        }
        lines = lines.dropFirst()
        var yamlLines: [Substring] = []
        var lineNumber = 1
        while let line = lines.first {
            lines = lines.dropFirst()
            lineNumber += 1
            if isFence(line, allowDots: true) {
                let body = lines.joined(separator: "\n")
                return SplitDocument(yaml: yamlLines.joined(separator: "\n"), yamlFirstLine: 2,
                                     body: body, bodyFirstLine: lineNumber + 1)
            }
            yamlLines.append(line)
        }
        throw .unterminated(openingLine: 1)
    }

    private static func isFence(_ line: Substring, allowDots: Bool) -> Bool {
        var trimmed = line
        while trimmed.last == " " || trimmed.last == "\t" { trimmed = trimmed.dropLast() }
        return trimmed == "---" || (allowDots && trimmed == "...")
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
        if !text.utf8.contains(13) { return text }
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
