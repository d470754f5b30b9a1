import Foundation

/// Outputs of partials rendered on list items, kept for the rest of a build: a card is shown on
/// about five list pages at 10k articles (its section, categories, authors, the home page), and its
/// partial rendered the same bytes each time.
///
/// A kept output is reused only in the same state: same partial and item, same call depth and
/// indentation, the output at a line start or not, and the same overrides in force for the blocks
/// the partial read (pages override other blocks differently; those do not matter). And only an
/// output whose lookups all resolved inside the item is kept (`TemplateRenderer` tracks that): a
/// card that reads a page's own value, or misses a key and would climb to the page, is rendered
/// on every page. The memo holds a copy of each item it keeps an output for, so that the item's
/// storage (its identity here) stays alive and is never reused by another object.
final class PartialMemo: @unchecked Sendable {
    struct Key: Hashable {
        var partial: Int32
        var object: UnsafeRawPointer
        var depth: Int32
        var atLineStart: Bool
        var indentation: [UInt8]
    }

    /// A block the partial read, and the override that was in force for it (start -1: none).
    struct BlockState: Equatable {
        var block: Int32
        var start: Int32
        var end: Int32
    }

    private struct Kept {
        var blocks: [BlockState]
        var output: [UInt8]
    }

    /// The outputs in shards, each with its own lock, chosen by the item's address: with one lock,
    /// the two render workers of a 10k build waited for each other in futex(2) (~2% of the build's
    /// CPU); a list page looks up and keeps 20 cards, each under the lock.
    private final class Shard: @unchecked Sendable {
        let lock = NSLock()
        var outputs: [Key: [Kept]] = [:]
        var held: [TemplateFields] = []
        var bytes = 0
    }

    private static let shardBits = 4
    private let shards: [Shard]
    /// Bytes kept at most (then outputs are no longer kept; memory stays bounded on large sites),
    /// shared equally by the shards.
    let budget: Int
    private let shardBudget: Int

    init(budget: Int = 48 << 20, capacity: Int = 0) {
        self.budget = budget
        let count = 1 << Self.shardBits
        shardBudget = budget / count
        shards = (0..<count).map { _ in
            let shard = Shard()
            shard.outputs.reserveCapacity(capacity / count + 1)
            return shard
        }
    }

    private func shard(_ key: Key) -> Shard {
        // Objects are 16-byte aligned; bits above that spread neighbouring allocations.
        let address = UInt(bitPattern: key.object)
        return shards[Int(truncatingIfNeeded: (address >> 4) ^ (address >> 12)) & (shards.count - 1)]
    }

    /// The output kept for `key` whose blocks have the overrides `overrides` has now.
    func output(for key: Key, overrides: [(start: Int32, end: Int32)]) -> [UInt8]? {
        let shard = shard(key)
        shard.lock.lock()
        defer { shard.lock.unlock() }
        guard let candidates = shard.outputs[key] else { return nil }
        for kept in candidates where kept.blocks.allSatisfy({ state in
            let current = overrides[Int(state.block)]
            return current.start == state.start && current.end == state.end
        }) {
            return kept.output
        }
        return nil
    }

    func keep(_ output: [UInt8], for key: Key, blocks: [BlockState], holding item: TemplateFields) {
        let shard = shard(key)
        shard.lock.lock()
        defer { shard.lock.unlock() }
        guard shard.bytes + output.count <= shardBudget else { return }
        if shard.outputs[key]?.contains(where: { $0.blocks == blocks }) == true { return }
        shard.outputs[key, default: []].append(Kept(blocks: blocks, output: output))
        shard.held.append(item)
        shard.bytes += output.count
    }

    /// Outputs kept (for tests).
    var count: Int {
        shards.reduce(0) { total, shard in
            shard.lock.lock()
            defer { shard.lock.unlock() }
            return total + shard.outputs.values.reduce(0) { $0 + $1.count }
        }
    }
}
