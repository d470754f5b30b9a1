/* libFuzzer target `cmark`: the C boundary. Renders the input with libcmark-gfm exactly as
 * sitegen's MarkdownRenderer does (options and the five extensions), in safe and in unsafe mode,
 * to HTML and back through the node iterator. Built by `.ci/fuzz/run` with clang. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

static const char *extensions[] = {"table", "strikethrough", "autolink", "tagfilter", "tasklist"};

static void render(const uint8_t *data, size_t size, int options) {
    cmark_parser *parser = cmark_parser_new(options);
    for (size_t i = 0; i < sizeof extensions / sizeof *extensions; i++) {
        cmark_syntax_extension *ext = cmark_find_syntax_extension(extensions[i]);
        if (ext) cmark_parser_attach_syntax_extension(parser, ext);
    }
    /* Feed in two pieces, as a streaming reader might. */
    size_t half = size / 2;
    cmark_parser_feed(parser, (const char *)data, half);
    cmark_parser_feed(parser, (const char *)data + half, size - half);
    cmark_node *document = cmark_parser_finish(parser);
    cmark_iter *iter = cmark_iter_new(document);
    cmark_event_type event;
    while ((event = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(iter);
        if (event == CMARK_EVENT_ENTER) {
            const char *url = cmark_node_get_url(node);
            if (url && url[0] == '/') cmark_node_set_url(node, "/blog/x");
            (void)cmark_node_get_literal(node);
        }
    }
    cmark_iter_free(iter);
    char *html = cmark_render_html(document, options, cmark_parser_get_syntax_extensions(parser));
    if (!(options & CMARK_OPT_UNSAFE) && strstr(html, "<script")) abort();
    free(html);
    cmark_node_free(document);
    cmark_parser_free(parser);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int registered = 0;
    if (!registered) { cmark_gfm_core_extensions_ensure_registered(); registered = 1; }
    int options = CMARK_OPT_SMART | CMARK_OPT_FOOTNOTES | CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES;
    render(data, size, options);
    render(data, size, options | CMARK_OPT_UNSAFE);
    return 0;
}
