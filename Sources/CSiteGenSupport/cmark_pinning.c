/*
 * cmark-gfm 0.29 keeps the table of characters that start an inline extension's syntax (`~` for
 * strikethrough, `:` and `w` for autolinks) in process-global arrays. `cmark_parser_finish` adds the
 * attached extensions' characters before it parses inlines and removes them afterwards, so one
 * thread finishing a document clears the characters while another is still parsing its inlines,
 * and strikethrough or autolinks go missing from the other's output.
 *
 * The library calls `cmark_manage_extensions_special_characters` through its PLT, so the definition
 * here takes its place: adding goes to the library's own function (found with `dlsym(RTLD_NEXT)`),
 * removing does nothing. Every parser sitegen makes attaches the same extensions, so the characters
 * can stay in the table for the life of the process, and documents can be finished in parallel.
 *
 * Whether the replacement is in force (the linker exported it and the library's calls reach it) is
 * checked at run time: `sitegen_cmark_pinned_adds` counts the calls, and a caller that sees none
 * after a parse must keep serializing `cmark_parser_finish`.
 */
#define _GNU_SOURCE
#include "sitegen_support.h"
#include <dlfcn.h>
#include <stdatomic.h>
#include <stddef.h>

struct cmark_parser;
typedef void (*manage_function)(struct cmark_parser *, int);

static _Atomic(manage_function) library_manage = NULL;
static atomic_long pinned_adds = 0;

void cmark_manage_extensions_special_characters(struct cmark_parser *parser, int add) {
    if (!add) return;  /* the characters stay: see above */
    manage_function manage = atomic_load_explicit(&library_manage, memory_order_acquire);
    if (manage == NULL) {
        manage = (manage_function)dlsym(RTLD_NEXT, "cmark_manage_extensions_special_characters");
        if (manage == NULL) return;  /* no library function: nothing is counted, callers keep the lock */
        atomic_store_explicit(&library_manage, manage, memory_order_release);
    }
    manage(parser, 1);
    atomic_fetch_add_explicit(&pinned_adds, 1, memory_order_relaxed);
}

long sitegen_cmark_pinned_adds(void) {
    return atomic_load_explicit(&pinned_adds, memory_order_relaxed);
}
