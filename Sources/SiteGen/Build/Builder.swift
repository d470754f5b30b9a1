import Foundation

/// Builds a site: a list of named, timed steps from the source folder to the swapped-in output.
///
/// load config → scan content → load templates → parse content → assemble site → plan pages →
/// render and write → copy static files → swap output. Every step adds its diagnostics; after the
/// checks, any error stops the build before anything replaces the previous output.
public struct Builder: Sendable {
    public var source: URL
    public var output: URL
    public var options: BuildOptions
    public var baseURLOverride: String?
    /// When false (`sitegen check`), everything is validated and rendered but nothing is written.
    public var writes: Bool
    /// When false (a one-shot `sitegen build`, whose process ends with the build), what the build held
    /// (documents, site, contexts, caches: ~1 million objects at 10k articles) is left for the process
    /// exit to reclaim instead of being freed object by object, which took ~0.15 s of wall time at 10k.
    /// `serve` and the tests free it.
    public var freesMemory = true

    public init(source: URL, output: URL? = nil, options: BuildOptions = BuildOptions(),
                baseURLOverride: String? = nil, writes: Bool = true) {
        self.source = source.standardizedFileURL
        self.output = (output ?? source.appendingPathComponent("public")).standardizedFileURL
        self.options = options
        self.baseURLOverride = baseURLOverride
        self.writes = writes
    }

    /// Runs the build. Throws `BuildFailure` with every diagnostic when the site has errors.
    public func build() async throws -> BuildReport {
        var report = BuildReport()
        var diagnostics: [Diagnostic] = []
        let stages = BuildStages(source: source, options: options, baseURLOverride: baseURLOverride)

        let loaded = report.time("load config") { stages.loadConfig() }
        diagnostics += loaded.diagnostics
        guard let config = loaded.config else { throw BuildFailure(diagnostics) }
        let inventory = report.time("scan content") { ContentScanner.scan(source: source) }
        // Nothing to do when no input changed since the last successful build (see `InputManifest`).
        let manifestKey = InputManifest.key(options: options, baseURLOverride: baseURLOverride, output: output,
                                            config: loaded.fingerprint,
                                            year: DateFormatting(timeZone: config.timeZone).year(options.now))
        var inputs: [String: FileStamp] = [:]
        // Without a manifest this build could match (a clean build, other options), the Markdown files
        // are stamped as they are opened to be read (`ContentLoader`): 10,000 stat(2)s by path fewer.
        var markdownStampedWhenRead = false
        if writes, !loaded.diagnostics.hasErrors, inventory.diagnostics.isEmpty {
            let previous = report.time("check inputs") { () -> InputManifest? in
                let previous = InputManifest.load(source: source)
                guard let previous, previous.key == manifestKey else {
                    inputs = InputManifest.stamps(source: source, inventory: inventory, markdown: false)
                    markdownStampedWhenRead = true
                    return nil
                }
                inputs = InputManifest.stamps(source: source, inventory: inventory)
                return InputManifest.unchanged(previous, key: manifestKey, inputs: inputs, now: options.now,
                                               output: output) ? previous : nil
            }
            if let previous {
                report.unchanged = true
                for (kind, count) in previous.pages { if let kind = PageKind(rawValue: kind) { report.pages[kind] = count } }
                report.feeds = previous.feeds
                report.otherFiles = previous.otherFiles
                report.staticFiles = previous.staticFiles
                report.articles = previous.articles
                report.warnings = previous.warnings
                report.finish()
                return report
            }
        }
        let templates = report.time("load templates") { () -> TemplateSet in
            let (templates, problems) = TemplateSet.load(source: source)
            diagnostics += problems
            return templates
        }
        // The cache only serves real builds: `check` always re-reads everything.
        let cache = writes ? report.time("load cache") { BuildCache.load(source: source) } : nil
        let reusable = cache?.configFingerprint == loaded.fingerprint ? cache?.entries ?? [:] : [:]
        // Article bodies wait in a file until their page, feeds and the search index need them. A real
        // build keeps the file for the build cache, which refers to the bodies in it; unless this build's
        // cache is saved, the file is deleted.
        let cacheFolder = source.appendingPathComponent(BuildCache.folder)
        let bodies = writes ? BodyStore(creatingIn: cacheFolder) ?? BodyStore(scratchIn: cacheFolder)
                            : BodyStore(scratchIn: URL(fileURLWithPath: NSTemporaryDirectory()))
        var keepBodies = false
        defer { if !keepBodies { bodies?.discard() } }
        let (store, entries, parsed) = await report.time("parse content") {
            await ContentLoader(source: source, config: config).load(inventory, reusing: reusable, bodies: bodies,
                                                                     stamps: inputs)
        }
        report.parsed = parsed
        if markdownStampedWhenRead {
            for file in inventory.markdown { inputs[file.path] = entries[file.path]?.stamp ?? .missing }
        }
        diagnostics += store.diagnostics
        let site = report.time("assemble site") { () -> Site in
            let (site, problems) = SiteAssembler.assemble(store, config: config, options: options,
                                                          configFingerprint: loaded.fingerprint)
            diagnostics += problems
            return site
        }
        let hints = SearchPipeline.Hints(previousOutputs: cache?.outputs ?? [:])
        // A full build plans the search index files last: the index is built while pages render.
        let deferSearch = writes && SearchPipeline.indexNeededToPlan(site, hints: hints)
        let jobs = report.time("plan pages") { () -> [RenderJob] in
            let (jobs, problems) = stages.plan(site, templates: templates, search: hints, deferSearchData: deferSearch)
            diagnostics += problems
            return jobs
        }
        if writes, let problem = OutputFolder(target: output).validate(source: source) {
            diagnostics.append(Diagnostic(.error, file: "--output", problem))
        }
        report.warnings = diagnostics.warnings.sortedForReport()
        guard !diagnostics.hasErrors else { throw BuildFailure(diagnostics) }

        report.count(jobs, staticFiles: site.staticFiles.count, articles: site.articles.count)
        report.owners = Dictionary(jobs.map { ($0.file, $0.owner) } + site.staticFiles.map { ($0.outputPath, $0.sourcePath) },
                                   uniquingKeysWith: { first, _ in first })
        let environment = RenderEnvironment(templates: templates, site: site)
        guard writes else {
            let outcome = await report.time("render") {
                await SiteWriter(folder: nil, source: source).render(jobs, environment: environment)
            }
            report.bytes = outcome.bytes
            report.finish()
            return report
        }
        var next = BuildCache(configFingerprint: loaded.fingerprint, entries: entries,
                              templatesFingerprint: templates.fingerprint, outputPath: output.path)
        next.staticSources = Dictionary(site.staticFiles.compactMap { file in
            FileStamp(path: source.appendingPathComponent(file.sourcePath).path).map { (file.sourcePath, $0) }
        }, uniquingKeysWith: { first, _ in first })
        var later: (@Sendable () -> [RenderJob])?
        if deferSearch { later = { @Sendable in SearchPipeline.dataJobs(site, hints: hints) } }
        // The parsed entries go to the cache file while the pages render; the outputs follow at the end.
        let saver = try? BuildCache.Saver(source: source, cache: next)
        saver?.start()
        do {
            next.outputs = try await write(jobs, later: later, environment: environment, staticFiles: site.staticFiles,
                                           previous: cache, next: &next, report: &report)
        } catch {
            saver?.abandon()
            throw error
        }
        if report.unchanged && report.parsed == 0 {  // the cache on disk is already this one
            saver?.abandon()
        } else if let saver {
            keepBodies = (try? report.time("save cache") { try saver.finish(next) }) != nil
        }
        if !inputs.isEmpty {
            let due = store.articles.map(\.date.value).filter { $0 > options.now }.min()
            let manifest = InputManifest(
                key: manifestKey, inputs: inputs, nextDue: options.future ? nil : due, buildID: next.buildID,
                outputs: Array(next.outputs.keys) + site.staticFiles.map(\.outputPath),
                pages: Dictionary(uniqueKeysWithValues: report.pages.map { ($0.key.rawValue, $0.value) }),
                feeds: report.feeds, otherFiles: report.otherFiles, staticFiles: report.staticFiles,
                articles: report.articles, warnings: report.warnings)
            report.time("save input stamps") {
                if (try? manifest.save(source: source)) == nil { InputManifest.remove(source: source) }
            }
        }
        if !freesMemory { Self.keepAlive((site, store, entries, jobs, environment, cache, next)) }
        report.finish()
        return report
    }

    private nonisolated(unsafe) static var keptAlive: [Any] = []
    private static let keptAliveLock = NSLock()

    /// Holds `value` until the process ends (see `freesMemory`).
    private static func keepAlive(_ value: Any) {
        keptAliveLock.withLock { keptAlive.append(value) }
    }

    /// Writes the site into a staging folder and swaps it in; unchanged files are hard-linked from
    /// the previous output, and when nothing changed at all the output is left as it is.
    /// `later` plans more jobs (the search index files) on a thread of its own while `jobs` render.
    private func write(_ jobs: [RenderJob], later: (@Sendable () -> [RenderJob])?, environment: RenderEnvironment,
                       staticFiles: [ContentInventory.StaticFile], previous: BuildCache?, next: inout BuildCache,
                       report: inout BuildReport) async throws -> [String: Fingerprint] {
        let folder = OutputFolder(target: output)
        let lock = try BuildLock(path: source.appendingPathComponent(".sitegen-build.lock"))
        defer { withExtendedLifetime(lock) {} }
        folder.removeLeftovers()
        let reuse = report.time("compare with previous build") {
            Reuse.plan(jobs, staticFiles: staticFiles, previous: previous, next: next, output: output)
        }
        if let reuse, reuse.nothingChanged(jobs, staticFiles: staticFiles, environment: environment) {
            report.unchanged = true
            next.buildID = reuse.previous.buildID  // the output was left as it was
            return reuse.previous.outputs
        }
        var later = later
        if let reuse, reuse.statics.unchanged.count == staticFiles.count,
           staticFiles.count == reuse.previous.staticSources.count {
            // Few pages changed: update the output in place. The search files are planned first, to see them.
            let more = report.time("search index") { later.map { $0() } ?? [] }
            later = { more }
            if let outputs = try await updateInPlace(jobs, more: more, reuse: reuse, environment: environment,
                                                     staticFiles: staticFiles, folder: folder, next: &next,
                                                     report: &report) {
                return outputs
            }
        }
        let staging = try folder.makeStaging()
        let writer = SiteWriter(folder: staging, source: source)
        let planLater = later.map { plan in
            Task { await withCheckedContinuation { done in DispatchQueue.global().async { done.resume(returning: plan()) } } }
        }
        var rendered = await report.time("render and write") {
            await writer.render(jobs, environment: environment, reuse: reuse?.pages)
        }
        var problems: [Diagnostic] = []
        if let planLater {
            let more = await report.time("search index (after the pages)") { () -> [RenderJob] in
                let more = await planLater.value
                let outcome = await writer.render(more, environment: environment, reuse: Reuse.plan(
                    more, staticFiles: [], previous: previous, next: next, output: output)?.pages)
                rendered.bytes += outcome.bytes
                rendered.written += outcome.written
                rendered.linked += outcome.linked
                rendered.problems += outcome.problems
                rendered.fingerprints.merge(outcome.fingerprints) { first, _ in first }
                return more
            }
            problems += Self.problems(more, after: jobs, staticFiles: staticFiles)
            report.count(more, staticFiles: staticFiles.count, articles: report.articles)
            for job in more { report.owners[job.file] = job.owner }
            if !problems.isEmpty {
                folder.discard(staging)
                throw BuildFailure(problems)
            }
        }
        let copied = await report.time("copy static files") { await writer.copy(staticFiles, reuse: reuse?.statics) }
        problems += rendered.problems + copied.problems
        // The marker names the output by its content, so the cache can tell it still holds this site.
        next.buildID = Reuse.contentID(rendered.fingerprints, statics: next.staticSources)
        if problems.isEmpty, !folder.writeMarker(in: staging, buildID: next.buildID) {
            problems.append(Diagnostic(.error, file: output.path, "cannot write into the build folder \(staging.path)"))
        }
        guard problems.isEmpty else {
            folder.discard(staging)
            throw BuildFailure(problems)
        }
        do {
            try report.time("swap output") { try folder.commit(staging) }
        } catch {
            folder.discard(staging)
            throw BuildFailure([Diagnostic(.error, file: output.path,
                                           "cannot replace the output folder: \(error.localizedDescription)")])
        }
        report.bytes = rendered.bytes
        report.written = rendered.written + copied.written
        report.linked = rendered.linked + copied.linked
        return rendered.fingerprints
    }
}

extension Builder {
    /// At most this share of the outputs may change for an update in place; beyond it, a new folder
    /// written beside the output is as cheap and replaces the whole site at once.
    static let inPlaceShare = 4

    /// What is wrong with the search files planned after the pages: paths they share with a page or a
    /// static file, or that leave the output folder.
    private static func problems(_ more: [RenderJob], after jobs: [RenderJob],
                                 staticFiles: [ContentInventory.StaticFile]) -> [Diagnostic] {
        Planner.checkCollisions(more, after: jobs, staticFiles: staticFiles) + OutputPath.checkContained(more, staticFiles: [])
    }

    /// Updates the previous output in place when few files changed and none went away: the changed
    /// files are rendered into a staging folder first, then moved over the old ones
    /// (`OutputFolder.apply`), so unchanged pages and their folders are left alone. Writing a whole new
    /// folder instead meant a mkdir and a hard link for every unchanged page and deleting the old tree:
    /// ~1 s of an edit build at 10k articles, and on a journal-less ext4 disk the deleted inodes made
    /// the next build's file creation crawl. Returns nil, with the output as it was, when this build
    /// must write a new folder instead (too many changes, a removed output, or the update failed and
    /// was undone).
    private func updateInPlace(_ jobs: [RenderJob], more: [RenderJob], reuse: Reuse, environment: RenderEnvironment,
                               staticFiles: [ContentInventory.StaticFile], folder: OutputFolder,
                               next: inout BuildCache, report: inout BuildReport) async throws -> [String: Fingerprint]? {
        let all = jobs + more
        let live = Set(all.map(\.file))
        guard reuse.previous.outputs.keys.allSatisfy(live.contains) else { return nil }
        let previous = reuse.previous.outputs
        // `reuse` looked at `jobs`; the search files are looked at here.
        let unchanged = reuse.pages.unchanged.union(
            Reuse.unchangedPages(more, previous: reuse.previous, root: reuse.pages.root))
        let due = all.filter { !unchanged.contains($0.file) }
        guard due.count * Self.inPlaceShare <= all.count else { return nil }
        var problems = Self.problems(more, after: jobs, staticFiles: staticFiles)
        guard problems.isEmpty else { throw BuildFailure(problems) }

        let staging = try folder.makeStaging()
        let rendered = await report.time("render and write") {
            await SiteWriter(folder: staging, source: source).render(due, environment: environment)
        }
        problems += rendered.problems
        guard problems.isEmpty else {
            folder.discard(staging)
            throw BuildFailure(problems)
        }
        var outputs: [String: Fingerprint] = [:]
        outputs.reserveCapacity(all.count)
        for job in all { outputs[job.file] = previous[job.file] }
        outputs.merge(rendered.fingerprints) { _, new in new }
        let buildID = Reuse.contentID(outputs, statics: next.staticSources)
        let applied = report.time("update output in place") {
            folder.apply(due.map(\.file), from: staging, buildID: buildID, previousBuildID: reuse.previous.buildID)
        }
        folder.discard(staging)
        guard applied else { return nil }
        next.buildID = buildID
        report.count(more, staticFiles: staticFiles.count, articles: report.articles)
        for job in more { report.owners[job.file] = job.owner }
        report.bytes = rendered.bytes
        report.written = rendered.written
        report.linked = all.count - due.count + staticFiles.count
        return outputs
    }
}

/// Which outputs of the previous build can be kept: pages whose fingerprint is unchanged (with the
/// same templates and output folder) and static files whose source is unchanged.
struct Reuse: Sendable {
    var pages: SiteWriter.Reuse
    var statics: SiteWriter.Reuse
    var previous: BuildCache

    static func plan(_ jobs: [RenderJob], staticFiles: [ContentInventory.StaticFile], previous: BuildCache?,
                     next: BuildCache, output: URL) -> Reuse? {
        guard let previous, previous.outputPath == output.path,
              previous.templatesFingerprint == next.templatesFingerprint,
              OutputFolder(target: output).currentBuildID() == previous.buildID
        else { return nil }
        let root = output.path + "/"
        let pages = unchangedPages(jobs, previous: previous, root: root)
        var statics = Set<String>()
        for file in staticFiles where previous.staticSources[file.sourcePath] == next.staticSources[file.sourcePath]
            && next.staticSources[file.sourcePath] != nil && FileStamp(path: root + file.outputPath) != nil {
            statics.insert(file.sourcePath)
        }
        return Reuse(pages: .init(root: root, unchanged: pages), statics: .init(root: root, unchanged: statics),
                     previous: previous)
    }

    /// The files of `jobs` whose fingerprint is the previous build's and that are still in the output
    /// folder at `root`.
    static func unchangedPages(_ jobs: [RenderJob], previous: BuildCache, root: String) -> Set<String> {
        var pages = Set<String>()
        for job in jobs {
            if let fingerprint = job.fingerprint, previous.outputs[job.file] == fingerprint,
               FileStamp(path: root + job.file) != nil {
                pages.insert(job.file)
            }
        }
        return pages
    }

    /// A name for an output derived from its content: every file's fingerprint and every static source.
    /// Order-independent: the sum of each entry's own fingerprint (sorting 14,000 paths first took
    /// ~13 ms of a 10k build).
    static func contentID(_ outputs: [String: Fingerprint], statics: [String: FileStamp]) -> String {
        var outputSum: UInt64 = 0, staticSum: UInt64 = 0
        for (file, fingerprint) in outputs {
            var entry = Fingerprint()
            entry.add(file)
            entry.add(fingerprint)
            outputSum &+= entry.value
        }
        for (file, stamp) in statics {
            var entry = Fingerprint()
            entry.add(file); entry.add(stamp.size); entry.add(stamp.modified); entry.add(stamp.inode)
            staticSum &+= entry.value
        }
        var hash = Fingerprint()
        hash.add(outputs.count); hash.add(outputSum); hash.add(statics.count); hash.add(staticSum)
        return hash.description
    }

    /// True when the previous output is exactly what this build would write: same files, every
    /// fingerprinted page unchanged, every other output rendering to the bytes it had.
    func nothingChanged(_ jobs: [RenderJob], staticFiles: [ContentInventory.StaticFile],
                        environment: RenderEnvironment) -> Bool {
        guard statics.unchanged.count == staticFiles.count, staticFiles.count == previous.staticSources.count,
              jobs.count == previous.outputs.count else { return false }
        for job in jobs where !pages.unchanged.contains(job.file) {
            guard job.fingerprint == nil, let old = previous.outputs[job.file],
                  FileStamp(path: pages.root + job.file) != nil,
                  Fingerprint(bytes: job.produce(environment)) == old else { return false }
        }
        return true
    }
}

/// The steps shared by full builds (`Builder`) and incremental rebuilds (`IncrementalBuilder`).
struct BuildStages: Sendable {
    let source: URL
    let options: BuildOptions
    let baseURLOverride: String?

    struct LoadedConfig: Sendable {
        var config: SiteConfig?
        var diagnostics: [Diagnostic]
        /// Hash of site.yml and of the options that change what is built.
        var fingerprint: Fingerprint
    }

    func loadConfig() -> LoadedConfig {
        let file = source.appendingPathComponent(SiteConfig.fileName)
        guard let data = try? Data(contentsOf: file) else {
            return LoadedConfig(config: nil, diagnostics: [Diagnostic(.error, file: SiteConfig.fileName,
                "cannot read \(SiteConfig.fileName)",
                hint: "is \(source.path) a sitegen site? `sitegen init` creates one")], fingerprint: Fingerprint())
        }
        var fingerprint = Fingerprint.of(data)
        fingerprint.add(baseURLOverride ?? "")
        fingerprint.add(options.drafts)
        fingerprint.add(options.future)
        do {
            let (config, diagnostics) = SiteConfig.parse(try SourceText.decode(Array(data)),
                                                         baseURLOverride: baseURLOverride)
            return LoadedConfig(config: config, diagnostics: diagnostics, fingerprint: fingerprint)
        } catch {
            guard case let .invalidUTF8(line, column) = error else { return LoadedConfig(config: nil, diagnostics: [], fingerprint: fingerprint) }
            return LoadedConfig(config: nil, diagnostics: [Diagnostic(.error, file: SiteConfig.fileName, line: line,
                column: column, "file is not valid UTF-8")], fingerprint: fingerprint)
        }
    }

    /// Every output job, with collisions and missing layouts reported.
    func plan(_ site: Site, templates: TemplateSet, search: SearchPipeline.Hints = .init(),
              deferSearchData: Bool = false) -> ([RenderJob], [Diagnostic]) {
        let jobs = Planner.plan(site, search: search, deferSearchData: deferSearchData)
        var diagnostics = Planner.checkCollisions(jobs, staticFiles: site.staticFiles)
        diagnostics += OutputPath.checkContained(jobs, staticFiles: site.staticFiles)
        for kind in Set(jobs.compactMap(\.kind)).sorted() where templates.layout(for: kind) == nil {
            diagnostics.append(Diagnostic(.error, file: "layouts/\(kind.rawValue).mustache",
                "no layout for \(kind.rawValue) pages",
                hint: "add one of: " + kind.layoutCandidates.map { "layouts/\($0).mustache" }.joined(separator: ", ")))
        }
        return (jobs, diagnostics)
    }
}
