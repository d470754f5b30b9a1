import Foundation

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

/// Every Mustache template under `layouts/`, parsed and checked: syntax errors, references to
/// partials or parents that do not exist and partials that include themselves are reported with the
/// layout file, line and column.
public struct TemplateSet: Sendable {
    public static let folder = "layouts"
    public static let fileExtension = "mustache"

    /// Every template that parsed, compiled into one program.
    let program: TemplateProgram
    /// Every template's name, including those with syntax errors (so that one error is reported once).
    let names: Set<String>
    /// Hash of every template's name and text: when it changes, every page is rendered again.
    public let fingerprint: Fingerprint

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
        var templates: [String: [TemplateNode]] = [:]
        var references: [String: [Reference]] = [:]
        for (name, text) in texts.sorted(by: { $0.key < $1.key }) {
            let path = "\(folder)/\(name).\(fileExtension)"
            do {
                templates[name] = try TemplateParser.parse(text)
            } catch {
                diagnostics.append(Diagnostic(.error, file: path, line: error.line, column: error.column,
                                              "template syntax error: \(error.message)", hint: error.fix))
            }
            references[name] = Self.references(in: text)
            diagnostics += checkReferences(references[name]!, path: path, known: Set(texts.keys))
        }
        diagnostics += checkCycles(references)
        var fingerprint = Fingerprint()
        for (name, text) in texts.sorted(by: { $0.key < $1.key }) { fingerprint.add([name, text]) }
        return (TemplateSet(program: TemplateProgram(templates), names: Set(texts.keys), fingerprint: fingerprint),
                diagnostics)
    }

    /// The template that renders `kind`, or nil when `layouts/` has none of its candidates.
    func layout(for kind: PageKind) -> String? {
        kind.layoutCandidates.first { names.contains($0) }
    }

    /// Renders `kind` with `context`. The layout must exist (checked before rendering starts).
    func render(_ kind: PageKind, _ context: TemplateValue, memo: PartialMemo? = nil) -> [UInt8] {
        guard let name = layout(for: kind) else { return [] }
        return render(template: name, context, memo: memo)
    }

    /// Renders the template `name`; empty when it does not exist or did not parse. With `memo`,
    /// partials rendered on list items are kept there for other pages of the build.
    func render(template name: String, _ context: TemplateValue, memo: PartialMemo? = nil) -> [UInt8] {
        guard let number = program.numbers[name] else { return [] }
        return TemplateRenderer.render(program, template: number, context: context, memo: memo)
    }

    /// A `{{>name}}` or `{{<name}}` tag and where it is.
    struct Reference {
        var name: String
        var isParent: Bool
        var line: Int
        var column: Int
    }

    /// Every partial and parent tag of a template (with the default delimiters).
    static func references(in text: String) -> [Reference] {
        var found: [Reference] = []
        var line = 1, column = 1
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            if scalars[index] == "{", index + 2 < scalars.count, scalars[index + 1] == "{",
               scalars[index + 2] == ">" || scalars[index + 2] == "<" {
                var end = index + 3
                var name = ""
                while end < scalars.count, scalars[end] != "}" { name.unicodeScalars.append(scalars[end]); end += 1 }
                name = name.trimmingCharacters(in: .whitespaces)
                if !name.isEmpty {
                    found.append(Reference(name: name, isParent: scalars[index + 2] == "<", line: line, column: column))
                }
            }
            if scalars[index] == "\n" { line += 1; column = 1 } else { column += 1 }
            index += 1
        }
        return found
    }

    /// `{{> name}}` and `{{< name}}` must name templates that exist: a missing partial would
    /// silently drop part of every page.
    static func checkReferences(_ references: [Reference], path: String, known: Set<String>) -> [Diagnostic] {
        references.filter { !known.contains($0.name) }.map { reference in
            let kind = reference.isParent ? "parent template" : "partial"
            return Diagnostic(.error, file: path, line: reference.line, column: reference.column,
                "unknown \(kind) '\(reference.name)'" + Suggestions.didYouMean(reference.name, in: known),
                hint: "templates are named by their path under layouts/ without .mustache")
        }
    }

    /// A template that includes itself, directly or through others, would never finish rendering.
    static func checkCycles(_ references: [String: [Reference]]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var reported: Set<String> = []
        for start in references.keys.sorted() {
            // Depth-first search for a path from `start` back to itself.
            var path: [(name: String, via: Reference?)] = [(start, nil)]
            var visited: Set<String> = [start]
            func search(_ name: String) -> Bool {
                for reference in references[name] ?? [] {
                    if reference.name == start { path.append((start, reference)); return true }
                    guard references[reference.name] != nil, visited.insert(reference.name).inserted else { continue }
                    path.append((reference.name, reference))
                    if search(reference.name) { return true }
                    path.removeLast()
                }
                return false
            }
            guard search(start), let first = path.dropFirst().first?.via else { continue }
            let cycle = path.map(\.name)
            guard reported.insert(Set(cycle).sorted().joined(separator: " ")).inserted else { continue }
            diagnostics.append(Diagnostic(.error, file: "\(folder)/\(start).\(fileExtension)", line: first.line,
                column: first.column, "template '\(start)' includes itself: \(cycle.joined(separator: " → "))",
                hint: "a partial or parent must not include the template that uses it"))
        }
        return diagnostics
    }
}
