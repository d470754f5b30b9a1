// libFuzzer target `frontmatter`: bytes of a Markdown file → SourceText.decode → FrontMatterSplitter
// → YAMLFields and the typed readers, plus the helpers that see front-matter text (dates, slugs,
// output paths). Linked with the SiteGen module built with coverage by `.ci/fuzz/run`.
// A crash, a trap or a broken invariant (checked with `precondition`) is a finding.

import Foundation
@testable import SiteGen

@_cdecl("LLVMFuzzerTestOneInput")
public func frontMatterFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let text = try? SourceText.decode(bytes) else { return 0 }
    precondition(!text.utf8.contains(13), "decoded text still has a carriage return")
    let lineCount = text.utf8.reduce(1) { $1 == 10 ? $0 + 1 : $0 }
    let split: SplitDocument
    do {
        split = try FrontMatterSplitter.split(text)
    } catch {
        return 0
    }
    // The body is exactly the lines after the closing fence.
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    precondition(split.yamlFirstLine == 2 && split.bodyFirstLine >= 3 && split.bodyFirstLine <= lines.count + 1)
    precondition(lines.dropFirst(split.bodyFirstLine - 1).joined(separator: "\n") == split.body, "body mismatch")
    precondition(lines[1..<(split.bodyFirstLine - 2)].joined(separator: "\n") == split.yaml, "yaml mismatch")

    var fields = YAMLFields(yaml: split.yaml, file: "content/blog/a.md", firstLine: split.yamlFirstLine)
    if fields.parsed {
        _ = fields.string("title", required: true)
        _ = fields.stringList("authors", required: true)
        _ = fields.stringList("aliases")
        _ = fields.bool("draft")
        _ = fields.int("per_page", range: 1...1000)
        if var nested = fields.mapping("newsletter") { _ = nested.string("action", required: true) }
        fields.checkUnknownKeys(["title", "date", "authors", "categories", "slug", "aliases"], passThrough: true)
        for field in fields.fields {
            guard case .scalar(let scalar) = field.value else { continue }
            let value = scalar.string
            _ = DateParser.parse(value, timeZone: TimeZone(identifier: "UTC")!)
            let slug = Slug.make(value)
            if !slug.isEmpty && slug.count <= 200 { precondition(Slug.isValid(slug), "Slug.make gave an invalid slug") }
            if let path = OutputPath.normalize(value) {
                precondition(OutputPath.isContained(OutputPath.file(for: path)), "alias leaves the output: \(value)")
            }
        }
    }
    for diagnostic in fields.diagnostics {
        precondition(diagnostic.line >= 1 && diagnostic.line <= lineCount + 1, "diagnostic line \(diagnostic.line) of \(lineCount)")
        precondition(diagnostic.column >= 1)
        _ = diagnostic.description
    }
    return 0
}
