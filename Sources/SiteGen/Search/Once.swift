import Foundation

/// A value computed the first time it is asked for, by whichever thread asks first; the others wait
/// for it. Lets planning hand out jobs whose shared input (the search index) is built only if one of
/// them is rendered, and then only once.
final class Once<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var computed: Value?
    private var make: (@Sendable () -> Value)?

    init(_ make: @escaping @Sendable () -> Value) { self.make = make }

    var value: Value {
        lock.lock()
        defer { lock.unlock() }
        if let computed { return computed }
        let value = make!()
        computed = value
        make = nil  // release what the computation captured
        return value
    }

    /// Whether the value has been computed (for tests).
    var isComputed: Bool {
        lock.lock()
        defer { lock.unlock() }
        return computed != nil
    }
}
