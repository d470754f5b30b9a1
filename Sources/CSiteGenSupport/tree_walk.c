/*
 * The plain-text pass over a parsed cmark-gfm tree (TreeWalk.swift), reading the nodes directly.
 *
 * Through cmark's public API the same pass cost an iterator step, a type query and, for every text
 * node, a literal that cmark first copied into a NUL-terminated string and sitegen then measured with
 * strlen: ~3.5% of a 10k-article build. Here the walk follows the nodes' child, sibling and parent
 * pointers and copies each literal's bytes once. The node layout comes from the library's own
 * headers (libcmark-gfm-dev ships node.h); `TreeWalk.directIsFaithful` checks at run time, on a probe
 * document, that this pass agrees with the API-based one, and sitegen falls back to that one if not.
 */
#include "sitegen_support.h"
#include <cmark-gfm/node.h>
#include <stdlib.h>
#include <string.h>

static void *checked_realloc(void *pointer, size_t size) {
    void *grown = realloc(pointer, size);
    if (!grown) abort();
    return grown;
}

static void reserve(sitegen_walk *walk, size_t extra) {
    if (walk->length + extra <= walk->capacity) return;
    size_t capacity = walk->capacity ? walk->capacity : 256;
    while (capacity < walk->length + extra) capacity *= 2;
    walk->text = checked_realloc(walk->text, capacity);
    walk->capacity = capacity;
}

static inline void append_bytes(sitegen_walk *walk, const unsigned char *bytes, size_t count) {
    if (count == 0) return;
    reserve(walk, count);
    memcpy(walk->text + walk->length, bytes, count);
    walk->length += count;
}

static inline void append_byte(sitegen_walk *walk, unsigned char byte) {
    reserve(walk, 1);
    walk->text[walk->length++] = byte;
}

/* A newline, unless the text is empty or already ends with one. */
static inline void newline(sitegen_walk *walk) {
    if (walk->length > 0 && walk->text[walk->length - 1] != '\n') append_byte(walk, '\n');
}

/* The nodes cmark's iterator enters without exiting (`S_is_leaf` in cmark's iterator.c). */
static inline int is_leaf(const cmark_node *node) {
    switch (node->type) {
    case CMARK_NODE_HTML_BLOCK: case CMARK_NODE_THEMATIC_BREAK: case CMARK_NODE_CODE_BLOCK:
    case CMARK_NODE_TEXT: case CMARK_NODE_SOFTBREAK: case CMARK_NODE_LINEBREAK:
    case CMARK_NODE_CODE: case CMARK_NODE_HTML_INLINE:
        return 1;
    default:
        return 0;
    }
}

static inline int is_top_level(const cmark_node *node) {
    return node->parent && node->parent->type == CMARK_NODE_DOCUMENT;
}

typedef struct {
    long heading_start;       /* -1 outside a heading */
    long paragraph_start;     /* -1 unless inside the first top-level paragraph */
    int first_paragraph_done;
    int table_cell, table_row;
    int collect_links;
} walk_state;

static void push_heading(sitegen_walk *walk, cmark_node *node, size_t start, size_t end) {
    if (walk->heading_count == walk->heading_capacity) {
        size_t capacity = walk->heading_capacity ? walk->heading_capacity * 2 : 8;
        walk->headings = checked_realloc(walk->headings, capacity * sizeof *walk->headings);
        walk->heading_capacity = capacity;
    }
    sitegen_walk_heading *heading = &walk->headings[walk->heading_count++];
    heading->node = node;
    heading->level = node->as.heading.level;
    heading->start = start;
    heading->end = end;
}

static void push_link(sitegen_walk *walk, cmark_node *node) {
    if (walk->link_count == walk->link_capacity) {
        size_t capacity = walk->link_capacity ? walk->link_capacity * 2 : 8;
        walk->links = checked_realloc(walk->links, capacity * sizeof *walk->links);
        walk->link_capacity = capacity;
    }
    walk->links[walk->link_count++] = node;
}

static inline void enter(sitegen_walk *walk, walk_state *state, cmark_node *node) {
    switch (node->type) {
    case CMARK_NODE_TEXT: case CMARK_NODE_CODE:
        append_bytes(walk, node->as.literal.data, (size_t)node->as.literal.len);
        break;
    case CMARK_NODE_CODE_BLOCK:
        append_bytes(walk, node->as.code.literal.data, (size_t)node->as.code.literal.len);
        newline(walk);
        break;
    case CMARK_NODE_SOFTBREAK: case CMARK_NODE_LINEBREAK:
        append_byte(walk, ' ');
        break;
    case CMARK_NODE_HEADING:
        state->heading_start = (long)walk->length;
        break;
    case CMARK_NODE_PARAGRAPH:
        if (!state->first_paragraph_done && state->paragraph_start < 0 && is_top_level(node))
            state->paragraph_start = (long)walk->length;
        break;
    case CMARK_NODE_LINK: case CMARK_NODE_IMAGE:
        if (state->collect_links) push_link(walk, node);
        break;
    default:
        break;
    }
}

static inline void leave(sitegen_walk *walk, walk_state *state, cmark_node *node) {
    int type = node->type;
    switch (type) {
    case CMARK_NODE_HEADING: {
        size_t start = state->heading_start >= 0 ? (size_t)state->heading_start : walk->length;
        push_heading(walk, node, start, walk->length);
        state->heading_start = -1;
        newline(walk);
        return;
    }
    case CMARK_NODE_PARAGRAPH:
        if (state->paragraph_start >= 0 && is_top_level(node)) {
            walk->first_paragraph_start = state->paragraph_start;
            walk->first_paragraph_end = (long)walk->length;
            state->first_paragraph_done = 1;
            state->paragraph_start = -1;
        }
        newline(walk);
        return;
    case CMARK_NODE_ITEM:
        if (node->extension) walk->has_task_items = 1;  /* items the tasklist extension claimed */
        newline(walk);
        return;
    case CMARK_NODE_BLOCK_QUOTE:
        newline(walk);
        return;
    default:
        break;
    }
    if (type == state->table_cell) append_byte(walk, ' ');
    else if (type == state->table_row) newline(walk);
}

void sitegen_walk_run(sitegen_walk *walk, struct cmark_node *root, int table_cell, int table_row,
                      int collect_links, size_t capacity) {
    memset(walk, 0, sizeof *walk);
    walk->first_paragraph_start = -1;
    walk->first_paragraph_end = -1;
    if (capacity) reserve(walk, capacity);
    if (!root) return;
    walk_state state = {-1, -1, 0, table_cell, table_row, collect_links};
    cmark_node *node = root;
    for (;;) {
        enter(walk, &state, node);
        if (!is_leaf(node)) {
            if (node->first_child) {
                node = node->first_child;
                continue;
            }
            leave(walk, &state, node);
        }
        while (node != root && !node->next) {
            node = node->parent;
            leave(walk, &state, node);
        }
        if (node == root) break;
        node = node->next;
    }
}

void sitegen_walk_free(sitegen_walk *walk) {
    free(walk->text);
    free(walk->headings);
    free(walk->links);
    memset(walk, 0, sizeof *walk);
}
