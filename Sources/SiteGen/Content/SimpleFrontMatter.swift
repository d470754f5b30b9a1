import Yams

/// A reader for the plain front matter nearly every file has (`key: value` lines, values plain,
/// double-quoted or a one-line `[a, "b"]` list), which builds the same nodes as `Yams.compose` without
/// libyaml, the node hashing of Yams' duplicate check and its regex tag resolution (together ~18% of
/// the parse stage). It accepts only a strict subset in which YAML has one reading and cannot fail:
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
/// The nodes copy what Yams' composer makes: quoted scalars tagged `str` (libyaml's quoted_implicit),
/// plain ones `implicit`, collections `implicit` with style `any` (Yams reads the style from the end
/// event, which carries none), marks 1-based.
enum SimpleFrontMatter {
    /// Yams' `Mark` has no public initializer; it is two `Int`s (line, column). Checked once: if the
    /// layout is ever different, the fast path is off.
    static let makeMark: (@Sendable (Int, Int) -> Mark)? = {
        guard MemoryLayout<Mark>.size == MemoryLayout<(Int, Int)>.size,
              MemoryLayout<Mark>.alignment == MemoryLayout<(Int, Int)>.alignment else { return nil }
        let probe = unsafeBitCast((3, 7), to: Mark.self)
        guard probe.line == 3, probe.column == 7 else { return nil }
        return { line, column in unsafeBitCast((line, column), to: Mark.self) }
    }()

    static func compose(_ yaml: String) -> Node? {
        guard let makeMark, !yaml.isEmpty else { return nil }
        var copy = yaml
        return copy.withUTF8 { bytes in parse(bytes, makeMark) }
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ mark: (Int, Int) -> Mark) -> Node? {
        var pairs: [(Node, Node)] = []
        var keys: Set<String> = []
        var lineStart = 0
        var lineNumber = 1
        while lineStart <= bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 10 { lineEnd += 1 }
            guard let (key, value) = line(bytes, lineStart, lineEnd, lineNumber, mark) else { return nil }
            guard keys.insert(key).inserted else { return nil }
            pairs.append((.scalar(.init(key, Tag(.implicit), .plain, mark(lineNumber, 1))), value))
            lineStart = lineEnd + 1
            lineNumber += 1
        }
        return .mapping(.init(pairs, Tag(.implicit), .any, mark(1, 1)))
    }

    private static func line(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ lineNumber: Int,
                             _ mark: (Int, Int) -> Mark) -> (String, Node)? {
        var index = start
        guard index < end, isKeyStart(bytes[index]) else { return nil }
        while index < end && isKey(bytes[index]) { index += 1 }
        let keyEnd = index
        guard keyEnd - start <= 64, index + 2 < end, bytes[index] == 58, bytes[index + 1] == 32 else { return nil }
        index += 2
        let key = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<keyEnd]), as: UTF8.self)
        let valueMark = mark(lineNumber, index - start + 1)
        switch bytes[index] {
        case 34:  // "
            guard let (text, after) = quoted(bytes, index, end), after == end else { return nil }
            return (key, .scalar(.init(text, Tag(.str), .doubleQuoted, valueMark)))
        case 91:  // [
            var items: [Node] = []
            index += 1
            if index < end && bytes[index] == 93 {
                index += 1
            } else {
                while true {
                    let itemMark = mark(lineNumber, index - start + 1)
                    guard index < end else { return nil }
                    if bytes[index] == 34 {
                        guard let (text, after) = quoted(bytes, index, end) else { return nil }
                        items.append(.scalar(.init(text, Tag(.str), .doubleQuoted, itemMark)))
                        index = after
                    } else {
                        guard isAlphanumeric(bytes[index]) else { return nil }
                        let wordStart = index
                        while index < end && isFlowWord(bytes[index]) { index += 1 }
                        let word = String(decoding: UnsafeBufferPointer(rebasing: bytes[wordStart..<index]), as: UTF8.self)
                        items.append(.scalar(.init(word, Tag(.implicit), .plain, itemMark)))
                    }
                    guard index < end else { return nil }
                    if bytes[index] == 93 { index += 1; break }
                    guard bytes[index] == 44, index + 2 < end, bytes[index + 1] == 32 else { return nil }
                    index += 2
                }
            }
            guard index == end else { return nil }
            return (key, .sequence(.init(items, Tag(.implicit), .any, valueMark)))
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
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[valueStart..<end]), as: UTF8.self)
            return (key, .scalar(.init(text, Tag(.implicit), .plain, valueMark)))
        }
    }

    /// A double-quoted string starting at `start` (the quote) on the line ending at `end`: its text and
    /// the index after the closing quote. Printable ASCII only; escapes `\"` and `\\` only.
    private static func quoted(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (String, Int)? {
        var text: [UInt8] = []
        var index = start + 1
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
