#ifndef SITEGEN_SUPPORT_H
#define SITEGEN_SUPPORT_H

#include <stddef.h>

/// Atomically exchanges two paths (Linux renameat2 RENAME_EXCHANGE).
/// Returns 0 on success, -1 with errno set otherwise (e.g. ENOSYS, EINVAL on file systems without support).
int sitegen_exchange_paths(const char *a, const char *b);

/// Installs SIGINT and SIGTERM handlers that write the signal number as one byte to `fd` (the write
/// end of a pipe) and do nothing else, so that a thread reading the pipe can clean up and exit.
void sitegen_catch_interrupts(int fd);

/// Restores the default action of SIGINT and SIGTERM.
void sitegen_default_interrupts(void);

/// How many times cmark-gfm asked to add its extensions' special characters through sitegen's
/// replacement of `cmark_manage_extensions_special_characters` (cmark_pinning.c), which never removes
/// them. Zero after a parse means the replacement is not in force and `cmark_parser_finish` must be
/// serialized.
long sitegen_cmark_pinned_adds(void);

/// cmark's allocator callbacks over a per-thread bump arena (cmark_arena.c): everything allocated on a
/// thread since its last `sitegen_arena_reset` is released by that reset. Pointers the arena did not
/// hand out are passed to libc.
void *sitegen_arena_calloc(size_t count, size_t size);
void *sitegen_arena_realloc(void *pointer, size_t size);
void sitegen_arena_free(void *pointer);
/// Releases everything this thread's arena handed out; call only when none of it is in use.
void sitegen_arena_reset(void);

#endif
