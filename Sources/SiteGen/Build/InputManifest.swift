import Foundation

/// The shortcut of a build with nothing to do, as `make` does it: the size, modification time and
/// inode of every input (site.yml, every file under layouts/ and content/), the build's options and
/// year, and the output folder's build ID, as they were when the last successful build started. When
/// all of them are unchanged, every output file still exists and no article dated after that build has
/// come due, the output is already what a build would write, and nothing is parsed, rendered or
/// written. Any difference falls through to the normal build, which has the finer-grained cache.
struct InputManifest: Equatable {
    static let file = "inputs-v1.bin"
    static let magic = "sitegen-inputs-1"

    /// Options, output path, config fingerprint and year.
    var key: String
    var inputs: [String: FileStamp]
    /// The earliest date of an article left out because it lies in the future (it appears once due).
    var nextDue: Date?
    var buildID = ""
    var outputs: [String] = []
    /// What the report said, to say it again.
    var pages: [String: Int] = [:]
    var feeds = 0, otherFiles = 0, staticFiles = 0, articles = 0
    var warnings: [Diagnostic] = []

    static func key(options: BuildOptions, baseURLOverride: String?, output: URL, config: Fingerprint,
                    year: Int) -> String {
        [magic, "drafts=\(options.drafts)", "future=\(options.future)", "base=\(baseURLOverride ?? "")",
         "output=\(output.path)", "config=\(config)", "year=\(year)"].joined(separator: "\n")
    }

    /// Stamps of every input: site.yml, layouts/** and the scanned content (Markdown and static files);
    /// without `markdown`, of all but the Markdown files (whose stamps the build then takes as it reads them).
    static func stamps(source: URL, inventory: ContentInventory, markdown: Bool = true) -> [String: FileStamp] {
        let prefix = source.path.hasSuffix("/") ? source.path : source.path + "/"
        var paths = [SiteConfig.fileName]
        var ignored: [Diagnostic] = []
        paths += ContentScanner.walk(source.appendingPathComponent(TemplateSet.folder), source: source,
                                     diagnostics: &ignored).map { "\(TemplateSet.folder)/\($0)" }
        if markdown { paths += inventory.markdown.map(\.path) }
        paths += inventory.staticFiles.map(\.sourcePath)
        // stat(2) on every core: ~10,000 calls at 10k articles, on the serial path of every build.
        let all = paths
        let folder = SourceFolder(prefix)
        let found = [FileStamp](unsafeUninitializedCapacity: all.count) { buffer, initialized in
            nonisolated(unsafe) let base = buffer.baseAddress!
            let chunk = 512
            DispatchQueue.concurrentPerform(iterations: (all.count + chunk - 1) / chunk) { part in
                for index in (part * chunk)..<min(all.count, part * chunk + chunk) {  // each index once
                    (base + index).initialize(to: folder.stamp(all[index]) ?? .missing)
                }
            }
            initialized = all.count
        }
        var stamps: [String: FileStamp] = [:]
        stamps.reserveCapacity(paths.count)
        for (path, stamp) in zip(paths, found) { stamps[path] = stamp }
        return stamps
    }

    /// True when `previous` describes exactly this build's inputs and the output it left is intact.
    static func unchanged(_ previous: InputManifest?, key: String, inputs: [String: FileStamp], now: Date,
                          output: URL) -> Bool {
        guard let previous, previous.key == key, previous.inputs == inputs,
              previous.nextDue.map({ now < $0 }) ?? true, !previous.buildID.isEmpty,
              OutputFolder(target: output).currentBuildID() == previous.buildID else { return false }
        let root = output.path + "/"
        return previous.outputs.allSatisfy { FileStamp(path: root + $0) != nil }
    }

    static func url(_ source: URL) -> URL {
        source.appendingPathComponent(BuildCache.folder).appendingPathComponent(file)
    }

    static func load(source: URL) -> InputManifest? {
        guard let bytes = try? FileIO.read(url(source).path) else { return nil }
        var reader = CacheReader(bytes)
        do {
            guard try reader.string() == magic else { return nil }
            var manifest = InputManifest(key: try reader.string(), inputs: [:])
            for _ in 0..<(try reader.int()) { manifest.inputs[try reader.string()] = try reader.stamp() }
            manifest.nextDue = try reader.bool() ? try reader.date() : nil
            manifest.buildID = try reader.string()
            manifest.outputs = try reader.list { try $0.string() }
            for _ in 0..<(try reader.int()) { manifest.pages[try reader.string()] = try reader.int() }
            manifest.feeds = try reader.int()
            manifest.otherFiles = try reader.int()
            manifest.staticFiles = try reader.int()
            manifest.articles = try reader.int()
            manifest.warnings = try reader.list { try $0.diagnostic() }
            return reader.atEnd ? manifest : nil
        } catch {
            return nil
        }
    }

    /// Written after the build cache, through a temporary file and a rename.
    func save(source: URL) throws {
        var writer = CacheWriter()
        writer.string(Self.magic)
        writer.string(key)
        writer.int(inputs.count)
        for (path, stamp) in inputs.sorted(by: { $0.key < $1.key }) {
            writer.string(path)
            writer.stamp(stamp)
        }
        writer.bool(nextDue != nil)
        if let nextDue { writer.date(nextDue) }
        writer.string(buildID)
        writer.list(outputs) { $0.string($1) }
        writer.int(pages.count)
        for (kind, count) in pages.sorted(by: { $0.key < $1.key }) {
            writer.string(kind)
            writer.int(count)
        }
        for number in [feeds, otherFiles, staticFiles, articles] { writer.int(number) }
        writer.list(warnings) { $0.diagnostic($1) }
        let target = Self.url(source)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = target.path + ".\(getpid()).tmp"
        try writer.bytes.withUnsafeBytes { try FileIO.write(temporary, $0) }
        guard rename(temporary, target.path) == 0 else {
            unlink(temporary)
            throw FileIO.Failure(path: target.path, code: errno)
        }
    }

    /// Removes the manifest, so that the next build does not take the shortcut.
    static func remove(source: URL) { unlink(url(source).path) }
}
