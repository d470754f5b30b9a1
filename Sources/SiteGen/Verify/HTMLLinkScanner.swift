/// The links and anchors of one HTML page, read with a small byte scanner: tags and their attributes,
/// skipping comments and the contents of `<script>` and `<style>`. Not a full HTML parser; sitegen's
/// own output (and any page a theme writes) is regular enough for it.
struct HTMLLinks {
    struct Link {
        /// The attribute value with character references decoded, e.g. `/blog/a/?q=1&x=2#top`.
        var url: String
        /// Byte offset of the value in the page (for line and column).
        var offset: Int
        /// `href`, `src`, `action` or `poster`.
        var attribute: String
    }

    var links: [Link] = []
    /// Every `id` and every `<a name>` of the page.
    var anchors: Set<String> = []

    /// Attributes that hold a URL to check.
    static let urlAttributes: Set<String> = ["href", "src", "action", "poster"]

    init(_ bytes: [UInt8]) {
        var index = 0
        let count = bytes.count
        while index < count {
            guard bytes[index] == UInt8(ascii: "<") else { index += 1; continue }
            if Self.starts(bytes, index, "<!--") {
                index = Self.find(bytes, "-->", from: index + 4).map { $0 + 3 } ?? count
                continue
            }
            let next = index + 1 < count ? bytes[index + 1] : 0
            guard Self.isLetter(next) else {  // end tags, doctype, stray '<'
                index += 1
                continue
            }
            index = tag(bytes, from: index + 1)
        }
    }

    /// Reads one start tag whose name begins at `start`; returns where scanning goes on.
    private mutating func tag(_ bytes: [UInt8], from start: Int) -> Int {
        let count = bytes.count
        var index = start
        while index < count, !Self.isSpace(bytes[index]), bytes[index] != UInt8(ascii: ">"),
              bytes[index] != UInt8(ascii: "/") { index += 1 }
        let name = Self.lowercased(bytes[start..<index])
        while index < count, bytes[index] != UInt8(ascii: ">") {
            if Self.isSpace(bytes[index]) || bytes[index] == UInt8(ascii: "/") { index += 1; continue }
            let nameStart = index
            while index < count, !Self.isSpace(bytes[index]), bytes[index] != UInt8(ascii: "="),
                  bytes[index] != UInt8(ascii: ">"), bytes[index] != UInt8(ascii: "/") { index += 1 }
            let attribute = Self.lowercased(bytes[nameStart..<index])
            while index < count, Self.isSpace(bytes[index]) { index += 1 }
            guard index < count, bytes[index] == UInt8(ascii: "=") else { continue }
            index += 1
            while index < count, Self.isSpace(bytes[index]) { index += 1 }
            guard index < count else { break }
            var valueStart = index, valueEnd = index
            if bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") {
                let quote = bytes[index]
                valueStart = index + 1
                valueEnd = valueStart
                while valueEnd < count, bytes[valueEnd] != quote { valueEnd += 1 }
                index = min(valueEnd + 1, count)
            } else {
                while valueEnd < count, !Self.isSpace(bytes[valueEnd]), bytes[valueEnd] != UInt8(ascii: ">") { valueEnd += 1 }
                index = valueEnd
            }
            let value = Self.decodeReferences(bytes[valueStart..<valueEnd])
            if Self.urlAttributes.contains(attribute) {
                links.append(Link(url: value, offset: valueStart, attribute: attribute))
            } else if attribute == "id" || (attribute == "name" && name == "a") {
                anchors.insert(value)
            }
        }
        index = min(index + 1, count)
        if name == "script" || name == "style" {  // raw text: skip to the end tag
            index = Self.find(bytes, "</" + name, from: index, caseInsensitive: true) ?? count
        }
        return index
    }

    // MARK: Bytes

    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
    static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 10 || byte == 13 || byte == 12 }

    static func lowercased(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.map { isLetter($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    static func starts(_ bytes: [UInt8], _ index: Int, _ text: String) -> Bool {
        let needle = Array(text.utf8)
        return index + needle.count <= bytes.count && Array(bytes[index..<(index + needle.count)]) == needle
    }

    static func find(_ bytes: [UInt8], _ text: String, from start: Int, caseInsensitive: Bool = false) -> Int? {
        let needle = Array(text.utf8)
        guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
        var index = start
        while index <= bytes.count - needle.count {
            var matches = true
            for offset in 0..<needle.count {
                let byte = bytes[index + offset]
                if byte != needle[offset] && !(caseInsensitive && isLetter(byte) && byte | 0x20 == needle[offset] | 0x20) {
                    matches = false
                    break
                }
            }
            if matches { return index }
            index += 1
        }
        return nil
    }

    /// Decodes `&amp;` `&lt;` `&gt;` `&quot;` `&apos;` `&#NN;` `&#xHH;`; other references stay as written.
    static func decodeReferences(_ bytes: ArraySlice<UInt8>) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            guard let semicolon = after.prefix(10).firstIndex(of: ";") else {
                out += "&"
                rest = after
                continue
            }
            let name = after[..<semicolon]
            var decoded: String?
            switch name {
            case "amp": decoded = "&"
            case "lt": decoded = "<"
            case "gt": decoded = ">"
            case "quot": decoded = "\""
            case "apos": decoded = "'"
            default:
                if name.hasPrefix("#x") || name.hasPrefix("#X") {
                    decoded = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else if name.hasPrefix("#") {
                    decoded = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                }
            }
            if let decoded {
                out += decoded
                rest = after[after.index(after: semicolon)...]
            } else {
                out += "&"
                rest = after
            }
        }
        return out + rest
    }
}
