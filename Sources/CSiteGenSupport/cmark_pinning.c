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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

/*
 * cmark-gfm's HTML renderer escapes every text through `houdini_escape_html0`, which it calls
 * through its PLT, and which tests a byte at a time against a table (2.3% of a 10k build's samples).
 * The definition below takes its place for the renderer's case (`secure` 0: `& < > "` escaped,
 * everything else copied) and finds the next byte to escape 16 bytes at a time with SSE2; with
 * `secure`, or without SSE2, the library's own function does the work. A test compares the two on
 * every byte value (`sitegen_houdini_escape_html0_library`).
 */
typedef struct cmark_strbuf cmark_strbuf;
typedef int (*escape_function)(cmark_strbuf *, const unsigned char *, int32_t, int);
typedef void (*put_function)(cmark_strbuf *, const unsigned char *, int32_t);

static _Atomic(escape_function) library_escape = NULL;
static _Atomic(put_function) library_put = NULL;

static escape_function library_escape_function(void) {
    escape_function escape = atomic_load_explicit(&library_escape, memory_order_acquire);
    if (escape == NULL) {
        escape = (escape_function)dlsym(RTLD_NEXT, "houdini_escape_html0");
        atomic_store_explicit(&library_escape, escape, memory_order_release);
    }
    return escape;
}

int sitegen_houdini_escape_html0_library(cmark_strbuf *out, const unsigned char *text, int32_t size, int secure) {
    escape_function escape = library_escape_function();
    return escape ? escape(out, text, size, secure) : 0;
}

int houdini_escape_html0(cmark_strbuf *out, const unsigned char *text, int32_t size, int secure) {
    put_function put = atomic_load_explicit(&library_put, memory_order_acquire);
    if (put == NULL) {
        put = (put_function)dlsym(RTLD_DEFAULT, "cmark_strbuf_put");
        atomic_store_explicit(&library_put, put, memory_order_release);
    }
#if defined(__SSE2__)
    if (!secure && put != NULL && size >= 0) {
        const __m128i amp = _mm_set1_epi8('&'), lt = _mm_set1_epi8('<'), gt = _mm_set1_epi8('>'),
                      quote = _mm_set1_epi8('"');
        int32_t index = 0;
        while (index < size) {
            int32_t start = index;
            for (;;) {
                if (index + 16 <= size) {
                    __m128i x = _mm_loadu_si128((const __m128i *)(text + index));
                    unsigned found = (unsigned)_mm_movemask_epi8(_mm_or_si128(
                        _mm_or_si128(_mm_cmpeq_epi8(x, amp), _mm_cmpeq_epi8(x, lt)),
                        _mm_or_si128(_mm_cmpeq_epi8(x, gt), _mm_cmpeq_epi8(x, quote))));
                    if (found == 0) { index += 16; continue; }
                    index += (int32_t)__builtin_ctz(found);
                    break;
                }
                while (index < size && text[index] != '&' && text[index] != '<' && text[index] != '>'
                       && text[index] != '"') index++;
                break;
            }
            if (index > start) put(out, text + start, index - start);
            if (index >= size) break;
            switch (text[index]) {
            case '&': put(out, (const unsigned char *)"&amp;", 5); break;
            case '<': put(out, (const unsigned char *)"&lt;", 4); break;
            case '>': put(out, (const unsigned char *)"&gt;", 4); break;
            default: put(out, (const unsigned char *)"&quot;", 6); break;
            }
            index++;
        }
        return 1;
    }
#endif
    return sitegen_houdini_escape_html0_library(out, text, size, secure);
}

/* cmark-gfm's strbuf (buffer.h, not among the headers sitegen's module imports). */
struct cmark_strbuf { void *mem; unsigned char *ptr; int32_t asize, size; };

unsigned char *sitegen_test_houdini(const unsigned char *text, int size, int secure, int library, size_t *length) {
    typedef void *(*allocator_function)(void);
    typedef void (*init_function)(void *, cmark_strbuf *, int32_t);
    typedef void (*free_function)(cmark_strbuf *);
    allocator_function allocator = (allocator_function)dlsym(RTLD_DEFAULT, "cmark_get_default_mem_allocator");
    init_function init = (init_function)dlsym(RTLD_DEFAULT, "cmark_strbuf_init");
    free_function release = (free_function)dlsym(RTLD_DEFAULT, "cmark_strbuf_free");
    if (!allocator || !init || !release) return NULL;
    cmark_strbuf buffer;
    init(allocator(), &buffer, 0);
    if (library) sitegen_houdini_escape_html0_library(&buffer, text, size, secure);
    else houdini_escape_html0(&buffer, text, size, secure);
    unsigned char *copy = malloc(buffer.size > 0 ? (size_t)buffer.size : 1);
    if (copy && buffer.size > 0) memcpy(copy, buffer.ptr, (size_t)buffer.size);
    *length = (size_t)buffer.size;
    release(&buffer);
    return copy;
}
