import Foundation

/// Paginated article lists: each section at `/<section>/`, each category at `/categories/<slug>/`,
/// each author at `/authors/<slug>/`; page N at `…/page/N/`. Newest first.
enum ListPipeline {
    static func sectionJobs(_ site: Site) -> [RenderJob] {
        site.sections.flatMap { section -> [RenderJob] in
            let indices = site.articlesBySection[section.slug] ?? []
            return paginate(site, kind: .section, basePath: "\(section.slug)/", indices: indices,
                            title: section.title, description: section.description, owner: section.sourcePath) { contexts in
                var values: TemplateFields = [
                    "title": .string(section.title), "url": .string(contexts.site.urls.link("\(section.slug)/")),
                    "feed_url": .string(contexts.site.urls.link("\(section.slug)/feed.xml")), "count": .int(indices.count)]
                // Optional values are left out when empty: Mustache treats "" as true.
                if !section.description.isEmpty { values["description"] = .string(section.description) }
                if !section.introHTML.isEmpty { values["content"] = .string(section.introHTML) }
                return ["section": .object(values)]
            }
        }
    }

    static func categoryJobs(_ site: Site) -> [RenderJob] {
        site.categories.flatMap { category -> [RenderJob] in
            let indices = site.articlesByCategory[category.slug] ?? []
            let base = "categories/\(category.slug)/"
            return paginate(site, kind: .category, basePath: base, indices: indices, title: category.name,
                            description: category.description ?? "", owner: "content/categories/\(category.slug).md") { contexts in
                var values: TemplateFields = [
                    "name": .string(category.name), "url": .string(contexts.site.urls.link(base)),
                    "feed_url": .string(contexts.site.urls.link(base + "feed.xml")), "count": .int(indices.count)]
                if let description = category.description { values["description"] = .string(description) }
                return ["category": .object(values)]
            }
        }
    }

    static func authorJobs(_ site: Site) -> [RenderJob] {
        site.authors.flatMap { author -> [RenderJob] in
            let indices = site.articlesByAuthor[author.slug] ?? []
            let description = [author.name, author.role].compactMap { $0 }.joined(separator: ", ")
            return paginate(site, kind: .author, basePath: "authors/\(author.slug)/", indices: indices,
                            title: author.name, description: description, owner: author.sourcePath,
                            image: author.photo) { contexts in
                ["author": .object(contexts.authorValues(author, count: indices.count))]
            }
        }
    }

    /// One job per page of `indices`, each with `articles`, `pagination` and the kind's own values.
    static func paginate(_ site: Site, kind: PageKind, basePath: String, indices: [Int], title: String,
                         description: String, owner: String, image: String? = nil,
                         extra: @escaping @Sendable (Contexts) -> TemplateFields) -> [RenderJob] {
        let pager = Pager(basePath: basePath, count: indices.count, perPage: site.config.perPage)
        let newest = indices.first.map { index in
            site.articles.withUnsafeBufferPointer { Article.lastChanged($0.baseAddress! + index) }
        }
        return (1...pager.pageCount).map { number in
            let fingerprint = site.fingerprint("list") { hash in
                hash.add(kind.rawValue)
                hash.add(basePath)
                hash.add(pager.pageCount)
                hash.add(indices.count)
                for index in indices[pager.range(page: number)] { hash.add(site.articles[index].fingerprint) }
            }
            return RenderJob.page(path: pager.path(page: number), kind: kind, owner: owner, lastModified: newest,
                             fingerprint: fingerprint) { env in
                let contexts = env.contexts
                let pageTitle = number > 1 ? "\(title) – Page \(number)" : title
                var page: TemplateFields = [:]
                if number > 1 { page["rel_prev"] = .string(contexts.site.urls.link(pager.path(page: number - 1))) }
                if number < pager.pageCount { page["rel_next"] = .string(contexts.site.urls.link(pager.path(page: number + 1))) }
                var context = contexts.base(kind: kind, path: pager.path(page: number), title: pageTitle,
                                            description: description, image: image, feedPath: basePath + "feed.xml",
                                            extraPage: page)
                context["articles"] = .list(indices[pager.range(page: number)].map(contexts.card))
                context["pagination"] = .object(contexts.pagination(pager, number))
                context.merge(extra(contexts)) { _, new in new }
                return env.render(kind, context)
            }
        }
    }
}
