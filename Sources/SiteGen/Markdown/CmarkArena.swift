import CCmarkGFM
import Foundation

/// A per-thread bump allocator for cmark: one document's parser, nodes, literals and rendered HTML
/// come from it, and `reset()` releases them at once after the document is done.
///
/// cmark allocates every node and buffer separately with calloc/realloc and frees them one by one;
/// glibc's malloc bookkeeping for that (`_int_malloc`, `unlink_chunk`, `malloc_consolidate`, …) was
/// over a quarter of the parse stage's CPU, much of it inside `cmark_parser_finish`, which runs under
/// `MarkdownRenderer.parseLock`. cmark's `cmark_mem` callbacks take no context, so the arena is found
/// through a pthread key; a render never suspends, so it stays on one thread from start to reset.
///
/// Blocks carry their size in a 16-byte header (realloc must copy). A pointer the arena did not hand
/// out (should cmark ever pass one) is given to libc's realloc/free instead.
enum CmarkArena {
    /// Chunk layout: [previous chunk pointer, capacity] then blocks of [size, unused] + data.
    private static let chunkHeader = 16
    private static let blockHeader = 16
    private static let standardChunk = 512 * 1024

    private struct State {
        var chunk: UnsafeMutableRawPointer  // newest chunk; older ones are chained through its header
        var capacity: Int
        var used: Int
        var last: Int  // offset of the newest block in `chunk`, or -1
    }

    /// `key`, copied where reading it needs no lazy-initialization check (a constant initial value is
    /// laid out statically; `swift_once` on every cmark allocation was ~0.7% of a build). Set by `mem`,
    /// which every parse obtains before cmark allocates anything.
    private nonisolated(unsafe) static var readyKey: pthread_key_t = 0
    private nonisolated(unsafe) static var keyIsReady = false

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { pointer in
            guard let pointer else { return }
            let state = pointer.assumingMemoryBound(to: State.self)
            CmarkArena.freeChunks(from: state.pointee.chunk)
            state.deallocate()
        }
        precondition(status == 0, "pthread_key_create failed")
        return key
    }()

    /// The allocator to hand to cmark (`cmark_parser_new_with_mem`, `cmark_node_new_with_mem`).
    nonisolated(unsafe) static let mem: UnsafeMutablePointer<cmark_mem> = {
        readyKey = key
        keyIsReady = true
        let mem = UnsafeMutablePointer<cmark_mem>.allocate(capacity: 1)
        mem.initialize(to: cmark_mem(
            calloc: { count, size in CmarkArena.calloc(count, size) },
            realloc: { pointer, size in CmarkArena.realloc(pointer, size) },
            free: { pointer in CmarkArena.free(pointer) }))
        return mem
    }()

    /// This thread's arena, created on first use.
    private static func state() -> UnsafeMutablePointer<State> {
        let key = keyIsReady ? readyKey : self.key
        if let existing = pthread_getspecific(key) { return existing.assumingMemoryBound(to: State.self) }
        let state = UnsafeMutablePointer<State>.allocate(capacity: 1)
        state.initialize(to: State(chunk: newChunk(standardChunk, previous: nil), capacity: standardChunk,
                                   used: chunkHeader, last: -1))
        pthread_setspecific(key, state)
        return state
    }

    private static func newChunk(_ capacity: Int, previous: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer {
        guard let chunk = Glibc.malloc(capacity) else { fatalError("out of memory") }
        chunk.storeBytes(of: previous, as: UnsafeMutableRawPointer?.self)
        chunk.storeBytes(of: capacity, toByteOffset: 8, as: Int.self)
        return chunk
    }

    private static func freeChunks(from chunk: UnsafeMutableRawPointer?) {
        var next = chunk
        while let chunk = next {
            next = chunk.load(as: UnsafeMutableRawPointer?.self)
            Glibc.free(chunk)
        }
    }

    /// Releases everything allocated on this thread since the last reset. Call only when no pointer
    /// into the arena is in use any more.
    static func reset() {
        let state = state()
        let previous = state.pointee.chunk.load(as: UnsafeMutableRawPointer?.self)
        freeChunks(from: previous)
        if state.pointee.capacity > standardChunk * 4 {  // an oversized document: do not keep its chunk
            Glibc.free(state.pointee.chunk)
            state.pointee.chunk = newChunk(standardChunk, previous: nil)
            state.pointee.capacity = standardChunk
        } else {
            state.pointee.chunk.storeBytes(of: nil, as: UnsafeMutableRawPointer?.self)
        }
        state.pointee.used = chunkHeader
        state.pointee.last = -1
    }

    private static func allocate(_ size: Int) -> UnsafeMutableRawPointer? {
        let state = state()
        let need = (size + blockHeader + 15) & ~15
        if state.pointee.used + need > state.pointee.capacity {
            let capacity = max(standardChunk, need + chunkHeader)
            state.pointee.chunk = newChunk(capacity, previous: state.pointee.chunk)
            state.pointee.capacity = capacity
            state.pointee.used = chunkHeader
        }
        let offset = state.pointee.used
        let block = state.pointee.chunk + offset
        block.storeBytes(of: size, as: Int.self)
        state.pointee.used = offset + need
        state.pointee.last = offset
        return block + blockHeader
    }

    /// Whether `pointer` lies in one of the chunks of `state`.
    private static func owns(_ pointer: UnsafeMutableRawPointer, _ state: UnsafeMutablePointer<State>) -> Bool {
        var next: UnsafeMutableRawPointer? = state.pointee.chunk
        while let chunk = next {
            let capacity = chunk.load(fromByteOffset: 8, as: Int.self)
            if pointer > chunk && pointer < chunk + capacity { return true }
            next = chunk.load(as: UnsafeMutableRawPointer?.self)
        }
        return false
    }

    static func calloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? {
        let (total, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow, let pointer = allocate(total) else { return nil }
        memset(pointer, 0, total)
        return pointer
    }

    static func realloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        guard let pointer else { return allocate(size) }
        let state = state()
        guard owns(pointer, state) else { return Glibc.realloc(pointer, size) }
        let block = pointer - blockHeader
        let oldSize = block.load(as: Int.self)
        // The newest block of the current chunk grows in place when there is room (string buffers).
        if block == state.pointee.chunk + state.pointee.last {
            let need = (size + blockHeader + 15) & ~15
            if state.pointee.last + need <= state.pointee.capacity {
                block.storeBytes(of: size, as: Int.self)
                state.pointee.used = state.pointee.last + need
                return pointer
            }
        }
        guard let moved = allocate(size) else { return nil }
        memcpy(moved, pointer, min(oldSize, size))
        return moved
    }

    static func free(_ pointer: UnsafeMutableRawPointer?) {
        guard let pointer else { return }
        let state = state()
        guard owns(pointer, state) else { return Glibc.free(pointer) }
        // Memory is reclaimed by reset(); only the newest block is handed back at once.
        if pointer - blockHeader == state.pointee.chunk + state.pointee.last {
            state.pointee.used = state.pointee.last
            state.pointee.last = -1
        }
    }
}
