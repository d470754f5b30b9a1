import Foundation

/// Byte-level string search (Foundation's `contains`/`range(of:)` go through CFString and were
/// among the top entries of the build profile).
enum Bytes {
    /// `text.trimmingCharacters(in: newlines ? .whitespacesAndNewlines : .whitespaces)`. Text that starts
    /// and ends with an ASCII byte those sets do not hold (nearly all) comes back as it is, without
    /// Foundation's trimming, which bridges to NSString (~2% of the parse step for dates and URLs).
    static func trimmed(_ text: String, newlines: Bool) -> String {
        guard let first = text.utf8.first, let last = text.utf8.last else { return text }
        func kept(_ byte: UInt8) -> Bool {
            byte < 0x80 && byte != 32 && byte != 9 && !(newlines && byte >= 10 && byte <= 13)
        }
        if kept(first) && kept(last) { return text }
        return text.trimmingCharacters(in: newlines ? .whitespacesAndNewlines : .whitespaces)
    }

    static func contains(_ haystack: String, _ needle: String) -> Bool {
        var haystack = haystack
        return haystack.withUTF8 { contains($0, needle) }
    }

    static func contains(_ hay: UnsafeBufferPointer<UInt8>, _ needle: String) -> Bool {
        var needle = needle
        return needle.withUTF8 { pin in
                guard !pin.isEmpty else { return true }
                guard hay.count >= pin.count else { return false }
                let first = pin[0]
                var index = 0
                let last = hay.count - pin.count
                while index <= last {
                    guard let found = memchr(hay.baseAddress! + index, Int32(first), last - index + 1) else { return false }
                    index = UnsafeRawPointer(found) - UnsafeRawPointer(hay.baseAddress!)
                    if memcmp(hay.baseAddress! + index, pin.baseAddress!, pin.count) == 0 { return true }
                    index += 1
                }
                return false
        }
    }

    // MARK: 8 bytes at a time (SWAR)

    /// The 8 bytes at `pointer`, the first in the lowest bits.
    @inline(__always)
    static func word(at pointer: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(pointer).loadUnaligned(as: UInt64.self))
    }
}
