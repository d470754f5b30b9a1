import Yams

/// A value of front matter or `site.yml`, with the file position it was written at: what `YAMLFields`
/// and everything reading its fields see. It holds only what sitegen reads of YAML (text, plain or
/// not, position, children), so the plain front matter nearly every file has is read straight into it
/// (`SimpleFrontMatter`) without building Yams nodes, their tags and resolvers; other YAML is read by
/// `Yams.compose` and converted.
///
/// A scalar's text is kept as written, unresolved: readers decide what it means (`true`/`yes`/`on` as
/// a flag, `Int(text)` as a number, a plain `~` or `null` as "not set"), as they did on Yams' nodes.
public enum YAMLValue: Equatable, Sendable {
    /// How a scalar is written. Only a plain scalar can stand for null, a number or a flag; every
    /// other style (single- or double-quoted, literal `|`, folded `>`) is text in YAML.
    public enum Style: Equatable, Sendable { case plain, quoted }

    public struct Scalar: Equatable, Sendable {
        public var text: String
        public var style: Style
        public var position: SourcePosition
    }

    public struct Pair: Equatable, Sendable {
        public var key: YAMLValue
        public var value: YAMLValue
    }

    case scalar(Scalar)
    case sequence([YAMLValue], at: SourcePosition)
    case mapping([Pair], at: SourcePosition)

    public var position: SourcePosition {
        switch self {
        case .scalar(let scalar): return scalar.position
        case .sequence(_, let position), .mapping(_, let position): return position
        }
    }

    /// The text of a scalar; nil for a list or a mapping.
    public var text: String? {
        if case .scalar(let scalar) = self { return scalar.text }
        return nil
    }

    /// In a mapping, the text of the value of key `key` (the last one, as Yams' `mapping[key]`, which
    /// also compared tags: only an explicitly tagged key such as `!x label:` reads differently); nil
    /// when this is not a mapping, the key is missing or its value is not a scalar.
    func text(of key: String) -> String? {
        guard case .mapping(let pairs, _) = self else { return nil }
        return pairs.last { $0.key.text == key }?.value.text
    }

    /// Whether this is YAML's null: a plain empty, `~` or `null` (YAML 1.1 spellings, as Yams resolves).
    var isNull: Bool {
        guard case .scalar(let scalar) = self, scalar.style == .plain else { return false }
        switch scalar.text {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }

    /// The value `Yams.compose` read from a YAML block that starts on line `firstLine` of its file.
    init(_ node: Node, firstLine: Int) {
        var converter = Converter(firstLine: firstLine)
        self = converter.convert(node)
    }

    /// Converts Yams nodes. `Yams.compose` replaces an alias by a copy of the node its anchor names,
    /// which shares that node's storage and mark, so a few lines of aliases can stand for billions of
    /// nodes (the "billion laughs") that cost Yams nothing. Each collection is therefore converted once
    /// and its value reused, so the values share storage too and a key nothing looks into stays cheap.
    /// Yams' nodes have no identity (their anchor is a weak reference, gone after parsing), but no two
    /// collections of one kind start at the same place in a YAML text, so kind and mark name one.
    struct Converter {
        private struct Start: Hashable {
            var line: Int, column: Int, isMapping: Bool
        }

        let firstLine: Int
        private var collections: [Start: YAMLValue] = [:]
        /// How many nodes were converted (not taken from `collections`).
        private(set) var converted = 0

        init(firstLine: Int) { self.firstLine = firstLine }

        mutating func convert(_ node: Node) -> YAMLValue {
            var start: Start?
            switch (node, node.mark) {
            case (.sequence, let mark?): start = Start(line: mark.line, column: mark.column, isMapping: false)
            case (.mapping, let mark?): start = Start(line: mark.line, column: mark.column, isMapping: true)
            default: break
            }
            if let start, let value = collections[start] { return value }
            converted += 1
            // libyaml marks are 1-based within the block; Yams' parser always sets them.
            let position = node.mark.map { SourcePosition(line: firstLine + $0.line - 1, column: $0.column) }
                ?? SourcePosition(line: firstLine)
            let value: YAMLValue
            switch node {
            case .scalar(let scalar):
                value = .scalar(Scalar(text: scalar.string, style: scalar.style == .plain ? .plain : .quoted,
                                       position: position))
            case .sequence(let sequence):
                value = .sequence(sequence.map { convert($0) }, at: position)
            case .mapping(let mapping):
                value = .mapping(mapping.map { Pair(key: convert($0.key), value: convert($0.value)) }, at: position)
            case .alias:
                // Only Yams' encoder makes alias nodes; the parser resolves them. Read as empty text.
                value = .scalar(Scalar(text: "", style: .quoted, position: position))
            }
            if let start { collections[start] = value }
            return value
        }
    }
}
