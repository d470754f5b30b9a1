import Foundation

/// Writes a generated publication site of any size, deterministically from a seed, for benchmarks:
/// articles of 600–2,000 words using the Markdown features real articles use, 150 authors (Zipf-like),
/// 25 categories, images on 70%, dates over 20 years. It can write the same corpus as a Hugo site.
public struct CorpusGenerator: Sendable {
    public var articles: Int
    public var seed: UInt64
    public var authors = 150
    public var section = "peninsula"

    public init(articles: Int, seed: UInt64 = 1) {
        self.articles = articles
        self.seed = seed
    }

    struct Person { var slug: String; var name: String; var role: String; var bio: String }
    struct Item {
        var slug: String
        var frontMatter: String
        var body: String
    }

    /// Writes the sitegen site to `folder` (with `theme` copied as its layouts/, or without one the
    /// layouts that write the Hugo site's pages: `PlainLayouts`), and if `hugo` is given, the same
    /// content as a Hugo site there.
    public func write(to folder: URL, theme: URL?, hugo: URL? = nil) throws {
        var random = SeededRandom(seed: seed)
        let people = makePeople(&random)
        let items = makeArticles(&random, people: people)
        try writeSitegen(folder, theme: theme, people: people, items: items)
        if let hugo { try HugoSite.write(hugo, section: section, people: people, items: items) }
    }

    func makePeople(_ random: inout SeededRandom) -> [Person] {
        var seen = Set<String>()
        return (0..<authors).map { index in
            var name = "\(random.pick(Vocabulary.firstNames)) \(random.pick(Vocabulary.lastNames))"
            if seen.contains(name) { name += " \(index)" }
            seen.insert(name)
            let slug = name.lowercased().folding(options: .diacriticInsensitive, locale: nil)
                .replacingOccurrences(of: " ", with: "-")
            let bio = "\(name) is a fellow who writes about \(sentence(&random, words: 10)) "
                + "The views expressed here are the author's own."
            return Person(slug: slug, name: name, role: random.pick(["Senior Fellow", "Fellow", "Director",
                                                                     "Research Associate", "Visiting Scholar"]),
                          bio: bio)
        }
    }

    func makeArticles(_ random: inout SeededRandom, people: [Person]) -> [Item] {
        let zipf = SeededRandom.zipfTable(people.count)
        let start = Date(timeIntervalSince1970: 1_104_537_600)  // 2005-01-01
        let span = 20.0 * 365 * 86_400
        var slugs: [String] = []
        var items: [Item] = []
        for index in 0..<articles {
            var title = capitalized(sentence(&random, words: random.int(4...9), markup: false).dropLast())
            if index % 17 == 0 { title = "\(random.pick(Vocabulary.hangul)) (\(title))" }
            if index % 11 == 0 { title += " & \"\(random.pick(Vocabulary.words).capitalized)\"" }
            let slug = "a\(index)-" + title.lowercased().filter { $0.isLetter && $0.isASCII || $0 == " " }
                .split(separator: " ").prefix(5).joined(separator: "-")
            var authorSlugs: [String] = []
            for _ in 0..<random.int(1...3) {
                let slug = people[random.zipf(people.count, table: zipf)].slug
                if !authorSlugs.contains(slug) { authorSlugs.append(slug) }
            }
            var categories: [String] = []
            for _ in 0..<random.int(1...2) {
                let name = random.pick(Vocabulary.categories)
                if !categories.contains(name) { categories.append(name) }
            }
            let date = start.addingTimeInterval(span * Double(index) / Double(max(articles, 1))
                                                + Double(random.int(0...80_000)))
            var front = """
            title: \(quoted(title))
            date: \(ISO8601DateFormatter().string(from: date))
            authors: [\(authorSlugs.joined(separator: ", "))]
            categories: [\(categories.map(quoted).joined(separator: ", "))]

            """
            if random.chance(0.5) { front += "summary: \(quoted(sentence(&random, words: 25, markup: false)))\n" }
            if random.chance(0.7) {
                front += "image: /images/photo-\(random.int(1...20)).svg\nimage_alt: \(quoted(sentence(&random, words: 6, markup: false)))\n"
                    + "image_credit: \(quoted("Photo by " + random.pick(Vocabulary.firstNames) + " on the Institute desk"))\n"
            }
            let body = makeBody(&random, words: random.int(600...2000), related: slugs.suffix(50))
            items.append(Item(slug: slug, frontMatter: front, body: body))
            slugs.append(slug)
        }
        return items
    }

    func makeBody(_ random: inout SeededRandom, words target: Int, related: ArraySlice<String>) -> String {
        var blocks: [String] = []
        var count = 0
        var footnotes: [String] = []
        while count < target {
            let roll = random.int(0...19)
            switch roll {
            case 0...1:
                blocks.append("## " + capitalized(sentence(&random, words: random.int(3...6)).dropLast()))
            case 2:
                let marker = random.chance(0.5) ? "-" : "1."
                blocks.append((0..<random.int(3...5)).map { _ in "\(marker) " + sentence(&random, words: random.int(6...14)) }
                    .joined(separator: "\n"))
            case 3:
                blocks.append("> " + sentence(&random, words: random.int(15...30)) + "\n> --- " + random.pick(Vocabulary.lastNames))
            case 4 where random.chance(0.3):
                var table = "| Indicator | 2019 | 2024 |\n|:--|--:|--:|\n"
                for _ in 0..<4 {
                    table += "| \(capitalized(random.pick(Vocabulary.words))) | \(random.int(1...999)) | \(random.int(1...999)) |\n"
                }
                blocks.append(table)
            default:
                var paragraph = (0..<random.int(3...6)).map { _ in sentence(&random, words: random.int(8...24)) }
                if random.chance(0.3) { paragraph.append("See https://data.example.net/series/\(random.int(1...9999)) for the figures.") }
                if let other = related.randomElement(using: &random), random.chance(0.3) {
                    paragraph.append("We argued this [earlier](/\(section)/\(other)/) -- and \"the record\" holds.")
                }
                if random.chance(0.25) { paragraph[0] = "*" + paragraph[0].dropLast() + "*." }
                if random.chance(0.15) {
                    footnotes.append("[^\(footnotes.count + 1)]: " + sentence(&random, words: 12))
                    paragraph.append("This is ~~not~~ a documented point.[^\(footnotes.count)]")
                }
                blocks.append(paragraph.joined(separator: " "))
            }
            count += blocks.last!.split(separator: " ").count
        }
        return (blocks + footnotes).joined(separator: "\n\n") + "\n"
    }

    /// A sentence of `words` words; with `markup`, one in five longer ones has a word in bold. Front-matter
    /// text (titles, summaries, alt text) is plain: a site shows it as typed. The draw is made either way,
    /// so the rest of the corpus is the same.
    func sentence(_ random: inout SeededRandom, words: Int, markup: Bool = true) -> String {
        var parts = (0..<words).map { _ in random.pick(Vocabulary.words) }
        parts[0] = parts[0].capitalized
        if words > 6, random.chance(0.2), markup { parts[words / 2] = "**\(parts[words / 2])**" }
        return parts.joined(separator: " ") + "."
    }

    func capitalized<S: StringProtocol>(_ text: S) -> String { text.prefix(1).uppercased() + text.dropFirst() }

    func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    func writeSitegen(_ folder: URL, theme: URL?, people: [Person], items: [Item]) throws {
        let files = FileManager.default
        try files.createDirectory(at: folder, withIntermediateDirectories: true)
        try Self.write(folder, "site.yml", """
            title: Benchmark Institute
            base_url: https://example.org/
            timezone: UTC
            per_page: 20
            newsletter:
              action: https://example.org/subscribe
            menu:
              - label: The Peninsula
                url: /\(section)/

            """)
        try Self.write(folder, "content/\(section)/_index.md", "---\ntitle: The Peninsula\n---\nGenerated articles.\n")
        for person in people {
            try Self.write(folder, "content/authors/\(person.slug).md",
                      "---\nname: \(quoted(person.name))\ntitle: \(person.role)\n---\n\(person.bio)\n")
        }
        for item in items {
            try Self.write(folder, "content/\(section)/\(item.slug).md", "---\n\(item.frontMatter)---\n\n\(item.body)")
        }
        for index in 1...20 {
            try Self.write(folder, "content/images/photo-\(index).svg",
                      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 9\"><title>Photo \(index)</title>"
                      + "<rect width=\"16\" height=\"9\" fill=\"#\(String(index * 40_000 + 1_000_000, radix: 16).prefix(6))\"/></svg>\n")
        }
        let layouts = folder.appendingPathComponent("layouts")
        if files.fileExists(atPath: layouts.path) { try files.removeItem(at: layouts) }
        if let theme { try files.copyItem(at: theme, to: layouts) } else { try PlainLayouts.write(into: layouts) }
    }

    /// Writes `text` to `path` inside `folder`, making the folders it needs (the sitegen and Hugo sites
    /// and the plain layouts all write their files through this).
    static func write(_ folder: URL, _ path: String, _ text: String) throws {
        let url = folder.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }
}
