import Foundation

/// A stable 64-bit hash of the inputs of a page: equal fingerprints mean the page would render to the
/// same bytes, so incremental rebuilds and the build cache can skip it. Stable across processes
/// (unlike `Hasher`), so it can be stored on disk. Bytes are taken 8 at a time (multiply, then fold the
/// high half down so every bit of a word reaches every bit of the state; in four lanes for inputs of
/// 64 bytes or more), the rest one at a time (FNV-1a): byte-at-a-time FNV over every source file
/// was ~2% of a build.
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
        // Long inputs (source files) in four independent lanes of 8 bytes, folded into the state
        // after: one lane was a chain of dependent multiplies, ~0.9% of a 10k build.
        if bytes.count >= 64 {
            var lanes = (hash, hash ^ 0x243F_6A88_85A3_08D3, hash ^ 0x1319_8A2E_0370_7344, hash ^ 0xA409_3822_299F_31D0)
            @inline(__always) func mix(_ lane: inout UInt64, _ offset: Int) {
                lane = (lane ^ UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                    &* 0x9E37_79B9_7F4A_7C15
                lane ^= lane >> 32
            }
            while index + 32 <= bytes.count {
                mix(&lanes.0, index)
                mix(&lanes.1, index + 8)
                mix(&lanes.2, index + 16)
                mix(&lanes.3, index + 24)
                index += 32
            }
            // Each lane goes through a nonlinear finish before it is folded in: folded as it was, a
            // flip of a word's top bit in the last block left the same difference in any lane, so
            // flips in two lanes collided.
            @inline(__always) func finish(_ lane: UInt64) -> UInt64 {
                var x = lane ^ lane >> 33
                x &*= 0xFF51_AFD7_ED55_8CCD
                x ^= x >> 33
                x &*= 0xC4CE_B9FE_1A85_EC53
                return x ^ x >> 33
            }
            hash = finish(lanes.0)
            for lane in [lanes.1, lanes.2, lanes.3] {
                hash = (hash ^ finish(lane)) &* 0x9E37_79B9_7F4A_7C15
                hash ^= hash >> 32
            }
        }
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
