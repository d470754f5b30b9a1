import Foundation
import Testing
@testable import SiteGen

/// The build cache: a rebuild with nothing changed parses and writes nothing; any change still gives
/// exactly the clean-build output, and unchanged files keep their inode (they are not rewritten).
@Suite struct BuildCacheTests {
    let options = BuildOptions(now: TestSite.now)

    func makeSite() throws -> TestSite {
        var files = "-- site.yml --\ntitle: T\nbase_url: https://example.org/\nper_page: 2\n" + annLee
            + "\n-- content/images/a.svg --\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n"
        for day in 1...5 {
            files += "\n-- content/blog/post-\(day).md --\n" + article(title: "Post \(day)", date: "2024-01-0\(day)")
        }
        return try TestSite(files)
    }

    func build(_ site: TestSite) async throws -> BuildReport {
        try await Builder(source: site.root, output: site.output, options: options).build()
    }

    /// Every output file's bytes, and the same for a clean build of a copy of the sources.
    func expectCleanBuildOutput(_ site: TestSite, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("sitegen-clean-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: copy) }
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        for name in ["site.yml", "content", "layouts"] {
            try FileManager.default.copyItem(at: site.root.appendingPathComponent(name), to: copy.appendingPathComponent(name))
        }
        let cleanOutput = copy.appendingPathComponent("public")
        _ = try await Builder(source: copy, output: cleanOutput, options: options).build()
        let clean = TestSite.files(in: cleanOutput), incremental = TestSite.files(in: site.output)
        #expect(clean.keys.sorted() == incremental.keys.sorted(), sourceLocation: sourceLocation)
        for (path, data) in clean where incremental[path] != data {
            Issue.record("\(path) differs from a clean build", sourceLocation: sourceLocation)
        }
    }

    func inode(_ site: TestSite, _ path: String) -> UInt64? {
        FileStamp(path: site.output.appendingPathComponent(path).path)?.inode
    }

    @Test func aRebuildWithNothingChangedParsesAndWritesNothing() async throws {
        let site = try makeSite()
        defer { site.remove() }
        let first = try await build(site)
        #expect(first.parsed == 7)
        #expect(!first.unchanged)
        let before = FileStamp(path: site.output.appendingPathComponent("blog/post-1/index.html").path)
        let second = try await build(site)
        #expect(second.unchanged)
        #expect(second.parsed == 0)
        #expect(second.written == 0)
        #expect(FileStamp(path: site.output.appendingPathComponent("blog/post-1/index.html").path) == before)
        try await expectCleanBuildOutput(site)
    }

    @Test func anEditReparsesOneFileAndRewritesOnlyWhatChanged() async throws {
        let site = try makeSite()
        defer { site.remove() }
        _ = try await build(site)
        let untouched = inode(site, "blog/post-1/index.html")
        let edited = inode(site, "blog/post-5/index.html")
        try site.write("content/blog/post-5.md", article(title: "Post 5", date: "2024-01-05", body: "Edited body."))
        let report = try await build(site)
        #expect(report.parsed == 1)
        #expect(!report.unchanged)
        #expect(report.linked > 0)
        #expect(inode(site, "blog/post-1/index.html") == untouched, "an unchanged page is not rewritten")
        #expect(inode(site, "blog/post-5/index.html") != edited)
        try site.expect("blog/post-5/index.html", "Edited body.")
        try await expectCleanBuildOutput(site)
    }

    /// 24 posts, so that an edit to one body changes only a few of the ~90 outputs.
    func makeLargerSite() throws -> TestSite {
        var files = "-- site.yml --\ntitle: T\nbase_url: https://example.org/\nper_page: 2\n" + annLee
        for day in 1...24 {
            let date = "2024-01-" + (day < 10 ? "0\(day)" : "\(day)")
            files += "\n-- content/blog/post-\(day).md --\n" + article(title: "Post \(day)", date: date)
        }
        return try TestSite(files)
    }

    /// An edit that changes a few files updates the output folder in place: unchanged pages and their
    /// folders keep their inodes and the folder is not swapped, and the result is the clean build's.
    @Test func aSmallEditUpdatesTheOutputInPlace() async throws {
        let site = try makeLargerSite()
        defer { site.remove() }
        _ = try await build(site)
        let folder = inode(site, "blog/post-1"), page = inode(site, "blog/post-1/index.html"), root = inode(site, "")
        let edited = inode(site, "blog/post-5/index.html")
        // Same first paragraph (so the same summary on the cards): the page, the feeds and search change.
        try site.write("content/blog/post-5.md", article(title: "Post 5", date: "2024-01-05",
                                                          body: "Body text.\n\nAn added paragraph."))
        let report = try await build(site)
        #expect(report.timings.contains { $0.step == "update output in place" })
        #expect(report.written > 0 && report.written * Builder.inPlaceShare <= report.written + report.linked)
        #expect(inode(site, "") == root, "the output folder stays")
        #expect(inode(site, "blog/post-1") == folder, "an unchanged page's folder stays")
        #expect(inode(site, "blog/post-1/index.html") == page)
        #expect(inode(site, "blog/post-5/index.html") != edited)
        try site.expect("blog/post-5/index.html", "An added paragraph.")
        try await expectCleanBuildOutput(site)
        // A new article adds a folder in place; then its removal needs a new folder (outputs go away).
        try site.write("content/blog/post-25.md", article(title: "Post 25", date: "2024-01-25"))
        _ = try await build(site)
        try await expectCleanBuildOutput(site)
        try FileManager.default.removeItem(at: site.root.appendingPathComponent("content/blog/post-25.md"))
        _ = try await build(site)
        #expect(!site.exists("blog/post-25/index.html"))
        try await expectCleanBuildOutput(site)
    }

    /// An update in place that fails half-way is undone, and the build writes a new folder instead.
    @Test func aFailedUpdateInPlaceFallsBackToANewFolder() async throws {
        let site = try makeLargerSite()
        defer { site.remove() }
        _ = try await build(site)
        let root = inode(site, "")
        let failed = Counter()
        let prefix = site.output.path + "/"
        OutputFolder.failure = { path in
            guard path.hasPrefix(prefix), path.hasSuffix("feed.xml") else { return false }
            failed.add()
            return true
        }
        defer { OutputFolder.failure = nil }
        try site.write("content/blog/post-5.md", article(title: "Post 5", date: "2024-01-05",
                                                          body: "Body text.\n\nAn added paragraph."))
        let report = try await build(site)
        #expect(failed.value == 1)
        #expect(report.timings.contains { $0.step == "update output in place" })
        #expect(inode(site, "") != root, "a new folder was swapped in")
        try site.expect("blog/post-5/index.html", "An added paragraph.")
        try await expectCleanBuildOutput(site)
    }

    /// `OutputFolder.apply` is all or nothing: a failed move puts back every file it replaced, removes
    /// the folders it made and the marker names the previous build again.
    @Test func anUndoneUpdateLeavesTheFolderAsItWas() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("sitegen-apply-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let target = base.appendingPathComponent("public"), staging = base.appendingPathComponent("staging")
        func put(_ folder: URL, _ file: String, _ text: String) throws {
            let url = folder.appendingPathComponent(file)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try put(target, OutputFolder.marker, OutputFolder.markerText(buildID: "old"))
        try put(target, "a/x.html", "old x")
        try put(target, "b/y.html", "old y")
        for (file, text) in [("a/x.html", "new x"), ("c/d/z.html", "new z"), ("b/y.html", "new y")] {
            try put(staging, file, text)
        }
        let folder = OutputFolder(target: target)
        let before = TestSite.files(in: target)
        OutputFolder.failure = { $0 == target.path + "/b/y.html" }
        let failedApply = folder.apply(["a/x.html", "c/d/z.html", "b/y.html"], from: staging, buildID: "new",
                                       previousBuildID: "old")
        OutputFolder.failure = nil
        #expect(!failedApply)
        #expect(TestSite.files(in: target) == before)
        #expect(!FileManager.default.fileExists(atPath: target.appendingPathComponent("c").path))
        #expect(folder.currentBuildID() == "old")

        // The moved files were consumed: a new staging folder for the second attempt.
        try FileManager.default.removeItem(at: staging)
        for (file, text) in [("a/x.html", "new x"), ("c/d/z.html", "new z"), ("b/y.html", "new y")] {
            try put(staging, file, text)
        }
        #expect(folder.apply(["a/x.html", "c/d/z.html", "b/y.html"], from: staging, buildID: "new", previousBuildID: "old"))
        let after = TestSite.files(in: target)
        #expect(after["a/x.html"] == Data("new x".utf8) && after["b/y.html"] == Data("new y".utf8))
        #expect(after["c/d/z.html"] == Data("new z".utf8))
        #expect(folder.currentBuildID() == "new")
    }

    @Test func structuralChangesStillGiveTheCleanBuild() async throws {
        let site = try makeSite()
        defer { site.remove() }
        _ = try await build(site)
        // A new article changes the count on every page.
        try site.write("content/blog/post-6.md", article(title: "Post 6", date: "2024-01-06"))
        _ = try await build(site)
        try await expectCleanBuildOutput(site)
        // A template edit re-renders everything.
        try site.write("layouts/404.mustache", "{{<base}}{{$main}}<h1>Gone</h1>{{/main}}{{/base}}")
        let templated = try await build(site)
        #expect(templated.linked <= 1, "only the static file is reused after a template change")
        try await expectCleanBuildOutput(site)
        // A deleted article and a deleted static file disappear.
        try FileManager.default.removeItem(at: site.root.appendingPathComponent("content/blog/post-2.md"))
        try FileManager.default.removeItem(at: site.root.appendingPathComponent("content/images/a.svg"))
        _ = try await build(site)
        #expect(!site.exists("blog/post-2/index.html"))
        #expect(!site.exists("images/a.svg"))
        try await expectCleanBuildOutput(site)
        // site.yml changes re-parse everything.
        try site.write("site.yml", "title: Other\nbase_url: https://example.org/x/\nper_page: 3\n")
        let configured = try await build(site)
        #expect(configured.parsed == 7, "every Markdown file, because parsing depends on site.yml")
        try await expectCleanBuildOutput(site)
    }

    /// A clean build stamps the Markdown files as it opens them (fstat(2) on the open file) instead of
    /// by path first; the manifest it saves must hold the same stamps as stamping every input by path,
    /// so that the next build with nothing changed stops after checking them.
    @Test func aCleanBuildSavesTheStampsOfEveryInput() async throws {
        let site = try makeSite()
        defer { site.remove() }
        _ = try await build(site)
        let manifest = try #require(InputManifest.load(source: site.root))
        let inventory = ContentScanner.scan(source: site.root)
        #expect(inventory.markdown.count == 7)
        let byPath = InputManifest.stamps(source: site.root, inventory: inventory)
        #expect(manifest.inputs == byPath)
        #expect(inventory.markdown.allSatisfy { (manifest.inputs[$0.path]?.size ?? -1) > 0 })
        let again = try await build(site)
        #expect(again.unchanged && again.parsed == 0)
    }

    @Test func aCorruptCacheIsIgnored() async throws {
        let site = try makeSite()
        defer { site.remove() }
        _ = try await build(site)
        try Data("garbage".utf8).write(to: BuildCache.url(site.root))
        try Data("garbage".utf8).write(to: InputManifest.url(site.root))
        let report = try await build(site)
        #expect(report.parsed == 7)
        try await expectCleanBuildOutput(site)
    }

    @Test func theCacheReadsAlikeThroughAWindowSmallerThanItsStrings() async throws {
        let site = try makeSite()
        defer { site.remove() }
        _ = try await build(site)
        let path = BuildCache.url(site.root).path
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        func readThroughWindow(size: Int) -> BuildCache? {
            let descriptor = open(path, O_RDONLY)
            defer { close(descriptor) }
            var reader = CacheReader(descriptor: descriptor, size: size, window: 16)
            reader.bodyFolder = site.root.appendingPathComponent(BuildCache.folder)
            return BuildCache.read(&reader)
        }
        let cache = try #require(readThroughWindow(size: original.count))
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("sitegen-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: copy) }
        try cache.save(source: copy)
        #expect(try Data(contentsOf: BuildCache.url(copy)) == original, "read back and saved again: the same bytes")
        #expect(readThroughWindow(size: original.count - 3) == nil, "a truncated cache is ignored")
    }

    /// The kept body stores (`.sitegen-cache/bodies-*.bin`) in the cache folder.
    func bodyStores(_ site: TestSite) -> Set<String> {
        let folder = site.root.appendingPathComponent(BuildCache.folder).path
        return Set(((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter(BodyStore.isStoreName))
    }

    @Test func bodyStoresDoNotPileUpAcrossEdits() async throws {
        let site = try makeSite()
        defer { site.remove() }
        _ = try await build(site)
        #expect(bodyStores(site).count == 1)
        for round in 1...9 {
            let day = round % 5 + 1
            try site.write("content/blog/post-\(day).md",
                           article(title: "Post \(day)", date: "2024-01-0\(day)", body: "Edit \(round) of post \(day)."))
            let report = try await build(site)
            #expect(report.parsed == 1)
            // One new store per build that parsed something; old ones are retired, not kept forever.
            #expect(bodyStores(site).count <= BuildCache.keptStores + 1, "round \(round): \(bodyStores(site).sorted())")
            if round % 4 == 0 { try await expectCleanBuildOutput(site) }
        }
        try await expectCleanBuildOutput(site)
    }

    @Test func aCacheWhoseBodyStoreIsGoneIsIgnored() async throws {
        let site = try makeSite()
        defer { site.remove() }
        _ = try await build(site)
        for name in bodyStores(site) {
            try FileManager.default.removeItem(at: site.root.appendingPathComponent(BuildCache.folder).appendingPathComponent(name))
        }
        try site.write("content/blog/post-2.md", article(title: "Post 2", date: "2024-01-02", body: "Changed."))
        let report = try await build(site)
        #expect(report.parsed == 7, "every file: the cached bodies are gone")
        #expect(bodyStores(site).count == 1)
        try await expectCleanBuildOutput(site)
    }

    @Test func aFailedBuildLeavesNoBodyStore() async throws {
        let site = try makeSite()
        defer { site.remove() }
        _ = try await build(site)
        let before = bodyStores(site)
        try site.write("content/blog/post-3.md", "---\ntitle: [unclosed\n---\nBody.\n")
        await #expect(throws: BuildFailure.self) { try await build(site) }
        #expect(bodyStores(site) == before)
        try site.write("content/blog/post-3.md", article(title: "Post 3", date: "2024-01-03"))
        _ = try await build(site)
        try await expectCleanBuildOutput(site)
    }

    @Test func searchFilesMissingFromAnUnchangedSiteAreRebuiltExactly() async throws {
        let site = try makeSite()
        defer { site.remove() }
        _ = try await build(site)
        for file in ["search/manifest.json", "search/shards/0.json", "search/docs/0.json"] {
            try FileManager.default.removeItem(at: site.output.appendingPathComponent(file))
        }
        let report = try await build(site)
        #expect(!report.unchanged)
        #expect(report.parsed == 0)
        try await expectCleanBuildOutput(site)
    }

    @Test func aFileEditedByHandInTheOutputIsRestored() async throws {
        let site = try makeSite()
        defer { site.remove() }
        _ = try await build(site)
        try FileManager.default.removeItem(at: site.output.appendingPathComponent("blog/post-3/index.html"))
        let report = try await build(site)
        #expect(!report.unchanged)
        #expect(site.exists("blog/post-3/index.html"))
        try await expectCleanBuildOutput(site)
    }
    /// The make-style shortcut: with no input changed nothing is read or written, and each kind of
    /// change (a file's stamp, a new file, an option, a deleted output, an article coming due) is seen.
    @Test func aBuildWithNoChangedInputDoesNothing() async throws {
        let site = try makeSite()
        defer { site.remove() }
        _ = try await build(site)
        let quiet = try await build(site)
        #expect(quiet.unchanged)
        #expect(quiet.timings.map(\.step).contains("check inputs"))
        #expect(!quiet.timings.map(\.step).contains("parse content"), "\(quiet.timings.map(\.step))")
        #expect(quiet.pageCount > 5, "the report still counts the site")

        try site.write("content/images/new.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
        #expect(try await build(site).timings.map(\.step).contains("render and write"))
        try await expectCleanBuildOutput(site)

        try FileManager.default.removeItem(at: site.output.appendingPathComponent("feed.xml"))
        let repaired = try await build(site)
        #expect(repaired.timings.map(\.step).contains("render and write"))
        try await expectCleanBuildOutput(site)

        _ = try await build(site)
        let drafts = try await Builder(source: site.root, output: site.output, options: BuildOptions(drafts: true, now: TestSite.now)).build()
        #expect(drafts.timings.map(\.step).contains("parse content"), "another option is another build")
    }

    @Test func anArticleComingDueIsPublishedWithoutAnyFileChange() async throws {
        let site = try TestSite(annLee + "\n-- content/blog/a.md --\n" + article(date: "2024-05-01")
                                + "\n-- content/blog/later.md --\n" + article(title: "Later", date: "2024-07-01"))
        defer { site.remove() }
        let before = Date(timeIntervalSince1970: 1_717_200_000)  // 2024-06-01
        _ = try await Builder(source: site.root, output: site.output, options: BuildOptions(now: before)).build()
        #expect(!FileManager.default.fileExists(atPath: site.output.appendingPathComponent("blog/later/index.html").path))
        let same = try await Builder(source: site.root, output: site.output, options: BuildOptions(now: before)).build()
        #expect(same.unchanged)
        let after = Date(timeIntervalSince1970: 1_720_000_000)  // 2024-07-03
        _ = try await Builder(source: site.root, output: site.output, options: BuildOptions(now: after)).build()
        #expect(FileManager.default.fileExists(atPath: site.output.appendingPathComponent("blog/later/index.html").path))
    }
}

extension TestSite {
    /// Every file under `folder` (without the output marker), by relative path.
    static func files(in folder: URL) -> [String: Data] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder.path) else { return [:] }
        var files: [String: Data] = [:]
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let url = folder.appendingPathComponent(path)
            FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
            if !isDirectory.boolValue, path != OutputFolder.marker { files[path] = try? Data(contentsOf: url) }
        }
        return files
    }

}


/// A thread-safe count, for hooks called from build workers.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
