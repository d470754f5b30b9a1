import Foundation

/// A value from front matter that has no meaning to sitegen itself, passed to templates as `params`.
public indirect enum ParamValue: Sendable, Equatable {
    case string(String)
    case list([ParamValue])
    case map([String: ParamValue])

    /// The value as the template engine sees it.
    var templateValue: TemplateValue {
        switch self {
        case .string(let text): return .string(text)
        case .list(let items): return .list(items.map(\.templateValue))
        case .map(let map): return Self.templateObject(map)
        }
    }

    /// A map of values (`params` of the site, a page or an author) as one template object.
    static func templateObject(_ map: [String: ParamValue]) -> TemplateValue {
        .object(TemplateFields(map.mapValues(\.templateValue)))
    }
}

/// A value together with the place in a source file it came from.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var position: SourcePosition
    public init(_ value: Value, at position: SourcePosition) {
        self.value = value
        self.position = position
    }
}

/// An image shown with an article: where it is, its alt text and its credit line.
public struct ImageRef: Sendable, Equatable {
    public var url: String
    public var alt: String
    public var credit: String?
}

/// A writer: an author page at `/authors/<slug>/`, a byline and a bio on each of their articles.
public struct Author: Sendable {
    public var slug: String
    public var name: String
    public var role: String?
    public var photo: String?
    public var bioHTML: String
    public var sourcePath: String
    public var params: [String: ParamValue]
}

/// A category of articles, listed at `/categories/<slug>/`.
public struct Category: Sendable {
    public var slug: String
    public var name: String
    public var description: String?
}

/// A blog or other stream of articles: `content/<slug>/`, listed at `/<slug>/`.
public struct Section: Sendable {
    public var slug: String
    public var title: String
    public var description: String
    public var returnLabel: String
    public var introHTML: String
    public var sourcePath: String
}

/// A published article with every reference resolved.
public struct Article: Sendable {
    public var sourcePath: String
    public var section: String
    public var slug: String
    /// Where the slug was set (the `slug:` line, or the top of the file when it comes from the name).
    public var slugPosition: SourcePosition
    public var title: String
    public var date: Date
    public var updated: Date?
    public var authors: [String]
    public var categories: [String]
    public var summary: String
    public var image: ImageRef?
    public var draft: Bool
    public var aliases: [Located<String>]
    public var params: [String: ParamValue]
    /// The rendered body and its plain text (read from the `BodyStore` when they were moved there).
    public var body: MarkdownBody
    public var html: String { body.html }
    public var plainText: String { body.plainText }
    public var wordCount: Int
    /// Changes whenever anything this article's page shows of itself changes.
    public var fingerprint: Fingerprint

    /// The site-relative path of the article's page, e.g. `peninsula/some-title/`.
    public var path: String { Self.path(section: section, slug: slug) }

    /// `path` from the two fields it is made of (for readers that hold a pointer to an article:
    /// calling `path` on `pointee` copied the whole article first).
    static func path(section: String, slug: String) -> String { "\(section)/\(slug)/" }

    /// `path` of the article at `article`, read through the pointer.
    static func path(_ article: UnsafePointer<Article>) -> String {
        path(section: article.pointee.section, slug: article.pointee.slug)
    }

    /// When the article at `article` last changed (`updated`, else `date`), read through the pointer.
    static func lastChanged(_ article: UnsafePointer<Article>) -> Date {
        article.pointee.updated ?? article.pointee.date
    }
}

/// A standalone page such as About: `content/pages/<slug>.md`, served at `/<slug>/`.
public struct StandalonePage: Sendable {
    public var slug: String
    public var slugPosition: SourcePosition
    public var fingerprint: Fingerprint
    public var title: String
    public var description: String
    public var html: String
    public var sourcePath: String
    public var aliases: [Located<String>]
    public var params: [String: ParamValue]
}
