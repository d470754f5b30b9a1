import Foundation

/// The assembled site: every article published in this build, with authors, categories and sections
/// resolved and every list pre-sorted. Pipelines read it; nothing changes it after assembly.
public struct Site: Sendable {
    public var config: SiteConfig
    public var urls: SiteURLs
    public var dates: DateFormatting
    /// Newest first (date, then title, then path, for a stable order).
    public var articles: [Article]
    public var sections: [Section]
    /// Sorted A–Z by name.
    public var authors: [Author]
    /// Sorted A–Z by name.
    public var categories: [Category]
    public var pages: [StandalonePage]
    public var home: HomeDocument?
    public var staticFiles: [ContentInventory.StaticFile]
    public var buildDate: Date
    /// Everything every page depends on: configuration, the publication count, authors, categories,
    /// sections. When it changes, every page is rendered again.
    public var fingerprint: Fingerprint

    /// Article indices (into `articles`, so newest first) per section, author and category slug.
    public var articlesBySection: [String: [Int]]
    public var articlesByAuthor: [String: [Int]]
    public var articlesByCategory: [String: [Int]]
    public var authorIndex: [String: Int]
    public var categoryIndex: [String: Int]
    public var sectionIndex: [String: Int]

    public func author(_ slug: String) -> Author? { authorIndex[slug].map { authors[$0] } }
    public func category(_ slug: String) -> Category? { categoryIndex[slug].map { categories[$0] } }
    public func section(_ slug: String) -> Section? { sectionIndex[slug].map { sections[$0] } }
}

/// What to include in a build beyond the published articles.
public struct BuildOptions: Sendable {
    public var drafts: Bool
    public var future: Bool
    public var now: Date
    public init(drafts: Bool = false, future: Bool = false, now: Date = Date()) {
        self.drafts = drafts
        self.future = future
        self.now = now
    }
}
