#ifndef CCMARKGFM_SHIM_H
#define CCMARKGFM_SHIM_H
#include <cmark-gfm.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm-core-extensions.h>

/// Exported by libcmark-gfm-extensions (it registers its result as "autolink") but not declared in
/// its headers: makes a new autolink extension object, which sitegen keeps unregistered and uses
/// without the postprocess step (see `MarkdownRenderer.extensions(for:)`).
cmark_syntax_extension *create_autolink_extension(void);
#endif
