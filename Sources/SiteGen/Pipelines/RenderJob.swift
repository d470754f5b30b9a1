import Foundation

/// One file of the output: where it goes, who asked for it (for collision errors), and how to make it.
///
/// A class, made once and never changed: a build passes its ~14,000 jobs through sorting, planning,
/// collision checks, the sitemap and the writers, and as a struct each pass copied every job (a
/// retain and a release for each of its strings and its closure: ~0.7% of a 10k build's samples).
public final class RenderJob: Sendable {
    /// Site path: `peninsula/x/` (written as `peninsula/x/index.html`) or a file such as `feed.xml`.
    public let path: String
    /// The layout kind for HTML pages; nil for feeds, sitemap, robots.txt and redirects.
    public let kind: PageKind?
    /// The source file this output comes from, and where in it (for "two pages at one URL" errors).
    public let owner: String
    public let position: SourcePosition
    /// For the sitemap: pages listed there and their last modification.
    public let inSitemap: Bool
    public let lastModified: Date?
    /// Hash of everything the output depends on (with the site's fingerprint and the templates);
    /// nil means "always produce". Incremental rebuilds skip jobs whose fingerprint is unchanged.
    public let fingerprint: Fingerprint?
    /// The file's bytes (UTF-8).
    public let produce: @Sendable (RenderEnvironment) -> [UInt8]

    /// A job whose output is built as a String (feeds, sitemap, search data, redirects).
    convenience init(path: String, kind: PageKind?, owner: String, position: SourcePosition = .start,
         inSitemap: Bool = true, lastModified: Date? = nil, fingerprint: Fingerprint? = nil,
         produce: @escaping @Sendable (RenderEnvironment) -> String) {
        self.init(path: path, kind: kind, owner: owner, position: position, inSitemap: inSitemap,
                  lastModified: lastModified, fingerprint: fingerprint, bytes: { Array(produce($0).utf8) })
    }

    /// A job that produces its bytes directly.
    init(path: String, kind: PageKind?, owner: String, position: SourcePosition = .start, inSitemap: Bool = true,
         lastModified: Date? = nil, fingerprint: Fingerprint? = nil,
         bytes: @escaping @Sendable (RenderEnvironment) -> [UInt8]) {
        self.path = path
        self.file = OutputPath.file(for: path)
        self.kind = kind
        self.owner = owner
        self.position = position
        self.inSitemap = inSitemap
        self.lastModified = lastModified
        self.fingerprint = fingerprint
        self.produce = bytes
    }

    /// An HTML page rendered through the layout of `kind` straight into bytes.
    static func page(path: String, kind: PageKind, owner: String, position: SourcePosition = .start,
                     inSitemap: Bool = true, lastModified: Date? = nil, fingerprint: Fingerprint? = nil,
                     render: @escaping @Sendable (RenderEnvironment) -> [UInt8]) -> RenderJob {
        RenderJob(path: path, kind: kind, owner: owner, position: position, inSitemap: inSitemap,
                  lastModified: lastModified, fingerprint: fingerprint, bytes: render)
    }

    /// The file written for this job, relative to the output folder (made once: the writers, the
    /// cache and the collision checks all ask for it).
    public let file: String
}

/// What a job needs to produce its bytes.
public struct RenderEnvironment: Sendable {
    let templates: TemplateSet
    let contexts: Contexts

    init(templates: TemplateSet, site: Site) {
        self.templates = templates
        self.contexts = Contexts(site: site)
        partials = PartialMemo(capacity: site.articles.count)
    }

    /// The outputs of partials rendered on list items (cards), shared by this build's pages.
    let partials: PartialMemo

    func render(_ kind: PageKind, _ context: TemplateFields) -> [UInt8] {
        templates.render(kind, .object(context), memo: partials)
    }
}

extension Site {
    /// The site's fingerprint combined with a job's own inputs.
    func fingerprint(_ kind: String, _ build: (inout Fingerprint) -> Void) -> Fingerprint {
        var result = fingerprint
        result.add(kind)
        build(&result)
        return result
    }
}

/// Plans every output of a site, pipeline by pipeline, in the order they are listed in reports.
public enum Planner {
    public static func plan(_ site: Site) -> [RenderJob] { plan(site, search: SearchPipeline.Hints()) }

    /// `search`: what the search pipeline may reuse from earlier builds (see `SearchPipeline`).
    /// With `deferSearchData`, the search index files are left out (plan them with
    /// `SearchPipeline.dataJobs`); they are not HTML, so the sitemap does not change.
    static func plan(_ site: Site, search: SearchPipeline.Hints, deferSearchData: Bool = false) -> [RenderJob] {
        var jobs: [RenderJob] = []
        jobs += ArticlePipeline.jobs(site)
        jobs += ListPipeline.sectionJobs(site)
        jobs += ListPipeline.categoryJobs(site)
        jobs += ListPipeline.authorJobs(site)
        jobs += IndexPipeline.jobs(site)
        jobs += FeedPipeline.jobs(site)
        jobs += AliasPipeline.jobs(site)
        jobs += deferSearchData ? [SearchPipeline.page(site)] : SearchPipeline.jobs(site, hints: search)
        jobs += SitemapPipeline.jobs(site, pages: jobs)
        return jobs
    }

    /// `checkCollisions` for `more` jobs planned after `earlier` ones were checked: only the files of
    /// `more` can collide now, so only the earlier jobs and static files at those files take part.
    static func checkCollisions(_ more: [RenderJob], after earlier: [RenderJob],
                                staticFiles: [ContentInventory.StaticFile]) -> [Diagnostic] {
        let files = Set(more.map(\.file))
        return checkCollisions(earlier.filter { files.contains($0.file) } + more,
                               staticFiles: staticFiles.filter { files.contains($0.outputPath) })
    }

    /// Two outputs at the same file, or a generated file where a static file from `content/` goes,
    /// are errors naming both sources.
    public static func checkCollisions(_ jobs: [RenderJob], staticFiles: [ContentInventory.StaticFile]) -> [Diagnostic] {
        var owners: [String: (String, SourcePosition)] = [:]
        var diagnostics: [Diagnostic] = []
        func claim(_ file: String, _ owner: String, _ position: SourcePosition) {
            if let (other, otherPosition) = owners[file] {
                diagnostics.append(.error(owner, position,
                    "output '\(file)' is also produced by \(other):\(otherPosition.line)",
                    hint: "change the slug, alias or file name so that each page has its own URL"))
            } else {
                owners[file] = (owner, position)
            }
        }
        for job in jobs { claim(job.file, job.owner, job.position) }
        for file in staticFiles { claim(file.outputPath, file.sourcePath, .start) }
        return diagnostics
    }
}
