#define _GNU_SOURCE
#include "sitegen_support.h"
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif
#endif

int sitegen_exchange_paths(const char *a, const char *b) {
#if defined(__linux__) && defined(SYS_renameat2)
    return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
#else
    errno = ENOSYS;
    return -1;
#endif
}

static volatile sig_atomic_t interrupt_fd = -1;

static void sitegen_on_interrupt(int number) {
    int fd = interrupt_fd;
    if (fd >= 0) {
        unsigned char byte = (unsigned char)number;
        ssize_t written = write(fd, &byte, 1);  /* async-signal-safe */
        (void)written;
    }
}

void sitegen_catch_interrupts(int fd) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = sitegen_on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    interrupt_fd = fd;
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
}

void sitegen_default_interrupts(void) {
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    interrupt_fd = -1;
}

/* Whether "www" ends right before the '.' at `dot` (which is at least 3 bytes into the text). */
static int www_before(const unsigned char *dot) {
    return dot[-1] == 'w' && dot[-2] == 'w' && dot[-3] == 'w';
}

/* Whether the '^' at `caret` follows a '[' (footnote syntax: "[^label]"). */
static int footnote_at(const unsigned char *text, size_t caret) { return caret > 0 && text[caret - 1] == '['; }

int sitegen_autolink_needs(const unsigned char *text, size_t count) {
    const int all = SITEGEN_NEEDS_EMAIL | SITEGEN_NEEDS_WWW | SITEGEN_NEEDS_FOOTNOTES;
    int needs = 0;
    size_t index = 0;
#if defined(__SSE2__)
    const __m128i at = _mm_set1_epi8('@'), amp = _mm_set1_epi8('&'), dot = _mm_set1_epi8('.'),
                  caret = _mm_set1_epi8('^');
    for (; index + 16 <= count && needs != all; index += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(text + index));
        if (_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, at), _mm_cmpeq_epi8(x, amp)))) needs |= SITEGEN_NEEDS_EMAIL;
        /* Dots and carets are rare: each is checked for "www" before it, or '[' before it. */
        unsigned dots = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, dot));
        while (dots) {
            size_t at_dot = index + (size_t)__builtin_ctz(dots);
            if (at_dot >= 3 && www_before(text + at_dot)) needs |= SITEGEN_NEEDS_WWW;
            dots &= dots - 1;
        }
        unsigned carets = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, caret));
        while (carets) {
            if (footnote_at(text, index + (size_t)__builtin_ctz(carets))) needs |= SITEGEN_NEEDS_FOOTNOTES;
            carets &= carets - 1;
        }
    }
#endif
    for (; index < count && needs != all; index++) {
        unsigned char byte = text[index];
        if (byte == '@' || byte == '&') needs |= SITEGEN_NEEDS_EMAIL;
        if (byte == '.' && index >= 3 && www_before(text + index)) needs |= SITEGEN_NEEDS_WWW;
        if (byte == '^' && footnote_at(text, index)) needs |= SITEGEN_NEEDS_FOOTNOTES;
    }
    return needs;
}

#if defined(__SSE2__)
/* 0xFF in each byte of `x` that is a control character (0x00-0x1F). Signed compares: bytes >= 0x80 are
   negative, so they are not. */
static inline __m128i control_bytes(__m128i x) {
    return _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(-1)), _mm_cmplt_epi8(x, _mm_set1_epi8(0x20)));
}

/* One bit a byte (byte k -> bit k) for the bytes of `x` that `sitegen_escape` must look at. */
static inline unsigned escape_mask(__m128i x, int xml) {
    __m128i flagged = xml == SITEGEN_ESCAPE_CDATA ? _mm_cmpeq_epi8(x, _mm_set1_epi8(']')) : _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('&')), _mm_cmpeq_epi8(x, _mm_set1_epi8('<'))),
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('>')), _mm_cmpeq_epi8(x, _mm_set1_epi8('"'))),
                     _mm_cmpeq_epi8(x, _mm_set1_epi8('\''))));
    if (xml) {
        __m128i control = control_bytes(x);
        __m128i allowed = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(9)), _mm_cmpeq_epi8(x, _mm_set1_epi8(10))),
                                       _mm_cmpeq_epi8(x, _mm_set1_epi8(13)));
        flagged = _mm_or_si128(flagged, _mm_andnot_si128(allowed, control));
        flagged = _mm_or_si128(flagged, _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(0x7F)),
                                                     _mm_cmpeq_epi8(x, _mm_set1_epi8((char)0xEF))));
    }
    return (unsigned)_mm_movemask_epi8(flagged);
}
#endif

/* How many bytes the character at `text[index]` takes if XML does not allow it (controls other than tab,
   newline and return, DEL, U+FFFE and U+FFFF: dropped), else 0. */
static size_t not_xml(const unsigned char *text, size_t count, size_t index) {
    unsigned char byte = text[index];
    if ((byte < 0x20 && byte != 9 && byte != 10 && byte != 13) || byte == 0x7F) return 1;
    if (byte == 0xEF && index + 2 < count && text[index + 1] == 0xBF && (text[index + 2] == 0xBE || text[index + 2] == 0xBF)) return 3;
    return 0;
}

/* The index of the first character at or after `index` that XML allows (or `count`). */
static size_t next_kept(const unsigned char *text, size_t count, size_t index) {
    size_t skip;
    while (index < count && (skip = not_xml(text, count, index)) > 0) index += skip;
    return index;
}

#define PUT(entity) do { memcpy(out + written, entity, sizeof(entity) - 1); written += sizeof(entity) - 1; } while (0)

size_t sitegen_escape(const unsigned char *text, size_t count, int xml, unsigned char *out, size_t capacity,
                      size_t *consumed) {
    size_t index = 0, written = 0;
    /* Room for the most one step writes: a clean run of up to 15 bytes, then the longest entity or
       split (15 bytes); or a block of 16. (With room for 16 only, a run then an entity wrote up to 14
       bytes past `capacity`: tcmalloc's free lists were the first to show it.) */
    while (index < count && written + 30 <= capacity) {
#if defined(__SSE2__)
        {
            /* The last bytes (fewer than 16) go through a copy padded with spaces, which no mode flags:
               most texts a page escapes are a few dozen bytes, and a byte-at-a-time tail was most of
               their cost. */
            size_t left = count - index, step = left < 16 ? left : 16;
            __m128i x;
            if (left >= 16) {
                x = _mm_loadu_si128((const __m128i *)(text + index));
            } else {
                unsigned char padded[16];
                memset(padded, ' ', sizeof padded);
                memcpy(padded, text + index, left);
                x = _mm_loadu_si128((const __m128i *)padded);
            }
            unsigned flagged = escape_mask(x, xml);
            _mm_storeu_si128((__m128i *)(out + written), x);  /* the clean bytes before the first flagged one */
            if (flagged == 0) {
                index += step;
                written += step;
                continue;
            }
            unsigned clean = (unsigned)__builtin_ctz(flagged);
            index += clean;
            written += clean;
        }
#endif
        unsigned char byte = text[index++];
        if (xml == SITEGEN_ESCAPE_CDATA) {
            if (byte == ']') {
                /* "]]>" in what is kept (characters dropped in between count as gone) would end the
                   section: it is split across two. */
                size_t second = next_kept(text, count, index);
                size_t third = second < count && text[second] == ']' ? next_kept(text, count, second + 1) : count;
                if (third < count && text[third] == '>') {
                    PUT("]]]]><![CDATA[>");
                    index = third + 1;
                    continue;
                }
                out[written++] = byte;
                continue;
            }
            if (byte == '&' || byte == '<' || byte == '>' || byte == '"' || byte == '\'') {
                out[written++] = byte;  /* taken as they are (the SSE2 path never stops at them) */
                continue;
            }
        }
        switch (byte) {
        case '&': PUT("&amp;"); break;
        case '<': PUT("&lt;"); break;
        case '>': PUT("&gt;"); break;
        case '"': PUT("&quot;"); break;
        case '\'':
            if (xml) PUT("&apos;"); else PUT("&#39;");
            break;
        default:
            if (xml) {
                size_t skip = not_xml(text, count, index - 1);
                if (skip > 0) {  /* dropped */
                    index += skip - 1;
                    break;
                }
            }
            out[written++] = byte;
        }
    }
    *consumed = index;
    return written;
}

size_t sitegen_count_words(const unsigned char *text, size_t count) {
    size_t words = 0, index = 0;
    unsigned space_before = 1;  /* the byte before the text counts as a space */
#if defined(__SSE2__)
    const __m128i blank = _mm_set1_epi8(' '), newline = _mm_set1_epi8('\n'), tab = _mm_set1_epi8('\t');
    for (; index + 16 <= count; index += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(text + index));
        unsigned space = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, blank),
                                                                                  _mm_cmpeq_epi8(x, newline)),
                                                                     _mm_cmpeq_epi8(x, tab)));
        /* A word starts at each byte that is not a space and follows one. */
        unsigned starts = ~space & ((space << 1) | space_before) & 0xFFFF;
        words += (size_t)__builtin_popcount(starts);
        space_before = space >> 15;
    }
#endif
    for (; index < count; index++) {
        unsigned char byte = text[index];
        unsigned space = byte == ' ' || byte == '\n' || byte == '\t';
        words += !space && space_before;
        space_before = space;
    }
    return words;
}

const char *sitegen_malloc_library(void) {
    Dl_info info;
    void *function = dlsym(RTLD_DEFAULT, "malloc");
    if (function == NULL || dladdr(function, &info) == 0) return NULL;
    return info.dli_fname;
}

size_t sitegen_json_clean_run(const unsigned char *text, size_t count) {
    size_t index = 0;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), lt = _mm_set1_epi8('<'),
                  gt = _mm_set1_epi8('>'), amp = _mm_set1_epi8('&'), e2 = _mm_set1_epi8((char)0xE2);
    for (; index + 16 <= count; index += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(text + index));
        __m128i flagged = _mm_or_si128(
            _mm_or_si128(control_bytes(x), _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash))),
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, lt), _mm_cmpeq_epi8(x, gt)),
                         _mm_or_si128(_mm_cmpeq_epi8(x, amp), _mm_cmpeq_epi8(x, e2))));
        unsigned mask = (unsigned)_mm_movemask_epi8(flagged);
        if (mask) return index + (size_t)__builtin_ctz(mask);
    }
#endif
    for (; index < count; index++) {
        unsigned char byte = text[index];
        if (byte < 0x20 || byte == '"' || byte == '\\' || byte == '<' || byte == '>' || byte == '&' || byte == 0xE2)
            return index;
    }
    return count;
}
