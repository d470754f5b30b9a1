/// A key of a template object with its hash, computed once: where the key is written in code or
/// when a template is parsed, not at every lookup.
struct TemplateKey: Sendable, Equatable {
    let name: String
    let hash: UInt32

    init(_ name: String) {
        self.name = name
        self.hash = Self.hash(name)
    }

    /// FNV-1a over the UTF-8 bytes: a few cycles for the short names contexts use.
    static func hash(_ name: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return hash
    }
}

/// The fields of a template object: key → value, like a dictionary, held as one small array scanned
/// by key hash. Objects have a few dozen keys at most, and a template looks a name up in several
/// of them (climbing the context stack): comparing stored 32-bit hashes is much cheaper than
/// hashing the name with `Hasher` for every object tried. Keys are unique; their order carries no
/// meaning (equality ignores it, `enumerated` sorts).
public struct TemplateFields: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    private struct Entry: Sendable {
        var hash: UInt32
        var key: String
        var value: TemplateValue
    }

    private var entries: [Entry] = []

    public init() {}

    /// The address of the fields' storage, shared by every copy of this object (nil when empty): an
    /// identity for `PartialMemo`, valid while a copy is held.
    var storageIdentity: UnsafeRawPointer? {
        guard !entries.isEmpty else { return nil }
        return entries.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }

    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        entries.reserveCapacity(elements.count)
        for (key, value) in elements { self[key] = value }
    }

    /// The fields of `dictionary`, in key order.
    public init(_ dictionary: [String: TemplateValue]) {
        entries.reserveCapacity(dictionary.count)
        for (key, value) in dictionary.sorted(by: { $0.key < $1.key }) {
            entries.append(Entry(hash: TemplateKey.hash(key), key: key, value: value))
        }
    }

    /// Room for `capacity` fields: fields added to a copy of a shared object (an article page's
    /// card) then go into one new buffer instead of a copy that grows twice.
    public mutating func reserveCapacity(_ capacity: Int) { entries.reserveCapacity(capacity) }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [String] { entries.map(\.key) }

    private func index(_ key: String, hash: UInt32) -> Int? {
        entries.withUnsafeBufferPointer { buffer in
            for index in buffer.indices where buffer[index].hash == hash && buffer[index].key == key { return index }
            return nil
        }
    }

    /// The value of `key` (hash computed by the caller, once).
    @inline(__always)
    subscript(key: TemplateKey) -> TemplateValue? {
        guard let index = index(key.name, hash: key.hash) else { return nil }
        return entries[index].value
    }

    /// Where the value of `key` is stored, to read it without copying it (copying a value costs a
    /// retain and a release of its payload). Valid while these fields are alive and unchanged: the
    /// renderer holds the page's context, which holds every object it looks into, for the whole page.
    ///
    /// The entry at `hint` is tried first, and `hint` left where the key was found.
    /// Objects made by the same code hold their keys in the same order, so a tag read in each of a
    /// list's cards finds its key at once instead of comparing every hash before it (entries are 48
    /// bytes: the scan touched about a cache line per entry it passed, on cards rarely in cache).
    @inline(__always)
    func valuePointer(_ key: TemplateKey, hint: inout Int32) -> UnsafePointer<TemplateValue>? {
        entries.withUnsafeBufferPointer { buffer -> UnsafePointer<TemplateValue>? in
            guard let base = buffer.baseAddress else { return nil }
            let guess = Int(hint)
            if guess < buffer.count, buffer[guess].hash == key.hash, buffer[guess].key == key.name {
                return (base + guess).pointer(to: \Entry.value)
            }
            for index in buffer.indices where buffer[index].hash == key.hash && buffer[index].key == key.name {
                hint = Int32(truncatingIfNeeded: index)
                return (base + index).pointer(to: \Entry.value)
            }
            return nil
        }
    }

    public subscript(key: String) -> TemplateValue? {
        get { self[TemplateKey(key)] }
        set {
            let hash = TemplateKey.hash(key)
            switch (index(key, hash: hash), newValue) {
            case (let index?, let value?): entries[index].value = value
            case (let index?, nil): entries.remove(at: index)
            case (nil, let value?): entries.append(Entry(hash: hash, key: key, value: value))
            case (nil, nil): break
            }
        }
    }

    /// Adds the fields of `other`; `combine` decides for keys both have (old value, new value).
    public mutating func merge(_ other: TemplateFields,
                               uniquingKeysWith combine: (TemplateValue, TemplateValue) -> TemplateValue) {
        entries.reserveCapacity(entries.count + other.entries.count)
        for entry in other.entries {
            if let index = index(entry.key, hash: entry.hash) {
                entries[index].value = combine(entries[index].value, entry.value)
            } else {
                entries.append(entry)
            }
        }
    }

    public func merging(_ other: TemplateFields,
                        uniquingKeysWith combine: (TemplateValue, TemplateValue) -> TemplateValue) -> TemplateFields {
        var result = self
        result.merge(other, uniquingKeysWith: combine)
        return result
    }

    /// A dictionary of the fields with each value transformed.
    public func mapValues<T>(_ transform: (TemplateValue) throws -> T) rethrows -> [String: T] {
        var result: [String: T] = [:]
        result.reserveCapacity(entries.count)
        for entry in entries { result[entry.key] = try transform(entry.value) }
        return result
    }

    public static func == (a: TemplateFields, b: TemplateFields) -> Bool {
        a.count == b.count && a.entries.allSatisfy { b[TemplateKey($0.key)] == $0.value }
    }
}
