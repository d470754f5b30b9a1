import Foundation

/// A stable 64-bit hash of the inputs of a page: equal fingerprints mean the page would render to the
/// same bytes, so incremental rebuilds and the build cache can skip it. Stable across processes
/// (unlike `Hasher`), so it can be stored on disk. Bytes are taken 8 at a time (multiply, then fold the
/// high half down so every bit of a word reaches every bit of the state), the rest one at a time
/// (FNV-1a): byte-at-a-time FNV over every source file was ~2% of a build.
public struct Fingerprint: Hashable, Sendable, CustomStringConvertible {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    /// A fingerprint read back from the build cache.
    init(value: UInt64) { self.value = value }

    public init(_ parts: String...) {
        for part in parts { add(part) }
    }

    /// The fingerprint of a file's bytes; equal to `Fingerprint(text)` for the same text as UTF-8.
    public init(bytes: [UInt8]) {
        bytes.withUnsafeBytes { add(bytes: $0) }
        add(UInt64(bytes.count))
    }

    public mutating func add(bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        var hash = value
        var index = 0
        while index + 8 <= bytes.count {
            hash = (hash ^ UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
                &* 0x9E37_79B9_7F4A_7C15
            hash ^= hash >> 32
            index += 8
        }
        while index < bytes.count {
            hash ^= UInt64(base.load(fromByteOffset: index, as: UInt8.self))
            hash &*= 0x0000_0100_0000_01b3
            index += 1
        }
        value = hash
    }

    public mutating func add(_ text: String) {
        var copy = text
        copy.withUTF8 { add(bytes: UnsafeRawBufferPointer($0)) }
        add(UInt64(text.utf8.count))  // length-delimited: ("ab","c") ≠ ("a","bc")
    }

    public mutating func add(_ number: UInt64) {
        withUnsafeBytes(of: number.littleEndian) { add(bytes: $0) }
    }

    public mutating func add(_ number: Int) { add(UInt64(bitPattern: Int64(number))) }
    public mutating func add(_ flag: Bool) { add(flag ? 1 : 0) }
    public mutating func add(_ date: Date?) { add(date.map { UInt64(bitPattern: Int64($0.timeIntervalSince1970 * 1000)) } ?? 7) }
    public mutating func add(_ other: Fingerprint) { add(other.value) }
    public mutating func add(_ texts: [String]) {
        add(texts.count)
        for text in texts { add(text) }
    }

    public static func of(_ data: Data) -> Fingerprint {
        var fingerprint = Fingerprint()
        data.withUnsafeBytes { fingerprint.add(bytes: $0) }
        return fingerprint
    }

    public var description: String { String(value, radix: 16) }
}

extension ParamValue {
    func fingerprint(into fingerprint: inout Fingerprint) {
        switch self {
        case .string(let text): fingerprint.add("s"); fingerprint.add(text)
        case .list(let items):
            fingerprint.add("l"); fingerprint.add(items.count)
            for item in items { item.fingerprint(into: &fingerprint) }
        case .map(let map):
            fingerprint.add("m"); fingerprint.add(map.count)
            for key in map.keys.sorted() { fingerprint.add(key); map[key]!.fingerprint(into: &fingerprint) }
        }
    }
}
