import Foundation

/// One page per article at `/<section>/<slug>/`, with its neighbours in the section.
enum ArticlePipeline {
    static func jobs(_ site: Site) -> [RenderJob] {
        var jobs: [RenderJob] = []
        for indices in site.articlesBySection.values {
            for position in indices.indices {
                jobs.append(job(site, indices: indices, position: position))
            }
        }
        return jobs.sorted { $0.path < $1.path }
    }

    /// The page of `site.articles[index]`.
    static func job(_ site: Site, index: Int) -> RenderJob {
        let indices = site.articlesBySection[site.articles[index].section] ?? [index]
        return job(site, indices: indices, position: indices.firstIndex(of: index) ?? 0)
    }

    /// The page of the article at `position` of its section's list `indices`.
    static func job(_ site: Site, indices: [Int], position: Int) -> RenderJob {
        let index = indices[position]
        // Lists are newest first: the previous (older) article comes after, the next (newer) before.
        let older = position + 1 < indices.count ? indices[position + 1] : nil
        let newer = position > 0 ? indices[position - 1] : nil
        // Read in place: `let article = site.articles[index]` copied the Article (a retain and a
        // release of each of its fields) for each of the 10,000 jobs planned.
        return site.articles.withUnsafeBufferPointer { articles in
            let article = articles.baseAddress! + index
            let fingerprint = site.fingerprint("article") { hash in
                hash.add(article.pointee.fingerprint)
                for neighbour in [older, newer] {
                    // Through the pointer: `articles[$0].title` copied the whole neighbour first.
                    hash.add(neighbour.map { (articles.baseAddress! + $0).pointee.title } ?? "")
                    hash.add(neighbour.map { Article.path(articles.baseAddress! + $0) } ?? "")
                }
            }
            return RenderJob.page(path: Article.path(article), kind: .article, owner: article.pointee.sourcePath,
                                  position: article.pointee.slugPosition,
                                  lastModified: Article.lastChanged(article),
                                  fingerprint: fingerprint) { env in
                env.render(.article, context(env.contexts, index: index, older: older, newer: newer))
            }
        }
    }

    static func context(_ contexts: Contexts, index: Int, older: Int?, newer: Int?) -> TemplateFields {
        // Articles are read in place: `let article = site.articles[index]` copied the whole Article
        // (a retain and a release for each of its fields) on every page.
        contexts.site.articles.withUnsafeBufferPointer { articles in
            context(contexts, index: index, articles.baseAddress! + index, older: older, newer: newer)
        }
    }

    private static func context(_ contexts: Contexts, index: Int, _ article: UnsafePointer<Article>,
                                older: Int?, newer: Int?) -> TemplateFields {
        let site = contexts.site
        let path = Article.path(article)
        var context = contexts.base(kind: .article, path: path, title: article.pointee.title,
                                    description: article.pointee.summary, image: article.pointee.image?.url)
        // The list card has the summary fields already (made once, shared with every list).
        guard case .object(var values) = contexts.card(index) else { preconditionFailure("a card is an object") }
        values.reserveCapacity(values.count + 12)
        // The page's permalink, made once for `page` already.
        if case .object(let page)? = context["page"], let permalink = page["permalink"] { values["permalink"] = permalink }
        values["content"] = .utf8(article.pointee.body.htmlBytes)
        values["word_count"] = .int(article.pointee.wordCount)
        values["reading_time"] = .int(max(1, (article.pointee.wordCount + 225) / 230))
        values["params"] = ParamValue.templateObject(article.pointee.params)
        values["authors"] = .list(article.pointee.authors.compactMap { contexts.authorObject($0) })
        values["authors_label"] = article.pointee.authors.count == 1 ? "Author" : "Authors"
        values["categories_label"] = article.pointee.categories.count == 1 ? "Category" : "Categories"
        if let updated = article.pointee.updated {
            values["updated"] = .string(site.dates.long(updated))
            values["updated_iso"] = .string(site.dates.rfc3339(updated))
        }
        if let image = article.pointee.image {
            var imageValues: TemplateFields = ["url": .string(site.urls.resolve(image.url)), "alt": .string(image.alt)]
            if let credit = image.credit { imageValues["credit"] = .string(credit) }
            values["image"] = .object(imageValues)
        }
        if let section = site.section(article.pointee.section) {
            values["section"] = ["title": .string(section.title), "url": .string(site.urls.link("\(section.slug)/")),
                                 "return_label": .string(section.returnLabel)]
        }
        context["article"] = .object(values)
        // The neighbours' titles and links are those of their list cards (made once).
        for (key, neighbour) in [("prev", older), ("next", newer)] {
            guard let neighbour, case .object(let card) = contexts.card(neighbour) else { continue }
            context[key] = .object(["title": card["title"]!, "url": card["url"]!])
        }
        return context
    }
}
