import Foundation
import Mustache

/// The kinds of page sitegen renders through a layout.
public enum PageKind: String, Sendable, CaseIterable, Comparable {
    case article, section, category, categories, author, authors, home, page
    case notFound = "404"
    case search

    public static func < (a: PageKind, b: PageKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// Layout lookup: the first of these files that exists in `layouts/` renders the kind.
    var layoutCandidates: [String] {
        switch self {
        case .article: return ["article"]
        case .section: return ["section", "list"]
        case .category: return ["category", "section", "list"]
        case .author: return ["author", "section", "list"]
        case .home: return ["home", "section", "list"]
        case .categories: return ["categories"]
        case .authors: return ["authors"]
        case .page: return ["page"]
        case .notFound: return ["404", "page"]
        case .search: return ["search", "page"]
        }
    }
}

/// Every Mustache template under `layouts/`, parsed and checked: syntax errors and references to
/// partials or parents that do not exist are reported with the layout file, line and column.
public struct TemplateSet: Sendable {
    public static let folder = "layouts"
    public static let fileExtension = "mustache"

    let library: MustacheLibrary
    let names: Set<String>
    /// Hash of every template's name and text: when it changes, every page is rendered again.
    public let fingerprint: Fingerprint

    init(library: MustacheLibrary, names: Set<String>, fingerprint: Fingerprint) {
        self.library = library
        self.names = names
        self.fingerprint = fingerprint
    }

    /// Loads `layouts/**/*.mustache` (not `layouts/assets/`) from the source folder.
    public static func load(source: URL) -> (TemplateSet, [Diagnostic]) {
        let root = source.appendingPathComponent(folder)
        var diagnostics: [Diagnostic] = []
        let files = ContentScanner.walk(root, source: source, diagnostics: &diagnostics)
            .filter { $0.hasSuffix("." + fileExtension) && !$0.hasPrefix("assets/") }
        var texts: [String: String] = [:]
        for file in files {
            let path = "\(folder)/\(file)"
            do {
                let bytes = try Array(Data(contentsOf: root.appendingPathComponent(file)))
                texts[String(file.dropLast(fileExtension.count + 1))] = try SourceText.decode(bytes)
            } catch let SourceText.DecodeError.invalidUTF8(line, column) {
                diagnostics.append(Diagnostic(.error, file: path, line: line, column: column,
                                              "template is not valid UTF-8"))
            } catch {
                diagnostics.append(Diagnostic(.error, file: path, "cannot read template: \(error.localizedDescription)"))
            }
        }
        let (set, problems) = compile(texts)
        return (set, diagnostics + problems)
    }

    /// Parses templates given as name → text (names relative to `layouts/`, without extension).
    public static func compile(_ texts: [String: String]) -> (TemplateSet, [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        var library = MustacheLibrary()
        _ = FastHTMLContentType.registered
        for (name, text) in texts.sorted(by: { $0.key < $1.key }) {
            let path = "\(folder)/\(name).\(fileExtension)"
            do {
                library.register(try MustacheTemplate(string: FastHTMLContentType.pragma + text), named: name)
            } catch let error as MustacheTemplate.ParserError {
                // The pragma line shifts everything down by one.
                diagnostics.append(Diagnostic(.error, file: path, line: error.context.lineNumber - 1,
                                              column: error.context.columnNumber,
                                              "template syntax error: \(describe(error.error))",
                                              hint: fix(for: error.error, line: error.context.line)))
            } catch {
                diagnostics.append(Diagnostic(.error, file: path, "template syntax error: \(error)"))
            }
            diagnostics += checkReferences(text, path: path, known: Set(texts.keys))
        }
        var fingerprint = Fingerprint()
        for (name, text) in texts.sorted(by: { $0.key < $1.key }) { fingerprint.add([name, text]) }
        return (TemplateSet(library: library, names: Set(texts.keys), fingerprint: fingerprint), diagnostics)
    }

    /// The template that renders `kind`, or nil when `layouts/` has none of its candidates.
    func layout(for kind: PageKind) -> String? {
        kind.layoutCandidates.first { names.contains($0) }
    }

    /// Renders `kind` with `context`. The layout must exist (checked before rendering starts).
    func render(_ kind: PageKind, _ context: [String: Any]) -> String {
        guard let name = layout(for: kind), let text = library.render(context, withTemplate: name) else { return "" }
        return text
    }

    /// `{{> name}}` and `{{< name}}` must name templates that exist: swift-mustache renders a missing
    /// partial as nothing, which would silently drop part of every page.
    static func checkReferences(_ text: String, path: String, known: Set<String>) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var line = 1, column = 1
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            if scalars[index] == "{", index + 2 < scalars.count, scalars[index + 1] == "{",
               scalars[index + 2] == ">" || scalars[index + 2] == "<" {
                let isParent = scalars[index + 2] == "<"
                var end = index + 3
                var name = ""
                while end < scalars.count, scalars[end] != "}" { name.unicodeScalars.append(scalars[end]); end += 1 }
                name = name.trimmingCharacters(in: .whitespaces)
                if !name.isEmpty, !known.contains(name) {
                    let kind = isParent ? "parent template" : "partial"
                    diagnostics.append(Diagnostic(.error, file: path, line: line, column: column,
                        "unknown \(kind) '\(name)'" + Suggestions.didYouMean(name, in: known),
                        hint: "templates are named by their path under layouts/ without .mustache"))
                }
            }
            if scalars[index] == "\n" { line += 1; column = 1 } else { column += 1 }
            index += 1
        }
        return diagnostics
    }

    /// How to fix a syntax error, with the line it is on when there is one.
    static func fix(for error: Error, line: String) -> String {
        let fix: String
        switch error {
        case MustacheTemplate.Error.sectionCloseNameIncorrect: fix = "close the innermost open section first"
        case MustacheTemplate.Error.unfinishedName: fix = "end the tag with '}}'"
        case MustacheTemplate.Error.expectedSectionEnd: fix = "close every {{#name}} and {{^name}} with {{/name}}"
        case MustacheTemplate.Error.invalidSetDelimiter: fix = "write it as {{=<% %>=}}"
        default: fix = "put everything inside {{<parent}} in {{$block}}…{{/block}} sections"
        }
        let text = line.trimmingCharacters(in: .whitespaces)
        return text.isEmpty ? fix : "\(fix); the line: \(text)"
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case MustacheTemplate.Error.sectionCloseNameIncorrect: return "closing tag does not match the open section"
        case MustacheTemplate.Error.unfinishedName: return "tag is not closed with '}}'"
        case MustacheTemplate.Error.expectedSectionEnd: return "section is never closed"
        case MustacheTemplate.Error.invalidSetDelimiter: return "invalid set-delimiter tag"
        case MustacheTemplate.Error.textInsideInheritSection:
            return "only {{$block}} definitions may appear inside {{<parent}}"
        case MustacheTemplate.Error.illegalTokenInsideInheritSection:
            return "only {{$block}} definitions may appear inside {{<parent}}"
        default: return "\(error)"
        }
    }
}
