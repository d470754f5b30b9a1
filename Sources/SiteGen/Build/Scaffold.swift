import Foundation

/// Creates new content files with the front matter sitegen expects (`sitegen new`).
public struct Scaffold: Sendable {
    public struct Failure: Error, Sendable { public var message: String }

    public var source: URL
    public init(source: URL) { self.source = source.standardizedFileURL }

    /// Writes `content/<section>/<slug>.md` and returns its path relative to the source folder.
    public func article(title: String, section: String, authors: [String], categories: [String],
                        date: Date, timeZone: TimeZone = .current) throws -> String {
        guard Slug.isValid(section), !ContentScanner.reservedSections.contains(section) else {
            throw Failure(message: "'\(section)' is not a usable section name")
        }
        let slug = Slug.make(title)
        guard !slug.isEmpty else { throw Failure(message: "the title must contain letters or digits") }
        let known = knownAuthors()
        for author in authors where !known.contains(author) {
            throw Failure(message: "unknown author '\(author)'" + Suggestions.didYouMean(author, in: known))
        }
        let formatting = DateFormatting(timeZone: timeZone)
        let text = """
        ---
        title: \(yamlQuoted(title))
        date: \(formatting.day(date))
        authors: [\(authors.joined(separator: ", "))]
        categories: [\(categories.map(yamlQuoted).joined(separator: ", "))]
        summary: ""
        draft: true
        ---

        Write the article here.

        """
        return try create("content/\(section)/\(slug).md", text)
    }

    /// Writes `content/authors/<slug>.md` and returns its path relative to the source folder.
    public func author(name: String, role: String?) throws -> String {
        let slug = Slug.make(name)
        guard !slug.isEmpty else { throw Failure(message: "the name must contain letters or digits") }
        let text = """
        ---
        name: \(yamlQuoted(name))
        title: \(yamlQuoted(role ?? ""))
        # photo: /images/authors/\(slug).jpg
        ---

        A short biography of \(name).

        """
        return try create("content/authors/\(slug).md", text)
    }

    func knownAuthors() -> [String] {
        let folder = source.appendingPathComponent("content/authors")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".md") }.map { String($0.dropLast(3)) }
    }

    private func create(_ relative: String, _ text: String) throws -> String {
        let url = source.appendingPathComponent(relative)
        guard !FileManager.default.fileExists(atPath: url.path) else {
            throw Failure(message: "\(relative) already exists")
        }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return relative
    }

    private func yamlQuoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
