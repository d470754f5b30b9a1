import CSiteGenSupport

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

    /// Appends `bytes` (UTF-8) escaped to `out`, without making Strings. The escaping is
    /// `sitegen_escape` (C, SSE2: 16 bytes a step), writing into a scratch buffer (≤ 1 KB on the stack)
    /// that goes to `out` when full and at the end: appending each clean run and each entity to the
    /// array on its own was most of the time (feeds escape an article's HTML with an entity every
    /// dozen bytes). Its 8-bytes-a-step Swift predecessor was 2.5% of a 10k build's samples.
    static func append(_ bytes: UnsafeBufferPointer<UInt8>, xml: Bool, to out: inout [UInt8]) {
        append(bytes, mode: xml ? 1 : 0, to: &out)
    }

    /// Appends `bytes` as the inside of an XML CDATA section (`<![CDATA[` and `]]>` are the caller's):
    /// characters XML does not allow dropped, `]]>` split across two sections, nothing else changed.
    /// For HTML in feeds: escaping it turned every tag into entities (a few per dozen bytes).
    static func appendCDATA(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        append(bytes, mode: Int32(SITEGEN_ESCAPE_CDATA), to: &out)
    }

    private static func append(_ bytes: UnsafeBufferPointer<UInt8>, mode: Int32, to out: inout [UInt8]) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        // At most 1 KB, so that the scratch is always on the stack: a larger one is on the heap unless the
        // stack is checked to have room, and 4 KB meant a memalign(3) and a free(3) for every escaped
        // value (~1% of a 10k build, ~1 million values). A text of up to 165 bytes (most) is done in one call.
        let size = min(1024, bytes.count * 6 + 30)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: size) { scratch in
            var index = 0
            while index < bytes.count {
                var consumed = 0
                let written = sitegen_escape(base + index, bytes.count - index, mode, scratch.baseAddress!, size,
                                             &consumed)
                out.append(contentsOf: UnsafeBufferPointer(start: scratch.baseAddress!, count: written))
                index += consumed
            }
        }
    }
}
