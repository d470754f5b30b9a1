import Foundation

/// Atom feeds: `/feed.xml` for the site, and `feed.xml` beside each section, category and author
/// index. The latest 20 articles each, full content.
enum FeedPipeline {
    static let entryLimit = 20

    /// The article lists that have a feed, newest first: the site's, then each section's, category's
    /// and author's (the order of `jobs`).
    static func feedLists(_ site: Site) -> [[Int]] {
        [Array(site.articles.indices)]
            + site.sections.map { site.articlesBySection[$0.slug] ?? [] }
            + site.categories.map { site.articlesByCategory[$0.slug] ?? [] }
            + site.authors.map { site.articlesByAuthor[$0.slug] ?? [] }
    }

    static func jobs(_ site: Site) -> [RenderJob] {
        // The lists come from `feedLists`, in its order, so that the entry memo counts the same feeds.
        var lists = feedLists(site).makeIterator()
        var jobs = [job(site, path: "feed.xml", htmlPath: "", title: site.config.title,
                        subtitle: site.config.description, indices: lists.next()!, owner: "site.yml")]
        for section in site.sections {
            jobs.append(job(site, path: "\(section.slug)/feed.xml", htmlPath: "\(section.slug)/",
                            title: "\(section.title) | \(site.config.title)", subtitle: section.description,
                            indices: lists.next()!, owner: section.sourcePath))
        }
        for category in site.categories {
            jobs.append(job(site, path: "categories/\(category.slug)/feed.xml", htmlPath: "categories/\(category.slug)/",
                            title: "\(category.name) | \(site.config.title)", subtitle: category.description ?? "",
                            indices: lists.next()!, owner: "content/categories/\(category.slug).md"))
        }
        for author in site.authors {
            jobs.append(job(site, path: "authors/\(author.slug)/feed.xml", htmlPath: "authors/\(author.slug)/",
                            title: "\(author.name) | \(site.config.title)", subtitle: author.role ?? "",
                            indices: lists.next()!, owner: author.sourcePath))
        }
        return jobs
    }

    static func job(_ site: Site, path: String, htmlPath: String, title: String, subtitle: String,
                    indices: [Int], owner: String) -> RenderJob {
        let entries = Array(indices.prefix(entryLimit))
        let fingerprint = site.fingerprint("feed") { hash in
            hash.add([path, htmlPath, title, subtitle])
            for index in entries { hash.add(site.articles[index].fingerprint) }
        }
        return RenderJob(path: path, kind: nil, owner: owner, inSitemap: false, fingerprint: fingerprint, bytes: { env in
            atom(env.contexts, path: path, htmlPath: htmlPath, title: title, subtitle: subtitle,
                 indices: Array(indices.prefix(entryLimit)))
        })
    }

    static func atom(_ contexts: Contexts, path: String, htmlPath: String, title: String, subtitle: String,
                     indices: [Int]) -> [UInt8] {
        let site = contexts.site
        let urls = site.urls, dates = site.dates
        // Through a pointer: `site.articles[$0].updated ?? …` copied each article of the list (a retain
        // and a release of every field), for every feed.
        let updated = site.articles.withUnsafeBufferPointer { articles in
            indices.map { Article.lastChanged(articles.baseAddress! + $0) }.max()
        } ?? site.buildDate
        var xml = """
        <?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="\(XML.escape(site.config.language))">
          <title>\(XML.escape(title))</title>

        """
        if !subtitle.isEmpty { xml += "  <subtitle>\(XML.escape(subtitle))</subtitle>\n" }
        xml += """
          <link href="\(XML.escape(urls.permalink(path)))" rel="self" type="application/atom+xml"/>
          <link href="\(XML.escape(urls.permalink(htmlPath)))" rel="alternate" type="text/html"/>
          <id>\(XML.escape(urls.permalink(path)))</id>
          <updated>\(dates.rfc3339(updated))</updated>
          <author><name>\(XML.escape(site.config.title))</name></author>
          <generator>sitegen</generator>

        """
        var bytes = Array(xml.utf8)
        for index in indices {
            bytes += contexts.feedEntry(index)
        }
        bytes += "</feed>\n".utf8
        return bytes
    }

    /// The entry's bytes: the article's HTML goes from the body store into the feed without being
    /// made a String.
    static func entry(_ site: Site, _ article: Article) -> [UInt8] {
        let urls = site.urls, dates = site.dates
        let permalink = XML.escape(urls.permalink(article.path))
        var xml = """
          <entry>
            <title>\(XML.escape(article.title))</title>
            <link href="\(permalink)" rel="alternate" type="text/html"/>
            <id>\(permalink)</id>
            <published>\(dates.rfc3339(article.date))</published>
            <updated>\(dates.rfc3339(article.updated ?? article.date))</updated>

        """
        for slug in article.authors {
            guard let author = site.author(slug) else { continue }
            xml += "    <author><name>\(XML.escape(author.name))</name>"
                + "<uri>\(XML.escape(urls.permalink("authors/\(slug)/")))</uri></author>\n"
        }
        for slug in article.categories {
            guard let category = site.category(slug) else { continue }
            xml += "    <category term=\"\(XML.escape(slug))\" label=\"\(XML.escape(category.name))\"/>\n"
        }
        if !article.summary.isEmpty { xml += "    <summary>\(XML.escape(article.summary))</summary>\n" }
        // The HTML goes in a CDATA section: escaped, every tag became entities, and escaping the feeds
        // was 1.9% of a 10k build, their text a quarter larger.
        xml += "    <content type=\"html\" xml:base=\"\(permalink)\"><![CDATA["
        let html = article.body.htmlBytes
        var bytes = Array(xml.utf8)
        bytes.reserveCapacity(bytes.count + html.count + 64)
        html.withUnsafeBufferPointer { Escaper.appendCDATA($0, to: &bytes) }
        bytes += "]]></content>\n  </entry>\n".utf8
        return bytes
    }
}

/// `/sitemap.xml` (every HTML page, with its last modification) and `/robots.txt`.
enum SitemapPipeline {
    static func jobs(_ site: Site, pages: [RenderJob]) -> [RenderJob] {
        let entries = pages.filter { $0.kind != nil && $0.inSitemap }
            .map { ($0.path, $0.lastModified) }
            .sorted { $0.0 < $1.0 }
        let sitemap = RenderJob(path: "sitemap.xml", kind: nil, owner: "site.yml", inSitemap: false) { env in
            let site = env.contexts.site
            var xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                + "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
            for (path, modified) in entries {
                xml += "  <url><loc>\(XML.escape(site.urls.permalink(path)))</loc>"
                if let modified { xml += "<lastmod>\(site.dates.rfc3339(modified))</lastmod>" }
                xml += "</url>\n"
            }
            return xml + "</urlset>\n"
        }
        let robots = RenderJob(path: "robots.txt", kind: nil, owner: "site.yml", inSitemap: false,
                               fingerprint: site.fingerprint("robots") { _ in }) { env in
            "User-agent: *\nAllow: /\n\nSitemap: \(env.contexts.site.urls.permalink("sitemap.xml"))\n"
        }
        return [sitemap, robots]
    }
}

/// Old URLs (`aliases`) become small pages that redirect to the new one.
enum AliasPipeline {
    /// The article lists that have a feed, newest first: the site's, then each section's, category's
    /// and author's (the order of `jobs`).
    static func feedLists(_ site: Site) -> [[Int]] {
        [Array(site.articles.indices)]
            + site.sections.map { site.articlesBySection[$0.slug] ?? [] }
            + site.categories.map { site.articlesByCategory[$0.slug] ?? [] }
            + site.authors.map { site.articlesByAuthor[$0.slug] ?? [] }
    }

    static func jobs(_ site: Site) -> [RenderJob] {
        var jobs: [RenderJob] = []
        for article in site.articles {
            for alias in article.aliases {
                jobs.append(job(site, alias, target: article.path, title: article.title, owner: article.sourcePath))
            }
        }
        for page in site.pages {
            for alias in page.aliases {
                jobs.append(job(site, alias, target: "\(page.slug)/", title: page.title, owner: page.sourcePath))
            }
        }
        return jobs
    }

    static func job(_ site: Site, _ alias: Located<String>, target: String, title: String, owner: String) -> RenderJob {
        let fingerprint = site.fingerprint("alias") { $0.add([alias.value, target, title, owner]) }
        return RenderJob(path: alias.value, kind: nil, owner: owner, position: alias.position, inSitemap: false,
                         fingerprint: fingerprint) { env in
            let permalink = HTML.escape(env.contexts.site.urls.permalink(target))
            return """
            <!doctype html>
            <html lang="\(HTML.escape(env.contexts.site.config.language))">
            <head>
            <meta charset="utf-8">
            <title>\(HTML.escape(title))</title>
            <link rel="canonical" href="\(permalink)">
            <meta name="robots" content="noindex">
            <meta http-equiv="refresh" content="0; url=\(permalink)">
            </head>
            <body>
            <p>This page has moved to <a href="\(permalink)">\(HTML.escape(title))</a>.</p>
            </body>
            </html>

            """
        }
    }
}
