import Foundation

/// The same corpus as a Hugo site: taxonomies `categories` and `authors` (bios as term `_index.md`),
/// plain layouts that produce the same pages as sitegen's (article, paginated lists by 20, term
/// indexes, home, 404), feeds with full content for every list, sitemap and robots.txt.
enum HugoSite {
    static func write(_ folder: URL, section: String, people: [CorpusGenerator.Person],
                      items: [CorpusGenerator.Item]) throws {
        func write(_ path: String, _ text: String) throws { try CorpusGenerator.write(folder, path, text) }
        try write("config.toml", """
            baseURL = "https://example.org/"
            languageCode = "en"
            title = "Benchmark Institute"
            paginate = 20
            enableRobotsTXT = true
            [taxonomies]
              author = "authors"
              category = "categories"
            [markup.goldmark.renderer]
              unsafe = false
            [markup.goldmark.parser.attribute]
              block = false
            [outputs]
              home = ["HTML", "RSS"]
              section = ["HTML", "RSS"]
              taxonomy = ["HTML"]
              term = ["HTML", "RSS"]
            [services.rss]
              limit = 20

            """)
        try write("content/\(section)/_index.md", "---\ntitle: The Peninsula\n---\nGenerated articles.\n")
        for person in people {
            try write("content/authors/\(person.slug)/_index.md",
                      "---\ntitle: \"\(person.name)\"\nrole: \(person.role)\n---\n\(person.bio)\n")
        }
        for item in items {
            try write("content/\(section)/\(item.slug).md", "---\n\(item.frontMatter)---\n\n\(item.body)")
        }
        for index in 1...20 {
            try write("static/images/photo-\(index).svg",
                      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 9\"><rect width=\"16\" height=\"9\"/></svg>\n")
        }
        for (path, text) in layouts { try write("layouts/" + path, text) }
    }

    static let layouts: [String: String] = [
        "_default/baseof.html": """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} | {{ .Site.Title }}</title>
            <link rel="canonical" href="{{ .Permalink }}"><meta name="description" content="{{ .Summary | plainify | truncate 160 }}">
            <link rel="stylesheet" href="/assets/style.css"></head><body>
            <header><a href="/">{{ .Site.Title }}</a><form action="/search/" method="get"><label>Search All Site Content <input name="q"></label></form>
            <p>Total Index: {{ len .Site.RegularPages }} publications</p><a href="#newsletter">Subscribe to our Mailing List!</a>
            <nav><a href="/peninsula/">The Peninsula</a> <a href="/categories/">Categories</a> <a href="/authors/">Authors</a></nav></header>
            <main>{{ block "main" . }}{{ end }}</main>
            <footer id="newsletter"><h2>Stay Informed</h2><form method="post" action="https://example.org/subscribe"><input type="email" name="email"></form></footer>
            </body></html>
            """,
        "_default/single.html": """
            {{ define "main" }}<article><p><a href="/peninsula/">The Peninsula</a></p><h1>{{ .Title }}</h1>
            <p>Published <time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "January 2, 2006" }}</time></p>
            <p>Authors: {{ range $i, $a := .GetTerms "authors" }}{{ if $i }}, {{ end }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}</p>
            <p>Categories: {{ range $i, $c := .GetTerms "categories" }}{{ if $i }}, {{ end }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}</p>
            {{ with .Params.image }}<figure><img src="{{ . }}" alt="{{ $.Params.image_alt }}"><figcaption>Photo: {{ $.Params.image_credit }}</figcaption></figure>{{ end }}
            {{ .Content }}
            {{ range .GetTerms "authors" }}<section><h2><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></h2><p>{{ .Params.role }}</p>{{ .Content }}</section>{{ end }}
            <a href="/peninsula/">Return to the Peninsula</a>
            {{ with .NextInSection }}<a rel="prev" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
            {{ with .PrevInSection }}<a rel="next" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
            </article>{{ end }}
            """,
        "_default/list.html": """
            {{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}
            {{ $pager := .Paginate .Pages }}
            <ol>{{ range $pager.Pages }}<li><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
            <p>Published {{ .Date.Format "January 2, 2006" }} · {{ range $i, $a := .GetTerms "authors" }}{{ if $i }}, {{ end }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}</p>
            <p>{{ range .GetTerms "categories" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>
            {{ with .Params.image }}<img src="{{ . }}" alt="{{ $.Params.image_alt }}">{{ end }}
            <p>{{ .Summary | plainify }}</p></li>{{ end }}</ol>
            <nav><p>Page {{ $pager.PageNumber }} of {{ $pager.TotalPages }}</p>
            {{ with $pager.Prev }}<a href="{{ .URL }}">Newer</a>{{ end }} {{ with $pager.Next }}<a href="{{ .URL }}">Older</a>{{ end }}</nav>{{ end }}
            """,
        "_default/terms.html": """
            {{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.Alphabetical }}
            <li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>{{ end }}
            """,
        "index.html": """
            {{ define "main" }}<h1>{{ .Site.Title }}</h1><ol>{{ range first 20 .Site.RegularPages.ByDate.Reverse }}
            <li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "January 2, 2006" }} <p>{{ .Summary | plainify }}</p></li>{{ end }}</ol>{{ end }}
            """,
        "404.html": """
            {{ define "main" }}<h1>Page not found</h1>{{ end }}
            """,
        "_default/rss.xml": """
            {{- $pages := .Pages -}}{{- if .IsHome -}}{{- $pages = .Site.RegularPages -}}{{- end -}}
            {{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
            <rss version="2.0"><channel><title>{{ .Title }}</title><link>{{ .Permalink }}</link><description>{{ .Title }}</description>
            {{ range first 20 $pages }}<item><title>{{ .Title }}</title><link>{{ .Permalink }}</link><guid>{{ .Permalink }}</guid>
            <pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate><description>{{ .Content | html }}</description></item>
            {{ end }}</channel></rss>
            """,
    ]
}
