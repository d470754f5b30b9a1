import Foundation

/// Renders jobs and writes them, with the static files, into a folder. Rendering and writing happen
/// together in parallel workers so that no more than a few pages are held in memory at once.
struct SiteWriter: Sendable {
    let folder: URL?
    let source: URL

    struct Outcome: Sendable {
        var bytes: Int = 0
        var written = 0
        var linked = 0
        var problems: [Diagnostic] = []
        /// Output file → fingerprint (the job's, or of the bytes for jobs without one), for the cache.
        var fingerprints: [String: Fingerprint] = [:]
    }

    /// Files of the previous build that may be hard-linked instead of rendered again.
    struct Reuse: Sendable {
        /// The previous output folder, ending in "/".
        var root: String
        /// Files whose job fingerprint is unchanged since the previous build.
        var unchanged: Set<String>
    }

    /// Renders every job; with a folder, writes each result there (or links the previous build's file
    /// when `reuse` says it is unchanged). Returns bytes written, fingerprints and failures.
    func render(_ jobs: [RenderJob], environment: RenderEnvironment, reuse: Reuse? = nil) async -> Outcome {
        // Files are made relative to the open output folder (mkdirat/openat): walking its absolute
        // path again for each of 12,000 folders and 14,000 files was ~1% of a 10k build.
        let directory = folder.map { open($0.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) } ?? -1
        defer { if directory >= 0 { close(directory) } }
        let root = folder.map { $0.path + "/" }
        // Paths are opened from the folder's descriptor, or from its path if it could not be opened.
        let (base, prefix) = directory >= 0 ? (directory, "") : (AT_FDCWD, root ?? "")
        if folder != nil { createDirectories(for: jobs.map(\.file), at: base, prefix: prefix) }
        // One small result a job, gathered into one dictionary at the end: a one-entry dictionary a
        // job, merged into a growing one, was ~0.3% of a 10k build in hashing and resizing.
        struct JobResult: Sendable {
            var bytes = 0
            var written = false, linked = false
            var problem: Diagnostic?
            var fingerprint: Fingerprint?
        }
        let results = await Parallel.map(jobs, chunkSize: 8) { job -> JobResult in
            if let root, let reuse, reuse.unchanged.contains(job.file), let fingerprint = job.fingerprint,
               link(reuse.root + job.file, root + job.file) == 0 {
                return JobResult(linked: true, fingerprint: fingerprint)
            }
            let bytes = job.produce(environment)
            let fingerprint = job.fingerprint ?? Fingerprint(bytes: bytes)
            guard let root else { return JobResult(bytes: bytes.count, fingerprint: fingerprint) }
            do {
                try bytes.withUnsafeBytes { try FileIO.write(prefix + job.file, $0, in: base, named: root + job.file) }
                return JobResult(bytes: bytes.count, written: true, fingerprint: fingerprint)
            } catch {
                return JobResult(problem: Diagnostic(.error, file: job.owner, "cannot write \(job.file): \(error)",
                                                     hint: "check free disk space and permissions of the output folder"))
            }
        }
        var total = Outcome()
        total.fingerprints.reserveCapacity(jobs.count)
        for (job, result) in zip(jobs, results) {
            total.bytes += result.bytes
            total.written += result.written ? 1 : 0
            total.linked += result.linked ? 1 : 0
            if let problem = result.problem { total.problems.append(problem) }
            if let fingerprint = result.fingerprint, total.fingerprints[job.file] == nil {
                total.fingerprints[job.file] = fingerprint  // the first job of a file, as before
            }
        }
        return total
    }

    /// Copies files from `content/` and `layouts/assets/` to their output paths; files listed in
    /// `reuse.unchanged` (by source path) are hard-linked from the previous output instead.
    func copy(_ files: [ContentInventory.StaticFile], reuse: Reuse? = nil) async -> Outcome {
        guard let folder else { return Outcome() }
        let root = folder.path + "/"
        createDirectories(for: files.map(\.outputPath), at: AT_FDCWD, prefix: root)
        let results = await Parallel.map(files) { file -> Outcome in
            if let reuse, reuse.unchanged.contains(file.sourcePath),
               link(reuse.root + file.outputPath, root + file.outputPath) == 0 {
                return Outcome(linked: 1)
            }
            do {
                try FileManager.default.copyItem(at: source.appendingPathComponent(file.sourcePath),
                                                 to: folder.appendingPathComponent(file.outputPath))
                return Outcome(written: 1)
            } catch {
                return Outcome(problems: [Diagnostic(.error, file: file.sourcePath,
                    "cannot copy to \(file.outputPath): \(error.localizedDescription)")])
            }
        }
        return Outcome(written: results.map(\.written).reduce(0, +), linked: results.map(\.linked).reduce(0, +),
                       problems: results.flatMap(\.problems))
    }

    /// "a/b/c" → "a/b", "a" → "". (NSString's deletingLastPathComponent traps on one-character
    /// strings in swift-corelibs-foundation 6.3: a section folder `content/x/` crashed the build.)
    static func parent(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        return String(path[..<slash])
    }

    /// Makes the folders of `files`: `prefix` + each folder, relative to the descriptor `base`.
    private func createDirectories(for files: [String], at base: Int32, prefix: String) {
        var directories = Set<String>()
        for file in files {
            var parent = Self.parent(of: file)
            while !parent.isEmpty, directories.insert(parent).inserted {
                parent = Self.parent(of: parent)
            }
        }
        // Sorted, so every parent comes before its children: one mkdir(2) each. Failures surface
        // when the files inside are written.
        for path in directories.sorted() { mkdirat(base, prefix + path, 0o755) }
    }
}
