import Foundation

/// Byte-level string search (Foundation's `contains`/`range(of:)` go through CFString and were
/// among the top entries of the build profile).
enum Bytes {
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
}
