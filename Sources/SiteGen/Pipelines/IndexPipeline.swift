import Foundation

/// The site's fixed pages: home, the categories and authors indexes, standalone pages and the 404 page.
enum IndexPipeline {
    static func jobs(_ site: Site) -> [RenderJob] {
        var jobs = [home(site), categories(site), authors(site), notFound(site)]
        for page in site.pages {
            let fingerprint = site.fingerprint("page") { $0.add(page.fingerprint) }
            jobs.append(RenderJob.page(path: "\(page.slug)/", kind: .page, owner: page.sourcePath,
                                  position: page.slugPosition, fingerprint: fingerprint) { env in
                let context = env.contexts.base(kind: .page, path: "\(page.slug)/", title: page.title,
                                                description: page.description,
                                                extraPage: ["content": .string(page.html),
                                                            "params": ParamValue.templateObject(page.params)])
                return env.render(.page, context)
            })
        }
        return jobs
    }

    static func home(_ site: Site) -> RenderJob {
        let owner = site.home?.path ?? "content/_index.md"
        let fingerprint = site.fingerprint("home") { hash in
            for article in site.articles.prefix(site.config.perPage) { hash.add(article.fingerprint) }
        }
        return RenderJob.page(path: "", kind: .home, owner: owner, lastModified: site.articles.first?.date,
                         fingerprint: fingerprint) { env in
            let contexts = env.contexts
            let site = contexts.site
            var context = contexts.base(kind: .home, path: "", title: site.home?.title ?? site.config.title,
                                        description: site.home?.description ?? site.config.description)
            context["articles"] = .list(site.articles.indices.prefix(site.config.perPage).map(contexts.card))
            if let intro = site.home?.intro.html, !intro.isEmpty { context["intro"] = .string(intro) }
            context["sections"] = .list(site.sections.map { section -> TemplateValue in
                var values: TemplateFields = ["title": .string(section.title), "url": .string(site.urls.link("\(section.slug)/")),
                                              "count": .int(site.articlesBySection[section.slug]?.count ?? 0)]
                if !section.description.isEmpty { values["description"] = .string(section.description) }
                return .object(values)
            })
            if let main = site.sections.max(by: {
                (site.articlesBySection[$0.slug]?.count ?? 0, $1.slug) < (site.articlesBySection[$1.slug]?.count ?? 0, $0.slug)
            }) {
                let count = site.articlesBySection[main.slug]?.count ?? 0
                context["more_url"] = .string(site.urls.link("\(main.slug)/"))
                context["more_label"] = .string("All \(count) publications in \(main.title)")
            }
            return env.render(.home, context)
        }
    }

    static func categories(_ site: Site) -> RenderJob {
        let fingerprint = site.fingerprint("categories") { hash in
            for category in site.categories { hash.add(site.articlesByCategory[category.slug]?.count ?? 0) }
        }
        return RenderJob.page(path: "categories/", kind: .categories, owner: "content/categories",
                         fingerprint: fingerprint) { env in
            let contexts = env.contexts
            var context = contexts.base(kind: .categories, path: "categories/", title: "Categories",
                                        description: "All categories of \(contexts.site.config.title)")
            context["categories"] = .list(contexts.site.categories.map { category -> TemplateValue in
                var values = contexts.categoryLink(category.slug)
                values["count"] = .int(contexts.site.articlesByCategory[category.slug]?.count ?? 0)
                if let description = category.description { values["description"] = .string(description) }
                return .object(values)
            })
            return env.render(.categories, context)
        }
    }

    static func authors(_ site: Site) -> RenderJob {
        let fingerprint = site.fingerprint("authors") { hash in
            for author in site.authors { hash.add(site.articlesByAuthor[author.slug]?.count ?? 0) }
        }
        return RenderJob.page(path: "authors/", kind: .authors, owner: "content/authors", fingerprint: fingerprint) { env in
            let contexts = env.contexts
            var context = contexts.base(kind: .authors, path: "authors/", title: "Authors",
                                        description: "All authors of \(contexts.site.config.title)")
            context["authors"] = .list(contexts.site.authors.map { author in
                .object(contexts.authorValues(author, count: contexts.site.articlesByAuthor[author.slug]?.count ?? 0))
            })
            return env.render(.authors, context)
        }
    }

    static func notFound(_ site: Site) -> RenderJob {
        RenderJob.page(path: "404.html", kind: .notFound, owner: "layouts/404.mustache", inSitemap: false,
                  fingerprint: site.fingerprint("404") { _ in }) { env in
            env.render(.notFound, env.contexts.base(kind: .notFound, path: "404.html", title: "Page not found",
                                                    description: "The page you asked for does not exist."))
        }
    }
}
