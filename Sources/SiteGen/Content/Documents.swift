import Foundation

/// An article as read from its file: front matter decoded and positioned, body rendered, references
/// (authors, categories) not yet resolved.
public struct ArticleDocument: Sendable {
    public var path: String
    /// Hash of the file's bytes: what incremental rebuilds compare.
    public var fingerprint = Fingerprint()
    public var section: String
    public var slug: Located<String>
    public var title: String
    public var date: Located<Date>
    public var updated: Date?
    public var authors: [Located<String>]
    public var authorsPosition: SourcePosition
    public var categories: [Located<String>]
    public var summary: String?
    public var image: ImageRef?
    public var draft: Bool
    public var aliases: [Located<String>]
    public var params: [String: ParamValue]
    public var body: MarkdownResult
}

public struct AuthorDocument: Sendable {
    public var path: String
    /// Hash of the file's bytes: what incremental rebuilds compare.
    public var fingerprint = Fingerprint()
    public var slug: String
    public var name: String
    public var role: String?
    public var photo: String?
    public var bio: MarkdownResult
    public var params: [String: ParamValue]
}

public struct CategoryDocument: Sendable {
    public var path: String
    /// Hash of the file's bytes: what incremental rebuilds compare.
    public var fingerprint = Fingerprint()
    public var slug: String
    public var name: String
    public var description: String?
}

public struct SectionDocument: Sendable {
    public var path: String
    /// Hash of the file's bytes: what incremental rebuilds compare.
    public var fingerprint = Fingerprint()
    public var slug: String
    public var title: String
    public var description: String
    public var returnLabel: String
    public var intro: MarkdownResult
}

public struct PageDocument: Sendable {
    public var path: String
    /// Hash of the file's bytes: what incremental rebuilds compare.
    public var fingerprint = Fingerprint()
    public var slug: Located<String>
    public var title: String
    public var description: String
    public var draft: Bool
    public var aliases: [Located<String>]
    public var params: [String: ParamValue]
    public var body: MarkdownResult
}

/// Optional `content/_index.md`: the home page's intro.
public struct HomeDocument: Sendable {
    public var path: String
    /// Hash of the file's bytes: what incremental rebuilds compare.
    public var fingerprint = Fingerprint()
    public var title: String?
    public var description: String?
    public var intro: MarkdownResult
}

/// Everything read from `content/`, before the site is assembled.
public struct ContentStore: Sendable {
    public var articles: [ArticleDocument] = []
    public var authors: [AuthorDocument] = []
    public var categories: [CategoryDocument] = []
    public var sections: [SectionDocument] = []
    public var pages: [PageDocument] = []
    public var home: HomeDocument?
    public var staticFiles: [ContentInventory.StaticFile] = []
    public var diagnostics: [Diagnostic] = []
}
