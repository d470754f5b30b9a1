/// sitegen's Mustache dialect, parsed once into a tree that `TemplateProgram` flattens for the renderer.
///
/// Supported: `{{name}}` (HTML-escaped), `{{{name}}}` and `{{&name}}` (raw), dotted names, `{{.}}`,
/// names anchored to the current item (`{{.title}}`), sections `{{#x}}` and inverted sections `{{^x}}`,
/// comments, partials `{{>name}}`, inheritance (`{{<parent}}` with `{{$block}}` overrides, which also
/// reach the parent's partials), set delimiters `{{=<% %>=}}`, pragmas `{{%…}}` (accepted, ignored),
/// transforms such as `{{lowercased(name)}}`, `{{^empty(list)}}`, and the loop transforms `first()`,
/// `last()`, `index()`, `even()`, `odd()`. Standalone tags (alone on their line) leave no blank line; a
/// standalone partial's lines are indented like its tag.
final class TemplateNode: Sendable {
    enum Kind: UInt8, Sendable {
        case text
        /// A line of the template starts here: the indentation of an enclosing standalone partial
        /// goes here (then `bytes`, the line's first text, if any).
        case line
        case variable, rawVariable, section, inverted
        /// `{{>name}}` (overrides nil) or `{{<name}}…{{/name}}` (the block overrides it defines);
        /// `bytes` is the indentation of a standalone partial.
        case partial
        /// `{{$name}}default{{/name}}` outside a parent call.
        case block
    }

    let kind: Kind
    let bytes: [UInt8]
    let reference: TemplateReference?
    let name: String
    let children: [TemplateNode]
    let overrides: [String: [TemplateNode]]?

    private init(_ kind: Kind, bytes: [UInt8] = [], reference: TemplateReference? = nil, name: String = "",
                 children: [TemplateNode] = [], overrides: [String: [TemplateNode]]? = nil) {
        self.kind = kind
        self.bytes = bytes
        self.reference = reference
        self.name = name
        self.children = children
        self.overrides = overrides
    }

    static func text(_ bytes: [UInt8]) -> TemplateNode { TemplateNode(.text, bytes: bytes) }
    static func line(_ bytes: [UInt8] = []) -> TemplateNode { TemplateNode(.line, bytes: bytes) }
    static let lineStart = TemplateNode(.line)
    static func variable(_ reference: TemplateReference, escaped: Bool) -> TemplateNode {
        TemplateNode(escaped ? .variable : .rawVariable, reference: reference)
    }
    static func section(_ reference: TemplateReference, _ body: [TemplateNode], inverted: Bool) -> TemplateNode {
        TemplateNode(inverted ? .inverted : .section, reference: reference, children: body)
    }
    static func partial(_ name: String, indentation: [UInt8], overrides: [String: [TemplateNode]]?) -> TemplateNode {
        TemplateNode(.partial, bytes: indentation, name: name, overrides: overrides)
    }
    static func block(_ name: String, _ fallback: [TemplateNode]) -> TemplateNode {
        TemplateNode(.block, name: name, children: fallback)
    }
}

/// A name in a tag, e.g. `article.title`, `.url`, `.`, `last()`, `empty(authors)`.
final class TemplateReference: Sendable {
    enum Kind: UInt8, Sendable {
        /// `.`: the current item.
        case current
        /// `first()` and friends: the position in the innermost loop.
        case loop
        /// `.a.b`: from the current item only.
        case anchored
        /// `a.b`: `a` is looked up from the innermost context outwards.
        case climbing
    }

    let kind: Kind
    /// The dotted names (`a.b` → ["a", "b"]) with their hashes; empty for `current` and `loop`.
    let keys: [TemplateKey]
    /// Transforms in the order they apply (innermost first).
    let transforms: [String]
    /// The tag's text without spaces, to match a section's closing tag.
    let text: String

    init(kind: Kind, names: [String] = [], transforms: [String], text: String) {
        self.kind = kind
        self.keys = names.map(TemplateKey.init)
        self.transforms = transforms
        self.text = text
    }

    static func parse(_ raw: String) -> TemplateReference? {
        guard !raw.contains(where: \.isWhitespace) else { return nil }
        var text = raw
        let normalized = text
        var outer: [String] = []
        while let open = text.firstIndex(of: "(") {
            guard text.last == ")" else { return nil }
            let name = String(text[..<open])
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
            outer.append(name)
            text = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
        }
        guard !text.contains(")") else { return nil }
        let kind: Kind
        var names: [String] = []
        if text == "." {
            kind = .current
        } else if text.isEmpty {
            guard !outer.isEmpty else { return nil }
            kind = .loop
        } else if text.hasPrefix(".") {
            names = text.split(separator: ".").map(String.init)
            guard !names.isEmpty, !text.hasSuffix("."), !text.dropFirst().contains("..") else { return nil }
            kind = .anchored
        } else {
            guard !text.hasSuffix("."), !text.contains("..") else { return nil }
            names = text.split(separator: ".").map(String.init)
            kind = .climbing
        }
        return TemplateReference(kind: kind, names: names, transforms: outer.reversed(), text: normalized)
    }
}

/// A template syntax error: where (1-based line and column of the template text) and what.
struct TemplateSyntaxError: Error, Sendable, Equatable {
    var line: Int
    var column: Int
    var message: String
    var fix: String
}

struct TemplateParser {
    private let bytes: [UInt8]
    private var open: [UInt8] = Array("{{".utf8)
    private var close: [UInt8] = Array("}}".utf8)

    private struct Tag {
        var sigil: UInt8  // 0 for a plain variable
        var content: String
        var start: Int  // offset of the opening delimiter
        var contentStart: Int  // offset of the name, after the sigil and spaces
    }

    private enum Token {
        case text(Range<Int>)
        case tag(Tag)
    }

    init(_ text: String) { bytes = Array(text.utf8) }

    static func parse(_ text: String) throws(TemplateSyntaxError) -> [TemplateNode] {
        var parser = TemplateParser(text)
        let tokens = try parser.tokenize()
        return try parser.build(parser.standalone(tokens))
    }

    // MARK: Tokens

    private static let sigils: Set<UInt8> = Set("#^/!><$=&%{".utf8)
    /// Tags that may stand alone on a line (and then take the line with them).
    private static let standaloneSigils: Set<UInt8> = Set("#^/!><$=%".utf8)

    private func matches(_ pattern: [UInt8], at index: Int) -> Bool {
        guard index + pattern.count <= bytes.count else { return false }
        for offset in 0..<pattern.count where bytes[index + offset] != pattern[offset] { return false }
        return true
    }

    private func find(_ pattern: [UInt8], from index: Int) -> Int? {
        var index = index
        while index + pattern.count <= bytes.count {
            if bytes[index] == pattern[0], matches(pattern, at: index) { return index }
            index += 1
        }
        return nil
    }

    private mutating func tokenize() throws(TemplateSyntaxError) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        var textStart = 0
        while index < bytes.count {
            if bytes[index] == 10 {
                tokens.append(.text(textStart..<index + 1))
                index += 1
                textStart = index
                continue
            }
            guard bytes[index] == open[0], matches(open, at: index) else { index += 1; continue }
            if textStart < index { tokens.append(.text(textStart..<index)) }
            let start = index
            var cursor = index + open.count
            var sigil: UInt8 = 0
            if cursor < bytes.count, Self.sigils.contains(bytes[cursor]) {
                sigil = bytes[cursor]
                cursor += 1
            }
            let terminator: [UInt8]
            switch sigil {
            case UInt8(ascii: "{"): terminator = [UInt8(ascii: "}")] + close
            case UInt8(ascii: "="): terminator = [UInt8(ascii: "=")] + close
            default: terminator = close
            }
            guard let end = find(terminator, from: cursor) else {
                throw error(at: start, "tag is not closed with '\(String(decoding: close, as: UTF8.self))'",
                            fix: "end the tag with '\(String(decoding: close, as: UTF8.self))'")
            }
            var contentStart = cursor
            while contentStart < end, bytes[contentStart] == 32 || bytes[contentStart] == 9 { contentStart += 1 }
            let content = String(decoding: bytes[cursor..<end], as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            index = end + terminator.count
            textStart = index
            if sigil == UInt8(ascii: "=") {
                let parts = content.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard parts.count == 2, !parts.contains(where: { $0.contains("=") }) else {
                    throw error(at: start, "invalid set-delimiter tag", fix: "write it as {{=<% %>=}}")
                }
                open = Array(parts[0].utf8)
                close = Array(parts[1].utf8)
            }
            tokens.append(.tag(Tag(sigil: sigil, content: content, start: start, contentStart: contentStart)))
        }
        if textStart < bytes.count { tokens.append(.text(textStart..<bytes.count)) }
        return tokens
    }

    // MARK: Standalone lines

    private enum Item {
        case text(Range<Int>)
        case tag(Tag, indentation: [UInt8])
        case lineStart
    }

    private func isBlank(_ range: Range<Int>) -> Bool {
        bytes[range].allSatisfy { $0 == 32 || $0 == 9 || $0 == 13 || $0 == 10 }
    }

    /// Removes the lines that hold nothing but one standalone tag (and whitespace), keeping the
    /// whitespace before a standalone partial as its indentation, and marks where lines start.
    private func standalone(_ tokens: [Token]) -> [Item] {
        var items: [Item] = []
        var line: [Token] = []
        func flush() {
            guard !line.isEmpty else { return }
            defer { line.removeAll(keepingCapacity: true) }
            var tags: [Tag] = []
            var blank = true
            for token in line {
                switch token {
                case .tag(let tag): tags.append(tag)
                case .text(let range): if !isBlank(range) { blank = false }
                }
            }
            if blank, tags.count == 1, Self.standaloneSigils.contains(tags[0].sigil) {
                var indentation: [UInt8] = []
                if case .text(let range) = line[0] { indentation = Array(bytes[range]) }
                items.append(.tag(tags[0], indentation: indentation))
                return
            }
            items.append(.lineStart)
            for token in line {
                switch token {
                case .text(let range): items.append(.text(range))
                case .tag(let tag): items.append(.tag(tag, indentation: []))
                }
            }
        }
        for token in tokens {
            line.append(token)
            if case .text(let range) = token, bytes[range.upperBound - 1] == 10 { flush() }
        }
        flush()
        return items
    }

    // MARK: Tree

    private final class Container {
        let tag: Tag?
        let reference: TemplateReference?
        let indentation: [UInt8]
        var nodes: [TemplateNode] = []
        var overrides: [String: [TemplateNode]] = [:]
        init(tag: Tag?, reference: TemplateReference?, indentation: [UInt8] = []) {
            self.tag = tag
            self.reference = reference
            self.indentation = indentation
        }
        var isParent: Bool { tag?.sigil == UInt8(ascii: "<") }

        /// Appends text, joined to a line start or text just before it (fewer nodes to walk).
        func append(_ text: [UInt8]) {
            if let last = nodes.last, last.kind == .text || last.kind == .line, last.children.isEmpty {
                nodes[nodes.count - 1] = last.kind == .text ? .text(last.bytes + text) : .line(last.bytes + text)
            } else {
                nodes.append(.text(text))
            }
        }
    }

    private func build(_ items: [Item]) throws(TemplateSyntaxError) -> [TemplateNode] {
        var stack = [Container(tag: nil, reference: nil)]
        for item in items {
            let top = stack[stack.count - 1]
            switch item {
            case .lineStart:
                if !top.isParent { top.nodes.append(.lineStart) }
            case .text(let range):
                if top.isParent { continue }  // text between block definitions is ignored
                top.append(Array(bytes[range]))
            case .tag(let tag, let indentation):
                let sigil = tag.sigil
                if sigil == UInt8(ascii: "!") || sigil == UInt8(ascii: "%") || sigil == UInt8(ascii: "=") { continue }
                if top.isParent, sigil != UInt8(ascii: "$"), sigil != UInt8(ascii: "/") {
                    throw error(at: tag.start, "only {{$block}} definitions may appear inside {{<parent}}",
                                fix: "put everything inside {{<parent}} in {{$block}}…{{/block}} sections")
                }
                switch sigil {
                case UInt8(ascii: "#"), UInt8(ascii: "^"):
                    stack.append(Container(tag: tag, reference: try reference(tag)))
                case UInt8(ascii: "<"), UInt8(ascii: "$"):
                    let name = try partialName(tag)
                    stack.append(Container(tag: tag, reference: TemplateReference(kind: .current, transforms: [], text: name),
                                           indentation: indentation))
                case UInt8(ascii: ">"):
                    top.nodes.append(.partial(try partialName(tag), indentation: indentation, overrides: nil))
                case UInt8(ascii: "/"):
                    let closing = tag.content.filter { !$0.isWhitespace }
                    guard stack.count > 1, let reference = top.reference, let openTag = top.tag,
                          reference.text == closing else {
                        throw error(at: tag.contentStart, "closing tag does not match the open section",
                                    fix: "close the innermost open section first")
                    }
                    stack.removeLast()
                    let parent = stack[stack.count - 1]
                    switch openTag.sigil {
                    case UInt8(ascii: "#"), UInt8(ascii: "^"):
                        parent.nodes.append(.section(reference, top.nodes, inverted: openTag.sigil == UInt8(ascii: "^")))
                    case UInt8(ascii: "<"):
                        parent.nodes.append(.partial(reference.text, indentation: top.indentation, overrides: top.overrides))
                    default:  // "$"
                        if parent.isParent {
                            if parent.overrides[reference.text] == nil { parent.overrides[reference.text] = top.nodes }
                        } else {
                            if !top.indentation.isEmpty { parent.append(top.indentation) }
                            parent.nodes.append(.block(reference.text, top.nodes))
                        }
                    }
                default:  // variables: plain, "&" and "{"
                    let escaped = sigil == 0
                    top.nodes.append(.variable(try reference(tag), escaped: escaped))
                }
            }
        }
        if stack.count > 1, let tag = stack[stack.count - 1].tag {
            throw error(at: tag.start, "section '\(tag.content)' is never closed",
                        fix: "close every {{#name}} and {{^name}} with {{/name}}")
        }
        return stack[0].nodes
    }

    private func reference(_ tag: Tag) throws(TemplateSyntaxError) -> TemplateReference {
        guard let reference = TemplateReference.parse(tag.content) else {
            throw error(at: tag.contentStart, tag.content.isEmpty ? "empty tag" : "invalid name '\(tag.content)'",
                        fix: "names are letters, digits, '_' and '-', joined by '.', e.g. {{article.title}}")
        }
        return reference
    }

    private func partialName(_ tag: Tag) throws(TemplateSyntaxError) -> String {
        let name = tag.content
        guard !name.isEmpty else {
            throw error(at: tag.start, "missing template name", fix: "name the template, e.g. {{>partials/byline}}")
        }
        guard !name.hasPrefix("*") else {
            throw error(at: tag.start, "dynamic partials are not supported", fix: "name the partial literally")
        }
        return name
    }

    // MARK: Positions

    private func error(at offset: Int, _ message: String, fix: String) -> TemplateSyntaxError {
        var line = 1
        var lineStart = 0
        for index in 0..<min(offset, bytes.count) where bytes[index] == 10 {
            line += 1
            lineStart = index + 1
        }
        // Columns count characters (Unicode scalars), not bytes.
        let column = bytes[lineStart..<min(offset, bytes.count)].reduce(1) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        var lineEnd = lineStart
        while lineEnd < bytes.count, bytes[lineEnd] != 10 { lineEnd += 1 }
        let text = String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        return TemplateSyntaxError(line: line, column: column, message: message,
                                   fix: text.isEmpty ? fix : "\(fix); the line: \(text)")
    }
}
