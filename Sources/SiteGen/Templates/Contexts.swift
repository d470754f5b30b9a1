import Foundation

/// Builds the values templates see. One function per page kind; every URL is final (base path
/// included), dates are formatted, lists sorted and pagination computed: templates hold no logic.
///
/// Precedence of values a template sees (highest first): computed fields (urls, dates, counts) >
/// front matter of the page's file > the section's `_index.md` > `site.yml` > built-in defaults.
struct Contexts: Sendable {
    let site: Site
    private let cards: Memo<TemplateValue>
    private let feedEntries: Memo<[UInt8]>
    /// `site.*` for each combination of current menu items (a bit per item), made once.
    private let siteByMenu: SiteValuesByMenu
    /// An author's values as article pages show them (no count), made once per author.
    private let authorObjects: Memo<TemplateValue>
    /// `authorLink` and `categoryLink` as values, made once per author and category: the cards of
    /// all their articles share them (one allocation instead of one per card, and list pages then
    /// read a few hundred objects that stay in cache instead of a copy in each card).
    private let authorLinks: Memo<TemplateValue>
    private let categoryLinks: Memo<TemplateValue>
    /// The menu items' URLs, resolved once: every page compares them with its own.
    private let menuURLs: [String]

    init(site: Site) {
        self.site = site
        self.menuURLs = site.config.menu.map { site.urls.resolve($0.url) }
        self.cards = Memo(count: site.articles.count)
        self.authorObjects = Memo(count: site.authors.count)
        self.authorLinks = Memo(count: site.authors.count)
        self.categoryLinks = Memo(count: site.categories.count)
        self.siteByMenu = SiteValuesByMenu()
        // An entry is dropped after its last feed: each feed holds the newest `entryLimit` of its list.
        var uses = [Int](repeating: 0, count: site.articles.count)
        for indices in FeedPipeline.feedLists(site) {
            for index in indices.prefix(FeedPipeline.entryLimit) { uses[index] += 1 }
        }
        self.feedEntries = Memo(count: site.articles.count, uses: uses)
    }

    /// `site.*` as a value: the same on every page apart from the menu's current items, so it is made
    /// once per combination of those (a few per site) instead of once per page.
    func siteObject(currentPath: String) -> TemplateValue {
        guard site.config.menu.count < Int.bitWidth else { return .object(siteValues(currentPath: currentPath)) }
        let current = site.urls.link(currentPath)
        var key = 0
        for (number, url) in menuURLs.enumerated() where isCurrent(url, current) { key |= 1 << number }
        return siteByMenu.value(key) { .object(siteValues(currentPath: currentPath)) }
    }

    private func isCurrent(_ url: String, _ current: String) -> Bool {
        url == current || (url != site.urls.root && current.hasPrefix(url))
    }

    /// `site.*`: the same on every page, apart from the menu's current item.
    func siteValues(currentPath: String) -> TemplateFields {
        let config = site.config
        let current = site.urls.link(currentPath)
        var values: TemplateFields = [
            "title": .string(config.title), "description": .string(config.description),
            "language": .string(config.language),
            "base_url": .string(site.urls.base), "root": .string(site.urls.root), "home_url": .string(site.urls.link("")),
            "search_url": .string(site.urls.link("search/")), "feed_url": .string(site.urls.link("feed.xml")),
            "assets_url": .string(site.urls.link("assets/")), "total_publications": .int(site.articles.count),
            "year": .int(site.dates.year(site.buildDate)),
            "menu": .list(config.menu.map { item -> TemplateValue in
                let url = site.urls.resolve(item.url)
                return ["label": .string(item.label), "url": .string(url), "is_current": .bool(isCurrent(url, current))]
            }),
            "params": ParamValue.templateObject(config.params),
        ]
        if let newsletter = config.newsletter {
            var form: TemplateFields = ["action": .string(site.urls.resolve(newsletter.action)),
                                        "heading": .string(newsletter.heading)]
            if !newsletter.text.isEmpty { form["text"] = .string(newsletter.text) }
            values["newsletter"] = .object(form)
        }
        return values
    }

    /// `page.*` for a page at `path` (site-relative, e.g. `peninsula/x/`).
    func pageValues(kind: PageKind, path: String, title: String, description: String,
                    image: String? = nil, feedPath: String? = nil) -> TemplateFields {
        var values: TemplateFields = [
            "kind": .string(kind.rawValue), "title": .string(title),
            "document_title": .string(kind == .home ? site.config.title : "\(title) | \(site.config.title)"),
            "description": .string(description.isEmpty ? site.config.description : description),
            "url": .string(site.urls.link(path)), "permalink": .string(site.urls.permalink(path)),
            "og_type": .string(kind == .article ? "article" : "website"), "noindex": .bool(kind == .notFound),
        ]
        if let image { values["image"] = .string(site.urls.absolute(image)) }
        if let feedPath { values["feed_url"] = .string(site.urls.link(feedPath)) }
        return values
    }

    /// `site` and `page`, plus `extraPage` merged into `page`.
    func base(kind: PageKind, path: String, title: String, description: String,
              image: String? = nil, feedPath: String? = nil, extraPage: TemplateFields = [:]) -> TemplateFields {
        var page = pageValues(kind: kind, path: path, title: title, description: description,
                              image: image, feedPath: feedPath)
        page.merge(extraPage) { _, new in new }
        return ["site": siteObject(currentPath: path), "page": .object(page)]
    }

    // MARK: Shared pieces

    func authorLink(_ slug: String) -> TemplateFields {
        guard let author = site.author(slug) else { return [:] }
        return ["name": .string(author.name), "url": .string(site.urls.link("authors/\(slug)/"))]
    }

    func categoryLink(_ slug: String) -> TemplateFields {
        guard let category = site.category(slug) else { return [:] }
        return ["name": .string(category.name), "url": .string(site.urls.link("categories/\(slug)/"))]
    }

    /// `authorLink(slug)` as a value, made once per author.
    func authorLinkObject(_ slug: String) -> TemplateValue {
        guard let index = site.authorIndex[slug] else { return .object([:]) }
        return authorLinks.value(index) { .object(authorLink(slug)) }
    }

    /// `categoryLink(slug)` as a value, made once per category.
    func categoryLinkObject(_ slug: String) -> TemplateValue {
        guard let index = site.categoryIndex[slug] else { return .object([:]) }
        return categoryLinks.value(index) { .object(categoryLink(slug)) }
    }

    func authorValues(_ author: Author, count: Int? = nil) -> TemplateFields {
        var values: TemplateFields = [
            "name": .string(author.name), "slug": .string(author.slug),
            "url": .string(site.urls.link("authors/\(author.slug)/")),
            "feed_url": .string(site.urls.link("authors/\(author.slug)/feed.xml")), "bio": .string(author.bioHTML),
            "params": ParamValue.templateObject(author.params),
        ]
        if let role = author.role { values["title"] = .string(role) }
        if let photo = author.photo { values["photo"] = .string(site.urls.resolve(photo)) }
        if let count { values["count"] = .int(count) }
        return values
    }

    /// `authorValues(author)` as a value, made once per build for each author.
    func authorObject(_ slug: String) -> TemplateValue? {
        guard let index = site.authorIndex[slug] else { return nil }
        return authorObjects.value(index) { .object(authorValues(site.authors[index])) }
    }

    /// An article as it appears in lists. (Read through a pointer: a copy of the Article would retain
    /// and release each of its fields.)
    func summary(_ article: UnsafePointer<Article>) -> TemplateFields {
        let path = Article.path(article)
        var values: TemplateFields = [
            "title": .string(article.pointee.title), "url": .string(site.urls.link(path)),
            "date": .string(site.dates.long(article.pointee.date)),
            "date_iso": .string(site.dates.rfc3339(article.pointee.date)),
            // Closures, not `map(authorLinkObject)`: a method reference copied the whole Contexts (a
            // retain and a release of each of its fields) for every card.
            "authors": .list(article.pointee.authors.map { authorLinkObject($0) }),
            "categories": .list(article.pointee.categories.map { categoryLinkObject($0) }),
        ]
        if !article.pointee.summary.isEmpty { values["summary"] = .string(article.pointee.summary) }
        if let image = article.pointee.image {
            values["image"] = ["url": .string(site.urls.resolve(image.url)), "alt": .string(image.alt)]
        }
        return values
    }

    /// The list card of `site.articles[index]`, made once per build however many lists show it.
    func card(_ index: Int) -> TemplateValue {
        cards.value(index) { site.articles.withUnsafeBufferPointer { .object(summary($0.baseAddress! + index)) } }
    }

    /// The Atom `<entry>` of `site.articles[index]`, made once per build however many feeds hold it.
    func feedEntry(_ index: Int) -> [UInt8] {
        if let entry = feedEntries.take(index) { return entry }
        let entry = FeedPipeline.entry(site, site.articles[index])
        feedEntries.set(index, entry)
        _ = feedEntries.take(index)
        return entry
    }

    /// `pagination.*` for page `number` of `pager`.
    func pagination(_ pager: Pager, _ number: Int) -> TemplateFields {
        var values: TemplateFields = [
            "page": .int(number), "total_pages": .int(pager.pageCount), "is_paginated": .bool(pager.pageCount > 1),
            "first_url": .string(site.urls.link(pager.path(page: 1))),
            "last_url": .string(site.urls.link(pager.path(page: pager.pageCount))),
        ]
        if number > 1 { values["prev_url"] = .string(site.urls.link(pager.path(page: number - 1))) }
        if number < pager.pageCount { values["next_url"] = .string(site.urls.link(pager.path(page: number + 1))) }
        return values
    }
}

/// Per-article values shared by every page of one build that shows the article (an article is on up
/// to five lists and as many feeds). Filled on first use by whichever worker gets there first.
final class Memo<Value: Sendable>: @unchecked Sendable {
    /// The slots and the uses left per slot (when known: `take` frees a slot on its last use), in
    /// buffers of their own: slots under different locks are written at the same time, which an
    /// Array property of the class would not allow.
    private let slots: UnsafeMutablePointer<Value?>
    private let uses: UnsafeMutablePointer<Int>?
    private let count: Int
    /// Slot `index` is guarded by `locks[index % locks.count]`: with one lock, workers building
    /// cards for different list pages waited for each other.
    private let locks: [NSLock] = (0..<16).map { _ in NSLock() }

    init(count: Int, uses: [Int]? = nil) {
        self.count = count
        slots = .allocate(capacity: max(count, 1))
        slots.initialize(repeating: nil, count: count)
        if let uses {
            precondition(uses.count == count, "one use count per slot")
            let buffer = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
            buffer.initialize(from: uses, count: count)
            self.uses = buffer
        } else {
            self.uses = nil
        }
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
        uses?.deallocate()
    }

    private func lock(_ index: Int) -> NSLock {
        precondition(index >= 0 && index < count, "memo slot out of range")
        return locks[index & (locks.count - 1)]
    }

    /// The value for one use: after the last counted use the slot is emptied.
    func take(_ index: Int) -> Value? {
        let lock = lock(index)
        lock.lock()
        defer { lock.unlock() }
        guard let value = slots[index] else { return nil }
        if let uses {
            uses[index] -= 1
            if uses[index] <= 0 { slots[index] = nil }
        }
        return value
    }

    func get(_ index: Int) -> Value? {
        let lock = lock(index)
        lock.lock()
        defer { lock.unlock() }
        return slots[index]
    }

    func set(_ index: Int, _ value: Value) {
        let lock = lock(index)
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    /// The value in slot `index`, made by `make` when the slot is empty (two workers may both make
    /// it; they make the same value).
    func value(_ index: Int, make: () -> Value) -> Value {
        if let value = get(index) { return value }
        let value = make()
        set(index, value)
        return value
    }
}

/// The `site.*` values by the menu items that are current (see `Contexts.siteObject`).
final class SiteValuesByMenu: @unchecked Sendable {
    private var values: [Int: TemplateValue] = [:]
    private let lock = NSLock()

    func value(_ key: Int, make: () -> TemplateValue) -> TemplateValue {
        if let value = lock.withLock({ values[key] }) { return value }
        let value = make()
        lock.withLock { values[key] = value }
        return value
    }
}

/// Splits a list of `count` items into pages of `perPage`: page 1 at `basePath`, page N at
/// `basePath` + `page/N/`. An empty list still has one (empty) page.
public struct Pager: Sendable, Equatable {
    public var basePath: String
    public var count: Int
    public var perPage: Int

    public init(basePath: String, count: Int, perPage: Int) {
        self.basePath = basePath
        self.count = count
        self.perPage = max(perPage, 1)
    }

    public var pageCount: Int { max(1, (count + perPage - 1) / perPage) }

    public func path(page: Int) -> String { page <= 1 ? basePath : "\(basePath)page/\(page)/" }

    /// The item indices on page `page` (1-based).
    public func range(page: Int) -> Range<Int> {
        let start = (page - 1) * perPage
        return min(start, count)..<min(start + perPage, count)
    }
}
