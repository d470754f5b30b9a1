import Foundation

/// Turns front-matter fields and a body into typed documents, one function per kind of file.
struct DocumentDecoder {
    let config: SiteConfig
    let markdown: MarkdownRenderer
    /// Whether an article's search terms are left for the caller to count (`MarkdownBody.finishSearch`).
    var defersSearchTerms = false

    static let articleKeys = ["title", "date", "authors", "categories", "summary", "image", "image_alt",
                              "image_credit", "draft", "slug", "updated", "aliases"]
    static let authorKeys = ["name", "title", "photo"]
    static let categoryKeys = ["name", "description"]
    static let sectionKeys = ["title", "description", "return_label"]
    static let pageKeys = ["title", "description", "slug", "draft", "aliases"]
    static let homeKeys = ["title", "description"]

    func article(_ path: String, _ section: String, _ split: SplitDocument,
                 _ fields: inout YAMLFields) -> ContentLoader.Loaded {
        fields.checkUnknownKeys(Self.articleKeys, passThrough: true)
        let title = fields.string("title", required: true)
        let date = located(date: "date", required: true, &fields)
        let updated = located(date: "updated", required: false, &fields)
        let authors = fields.stringList("authors", required: true) ?? []
        let categories = fields.stringList("categories", required: true) ?? []
        let image = imageRef(&fields)
        let slug = slug(path, &fields)
        let aliases = aliases(&fields)
        let body = markdown.render(split.body)
        // Derived once here (and kept in the build cache), not on every assembly of the site.
        let summary = fields.string("summary") ?? Summary.make(from: body.firstParagraph)
        let draft = fields.bool("draft") ?? false
        if let date, let updated, updated.value < date.value {
            fields.diagnostics.append(.warning(path, updated.position, "'updated' is earlier than 'date'"))
        }
        guard let title, let date, !authors.isEmpty, !categories.isEmpty else { return .none }
        return .article(ArticleDocument(
            path: path, section: section, slug: slug, title: title, date: date, updated: updated?.value,
            authors: authors.map { Located($0.0, at: $0.1) },
            authorsPosition: fields.field("authors")?.position ?? .start,
            categories: categories.map { Located($0.0, at: $0.1) }, summary: summary, image: image,
            draft: draft, aliases: aliases,
            params: FrontMatterParams.collect(fields, known: Self.articleKeys),
            body: defersSearchTerms ? body.kept(forDeferredSearchWith: summary) : body.kept(forSearchWith: summary)))
    }

    func author(_ path: String, _ split: SplitDocument, _ fields: inout YAMLFields) -> ContentLoader.Loaded {
        fields.checkUnknownKeys(Self.authorKeys, passThrough: true)
        let name = fields.string("name", required: true)
        let role = fields.string("title")
        let photo = url("photo", &fields)
        let bio = markdown.render(split.body)
        guard let name else { return .none }
        return .author(AuthorDocument(path: path, slug: fileSlug(path), name: name, role: role, photo: photo,
                                      bio: bio.kept(plainText: false), params: FrontMatterParams.collect(fields, known: Self.authorKeys)))
    }

    func category(_ path: String, _ fields: inout YAMLFields) -> ContentLoader.Loaded {
        fields.checkUnknownKeys(Self.categoryKeys, passThrough: false)
        let name = fields.string("name", required: true)
        let description = fields.string("description")
        guard let name else { return .none }
        let slug = fileSlug(path)
        if Slug.make(name) != slug {
            fields.diagnostics.append(.error(path, fields.field("name")!.position,
                "category name '\(name)' has the slug '\(Slug.make(name))', but the file is named '\(slug).md'",
                hint: "rename the file to \(Slug.make(name)).md"))
        }
        return .category(CategoryDocument(path: path, slug: slug, name: name, description: description))
    }

    func section(_ path: String, _ section: String, _ split: SplitDocument,
                 _ fields: inout YAMLFields) -> ContentLoader.Loaded {
        fields.checkUnknownKeys(Self.sectionKeys, passThrough: false)
        let title = fields.string("title") ?? section.capitalized
        let description = fields.string("description") ?? ""
        let returnLabel = fields.string("return_label") ?? "Return to \(title)"
        return .section(SectionDocument(path: path, slug: section, title: title, description: description,
                                        returnLabel: returnLabel,
                                        intro: markdown.render(split.body).kept(plainText: false)))
    }

    func page(_ path: String, _ split: SplitDocument, _ fields: inout YAMLFields) -> ContentLoader.Loaded {
        fields.checkUnknownKeys(Self.pageKeys, passThrough: true)
        let title = fields.string("title", required: true)
        let description = fields.string("description") ?? ""
        let slug = slug(path, &fields)
        let aliases = aliases(&fields)
        let draft = fields.bool("draft") ?? false
        let body = markdown.render(split.body)
        guard let title else { return .none }
        return .page(PageDocument(path: path, slug: slug, title: title, description: description, draft: draft,
                                  aliases: aliases, params: FrontMatterParams.collect(fields, known: Self.pageKeys),
                                  body: body.kept(plainText: false)))
    }

    func home(_ path: String, _ split: SplitDocument, _ fields: inout YAMLFields) -> ContentLoader.Loaded {
        fields.checkUnknownKeys(Self.homeKeys, passThrough: false)
        return .home(HomeDocument(path: path, title: fields.string("title"), description: fields.string("description"),
                                  intro: markdown.render(split.body).kept(plainText: false)))
    }

    // MARK: Field helpers

    private func located(date key: String, required: Bool, _ fields: inout YAMLFields) -> Located<Date>? {
        guard let text = fields.string(key, required: required), let field = fields.field(key) else { return nil }
        guard let date = DateParser.parse(text, timeZone: config.timeZone) else {
            fields.diagnostics.append(.error(fields.file, field.position, "'\(key)' is not a valid date: '\(text)'",
                                             hint: "write it as YYYY-MM-DD or RFC 3339, e.g. 2024-03-14T09:30:00Z"))
            return nil
        }
        return Located(date, at: field.position)
    }

    private func url(_ key: String, _ fields: inout YAMLFields) -> String? {
        guard let value = fields.string(key), let field = fields.field(key), !value.isEmpty else { return nil }
        if let problem = URLSafety.problem(with: value) {
            fields.diagnostics.append(.error(fields.file, field.position, "'\(key)' \(problem)", hint: URLSafety.hint))
            return nil
        }
        return value
    }

    private func imageRef(_ fields: inout YAMLFields) -> ImageRef? {
        let alt = fields.string("image_alt")
        let credit = fields.string("image_credit")
        guard let url = url("image", &fields) else { return nil }
        if alt == nil {
            fields.diagnostics.append(.warning(fields.file, fields.field("image")!.keyPosition,
                "image has no 'image_alt' text", hint: "describe the image for readers who cannot see it"))
        }
        return ImageRef(url: url, alt: alt ?? "", credit: credit)
    }

    private func slug(_ path: String, _ fields: inout YAMLFields) -> Located<String> {
        let fromFile = fileSlug(path)
        guard let given = fields.string("slug"), let field = fields.field("slug") else {
            return Located(fromFile, at: .start)
        }
        guard Slug.isValid(given) else {
            fields.diagnostics.append(.error(fields.file, field.position, "invalid slug '\(given)'",
                                             hint: "use letters, digits and '-' only, e.g. '\(Slug.make(given))'"))
            return Located(fromFile, at: field.position)
        }
        return Located(given, at: field.position)
    }

    private func aliases(_ fields: inout YAMLFields) -> [Located<String>] {
        guard let list = fields.stringList("aliases") else { return [] }
        var result: [Located<String>] = []
        for (alias, position) in list {
            guard let normalized = OutputPath.normalize(alias) else {
                fields.diagnostics.append(.error(fields.file, position, "invalid alias '\(alias)'",
                    hint: "write a site path such as /old/path/ (no '..', no scheme or host)"))
                continue
            }
            result.append(Located(normalized, at: position))
        }
        return result
    }

    /// The file's name without `.md`. Cut at the last "/" by bytes: NSString's `lastPathComponent`
    /// bridged the path (~2% of the parse step).
    func fileSlug(_ path: String) -> String {
        let name = path.utf8.lastIndex(of: UInt8(ascii: "/")).map { path[path.index(after: $0)...] } ?? path[...]
        return String(name.dropLast(3))
    }
}
