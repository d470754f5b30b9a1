import Foundation
import Mustache
import Testing
@testable import SiteGen

/// sitegen's own Mustache renderer: the dialect's rules one by one, its errors, and a differential
/// test against swift-mustache (the engine sitegen used before) on the default theme.
@Suite("Template engine")
struct TemplateEngineTests {
    /// Renders template "main" of `templates` with `context`; fails the test on a syntax error.
    static func render(_ templates: [String: String], _ context: TemplateValue,
                       sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let (set, diagnostics) = TemplateSet.compile(templates)
        #expect(diagnostics.isEmpty, "\(diagnostics)", sourceLocation: sourceLocation)
        guard set.program.numbers["main"] != nil else { return "<missing>" }
        return String(decoding: set.render(template: "main", context), as: UTF8.self)
    }

    static func render(_ text: String, _ context: TemplateValue, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        render(["main": text], context, sourceLocation: sourceLocation)
    }

    static func errors(_ templates: [String: String]) -> [String] {
        TemplateSet.compile(templates).1.map { "\($0.file):\($0.line):\($0.column): \($0.message)" }
    }

    // MARK: Values and sections

    @Test func variablesAreEscapedUnlessTripled() {
        let context: TemplateValue = ["x": "<a href=\"q\">Tom & 'Jerry'</a>", "n": 42, "yes": true]
        #expect(Self.render("{{x}}|{{{x}}}|{{&x}}|{{n}}|{{yes}}", context)
            == "&lt;a href=&quot;q&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;|<a href=\"q\">Tom & 'Jerry'</a>|<a href=\"q\">Tom & 'Jerry'</a>|42|true")
    }

    @Test func dottedNamesClimbTheStackButAnchoredNamesDoNot() {
        let context: TemplateValue = ["title": "Outer", "items": [["url": "/a/"], ["url": "/b/", "title": "B"]]]
        #expect(Self.render("{{#items}}[{{title}}|{{.title}}|{{url}}]{{/items}}", context)
            == "[Outer||/a/][B|B|/b/]")
        #expect(Self.render("{{a.b.c}}/{{a.x.c}}", ["a": ["b": ["c": "deep"]], "x": ["c": "no"]]) == "deep/")
    }

    /// A tag remembers where it found its key in the last object (cards share a key order); objects
    /// with other orders, fewer keys or none must still give their own values, or climb.
    @Test func keysAreFoundInObjectsOfEveryShape() {
        let context: TemplateValue = ["b": "R", "items": [
            ["a": "1", "b": "2"], ["b": "3", "a": "4"], ["b": "5"], ["c": "x", "d": "y", "a": "6"], "plain", ["a": "7", "b": "8"],
        ]]
        #expect(Self.render("{{#items}}[{{a}}|{{b}}|{{.a}}]{{/items}}", context)
            == "[1|2|1][4|3|4][|5|][6|R|6][|R|][7|8|7]")
    }

    @Test func truthiness() {
        let context: TemplateValue = ["empty": "", "zero": 0, "no": false, "none": [], "some": ["x"], "obj": ["k": "v"]]
        #expect(Self.render("{{#empty}}E{{/empty}}{{#zero}}Z{{/zero}}{{#no}}N{{/no}}{{#none}}L{{/none}}{{#missing}}M{{/missing}}", context) == "EZ")
        #expect(Self.render("{{^empty}}E{{/empty}}{{^zero}}Z{{/zero}}{{^no}}N{{/no}}{{^none}}L{{/none}}{{^missing}}M{{/missing}}{{^obj}}O{{/obj}}", context) == "NLM")
        #expect(Self.render("{{#obj}}{{k}}{{/obj}}{{#some}}{{.}}{{/some}}", context) == "vx")
    }

    @Test func loopTransformsAndValueTransforms() {
        let context: TemplateValue = ["names": ["Ann", "Bo", "Cy"], "label": "Authors", "list": ["a", "b"], "n": 3]
        #expect(Self.render("{{#names}}{{.}}{{^last()}}, {{/last()}}{{/names}}", context) == "Ann, Bo, Cy")
        #expect(Self.render("{{#names}}{{#first()}}*{{/first()}}{{index()}}{{#even()}}e{{/even()}}{{/names}}", context) == "*0e12e")
        #expect(Self.render("{{lowercased(label)}} {{uppercased(label)}} {{count(list)}} {{first(list)}} {{last(list)}} {{plusone(n)}}", context)
            == "authors AUTHORS 2 a b 4")
        #expect(Self.render("{{^empty(list)}}has{{/empty(list)}}{{#empty(names)}}none{{/empty(names)}}", context) == "has")
        // Entering another section forgets the loop position; a boolean section keeps it.
        #expect(Self.render("{{#list}}{{#.}}{{last()}}{{/.}}|{{/list}}", context) == "||")
    }

    /// Computed values (transforms, loop positions) live in scratch slots: a section rendering with one
    /// must keep it while tags inside compute others.
    @Test func computedValuesSurviveNestedComputedValues() {
        let context: TemplateValue = ["list": [["n": "a"], ["n": "b"], ["n": "c"]], "words": ["x", "y"]]
        #expect(Self.render("{{#first(reversed(list))}}{{n}}{{#first(list)}}{{n}}{{/first(list)}}{{n}}{{/first(reversed(list))}}",
                            context) == "cac")
        #expect(Self.render("{{#reversed(list)}}{{n}}{{^last()}},{{/last()}}{{#words}}{{index()}}{{/words}}{{/reversed(list)}}",
                            context) == "c,01b,01a01")
        #expect(Self.render("{{#reversed(words)}}{{.}}{{#first(list)}}{{n}}{{/first(list)}}{{.}}{{/reversed(words)}}", context)
            == "yayxax")
    }

    /// Transforms are named once, when templates load: each name maps to its own case, others to `unknown`.
    @Test func transformNamesMapToTheirCases() {
        for transform in TemplateTransform.allCases where transform != .unknown {
            #expect(TemplateTransform("\(transform)") == transform)
        }
        #expect(TemplateTransform("unknown") == .unknown)
        #expect(TemplateTransform("Lowercased") == .unknown)
        #expect(Self.render("{{capitalized(s)}} {{reversed(s)}} {{minusone(n)}} {{#equalzero(z)}}z{{/equalzero(z)}}[{{index(n)}}]",
                            ["s": "ab cd", "n": 5, "z": 0]) == "Ab Cd dc ba 4 z[]")
    }

    /// Numbers are written without making a String; the digits must be exactly `String(number)`'s.
    @Test func numbersAreWrittenLikeStringDescribingThem() {
        var generator = SystemRandomNumberGenerator()
        let numbers = [0, 1, -1, 9, 10, -10, 99, 100, Int.max, Int.min, Int.max - 1, Int.min + 1]
            + (0..<200).map { _ in Int.random(in: Int.min...Int.max, using: &generator) >> Int.random(in: 0...63) }
        for number in numbers {
            var output: [UInt8] = [7]
            TemplateRenderer.appendDecimal(number, to: &output)
            #expect(output == [7] + Array(String(number).utf8), "\(number)")
        }
    }

    /// Blocks are numbered across templates and overrides apply only while their parent call renders.
    @Test func overridesEndWithTheirParentCall() {
        let templates = [
            "base": "[{{$a}}A{{/a}}|{{$b}}B{{/b}}]",
            "other": "<{{$a}}oa{{/a}}{{>base}}>",
            "main": "{{<base}}{{$a}}1{{/a}}{{/base}}{{<base}}{{$b}}2{{/b}}{{/base}}{{>base}}{{>other}}{{<other}}{{$a}}3{{/a}}{{/other}}{{>base}}",
        ]
        #expect(Self.render(templates, [:]) == "[1|B][A|2][A|B]<oa[A|B]><3[3|B]>[A|B]")
    }

    // MARK: Whitespace

    @Test func standaloneTagsLeaveNoBlankLines() {
        let text = "<ul>\n  {{#items}}\n  <li>{{.}}</li>\n  {{/items}}\n  {{! a comment }}\n</ul>\n"
        #expect(Self.render(text, ["items": ["a", "b"]]) == "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n")
        // Two tags on a line are not standalone; a tag at the end of the file is.
        #expect(Self.render("{{#a}}{{/a}}\nx\n{{#a}}y{{/a}}", ["a": true]) == "\nx\ny")
        #expect(Self.render("x\n  {{#a}}\n  {{/a}}", ["a": true]) == "x\n")
    }

    @Test func standalonePartialsIndentEveryLine() {
        let templates = ["main": "<ol>\n  {{>item}}\n</ol>\n", "item": "<li>\n  {{#xs}}\n  <b>{{.}}</b>\n  {{/xs}}\n</li>\n"]
        #expect(Self.render(templates, ["xs": ["1", "2"]]) == "<ol>\n  <li>\n    <b>1</b>\n    <b>2</b>\n  </li>\n</ol>\n")
        // Inline partials are not indented; values with newlines are not re-indented.
        #expect(Self.render(["main": "a {{>p}}\n  {{>q}}\n", "p": "p1\np2\n", "q": "{{{v}}}\n"], ["v": "x\ny"])
            == "a p1\np2\n\n  x\ny\n")
    }

    // MARK: Partials and inheritance

    @Test func inheritanceOverridesBlocksAndReachesPartials() {
        let templates = [
            "base": "<main>{{$main}}default{{/main}}</main>{{>card}}",
            "card": "<h{{$level}}2{{/level}}>",
            "main": "{{<base}}\n{{$main}}mine: {{x}}{{/main}}\n{{$level}}3{{/level}}\n{{/base}}\n",
        ]
        #expect(Self.render(templates, ["x": "X"]) == "<main>mine: X</main><h3>")
        #expect(Self.render(["base": "[{{$b}}d{{/b}}]", "main": "{{<base}}{{/base}}"], [:]) == "[d]")
        // A page's override wins over its parent's own override of the grandparent.
        let chain = ["grand": "{{$t}}g{{/t}}", "parent": "{{<grand}}{{$t}}p{{/t}}{{/grand}}",
                     "main": "{{<parent}}{{$t}}c{{/t}}{{/parent}}"]
        #expect(Self.render(chain, [:]) == "c")
    }

    /// Partials rendered on list items are kept for later pages (`PartialMemo`), but only where a
    /// page would render the same bytes: same blocks in force, same indentation and line start,
    /// and only outputs whose lookups all stayed inside the item.
    @Test func keptPartialsRenderAsEachPageWould() {
        let templates = [
            "base": "{{$main}}{{/main}}",
            "list": "<ol>\n  {{#items}}\n  {{>card}}\n  {{/items}}\n</ol>\n{{#items}}[{{>card}}]{{/items}}",
            "card": "<h{{$level}}2{{/level}}>{{title}}</h>\n{{#tags}}<i>{{name}}</i>{{/tags}}{{page}}",
            "plain": "{{<base}}{{$main}}{{>list}}{{/main}}{{/base}}",
            "deep": "{{<base}}{{$main}}{{>list}}{{/main}}{{$level}}3{{/level}}{{/base}}",
        ]
        let (set, diagnostics) = TemplateSet.compile(templates)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        // Shared items, as list cards are: one without `page`, whose card climbs to the page's own.
        let shared: [TemplateValue] = [["title": "A", "tags": [["name": "x"]], "page": ""], ["title": "B", "tags": []]]
        let memo = PartialMemo()
        func page(_ template: String, _ name: String, memo: PartialMemo?) -> String {
            String(decoding: set.render(template: template, ["items": .list(shared), "page": .string(name)], memo: memo),
                   as: UTF8.self)
        }
        for (template, name) in [("plain", "one"), ("deep", "two"), ("plain", "three"), ("deep", "four"), ("plain", "five")] {
            let expected = page(template, name, memo: nil)
            #expect(page(template, name, memo: memo) == expected, "\(template) \(name)")
            #expect(expected.contains(name), "item B's card shows the page's own value")
            #expect(expected.contains(template == "deep" ? "<h3>" : "<h2>"))
        }
        // Item A's card (lookups inside the item) is kept per state: indented or inline, h2 or h3.
        // Item B's card read the page's value and is never kept.
        #expect(memo.count == 4)
    }

    @Test func setDelimitersAndPragmas() {
        #expect(Self.render("{{=<% %>=}}<% x %> {{x}} <%={{ }}=%>{{x}}", ["x": "1"]) == "1 {{x}} 1")
        #expect(Self.render("{{%CONTENT_TYPE: HTML}}\n{{x}}", ["x": "<"]) == "&lt;")
    }

    // MARK: Errors

    @Test func syntaxErrorsNameLineAndColumn() {
        #expect(Self.errors(["page": "<p>\n<div>{{#page}}{{title}}{{/pag}}</div>"])
            == ["layouts/page.mustache:2:27: template syntax error: closing tag does not match the open section"])
        #expect(Self.errors(["page": "ok\n  {{#a}}\n{{b}}"])
            == ["layouts/page.mustache:2:3: template syntax error: section 'a' is never closed"])
        #expect(Self.errors(["page": "é {{title"])
            == ["layouts/page.mustache:1:3: template syntax error: tag is not closed with '}}'"])
        #expect(Self.errors(["page": "{{a b}}"]) == ["layouts/page.mustache:1:3: template syntax error: invalid name 'a b'"])
        #expect(Self.errors(["page": "{{<base}}{{x}}{{/base}}", "base": ""])
            == ["layouts/page.mustache:1:10: template syntax error: only {{$block}} definitions may appear inside {{<parent}}"])
        #expect(Self.errors(["page": "{{=<% =}}"]) == ["layouts/page.mustache:1:1: template syntax error: invalid set-delimiter tag"])
    }

    @Test func partialsThatIncludeThemselvesAreErrors() {
        #expect(Self.errors(["a": "x\n{{>b}}", "b": "{{#y}}{{>a}}{{/y}}", "c": "{{>c}}"]) == [
            "layouts/a.mustache:2:1: template 'a' includes itself: a → b → a",
            "layouts/c.mustache:1:1: template 'c' includes itself: c → c",
        ])
    }

    // MARK: Differential test against swift-mustache

    /// The same value as swift-mustache sees it.
    static func any(_ value: TemplateValue) -> Any {
        switch value {
        case .string(let text): return text
        case .utf8(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .int(let number): return number
        case .bool(let flag): return flag
        case .list(let items): return items.map(any)
        case .object(let fields): return fields.mapValues(any)
        }
    }

    /// Contexts for every page kind of the default theme, with and without the optional values.
    static func themeContexts() -> [(String, TemplateValue)] {
        let card: TemplateValue = [
            "title": "Chips & \"Rules\"", "url": "/blog/chips/", "date": "May 1, 2024", "date_iso": "2024-05-01T00:00:00Z",
            "summary": "Why <export> controls matter.", "authors": [["name": "Ann Lee", "url": "/authors/ann-lee/"], ["name": "Bo"]],
            "categories": [["name": "Trade", "url": "/categories/trade/"], ["name": "Asia", "url": "/categories/asia/"]],
            "image": ["url": "/images/a.svg", "alt": "A chart"],
        ]
        let bare: TemplateValue = ["title": "Plain", "url": "/blog/plain/", "date": "May 2, 2024", "date_iso": "2024-05-02",
                                   "authors": [], "categories": []]
        let site: TemplateValue = [
            "title": "The Harbor", "description": "Policy notes", "language": "en", "base_url": "https://x.org/",
            "root": "/", "home_url": "/", "search_url": "/search/", "feed_url": "/feed.xml", "assets_url": "/assets/",
            "total_publications": 1234, "year": 2026,
            "menu": [["label": "Blog", "url": "/blog/", "is_current": true], ["label": "About", "url": "/about/", "is_current": false]],
            "newsletter": ["action": "/subscribe", "heading": "Mailing list", "text": ""], "params": [:],
        ]
        func page(_ kind: String, _ extra: TemplateFields = [:]) -> TemplateValue {
            var fields: TemplateFields = ["kind": .string(kind), "title": "T", "document_title": "T | The Harbor",
                                                   "description": "D", "url": "/t/", "permalink": "https://x.org/t/",
                                                   "og_type": "website", "noindex": false]
            fields.merge(extra) { _, new in new }
            return .object(fields)
        }
        let author: TemplateValue = ["name": "Ann Lee", "slug": "ann-lee", "url": "/authors/ann-lee/", "title": "Fellow",
                                     "photo": "/images/ann.svg", "bio": "<p>Ann writes.</p>", "feed_url": "/authors/ann-lee/feed.xml",
                                     "count": 2, "params": [:]]
        let pagination: TemplateValue = ["page": 2, "total_pages": 3, "is_paginated": true, "first_url": "/blog/",
                                         "last_url": "/blog/page/3/", "prev_url": "/blog/", "next_url": "/blog/page/3/"]
        let article: TemplateValue = [
            "title": "Chips", "url": "/blog/chips/", "permalink": "https://x.org/blog/chips/", "date": "May 1, 2024",
            "date_iso": "2024-05-01", "updated": "May 3, 2024", "updated_iso": "2024-05-03", "summary": "Dek",
            "content": "<p>Body</p>\n<p>More</p>\n", "word_count": 400, "reading_time": 2,
            "authors": [author, ["name": "Bo", "slug": "bo", "bio": ""]], "authors_label": "Authors",
            "categories": [["name": "Trade", "url": "/categories/trade/"]], "categories_label": "Category",
            "image": ["url": "/images/a.svg", "alt": "A", "credit": "Photo & co"],
            "section": ["title": "Blog", "url": "/blog/", "return_label": "Return to the Blog"], "params": [:],
        ]
        return [
            ("article", ["site": site, "page": page("article", ["image": "https://x.org/a.svg"]), "article": article,
                         "prev": ["title": "Older", "url": "/blog/o/"], "next": ["title": "Newer", "url": "/blog/n/"]]),
            ("section", ["site": site, "page": page("section", ["rel_prev": "/blog/", "feed_url": "/blog/feed.xml"]),
                         "articles": [card, bare, card], "pagination": pagination,
                         "section": ["title": "Blog", "url": "/blog/", "feed_url": "/blog/feed.xml", "count": 3,
                                     "description": "Notes", "content": "<p>Intro</p>"]]),
            ("section", ["site": site, "page": page("section"), "articles": [], "pagination": ["page": 1, "total_pages": 1,
                         "is_paginated": false], "section": ["title": "Empty", "url": "/e/", "count": 0]]),
            ("category", ["site": site, "page": page("category"), "articles": [bare], "pagination": pagination,
                          "category": ["name": "Trade", "url": "/categories/trade/", "count": 1]]),
            ("author", ["site": site, "page": page("author"), "articles": [card], "pagination": pagination, "author": author]),
            ("home", ["site": site, "page": page("home"), "articles": [card, bare], "intro": "<p>Hi</p>",
                      "sections": [["title": "Blog", "url": "/blog/", "count": 3]], "more_url": "/blog/", "more_label": "All 3"]),
            ("categories", ["site": site, "page": page("categories"),
                            "categories": [["name": "Trade", "url": "/categories/trade/", "count": 1, "description": "D"]]]),
            ("authors", ["site": site, "page": page("authors"), "authors": [author]]),
            ("page", ["site": site, "page": page("page", ["content": "<p>About</p>"])]),
            ("404", ["site": site, "page": page("404", ["noindex": true])]),
            ("search", ["site": site, "page": page("search", ["content": "<p>Browse</p>"]),
                        "search": ["manifest_url": "/search/manifest.json", "script_url": "/assets/search.js", "count": 3,
                                   "sections": [["title": "Blog", "url": "/blog/", "count": 3]],
                                   "categories": [["name": "Trade", "url": "/categories/trade/", "count": 1]],
                                   "authors": [["name": "Ann", "url": "/authors/ann/", "count": 2]],
                                   "categories_url": "/categories/", "authors_url": "/authors/"]]),
        ]
    }

    /// Lines without their leading whitespace: swift-mustache indents only the first line of each loop
    /// item inside an indented partial, sitegen indents every line (as the Mustache spec says).
    static func unindented(_ text: String) -> [Substring] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.drop(while: { $0 == " " }) }
    }

    @Test func defaultThemeRendersLikeSwiftMustache() throws {
        var texts: [String: String] = [:]
        for file in EmbeddedFiles.defaultTheme where file.path.hasPrefix("layouts/") && file.path.hasSuffix(".mustache") {
            texts[String(file.path.dropFirst("layouts/".count).dropLast(".mustache".count))] = String(decoding: file.data, as: UTF8.self)
        }
        #expect(texts.count >= 15)
        let (set, diagnostics) = TemplateSet.compile(texts)
        #expect(diagnostics.isEmpty)
        var library = MustacheLibrary()
        for (name, text) in texts { library.register(try MustacheTemplate(string: text), named: name) }
        for (kind, context) in Self.themeContexts() {
            let ours = String(decoding: set.render(PageKind(rawValue: kind)!, context), as: UTF8.self)
            let theirs = try #require(library.render(Self.any(context), withTemplate: kind))
            #expect(ours.count > 1000)
            #expect(Self.unindented(ours) == Self.unindented(theirs), "\(kind)")
        }
    }

    @Test func smallTemplatesRenderExactlyLikeSwiftMustache() throws {
        let context: TemplateValue = ["a": ["b": "c", "list": [["n": "1"], ["n": "2", "x": true]]], "t": "<&>", "e": [],
                                      "yes": true, "no": false, "num": 0, "s": ""]
        let templates = [
            "{{a.b}} {{#a}}{{b}}{{/a}} {{#a.list}}{{n}}{{#x}}!{{/x}}{{^last()}},{{/last()}}{{/a.list}}",
            "{{t}}{{{t}}}{{&t}}{{^e}}empty{{/e}}{{#e}}never{{/e}}{{#yes}}Y{{/yes}}{{^no}}N{{/no}}{{#num}}0{{/num}}{{#s}}S{{/s}}",
            "line\n{{#yes}}\ninside\n{{/yes}}\n{{! note }}\nend\n",
            "{{#a.list}}\n- {{n}}\n{{/a.list}}\n{{^a.list}}\nnone\n{{/a.list}}\n",
            "{{missing}}[{{a.missing.deep}}]{{#missing}}x{{/missing}}{{^missing}}y{{/missing}}",
            "{{count(a.list)}} {{empty(e)}} {{uppercased(t)}} {{#a.list}}{{index()}}{{/a.list}}",
        ]
        for text in templates {
            let mustache = try MustacheTemplate(string: text)
            #expect(Self.render(text, context) == mustache.render(Self.any(context)), "\(text)")
        }
    }
}
