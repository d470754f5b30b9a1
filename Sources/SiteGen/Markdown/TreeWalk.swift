import CCmarkGFM
import CSiteGenSupport
import Foundation

/// One pass over a parsed cmark tree: collects plain text and headings, and rewrites root-relative
/// link and image URLs. Tree changes that add nodes (heading anchors) happen after the iteration.
struct TreeWalk {
    let rootPath: String
    /// The plain text's UTF-8 (complete after `run`).
    var plainText: [UInt8] { text }
    private(set) var firstParagraph = ""
    private(set) var headings: [MarkdownResult.Heading] = []
    private var headingNodes: [OpaquePointer] = []
    private var text: [UInt8] = []
    /// Where the current heading's text starts in `text` (headings hold inline nodes only, so their
    /// text is exactly the bytes appended since; no second buffer to fill byte by byte).
    private var headingStart: Int?
    private(set) var wordCount = 0
    /// Whether the document has task list items (so its HTML has checkboxes to label).
    private(set) var hasTaskItems = false
    private var paragraphDepth = 0
    private var paragraphStart: Int?
    private var firstParagraphDone = false

    /// The table node types, read once per document: a static in the per-node switch costs a
    /// lazy-initialization check on every exit event.
    private let tableCell = TreeWalk.tableCell
    private let tableRow = TreeWalk.tableRow

    /// `capacity`: room to reserve for the plain text (about the Markdown's size: growing the
    /// buffer by doubling copied it several times per document).
    init(rootPath: String, capacity: Int = 0) {
        self.rootPath = rootPath
        self.capacity = capacity
    }
    private let capacity: Int

    /// Node types of the table extension are assigned when extensions register; look them up once.
    static let tableCell = nodeType("table_cell")
    static let tableRow = nodeType("table_row")

    private static func nodeType(_ name: String) -> cmark_node_type {
        _ = MarkdownRenderer.registered
        let table = cmark_find_syntax_extension("table").map { [$0] } ?? []
        return MarkdownRenderer.probeParse("|a|\n|-|\n|b|\n", extensions: table) { document -> cmark_node_type in
            guard let iterator = cmark_iter_new(document) else { return CMARK_NODE_NONE }
            defer { cmark_iter_free(iterator) }
            while cmark_iter_next(iterator) != CMARK_EVENT_DONE {
                if let node = cmark_iter_get_node(iterator), let type = cmark_node_get_type_string(node),
                   String(cString: type) == name {
                    return cmark_node_get_type(node)
                }
            }
            return CMARK_NODE_NONE
        } ?? CMARK_NODE_NONE
    }

    /// Runs of bytes other than space, tab and newline: `sitegen_count_words` (C, SSE2). The byte
    /// loop did not vectorize and was ~3% of a build; counting 8 bytes at a time in Swift still 2.5%.
    static func countWords(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        return sitegen_count_words(base, bytes.count)
    }

    /// Collects the plain text, headings and first paragraph of `document`, and rewrites its links:
    /// with the direct walk (`sitegen_walk_run`) where it was found faithful, else through cmark's API.
    mutating func run(_ document: OpaquePointer) {
        run(document, direct: Self.directIsFaithful)
    }

    mutating func run(_ document: OpaquePointer, direct: Bool) {
        if direct {
            runDirect(document)
        } else {
            text.reserveCapacity(capacity)
            runIterator(document)
        }
        wordCount = text.withUnsafeBufferPointer(Self.countWords)
    }

    /// Whether `sitegen_walk_run`, which reads cmark-gfm's nodes through the layout in the headers
    /// sitegen was compiled with, agrees with the walk through cmark's API on a probe document with
    /// every kind of node the walk treats apart. A library whose layout differs fails the check (or
    /// its text does), and every document then takes the API walk.
    static let directIsFaithful: Bool = {
        let probe = """
            # Title *one*

            First `code` paragraph with a [link](/a) and ![image](/b.png)
            soft break.\
            hard break, www.example.org and ~~struck~~ text.

            > quoted

            ## Title two

            - [x] done
            - plain item

            | a | b |
            |---|---|
            | c | d |

            ```
            fenced code
            ```

            Footnote[^1].

            [^1]: The note.
            """
        guard let api = walk(probe, rootPath: "/base/", direct: false),
              let direct = walk(probe, rootPath: "/base/", direct: true) else { return false }
        return api.matches(direct) && api.headings.count == 2 && api.hasTaskItems && api.linkURLs.count == 3
    }()

    /// `markdown` parsed with every extension and walked, recording the links (the probe and tests).
    static func walk(_ markdown: String, rootPath: String, direct: Bool) -> TreeWalk? {
        MarkdownRenderer.probeParse(markdown, extensions: MarkdownRenderer.allExtensions) { document in
            var walk = TreeWalk(rootPath: rootPath)
            walk.recordsLinks = true
            walk.run(document, direct: direct)
            return walk
        }
    }

    /// The same results (for `directIsFaithful` and tests).
    func matches(_ other: TreeWalk) -> Bool {
        text == other.text && firstParagraph == other.firstParagraph && headings == other.headings
            && wordCount == other.wordCount && hasTaskItems == other.hasTaskItems
            && headingNodes.count == other.headingNodes.count && linkURLs == other.linkURLs
    }

    /// The URLs of the links and images the walk looked at for rewriting, in order, when
    /// `recordsLinks` (the probe and tests).
    private(set) var linkURLs: [String] = []
    var recordsLinks = false

    private mutating func runDirect(_ document: OpaquePointer) {
        var walk = sitegen_walk()
        let rewrites = rootPath != "/"
        sitegen_walk_run(&walk, document, Int32(bitPattern: tableCell.rawValue), Int32(bitPattern: tableRow.rawValue),
                         rewrites ? 1 : 0, capacity)
        defer { sitegen_walk_free(&walk) }
        text = walk.length == 0 ? [] : Array(UnsafeBufferPointer(start: walk.text, count: walk.length))
        if walk.first_paragraph_start >= 0 {
            firstParagraph = String(decoding: text[walk.first_paragraph_start..<walk.first_paragraph_end], as: UTF8.self)
        }
        if walk.heading_count > 0 {
            for heading in UnsafeBufferPointer(start: walk.headings, count: walk.heading_count) {
                guard let node = heading.node else { continue }
                headings.append(.init(level: Int(heading.level), text: Self.headingText(text[heading.start..<heading.end]), id: ""))
                headingNodes.append(node)
            }
        }
        if rewrites, walk.link_count > 0 {
            for link in UnsafeBufferPointer(start: walk.links, count: walk.link_count) {
                if let link { rewriteURL(link) }
            }
        }
        hasTaskItems = walk.has_task_items != 0
    }

    /// A heading's text on one line.
    private static func headingText(_ bytes: ArraySlice<UInt8>) -> String {
        if bytes.contains(10) { return String(decoding: bytes.map { $0 == 10 ? 32 : $0 }, as: UTF8.self) }
        return String(decoding: bytes, as: UTF8.self)
    }

    private mutating func runIterator(_ document: OpaquePointer) {
        guard let iterator = cmark_iter_new(document) else { return }
        defer { cmark_iter_free(iterator) }
        while true {
            let event = cmark_iter_next(iterator)
            if event == CMARK_EVENT_DONE { break }
            guard let node = cmark_iter_get_node(iterator) else { continue }
            let type = cmark_node_get_type(node)
            if event == CMARK_EVENT_ENTER {
                enter(node, type)
            } else {
                exit(node, type)
            }
        }
    }

    private mutating func enter(_ node: OpaquePointer, _ type: cmark_node_type) {
        switch type {
        case CMARK_NODE_TEXT, CMARK_NODE_CODE, CMARK_NODE_CODE_BLOCK:
            appendLiteral(node)
            if type == CMARK_NODE_CODE_BLOCK { newline() }
        case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK:
            append(32)
        case CMARK_NODE_HEADING:
            headingStart = text.count
        case CMARK_NODE_PARAGRAPH:
            if !firstParagraphDone && paragraphStart == nil && isTopLevel(node) { paragraphStart = text.count }
        case CMARK_NODE_LINK, CMARK_NODE_IMAGE:
            rewriteURL(node)
        default:
            break
        }
    }

    private mutating func exit(_ node: OpaquePointer, _ type: cmark_node_type) {
        switch type {
        case CMARK_NODE_HEADING:
            headings.append(.init(level: Int(cmark_node_get_heading_level(node)),
                                  text: Self.headingText(text[(headingStart ?? text.count)...]), id: ""))
            headingNodes.append(node)
            headingStart = nil
            newline()
        case CMARK_NODE_PARAGRAPH:
            if let start = paragraphStart, isTopLevel(node) {
                firstParagraph = String(decoding: text[start...], as: UTF8.self)
                firstParagraphDone = true
                paragraphStart = nil
            }
            newline()
        case CMARK_NODE_ITEM:
            // Task list items are items the tasklist extension claimed.
            if cmark_node_get_syntax_extension(node) != nil { hasTaskItems = true }
            newline()
        case CMARK_NODE_BLOCK_QUOTE:
            newline()
        case tableCell: append(32)
        case tableRow: newline()
        default: break
        }
    }

    private func isTopLevel(_ node: OpaquePointer) -> Bool {
        guard let parent = cmark_node_parent(node) else { return false }
        return cmark_node_get_type(parent) == CMARK_NODE_DOCUMENT
    }

    private mutating func appendLiteral(_ node: OpaquePointer) {
        guard let literal = cmark_node_get_literal(node) else { return }
        text.append(contentsOf: UnsafeRawBufferPointer(start: literal, count: strlen(literal)))
    }

    private mutating func append(_ byte: UInt8) {
        text.append(byte)
    }

    private mutating func newline() {
        if let last = text.last, last != 10 { text.append(10) }
    }

    private mutating func rewriteURL(_ node: OpaquePointer) {
        guard rootPath != "/", let raw = cmark_node_get_url(node) else { return }
        let url = String(cString: raw)
        if recordsLinks { linkURLs.append(url) }
        guard url.hasPrefix("/"), !url.hasPrefix("//") else { return }
        _ = cmark_node_set_url(node, rootPath + url.dropFirst())
    }

    /// Gives each heading a unique id and prepends an anchor link to it (a custom inline node, emitted
    /// as-is even in safe mode; its text is generated here, never taken from the document).
    /// The anchor nodes use `mem`, the document's allocator: cmark frees a whole tree with its root's.
    mutating func addHeadingAnchors(mem: UnsafeMutablePointer<cmark_mem>) {
        var used: [String: Int] = [:]
        for index in headings.indices {
            var id = Slug.make(headings[index].text)
            if id.isEmpty { id = "section" }
            if let count = used[id] {
                used[id] = count + 1
                id += "-\(count + 1)"
            } else {
                used[id] = 1
            }
            headings[index].id = id
            guard let anchor = cmark_node_new_with_mem(CMARK_NODE_CUSTOM_INLINE, mem) else { continue }
            // Slugs are letters, digits and '-' (of any script): `escapeAttribute` changes none of them,
            // and is kept for safety should `Slug` ever let another character through.
            let escaped = HTML.escapeAttribute(id)
            _ = cmark_node_set_on_enter(anchor,
                "<a class=\"anchor\" id=\"\(escaped)\" href=\"#\(escaped)\" aria-label=\"Link to this section\"></a>")
            _ = cmark_node_set_on_exit(anchor, "")
            _ = cmark_node_prepend_child(headingNodes[index], anchor)
        }
    }
}
