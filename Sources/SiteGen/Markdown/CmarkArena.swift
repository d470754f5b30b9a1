import CCmarkGFM
import CSiteGenSupport

/// A per-thread bump allocator for cmark: one document's parser, nodes, literals and rendered HTML
/// come from it, and `reset()` releases them at once after the document is done.
///
/// cmark allocates every node and buffer separately with calloc/realloc and frees them one by one;
/// glibc's malloc bookkeeping for that (`_int_malloc`, `unlink_chunk`, `malloc_consolidate`, …) was
/// over a quarter of the parse stage's CPU. cmark's `cmark_mem` callbacks take no context, so each
/// thread finds its arena in a C thread-local (`cmark_arena.c`; through a pthread key from Swift the
/// lookup cost more than the allocation). A render never suspends, so it stays on one thread from
/// start to reset.
enum CmarkArena {
    /// The allocator to hand to cmark (`cmark_parser_new_with_mem`, `cmark_node_new_with_mem`).
    nonisolated(unsafe) static let mem: UnsafeMutablePointer<cmark_mem> = {
        let mem = UnsafeMutablePointer<cmark_mem>.allocate(capacity: 1)
        mem.initialize(to: cmark_mem(calloc: sitegen_arena_calloc, realloc: sitegen_arena_realloc,
                                     free: sitegen_arena_free))
        return mem
    }()

    /// Releases everything allocated on this thread since the last reset. Call only when no pointer
    /// into the arena is in use any more.
    static func reset() { sitegen_arena_reset() }
}
