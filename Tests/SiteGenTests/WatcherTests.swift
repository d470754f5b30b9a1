import Foundation
import Testing
@testable import SiteGenPreview

/// The inotify watcher on a real folder: edits, saves by rename, editor scratch files, new and
/// moved folders, deletions, site.yml, and noise outside content/ and layouts/.
@Suite struct WatcherTests {
    /// Collects the watcher's batches in the background; `next` waits for one.
    actor Batches {
        private var received: [ChangeBatch] = []
        private(set) var ended = false

        static func collect(_ stream: AsyncStream<ChangeBatch>) -> Batches {
            let batches = Batches()
            Task {
                for await batch in stream { await batches.add(batch) }
                await batches.end()
            }
            return batches
        }

        private func add(_ batch: ChangeBatch) { received.append(batch) }
        private func end() { ended = true }

        /// Waits until the batches received so far name every path in `expected` (batches may split
        /// under load), checks that none names a path in `absent`, and returns them merged.
        @discardableResult
        func expect(_ expected: Set<String>, absent: Set<String> = [], everything: Bool = false, timeout: Double = 30,
                    sourceLocation: SourceLocation = #_sourceLocation) async -> ChangeBatch {
            let deadline = ContinuousClock.now + .seconds(timeout)
            var merged = ChangeBatch(paths: [])
            while true {
                for batch in received {
                    merged.paths = Array(Set(merged.paths).union(batch.paths)).sorted()
                    merged.everything = merged.everything || batch.everything
                }
                received = []
                let done = expected.isSubset(of: merged.paths) && (merged.everything || !everything)
                if done || ContinuousClock.now > deadline { break }
                try? await Task.sleep(for: .milliseconds(10))
            }
            #expect(expected.isSubset(of: merged.paths), "missing \(expected.subtracting(merged.paths).sorted())",
                    sourceLocation: sourceLocation)
            #expect(merged.everything || !everything, "no re-read-everything batch", sourceLocation: sourceLocation)
            #expect(absent.isDisjoint(with: merged.paths), "reported \(absent.intersection(merged.paths).sorted())",
                    sourceLocation: sourceLocation)
            return merged
        }
    }

    @Test func reportsEditsRenamesFoldersAndDeletions() async throws {
        let site = try TestSite("-- content/blog/a.md --\nA\n-- content/blog/b.md --\nB\n")
        defer { site.remove() }
        let watcher = try Watcher(source: site.root, quietPeriod: .milliseconds(40))
        defer { watcher.stop() }
        let batches = Batches.collect(watcher.changes)

        try site.write("content/blog/a.md", "A2\n")
        await batches.expect(["content/blog/a.md"])

        // Save by rename, with vim's and other editors' scratch files around it.
        let scratch: Set<String> = ["content/blog/.a.md.swp", "content/blog/4913", "content/blog/a.md~",
                                    "content/blog/a.md.tmp"]
        try site.write("content/blog/.a.md.swp", "x")
        try site.write("content/blog/4913", "")
        try FileManager.default.removeItem(at: site.root.appendingPathComponent("content/blog/4913"))
        try site.write("content/blog/a.md~", "A2\n")
        try site.write("content/blog/a.md.tmp", "A3\n")
        try rename(site, "content/blog/a.md.tmp", "content/blog/a.md")
        await batches.expect(["content/blog/a.md"], absent: scratch)

        // A new folder with a file in it, and later another file in that folder.
        try site.write("content/news/x.md", "X\n")
        await batches.expect(["content/news/", "content/news/x.md"])
        try site.write("content/news/y.md", "Y\n")
        await batches.expect(["content/news/y.md"])

        // A moved folder: both names are reported, and files in it are still watched.
        try rename(site, "content/news", "content/world")
        await batches.expect(["content/news/", "content/world/", "content/world/x.md", "content/world/y.md"])
        try site.write("content/world/x.md", "X2\n")
        await batches.expect(["content/world/x.md"])

        // Deletion; noise in the site folder (the output, a lock file) is not a change.
        try site.write("public/index.html", "<p>")
        try site.write(".sitegen-build.lock", "")
        try FileManager.default.removeItem(at: site.root.appendingPathComponent("content/blog/b.md"))
        await batches.expect(["content/blog/b.md"], absent: ["public/index.html", ".sitegen-build.lock", "public/"])

        try site.write("site.yml", "title: Changed\n")
        await batches.expect(["site.yml"])
        try site.write("layouts/partials/new.mustache", "{{title}}")
        await batches.expect(["layouts/partials/new.mustache"])

        watcher.stop()
        try await Task.sleep(for: .milliseconds(200))
        #expect(await batches.ended, "stop ends the stream")
    }

    @Test func replacingContentItselfMeansEverything() async throws {
        let site = try TestSite("-- content/blog/a.md --\nA\n")
        defer { site.remove() }
        let watcher = try Watcher(source: site.root, quietPeriod: .milliseconds(40))
        defer { watcher.stop() }
        let batches = Batches.collect(watcher.changes)
        try rename(site, "content", "content-old")
        try site.write("content/blog/a.md", "A\n")
        let batch = await batches.expect([], everything: true)
        #expect(batch.changed == nil)
        try site.write("content/blog/b.md", "B\n")
        await batches.expect(["content/blog/b.md"])  // the new content/ is watched
    }

    @Test func scratchFileNamesAreIgnored() {
        for name in [".a.md.swp", "4913", "a.md~", "#a.md#", "a.md.tmp", "a.md___jb_tmp___", ".#a.md"] {
            #expect(Watcher.isIgnored(name), "\(name)")
        }
        for name in ["a.md", "photo.jpg", "_index.md", "tmp.md"] {
            #expect(!Watcher.isIgnored(name), "\(name)")
        }
    }

    @Test func batchesThatArriveDuringARebuildAreMerged() async {
        let queue = ChangeQueue()
        await queue.put(ChangeBatch(paths: ["content/a.md"]))
        await queue.put(ChangeBatch(paths: ["content/b.md", "content/a.md"]))
        #expect(await queue.take() == ChangeBatch(paths: ["content/a.md", "content/b.md"]))
        await queue.put(ChangeBatch(paths: ["site.yml"]))
        await queue.put(ChangeBatch(paths: [], everything: true))
        let merged = await queue.take()
        #expect(merged?.everything == true && merged?.changed == nil)
        await queue.put(ChangeBatch(paths: ["layouts/base.mustache"]))
        await queue.finish()
        #expect(await queue.take()?.paths == ["layouts/base.mustache"], "what was pending still comes")
        #expect(await queue.take() == nil)
    }

    func rename(_ site: TestSite, _ from: String, _ to: String) throws {
        guard Foundation.rename(site.root.appendingPathComponent(from).path, site.root.appendingPathComponent(to).path) == 0 else {
            throw CocoaError(.fileWriteUnknown)
        }
    }
}
