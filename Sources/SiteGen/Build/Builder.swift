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
        let templates = report.time("load templates") { () -> TemplateSet in
            let (templates, problems) = TemplateSet.load(source: source)
            diagnostics += problems
            return templates
        }
        let store = await report.time("parse content") { await ContentLoader(source: source, config: config).load(inventory) }
        diagnostics += store.diagnostics
        let site = report.time("assemble site") { () -> Site in
            let (site, problems) = SiteAssembler.assemble(store, config: config, options: options,
                                                          configFingerprint: loaded.fingerprint)
            diagnostics += problems
            return site
        }
        let jobs = report.time("plan pages") { () -> [RenderJob] in
            let (jobs, problems) = stages.plan(site, templates: templates)
            diagnostics += problems
            return jobs
        }
        if writes, let problem = OutputFolder(target: output).validate(source: source) {
            diagnostics.append(Diagnostic(.error, file: "--output", problem))
        }
        report.warnings = diagnostics.warnings.sortedForReport()
        guard !diagnostics.hasErrors else { throw BuildFailure(diagnostics) }

        try await write(jobs, site: site, templates: templates, report: &report)
        report.count(jobs, staticFiles: site.staticFiles.count, articles: site.articles.count)
        report.owners = Dictionary(jobs.map { ($0.file, $0.owner) } + site.staticFiles.map { ($0.outputPath, $0.sourcePath) },
                                   uniquingKeysWith: { first, _ in first })
        return report
    }

    private func write(_ jobs: [RenderJob], site: Site, templates: TemplateSet,
                       report: inout BuildReport) async throws {
        let environment = RenderEnvironment(templates: templates, site: site)
        guard writes else {
            let outcome = await report.time("render") { await SiteWriter(folder: nil, source: source).render(jobs, environment: environment) }
            report.bytes = outcome.bytes
            return
        }
        let folder = OutputFolder(target: output)
        let lock = try BuildLock(path: source.appendingPathComponent(".sitegen-build.lock"))
        defer { withExtendedLifetime(lock) {} }
        folder.removeLeftovers()
        let staging = try folder.makeStaging()
        let writer = SiteWriter(folder: staging, source: source)
        let rendered = await report.time("render and write") { await writer.render(jobs, environment: environment) }
        let copied = await report.time("copy static files") { await writer.copy(site.staticFiles) }
        let problems = rendered.problems + copied.problems
        guard problems.isEmpty else {
            folder.discard(staging)
            throw BuildFailure(problems)
        }
        do {
            try report.time("swap output") { try folder.commit(staging) }
        } catch {
            folder.discard(staging)
            throw BuildFailure([Diagnostic(.error, file: output.path, "cannot replace the output folder: \(error.localizedDescription)")])
        }
        report.bytes = rendered.bytes
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
    func plan(_ site: Site, templates: TemplateSet) -> ([RenderJob], [Diagnostic]) {
        let jobs = Planner.plan(site)
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
