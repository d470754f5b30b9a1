import Foundation

/// Resolves the documents of a `ContentStore` into a `Site`: authors and categories looked up (with
/// suggestions for typos), drafts and future articles filtered, everything sorted.
public enum SiteAssembler {
    public static func assemble(_ store: ContentStore, config: SiteConfig, options: BuildOptions,
                                configFingerprint: Fingerprint = Fingerprint()) -> (Site, [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        let authors = store.authors.sorted { ($0.name, $0.slug) < ($1.name, $1.slug) }.map { document in
            Author(slug: document.slug, name: document.name, role: document.role, photo: document.photo,
                   bioHTML: document.bio.html, sourcePath: document.path, params: document.params)
        }
        let authorSlugs = Set(authors.map(\.slug))
        var categoriesBySlug: [String: Category] = [:]
        for document in store.categories {
            categoriesBySlug[document.slug] = Category(slug: document.slug, name: document.name,
                                                       description: document.description)
        }
        let filedCategories = Set(categoriesBySlug.keys)
        var sections = sectionsFrom(store, diagnostics: &diagnostics)

        var articles: [Article] = []
        // Indices are sorted, not the documents: moving ~10,000 large structs was most of this step.
        // Read in place: `documents[index]` copied the whole document (a retain and a release of each
        // of its fields) for each comparison and each article.
        let documents = store.articles
        let byPath = documents.withUnsafeBufferPointer { all in
            all.indices.sorted { (all.baseAddress! + $0).pointee.path < (all.baseAddress! + $1).pointee.path }
        }
        documents.withUnsafeBufferPointer { all in
            for index in byPath {
                let document = all.baseAddress! + index
                if document.pointee.draft && !options.drafts { continue }
                if document.pointee.date.value > options.now && !options.future { continue }
                var authorList: [String] = []
                for author in document.pointee.authors {
                    if authorList.contains(author.value) {
                        diagnostics.append(.error(document.pointee.path, author.position, "author '\(author.value)' is listed twice",
                                                  hint: "remove the second '\(author.value)'"))
                    } else if !authorSlugs.contains(author.value) {
                        diagnostics.append(.error(document.pointee.path, author.position,
                            "unknown author '\(author.value)'" + Suggestions.didYouMean(author.value, in: authorSlugs),
                            hint: "authors are the files in content/authors/ (slug = file name)"))
                    } else {
                        authorList.append(author.value)
                    }
                }
                var categoryList: [String] = []
                for category in document.pointee.categories {
                    let slug = Slug.make(category.value)
                    if slug.isEmpty {
                        diagnostics.append(.error(document.pointee.path, category.position,
                                                  "category '\(category.value)' has no letters or digits",
                                                  hint: "a category's URL is made from its letters and digits; name it with words"))
                        continue
                    }
                    if categoryList.contains(slug) {
                        diagnostics.append(.error(document.pointee.path, category.position,
                                                  "category '\(category.value)' is listed twice",
                                                  hint: "names that differ only in case or punctuation are one category; keep one"))
                        continue
                    }
                    if categoriesBySlug[slug] == nil {
                        if let near = Suggestions.closest(to: slug, in: filedCategories) {
                            diagnostics.append(.warning(document.pointee.path, category.position,
                                "new category '\(category.value)' (did you mean '\(categoriesBySlug[near]!.name)'?)"))
                        }
                        categoriesBySlug[slug] = Category(slug: slug, name: category.value, description: nil)
                    }
                    categoryList.append(slug)
                }
                if sections[document.pointee.section] == nil {
                    sections[document.pointee.section] = defaultSection(document.pointee.section)
                    diagnostics.append(Diagnostic(.warning, file: "content/\(document.pointee.section)/_index.md",
                        "section '\(document.pointee.section)' has no _index.md; using the title '\(document.pointee.section.capitalized)'"))
                }
                articles.append(article(from: document, authors: authorList, categories: categoryList))
            }
        }
        // Compared in place: `unsorted[i]` copied a whole `Article` (a retain and a release of each
        // of its fields) twice per comparison; then moved into that order by swaps, not copied.
        let newest = articles.withUnsafeBufferPointer { all in
            all.indices.sorted { newestFirst(all.baseAddress! + $0, all.baseAddress! + $1) }
        }
        articles.arrange(by: newest)

        var bySection: [String: [Int]] = [:], byAuthor: [String: [Int]] = [:], byCategory: [String: [Int]] = [:]
        articles.withUnsafeBufferPointer { all in  // in place: `enumerated()` copied each article
            for index in all.indices {
                let article = all.baseAddress! + index
                bySection[article.pointee.section, default: []].append(index)
                for author in article.pointee.authors { byAuthor[author, default: []].append(index) }
                for category in article.pointee.categories { byCategory[category, default: []].append(index) }
            }
        }
        let sortedSections = sections.values.sorted { $0.slug < $1.slug }
        let categories = categoriesBySlug.values.sorted {
            ($0.name.lowercased(), $0.slug) < ($1.name.lowercased(), $1.slug)
        }
        let pages = store.pages.filter { !$0.draft || options.drafts }.map { document in
            StandalonePage(slug: document.slug.value, slugPosition: document.slug.position,
                           fingerprint: document.fingerprint, title: document.title, description: document.description,
                           html: document.body.html, sourcePath: document.path,
                           aliases: document.aliases, params: document.params)
        }
        var fingerprint = configFingerprint
        fingerprint.add(articles.count)
        fingerprint.add(DateFormatting(timeZone: config.timeZone).year(options.now))
        for document in store.authors.sorted(by: { $0.path < $1.path }) { fingerprint.add(document.fingerprint) }
        for category in categories {
            fingerprint.add([category.slug, category.name, category.description ?? ""])
        }
        for document in store.sections.sorted(by: { $0.path < $1.path }) { fingerprint.add(document.fingerprint) }
        for section in sortedSections {
            fingerprint.add(section.slug)
            fingerprint.add(bySection[section.slug]?.count ?? 0)
        }
        fingerprint.add(store.home?.fingerprint ?? Fingerprint())
        let site = Site(
            config: config, urls: SiteURLs(baseURL: config.baseURL, root: config.rootPath),
            dates: DateFormatting(timeZone: config.timeZone), articles: articles, sections: sortedSections,
            authors: authors, categories: categories, pages: pages, home: store.home,
            staticFiles: store.staticFiles, buildDate: options.now, fingerprint: fingerprint,
            articlesBySection: bySection, articlesByAuthor: byAuthor, articlesByCategory: byCategory,
            authorIndex: Dictionary(uniqueKeysWithValues: authors.enumerated().map { ($1.slug, $0) }),
            categoryIndex: Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1.slug, $0) }),
            sectionIndex: Dictionary(uniqueKeysWithValues: sortedSections.enumerated().map { ($1.slug, $0) }))
        return (site, diagnostics)
    }

    static func newestFirst(_ a: UnsafePointer<Article>, _ b: UnsafePointer<Article>) -> Bool {
        if a.pointee.date != b.pointee.date { return a.pointee.date > b.pointee.date }
        if a.pointee.title != b.pointee.title { return a.pointee.title < b.pointee.title }
        return a.pointee.sourcePath < b.pointee.sourcePath
    }

    private static func sectionsFrom(_ store: ContentStore, diagnostics: inout [Diagnostic]) -> [String: Section] {
        var sections: [String: Section] = [:]
        for document in store.sections {
            sections[document.slug] = Section(slug: document.slug, title: document.title,
                                              description: document.description, returnLabel: document.returnLabel,
                                              introHTML: document.intro.html, sourcePath: document.path)
        }
        let used = Set(store.sections.map(\.slug)).union(store.articles.map(\.section))
        for slug in used.sorted() where ContentScanner.reservedSections.contains(slug) || !Slug.isValid(slug) {
            diagnostics.append(Diagnostic(.error, file: "content/\(slug)",
                "'\(slug)' cannot be a section name: the site uses /\(slug)/ itself or it is not a valid URL part",
                hint: "rename the folder"))
        }
        return sections
    }

    private static func defaultSection(_ slug: String) -> Section {
        let title = slug.capitalized
        return Section(slug: slug, title: title, description: "", returnLabel: "Return to \(title)",
                       introHTML: "", sourcePath: "content/\(slug)/_index.md")
    }

    /// The article of `document`, read through a pointer (a copy of the document retained and released
    /// each of its fields).
    static func article(from d: UnsafePointer<ArticleDocument>, authors: [String], categories: [String]) -> Article {
        let summary = d.pointee.summary ?? ""  // set by the decoder: front matter, else the first paragraph
        var fingerprint = d.pointee.fingerprint
        fingerprint.add(authors)
        fingerprint.add(categories)
        return Article(sourcePath: d.pointee.path, section: d.pointee.section, slug: d.pointee.slug.value,
                       slugPosition: d.pointee.slug.position, title: d.pointee.title, date: d.pointee.date.value,
                       updated: d.pointee.updated, authors: authors, categories: categories, summary: summary,
                       image: d.pointee.image, draft: d.pointee.draft, aliases: d.pointee.aliases,
                       params: d.pointee.params, body: d.pointee.body.body,
                       wordCount: d.pointee.body.wordCount, fingerprint: fingerprint)
    }
}

/// Summaries derived from an article's first paragraph when front matter gives none.
enum Summary {
    static let limit = 280

    static func make(from paragraph: String) -> String {
        makeASCII(paragraph) ?? makeScalars(paragraph) ?? makeCharacters(paragraph)
    }

    /// The same result computed on UTF-8 bytes, counting scalars, for text where every scalar is a
    /// Character of its own: ASCII without carriage returns, plus scalars that never join a neighbour
    /// into one grapheme (`standsAlone`: Latin, Greek and Cyrillic letters, typographic quotes and
    /// dashes, Han, Hangul syllables). Articles with smart quotes took the Character path, ~2% of the
    /// parse step. Nil for any other text.
    static func makeScalars(_ paragraph: String) -> String? {
        var paragraph = paragraph
        return paragraph.withUTF8 { bytes -> String? in
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            // Scalars in `out`, and where the one at index `limit` (the first past the limit) starts.
            var count = 0, cut = 0
            var pendingSpace = false
            var index = 0
            while index < bytes.count {
                let lead = bytes[index]
                if lead == 10 || lead == 32 {
                    pendingSpace = !out.isEmpty
                    index += 1
                    continue
                }
                var length = 1
                if lead >= 0x80 {
                    length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
                    guard index + length <= bytes.count else { return nil }
                    var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
                    for k in 1..<length { value = value << 6 | UInt32(bytes[index + k] & 0x3F) }
                    guard standsAlone(value) else { return nil }
                } else if lead == 13 {
                    return nil
                }
                if pendingSpace {
                    if count == limit { cut = out.count }
                    out.append(32)
                    count += 1
                    pendingSpace = false
                }
                if count == limit { cut = out.count }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<(index + length)]))
                count += 1
                index += length
            }
            guard count > limit else { return String(decoding: out, as: UTF8.self) }
            var end = out[..<cut].lastIndex(of: 32) ?? cut
            while end > 0 {
                if [44, 59, 58, 46, 45].contains(out[end - 1]) {  // , ; : . -
                    end -= 1
                } else if end >= 3, out[end - 3] == 0xE2, out[end - 2] == 0x80, out[end - 1] == 0x93 || out[end - 1] == 0x94 {
                    end -= 3  // – —
                } else {
                    break
                }
            }
            return String(decoding: out[..<end], as: UTF8.self) + "…"
        }
    }

    /// Non-ASCII scalars that are always a grapheme of their own: no combining marks, joiners,
    /// variation selectors, Hangul jamo, emoji or line separators fall in these ranges.
    static func standsAlone(_ value: UInt32) -> Bool {
        switch value {
        case 0x00A0...0x02FF, 0x0370...0x0482, 0x048A...0x052F, 0x2010...0x2027, 0x2030...0x205E,
             0x20A0...0x20BF, 0x4E00...0x9FFF, 0xAC00...0xD7A3:
            return true
        default:
            return false
        }
    }

    /// The general case, by Characters.
    static func makeCharacters(_ paragraph: String) -> String {
        let text = paragraph.split(whereSeparator: { $0 == "\n" || $0 == " " }).joined(separator: " ")
        guard text.count > limit else { return text }
        var cut = String(text.prefix(limit))
        if let space = cut.lastIndex(of: " ") { cut = String(cut[..<space]) }
        while let last = cut.last, ",;:.-–—".contains(last) { cut.removeLast() }
        return cut + "…"
    }

    /// The same result computed on bytes, for text that is ASCII without carriage returns: there every
    /// byte is one Character (CR LF is the only ASCII pair that forms one grapheme), so splitting,
    /// counting and cutting by bytes equals doing it by Characters. Nil for any other text.
    static func makeASCII(_ paragraph: String) -> String? {
        var words: [UInt8] = []
        var pendingSpace = false
        var ascii = true
        paragraph.utf8.withContiguousStorageIfAvailable { bytes in
            words.reserveCapacity(bytes.count)
            for byte in bytes {
                if byte >= 0x80 || byte == 13 { ascii = false; return }
                if byte == 10 || byte == 32 {
                    pendingSpace = !words.isEmpty
                } else {
                    if pendingSpace { words.append(32); pendingSpace = false }
                    words.append(byte)
                }
            }
        } ?? { ascii = false }()
        guard ascii else { return nil }
        guard words.count > limit else { return String(decoding: words, as: UTF8.self) }
        var end = words[..<limit].lastIndex(of: 32) ?? limit
        while end > 0, [44, 59, 58, 46, 45].contains(words[end - 1]) { end -= 1 }  // , ; : . -
        return String(decoding: words[..<end], as: UTF8.self) + "…"
    }
}

extension Array {
    /// Puts the element that was at `order[k]` at `k`, for every `k` (`order` must be a permutation of
    /// the indices). The elements are moved through a scratch buffer, never copied: swapping them
    /// (`swapAt`) copied each Article it moved (a retain and a release of each of its fields).
    mutating func arrange(by order: [Int]) {
        precondition(order.count == count, "not a permutation of the indices")
        var seen = [Bool](repeating: false, count: count)
        for from in order {
            precondition(from >= 0 && from < count && !seen[from], "not a permutation of the indices")
            seen[from] = true
        }
        withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count > 1 else { return }
            let moved = UnsafeMutablePointer<Element>.allocate(capacity: buffer.count)
            defer { moved.deallocate() }
            for (position, from) in order.enumerated() { (moved + position).moveInitialize(from: base + from, count: 1) }
            base.moveInitialize(from: moved, count: buffer.count)
        }
    }
}
