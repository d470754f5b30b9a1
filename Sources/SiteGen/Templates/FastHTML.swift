import Mustache

/// swift-mustache's own HTML escaper looks up every Character in a dictionary; this one works on
/// bytes and gives identical output (`& < > " '`). Every template gets it through a pragma that
/// `TemplateSet` adds on load.
struct FastHTMLContentType: MustacheContentType {
    static let name = "SITEGEN_HTML"
    /// Prepended to every template on its own line (standalone, so it adds no output).
    static let pragma = "{{%CONTENT_TYPE: \(name)}}\n"

    static let registered: Bool = {
        MustacheContentTypes.register(FastHTMLContentType(), named: name)
        return true
    }()

    func escapeText(_ text: String) -> String { HTML.escape(text) }
}
