import CSiteGenSupport
import Foundation

/// The words of UTF-8 text, one at a time (the rules in `SearchText`). Works on bytes: the ASCII
/// letters and digits of most text never become `Character`s or `String`s. A word is copied into
/// `buffer` (ASCII lowercased, apostrophes left out); the result points into it until the next call.
///
/// The text is classified 64 bytes at a time (a window, `loadWindow`): one bit a byte for ASCII
/// letters and digits, from which the window keeps where runs of them start (`starts`) and the
/// byte after each run (`ends`), and where the first byte that needs the general rules is
/// (`limit`: a non-ASCII byte or an apostrophe). The k-th start and the k-th end are then one
/// word: a call takes the lowest bit of each, and the word before `limit` is copied 8 bytes at a
/// time. So `next` branches once a word, not per byte or per 8 bytes of it, and the words do not
/// wait on each other (the scanner before found each word's end from the last one's, through a
/// chain of loads and bit tricks, and stepped over separators one byte at a time).
struct WordScanner {
    /// Bytes kept of one word; longer words are never indexed (more than `maxWordLength` scalars).
    static let bufferSize = 4 * SearchText.maxWordLength + 4
    /// Bytes of text a window classifies.
    static let windowSize = 64
    /// Bytes read from a window's start: its 64, and the 16 of a word starting at its last byte.
    static let windowReach = windowSize + 16
    /// Where the copy of the text's last bytes starts in `buffer` (the words use `bufferSize`
    /// bytes, and up to 8 more for the last 8-byte store).
    static let tailOffset = bufferSize + 8
    /// Bytes to allocate for `buffer`: the words, then the zero-padded copy of the last bytes of the
    /// text, so that a window near the end reads `windowReach` bytes.
    static let allocationSize = tailOffset + windowReach

    let bytes: UnsafeBufferPointer<UInt8>
    let buffer: UnsafeMutableBufferPointer<UInt8>
    /// The window's end (`windowStart` + 64), or (`nextInGeneral`) the next byte to read. Always
    /// at the start of a character, with no word begun before it.
    private var position = 0
    /// The window: where its bytes are read (the text, or the copy of its end in `buffer`) and
    /// where it starts in the text; per word not yet taken its start and its end (the byte after
    /// it), one bit a byte; and the first byte for the general rules (64: none).
    /// (Before the first window: an empty one ending where the text starts.)
    private var window: UnsafePointer<UInt8>
    private var windowStart = -windowSize
    private var starts: UInt64 = 0
    private var ends: UInt64 = 0
    private var limit = 64

    /// `buffer` holds at least `allocationSize` bytes.
    init(bytes: UnsafeBufferPointer<UInt8>, buffer: UnsafeMutableBufferPointer<UInt8>) {
        precondition(buffer.count >= Self.allocationSize)
        self.bytes = bytes
        self.buffer = buffer
        window = UnsafePointer(buffer.baseAddress!)
    }

    /// Whether an ASCII byte is a letter or digit.
    @inline(__always) static func isASCIIWordByte(_ byte: UInt8) -> Bool {
        byte &- 48 < 10 || (byte | 0x20) &- 97 < 26
    }

    static let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080

    /// For 8 bytes of text (the first in the low byte), the high bit of each byte that is an ASCII
    /// letter or digit. Each byte is classified by range tests on its low 7 bits that cannot carry
    /// into the next byte; bytes ≥ 0x80 never count.
    @inline(__always) static func wordByteBits(_ x: UInt64) -> UInt64 {
        let seven = x & ~high
        // The high bit of each byte of v + (0x80 - lo) is set when the byte is ≥ lo, that of
        // v + (0x7F - hi) when it is > hi.
        @inline(__always) func within(_ v: UInt64, _ lo: UInt64, _ hi: UInt64) -> UInt64 {
            (v &+ (0x80 - lo) &* ones) & ~(v &+ (0x7F - hi) &* ones)
        }
        return (within(seven | (0x20 &* ones), 0x61, 0x7A) | within(seven, 0x30, 0x39)) & ~x & high
    }

    /// For 8 bytes of text (the first in the low byte): the bytes with ASCII letters lowercased, and
    /// how many of the first bytes are ASCII letters or digits (0...8).
    @inline(__always) static func asciiRun(_ x: UInt64) -> (lowered: UInt64, count: Int) {
        let word = wordByteBits(x)
        // Lowercase: bit 5 for letters (digits have it already).
        return (x | word >> 2, (~word & high).trailingZeroBitCount >> 3)
    }

    /// The next word and whether it is all ASCII, or nil at the end of the text. The word is at the
    /// start of `buffer`, and the bytes after it are zero up to 16 (`TermTable.scannedHeads`).
    ///
    /// Inlined into the caller's loop for the common word: the window's next run of ASCII letters
    /// and digits, when it ends before `limit` (then no byte before it needs the general rules
    /// either, and the byte after it is an ASCII separator other than an apostrophe).
    @inline(__always)
    mutating func next() -> (UnsafeBufferPointer<UInt8>, Bool)? {
        var first = starts.trailingZeroBitCount, end = ends.trailingZeroBitCount
        if end >= limit {
            // No special byte: the next window starts with the word running past this one, if
            // any (shorter than the window), else at this one's end (`first` is 64).
            let nextStart = windowStart &+ first
            guard limit == Self.windowSize, first > 0, nextStart &+ Self.windowReach <= bytes.count,
                  let text = bytes.baseAddress else { return nextPastWindow() }
            position = nextStart
            classify(text + nextStart)
            first = starts.trailingZeroBitCount
            end = ends.trailingZeroBitCount
            guard end < limit else { return nextPastWindow() }
        }
        starts &= starts &- 1
        ends &= ends &- 1
        return (Self.copyWord(from: window + first, count: end &- first, to: buffer.baseAddress!), true)
    }

    /// `next` when the window has no word before `limit`: the words from the window's end go on
    /// in a new window; a word running past the window's end, in a window starting with it; from
    /// `limit` (or the word before it) on, `nextInGeneral` takes the next word, and a new window
    /// starts after it. No word is begun where a window starts or `nextInGeneral` begins, as at the
    /// start of a call, so the words are those of the general rules.
    @inline(never)
    private mutating func nextPastWindow() -> (UnsafeBufferPointer<UInt8>, Bool)? {
        while true {
            let first = starts.trailingZeroBitCount
            if limit < Self.windowSize || first == 0 {
                position = windowStart + min(first, limit)
                let word = nextInGeneral()
                if let (found, _) = word { Self.padWord(found) }
                starts = 0
                ends = 0
                if position < bytes.count, bytes[position] >= 0x80 {
                    // Text in another script goes on: the general rules take the next word too,
                    // without classifying a window for each word (an empty one at `position`
                    // with its limit there).
                    windowStart = position
                    limit = 0
                } else {
                    // An empty window ending where the general rules stopped.
                    windowStart = position - Self.windowSize
                    limit = Self.windowSize
                }
                return word
            }
            position = windowStart + first  // the window's end when no word is left
            guard loadWindow() else { return nil }
            let start = starts.trailingZeroBitCount, end = ends.trailingZeroBitCount
            if end < limit {
                starts &= starts &- 1
                ends &= ends &- 1
                return (Self.copyWord(from: window + start, count: end &- start, to: buffer.baseAddress!), true)
            }
        }
    }

    /// Loads a new window at `position` (the text's last bytes as a zero-padded copy: zero bytes
    /// are separators); false at the end of the text.
    private mutating func loadWindow() -> Bool {
        let n = bytes.count
        guard position < n, let text = bytes.baseAddress else { return false }
        if n - position >= Self.windowReach {
            classify(text + position)
        } else {
            let tail = buffer.baseAddress! + Self.tailOffset
            tail.update(repeating: 0, count: Self.windowReach)
            tail.update(from: text + position, count: n - position)
            classify(UnsafePointer(tail))
        }
        return true
    }

    /// Makes the 64 bytes at `source` (the text from `position`, or a copy) the window.
    /// The bytes are classified 16 at a time with SSE2 (`sitegen_classify64`, C), not 8 at a time with
    /// bit tricks: counting the terms of 3,000 generated articles alone went from 16.7 to 11.7 ns a
    /// word (scanning alone 8.4 to 6.0). The first special byte is exact in the mask: `limit` is its
    /// lowest bit.
    @inline(__always)
    private mutating func classify(_ source: UnsafePointer<UInt8>) {
        let bits = sitegen_classify64(source)
        let words = UInt64(bits.words), special = UInt64(bits.special)
        limit = special == 0 ? Self.windowSize : special.trailingZeroBitCount
        window = source
        windowStart = position
        position &+= Self.windowSize
        // No word is begun before the window: a run starts where a word byte follows another byte.
        starts = words & ~(words << 1)
        ends = ~words & (words << 1)
    }

    /// Copies the ASCII letters and digits at `source` to `out`, lowercased (digits have bit 5
    /// already), 8 bytes at a time: up to 16 bytes with two loads and stores, zero past the word
    /// (what `TermTable.scannedHeads` reads back). `source` has `count` rounded up to 8, and at
    /// least 16, bytes readable.
    @inline(__always)
    private static func copyWord(from source: UnsafePointer<UInt8>, count: Int,
                                 to out: UnsafeMutablePointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        let raw = UnsafeMutableRawPointer(out)
        let lower = 0x20 &* ones
        let bits0 = UInt64(min(count, 8)) << 3, bits1 = UInt64(min(max(count &- 8, 0), 8)) << 3
        let head0 = (Bytes.word(at: source) | lower) & ~0 >> (64 - bits0)
        let head1 = (Bytes.word(at: source + 8) | lower) & ~0 >> (64 - bits1)
        raw.storeBytes(of: head0.littleEndian, as: UInt64.self)
        raw.storeBytes(of: head1.littleEndian, toByteOffset: 8, as: UInt64.self)
        if count > 16 { copyRest(from: source, count: count, to: raw) }
        return UnsafeBufferPointer(start: out, count: count)
    }

    /// Zeroes the bytes of `buffer` past `word` (at its start) up to 16, as `copyWord` leaves them.
    @inline(__always)
    private static func padWord(_ word: UnsafeBufferPointer<UInt8>) {
        let raw = UnsafeMutableRawPointer(mutating: word.baseAddress!)
        let count = word.count
        let bits0 = UInt64(min(count, 8)) << 3, bits1 = UInt64(min(max(count &- 8, 0), 8)) << 3
        let head0 = raw.loadUnaligned(as: UInt64.self) & (~UInt64(0) >> (64 - bits0)).littleEndian
        let head1 = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self) & (~UInt64(0) >> (64 - bits1)).littleEndian
        raw.storeBytes(of: head0, as: UInt64.self)
        raw.storeBytes(of: head1, toByteOffset: 8, as: UInt64.self)
    }

    /// `copyWord` past the first 16 bytes (all 8 bytes of the last step are stored).
    @inline(never)
    private static func copyRest(from source: UnsafePointer<UInt8>, count: Int, to out: UnsafeMutableRawPointer) {
        for offset in stride(from: 16, to: count, by: 8) {
            let lowered = Bytes.word(at: source + offset) | 0x20 &* ones
            out.storeBytes(of: lowered.littleEndian, toByteOffset: offset, as: UInt64.self)
        }
    }

    private enum NonASCII {
        /// A Han, Hiragana or Katakana character: a word of its own.
        case ideograph(Int)
        /// A letter, mark or digit.
        case letter(Int)
        /// Anything else; `isApostrophe` for U+2019.
        case separator(Int, isApostrophe: Bool)
    }

    /// What the character at `position` (lead byte `byte`) is, and its size in bytes.
    @inline(never)
    private func nonASCII(_ byte: UInt8, text: UnsafePointer<UInt8>, count n: Int) -> NonASCII {
        let size = byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
        var value = UInt32(byte) & (size == 2 ? 0x1F : size == 3 ? 0x0F : 0x07)
        for k in 1..<size where position + k < n { value = value << 6 | UInt32(text[position + k] & 0x3F) }
        if SearchText.isIdeograph(value) { return .ideograph(size) }
        if let scalar = Unicode.Scalar(value), SearchText.isWordScalar(scalar) { return .letter(size) }
        return .separator(size, isApostrophe: value == 0x2019)
    }

    /// `next` for any text, one case at a time (see `next`).
    @inline(never)
    private mutating func nextInGeneral() -> (UnsafeBufferPointer<UInt8>, Bool)? {
        var length = 0, isASCII = true, apostrophe = false, overflow = false
        let n = bytes.count, capacity = Self.bufferSize
        guard let text = bytes.baseAddress else { return nil }
        let out = buffer.baseAddress!
        @inline(__always) func word() -> (UnsafeBufferPointer<UInt8>, Bool) {
            (UnsafeBufferPointer(start: out, count: length), isASCII)
        }
        while position < n {
            let byte = text[position]
            if byte < 0x80 {
                if Self.isASCIIWordByte(byte) {
                    // The common case: a run of ASCII letters and digits, 8 bytes at a time.
                    while position &+ 8 <= n {
                        let (lowered, count) = Self.asciiRun(Bytes.word(at: text + position))
                        if length &+ count <= capacity {
                            // All 8 bytes are stored; those past the run are overwritten or ignored.
                            UnsafeMutableRawPointer(out + length).storeBytes(of: lowered.littleEndian, as: UInt64.self)
                            length &+= count
                        } else {
                            overflow = true
                        }
                        position &+= count
                        if count < 8 { break }
                    }
                    // The last few bytes of the text, one at a time.
                    while position < n {
                        let byte = text[position]
                        guard byte < 0x80, Self.isASCIIWordByte(byte) else { break }
                        if length < capacity {
                            out[length] = byte &- 65 < 26 ? byte | 0x20 : byte
                            length += 1
                        } else {
                            overflow = true
                        }
                        position += 1
                    }
                    apostrophe = false
                    continue
                }
                position += 1
                if byte == 39, length > 0, !apostrophe {
                    apostrophe = true
                } else if length > 0 {
                    if !overflow { return word() }
                    length = 0; isASCII = true; apostrophe = false; overflow = false
                }
                continue
            }
            // Not ASCII: out of line, so that the ASCII path sets up no Unicode property lookups.
            switch nonASCII(byte, text: text, count: n) {
            case .ideograph(let size):
                if length > 0, !overflow { return word() }
                for k in 0..<size { out[k] = text[position + k] }
                position += size
                return (UnsafeBufferPointer(start: out, count: size), false)
            case .letter(let size):
                if length + size <= capacity {
                    for k in 0..<size { out[length + k] = text[position + k] }
                    length += size
                } else {
                    overflow = true
                }
                isASCII = false
                apostrophe = false
                position += size
            case .separator(let size, let isApostrophe):
                position += size
                if isApostrophe, length > 0, !apostrophe {
                    apostrophe = true
                } else if length > 0 {
                    if !overflow { return word() }
                    length = 0; isASCII = true; apostrophe = false; overflow = false
                }
            }
        }
        return length > 0 && !overflow ? word() : nil
    }
}
