import Foundation

/// sitegen layouts that produce the pages the benchmark's Hugo layouts produce (`HugoSite.layouts`),
/// element for element: `sitegen bench corpus --plain`. With sitegen's default theme instead, its
/// pages are ~40% larger than Hugo's (meta tags for sharing, navigation, accessible markup), so a
/// comparison of the two tools measures the themes as much as the tools; with these, both write the
/// same pages. (sitegen still writes its search index on top, which the Hugo site has no equivalent of.)
enum PlainLayouts {
    static func write(into folder: URL) throws {
        for (path, text) in files { try CorpusGenerator.write(folder, path, text) }
    }

    static let files: [String: String] = [
        "base.mustache": """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{page.document_title}}</title>
            <link rel="canonical" href="{{page.permalink}}"><meta name="description" content="{{#page.description}}{{page.description}}{{/page.description}}">
            <link rel="stylesheet" href="{{site.assets_url}}style.css"></head><body>
            <header><a href="{{site.home_url}}">{{site.title}}</a><form action="{{site.search_url}}" method="get"><label>Search All Site Content <input name="q"></label></form>
            <p>Total Index: {{site.total_publications}} publications</p><a href="#newsletter">Subscribe to our Mailing List!</a>
            <nav>{{#site.menu}}<a href="{{url}}">{{label}}</a> {{/site.menu}}<a href="/categories/">Categories</a> <a href="/authors/">Authors</a></nav></header>
            <main>{{$main}}{{/main}}</main>
            <footer id="newsletter"><h2>Stay Informed</h2><form method="post" action="{{#site.newsletter}}{{action}}{{/site.newsletter}}"><input type="email" name="email"></form></footer>
            </body></html>

            """,
        "article.mustache": """
            {{<base}}{{$main}}<article><p><a href="{{article.section.url}}">{{article.section.title}}</a></p><h1>{{article.title}}</h1>
            <p>Published <time datetime="{{article.date_iso}}">{{article.date}}</time></p>
            <p>Authors: {{#article.authors}}<a href="{{url}}">{{name}}</a>{{^last()}}, {{/last()}}{{/article.authors}}</p>
            <p>Categories: {{#article.categories}}<a href="{{url}}">{{name}}</a>{{^last()}}, {{/last()}}{{/article.categories}}</p>
            {{#article.image}}<figure><img src="{{url}}" alt="{{alt}}"><figcaption>Photo: {{.credit}}</figcaption></figure>{{/article.image}}
            {{{article.content}}}
            {{#article.authors}}<section><h2><a href="{{url}}">{{name}}</a></h2><p>{{.title}}</p>{{{.bio}}}</section>{{/article.authors}}
            <a href="{{article.section.url}}">{{article.section.return_label}}</a>
            {{#prev}}<a rel="prev" href="{{url}}">{{title}}</a>{{/prev}}
            {{#next}}<a rel="next" href="{{url}}">{{title}}</a>{{/next}}
            </article>{{/main}}{{/base}}

            """,
        // The list card is a partial, as lists use it in sitegen's themes (its output is shared by
        // every list an article is on).
        "partials/card.mustache": """
            <li><h2><a href="{{url}}">{{title}}</a></h2>
            <p>Published {{date}} · {{#authors}}<a href="{{url}}">{{name}}</a>{{^last()}}, {{/last()}}{{/authors}}</p>
            <p>{{#categories}}<a href="{{url}}">{{name}}</a> {{/categories}}</p>
            {{#.image}}<img src="{{url}}" alt="{{alt}}">{{/.image}}
            <p>{{.summary}}</p></li>
            """,
        "partials/list.mustache": """
            <ol>{{#articles}}{{>partials/card}}{{/articles}}</ol>
            <nav><p>Page {{pagination.page}} of {{pagination.total_pages}}</p>
            {{#pagination.prev_url}}<a href="{{.}}">Newer</a>{{/pagination.prev_url}} {{#pagination.next_url}}<a href="{{.}}">Older</a>{{/pagination.next_url}}</nav>
            """,
        "section.mustache": """
            {{<base}}{{$main}}<h1>{{section.title}}</h1>{{{section.content}}}
            {{>partials/list}}{{/main}}{{/base}}

            """,
        "category.mustache": """
            {{<base}}{{$main}}<h1>{{category.name}}</h1>
            {{>partials/list}}{{/main}}{{/base}}

            """,
        "author.mustache": """
            {{<base}}{{$main}}<h1>{{author.name}}</h1>{{{author.bio}}}
            {{>partials/list}}{{/main}}{{/base}}

            """,
        "categories.mustache": """
            {{<base}}{{$main}}<h1>{{page.title}}</h1><ul>{{#categories}}
            <li><a href="{{url}}">{{name}}</a> ({{count}})</li>{{/categories}}</ul>{{/main}}{{/base}}

            """,
        "authors.mustache": """
            {{<base}}{{$main}}<h1>{{page.title}}</h1><ul>{{#authors}}
            <li><a href="{{url}}">{{name}}</a> ({{count}})</li>{{/authors}}</ul>{{/main}}{{/base}}

            """,
        "home.mustache": """
            {{<base}}{{$main}}<h1>{{site.title}}</h1><ol>{{#articles}}
            <li><a href="{{url}}">{{title}}</a> {{date}} <p>{{.summary}}</p></li>{{/articles}}</ol>{{/main}}{{/base}}

            """,
        "404.mustache": """
            {{<base}}{{$main}}<h1>Page not found</h1>{{/main}}{{/base}}

            """,
        "page.mustache": """
            {{<base}}{{$main}}<h1>{{page.title}}</h1>{{{page.content}}}{{/main}}{{/base}}

            """,
        // The search page has no counterpart in the Hugo site; the smallest page that runs the search.
        "search.mustache": """
            {{<base}}{{$main}}<h1>{{page.title}}</h1><div id="search-app" data-manifest="{{search.manifest_url}}"></div>{{/main}}{{/base}}

            """,
    ]
}
