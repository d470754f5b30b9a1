import Foundation

/// Keeps a parsed site in memory and, on each change, re-parses only the files that changed and
/// re-renders only the pages whose inputs changed (by `RenderJob.fingerprint`). The result is the
/// whole site in memory, byte for byte what a fresh `Builder` run writes. This is the preview's engine.
public actor IncrementalBuilder {
    /// The site after a rebuild.
    public struct Outcome: Sendable {
        /// Every generated file by output path (pages, feeds, sitemap…): the last good site.
        public var files: [String: Data]
        /// Files copied as they are: output path → source file.
        public var staticFiles: [String: URL]
        /// Output paths whose bytes changed, were added, or whose static source changed.
        public var changed: [String]
        public var removed: [String]
        /// Jobs rendered this time (the rest were reused).
        public var rendered: Int
        /// Markdown files parsed this time.
        public var parsed: Int
        /// Errors and warnings; when there are errors, `files` is the previous good site.
        public var diagnostics: [Diagnostic]
        public var succeeded: Bool { !diagnostics.hasErrors }
        public var seconds: Double
    }

    let stages: BuildStages
    let source: URL
    private var config: BuildStages.LoadedConfig?
    private var templates: (TemplateSet, [Diagnostic])?
    private var inventory: ContentInventory?
    private var parsed: [String: (ContentLoader.Loaded, [Diagnostic])] = [:]
    private var files: [String: Data] = [:]
    private var fingerprints: [String: Fingerprint] = [:]
    private var renderedTemplates: Fingerprint?
    private var staticFiles: [String: URL] = [:]
    /// The site of the last successful rebuild, and where each article is in it (for `early`).
    private var lastSite: Site?
    private var articleIndex: [String: Int]?

    /// The edited articles' own pages, rendered before the rest of a rebuild (see `early(changed:)`).
    public struct EarlyOutcome: Sendable {
        /// The last good site's files with the edited articles' pages replaced.
        public var files: [String: Data]
        /// Output paths whose bytes changed.
        public var changed: [String]
        public var seconds: Double
    }
    /// The search analysis of unchanged articles, kept from one rebuild to the next.
    let searchMemo = SearchAnalysis.Memo()

    public init(source: URL, options: BuildOptions = BuildOptions(), baseURLOverride: String? = nil) {
        self.source = source.standardizedFileURL
        self.stages = BuildStages(source: self.source, options: options, baseURLOverride: baseURLOverride)
    }

    /// Rebuilds after `changed` (paths relative to the source folder, e.g. `content/blog/a.md`,
    /// `layouts/base.mustache`, `site.yml`); nil re-reads everything.
    public func rebuild(changed: [String]? = nil) async -> Outcome {
        let start = ContinuousClock.now
        let paths = changed.map(Set.init)
        func touched(_ predicate: (String) -> Bool) -> Bool { paths.map { $0.contains(where: predicate) } ?? true }

        if config == nil || touched({ $0 == SiteConfig.fileName }) {
            let fresh = stages.loadConfig()
            if fresh.fingerprint != config?.fingerprint { parsed = [:] }  // Markdown output depends on it
            config = fresh
        }
        if templates == nil || touched({ $0.hasPrefix("layouts/") && !$0.hasPrefix("layouts/assets/") }) {
            templates = TemplateSet.load(source: source)
        }
        let knownMarkdown = Set(inventory?.markdown.map(\.path) ?? [])
        let needsScan = inventory == nil || paths == nil || paths!.contains { path in
            !(knownMarkdown.contains(path) && FileManager.default.fileExists(atPath: source.appendingPathComponent(path).path))
                && (path.hasPrefix("content/") || path.hasPrefix("layouts/assets/"))
        }
        if needsScan { inventory = ContentScanner.scan(source: source) }

        guard let config, let loadedConfig = config.config, let (templateSet, templateProblems) = templates,
              let inventory else {
            return failure(self.config?.diagnostics ?? [], start: start)
        }
        let stale = inventory.markdown.filter { parsed[$0.path] == nil || paths?.contains($0.path) ?? true }
        let loader = ContentLoader(source: source, config: loadedConfig)
        let fresh = await Parallel.map(stale) { file in loader.load(file) }
        for (file, result) in zip(stale, fresh) { parsed[file.path] = result }
        let live = Set(inventory.markdown.map(\.path))
        parsed = parsed.filter { live.contains($0.key) }

        let store = ContentLoader.store(inventory, inventory.markdown.map { parsed[$0.path]! })
        var diagnostics = config.diagnostics + templateProblems + store.diagnostics
        let (site, assemblyProblems) = SiteAssembler.assemble(store, config: loadedConfig, options: stages.options,
                                                              configFingerprint: config.fingerprint)
        let (jobs, planProblems) = stages.plan(site, templates: templateSet,
                                               search: .init(previousOutputs: fingerprints, memo: searchMemo))
        diagnostics += assemblyProblems + planProblems
        guard !diagnostics.hasErrors else { return failure(diagnostics, start: start) }

        let (rendered, changedFiles, removed) = await render(jobs, site: site, templates: templateSet)
        lastSite = site
        articleIndex = nil
        var changedPaths = changedFiles
        let newStatic = Dictionary(uniqueKeysWithValues: site.staticFiles.map {
            ($0.outputPath, source.appendingPathComponent($0.sourcePath))
        })
        for (output, url) in newStatic where staticFiles[output] == nil
            || paths?.contains(String(url.path.dropFirst(source.path.count + 1))) ?? true {
            changedPaths.append(output)
        }
        let removedStatic = staticFiles.keys.filter { newStatic[$0] == nil && files[$0] == nil }
        staticFiles = newStatic
        return Outcome(files: files, staticFiles: staticFiles, changed: changedPaths.sorted(),
                       removed: (removed + removedStatic).sorted(), rendered: rendered, parsed: stale.count,
                       diagnostics: diagnostics.sortedForReport(), seconds: (ContinuousClock.now - start).seconds)
    }

    /// The fast path of an edit to article bodies, for the preview to show the edited page before the
    /// rest of the rebuild is done. Applies only when every changed file is an article of the last good
    /// site that parses without a diagnostic and whose title, dates, slug, section, authors, categories,
    /// summary, image, aliases and draft flag are unchanged: then no other HTML page can change (lists,
    /// neighbours and indexes show only those fields), and only the article's page, the feeds and the
    /// search data can. Returns the article pages re-rendered into the last good files, or nil when
    /// the change is anything else. Changes nothing here: `rebuild` must still run for the whole site.
    public func early(changed: [String]) async -> EarlyOutcome? {
        let start = ContinuousClock.now
        guard var site = lastSite, let (templateSet, templateProblems) = templates, templateProblems.isEmpty,
              let loadedConfig = config?.config, !changed.isEmpty,
              changed.allSatisfy({ $0.hasPrefix("content/") && $0.hasSuffix(".md") }) else { return nil }
        if articleIndex == nil {
            articleIndex = Dictionary(site.articles.enumerated().map { ($1.sourcePath, $0) }, uniquingKeysWith: { a, _ in a })
        }
        let loader = ContentLoader(source: source, config: loadedConfig)
        var edited: [Int] = []
        for path in Set(changed).sorted() {
            guard let index = articleIndex?[path], let file = inventory?.markdown.first(where: { $0.path == path })
            else { return nil }
            let (loaded, problems) = loader.load(file)
            guard problems.isEmpty, case .article(let document) = loaded else { return nil }
            let old = site.articles[index]
            guard document.title == old.title, document.date.value == old.date, document.updated == old.updated,
                  document.slug.value == old.slug, document.section == old.section, document.draft == old.draft,
                  document.authors.map({ $0.value }) == old.authors,
                  // Categories by slug, written exactly as the category is named (the name may come from here).
                  document.categories.map({ Slug.make($0.value) }) == old.categories,
                  document.categories.allSatisfy({ site.category(Slug.make($0.value))?.name == $0.value }),
                  (document.summary ?? "") == old.summary, document.image == old.image,
                  document.aliases.map({ $0.value }) == old.aliases.map({ $0.value }) else { return nil }
            site.articles[index] = withUnsafePointer(to: document) {
                SiteAssembler.article(from: $0, authors: old.authors, categories: old.categories)
            }
            edited.append(index)
        }
        let jobs = edited.map { ArticlePipeline.job(site, index: $0) }
        let environment = RenderEnvironment(templates: templateSet, site: site)
        var early = files
        var changedFiles: [String] = []
        for job in jobs {
            let data = Data(job.produce(environment))
            if early[job.file] != data { changedFiles.append(job.file) }
            early[job.file] = data
        }
        return EarlyOutcome(files: early, changed: changedFiles, seconds: (ContinuousClock.now - start).seconds)
    }

    /// Renders the jobs whose fingerprint changed (all of them when the templates changed).
    private func render(_ jobs: [RenderJob], site: Site,
                        templates: TemplateSet) async -> (Int, [String], [String]) {
        let templatesChanged = renderedTemplates != templates.fingerprint
        let due = jobs.filter { job in
            templatesChanged || job.fingerprint == nil || fingerprints[job.file] != job.fingerprint
        }
        let environment = RenderEnvironment(templates: templates, site: site)
        let outputs = await Parallel.map(due, chunkSize: 8) { job in Data(job.produce(environment)) }
        var changed: [String] = []
        for (job, data) in zip(due, outputs) {
            if files[job.file] != data { changed.append(job.file) }
            files[job.file] = data
        }
        let live = Set(jobs.map(\.file))
        let removed = files.keys.filter { !live.contains($0) }
        for file in removed { files[file] = nil }
        fingerprints = Dictionary(jobs.compactMap { job in job.fingerprint.map { (job.file, $0) } },
                                  uniquingKeysWith: { first, _ in first })
        renderedTemplates = templates.fingerprint
        return (due.count, changed, removed)
    }

    private func failure(_ diagnostics: [Diagnostic], start: ContinuousClock.Instant) -> Outcome {
        Outcome(files: files, staticFiles: staticFiles, changed: [], removed: [], rendered: 0, parsed: 0,
                diagnostics: diagnostics.sortedForReport(), seconds: (ContinuousClock.now - start).seconds)
    }
}
