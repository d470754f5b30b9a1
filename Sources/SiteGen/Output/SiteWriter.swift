import Foundation

/// Renders jobs and writes them, with the static files, into a folder. Rendering and writing happen
/// together in parallel workers so that no more than a few pages are held in memory at once.
struct SiteWriter: Sendable {
    let folder: URL?
    let source: URL

    struct Outcome: Sendable {
        var bytes: Int = 0
        var problems: [Diagnostic] = []
    }

    /// Renders every job; with a folder, writes each result there. Returns bytes written and failures.
    func render(_ jobs: [RenderJob], environment: RenderEnvironment) async -> Outcome {
        if let folder { createDirectories(for: jobs.map(\.file), in: folder) }
        let root = folder.map { $0.path + "/" }
        let results = await Parallel.map(jobs, chunkSize: 8) { job -> Outcome in
            let text = job.produce(environment)
            guard let root else { return Outcome(bytes: text.utf8.count) }
            do {
                try FileIO.write(root + job.file, text)
                return Outcome(bytes: text.utf8.count)
            } catch {
                return Outcome(problems: [Diagnostic(.error, file: job.owner, "cannot write \(job.file): \(error)",
                                                     hint: "check free disk space and permissions of the output folder")])
            }
        }
        return results.reduce(into: Outcome()) { total, part in
            total.bytes += part.bytes
            total.problems += part.problems
        }
    }

    /// Copies files from `content/` and `layouts/assets/` to their output paths.
    func copy(_ files: [ContentInventory.StaticFile]) async -> Outcome {
        guard let folder else { return Outcome() }
        createDirectories(for: files.map(\.outputPath), in: folder)
        let results = await Parallel.map(files) { file -> Outcome in
            do {
                try FileManager.default.copyItem(at: source.appendingPathComponent(file.sourcePath),
                                                 to: folder.appendingPathComponent(file.outputPath))
                return Outcome()
            } catch {
                return Outcome(problems: [Diagnostic(.error, file: file.sourcePath,
                    "cannot copy to \(file.outputPath): \(error.localizedDescription)")])
            }
        }
        return Outcome(problems: results.flatMap(\.problems))
    }

    /// "a/b/c" → "a/b", "a" → "". (NSString's deletingLastPathComponent traps on one-character
    /// strings in swift-corelibs-foundation 6.3: a section folder `content/x/` crashed the build.)
    static func parent(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        return String(path[..<slash])
    }

    private func createDirectories(for files: [String], in folder: URL) {
        var directories = Set<String>()
        for file in files {
            var parent = Self.parent(of: file)
            while !parent.isEmpty, directories.insert(parent).inserted {
                parent = Self.parent(of: parent)
            }
        }
        for directory in directories.sorted() {
            try? FileManager.default.createDirectory(at: folder.appendingPathComponent(directory),
                                                     withIntermediateDirectories: true)
        }
    }
}
