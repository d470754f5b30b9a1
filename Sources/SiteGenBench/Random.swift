/// A small deterministic generator (SplitMix64): the same seed gives the same corpus everywhere.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &self) < probability }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    /// An index in 0..<count drawn with Zipf-like weights (rank r has weight 1/r).
    mutating func zipf(_ count: Int, table: [Double]) -> Int {
        let target = Double.random(in: 0..<table[count - 1], using: &self)
        var low = 0, high = count - 1
        while low < high {
            let middle = (low + high) / 2
            if table[middle] < target { low = middle + 1 } else { high = middle }
        }
        return low
    }

    static func zipfTable(_ count: Int) -> [Double] {
        var total = 0.0
        return (1...count).map { rank in
            total += 1 / Double(rank)
            return total
        }
    }
}
