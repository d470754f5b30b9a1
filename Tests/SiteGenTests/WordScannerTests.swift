import Testing
@testable import SiteGen
@testable import SiteGenBench

/// `WordScanner` against the word rules one Unicode scalar at a time (`SearchTests.referenceWords`),
/// on the inputs its 64-byte windows make tricky: words and special bytes (non-ASCII, apostrophes)
/// at every offset of a window, words running past a window's end or as long as one, the last
/// bytes of a text (read from a zero-padded copy), and the zeros it leaves after each word for
/// `TermTable.scannedHeads`.
@Suite struct WordScannerTests {
    /// The words of `text` as the scanner yields them, from a buffer that starts full of 0xA5 (not
    /// zeros), each checked for the zeros after it up to 16 bytes.
    static func scannedWords(_ text: String) -> [(word: [UInt8], isASCII: Bool)] {
        let shown = text.debugDescription
        var text = text
        return text.withUTF8 { bytes in
            let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: WordScanner.allocationSize)
            defer { buffer.deallocate() }
            buffer.initialize(repeating: 0xA5)
            var scanner = WordScanner(bytes: bytes, buffer: buffer)
            var words: [(word: [UInt8], isASCII: Bool)] = []
            while let (word, isASCII) = scanner.next() {
                #expect(word.baseAddress == UnsafePointer(buffer.baseAddress), "the word is at the buffer's start")
                #expect(TermTable.isZeroPadded(word), "zeros after \(Array(word)) in \(shown)")
                words.append((Array(word), isASCII))
            }
            return words
        }
    }

    static func expectReference(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let found = scannedWords(text), expected = SearchTests.referenceWords(text)
        #expect(found.map(\.word) == expected.map(\.word), "\(text.debugDescription)", sourceLocation: sourceLocation)
        #expect(found.map(\.isASCII) == expected.map(\.isASCII), "\(text.debugDescription)", sourceLocation: sourceLocation)
    }

    /// One word of each interesting length at each offset of the first window and past it, with
    /// each kind of byte after it: the word's start, its end and the byte after it each land on
    /// every position of a window, and on both sides of its end.
    @Test func aWordAtEveryOffsetOfAWindow() {
        let lengths = [1, 2, 7, 8, 9, 15, 16, 17, 24, 40, 41, 56, 63, 64, 65, 79, 80, 81, 150, 163, 164, 165, 170]
        let after = ["", " ", ",x", "'", "'s", "''t", "’", "’s", "é", "Éa", "北", "서울", "\u{2013}", "\u{1F600}", "\u{301}",
                     "\u{7F}", "\0", "`", "@", "[", "{", ":", "/"]
        for length in lengths {
            let word = String(decoding: (0..<length).map { k -> UInt8 in
                let base: [UInt8] = [65, 97, 48]  // A, a, 0
                return base[k % 3] + UInt8((k * 7) % 10)
            }, as: UTF8.self)
            for offset in 0..<72 {
                // Separators only, then single letters between spaces (words before it in the window).
                for filler in [String(repeating: " ", count: offset),
                               String(String(repeating: "q ", count: offset / 2 + 1).prefix(offset))] {
                    for tail in after {
                        Self.expectReference(filler + word + tail)
                        Self.expectReference(filler + word + tail + " next words, 42")
                    }
                }
            }
        }
    }

    /// Special bytes before a word (a word of their own, a letter the word continues, an apostrophe
    /// after an earlier word) at every offset of a window.
    @Test func specialBytesBeforeAWordAtEveryOffset() {
        let before = ["’", "'", "é", "北", "서울", "“", "\u{2013} ", "x'", "x’", "\u{1F600}", "Ω"]
        for offset in 0..<72 {
            for special in before {
                for word in ["ab", "Trade", "abcdefghijklmnopq"] {
                    Self.expectReference(String(repeating: " ", count: offset) + special + word + " end")
                    Self.expectReference(String(repeating: "a", count: offset) + special + word)
                }
            }
        }
    }

    /// Long prose-like texts (several windows each): mostly ASCII words between ASCII separators,
    /// with special bytes here and there, and texts ending anywhere in a window.
    @Test func proseOfManyWindowsAgreesWithTheRules() {
        var random = SeededRandom(seed: 2024)
        let words = ["a", "of", "the", "Trade", "talks", "policy", "Infrastructure", "internationalization", "G20",
                     "2024", "x9Y", "ABCDEFGH", "abcdefghijklmnop", "abcdefghijklmnopq", String(repeating: "z", count: 63),
                     String(repeating: "Y", count: 64), String(repeating: "w", count: 170)]
        let separators = [" ", " ", " ", ", ", ". ", "\n", " -- ", "-", "(", ") ", "\"", ":"]
        let specials = ["’", "'", "'s", "é", "Séoul", "북한", "北韓", "“", "”", "\u{2013}", "\u{1F600}", "Œuvre"]
        for round in 0..<300 {
            var text = ""
            let length = 200 + Int(random.next() % 3_000)
            while text.utf8.count < length {
                text += random.pick(words)
                text += random.next() % 12 == 0 ? random.pick(specials) : random.pick(separators)
            }
            // End on a word, a separator or a special byte, anywhere in the last window.
            text += [random.pick(words), random.pick(separators), random.pick(specials)][round % 3]
            Self.expectReference(text)
        }
    }

    /// Mostly non-ASCII text (where the general rules take one word after another) with ASCII
    /// words and apostrophes mixed in, so that it switches back and forth.
    @Test func textInOtherScriptsAgreesWithTheRules() {
        let pieces = ["서울에서", "열린", "회담", "北韓", "ひらがな", "カタカナ", "Séoul", "Ørsted", "Œuvre’s", "naïve",
                      " ", " ", "、", "。", "—", "“", "”", "'", "’", "G20", "trade", "policy", "x", "2024", "\n"]
        for text in piecedTexts(pieces, lengths: 0...200, count: 3, seed: 41) {
            Self.expectReference(text)
        }
    }

    @Test func shortAndEmptyTexts() {
        for text in ["", " ", "a", "ab", "'", "’", "é", "北", "a'", "'a", "x’s", String(repeating: " ", count: 79),
                     String(repeating: "b", count: 79), String(repeating: "c", count: 80), String(repeating: "d", count: 81)] {
            Self.expectReference(text)
        }
    }

    /// The heads the term table reads are the word's first 16 bytes, zero-padded, whatever was
    /// in the buffer before.
    @Test func theTermTableHeadsAreTheWordsFirstBytes() {
        for length in 1...24 {
            let word = String((0..<length).map { Character(Unicode.Scalar(UInt8(97 + ($0 * 5) % 26))) })
            for text in [word, "  " + word + " x", "é " + word + "’s", String(repeating: "ab ", count: 20) + word] {
                let shown = text.debugDescription
                var bytes = text
                bytes.withUTF8 { bytes in
                    let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: WordScanner.allocationSize)
                    defer { buffer.deallocate() }
                    buffer.initialize(repeating: 0xA5)
                    var scanner = WordScanner(bytes: bytes, buffer: buffer)
                    while let (found, _) = scanner.next() {
                        let (head0, head1) = TermTable.scannedHeads(found)
                        var expected: (UInt64, UInt64) = (0, 0)
                        for (k, byte) in found.prefix(16).enumerated() {
                            if k < 8 { expected.0 |= UInt64(byte) << (8 * UInt64(k)) } else { expected.1 |= UInt64(byte) << (8 * UInt64(k - 8)) }
                        }
                        #expect(head0 == expected.0 && head1 == expected.1, "\(Array(found)) in \(shown)")
                    }
                }
            }
        }
    }
}
