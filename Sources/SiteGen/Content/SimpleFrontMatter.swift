/// A reader for the plain front matter nearly every file has (`key: value` lines, values plain,
/// double-quoted or a one-line `[a, "b"]` list), which gives the same `YAMLValue` as `Yams.compose` and
/// its conversion, without libyaml, Yams' nodes (tags, resolvers), the node hashing of its duplicate
/// check and its regex tag resolution. It accepts only a strict subset in which YAML has one reading
/// and cannot fail:
///
/// - printable ASCII only (columns are then bytes), every line `key: value` starting at column 1,
///   no blank or comment lines, no indented (continuation) lines, no duplicate keys;
/// - keys `[A-Za-z_][A-Za-z0-9_]*`, at most 64 bytes, followed by `:` and exactly one space;
/// - values: a double-quoted string whose only escapes are `\"` and `\\`; a flow list of such strings
///   and of plain words `[A-Za-z0-9][A-Za-z0-9_./-]*`, written `[]` or `[a, b]` (one space after each
///   comma); or a plain scalar that starts with a letter, digit or `/`, uses only letters, digits and
///   ` _./:+-,()'!?&;`, has no `: `, and ends in neither a space nor `:`.
///
/// Anything else returns nil and goes to Yams, so errors and their positions come from Yams as before.
enum SimpleFrontMatter {
    /// The mapping in `yaml`, a block that starts on line `firstLine` of its file, or nil when the
    /// block is empty or not of the simple shape.
    static func read(_ yaml: String, firstLine: Int) -> YAMLValue? {
        guard !yaml.isEmpty else { return nil }
        if let value = yaml.utf8.withContiguousStorageIfAvailable({ parse($0, firstLine) }) { return value }
        var copy = yaml
        return copy.withUTF8 { parse($0, firstLine) }
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ firstLine: Int) -> YAMLValue? {
        var pairs: [YAMLValue.Pair] = []
        var keys: Set<String> = []
        var lineStart = 0
        var line = firstLine
        while lineStart <= bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 10 { lineEnd += 1 }
            guard let (key, value) = self.line(bytes, lineStart, lineEnd, line) else { return nil }
            guard keys.insert(key).inserted else { return nil }
            let keyPosition = SourcePosition(line: line, column: 1)
            pairs.append(YAMLValue.Pair(key: .scalar(.init(text: key, style: .plain, position: keyPosition)), value: value))
            lineStart = lineEnd + 1
            line += 1
        }
        return .mapping(pairs, at: SourcePosition(line: firstLine, column: 1))
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
            guard let (text, after) = quoted(bytes, index, end), after == end else { return nil }
            return (key, .scalar(.init(text: text, style: .quoted, position: valuePosition)))
        case 91:  // [
            var items: [YAMLValue] = []
            index += 1
            if index < end && bytes[index] == 93 {
                index += 1
            } else {
                while true {
                    let itemPosition = SourcePosition(line: line, column: index - start + 1)
                    guard index < end else { return nil }
                    if bytes[index] == 34 {
                        guard let (text, after) = quoted(bytes, index, end) else { return nil }
                        items.append(.scalar(.init(text: text, style: .quoted, position: itemPosition)))
                        index = after
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

    /// A double-quoted string starting at `start` (the quote) on the line ending at `end`: its text and
    /// the index after the closing quote. Printable ASCII only; escapes `\"` and `\\` only.
    private static func quoted(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (String, Int)? {
        var index = start + 1
        while index < end && bytes[index] != 34 && bytes[index] != 92 {
            guard bytes[index] >= 32 && bytes[index] < 127 else { return nil }
            index += 1
        }
        if index < end && bytes[index] == 34 { return (string(bytes, start + 1, index), index + 1) }
        // An escape: unescape from here on.
        var text = Array(bytes[(start + 1)..<index])
        while index < end {
            let byte = bytes[index]
            guard byte >= 32 && byte < 127 else { return nil }
            if byte == 34 { return (String(decoding: text, as: UTF8.self), index + 1) }
            if byte == 92 {
                guard index + 1 < end, bytes[index + 1] == 34 || bytes[index + 1] == 92 else { return nil }
                text.append(bytes[index + 1])
                index += 2
                continue
            }
            text.append(byte)
            index += 1
        }
        return nil
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
