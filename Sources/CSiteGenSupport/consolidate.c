/*
 * cmark-gfm's `cmark_parser_finish` joins adjacent text nodes before it returns the document
 * (`cmark_consolidate_text_nodes`). There are many: the inline parser ends a text node at every
 * special character, and with smart punctuation '.', '-', '\'' and '"' are special, so a paragraph of
 * prose arrives in dozens of pieces. The library joins each run through its iterator and a growing
 * buffer, and frees every joined node through the allocator: ~3.4% of a 10k-article build's CPU.
 *
 * The library calls the function through its PLT (like the ones cmark_pinning.c replaces), so this
 * definition takes its place. It does the same in one pass over the node pointers: each run is measured,
 * then copied once into one allocation from the document's allocator; the joined nodes are unlinked and
 * freed as `cmark_node_free` frees them, except that a plain text node from sitegen's arena
 * (cmark_arena.c) is only unlinked: the arena's reset reclaims its memory, and handing it back one block
 * at a time was most of the library's cost. The node layout comes from the headers of the installed
 * library (libcmark-gfm-dev ships node.h and chunk.h), as in tree_walk.c.
 *
 * Off until `sitegen_consolidate_direct(1)`: until then, and whenever it is off, the library's own function
 * (dlsym(RTLD_NEXT)) runs. sitegen turns it on only after a probe document came out of both as the same
 * tree (`MarkdownRenderer.directConsolidation`); the probe and the tests pick one or the other for
 * their own thread (`sitegen_consolidate_this_thread`).
 */
#define _GNU_SOURCE
#include "sitegen_support.h"
#include <cmark-gfm/node.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef void (*consolidate_function)(cmark_node *);

static _Atomic(consolidate_function) library_consolidate = NULL;
static atomic_int direct = 0;
static atomic_long direct_runs = 0;
/* -1: as `direct` says; 0: the library's join; 1: the one pass (the probe and tests, on their thread). */
static __thread int thread_mode = -1;

void sitegen_consolidate_direct(int on) { atomic_store(&direct, on ? 1 : 0); }

void sitegen_consolidate_this_thread(int mode) { thread_mode = mode < 0 ? -1 : (mode ? 1 : 0); }

long sitegen_consolidate_direct_runs(void) { return atomic_load(&direct_runs); }

/* The node types cmark's iterator does not descend into (iterator.c's S_is_leaf). */
static int is_leaf(const cmark_node *node) {
    switch (node->type) {
    case CMARK_NODE_HTML_BLOCK:
    case CMARK_NODE_THEMATIC_BREAK:
    case CMARK_NODE_CODE_BLOCK:
    case CMARK_NODE_TEXT:
    case CMARK_NODE_SOFTBREAK:
    case CMARK_NODE_LINEBREAK:
    case CMARK_NODE_CODE:
    case CMARK_NODE_HTML_INLINE:
        return 1;
    default:
        return 0;
    }
}

/* Takes a joined node out of the tree and frees it. */
static void release(cmark_node *node) {
    cmark_mem *mem = node->content.mem;
    int plain = node->first_child == NULL && node->user_data_free_func == NULL && node->extension == NULL
                && node->content.asize == 0;
    if (!plain || mem->free != sitegen_arena_free) {
        cmark_node_free(node);  /* unlinks it too */
        return;
    }
    if (node->prev) node->prev->next = node->next;
    if (node->next) node->next->prev = node->prev;
    cmark_node *parent = node->parent;
    if (parent) {
        if (parent->first_child == node) parent->first_child = node->next;
        if (parent->last_child == node) parent->last_child = node->prev;
    }
}

/* Joins `first` and the text nodes that follow it into `first`. */
static void join_run(cmark_node *first) {
    cmark_mem *mem = first->content.mem;
    size_t total = (size_t)first->as.literal.len;
    for (cmark_node *node = first->next; node && node->type == CMARK_NODE_TEXT; node = node->next) {
        total += (size_t)node->as.literal.len;
    }
    if (total >= (size_t)INT_MAX / 2) abort();  /* cmark's own buffers stop at the same bound */
    unsigned char *data = mem->realloc(NULL, total + 1);
    size_t at = 0;
    if (first->as.literal.len > 0) {
        memcpy(data, first->as.literal.data, (size_t)first->as.literal.len);
        at = (size_t)first->as.literal.len;
    }
    cmark_node *node = first->next;
    while (node && node->type == CMARK_NODE_TEXT) {
        if (node->as.literal.len > 0) {
            memcpy(data + at, node->as.literal.data, (size_t)node->as.literal.len);
            at += (size_t)node->as.literal.len;
        }
        first->end_column = node->end_column;
        cmark_node *next = node->next;
        release(node);
        node = next;
    }
    data[total] = 0;
    cmark_chunk_free(mem, &first->as.literal);
    first->as.literal.data = data;
    first->as.literal.len = (bufsize_t)total;
    first->as.literal.alloc = 1;
}

static void join_all(cmark_node *root) {
    cmark_node *node = root;
    for (;;) {
        if (node->type == CMARK_NODE_TEXT && node->next && node->next->type == CMARK_NODE_TEXT) join_run(node);
        if (node->first_child && !is_leaf(node)) {
            node = node->first_child;
            continue;
        }
        while (node != root && node->next == NULL) node = node->parent;
        if (node == root) return;
        node = node->next;
    }
}

void cmark_consolidate_text_nodes(cmark_node *root) {
    if (root == NULL) return;
    int mode = thread_mode >= 0 ? thread_mode : atomic_load_explicit(&direct, memory_order_relaxed);
    if (!mode) {
        consolidate_function library = atomic_load_explicit(&library_consolidate, memory_order_acquire);
        if (library == NULL) {
            library = (consolidate_function)dlsym(RTLD_NEXT, "cmark_consolidate_text_nodes");
            if (library) atomic_store_explicit(&library_consolidate, library, memory_order_release);
        }
        if (library) {
            library(root);
            return;
        }
    }
    atomic_fetch_add_explicit(&direct_runs, 1, memory_order_relaxed);
    join_all(root);
}
