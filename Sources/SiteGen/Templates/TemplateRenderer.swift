/// Renders parsed templates into UTF-8 bytes. One renderer per page; it holds the context stack,
/// the innermost loop position, the block overrides in force and the current partial indentation.
struct TemplateRenderer {
    private let templates: [String: [TemplateNode]]
    private(set) var output: [UInt8] = []
    private var stack: [TemplateValue]
    private var loop: (index: Int, count: Int)?
    private var overrides: [String: [TemplateNode]] = [:]
    private var indentation: [UInt8] = []
    private var depth = 0

    /// Partials nest at most this deep (cycles are rejected when templates load; this is a backstop).
    static let maximumDepth = 64

    init(templates: [String: [TemplateNode]], context: TemplateValue, capacity: Int = 65_536) {
        self.templates = templates
        self.stack = [context]
        output.reserveCapacity(capacity)
    }

    mutating func render(_ nodes: [TemplateNode]) {
        for index in nodes.indices {
            // `nodes` (a parameter, alive for the whole call) holds every node: no retain per node.
            unowned(unsafe) let node = nodes[index]
            switch node.kind {
            case .text:
                output.append(contentsOf: node.bytes)
            case .line:
                if !indentation.isEmpty, output.last == 10 || output.isEmpty { output.append(contentsOf: indentation) }
                output.append(contentsOf: node.bytes)
            case .variable, .rawVariable:
                guard let value = resolve(node.reference!) else { continue }
                switch value {
                case .string(let text):
                    if node.kind == .variable { Self.appendEscaped(text, to: &output) } else { output.append(contentsOf: text.utf8) }
                case .utf8(let bytes):
                    if node.kind == .variable {
                        bytes.withUnsafeBufferPointer { Self.appendEscaped($0, to: &output) }
                    } else {
                        output.append(contentsOf: bytes)
                    }
                case .int(let number): output.append(contentsOf: String(number).utf8)
                case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
                case .list, .object: break
                }
            case .section:
                renderSection(resolve(node.reference!), node.children)
            case .inverted:
                renderInverted(resolve(node.reference!), node.children)
            case .partial:
                guard let body = templates[node.name], depth < Self.maximumDepth else { continue }
                let saved = (loop, overrides, indentation)
                loop = nil
                if let newOverrides = node.overrides {
                    // Overrides from further out win: a page overrides its parent's parent.
                    overrides.merge(newOverrides) { outer, _ in outer }
                }
                indentation += node.bytes
                depth += 1
                render(body)
                depth -= 1
                (loop, overrides, indentation) = saved
            case .block:
                let savedLoop = loop
                loop = nil
                render(overrides[node.name] ?? node.children)
                loop = savedLoop
            }
        }
    }

    private mutating func renderSection(_ value: TemplateValue?, _ body: [TemplateNode]) {
        switch value {
        case nil, .bool(false)?:
            return
        case .bool(true)?:
            render(body)
        case .list(let items)?:
            let savedLoop = loop
            for index in items.indices {
                loop = (index, items.count)
                stack.append(items[index])
                render(body)
                stack.removeLast()
            }
            loop = savedLoop
        case let value?:
            let savedLoop = loop
            loop = nil
            stack.append(value)
            render(body)
            stack.removeLast()
            loop = savedLoop
        }
    }

    private mutating func renderInverted(_ value: TemplateValue?, _ body: [TemplateNode]) {
        switch value {
        case nil, .bool(false)?:
            render(body)
        case .list(let items)? where items.isEmpty:
            let savedLoop = loop
            loop = nil
            stack.append(.list(items))
            render(body)
            stack.removeLast()
            loop = savedLoop
        default:
            return
        }
    }

    private func resolve(_ reference: TemplateReference) -> TemplateValue? {
        var value: TemplateValue?
        var skip = 0
        switch reference.kind {
        case .current:
            value = stack.last
        case .loop:
            guard let loop, let first = reference.transforms.first else { return nil }
            skip = 1
            switch first {
            case "first": value = .bool(loop.index == 0)
            case "last": value = .bool(loop.index == loop.count - 1)
            case "index": value = .int(loop.index)
            case "even": value = .bool(loop.index & 1 == 0)
            case "odd": value = .bool(loop.index & 1 == 1)
            default: return nil
            }
        case .anchored:
            value = stack.last
            for key in reference.keys {
                value = value?[key]
                if value == nil { return nil }
            }
        case .climbing:
            let keys = reference.keys
            let first = keys[0]
            var level = stack.count - 1
            while level >= 0 {
                if case .object(let fields) = stack[level], let found = fields[first] { value = found; break }
                level -= 1
            }
            if keys.count > 1 {
                for index in 1..<keys.count {
                    value = value?[keys[index]]
                    if value == nil { return nil }
                }
            }
        }
        if reference.transforms.count > skip {
            for transform in reference.transforms[skip...] {
                value = value?.transformed(transform)
                if value == nil { return nil }
            }
        }
        return value
    }

    /// Appends `text` with `& < > " '` escaped for HTML text and attributes.
    @inline(__always)
    static func appendEscaped(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendEscaped($0, to: &output) }
    }

    /// Appends `bytes` with `& < > " '` escaped. Runs without those are found 8 bytes at a time and
    /// copied whole.
    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        guard let base = bytes.baseAddress else { return }
        var start = 0, index = 0
        while index < bytes.count {
            if index + 8 <= bytes.count {
                let found = Self.specialBytes(Bytes.word(at: base + index))
                if found == 0 { index += 8; continue }
                index += found.trailingZeroBitCount >> 3
            } else {
                let byte = base[index]
                guard byte == 38 || byte == 60 || byte == 62 || byte == 34 || byte == 39 else { index += 1; continue }
            }
            if start < index { output.append(contentsOf: UnsafeBufferPointer(start: base + start, count: index - start)) }
            switch base[index] {
            case 38: output.append(contentsOf: [38, 97, 109, 112, 59])  // &amp;
            case 60: output.append(contentsOf: [38, 108, 116, 59])  // &lt;
            case 62: output.append(contentsOf: [38, 103, 116, 59])  // &gt;
            case 34: output.append(contentsOf: [38, 113, 117, 111, 116, 59])  // &quot;
            default: output.append(contentsOf: [38, 35, 51, 57, 59])  // &#39;
            }
            index += 1
            start = index
        }
        if start < bytes.count { output.append(contentsOf: UnsafeBufferPointer(start: base + start, count: bytes.count - start)) }
    }

    /// The high bit of each byte of `word` that is `& < > " '` (exact: no carries between bytes).
    @inline(__always)
    static func specialBytes(_ word: UInt64) -> UInt64 {
        Bytes.bytes(word, equalTo: 38) | Bytes.bytes(word, equalTo: 60) | Bytes.bytes(word, equalTo: 62)
            | Bytes.bytes(word, equalTo: 34) | Bytes.bytes(word, equalTo: 39)
    }
}
