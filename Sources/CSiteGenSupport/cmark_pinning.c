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
 *
 * One character is the exception: `w`, with which the autolink extension looks for `www.` links.
 * The inline parser ends a text node at every special character, and `w` is a common letter: with
 * it in the table, every `w` of a document split its text, and cmark then joined the pieces again
 * (parsing and rendering 3,000 generated articles took 8% longer). So sitegen gives documents
 * without `www.` an autolink extension without `w` (`MarkdownRenderer.extensions(for:)`), and `w`
 * stays in the table only while a document whose extensions have it is being parsed: such parses
 * are counted (`www_users`), and the last one to finish takes `w` out again through a parser that
 * has only `w` (`sitegen_cmark_track_www`). Adding and removing `w` happen under one lock, so a
 * document that needs it never parses without it.
 */
#define _GNU_SOURCE
#include "sitegen_support.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct cmark_parser;
typedef void (*manage_function)(struct cmark_parser *, int);
/* cmark-gfm's list node (cmark-gfm-extension_api.h), as `cmark_parser_get_syntax_extensions` returns it. */
typedef struct sitegen_llist { struct sitegen_llist *next; void *data; } sitegen_llist;
typedef sitegen_llist *(*extensions_function)(struct cmark_parser *);

static _Atomic(manage_function) library_manage = NULL;
static atomic_long pinned_adds = 0;

/* Set once by `sitegen_cmark_track_www`, before any parse that uses them. */
static void *www_extensions[2] = {NULL, NULL};
static struct cmark_parser *www_remover = NULL;
static extensions_function parser_extensions = NULL;
static pthread_mutex_t www_lock = PTHREAD_MUTEX_INITIALIZER;
static long www_users = 0;

void sitegen_cmark_track_www(void *first, void *second, struct cmark_parser *remover) {
    parser_extensions = (extensions_function)dlsym(RTLD_DEFAULT, "cmark_parser_get_syntax_extensions");
    www_extensions[0] = first;
    www_extensions[1] = second;
    www_remover = parser_extensions ? remover : NULL;
}

/* Whether `parser` has one of the autolink extensions with `w` attached. */
static bool uses_www(struct cmark_parser *parser) {
    if (www_remover == NULL) return false;
    for (sitegen_llist *item = parser_extensions(parser); item; item = item->next) {
        if (item->data == www_extensions[0] || item->data == www_extensions[1]) return true;
    }
    return false;
}

void cmark_manage_extensions_special_characters(struct cmark_parser *parser, int add) {
    manage_function manage = atomic_load_explicit(&library_manage, memory_order_acquire);
    if (manage == NULL) {
        manage = (manage_function)dlsym(RTLD_NEXT, "cmark_manage_extensions_special_characters");
        if (manage == NULL) return;  /* no library function: nothing is counted, callers keep the lock */
        atomic_store_explicit(&library_manage, manage, memory_order_release);
    }
    bool www = uses_www(parser);
    if (!add) {  /* the characters stay (see above), all but `w` once its last user is done */
        if (!www) return;
        pthread_mutex_lock(&www_lock);
        if (--www_users == 0) manage(www_remover, 0);
        pthread_mutex_unlock(&www_lock);
        return;
    }
    if (www) {
        pthread_mutex_lock(&www_lock);
        manage(parser, 1);
        www_users += 1;
        pthread_mutex_unlock(&www_lock);
    } else {
        manage(parser, 1);
    }
    atomic_fetch_add_explicit(&pinned_adds, 1, memory_order_relaxed);
}

long sitegen_cmark_pinned_adds(void) {
    return atomic_load_explicit(&pinned_adds, memory_order_relaxed);
}
