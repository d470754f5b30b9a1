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

    /// The high bit of each byte of `word` that is `& < > " '` (exact: no carries between bytes).
    @inline(__always)
    static func specialBytes(_ word: UInt64) -> UInt64 {
        Bytes.bytes(word, equalTo: 38) | Bytes.bytes(word, equalTo: 60) | Bytes.bytes(word, equalTo: 62)
            | Bytes.bytes(word, equalTo: 34) | Bytes.bytes(word, equalTo: 39)
    }

    /// Nonzero when a byte of `word` may need work: one of `& < > " '`, and for XML also a control
    /// character other than tab, newline and return, DEL or 0xEF. (Newlines were flagged too, and
    /// sent every line of a feed's HTML through the byte-at-a-time path.) The byte tests are exact,
    /// so clearing the flags of tabs, newlines and returns cannot clear another byte's.
    @inline(__always)
    static func mayNeedWork(_ word: UInt64, xml: Bool) -> UInt64 {
        let special = specialBytes(word)
        guard xml else { return special }
        let whitespace = Bytes.bytes(word, equalTo: 9) | Bytes.bytes(word, equalTo: 10) | Bytes.bytes(word, equalTo: 13)
        return special | (Bytes.zeroBytes(word & 0xE0E0_E0E0_E0E0_E0E0) & ~whitespace)
            | Bytes.bytes(word, equalTo: 0x7F) | Bytes.bytes(word, equalTo: 0xEF)
    }

    /// Appends `bytes` (UTF-8) escaped to `out`, without making Strings. The escaped text is written
    /// through a pointer into a scratch buffer (4 KB on the stack), which goes to `out` when full and
    /// at the end: appending each clean run and each entity to the array on its own was most of the
    /// time (feeds escape an article's HTML with an entity every dozen bytes). Clean runs are found
    /// 8 bytes at a time (`mayNeedWork`: its lowest flag is always a byte that may need work); the
    /// bytes of a word before its first flagged byte are copied with the word.
    static func append(_ bytes: UnsafeBufferPointer<UInt8>, xml: Bool, to out: inout [UInt8]) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let count = bytes.count, size = 4096
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: size) { scratch in
            let buffer = scratch.baseAddress!
            var filled = 0, index = 0
            @inline(__always) func put(_ entity: StaticString) {
                (buffer + filled).update(from: entity.utf8Start, count: entity.utf8CodeUnitCount)
                filled += entity.utf8CodeUnitCount
            }
            while index < count {
                // Room for one more step: an 8-byte word, or an entity (at most 6 bytes).
                if filled > size - 8 {
                    out.append(contentsOf: UnsafeBufferPointer(start: buffer, count: filled))
                    filled = 0
                }
                if index + 8 <= count {
                    let word = Bytes.word(at: base + index)
                    let flagged = mayNeedWork(word, xml: xml)
                    UnsafeMutableRawPointer(buffer + filled).storeBytes(of: word.littleEndian, as: UInt64.self)
                    if flagged == 0 {
                        filled += 8
                        index += 8
                        continue
                    }
                    let clean = flagged.trailingZeroBitCount >> 3
                    filled += clean
                    index += clean
                }
                let byte = base[index]
                index += 1
                switch byte {
                case 38: put("&amp;")
                case 60: put("&lt;")
                case 62: put("&gt;")
                case 34: put("&quot;")
                case 39: if xml { put("&apos;") } else { put("&#39;") }
                case 0..<0x20 where xml && byte != 9 && byte != 10 && byte != 13, 0x7F where xml: continue
                case 0xEF where xml && index + 1 < count && base[index] == 0xBF
                    && (base[index + 1] == 0xBE || base[index + 1] == 0xBF):
                    index += 2  // U+FFFE, U+FFFF: not XML characters
                default:
                    buffer[filled] = byte
                    filled += 1
                }
            }
            if filled > 0 { out.append(contentsOf: UnsafeBufferPointer(start: buffer, count: filled)) }
        }
    }
}
