import Foundation
import ServiceLifecycle
import SiteGen

/// The preview's build loop: the first build once the server is listening, then one incremental
/// rebuild per batch of changes (batches that arrive during a rebuild are merged into the next). Each finished rebuild is swapped in whole (`SnapshotStore`); open
/// tabs are told to reload when a file changed or the error overlay appeared, changed or cleared.
/// Prints one line per rebuild, and errors in the compiler form of `sitegen build`.
struct Rebuilder: Service {
    let configuration: PreviewServer.Configuration
    let watcher: Watcher
    let store: SnapshotStore
    let hub: ReloadHub
    let ports: AsyncStream<Int>
    let console: PreviewConsole

    /// Versions name a snapshot: this process's id, then a counter.
    static let instance = String(UInt32.random(in: 0...UInt32.max), radix: 16)
    static func version(_ generation: Int) -> String { "\(instance)-\(generation)" }

    func run() async throws {
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { return }
        let base = configuration.baseURL ?? "http://\(Self.urlHost(configuration.host)):\(port)/"
        console.out("sitegen: serving \(base) (Ctrl-C to stop)")
        var state = State(builder: IncrementalBuilder(source: configuration.source, options: configuration.options,
                                                      baseURLOverride: base),
                          mount: Self.mount(of: base),
                          sourceRoot: PreviewSite.realPath(configuration.source.path) ?? configuration.source.path)
        let queue = ChangeQueue()
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await keepAlive() }
                group.addTask {
                    for await batch in watcher.changes { await queue.put(batch) }
                    await queue.finish()
                }
                await state.rebuild(nil, store: store, hub: hub, console: console)
                while let batch = await queue.take() {
                    await state.rebuild(batch, store: store, hub: hub, console: console)
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            watcher.stop()
            Task { await hub.close() }
        }
        await hub.close()
    }

    func keepAlive() async {
        while (try? await Task.sleep(for: .seconds(15))) != nil {
            await hub.keepAlive()
        }
    }

    /// `[::1]` for IPv6 hosts in URLs.
    static func urlHost(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }

    /// The path the site lives under, from the base URL: `/` or `/blog/`.
    static func mount(of base: String) -> String {
        let path = URL(string: base)?.path ?? "/"
        let trimmed = path.hasSuffix("/") ? path : path + "/"
        return trimmed.hasPrefix("/") ? trimmed : "/" + trimmed
    }

    /// What the loop remembers between rebuilds.
    struct State {
        let builder: IncrementalBuilder
        let mount: String
        let sourceRoot: String
        var generation = 0
        var errors: [Diagnostic] = []
        var warnings: Set<String> = []

        init(builder: IncrementalBuilder, mount: String, sourceRoot: String) {
            self.builder = builder
            self.mount = mount
            self.sourceRoot = sourceRoot
        }

        /// Rebuilds, swaps the snapshot, reloads the tabs if anything they show changed, and prints.
        mutating func rebuild(_ batch: ChangeBatch?, store: SnapshotStore, hub: ReloadHub,
                              console: PreviewConsole) async {
            let start = ContinuousClock.now
            // An edit to article bodies only: publish the edited pages and reload the tabs first, then
            // finish the rebuild (feeds and search data wait for it; see `PreviewSite.isCurrent`).
            var early: IncrementalBuilder.EarlyOutcome?
            if let batch, let paths = batch.changed, errors.isEmpty, let previous = await store.latest(),
               let fast = await builder.early(changed: paths), !fast.changed.isEmpty {
                early = fast
                generation += 1
                let version = Rebuilder.version(generation)
                await hub.announce(version)
                await store.publish(PreviewSite(files: fast.files, staticFiles: previous.staticFiles, errors: [],
                                                version: version, mount: mount, sourceRoot: sourceRoot, settled: false))
                await hub.reload(version)
            }
            let earlyMilliseconds = Int(((ContinuousClock.now - start) / .milliseconds(1)).rounded())
            let outcome = await builder.rebuild(changed: batch?.changed)
            let newErrors = outcome.diagnostics.errors
            var reload = batch == nil || !outcome.changed.isEmpty || !outcome.removed.isEmpty || newErrors != errors
            if let early {
                // Reload again only if the tabs could show something the early snapshot did not have.
                let shown = Set(early.changed)
                reload = newErrors != errors || !outcome.removed.isEmpty
                    || outcome.changed.contains { $0.hasSuffix(".html") && !shown.contains($0) }
            }
            if reload && batch != nil { generation += 1 }
            let version = Rebuilder.version(generation)
            errors = newErrors
            await hub.announce(version)
            await store.publish(PreviewSite(files: outcome.files, staticFiles: outcome.staticFiles, errors: errors,
                                            version: version, mount: mount, sourceRoot: sourceRoot))
            if reload && batch != nil { await hub.reload(version) }
            let milliseconds = Int(((ContinuousClock.now - start) / .milliseconds(1)).rounded())
            report(outcome, batch: batch, milliseconds: milliseconds, console: console,
                   earlyMilliseconds: early == nil ? nil : earlyMilliseconds)
        }

        mutating func report(_ outcome: IncrementalBuilder.Outcome, batch: ChangeBatch?, milliseconds: Int,
                             console: PreviewConsole, earlyMilliseconds: Int? = nil) {
            let fresh = outcome.diagnostics.warnings.filter { !warnings.contains($0.description) }
            for warning in fresh { console.err(warning.description) }
            warnings = Set(outcome.diagnostics.warnings.map(\.description))
            for error in outcome.diagnostics.errors { console.err(error.description) }
            let what = batch.map { Rebuilder.describe($0) } ?? "initial build"
            let count = outcome.diagnostics.errors.count
            if count > 0 {
                let serving = outcome.files.isEmpty ? "nothing to serve yet" : "still serving the last good site"
                console.out("sitegen: \(what): \(count) error\(count == 1 ? "" : "s"); \(serving) (\(milliseconds) ms)")
            } else if batch == nil {
                console.out("sitegen: built \(outcome.files.count + outcome.staticFiles.count) files in \(milliseconds) ms")
            } else {
                let changed = outcome.changed.count + outcome.removed.count
                let early = earlyMilliseconds.map { " (edited page live in \($0) ms)" } ?? ""
                console.out("sitegen: \(what): re-rendered \(outcome.rendered) page\(outcome.rendered == 1 ? "" : "s"), "
                            + "\(changed) file\(changed == 1 ? "" : "s") changed in \(milliseconds) ms\(early)")
            }
        }
    }

    /// `content/blog/a.md`, `content/a.md and content/b.md`, `content/a.md and 3 more`.
    static func describe(_ batch: ChangeBatch) -> String {
        if batch.everything { return "site folder changed" }
        switch batch.paths.count {
        case 0: return "no change"
        case 1: return batch.paths[0]
        case 2: return "\(batch.paths[0]) and \(batch.paths[1])"
        default: return "\(batch.paths[0]) and \(batch.paths.count - 1) more"
        }
    }
}
