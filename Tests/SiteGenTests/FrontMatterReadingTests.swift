import Foundation
import Testing
@testable import SiteGen

/// What the typed readers of `YAMLFields` make of front matter: the value and every diagnostic with
/// its file:line:column, on the simple shape (read without libyaml) and on YAML only Yams reads.
/// The blocks start on line 2 of `a.md`, as after a `---` line.
@Suite("Front-matter reading")
struct FrontMatterReadingTests {
    /// What `read` returns from `yaml`, then each diagnostic in compiler style.
    static func reading<T>(_ yaml: String, _ read: (inout YAMLFields) -> T?) -> String {
        var fields = YAMLFields(yaml: yaml, file: "a.md", firstLine: 2)
        let value = read(&fields)
        return ([value.map(show) ?? "nil"] + fields.diagnostics.map(\.description)).joined(separator: "\n")
    }

    static func show(_ value: Any) -> String {
        switch value {
        case let text as String: return text.debugDescription
        case let list as [(String, SourcePosition)]:
            return "[" + list.map { "\($0.0.debugDescription)@\(at($0.1))" }.joined(separator: ", ") + "]"
        case let fields as YAMLFields:
            return fields.fields.map { "\($0.key)@\(at($0.keyPosition))=\(at($0.position))" }.joined(separator: ", ")
                + fields.diagnostics.map { "\n" + $0.description }.joined()
        case let params as [String: ParamValue]: return show(ParamValue.map(params))
        case let param as ParamValue:
            switch param {
            case .string(let text): return text
            case .list(let items): return "[" + items.map(show).joined(separator: ",") + "]"
            case .map(let map): return "{" + map.keys.sorted().map { "\($0)=\(show(map[$0]!))" }.joined(separator: ",") + "}"
            }
        default: return "\(value)"
        }
    }

    static func at(_ position: SourcePosition) -> String { "\(position.line):\(position.column)" }

    static let notFlag = "'draft' must be true or false"

    @Test func flagsAcceptYAML11SpellingsQuotedOrNot() {
        #expect(Self.reading("draft: yes") { $0.bool("draft") } == "true")
        #expect(Self.reading("draft: \"yes\"") { $0.bool("draft") } == "true")
        #expect(Self.reading("draft: OFF") { $0.bool("draft") } == "false")
        #expect(Self.reading("title: x\ndraft: On") { $0.bool("draft") } == "true")
        #expect(Self.reading("draft: ~") { $0.bool("draft") } == "nil")
        #expect(Self.reading("draft: null") { $0.bool("draft") } == "nil")
        #expect(Self.reading("draft: \"~\"") { $0.bool("draft") } ==
                "nil\na.md:2:8: error: \(Self.notFlag)\na.md:2:8: note: found '~'")
        #expect(Self.reading("draft: 1") { $0.bool("draft") } ==
                "nil\na.md:2:8: error: \(Self.notFlag)\na.md:2:8: note: found '1'")
        #expect(Self.reading("draft: [true]") { $0.bool("draft") } ==
                "nil\na.md:2:8: error: \(Self.notFlag)\na.md:2:8: note: found a list")
        #expect(Self.reading("draft:\n  a: b") { $0.bool("draft") } ==
                "nil\na.md:3:3: error: \(Self.notFlag)\na.md:3:3: note: found a mapping")
    }

    @Test func numbersAreDecimalTextQuotedOrNot() {
        let range = "'n' must be a whole number from 0 to 100"
        #expect(Self.reading("n: \"12\"") { $0.int("n", range: 0...100) } == "12")
        #expect(Self.reading("n: 100") { $0.int("n", range: 0...100) } == "100")
        #expect(Self.reading("n: ~") { $0.int("n", range: 0...100) } == "nil")
        #expect(Self.reading("n: 0x10") { $0.int("n", range: 0...100) } ==
                "nil\na.md:2:4: error: \(range)\na.md:2:4: note: found '0x10'")
        #expect(Self.reading("x: 1\nn: -5") { $0.int("n", range: 0...100) } ==
                "nil\na.md:3:4: error: \(range)\na.md:3:4: note: found '-5'")
    }

    @Test func textKeepsDatesAndQuotesAndReportsWrongKinds() {
        let missing = "a.md:1:1: error: missing required key 'title'\n"
            + "a.md:1:1: note: add a line 'title: …' between the '---' lines at the top of the file"
        #expect(Self.reading("title: 2024-01-02") { $0.string("title") } == "\"2024-01-02\"")
        #expect(Self.reading("title: 'it''s'") { $0.string("title") } == "\"it\\'s\"")
        #expect(Self.reading("title: \"123\"") { $0.string("title", required: true) } == "\"123\"")
        #expect(Self.reading("title: null") { $0.string("title", required: true) } == "nil\n" + missing)
        #expect(Self.reading("other: x") { $0.string("title", required: true) } == "nil\n" + missing)
        #expect(Self.reading("title: ''") { $0.string("title", required: true) } ==
                "nil\na.md:2:8: error: 'title' must not be empty\n"
                + "a.md:2:8: note: write a value after 'title:', in quotes if it starts with a special character")
        #expect(Self.reading("title: \" \"") { $0.string("title") } == "nil")
        #expect(Self.reading("title: [a]") { $0.string("title") } ==
                "nil\na.md:2:8: error: 'title' must be a text value\na.md:2:8: note: found a list")
        #expect(Self.reading("summary: |\n  one\n  two\nx: y") { $0.string("summary") } == "\"one\\ntwo\\n\"")
        #expect(Self.reading("summary: >\n  one\n  two\nx: y") { $0.string("summary") } == "\"one two\\n\"")
    }

    @Test func listsTakeOneTextAndReportEachBadEntry() {
        let entry = "error: each entry of 'authors' must be a non-empty text value"
        let entryHint = "note: write the entries as text, e.g. authors: [a, b]"
        #expect(Self.reading("authors: [a, \"b c\"]") { $0.stringList("authors") } == "[\"a\"@2:11, \"b c\"@2:14]")
        #expect(Self.reading("authors: \"123\"") { $0.stringList("authors") } == "[\"123\"@2:10]")
        #expect(Self.reading("authors: abc") { $0.stringList("authors") } == "[\"abc\"@2:10]")
        #expect(Self.reading("authors: 'x'") { $0.stringList("authors") } == "[\"x\"@2:10]")
        #expect(Self.reading("authors: \"\"") { $0.stringList("authors") } == "[]")
        #expect(Self.reading("authors: 123") { $0.stringList("authors") } ==
                "nil\na.md:2:10: error: 'authors' must be a list, e.g. authors: [a, b]\na.md:2:10: note: found '123'")
        #expect(Self.reading("authors: []") { $0.stringList("authors", required: true) } ==
                "[]\na.md:2:10: error: 'authors' must list at least one entry\na.md:2:10: note: e.g. authors: [a, b]")
        #expect(Self.reading("authors:\n  - a\n  - ''\n  - [x]\n  - 5") { $0.stringList("authors") } ==
                "[\"a\"@3:5, \"5\"@6:5]\na.md:4:5: \(entry)\na.md:4:5: \(entryHint)\na.md:5:5: \(entry)\na.md:5:5: \(entryHint)")
        #expect(Self.reading("authors:\n  - ''") { $0.stringList("authors", required: true) } ==
                "[]\na.md:3:5: \(entry)\na.md:3:5: \(entryHint)")
        // An alias reads as the anchored value, at the anchor's position.
        #expect(Self.reading("a: &x [p, q]\nb: *x") { $0.stringList("b") } == "[\"p\"@2:8, \"q\"@2:11]")
    }

    @Test func nestedMappingsKeepPositions() {
        #expect(Self.reading("newsletter:\n  action: /x\n  extra: [1]\n  \"q\": 'z'") { $0.mapping("newsletter") } ==
                "action@3:3=3:11, extra@4:3=4:10, q@5:3=5:8")
        #expect(Self.reading("newsletter: {a: 1, [b]: 2}") { $0.mapping("newsletter") } == "a@2:14=2:17")
        #expect(Self.reading("newsletter: x") { $0.mapping("newsletter") } ==
                "nil\na.md:2:13: error: 'newsletter' must be a mapping of keys to values\na.md:2:13: note: found 'x'")
    }

    @Test func unknownKeysBecomeParams() {
        let yaml = "title: t\nx: {a: 1, b: [c, \"d\"], e: {f: ~}}\ny: ~\nz: 'w'\nlist: [1, [2]]"
        #expect(Self.reading(yaml) { FrontMatterParams.collect($0, known: ["title"]) } ==
                "{list=[1,[2]],x={a=1,b=[c,d],e={f=~}},y=~,z=w}")
    }

    @Test func malformedFrontMatterReportsTheSpot() {
        func keys(_ fields: inout YAMLFields) -> String? {
            fields.parsed ? fields.fields.map(\.key).joined(separator: ",") : nil
        }
        #expect(Self.reading("", keys) == "\"\"")
        #expect(Self.reading("a: 1\nb: 2\na: 3", keys) ==
                "nil\na.md:4:1: error: duplicate key 'a'\na.md:4:1: note: first defined on line 2; keep one")
        #expect(Self.reading("\"1\": a\n1: b", keys) ==
                "\"1\"\na.md:3:1: error: duplicate key '1'\na.md:3:1: note: first defined on line 2; keep one")
        #expect(Self.reading("[a]: x\nb: y", keys) ==
                "\"b\"\na.md:2:1: error: keys must be plain names\n"
                + "a.md:2:1: note: write one 'name: value' per line; a key cannot be a list or a mapping")
        #expect(Self.reading("- a\n- b", keys) ==
                "nil\na.md:2:1: error: front matter must be a mapping of keys to values\n"
                + "a.md:2:1: note: write one 'key: value' per line")
        #expect(Self.reading("just text", keys) ==
                "nil\na.md:2:1: error: front matter must be a mapping of keys to values\n"
                + "a.md:2:1: note: write one 'key: value' per line")
        let quoteHint = "note: quote values that contain ':', '#', '[' or start with a special character"
        #expect(Self.reading("title: x\nauthors: [a", keys) ==
                "nil\na.md:4:1: error: invalid YAML: did not find expected ',' or ']'"
                + " (while parsing a flow sequence on line 3)\na.md:4:1: \(quoteHint)")
        #expect(Self.reading("title: a: b", keys) ==
                "nil\na.md:2:9: error: invalid YAML: mapping values are not allowed in this context\na.md:2:9: \(quoteHint)")
    }

    @Test func menuEntriesNeedALabelAndAURL() {
        let yaml = "title: T\nmenu:\n  - label: A\n    url: /a/\n  - {label: B}\n  - x\n  - \"label\": Q\n    'url': /q/"
        let (config, diagnostics) = SiteConfig.parse(yaml, file: "site.yml")
        #expect(config?.menu.map { "\($0.label) \($0.url)" } == ["A /a/", "Q /q/"])
        let needs = "error: each menu entry needs 'label' and 'url'"
        #expect(diagnostics.map(\.description).map { $0.components(separatedBy: "\n")[0] } ==
                ["site.yml:5:5: \(needs)", "site.yml:6:5: \(needs)"])
    }
}
