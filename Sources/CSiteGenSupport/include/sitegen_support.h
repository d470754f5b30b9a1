#ifndef SITEGEN_SUPPORT_H
#define SITEGEN_SUPPORT_H

#include <stddef.h>

/// Atomically exchanges two paths (Linux renameat2 RENAME_EXCHANGE).
/// Returns 0 on success, -1 with errno set otherwise (e.g. ENOSYS, EINVAL on file systems without support).
int sitegen_exchange_paths(const char *a, const char *b);

/// Installs SIGINT and SIGTERM handlers that write the signal number as one byte to `fd` (the write
/// end of a pipe) and do nothing else, so that a thread reading the pipe can clean up and exit.
void sitegen_catch_interrupts(int fd);

/// What of cmark-gfm a Markdown text can need (`MarkdownRenderer.extensions(for:)`, `parseOptions`),
/// found in one pass (SSE2 where there is SSE2): `SITEGEN_NEEDS_EMAIL` if it has '@' or '&' (e-mail
/// links, also from character references), `SITEGEN_NEEDS_WWW` if it has "www.", `SITEGEN_NEEDS_FOOTNOTES`
/// if it has "[^" (footnote references and definitions start so).
enum { SITEGEN_NEEDS_EMAIL = 1, SITEGEN_NEEDS_WWW = 2, SITEGEN_NEEDS_FOOTNOTES = 4 };
int sitegen_autolink_needs(const unsigned char *text, size_t count);

/// Escapes text (UTF-8) for HTML text and quoted attributes (`xml` 0: `& < > " '`), or for XML (`xml` 1:
/// the same, `'` as `&apos;`, and characters XML 1.0 does not allow dropped: controls other than tab,
/// newline and return, DEL, U+FFFE and U+FFFF), or for the inside of an XML CDATA section
/// (`SITEGEN_ESCAPE_CDATA`: those characters dropped, `]]>` split across two sections, the rest as it
/// is). Writes into `out` (room for `capacity` bytes, at least 30) until the input ends or the next
/// step might not fit (it never writes past `capacity`); returns the bytes written, and in `consumed` the
/// input bytes done. Clean runs go 16 bytes at a time where there is SSE2.
enum { SITEGEN_ESCAPE_CDATA = 2 };
size_t sitegen_escape(const unsigned char *text, size_t count, int xml, unsigned char *out, size_t capacity,
                      size_t *consumed);

/// Runs of bytes other than space, tab and newline in `text` (16 bytes a step with SSE2).
size_t sitegen_count_words(const unsigned char *text, size_t count);

/// Restores the default action of SIGINT and SIGTERM.
void sitegen_default_interrupts(void);

/// How many times cmark-gfm asked to add its extensions' special characters through sitegen's
/// replacement of `cmark_manage_extensions_special_characters` (cmark_pinning.c), which never removes
/// them. Zero after a parse means the replacement is not in force and `cmark_parser_finish` must be
/// serialized.
long sitegen_cmark_pinned_adds(void);

struct cmark_parser;
/// Makes the replacement take `w` out of the special characters again once no parse that needs it
/// is running (cmark_pinning.c): `first` and `second` are the autolink extensions that have `w`,
/// `remover` a parser whose only inline extension has `w` as its only special character. Call once,
/// before parsing with those extensions.
void sitegen_cmark_track_www(void *first, void *second, struct cmark_parser *remover);

/// cmark-gfm's own `houdini_escape_html0`, which sitegen's replacement (cmark_pinning.c) takes the place
/// of: `out` is a `cmark_strbuf *`. For tests, which compare the two.
struct cmark_strbuf;
int sitegen_houdini_escape_html0_library(struct cmark_strbuf *out, const unsigned char *text, int size, int secure);
int houdini_escape_html0(struct cmark_strbuf *out, const unsigned char *text, int size, int secure);
/// For tests: `text` escaped by sitegen's `houdini_escape_html0` (`library` 0) or cmark-gfm's (1), as a
/// malloc'd copy of `*length` bytes (free it); NULL if cmark's buffer functions cannot be found.
unsigned char *sitegen_test_houdini(const unsigned char *text, int size, int secure, int library, size_t *length);

/// cmark's allocator callbacks over a per-thread bump arena (cmark_arena.c): everything allocated on a
/// thread since its last `sitegen_arena_reset` is released by that reset. Pointers the arena did not
/// hand out are passed to libc.
void *sitegen_arena_calloc(size_t count, size_t size);
void *sitegen_arena_realloc(void *pointer, size_t size);
void sitegen_arena_free(void *pointer);
/// Releases everything this thread's arena handed out; call only when none of it is in use.
void sitegen_arena_reset(void);

/// For the 64 bytes at `p`: one bit a byte (byte k -> bit k) for ASCII letters and digits (`words`),
/// and for bytes that are not ASCII or are an apostrophe (`special`). SSE2 (every x86-64) classifies
/// 16 bytes an instruction; elsewhere the same tests run a byte at a time. Inlined into Swift.
typedef struct {
    unsigned long long words;
    unsigned long long special;
} sitegen_window_bits;

#if defined(__SSE2__)
#include <emmintrin.h>
static inline sitegen_window_bits sitegen_classify64(const unsigned char *p) {
    sitegen_window_bits bits = {0, 0};
    for (int k = 0; k < 4; k++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(p + 16 * k));
        /* Signed compares: bytes >= 0x80 are negative, so never in a range below. */
        __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
        __m128i lower = _mm_or_si128(x, _mm_set1_epi8(0x20));
        __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
                                       _mm_cmplt_epi8(lower, _mm_set1_epi8('z' + 1)));
        unsigned long long words = (unsigned)_mm_movemask_epi8(_mm_or_si128(digit, letter));
        unsigned long long special = (unsigned)_mm_movemask_epi8(_mm_or_si128(x, _mm_cmpeq_epi8(x, _mm_set1_epi8('\''))));
        bits.words |= words << (16 * k);
        bits.special |= special << (16 * k);
    }
    return bits;
}
#else
static inline sitegen_window_bits sitegen_classify64(const unsigned char *p) {
    sitegen_window_bits bits = {0, 0};
    for (int k = 0; k < 64; k++) {
        unsigned char byte = p[k];
        if ((unsigned char)(byte - '0') < 10 || (unsigned char)((byte | 0x20) - 'a') < 26) bits.words |= 1ULL << k;
        if (byte >= 0x80 || byte == '\'') bits.special |= 1ULL << k;
    }
    return bits;
}
#endif

/// The file of the library whose `malloc` the process uses (dlsym + dladdr), or NULL.
const char *sitegen_malloc_library(void);

/// The length of the run at the start of `text` with no byte JSON text may need to escape (controls,
/// `"`, `\\`, `<`, `>`, `&`) and no 0xE2 (which starts U+2028 and U+2029, and other characters): the bytes
/// `JSONText` copies as they are, found 16 at a time with SSE2.
size_t sitegen_json_clean_run(const unsigned char *text, size_t count);

struct cmark_node;
/// One heading found by `sitegen_walk_run`: its node, level, and where its text lies in the walk's text.
typedef struct {
    struct cmark_node *node;
    int level;
    size_t start;
    size_t end;
} sitegen_walk_heading;

/// What `sitegen_walk_run` collects from a parsed document (TreeWalk.swift): the plain text (text nodes'
/// and code's literals; a space for breaks and after table cells; a newline after blocks), the range of
/// the first top-level paragraph's text (-1 if none), the headings, the link and image nodes (only when
/// asked), and whether any list item is a task item. Buffers are malloc'd: `sitegen_walk_free`.
typedef struct {
    unsigned char *text;
    size_t length;
    size_t capacity;
    long first_paragraph_start;
    long first_paragraph_end;
    sitegen_walk_heading *headings;
    size_t heading_count;
    size_t heading_capacity;
    struct cmark_node **links;
    size_t link_count;
    size_t link_capacity;
    int has_task_items;
} sitegen_walk;

/// Walks the tree under `root` through cmark-gfm's node layout (tree_walk.c), in the order of cmark's
/// iterator. `table_cell`, `table_row`: the table extension's node types (0 if
/// none); `capacity`: room to reserve for the text.
void sitegen_walk_run(sitegen_walk *walk, struct cmark_node *root, int table_cell, int table_row,
                      int collect_links, size_t capacity);
void sitegen_walk_free(sitegen_walk *walk);

/// sitegen's replacement of cmark-gfm's `cmark_consolidate_text_nodes` (consolidate.c): `on` 1 joins text
/// nodes in one pass over the tree, 0 (the default) leaves it to the library's own function.
void sitegen_consolidate_direct(int on);
/// For the calling thread only: `mode` 0 the library's join, 1 the one pass, -1 as `sitegen_consolidate_direct` says.
void sitegen_consolidate_this_thread(int mode);
/// How many documents the one-pass join has run on (zero after a parse: the replacement is not in force).
long sitegen_consolidate_direct_runs(void);

#endif
