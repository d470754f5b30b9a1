import CCmarkGFM
import CSiteGenSupport
import Foundation

/// What the build needs from one Markdown document.
public struct MarkdownResult: Sendable, Equatable {
    /// The HTML, and the text of the document without markup, one block per line (for summaries and
    /// search); in memory or in a `BodyStore`.
    public var body: MarkdownBody
    public var html: String { body.html }
    public var plainText: String { body.plainText }
    /// The plain text of the first paragraph.
    public var firstParagraph: String
    public var wordCount: Int
    /// Headings in order: level, text and the id given to their anchor.
    public var headings: [Heading]

    public struct Heading: Sendable, Equatable {
        public var level: Int
        public var text: String
        public var id: String
    }

    public init(html: String, plainText: String, firstParagraph: String, wordCount: Int, headings: [Heading]) {
        self.init(body: MarkdownBody(html: html, plainText: plainText), firstParagraph: firstParagraph,
                  wordCount: wordCount, headings: headings)
    }

    init(body: MarkdownBody, firstParagraph: String, wordCount: Int, headings: [Heading]) {
        self.body = body
        self.firstParagraph = firstParagraph
        self.wordCount = wordCount
        self.headings = headings
    }

    /// What a document keeps for the rest of the build (and the build cache): `firstParagraph` is
    /// only read while decoding (for the summary) and no page shows `headings`, so both are emptied;
    /// `plainText` is kept only where search reads it (`keepPlainText`). At 10k articles this is
    /// ~12 MB less held from parsing to the end of the build.
    func kept(plainText keepPlainText: Bool) -> MarkdownResult {
        MarkdownResult(body: keepPlainText ? body : body.withoutPlainText(), firstParagraph: "",
                       wordCount: wordCount, headings: [])
    }

    /// What an article keeps: its search terms instead of all its plain text (`MarkdownBody.forSearch`).
    func kept(forSearchWith summary: String) -> MarkdownResult {
        MarkdownResult(body: body.forSearch(summary: summary), firstParagraph: "", wordCount: wordCount, headings: [])
    }

    /// The same with the terms left to count (`MarkdownBody.forDeferredSearch`).
    func kept(forDeferredSearchWith summary: String) -> MarkdownResult {
        MarkdownResult(body: body.forDeferredSearch(summary: summary), firstParagraph: "", wordCount: wordCount,
                       headings: [])
    }
}

/// Converts Markdown to HTML with cmark-gfm (tables, footnotes, strikethrough, autolinks, task lists,
/// smart punctuation), adds heading anchors, and prefixes root-relative links with the site's root path.
///
/// cmark-gfm 0.29 keeps the inline extensions' special-character table in process-global state that
/// `cmark_parser_finish` rewrites, so concurrent parses corrupt each other's output. sitegen replaces
/// the library's function that clears the table (`cmark_pinning.c`), so the characters stay and
/// documents finish in parallel; where that replacement is not in force (`finishIsSerialized`),
/// every parse takes `MarkdownRenderer.parseLock` around `cmark_parser_finish`.
public struct MarkdownRenderer: Sendable {
    public var unsafeHTML: Bool
    /// Prefix for links and images that start with "/", e.g. "/blog/". "/" leaves them unchanged.
    public var rootPath: String

    public init(unsafeHTML: Bool = false, rootPath: String = "/") {
        self.unsafeHTML = unsafeHTML
        self.rootPath = rootPath
    }

    static let parseLock = NSLock()
    static let registered: Bool = {
        cmark_gfm_core_extensions_ensure_registered()
        _ = autolinks  // `w` is tracked before the first parse that has it (cmark_pinning.c)
        return true
    }()

    /// Whether `cmark_parser_finish` must run under `parseLock`. A probe document with strikethrough,
    /// finished under the lock, shows whether cmark-gfm's calls reach the replacement in
    /// `cmark_pinning.c` (it counts them) and the extension still works; only then is the lock dropped.
    static let finishIsSerialized: Bool = {
        _ = registered
        let before = sitegen_cmark_pinned_adds()
        let renderer = MarkdownRenderer()
        let probe = renderer.render("~~probe~~ www.example.org", serialized: true)
        let works = probe.html == "<p><del>probe</del> <a href=\"http://www.example.org\">www.example.org</a></p>\n"
        return !(works && sitegen_cmark_pinned_adds() > before)
    }()
    /// Whether cmark-gfm's join of adjacent text nodes at the end of `cmark_parser_finish` runs as
    /// sitegen's one pass over the tree (`consolidate.c`) instead of the library's own function.
    /// A probe document, rich in the pieces the inline parser leaves (smart punctuation, entities,
    /// escapes, brackets and emphasis that match nothing, e-mail and www links, footnotes, a table),
    /// is parsed with the library's join and with sitegen's, from the arena and from the default
    /// allocator: only when every tree comes out the same (cmark's XML with source positions, and
    /// the HTML) and the replacement did run is it left on.
    static let directConsolidation: Bool = {
        _ = registered
        let probe = """
            # A "quoted" heading -- with 'smart' punctuation...

            It's a **bold** claim -- or *is it*? Prices rose 3.5% in 2024-25; see [the note][x] and \\*escaped\\* \
            stars, *unclosed emphasis, _under_scores_, a [bracket] and ! a bang. &amp; &copy; &#35; &#x41;
            Mail someone@example.org, visit www.example.org/path. or https://example.org/a-b.c?d=e.

            > A "quote" -- inside...

            - [x] done... 'item'
            - item -- two

            | a "b" | c -- d |
            |---|---|
            | e.f | g's |

            Footnote[^1]. ~strike~ and ~~struck~~ text's end.

            [^1]: The "note" -- here.
            [x]: /target
            """
        let runs = sitegen_consolidate_direct_runs()
        guard let library = consolidationTrees(probe, direct: false),
              let direct = consolidationTrees(probe, direct: true) else { return false }
        let works = direct == library && sitegen_consolidate_direct_runs() >= runs + 2
            && library[0].contains("someone@example.org</text>")
        sitegen_consolidate_direct(works ? 1 : 0)
        return works
    }()

    /// `markdown` parsed with all extensions and the library's join of text nodes or sitegen's
    /// (`direct`), from the arena and from the default allocator: for each, cmark's XML and HTML with
    /// source positions. Nil if cmark failed. (For `directConsolidation` and tests.)
    static func consolidationTrees(_ markdown: String, direct: Bool) -> [String]? {
        sitegen_consolidate_this_thread(direct ? 1 : 0)
        defer { sitegen_consolidate_this_thread(-1) }
        var results: [String] = []
        for mem in [CmarkArena.mem, cmark_get_default_mem_allocator()!] {
            defer { CmarkArena.reset() }
            let rendered = probeParse(markdown, extensions: allExtensions, mem: mem) { document -> [String]? in
                // Rendered with malloc (the renderers would take the document's allocator), for free(3).
                let malloced = cmark_get_default_mem_allocator()
                let options = CMARK_OPT_SOURCEPOS | MarkdownRenderer().options
                var texts: [String] = []
                for text in [cmark_render_xml_with_mem(document, options, malloced),
                             cmark_render_html_with_mem(document, options, nil, malloced)] {
                    guard let text else { return nil }
                    texts.append(String(cString: text))
                    free(text)
                }
                return texts
            }
            guard let rendered = rendered ?? nil else { return nil }
            results += rendered
        }
        return results
    }

    /// `body` on `markdown` parsed with `extensions`, the renderer's options and `mem` (finished under
    /// `parseLock`: these are probes, made before it is known whether finishing needs it); nil if cmark
    /// could not make a parser or a document. The tree and parser are freed after `body`.
    static func probeParse<Result>(_ markdown: String, extensions: [OpaquePointer],
                                   mem: UnsafeMutablePointer<cmark_mem> = cmark_get_default_mem_allocator(),
                                   _ body: (OpaquePointer) -> Result) -> Result? {
        guard let parser = cmark_parser_new_with_mem(MarkdownRenderer().options, mem) else { return nil }
        defer { cmark_parser_free(parser) }
        for ext in extensions { cmark_parser_attach_syntax_extension(parser, ext) }
        cmark_parser_feed(parser, markdown, markdown.utf8.count)
        parseLock.lock()
        let document = cmark_parser_finish(parser)
        parseLock.unlock()
        guard let document else { return nil }
        defer { cmark_node_free(document) }
        return body(document)
    }

    static let extensionNames = ["table", "strikethrough", "autolink", "tagfilter", "tasklist"]

    /// The autolink extension, in the variants a document may need (nil where one cannot be made).
    ///
    /// cmark-gfm's autolink links `www.` and `scheme://` addresses while it parses inlines, and
    /// e-mail addresses in a postprocess step that copies the text of every text node of the
    /// document to look for '@' (~7% of a 10k build's CPU, measured by leaving the extension out).
    /// A text node can only hold an '@' that is in the source or comes from a character reference
    /// ('&'), so for other documents that step changes nothing and is skipped (`inlineOnly`).
    ///
    /// It also makes `w` a special character, for `www.` links: the inline parser then ends a text
    /// node at every `w`, and cmark joins the pieces again after parsing. A document without `www.`
    /// cannot have such a link, and is parsed with a variant that has only `:` (`withoutWWW`);
    /// `cmark_pinning.c` keeps `w` in cmark's process-wide table only while a document that has it
    /// is being parsed.
    struct Autolinks {
        /// The registered extension: e-mail links, `w` and `:`.
        var registered: OpaquePointer
        /// No e-mail links; `w` and `:`.
        var inlineOnly: OpaquePointer?
        /// E-mail links; `:` only.
        var withoutWWW: OpaquePointer?
        /// No e-mail links; `:` only.
        var inlineOnlyWithoutWWW: OpaquePointer?
    }

    /// Made once, before the first parse (`registered` reads it). (Immutable once made,
    /// and cmark only reads them: hence `nonisolated(unsafe)` for these pointers.)
    nonisolated(unsafe) static let autolinks: Autolinks? = {
        cmark_gfm_core_extensions_ensure_registered()  // not through `registered`, which reads this
        guard let registered = cmark_find_syntax_extension("autolink") else { return nil }
        let mem = cmark_get_default_mem_allocator()
        func variant(emailLinks: Bool, www: Bool) -> OpaquePointer? {
            guard let made = create_autolink_extension() else { return nil }
            if !emailLinks { cmark_syntax_extension_set_postprocess_func(made, nil) }
            if !www {
                let colon = cmark_llist_append(mem, nil, UnsafeMutableRawPointer(bitPattern: UInt(UInt8(ascii: ":"))))
                cmark_syntax_extension_set_special_inline_chars(made, colon)
            }
            return made
        }
        let autolinks = Autolinks(registered: registered, inlineOnly: variant(emailLinks: false, www: true),
                                  withoutWWW: variant(emailLinks: true, www: false),
                                  inlineOnlyWithoutWWW: variant(emailLinks: false, www: false))
        // A parser with only `w`, through which the library takes `w` out of the table again.
        var remover: OpaquePointer?
        if let onlyW = create_autolink_extension(), let parser = cmark_parser_new(0) {
            let w = cmark_llist_append(mem, nil, UnsafeMutableRawPointer(bitPattern: UInt(UInt8(ascii: "w"))))
            cmark_syntax_extension_set_special_inline_chars(onlyW, w)
            cmark_parser_attach_syntax_extension(parser, onlyW)
            remover = parser
        }
        if let remover, autolinks.inlineOnly != nil, autolinks.withoutWWW != nil,
           autolinks.inlineOnlyWithoutWWW != nil {
            sitegen_cmark_track_www(UnsafeMutableRawPointer(registered), UnsafeMutableRawPointer(autolinks.inlineOnly),
                                    remover)
        } else {
            // Without the remover, `w` would stay once added: every document keeps the registered `w`.
            return Autolinks(registered: registered, inlineOnly: autolinks.inlineOnly)
        }
        return autolinks
    }()

    /// The registered extensions, in `extensionNames` order, looked up once.
    nonisolated(unsafe) static let allExtensions: [OpaquePointer] = {
        _ = registered
        return extensionNames.compactMap { cmark_find_syntax_extension($0) }
    }()

    /// `allExtensions` with `autolink` replaced by `variant` (nil if there is no such variant).
    private static func replacingAutolink(with variant: OpaquePointer?) -> [OpaquePointer]? {
        guard let variant, let registered = autolinks?.registered else { return nil }
        return allExtensions.map { $0 == registered ? variant : $0 }
    }

    /// For documents without '@' or '&' (no e-mail links).
    nonisolated(unsafe) static let extensionsWithoutEmailLinks = replacingAutolink(with: autolinks?.inlineOnly)
    /// For documents without `www.`.
    nonisolated(unsafe) static let extensionsWithoutWWW = replacingAutolink(with: autolinks?.withoutWWW)
    /// For documents with neither.
    nonisolated(unsafe) static let extensionsWithoutEmailOrWWW = replacingAutolink(with: autolinks?.inlineOnlyWithoutWWW)

    /// What of cmark-gfm `markdown` can need (`SITEGEN_NEEDS_*`), in one pass: two memchr(3)s and a
    /// memmem(3) were 1.5% of a 10k build.
    static func needs(_ markdown: UnsafeRawBufferPointer) -> Int {
        guard let base = markdown.baseAddress else { return SITEGEN_NEEDS_EMAIL | SITEGEN_NEEDS_WWW | SITEGEN_NEEDS_FOOTNOTES }
        return Int(sitegen_autolink_needs(base.assumingMemoryBound(to: UInt8.self), markdown.count))
    }

    /// The extensions to parse `markdown` with: the autolink variant that does all this document
    /// can need, and no more (see `Autolinks`).
    static func extensions(for markdown: UnsafeRawBufferPointer) -> [OpaquePointer] {
        extensions(forNeeds: needs(markdown))
    }

    static func extensions(forNeeds needs: Int) -> [OpaquePointer] {
        switch (needs & SITEGEN_NEEDS_EMAIL != 0, needs & SITEGEN_NEEDS_WWW != 0) {
        case (true, true): return allExtensions
        case (false, true): return extensionsWithoutEmailLinks ?? allExtensions
        case (true, false): return extensionsWithoutWWW ?? allExtensions
        case (false, false): return extensionsWithoutEmailOrWWW ?? extensionsWithoutEmailLinks ?? allExtensions
        }
    }

    /// The options to parse a document with: `options` without footnotes when it has no "[^" (no
    /// footnote can start without it). With footnotes on, cmark walks the whole tree twice after
    /// parsing its inlines (to number references and gather definitions), whether it has any or not.
    func parseOptions(needs: Int) -> Int32 {
        needs & SITEGEN_NEEDS_FOOTNOTES != 0 ? options : options & ~CMARK_OPT_FOOTNOTES
    }

    var options: Int32 {
        // Style attributes for table alignment: HTML5 has no align attribute. No CMARK_OPT_VALIDATE_UTF8:
        // the input is a Swift String, valid UTF-8 already (sources are checked when read).
        var options = CMARK_OPT_SMART | CMARK_OPT_FOOTNOTES
            | CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES
        if unsafeHTML { options |= CMARK_OPT_UNSAFE }
        return options
    }

    /// Task-list checkboxes get an accessible name (cmark-gfm emits bare, unlabeled inputs).
    static func labelTaskItems(_ html: [UInt8]) -> [UInt8] {
        guard html.withUnsafeBufferPointer({ Bytes.contains($0, "<input type=\"checkbox\"") }) else { return html }
        return Array(labelTaskItems(String(decoding: html, as: UTF8.self)).utf8)
    }

    static func labelTaskItems(_ html: String) -> String {
        guard Bytes.contains(html, "<input type=\"checkbox\"") else { return html }
        return html
            .replacingOccurrences(of: "<input type=\"checkbox\" checked=\"\" disabled=\"\" />",
                                  with: "<input type=\"checkbox\" checked=\"\" disabled=\"\" aria-label=\"Done\" />")
            .replacingOccurrences(of: "<input type=\"checkbox\" disabled=\"\" />",
                                  with: "<input type=\"checkbox\" disabled=\"\" aria-label=\"Not done\" />")
    }

    /// Everything cmark allocates here (parser, nodes, the rendered HTML) comes from this thread's
    /// `CmarkArena` and is released by one reset once the result has been copied out. The parser and
    /// the tree are not freed node by node first: that walk only handed blocks back to the arena the
    /// reset clears anyway (~3% of the parse step).
    public func render(_ markdown: String) -> MarkdownResult {
        render(markdown[...], serialized: Self.finishIsSerialized)
    }

    /// The same for part of a text (a file's body after its front matter), read in place.
    public func render(_ markdown: Substring) -> MarkdownResult {
        render(markdown, serialized: Self.finishIsSerialized)
    }

    /// `render` with the given extensions instead of those `extensions(for:)` picks (for tests).
    func render(_ markdown: String, extensions: [OpaquePointer]) -> MarkdownResult {
        render(markdown[...], serialized: Self.finishIsSerialized, extensions: extensions)
    }

    /// `render` with the parse options given instead of those `parseOptions(needs:)` picks (for tests).
    func render(_ markdown: String, parseOptions: Int32) -> MarkdownResult {
        render(markdown[...], serialized: Self.finishIsSerialized, parseOptions: parseOptions)
    }

    private func render(_ markdown: Substring, serialized: Bool, extensions: [OpaquePointer]? = nil,
                        parseOptions forced: Int32? = nil) -> MarkdownResult {
        _ = Self.registered
        _ = Self.directConsolidation
        defer { CmarkArena.reset() }
        var text = markdown
        let parser = text.withUTF8 { bytes -> OpaquePointer in
            let needs = Self.needs(UnsafeRawBufferPointer(bytes))
            guard let parser = cmark_parser_new_with_mem(forced ?? parseOptions(needs: needs), CmarkArena.mem) else {
                fatalError("cmark_parser_new failed")
            }
            for ext in extensions ?? Self.extensions(forNeeds: needs) {
                cmark_parser_attach_syntax_extension(parser, ext)
            }
            bytes.withMemoryRebound(to: CChar.self) { cmark_parser_feed(parser, $0.baseAddress, $0.count) }
            return parser
        }
        if serialized { Self.parseLock.lock() }
        let document = cmark_parser_finish(parser)!
        if serialized { Self.parseLock.unlock() }

        var walk = TreeWalk(rootPath: rootPath, capacity: markdown.utf8.count)
        walk.run(document)
        walk.addHeadingAnchors(mem: CmarkArena.mem)
        guard let rendered = cmark_render_html_with_mem(document, options, cmark_parser_get_syntax_extensions(parser),
                                                        CmarkArena.mem) else {
            fatalError("cmark_render_html failed")
        }
        let bytes = Array(UnsafeRawBufferPointer(start: rendered, count: strlen(rendered)))
        // Only documents with task items have checkboxes from cmark: others are not searched for them.
        let html = walk.hasTaskItems ? Self.labelTaskItems(bytes) : bytes
        return MarkdownResult(body: MarkdownBody(html: html, plainText: walk.plainText),
                              firstParagraph: walk.firstParagraph, wordCount: walk.wordCount,
                              headings: walk.headings)
    }
}
