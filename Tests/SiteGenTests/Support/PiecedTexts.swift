@testable import SiteGenBench

/// `count` texts of each UTF-8 length in `lengths` (a text may overshoot by its last piece), made of
/// `pieces` in a reproducible random order: inputs for byte-level code that works 8 bytes at a time,
/// so that every piece lands at every offset of a word.
func piecedTexts(_ pieces: [String], lengths: ClosedRange<Int>, count: Int, seed: UInt64) -> [String] {
    var random = SeededRandom(seed: seed)
    var texts: [String] = []
    for length in lengths {
        for _ in 0..<count {
            var text = ""
            while text.utf8.count < length { text += random.pick(pieces) }
            texts.append(text)
        }
    }
    return texts
}
