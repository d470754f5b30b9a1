import Foundation

/// A file built into the binary (the default theme, the example site), from a source file produced
/// by `.ci/embed-theme`: text as it is, anything else as base64.
public struct EmbeddedFile: Sendable {
    /// Path relative to a site folder, e.g. `layouts/base.mustache`.
    public let path: String
    private let text: String?
    private let base64: String?

    init(_ path: String, text: String) {
        self.path = path
        self.text = text
        self.base64 = nil
    }

    init(_ path: String, base64: String) {
        self.path = path
        self.text = nil
        self.base64 = base64
    }

    public var data: Data {
        if let text { return Data(text.utf8) }
        return Data(base64Encoded: base64 ?? "") ?? Data()
    }
}

/// `sitegen init`: writes a new site from files built into the binary, so it works from any folder.
/// The default theme is the repository's `layouts/`; `--example` also writes the example site
/// (its `site.yml` and `content/`) instead of the small starter below.
public struct SiteInitializer: Sendable {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The repository's `layouts/`, embedded.
    public static var defaultTheme: [EmbeddedFile] { EmbeddedFiles.defaultTheme }
    /// The repository's `site.yml` and `content/`, embedded.
    public static var exampleSite: [EmbeddedFile] { EmbeddedFiles.exampleSite }

    public var folder: URL
    public var example: Bool

    public init(folder: URL, example: Bool = false) {
        self.folder = folder.standardizedFileURL
        self.example = example
    }

    /// The files `create` writes: path relative to the folder → bytes.
    public func files(today: Date = Date()) -> [(path: String, data: Data)] {
        let site = example ? Self.exampleSite.map { ($0.path, $0.data) } : Self.starter(today: today)
        return (Self.defaultTheme.map { ($0.path, $0.data) } + site).sorted { $0.0 < $1.0 }
    }

    /// Writes the site; refuses a folder that exists and is not empty. Returns the paths written.
    @discardableResult
    public func create(today: Date = Date()) throws -> [String] {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        if manager.fileExists(atPath: folder.path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw Failure(description: "\(folder.path) exists and is not a folder") }
            let entries = (try? manager.contentsOfDirectory(atPath: folder.path)) ?? []
            guard entries.isEmpty else {
                throw Failure(description: "\(folder.path) is not empty; sitegen init only writes into a new or empty folder")
            }
        }
        let files = files(today: today)
        do {
            for (path, data) in files {
                let url = folder.appendingPathComponent(path)
                try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try data.write(to: url, options: .withoutOverwriting)
            }
        } catch {
            throw Failure(description: "cannot write the new site: \(error.localizedDescription)")
        }
        return files.map(\.path)
    }

    /// A small site to start from: one section with one article, one author.
    static func starter(today: Date) -> [(String, Data)] {
        let day = DateFormatting(timeZone: TimeZone(identifier: "UTC")!).day(today)
        let files: [(String, String)] = [
            ("site.yml", """
            title: My Publication
            base_url: https://example.org/
            language: en
            description: Analysis and commentary from our writers.
            timezone: UTC
            per_page: 10
            menu:
              - label: News
                url: /news/
              - label: Categories
                url: /categories/
              - label: Authors
                url: /authors/

            """),
            ("content/news/_index.md", """
            ---
            title: News
            description: The latest from our writers.
            return_label: Return to News
            ---
            Articles in this section live in `content/news/`. Add one with
            `sitegen new article --section news "Title"`.

            """),
            ("content/authors/jane-doe.md", """
            ---
            name: Jane Doe
            title: Editor
            ---
            Jane Doe edits this publication. Author pages live in `content/authors/`; the file name is
            the slug that articles list under `authors:`.

            """),
            ("content/news/hello-world.md", """
            ---
            title: Hello, World
            date: \(day)
            authors: [jane-doe]
            categories: [Announcements]
            summary: The first article of a new site, written by sitegen init.
            ---
            This is the first article. Edit `content/news/hello-world.md` while `sitegen serve` runs and
            the page in your browser reloads by itself.

            ## What to do next

            - Change the title and description in `site.yml`.
            - Write articles in `content/news/` (Markdown with front matter).
            - Adjust the theme in `layouts/`: Mustache templates, and `layouts/assets/` for styles.

            """),
        ]
        return files.map { ($0.0, Data($0.1.utf8)) }
    }
}

/// Namespace for the generated lists (`DefaultTheme.swift`, `ExampleSite.swift`).
enum EmbeddedFiles {}
