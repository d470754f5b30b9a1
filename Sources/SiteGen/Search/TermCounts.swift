/// Counts by term id for one text at a time, and the ids counted so far in order of first count.
/// `touched` has room for `capacity + 1` ids, so that a word loop can write every word's id at the
/// end and move past it only when the term is new: no branch that goes either way with each word.
/// Owns its memory, which the loops update through pointers (an array there cost a uniqueness check
/// and a bounds check a word), hence not copyable. The counters of `SearchAnalysis` (weights per
/// document) and of `TermSource` (occurrences per body) both keep their counts here.
struct TermCounts<Count>: ~Copyable {
    private(set) var counts = UnsafeMutablePointer<Count>.allocate(capacity: 0)
    private(set) var touched = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    /// Ids below this have a count.
    private(set) var capacity = 0
    /// How many ids `touched` holds.
    var touchedCount = 0
    /// The count of an id not counted yet.
    private let zero: Count
    /// Counts made room for at least, when growing at all.
    private let minimum: Int

    init(zero: Count, minimum: Int) {
        self.zero = zero
        self.minimum = minimum
    }

    /// Room for the counts of ids below `needed` at least (doubling, so that growing is rare).
    mutating func grow(_ needed: Int) {
        let grown = max(needed, 2 * capacity, minimum)
        let newCounts = UnsafeMutablePointer<Count>.allocate(capacity: grown)
        newCounts.moveInitialize(from: counts, count: capacity)
        (newCounts + capacity).initialize(repeating: zero, count: grown - capacity)
        counts.deallocate()
        counts = newCounts
        let newTouched = UnsafeMutablePointer<Int32>.allocate(capacity: grown + 1)
        newTouched.moveInitialize(from: touched, count: touchedCount)
        touched.deallocate()
        touched = newTouched
        capacity = grown
    }

    deinit {
        counts.deinitialize(count: capacity)
        counts.deallocate()
        touched.deallocate()
    }
}
