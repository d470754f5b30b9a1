/// Renders a compiled template program into UTF-8 bytes. One renderer per page; it holds the context
/// stack, the innermost loop position, the block overrides in force and the current partial indentation.
///
/// Values are not copied while rendering (a copy costs a retain and a release of its payload): the
/// stack and every lookup hold pointers to where values are stored in the page's context, which the
/// caller keeps alive and unchanged for the whole render. Values a tag computes (loop positions,
/// transforms) are stored in `scratch` slots owned by the renderer.
struct TemplateRenderer {
    typealias Instruction = TemplateProgram.Instruction

    /// Holds the buffers below alive.
    private let storage: TemplateProgram.Storage
    private let instructions: UnsafeMutableBufferPointer<Instruction>
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private let references: UnsafeMutableBufferPointer<TemplateProgram.Reference>
    private let keys: UnsafeMutableBufferPointer<TemplateKey>
    private let transforms: UnsafeMutableBufferPointer<TemplateTransform>
    private let overrideRows: UnsafeMutableBufferPointer<TemplateProgram.Override>
    private let ranges: [Range<Int>]
    private(set) var output: [UInt8] = []
    private var stack: [UnsafePointer<TemplateValue>]
    private var loop: (index: Int, count: Int)?
    /// Block number → the body of the override in force (start -1: none).
    private var overrides: [(start: Int32, end: Int32)]
    /// The blocks whose override an enclosing parent call set, innermost last (undone when it ends).
    private var overridden: [Int32] = []
    private var indentation: [UInt8] = []
    private var depth = 0
    /// Values computed by tags; the first `scratchUsed` hold values sections are rendering with.
    private var scratch: [UnsafeMutablePointer<TemplateValue>] = []
    private var scratchUsed = 0
    /// For each entry of the program's key table, where in an object that key was last found (see
    /// `TemplateFields.valuePointer(_:hint:)`). Per page: one buffer, no sharing between threads.
    private let hints: UnsafeMutableBufferPointer<Int32>

    /// Outputs of partials called on list items, shared by the pages of a build (nil: none kept).
    private let memo: PartialMemo?
    /// While a partial whose output may be kept renders: the stack index of the item it was called
    /// on (-1 otherwise), and whether a lookup went below it (then the output is not kept).
    private var memoFloor = -1
    private var memoEscaped = false
    /// The blocks read while it renders, with the override in force for each.
    private var memoBlocks: [PartialMemo.BlockState] = []

    /// Partials nest at most this deep (cycles are rejected when templates load; this is a backstop).
    static let maximumDepth = 64

    private init(_ program: TemplateProgram, root: UnsafePointer<TemplateValue>, capacity: Int, memo: PartialMemo?) {
        self.memo = memo
        storage = program.storage
        instructions = storage.instructions
        bytes = storage.bytes
        references = storage.references
        keys = storage.keys
        transforms = storage.transforms
        overrideRows = storage.overrides
        ranges = program.ranges
        stack = []
        stack.reserveCapacity(16)
        stack.append(root)
        overrides = Array(repeating: (-1, -1), count: program.blockCount)
        output.reserveCapacity(capacity)
        hints = .allocate(capacity: keys.count)
        hints.initialize(repeating: 0)
    }

    /// Renders template `number` of `program` with `context`.
    static func render(_ program: TemplateProgram, template number: Int, context: TemplateValue,
                       capacity: Int = 65_536, memo: PartialMemo? = nil) -> [UInt8] {
        withUnsafePointer(to: context) { root in
            var renderer = TemplateRenderer(program, root: root, capacity: capacity, memo: memo)
            defer { renderer.deallocate() }
            renderer.run(program.ranges[number])
            return renderer.output
        }
    }

    private mutating func run(_ range: Range<Int>) {
        var next = range.lowerBound
        while next < range.upperBound {
            let instruction = instructions[next]
            next += 1
            switch instruction.op {
            case .text:
                appendBytes(instruction)
            case .line:
                if !indentation.isEmpty, output.last == 10 || output.isEmpty {
                    // Through a buffer: appending the array itself retained and released it on every line.
                    indentation.withUnsafeBufferPointer { output.append(contentsOf: $0) }
                }
                appendBytes(instruction)
            case .variable, .rawVariable:
                guard let value = resolve(instruction.operand) else { continue }
                emit(value, escaped: instruction.op == .variable)
            case .section:
                renderSection(resolve(instruction.operand), next..<Int(instruction.end))
                next = Int(instruction.end)
            case .inverted:
                renderInverted(resolve(instruction.operand), next..<Int(instruction.end))
                next = Int(instruction.end)
            case .partial:
                next = Int(instruction.end)
                guard instruction.operand >= 0, depth < Self.maximumDepth else { continue }
                call(instruction)
            case .block:
                let savedLoop = loop
                loop = nil
                let override = overrides[Int(instruction.operand)]
                if memoFloor >= 0 {
                    memoBlocks.append(.init(block: instruction.operand, start: override.start, end: override.end))
                }
                run(override.start >= 0 ? Int(override.start)..<Int(override.end) : next..<Int(instruction.end))
                loop = savedLoop
                next = Int(instruction.end)
            }
        }
    }

    @inline(__always)
    private mutating func appendBytes(_ instruction: Instruction) {
        guard instruction.bytesStart < instruction.bytesEnd else { return }
        output.append(contentsOf: UnsafeBufferPointer(start: bytes.baseAddress! + Int(instruction.bytesStart),
                                                      count: Int(instruction.bytesEnd - instruction.bytesStart)))
    }

    /// A partial, or a parent with its overrides: overrides from further out win (a page overrides
    /// its parent's parent), so only blocks without one in force take this call's.
    private mutating func call(_ instruction: Instruction) {
        let savedLoop = loop
        loop = nil
        let overriddenCount = overridden.count
        for row in overrideRows[Int(instruction.overridesStart)..<Int(instruction.overridesEnd)]
        where overrides[Int(row.block)].start < 0 {
            overrides[Int(row.block)] = (row.start, row.end)
            overridden.append(row.block)
        }
        let indentationCount = indentation.count
        if instruction.bytesStart < instruction.bytesEnd {
            indentation.append(contentsOf: bytes[Int(instruction.bytesStart)..<Int(instruction.bytesEnd)])
        }
        depth += 1
        if let memo, memoFloor < 0, savedLoop != nil, let item = stack.last,
           case .object(let fields) = item.pointee, let object = fields.storageIdentity {
            // A partial called on a list item (a card): its output is kept for the other pages
            // that show the same item in the same state, unless a lookup reached outside the item.
            let key = PartialMemo.Key(partial: instruction.operand, object: object, depth: Int32(depth),
                                      atLineStart: output.isEmpty || output.last == 10, indentation: indentation)
            if let kept = memo.output(for: key, overrides: overrides) {
                output.append(contentsOf: kept)
            } else {
                let start = output.count
                memoFloor = stack.count - 1
                memoEscaped = false
                memoBlocks.removeAll(keepingCapacity: true)
                run(ranges[Int(instruction.operand)])
                if !memoEscaped { memo.keep(Array(output[start...]), for: key, blocks: memoBlocks, holding: fields) }
                memoFloor = -1
            }
        } else {
            run(ranges[Int(instruction.operand)])
        }
        depth -= 1
        indentation.removeSubrange(indentationCount...)
        while overridden.count > overriddenCount { overrides[Int(overridden.removeLast())] = (-1, -1) }
        loop = savedLoop
    }

    private mutating func emit(_ value: UnsafePointer<TemplateValue>, escaped: Bool) {
        if let text = Self.textInPlace(value) {
            if escaped { Self.appendEscaped(text, to: &output) } else { output.append(contentsOf: text) }
            return
        }
        switch value.pointee {
        case .string(let text):
            if escaped { Self.appendEscaped(text, to: &output) } else { output.append(contentsOf: text.utf8) }
        case .utf8(let bytes):
            if escaped {
                bytes.withUnsafeBufferPointer { Self.appendEscaped($0, to: &output) }
            } else {
                output.append(contentsOf: bytes)
            }
        case .int(let number): Self.appendDecimal(number, to: &output)
        case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .list, .object: break
        }
    }

    private mutating func renderSection(_ value: UnsafePointer<TemplateValue>?, _ body: Range<Int>) {
        guard let value else { return }
        switch value.pointee {
        case .bool(let flag):
            if flag { run(body) }
        case .list:
            let (base, count) = Self.elements(value)
            guard let base else { return }
            let reserved = reserve(value)
            let savedLoop = loop
            for index in 0..<count {
                loop = (index, count)
                stack.append(base + index)
                run(body)
                stack.removeLast()
            }
            loop = savedLoop
            if reserved { scratchUsed -= 1 }
        default:
            let reserved = reserve(value)
            let savedLoop = loop
            loop = nil
            stack.append(value)
            run(body)
            stack.removeLast()
            loop = savedLoop
            if reserved { scratchUsed -= 1 }
        }
    }

    private mutating func renderInverted(_ value: UnsafePointer<TemplateValue>?, _ body: Range<Int>) {
        guard let value else { return run(body) }
        switch value.pointee {
        case .bool(false):
            run(body)
        case .list where Self.elements(value).1 == 0:
            let reserved = reserve(value)
            let savedLoop = loop
            loop = nil
            stack.append(value)
            run(body)
            stack.removeLast()
            loop = savedLoop
            if reserved { scratchUsed -= 1 }
        default:
            return
        }
    }

    /// The UTF-8 bytes of a text value where the context stores them, when they are on the heap.
    /// Binding the payload in a `switch` that then calls out (to append) copies the value: a retain
    /// and a release of storage that pages rendered in parallel share (site values, list cards), the
    /// largest caller of `swift_retain` in the render profile. Nil for other values and for strings of
    /// up to 15 bytes, which are held in the value itself (no storage to point to, nothing to retain).
    @inline(__always)
    private static func textInPlace(_ value: UnsafePointer<TemplateValue>) -> UnsafeBufferPointer<UInt8>? {
        switch value.pointee {
        case .utf8(let bytes):
            return bytes.withUnsafeBufferPointer { $0 }
        case .string(let text):
            guard text.utf8.count > 15 else { return nil }
            return text.utf8.withContiguousStorageIfAvailable { $0 }
        default:
            return nil
        }
    }

    /// The elements of a list value, in place.
    @inline(__always)
    private static func elements(_ value: UnsafePointer<TemplateValue>) -> (UnsafePointer<TemplateValue>?, Int) {
        guard case .list(let items) = value.pointee else { return (nil, 0) }
        return items.withUnsafeBufferPointer { ($0.baseAddress, $0.count) }
    }

    /// The value of key `number` of the key table when `value` is an object, in place.
    @inline(__always)
    private func field(_ number: Int, of value: UnsafePointer<TemplateValue>) -> UnsafePointer<TemplateValue>? {
        guard case .object(let fields) = value.pointee else { return nil }
        return fields.valuePointer(keys[number], hint: &hints[number])
    }

    private mutating func resolve(_ number: Int32) -> UnsafePointer<TemplateValue>? {
        let reference = references[Int(number)]
        var value: UnsafePointer<TemplateValue>?
        var transform = Int(reference.transformsStart)
        switch reference.kind {
        case .current:
            value = stack.last
        case .loop:
            guard let loop, transform < Int(reference.transformsEnd) else { return nil }
            let position: TemplateValue
            switch transforms[transform] {
            case .first: position = .bool(loop.index == 0)
            case .last: position = .bool(loop.index == loop.count - 1)
            case .index: position = .int(loop.index)
            case .even: position = .bool(loop.index & 1 == 0)
            case .odd: position = .bool(loop.index & 1 == 1)
            default: return nil
            }
            transform += 1
            value = store(position)
        case .anchored:
            value = stack.last
            for index in Int(reference.keysStart)..<Int(reference.keysEnd) {
                guard let found = field(index, of: value!) else { return nil }
                value = found
            }
        case .climbing:
            let first = Int(reference.keysStart)
            var level = stack.count - 1
            while level >= 0 {
                if let found = field(first, of: stack[level]) { value = found; break }
                level -= 1
            }
            // Found below the item a kept partial renders for, or not found there: the output
            // depends on more than the item.
            if level < memoFloor { memoEscaped = true }
            for index in Int(reference.keysStart) + 1..<Int(reference.keysEnd) {
                guard let current = value, let found = field(index, of: current) else { return nil }
                value = found
            }
        }
        while transform < Int(reference.transformsEnd) {
            guard let current = value else { return nil }
            let next: TemplateValue
            if case .list = current.pointee, transforms[transform] == .empty || transforms[transform] == .count {
                // `empty(list)`, on every card, needs only the length: no copy of the list (as `transformed`).
                let count = Self.elements(current).1
                next = transforms[transform] == .empty ? .bool(count == 0) : .int(count)
            } else {
                guard let transformed = current.pointee.transformed(transforms[transform]) else { return nil }
                next = transformed
            }
            value = store(next)
            transform += 1
        }
        return value
    }

    // MARK: Scratch values

    /// Puts a computed value in the first free scratch slot (which the next computed value reuses,
    /// unless a section reserves it).
    private mutating func store(_ value: TemplateValue) -> UnsafePointer<TemplateValue> {
        if scratchUsed == scratch.count {
            let slot = UnsafeMutablePointer<TemplateValue>.allocate(capacity: 1)
            slot.initialize(to: value)
            scratch.append(slot)
            return UnsafePointer(slot)
        }
        scratch[scratchUsed].pointee = value
        return UnsafePointer(scratch[scratchUsed])
    }

    /// Keeps `value`'s slot while a section renders with it, when it is a computed value.
    private mutating func reserve(_ value: UnsafePointer<TemplateValue>) -> Bool {
        guard scratchUsed < scratch.count, UnsafePointer(scratch[scratchUsed]) == value else { return false }
        scratchUsed += 1
        return true
    }

    /// Frees the hints and the scratch slots (the renderer is done).
    private mutating func deallocate() {
        hints.deallocate()
        for slot in scratch {
            slot.deinitialize(count: 1)
            slot.deallocate()
        }
        scratch = []
    }

    // MARK: Output

    /// Appends `number` in decimal, exactly as `String(number)` spells it, without making a string.
    static func appendDecimal(_ number: Int, to output: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var magnitude = number.magnitude
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = 48 + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if number < 0 { output.append(45) }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// Appends `text` with `& < > " '` escaped for HTML text and attributes.
    @inline(__always)
    static func appendEscaped(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendEscaped($0, to: &output) }
    }

    /// Appends `bytes` with `& < > " '` escaped (`Escaper`, for HTML).
    @inline(__always)
    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        Escaper.append(bytes, xml: false, to: &output)
    }
}
