// libFuzzer target `document`: bytes of an article file through what `ContentLoader` does with it
// (decode, split, YAML, DocumentDecoder.article with its Markdown body rendered by cmark-gfm with every
// extension sitegen enables, in safe mode, with a base path), plus the escapers the output uses.
// Linked with the SiteGen module built with coverage by `.ci/fuzz/run`.

import CCmarkGFM
import Foundation
@testable import SiteGen

@_cdecl("LLVMFuzzerTestOneInput")
public func documentFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let text = try? SourceText.decode(bytes) else { return 0 }
    let config = SiteConfig(title: "Fuzz", baseURL: "https://example.org/blog/")
    let markdown = MarkdownRenderer(unsafeHTML: false, rootPath: "/blog/")
    // The whole file as Markdown, and the body after the front matter as an article.
    check(markdown.render(text))
    guard let split = try? FrontMatterSplitter.split(text) else { return 0 }
    var fields = YAMLFields(yaml: split.yaml, file: "content/blog/a.md", firstLine: split.yamlFirstLine)
    guard fields.parsed else { return 0 }
    let decoder = DocumentDecoder(config: config, markdown: markdown)
    if case .article(let article) = decoder.article("content/blog/a.md", "blog", split, &fields) {
        check(article.body)
        _ = XML.escape(article.title)
        _ = HTML.escape(article.summary ?? "")
        for alias in article.aliases { precondition(OutputPath.isContained(OutputPath.file(for: alias.value))) }
        precondition(Slug.isValid(article.slug.value) || article.slug.value == "a")
    }
    return 0
}

/// Safe mode: no script, no javascript: link, unique heading ids; XML escaping leaves no markup.
func check(_ result: MarkdownResult) {
    let html = result.html.lowercased()
    precondition(!html.contains("<script"), "script tag in safe-mode output")
    for attribute in ["href=\"javascript:", "src=\"javascript:", "href=\"vbscript:", "src=\"vbscript:"] {
        precondition(!html.contains(attribute), "\(attribute) in safe-mode output")
    }
    let ids = result.headings.map(\.id)
    precondition(Set(ids).count == ids.count, "duplicate heading ids \(ids)")
    precondition(result.wordCount >= 0)
    let escaped = XML.escape(result.html)
    precondition(!escaped.contains("<"), "XML.escape left a '<'")
}
