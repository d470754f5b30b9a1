/// A reader for the plain front matter nearly every file has (`key: value` lines, values plain,
/// double-quoted or a one-line `[a, "b"]` list), which gives the same fields as `Yams.compose` and
/// `YAMLValue`'s conversion of its nodes, without libyaml, Yams' nodes (tags, resolvers), the node
/// hashing of its duplicate check and its regex tag resolution. It accepts only a strict subset in
/// which YAML has one reading and cannot fail:
///
/// - at most 64 lines, every line `key: value` starting at column 1, no blank or comment lines, no
///   indented (continuation) lines, no duplicate keys; printable ASCII outside double quotes;
/// - keys `[A-Za-z_][A-Za-z0-9_]*`, at most 64 bytes, followed by `:` and exactly one space;
/// - values: a double-quoted string whose only escapes are `\"` and `\\` (other characters: printable
///   ASCII, and from U+00A0 up all but line breaks, the byte order mark and non-characters); a flow
///   list of such strings and of plain words `[A-Za-z0-9][A-Za-z0-9_./-]*`, written `[]` or `[a, b]`
///   (one space after each comma); or a plain scalar that starts with a letter, digit or `/`, uses only
///   letters, digits and ` _./:+-,()'!?&;`, has no `: `, and ends in neither a space nor `:`.
///
/// Anything else returns nil and goes to Yams, so errors and their positions come from Yams as before.
/// Columns count characters, as libyaml does: a column after a non-ASCII character is not a byte offset.
enum SimpleFrontMatter {
    /// The fields of `yaml`, a block that starts on line `firstLine` of its file, in order; nil when
    /// the block is empty or not of the simple shape.
    static func read(_ yaml: String, firstLine: Int) -> [YAMLFields.Field]? {
        guard !yaml.isEmpty else { return nil }
        if let fields = yaml.utf8.withContiguousStorageIfAvailable({ parse($0, firstLine) }) { return fields }
        var copy = yaml
        return copy.withUTF8 { parse($0, firstLine) }
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ firstLine: Int) -> [YAMLFields.Field]? {
        var fields: [YAMLFields.Field] = []
        var lineStart = 0
        var line = firstLine
        while lineStart <= bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 10 { lineEnd += 1 }
            // A short list: comparing with each earlier key is cheaper than hashing.
            guard fields.count < 64, let (key, value) = self.line(bytes, lineStart, lineEnd, line),
                  !fields.contains(where: { $0.key == key }) else { return nil }
            fields.append(YAMLFields.Field(key: key, keyPosition: SourcePosition(line: line, column: 1), value: value))
            lineStart = lineEnd + 1
            line += 1
        }
        return fields
    }

    private static func line(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int,
                             _ line: Int) -> (String, YAMLValue)? {
        var index = start
        guard index < end, isKeyStart(bytes[index]) else { return nil }
        while index < end && isKey(bytes[index]) { index += 1 }
        let keyEnd = index
        guard keyEnd - start <= 64, index + 2 < end, bytes[index] == 58, bytes[index + 1] == 32 else { return nil }
        index += 2
        let key = string(bytes, start, keyEnd)
        let valuePosition = SourcePosition(line: line, column: index - start + 1)
        switch bytes[index] {
        case 34:  // "
            guard let (text, after, _) = quoted(bytes, index, end), after == end else { return nil }
            return (key, .scalar(.init(text: text, style: .quoted, position: valuePosition)))
        case 91:  // [
            var items: [YAMLValue] = []
            var extraBytes = 0  // UTF-8 bytes after the first of each character so far
            index += 1
            if index < end && bytes[index] == 93 {
                index += 1
            } else {
                while true {
                    let itemPosition = SourcePosition(line: line, column: index - start - extraBytes + 1)
                    guard index < end else { return nil }
                    if bytes[index] == 34 {
                        guard let (text, after, extra) = quoted(bytes, index, end) else { return nil }
                        items.append(.scalar(.init(text: text, style: .quoted, position: itemPosition)))
                        index = after
                        extraBytes += extra
                    } else {
                        guard isAlphanumeric(bytes[index]) else { return nil }
                        let wordStart = index
                        while index < end && isFlowWord(bytes[index]) { index += 1 }
                        items.append(.scalar(.init(text: string(bytes, wordStart, index), style: .plain,
                                                   position: itemPosition)))
                    }
                    guard index < end else { return nil }
                    if bytes[index] == 93 { index += 1; break }
                    guard bytes[index] == 44, index + 2 < end, bytes[index + 1] == 32 else { return nil }
                    index += 2
                }
            }
            guard index == end else { return nil }
            return (key, .sequence(items, at: valuePosition))
        default:
            let first = bytes[index]
            guard isAlphanumeric(first) || first == 47 else { return nil }
            let valueStart = index
            while index < end {
                let byte = bytes[index]
                guard isPlain(byte) else { return nil }
                if byte == 58 && index + 1 < end && bytes[index + 1] == 32 { return nil }  // ": "
                index += 1
            }
            let last = bytes[end - 1]
            guard last != 32 && last != 58 else { return nil }
            return (key, .scalar(.init(text: string(bytes, valueStart, end), style: .plain, position: valuePosition)))
        }
    }

    /// A double-quoted string starting at `start` (the quote) on the line ending at `end`: its text, the
    /// index after the closing quote, and how many more bytes than characters it has. Escapes `\"` and
    /// `\\` only.
    private static func quoted(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (String, Int, Int)? {
        var index = start + 1
        var extraBytes = 0
        var unescaped: [UInt8]?  // the text so far, once there is an escape
        while index < end {
            let byte = bytes[index]
            switch byte {
            case 34:  // "
                return (unescaped.map { String(decoding: $0, as: UTF8.self) } ?? string(bytes, start + 1, index),
                        index + 1, extraBytes)
            case 92:  // backslash
                guard index + 1 < end, bytes[index + 1] == 34 || bytes[index + 1] == 92 else { return nil }
                if unescaped == nil { unescaped = Array(bytes[(start + 1)..<index]) }
                unescaped?.append(bytes[index + 1])
                index += 2
            case 32..<127:
                unescaped?.append(byte)
                index += 1
            default:
                guard let length = quotableLength(bytes, index, end) else { return nil }
                unescaped?.append(contentsOf: bytes[index..<(index + length)])
                extraBytes += length - 1
                index += length
            }
        }
        return nil
    }

    /// The length of the UTF-8 character at `index` when libyaml reads it as a plain character in a
    /// double-quoted string: from U+00A0 up, but not a line break (U+2028, U+2029; U+0085 is below),
    /// the byte order mark U+FEFF or the non-characters U+FFFE and U+FFFF, which YAML does not allow.
    private static func quotableLength(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int, _ end: Int) -> Int? {
        let lead = bytes[index]
        let length: Int
        var scalar: UInt32
        switch lead {
        case 0xC2...0xDF: length = 2; scalar = UInt32(lead & 0x1F)
        case 0xE0...0xEF: length = 3; scalar = UInt32(lead & 0x0F)
        case 0xF0...0xF4: length = 4; scalar = UInt32(lead & 0x07)
        default: return nil
        }
        guard index + length <= end else { return nil }
        for offset in 1..<length {
            let byte = bytes[index + offset]
            guard byte & 0xC0 == 0x80 else { return nil }
            scalar = scalar << 6 | UInt32(byte & 0x3F)
        }
        switch scalar {
        case 0x2028, 0x2029, 0xFEFF: return nil
        case 0xA0...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return length
        default: return nil
        }
    }

    private static func string(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
    }
    private static func isKeyStart(_ byte: UInt8) -> Bool {
        (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 95
    }
    private static func isKey(_ byte: UInt8) -> Bool { isAlphanumeric(byte) || byte == 95 }
    /// Letters, digits and `_ . / -`.
    private static func isFlowWord(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == 95 || byte == 46 || byte == 47 || byte == 45
    }
    /// Letters, digits and ` _./:+-,()'!?&;`.
    private static func isPlain(_ byte: UInt8) -> Bool {
        if isAlphanumeric(byte) { return true }
        switch byte {
        case 32, 95, 46, 47, 58, 43, 45, 44, 40, 41, 39, 33, 63, 38, 59: return true
        default: return false
        }
    }
}
