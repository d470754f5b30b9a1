import Foundation

/// Builds the values templates see. One function per page kind; every URL is final (base path
/// included), dates are formatted, lists sorted and pagination computed: templates hold no logic.
///
/// Precedence of values a template sees (highest first): computed fields (urls, dates, counts) >
/// front matter of the page's file > the section's `_index.md` > `site.yml` > built-in defaults.
struct Contexts {
    let site: Site

    /// `site.*`: the same on every page, apart from the menu's current item.
    func siteValues(currentPath: String) -> [String: Any] {
        let config = site.config
        let current = site.urls.link(currentPath)
        var values: [String: Any] = [
            "title": config.title, "description": config.description, "language": config.language,
            "base_url": site.urls.base, "root": site.urls.root, "home_url": site.urls.link(""),
            "search_url": site.urls.link("search/"), "feed_url": site.urls.link("feed.xml"),
            "assets_url": site.urls.link("assets/"), "total_publications": site.articles.count,
            "year": site.dates.year(site.buildDate),
            "menu": config.menu.map { item -> [String: Any] in
                let url = site.urls.resolve(item.url)
                let isCurrent = url == current || (url != site.urls.root && current.hasPrefix(url))
                return ["label": item.label, "url": url, "is_current": isCurrent]
            },
            "params": config.params.mapValues(\.templateValue),
        ]
        if let newsletter = config.newsletter {
            var form: [String: Any] = ["action": site.urls.resolve(newsletter.action), "heading": newsletter.heading]
            if !newsletter.text.isEmpty { form["text"] = newsletter.text }
            values["newsletter"] = form
        }
        return values
    }

    /// `page.*` for a page at `path` (site-relative, e.g. `peninsula/x/`).
    func pageValues(kind: PageKind, path: String, title: String, description: String,
                    image: String? = nil, feedPath: String? = nil) -> [String: Any] {
        var values: [String: Any] = [
            "kind": kind.rawValue, "title": title,
            "document_title": kind == .home ? site.config.title : "\(title) | \(site.config.title)",
            "description": description.isEmpty ? site.config.description : description,
            "url": site.urls.link(path), "permalink": site.urls.permalink(path),
            "og_type": kind == .article ? "article" : "website", "noindex": kind == .notFound,
        ]
        if let image { values["image"] = site.urls.absolute(image) }
        if let feedPath { values["feed_url"] = site.urls.link(feedPath) }
        return values
    }

    func base(kind: PageKind, path: String, title: String, description: String,
              image: String? = nil, feedPath: String? = nil) -> [String: Any] {
        ["site": siteValues(currentPath: path),
         "page": pageValues(kind: kind, path: path, title: title, description: description,
                            image: image, feedPath: feedPath)]
    }

    // MARK: Shared pieces

    func authorLink(_ slug: String) -> [String: Any] {
        guard let author = site.author(slug) else { return [:] }
        return ["name": author.name, "url": site.urls.link("authors/\(slug)/")]
    }

    func categoryLink(_ slug: String) -> [String: Any] {
        guard let category = site.category(slug) else { return [:] }
        return ["name": category.name, "url": site.urls.link("categories/\(slug)/")]
    }

    func authorValues(_ author: Author, count: Int? = nil) -> [String: Any] {
        var values: [String: Any] = [
            "name": author.name, "slug": author.slug, "url": site.urls.link("authors/\(author.slug)/"),
            "feed_url": site.urls.link("authors/\(author.slug)/feed.xml"), "bio": author.bioHTML,
            "params": author.params.mapValues(\.templateValue),
        ]
        if let role = author.role { values["title"] = role }
        if let photo = author.photo { values["photo"] = site.urls.resolve(photo) }
        if let count { values["count"] = count }
        return values
    }

    /// An article as it appears in lists.
    func summary(_ article: Article) -> [String: Any] {
        var values: [String: Any] = [
            "title": article.title, "url": site.urls.link(article.path), "date": site.dates.long(article.date),
            "date_iso": site.dates.rfc3339(article.date),
            "authors": article.authors.map(authorLink), "categories": article.categories.map(categoryLink),
        ]
        if !article.summary.isEmpty { values["summary"] = article.summary }
        if let image = article.image {
            values["image"] = ["url": site.urls.resolve(image.url), "alt": image.alt]
        }
        return values
    }

    /// `pagination.*` for page `number` of `pager`.
    func pagination(_ pager: Pager, _ number: Int) -> [String: Any] {
        var values: [String: Any] = [
            "page": number, "total_pages": pager.pageCount, "is_paginated": pager.pageCount > 1,
            "first_url": site.urls.link(pager.path(page: 1)),
            "last_url": site.urls.link(pager.path(page: pager.pageCount)),
        ]
        if number > 1 { values["prev_url"] = site.urls.link(pager.path(page: number - 1)) }
        if number < pager.pageCount { values["next_url"] = site.urls.link(pager.path(page: number + 1)) }
        return values
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
