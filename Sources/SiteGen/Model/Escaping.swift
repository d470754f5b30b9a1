/// Escaping for the contexts generated text lands in. Templates escape through swift-mustache (with
/// `FastHTMLContentType`, below); the rest is for files sitegen writes itself (feeds, sitemap,
/// redirect pages, heading anchors). Byte-level: the feeds escape megabytes of HTML per build.
public enum HTML {
    /// Escapes `& < > " '` for HTML text and quoted attribute values.
    public static func escape(_ text: String) -> String { Escaper.escape(text, xml: false) }
    public static func escapeAttribute(_ text: String) -> String { Escaper.escape(text, xml: false) }
}

public enum XML {
    /// Escapes text for XML content and attributes, dropping characters XML 1.0 does not allow.
    public static func escape(_ text: String) -> String { Escaper.escape(text, xml: true) }
}

enum Escaper {
    static func needsWork(_ byte: UInt8, xml: Bool) -> Bool {
        switch byte {
        case 38, 60, 62, 34, 39: return true
        case 9, 10, 13: return false
        case 0..<0x20, 0x7F: return xml
        case 0xEF: return xml  // possibly U+FFFE / U+FFFF
        default: return false
        }
    }

    static func escape(_ text: String, xml: Bool) -> String {
        var copy = text
        return copy.withUTF8 { bytes -> String in
            guard let first = bytes.firstIndex(where: { needsWork($0, xml: xml) }) else { return text }
            var out = [UInt8]()
            out.reserveCapacity(bytes.count + bytes.count / 8 + 16)
            out.append(contentsOf: bytes[..<first])
            append(UnsafeBufferPointer(rebasing: bytes[first...]), xml: xml, to: &out)
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Nonzero when a byte of `word` may need work: one of `& < > " '`, and for XML also a control
    /// character other than tab, newline and return, DEL or 0xEF. (Newlines were flagged too, and
    /// sent every line of a feed's HTML through the byte-at-a-time path.) The byte tests are exact,
    /// so clearing the flags of tabs, newlines and returns cannot clear another byte's.
    @inline(__always)
    static func mayNeedWork(_ word: UInt64, xml: Bool) -> UInt64 {
        let special = TemplateRenderer.specialBytes(word)
        guard xml else { return special }
        let whitespace = Bytes.bytes(word, equalTo: 9) | Bytes.bytes(word, equalTo: 10) | Bytes.bytes(word, equalTo: 13)
        return special | (Bytes.zeroBytes(word & 0xE0E0_E0E0_E0E0_E0E0) & ~whitespace)
            | Bytes.bytes(word, equalTo: 0x7F) | Bytes.bytes(word, equalTo: 0xEF)
    }

    /// Appends an ASCII entity (no array made for it).
    @inline(__always)
    static func append(_ entity: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: entity.utf8Start, count: entity.utf8CodeUnitCount))
    }

    /// Appends `bytes` (UTF-8) escaped to `out`, without making Strings.
    static func append(_ bytes: UnsafeBufferPointer<UInt8>, xml: Bool, to out: inout [UInt8]) {
        var index = 0
        while index < bytes.count {
            // Copy the run of bytes that need nothing in one go; it is found 8 bytes at a time where
            // a word is clean (`mayNeedWork` flags a few clean bytes too, which are then taken singly).
            var end = index
            while end < bytes.count {
                if end + 8 <= bytes.count,
                   mayNeedWork(Bytes.word(at: bytes.baseAddress! + end), xml: xml) == 0 {
                    end += 8
                    continue
                }
                if needsWork(bytes[end], xml: xml) { break }
                end += 1
            }
            if end > index {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<end]))
                index = end
                continue
            }
            let byte = bytes[index]
            index += 1
            switch byte {
            case 38: append("&amp;", to: &out)
            case 60: append("&lt;", to: &out)
            case 62: append("&gt;", to: &out)
            case 34: append("&quot;", to: &out)
            case 39: append(xml ? "&apos;" : "&#39;", to: &out)
            case 9, 10, 13: out.append(byte)
            case 0..<0x20 where xml, 0x7F where xml: continue
            case 0xEF where xml && index + 1 < bytes.count && bytes[index] == 0xBF
                && (bytes[index + 1] == 0xBE || bytes[index + 1] == 0xBF):
                index += 2  // U+FFFE, U+FFFF: not XML characters
            default: out.append(byte)
            }
        }
    }
}
