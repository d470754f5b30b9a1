/*
 * A per-thread bump allocator for cmark (see CmarkArena.swift for why). Written in C so that each of
 * cmark's many small allocations finds its thread's arena with one thread-local load: looking it up
 * through a pthread key from Swift cost more than the allocation itself.
 *
 * Chunk layout: [previous chunk pointer, capacity] then blocks of [size, unused] + data, 16-byte
 * aligned. Blocks carry their size because realloc must copy. A pointer the arena did not hand out
 * goes to libc's realloc/free.
 */
#include "sitegen_support.h"
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { CHUNK_HEADER = 16, BLOCK_HEADER = 16, STANDARD_CHUNK = 512 * 1024 };

typedef struct {
    char *chunk;      /* newest chunk; older ones are chained through its header */
    size_t capacity;
    size_t used;
    ptrdiff_t last;   /* offset of the newest block in `chunk`, or -1 */
} arena_state;

static __thread arena_state *current;
static pthread_key_t cleanup_key;
static pthread_once_t cleanup_once = PTHREAD_ONCE_INIT;

static void free_chunks(char *chunk) {
    while (chunk) {
        char *previous = *(char **)chunk;
        free(chunk);
        chunk = previous;
    }
}

static void on_thread_exit(void *pointer) {
    arena_state *state = pointer;
    free_chunks(state->chunk);
    free(state);
}

static void make_cleanup_key(void) { pthread_key_create(&cleanup_key, on_thread_exit); }

static char *new_chunk(size_t capacity, char *previous) {
    char *chunk = malloc(capacity);
    if (!chunk) abort();
    *(char **)chunk = previous;
    *(size_t *)(chunk + 8) = capacity;
    return chunk;
}

static arena_state *state(void) {
    arena_state *s = current;
    if (__builtin_expect(s != NULL, 1)) return s;
    s = malloc(sizeof *s);
    if (!s) abort();
    s->chunk = new_chunk(STANDARD_CHUNK, NULL);
    s->capacity = STANDARD_CHUNK;
    s->used = CHUNK_HEADER;
    s->last = -1;
    pthread_once(&cleanup_once, make_cleanup_key);
    pthread_setspecific(cleanup_key, s);
    current = s;
    return s;
}

static void *allocate(arena_state *s, size_t size) {
    if (size > SIZE_MAX / 2) return NULL;
    size_t need = (size + BLOCK_HEADER + 15) & ~(size_t)15;
    if (s->used + need > s->capacity) {
        size_t capacity = need + CHUNK_HEADER > STANDARD_CHUNK ? need + CHUNK_HEADER : STANDARD_CHUNK;
        s->chunk = new_chunk(capacity, s->chunk);
        s->capacity = capacity;
        s->used = CHUNK_HEADER;
    }
    char *block = s->chunk + s->used;
    *(size_t *)block = size;
    s->last = (ptrdiff_t)s->used;
    s->used += need;
    return block + BLOCK_HEADER;
}

/* Whether `pointer` lies in one of the chunks of `s`. */
static int owns(const arena_state *s, const char *pointer) {
    for (const char *chunk = s->chunk; chunk; chunk = *(char *const *)chunk) {
        size_t capacity = *(const size_t *)(chunk + 8);
        if (pointer > chunk && pointer < chunk + capacity) return 1;
    }
    return 0;
}

void *sitegen_arena_calloc(size_t count, size_t size) {
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) return NULL;
    void *pointer = allocate(state(), total);
    if (pointer) memset(pointer, 0, total);
    return pointer;
}

void *sitegen_arena_realloc(void *pointer, size_t size) {
    arena_state *s = state();
    if (!pointer) return allocate(s, size);
    if (!owns(s, pointer)) return realloc(pointer, size);
    char *block = (char *)pointer - BLOCK_HEADER;
    size_t old_size = *(size_t *)block;
    /* The newest block of the current chunk grows in place when there is room (string buffers). */
    if (s->last >= 0 && block == s->chunk + s->last && size <= SIZE_MAX / 2) {
        size_t need = (size + BLOCK_HEADER + 15) & ~(size_t)15;
        if ((size_t)s->last + need <= s->capacity) {
            *(size_t *)block = size;
            s->used = (size_t)s->last + need;
            return pointer;
        }
    }
    void *moved = allocate(s, size);
    if (moved) memcpy(moved, pointer, old_size < size ? old_size : size);
    return moved;
}

void sitegen_arena_free(void *pointer) {
    if (!pointer) return;
    arena_state *s = state();
    if (!owns(s, pointer)) { free(pointer); return; }
    /* Memory is reclaimed by the reset; only the newest block is handed back at once. */
    if (s->last >= 0 && (char *)pointer - BLOCK_HEADER == s->chunk + s->last) {
        s->used = (size_t)s->last;
        s->last = -1;
    }
}

void sitegen_arena_reset(void) {
    arena_state *s = state();
    free_chunks(*(char **)s->chunk);
    if (s->capacity > (size_t)STANDARD_CHUNK * 4) {  /* an oversized document: do not keep its chunk */
        free(s->chunk);
        s->chunk = new_chunk(STANDARD_CHUNK, NULL);
        s->capacity = STANDARD_CHUNK;
    } else {
        *(char **)s->chunk = NULL;
    }
    s->used = CHUNK_HEADER;
    s->last = -1;
}
