import Foundation
import Testing
@testable import SiteGen

/// A tiny site declared inline, Hugo style:
///
///     -- site.yml --
///     title: Test
///     -- content/blog/a.md --
///     ---
///     title: A
///     ...
///
/// `TestSite.build(files)` writes it to a temporary folder, builds it, and returns the output and the
/// diagnostics. Unless a test declares its own layouts, a minimal set of layouts is added.
struct TestSite {
    let root: URL
    let output: URL

    init(_ text: String, minimalLayouts: Bool = true) throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("sitegen-test-\(UUID().uuidString)")
        output = root.appendingPathComponent("public")
        var files = Self.parse(text)
        if minimalLayouts {
            for (path, body) in Self.minimalLayouts where files[path] == nil { files[path] = body }
        }
        if files["site.yml"] == nil { files["site.yml"] = "title: Test Site\nbase_url: https://example.org/\n" }
        for (path, body) in files { try write(path, body) }
    }

    func write(_ path: String, _ body: String) throws {
        try write(path, Data(body.utf8))
    }

    func write(_ path: String, _ data: Data) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// Builds and returns the report, or the failure's diagnostics.
    func build(options: BuildOptions = BuildOptions(now: TestSite.now), baseURL: String? = nil,
               writes: Bool = true) async -> Result<BuildReport, BuildFailure> {
        let builder = Builder(source: root, output: output, options: options, baseURLOverride: baseURL, writes: writes)
        do {
            return .success(try await builder.build())
        } catch let failure as BuildFailure {
            return .failure(failure)
        } catch {
            return .failure(BuildFailure([Diagnostic(.error, file: "?", "\(error)")]))
        }
    }

    /// Builds and expects success; returns the report.
    @discardableResult
    func buildOK(options: BuildOptions = BuildOptions(now: TestSite.now), baseURL: String? = nil,
                 sourceLocation: SourceLocation = #_sourceLocation) async throws -> BuildReport {
        switch await build(options: options, baseURL: baseURL) {
        case .success(let report): return report
        case .failure(let failure):
            Issue.record("build failed:\n\(failure)", sourceLocation: sourceLocation)
            throw failure
        }
    }

    /// Builds and expects failure; returns the diagnostics as printed lines.
    func buildErrors(sourceLocation: SourceLocation = #_sourceLocation) async -> [String] {
        switch await build() {
        case .success:
            Issue.record("build succeeded but errors were expected", sourceLocation: sourceLocation)
            return []
        case .failure(let failure):
            return failure.diagnostics.map(\.description)
        }
    }

    func read(_ path: String) throws -> String {
        try String(contentsOf: output.appendingPathComponent(path), encoding: .utf8)
    }

    func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: output.appendingPathComponent(path).path)
    }

    /// Every file in the output, relative, sorted.
    func outputFiles() -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: output.path) else { return [] }
        var files: [String] = []
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: output.appendingPathComponent(path).path, isDirectory: &isDirectory)
            if !isDirectory.boolValue { files.append(path) }
        }
        return files.sorted()
    }

    /// Hugo-style assertions: one expectation per line; a line starting with "! " must not appear.
    func expect(_ path: String, _ checks: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let text = try read(path)
        Self.expect(text, checks, name: path, sourceLocation: sourceLocation)
    }

    static func expect(_ text: String, _ checks: String, name: String = "text",
                       sourceLocation: SourceLocation = #_sourceLocation) {
        for line in checks.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) where !line.isEmpty {
            if line.hasPrefix("! ") {
                let needle = String(line.dropFirst(2))
                #expect(!text.contains(needle), "\(name) should not contain: \(needle)", sourceLocation: sourceLocation)
            } else {
                #expect(text.contains(line), "\(name) should contain: \(line)", sourceLocation: sourceLocation)
            }
        }
    }

    static let now = DateParser.parse("2026-01-01T00:00:00Z", timeZone: TimeZone(identifier: "UTC")!)!

    static func parse(_ text: String) -> [String: String] {
        var files: [String: String] = [:]
        var current: String?
        var lines: [Substring] = []
        func flush() {
            if let current { files[current] = lines.joined(separator: "\n") + "\n" }
            lines = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("-- "), trimmed.hasSuffix(" --"), trimmed.count > 6 {
                flush()
                current = String(trimmed.dropFirst(3).dropLast(3))
            } else if current != nil {
                lines.append(line)
            }
        }
        flush()
        return files
    }

    /// Small layouts that print every field tests look at, so tests do not depend on the theme.
    static let minimalLayouts: [String: String] = [
        "layouts/base.mustache": """
            <!doctype html><html lang="{{site.language}}"><head><title>{{page.document_title}}</title>
            <link rel="canonical" href="{{page.permalink}}">{{#page.rel_prev}}<link rel="prev" href="{{.}}">{{/page.rel_prev}}{{#page.rel_next}}<link rel="next" href="{{.}}">{{/page.rel_next}}
            <meta property="og:description" content="{{page.description}}">{{#page.image}}<meta property="og:image" content="{{.}}">{{/page.image}}</head>
            <body><header>Total Index: {{site.total_publications}} publications <form action="{{site.search_url}}"></form>
            <link href="{{site.assets_url}}style.css"></header>{{$main}}{{/main}}</body></html>
            """,
        "layouts/article.mustache": """
            {{<base}}{{$main}}<h1>{{article.title}}</h1><p>Published {{article.date}}</p>
            {{#article.updated}}<p>Updated {{article.updated}}</p>{{/article.updated}}
            <p>{{article.authors_label}}: {{#article.authors}}<a href="{{url}}">{{name}}</a>{{^last()}}, {{/last()}}{{/article.authors}}</p>
            <p>{{article.categories_label}}: {{#article.categories}}<a href="{{url}}">{{name}}</a>{{^last()}}, {{/last()}}{{/article.categories}}</p>
            {{#article.image}}<img src="{{url}}" alt="{{alt}}">{{#credit}}<p>Photo: {{.}}</p>{{/credit}}{{/article.image}}
            <div class="body">{{{article.content}}}</div>
            {{#article.authors}}<div class="bio">{{name}} {{title}} {{{bio}}}</div>{{/article.authors}}
            <a class="return" href="{{article.section.url}}">{{article.section.return_label}}</a>
            {{#prev}}<a rel="prev" href="{{url}}">{{title}}</a>{{/prev}}{{#next}}<a rel="next" href="{{url}}">{{title}}</a>{{/next}}
            <p>params: {{article.params.subtitle}}</p>
            {{/main}}{{/base}}
            """,
        "layouts/partials/list.mustache": """
            <ol>{{#articles}}<li><a href="{{url}}">{{title}}</a> {{date}} {{#authors}}{{name}};{{/authors}} {{summary}}</li>{{/articles}}</ol>
            {{^articles}}<p>No articles.</p>{{/articles}}
            {{#pagination}}<p>Page {{page}} of {{total_pages}}</p>{{#prev_url}}<a href="{{.}}">Newer</a>{{/prev_url}}{{#next_url}}<a href="{{.}}">Older</a>{{/next_url}}{{/pagination}}
            """,
        "layouts/section.mustache": "{{<base}}{{$main}}<h1>{{section.title}}</h1>{{>partials/list}}{{/main}}{{/base}}",
        "layouts/category.mustache": "{{<base}}{{$main}}<h1>{{category.name}} ({{category.count}})</h1>{{>partials/list}}{{/main}}{{/base}}",
        "layouts/author.mustache": "{{<base}}{{$main}}<h1>{{author.name}}</h1><p>{{author.title}}</p>{{{author.bio}}}{{>partials/list}}{{/main}}{{/base}}",
        "layouts/home.mustache": "{{<base}}{{$main}}<h1>{{site.title}}</h1>{{>partials/list}}<a href=\"{{more_url}}\">{{more_label}}</a>{{/main}}{{/base}}",
        "layouts/categories.mustache": "{{<base}}{{$main}}<ul>{{#categories}}<li><a href=\"{{url}}\">{{name}}</a> ({{count}})</li>{{/categories}}</ul>{{/main}}{{/base}}",
        "layouts/authors.mustache": "{{<base}}{{$main}}<ul>{{#authors}}<li><a href=\"{{url}}\">{{name}}</a> ({{count}})</li>{{/authors}}</ul>{{/main}}{{/base}}",
        "layouts/page.mustache": "{{<base}}{{$main}}<h1>{{page.title}}</h1>{{{page.content}}}{{/main}}{{/base}}",
        "layouts/404.mustache": "{{<base}}{{$main}}<h1>Not found</h1>{{/main}}{{/base}}",
    ]
}

/// Front matter and body of a typical article, for tests that vary one thing.
func article(title: String = "Hello", date: String = "2024-05-01", authors: String = "[ann-lee]",
             categories: String = "[Security]", extra: String = "", body: String = "Body text.") -> String {
    """
    ---
    title: \(title)
    date: \(date)
    authors: \(authors)
    categories: \(categories)
    \(extra)
    ---
    \(body)
    """
}

let annLee = """

-- content/authors/ann-lee.md --
---
name: Ann Lee
title: Senior Fellow
---
Ann writes about *security*.
-- content/blog/_index.md --
---
title: The Peninsula
return_label: Return to the Peninsula
---

"""
