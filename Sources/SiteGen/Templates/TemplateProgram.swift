/// A transform in a tag (`lowercased(name)`, `last()`), named once when templates load so that the
/// renderer switches on a byte instead of comparing strings. `unknown` renders as an absent value.
enum TemplateTransform: UInt8, Sendable, CaseIterable {
    case empty, uppercased, lowercased, capitalized, reversed
    case equalzero, plusone, minusone, even, odd
    case first, last, index, count, enumerated, sorted
    case unknown

    init(_ name: String) { self = Self.byName[name] ?? .unknown }

    private static let byName: [String: TemplateTransform] = [
        "empty": .empty, "uppercased": .uppercased, "lowercased": .lowercased, "capitalized": .capitalized,
        "reversed": .reversed, "equalzero": .equalzero, "plusone": .plusone, "minusone": .minusone,
        "even": .even, "odd": .odd, "first": .first, "last": .last, "index": .index, "count": .count,
        "enumerated": .enumerated, "sorted": .sorted,
    ]
}

/// Every template of a set compiled into one flat program: a single array of plain instructions
/// (no classes, no strings) with the text of all templates in one byte buffer, partials and blocks
/// resolved to numbers. Rendering a page then walks integers: walking the parsed tree cost a retain
/// and release for each node, its children, its bytes and its reference, and a `Hasher` run for
/// every partial name and block override.
///
/// Layout: a template is a range of instructions. A section's, inverted section's or block's body
/// follows its instruction up to `end`; a partial call with overrides is followed by the bodies of its
/// overrides, and rendering resumes at its `end`.
struct TemplateProgram: Sendable {
    enum Op: UInt8, Sendable {
        /// `bytes`.
        case text
        /// A line starts: the partial indentation in force (if any), then `bytes`.
        case line
        /// `operand`: a reference.
        case variable, rawVariable, section, inverted
        /// `operand`: a template (-1 when it does not exist); `bytes`: the indentation of a standalone
        /// partial; `overrides`: the blocks this parent call overrides.
        case partial
        /// `operand`: a block.
        case block
    }

    struct Instruction: Sendable {
        var op: Op
        var operand: Int32 = 0
        var bytesStart: Int32 = 0
        var bytesEnd: Int32 = 0
        /// The instruction after this one's body (sections, blocks) or override bodies (partials).
        var end: Int32 = 0
        var overridesStart: Int32 = 0
        var overridesEnd: Int32 = 0
    }

    /// A block override of a parent call: its body is `start..<end`.
    struct Override: Sendable {
        var block: Int32
        var start: Int32
        var end: Int32
    }

    /// A tag's name: `keys` and `transforms` are ranges of the program's key and transform tables.
    struct Reference: Sendable {
        var kind: TemplateReference.Kind
        var keysStart: Int32
        var keysEnd: Int32
        var transformsStart: Int32
        var transformsEnd: Int32
    }

    /// Immutable once compiled; the renderer reads it through these buffers without reference counting.
    final class Storage: @unchecked Sendable {
        let instructions: UnsafeMutableBufferPointer<Instruction>
        let bytes: UnsafeMutableBufferPointer<UInt8>
        let references: UnsafeMutableBufferPointer<Reference>
        let keys: UnsafeMutableBufferPointer<TemplateKey>
        let transforms: UnsafeMutableBufferPointer<TemplateTransform>
        let overrides: UnsafeMutableBufferPointer<Override>

        init(_ builder: Builder) {
            func copy<T>(_ array: [T]) -> UnsafeMutableBufferPointer<T> {
                let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: array.count)
                _ = buffer.initialize(from: array)
                return buffer
            }
            instructions = copy(builder.instructions)
            bytes = copy(builder.bytes)
            references = copy(builder.references)
            keys = copy(builder.keys)
            transforms = copy(builder.transforms)
            overrides = copy(builder.overrides)
        }

        deinit {
            for buffer in [UnsafeMutableRawBufferPointer(instructions), UnsafeMutableRawBufferPointer(bytes),
                           UnsafeMutableRawBufferPointer(references), UnsafeMutableRawBufferPointer(transforms),
                           UnsafeMutableRawBufferPointer(overrides)] { buffer.deallocate() }
            keys.deinitialize()
            keys.deallocate()
        }
    }

    let storage: Storage
    /// Template name → number (a partial's operand).
    let numbers: [String: Int]
    /// Template number → its instructions.
    let ranges: [Range<Int>]
    /// How many distinct block names the templates use (blocks are numbered 0..<blockCount).
    let blockCount: Int

    init(_ trees: [String: [TemplateNode]]) {
        var builder = Builder()
        let names = trees.keys.sorted()
        let numbers = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        var ranges: [Range<Int>] = []
        for name in names {
            let start = builder.instructions.count
            builder.emit(trees[name]!, templates: numbers)
            ranges.append(start..<builder.instructions.count)
        }
        self.storage = Storage(builder)
        self.numbers = numbers
        self.ranges = ranges
        self.blockCount = builder.blocks.count
    }

    /// Flattens parsed trees into the tables of a program.
    struct Builder {
        var instructions: [Instruction] = []
        var bytes: [UInt8] = []
        var references: [Reference] = []
        var keys: [TemplateKey] = []
        var transforms: [TemplateTransform] = []
        var overrides: [Override] = []
        var blocks: [String: Int32] = [:]

        mutating func emit(_ nodes: [TemplateNode], templates: [String: Int]) {
            for node in nodes {
                let at = instructions.count
                var instruction = Instruction(op: .text)
                (instruction.bytesStart, instruction.bytesEnd) = (Int32(bytes.count), Int32(bytes.count + node.bytes.count))
                bytes += node.bytes
                switch node.kind {
                case .text: instruction.op = .text
                case .line: instruction.op = .line
                case .variable, .rawVariable:
                    instruction.op = node.kind == .variable ? .variable : .rawVariable
                    instruction.operand = reference(node.reference!)
                case .section, .inverted:
                    instruction.op = node.kind == .section ? .section : .inverted
                    instruction.operand = reference(node.reference!)
                case .partial:
                    instruction.op = .partial
                    instruction.operand = Int32(templates[node.name] ?? -1)
                case .block:
                    instruction.op = .block
                    instruction.operand = block(node.name)
                }
                instructions.append(instruction)
                switch node.kind {
                case .section, .inverted, .block:
                    emit(node.children, templates: templates)
                case .partial:
                    // Bodies first (they may hold parent calls of their own), then the table rows.
                    var rows: [Override] = []
                    for (name, body) in (node.overrides ?? [:]).sorted(by: { $0.key < $1.key }) {
                        let start = Int32(instructions.count)
                        emit(body, templates: templates)
                        rows.append(Override(block: block(name), start: start, end: Int32(instructions.count)))
                    }
                    instructions[at].overridesStart = Int32(overrides.count)
                    overrides += rows
                    instructions[at].overridesEnd = Int32(overrides.count)
                default:
                    break
                }
                instructions[at].end = Int32(instructions.count)
            }
        }

        private mutating func block(_ name: String) -> Int32 {
            if let number = blocks[name] { return number }
            let number = Int32(blocks.count)
            blocks[name] = number
            return number
        }

        private mutating func reference(_ reference: TemplateReference) -> Int32 {
            let keysStart = Int32(keys.count), transformsStart = Int32(transforms.count)
            keys += reference.keys
            transforms += reference.transforms.map(TemplateTransform.init)
            references.append(Reference(kind: reference.kind, keysStart: keysStart, keysEnd: Int32(keys.count),
                                        transformsStart: transformsStart, transformsEnd: Int32(transforms.count)))
            return Int32(references.count - 1)
        }
    }
}
