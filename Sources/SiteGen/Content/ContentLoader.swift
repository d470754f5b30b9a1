import Foundation

/// Reads and decodes every Markdown file of the inventory, in parallel. Each file yields its document
/// and its diagnostics; nothing is dropped silently: a file that cannot be used is an error.
public struct ContentLoader: Sendable {
    public var source: URL { didSet { sourcePrefix = Self.prefix(of: source) } }
    public var config: SiteConfig
    public var markdown: MarkdownRenderer

    /// The source folder as a path ending in "/" (cheaper than URL appends per file), made once: a
    /// URL's `path` is computed anew on each call.
    private(set) var sourcePrefix: String

    private static func prefix(of source: URL) -> String {
        let path = source.path
        return path.hasSuffix("/") ? path : path + "/"
    }

    public init(source: URL, config: SiteConfig) {
        self.source = source
        self.sourcePrefix = Self.prefix(of: source)
        self.config = config
        self.markdown = MarkdownRenderer(unsafeHTML: config.unsafeHTML, rootPath: config.rootPath)
    }

    /// Indirect: a document is held by the store and by the build cache's entry, and copied through
    /// the parallel map; as a box it is one allocation shared by all of them, not ~400 bytes per copy.
    indirect enum Loaded: Sendable {
        case article(ArticleDocument)
        case author(AuthorDocument)
        case category(CategoryDocument)
        case section(SectionDocument)
        case page(PageDocument)
        case home(HomeDocument)
        case none

        func with(_ fingerprint: Fingerprint) -> Loaded {
            switch self {
            case .article(var document): document.fingerprint = fingerprint; return .article(document)
            case .author(var document): document.fingerprint = fingerprint; return .author(document)
            case .category(var document): document.fingerprint = fingerprint; return .category(document)
            case .section(var document): document.fingerprint = fingerprint; return .section(document)
            case .page(var document): document.fingerprint = fingerprint; return .page(document)
            case .home(var document): document.fingerprint = fingerprint; return .home(document)
            case .none: return .none
            }
        }
    }

    public func load(_ inventory: ContentInventory) async -> ContentStore {
        let results = await Parallel.map(inventory.markdown) { file in self.load(file) }
        return Self.store(inventory, results)
    }

    /// Loads the inventory, reusing cache entries whose file stamp (size, mtime, inode) is unchanged.
    /// Returns the store, every file's entry for the next build cache, and how many files were parsed.
    /// With `bodies`, each article's HTML and plain text go there as soon as it is parsed. `stamps` are
    /// the files' stamps when the build already took them (`InputManifest.stamps`, taken before any
    /// file is read); the others are taken here.
    func load(_ inventory: ContentInventory, reusing cache: [String: BuildCache.Entry], bodies: BodyStore? = nil,
              stamps: [String: FileStamp] = [:]) async -> (ContentStore, entries: [String: BuildCache.Entry], parsed: Int) {
        let prefix = sourcePrefix
        // Files are opened relative to the source folder: the folder's path is walked once, not for
        // every file (the kernel's path lookups were ~1% of a 10k build). Without it, by full path.
        let folder = SourceFolder(prefix)
        let results = await Parallel.mapChunks(inventory.markdown) { files -> [(BuildCache.Entry, fresh: Bool)] in
            var results = files.map { file -> (BuildCache.Entry, fresh: Bool) in
                // Without a stamp taken already and a cache entry to compare it with, the stamp is that
                // of the file as it is opened to be read (fstat(2) on it, not a second path lookup).
                let cached = cache[file.path]
                var stamp = stamps[file.path]
                if stamp == nil, cached != nil { stamp = folder.stamp(file.path) ?? .missing }
                if let stamp, stamp != .missing, let cached, cached.stamp == stamp { return (cached, false) }
                var opened: FileStamp?
                let (loaded, diagnostics) = self.load(file, size: stamp.flatMap { $0 == .missing ? nil : $0.size },
                                                      folder: folder, defersSearchTerms: true, stamp: &opened)
                return (BuildCache.Entry(stamp: stamp ?? opened ?? .missing, loaded: loaded, diagnostics: diagnostics), true)
            }
            Self.finishArticles(of: &results, to: bodies)
            return results
        }
        let store = Self.store(inventory, results.lazy.map { ($0.0.loaded, $0.0.diagnostics) })
        var entries: [String: BuildCache.Entry] = [:]
        entries.reserveCapacity(results.count)
        for (file, result) in zip(inventory.markdown, results) where entries[file.path] == nil {
            entries[file.path] = result.0
        }
        return (store, entries, results.count { $0.fresh })
    }

    /// The articles of a chunk of files just loaded: their search terms are counted one article after
    /// another with one term table (`MarkdownBody.forDeferredSearch`), their bodies go to `store` with
    /// one write, and what only decoding needed (the first paragraph, from which the summary was made,
    /// and the headings) is dropped.
    static func finishArticles(of results: inout [(BuildCache.Entry, fresh: Bool)], to store: BodyStore?) {
        var articles: [(index: Int, document: ArticleDocument)] = []
        for index in results.indices {
            if case .article(let document) = results[index].0.loaded { articles.append((index, document)) }
        }
        guard !articles.isEmpty else { return }
        var bodies = articles.map(\.document.body.body)
        if bodies.contains(where: { $0.pendingSearch != nil }) {
            TermSource.pool.borrow { source in
                for index in bodies.indices { bodies[index].finishSearch(with: source) }
            }
        }
        if let store { MarkdownBody.move(&bodies, to: store) }
        for (number, (index, var document)) in articles.enumerated() {
            document.body.body = bodies[number]
            document.body.firstParagraph = ""
            document.body.headings = []
            results[index].0.loaded = .article(document)
        }
    }

    /// Puts loaded files (fresh or from a cache) together with the inventory's static files.
    static func store(_ inventory: ContentInventory,
                      _ results: some Sequence<(Loaded, [Diagnostic])>) -> ContentStore {
        var store = ContentStore(staticFiles: inventory.staticFiles, diagnostics: inventory.diagnostics)
        for (loaded, diagnostics) in results {
            store.diagnostics += diagnostics
            switch loaded {
            case .article(let document): store.articles.append(document)
            case .author(let document): store.authors.append(document)
            case .category(let document): store.categories.append(document)
            case .section(let document): store.sections.append(document)
            case .page(let document): store.pages.append(document)
            case .home(let document): store.home = document
            case .none: break
            }
        }
        return store
    }

    /// Reads, decodes and parses one file. `size` is its size when a stamp of it was just taken (the
    /// read then needs no fstat(2) of its own; a file that changed since is still read whole).
    /// With `defersSearchTerms`, an article's search terms are left to count (`finishArticles`).
    func load(_ file: ContentInventory.MarkdownFile, size: Int? = nil, folder: SourceFolder? = nil,
              defersSearchTerms: Bool = false) -> (Loaded, [Diagnostic]) {
        var stamp: FileStamp?
        return load(file, size: size, folder: folder, defersSearchTerms: defersSearchTerms, stamp: &stamp)
    }

    /// `load`; without `size`, `stamp` is set to the stamp of the file as it was opened to be read.
    func load(_ file: ContentInventory.MarkdownFile, size: Int?, folder: SourceFolder?, defersSearchTerms: Bool,
              stamp: inout FileStamp?) -> (Loaded, [Diagnostic]) {
        let path = file.path
        let split: SplitDocument
        let fingerprint: Fingerprint
        do {
            let bytes = try folder?.read(path, size: size, stamp: &stamp)
                ?? FileIO.read(sourcePrefix + path, size: size, stamp: &stamp)
            fingerprint = bytes.withUnsafeBytes { buffer in
                var hash = Fingerprint()
                hash.add(bytes: buffer)
                return hash
            }
            let text = try SourceText.decode(bytes)
            split = try FrontMatterSplitter.split(text)
        } catch let error as SourceText.DecodeError {
            guard case let .invalidUTF8(line, column) = error else { return (.none, []) }
            return (.none, [Diagnostic(.error, file: path, line: line, column: column,
                                       "file is not valid UTF-8", hint: "re-save the file with UTF-8 encoding")])
        } catch FrontMatterError.missingOpeningFence {
            return (.none, [Diagnostic(.error, file: path, "missing front matter",
                                       hint: "start the file with a line '---', the YAML keys, then '---'")])
        } catch FrontMatterError.unterminated(let line) {
            return (.none, [Diagnostic(.error, file: path, line: line, "front matter is not terminated",
                                       hint: "add a line '---' after the last front-matter key")])
        } catch {
            return (.none, [Diagnostic(.error, file: path, "cannot read file: \(error)",
                                       hint: "check that the file is readable")])
        }
        var fields = YAMLFields(yaml: split.yaml, file: path, firstLine: split.yamlFirstLine)
        guard fields.parsed else { return (.none, fields.diagnostics) }
        var decoder = DocumentDecoder(config: config, markdown: markdown)
        decoder.defersSearchTerms = defersSearchTerms
        let loaded: Loaded
        switch file.role {
        case .article(let section): loaded = decoder.article(path, section, split, &fields)
        case .author: loaded = decoder.author(path, split, &fields)
        case .category: loaded = decoder.category(path, &fields)
        case .sectionIndex(let section): loaded = decoder.section(path, section, split, &fields)
        case .page: loaded = decoder.page(path, split, &fields)
        case .homeIndex: loaded = decoder.home(path, split, &fields)
        }
        return (loaded.with(fingerprint), fields.diagnostics)
    }
}

/// Runs independent work on all cores and returns the results in input order.
enum Parallel {
    static func map<Input: Sendable, Output: Sendable>(
        _ items: [Input], chunkSize: Int = 16, _ transform: @escaping @Sendable (Input) -> Output
    ) async -> [Output] {
        guard items.count > 1 else { return items.map(transform) }
        return await mapChunks(items, chunkSize: chunkSize) { $0.map(transform) }
    }

    /// `map` for work done a chunk at a time: `transform` gets up to `chunkSize` consecutive items and
    /// returns one output for each.
    /// The chunks are slices of `items`: copying them into arrays of their own copied every item (a
    /// retain and a release of each of its fields: ~14,000 render jobs at 10k articles).
    static func mapChunks<Input: Sendable, Output: Sendable>(
        _ items: [Input], chunkSize: Int = 16, _ transform: @escaping @Sendable (ArraySlice<Input>) -> [Output]
    ) async -> [Output] {
        guard items.count > 1 else { return transform(items[...]) }
        let chunks = stride(from: 0, to: items.count, by: chunkSize).map { start in
            (start, items[start..<min(start + chunkSize, items.count)])
        }
        return await withTaskGroup(of: (Int, [Output]).self) { group in
            for (start, chunk) in chunks {
                group.addTask { (start, transform(chunk)) }
            }
            var parts: [(Int, [Output])] = []
            parts.reserveCapacity(chunks.count)
            for await part in group { parts.append(part) }
            return parts.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
    }
}

/// The source folder, open as a directory, for reading files and taking their stamps by relative path.
/// Falls back to full paths when it cannot be opened.
final class SourceFolder: Sendable {
    let prefix: String
    let descriptor: Int32

    /// `prefix`: the folder's path ending in "/".
    init(_ prefix: String) {
        self.prefix = prefix
        descriptor = open(prefix, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    func read(_ path: String, size: Int?) throws -> [UInt8] {
        var stamp: FileStamp?
        return try read(path, size: size, stamp: &stamp)
    }

    /// `read`; without `size`, `stamp` is set to the stamp of the file as it was opened.
    func read(_ path: String, size: Int?, stamp: inout FileStamp?) throws -> [UInt8] {
        guard descriptor >= 0 else { return try FileIO.read(prefix + path, size: size, stamp: &stamp) }
        return try FileIO.read(path, size: size, in: descriptor, name: prefix + path, stamp: &stamp)
    }

    func stamp(_ path: String) -> FileStamp? {
        descriptor >= 0 ? FileStamp(path: path, in: descriptor) : FileStamp(path: prefix + path)
    }
}
