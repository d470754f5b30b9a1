/// Unsigned numbers as LEB128: 7 bits a byte, low bits first, the high bit set on every byte but
/// the last; so numbers below 128 take one byte. For the search analysis's packed entries.
enum VarInt {
    static func append(_ value: Int, to bytes: inout [UInt8]) {
        precondition(value >= 0, "VarInt holds numbers ≥ 0")
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// The number at `position`, which moves past it.
    @inline(__always)
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, _ position: inout Int) -> Int {
        var byte = bytes[position]
        position += 1
        if byte < 0x80 { return Int(byte) }
        var value = Int(byte & 0x7F), shift = 7
        repeat {
            byte = bytes[position]
            position += 1
            value |= Int(byte & 0x7F) << shift
            shift += 7
        } while byte >= 0x80
        return value
    }
}
