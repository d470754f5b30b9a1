import Foundation

/// Site search: the `/search/` page (layout kind `search`), and the index the page's script reads:
/// `search/manifest.json`, `search/shards/<n>.json` (terms and postings) and `search/docs/<n>.json`
/// (what a result shows). Document ids count from the oldest article, so publishing a new one keeps
/// the others' ids.
///
/// The index is built once, the first time a job needs it (`Once`), so a rebuild whose search
/// files are all unchanged never builds it. Only the number of shard files must be known while
/// planning: it is taken from the previous build when that build's index had the same inputs (the
/// shard fingerprints are derived from them), else the index is built right away.
enum SearchPipeline {
    static let folder = "search/"

    /// What planning may know from earlier builds.
    struct Hints: Sendable {
        /// Output file → fingerprint of the previous build (`BuildCache.outputs`).
        var previousOutputs: [String: Fingerprint] = [:]
        /// Per-block analyses kept between builds by a long-lived builder (the preview server).
        var memo: SearchAnalysis.Memo?
    }

    static func jobs(_ site: Site, hints: Hints = Hints()) -> [RenderJob] {
        [page(site)] + dataJobs(site, hints: hints)
    }

    /// Every index file depends on every article, the site-wide values and the index format.
    static func contentFingerprint(_ site: Site) -> Fingerprint {
        site.fingerprint("search-index") { hash in
            hash.add(SearchManifest.formatVersion)
            for article in site.articles { hash.add(article.fingerprint) }
        }
    }

    /// True when planning the index files means building the index (no earlier build had it): a
    /// full build then plans them last, building the index while the other pages render.
    static func indexNeededToPlan(_ site: Site, hints: Hints) -> Bool {
        previousShardCount(contentFingerprint(site), hints.previousOutputs) == nil
    }

    /// The index files: manifest, shards and result fragments.
    static func dataJobs(_ site: Site, hints: Hints = Hints()) -> [RenderJob] {
        let content = contentFingerprint(site)
        let memo = hints.memo
        let authors = site.authors.map { SearchManifest.Facet(slug: $0.slug, name: $0.name) }
        let categories = site.categories.map { SearchManifest.Facet(slug: $0.slug, name: $0.name) }
        let links = SearchManifest.Links(authors: site.urls.link("authors/"), categories: site.urls.link("categories/"))
        // The documents live only while the index and the manifest are made: each result fragment
        // file makes its few, so a large site does not hold every document while pages render.
        let search = Once { () -> (index: SearchIndex, shards: SearchShards, manifest: String) in
            let documents = indexedDocuments(site)
            let index = SearchIndex.build(documents, memo: memo)
            let shards = SearchShards(index)
            let manifest = SearchManifest.json(index: index, firstTerms: shards.firstTerms(index), documents: documents,
                                               authors: authors, categories: categories, links: links,
                                               version: content.description)
            return (index, shards, manifest)
        }
        let shardCount = previousShardCount(content, hints.previousOutputs) ?? search.value.shards.ranges.count
        func job(_ path: String, _ fingerprint: Fingerprint, _ produce: @escaping @Sendable () -> [UInt8]) -> RenderJob {
            RenderJob(path: folder + path, kind: nil, owner: "layouts/search.mustache", inSitemap: false,
                      fingerprint: fingerprint, bytes: { _ in produce() })
        }
        var jobs: [RenderJob] = [job("manifest.json", content) { Array(search.value.manifest.utf8) }]
        for number in 0..<shardCount {
            jobs.append(job("shards/\(number).json", shardFingerprint(content, number)) {
                let built = search.value
                // The count is that of an index with the same inputs, so the shard exists.
                precondition(number < built.shards.ranges.count, "search shard \(number) planned but not built")
                return Array(built.shards.json(number, index: built.index).utf8)
            })
        }
        let perFile = SearchManifest.documentsPerFile
        let count = site.articles.count
        for start in stride(from: 0, to: count, by: perFile) {
            let group = start..<min(start + perFile, count)
            let fingerprint = site.fingerprint("search-docs") { hash in
                for id in group { hash.add(site.articles[count - 1 - id].fingerprint) }
            }
            jobs.append(job("docs/\(start / perFile).json", fingerprint) {
                SearchManifest.fragmentBytes(shownDocuments(site, group)[...])
            })
        }
        return jobs
    }

    static func shardFingerprint(_ content: Fingerprint, _ number: Int) -> Fingerprint {
        var fingerprint = content
        fingerprint.add(number)
        return fingerprint
    }

    /// The number of shards of the previous build, if its index had the inputs `content`: its
    /// manifest has that fingerprint, and so do its shards 0, 1, … (each with its number).
    static func previousShardCount(_ content: Fingerprint, _ previous: [String: Fingerprint]) -> Int? {
        guard !previous.isEmpty, previous[folder + "manifest.json"] == content else { return nil }
        var count = 0
        while previous[folder + "shards/\(count).json"] == shardFingerprint(content, count) { count += 1 }
        return count > 0 ? count : nil
    }

    /// The published articles, oldest first, with what the index and the manifest read: text,
    /// year, authors and categories (no link or dates). Articles are read in place: `map` over
    /// them copied each whole `Article` (a retain and a release of each of its fields).
    static func indexedDocuments(_ site: Site) -> [SearchDocument] {
        site.articles.withUnsafeBufferPointer { articles in
            articles.indices.reversed().map { index in
                let article = articles.baseAddress! + index
                var document = SearchDocument(
                    title: article.pointee.title, url: "", year: site.dates.year(article.pointee.date),
                    authors: article.pointee.authors.compactMap { site.authorIndex[$0] },
                    categories: article.pointee.categories.compactMap { site.categoryIndex[$0] },
                    authorNames: article.pointee.authors.compactMap { site.author($0)?.name },
                    categoryNames: article.pointee.categories.compactMap { site.category($0)?.name },
                    summary: article.pointee.summary)
                document.text = article.pointee.body  // read when analysed, not held for every article at once
                return document
            }
        }
    }

    /// The articles with ids `ids` (0 is the oldest), with what a result shows: title, link,
    /// dates, summary and text (read in place, as `indexedDocuments`).
    static func shownDocuments(_ site: Site, _ ids: Range<Int>) -> [SearchDocument] {
        site.articles.withUnsafeBufferPointer { articles in
            ids.map { id in
                let article = articles.baseAddress! + (articles.count - 1 - id)
                var document = SearchDocument(
                    title: article.pointee.title,
                    url: site.urls.link(Article.path(article)),
                    date: site.dates.long(article.pointee.date), dateISO: site.dates.day(article.pointee.date),
                    summary: article.pointee.summary)
                document.text = article.pointee.body
                return document
            }
        }
    }

    /// `/search/`: the search box and results (filled in by `assets/search.js`), and links to every
    /// section, category and author index for browsers without JavaScript.
    static func page(_ site: Site) -> RenderJob {
        let fingerprint = site.fingerprint("search") { hash in
            for author in site.authors { hash.add(site.articlesByAuthor[author.slug]?.count ?? 0) }
            for category in site.categories { hash.add(site.articlesByCategory[category.slug]?.count ?? 0) }
        }
        return RenderJob.page(path: folder, kind: .search, owner: "layouts/search.mustache", inSitemap: false,
                         fingerprint: fingerprint) { env in
            let contexts = env.contexts
            let site = contexts.site
            let browse = browseValues(contexts)
            // page.content: for sites whose `page` layout renders search.
            var context = contexts.base(kind: .search, path: folder, title: "Search",
                                        description: "Search all publications of \(site.config.title).",
                                        extraPage: ["content": .string(browseHTML(browse))])
            context["search"] = .object(browse.merging([
                "manifest_url": .string(site.urls.link(folder + "manifest.json")),
                "script_url": .string(site.urls.link("assets/search.js")),
                "count": .int(site.articles.count),
            ]) { _, new in new })
            return env.render(.search, context)
        }
    }

    /// `sections`, `categories` and `authors`, each with `url` and `count`, for browsing without search.
    static func browseValues(_ contexts: Contexts) -> TemplateFields {
        let site = contexts.site
        return [
            "sections": .list(site.sections.map { section -> TemplateValue in
                ["title": .string(section.title), "url": .string(site.urls.link("\(section.slug)/")),
                 "count": .int(site.articlesBySection[section.slug]?.count ?? 0)]
            }),
            "categories": .list(site.categories.map { category -> TemplateValue in
                var values = contexts.categoryLink(category.slug)
                values["count"] = .int(site.articlesByCategory[category.slug]?.count ?? 0)
                return .object(values)
            }),
            "authors": .list(site.authors.map { author -> TemplateValue in
                ["name": .string(author.name), "url": .string(site.urls.link("authors/\(author.slug)/")),
                 "count": .int(site.articlesByAuthor[author.slug]?.count ?? 0)]
            }),
            "categories_url": .string(site.urls.link("categories/")),
            "authors_url": .string(site.urls.link("authors/")),
        ]
    }

    /// The browse links as HTML, for `page.content`.
    static func browseHTML(_ browse: TemplateFields) -> String {
        func text(_ value: TemplateValue?) -> String {
            if case .string(let text)? = value { return text }
            return ""
        }
        func list(_ key: String, _ name: String) -> String {
            guard case .list(let entries)? = browse[key] else { return "<ul>\n\n</ul>\n" }
            let items = entries.map { item in
                var count = 0
                if case .int(let number)? = item["count"] { count = number }
                return "<li><a href=\"\(HTML.escape(text(item["url"])))\">"
                    + "\(HTML.escape(text(item[name])))</a> (\(count))</li>"
            }
            return "<ul>\n" + items.joined(separator: "\n") + "\n</ul>\n"
        }
        return "<p>Browse the publications by section, category or author.</p>\n" + list("sections", "title")
            + "<h2><a href=\"\(HTML.escape(text(browse["categories_url"])))\">Categories</a></h2>\n"
            + list("categories", "name")
            + "<h2><a href=\"\(HTML.escape(text(browse["authors_url"])))\">Authors</a></h2>\n"
            + list("authors", "name")
    }
}
