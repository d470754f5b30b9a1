import Foundation

/// What a build did: pages by kind, other files, time per step, and the warnings it found.
public struct BuildReport: Sendable {
    public var pages: [PageKind: Int] = [:]
    public var feeds = 0
    public var otherFiles = 0
    public var staticFiles = 0
    public var articles = 0
    public var bytes = 0
    public var warnings: [Diagnostic] = []
    public var timings: [(step: String, seconds: Double)] = []
    let started = ContinuousClock.now

    public var seconds: Double { timings.reduce(0) { $0 + $1.seconds } }
    public var pageCount: Int { pages.values.reduce(0, +) }

    mutating func time<T>(_ step: String, _ body: () throws -> T) rethrows -> T {
        let start = ContinuousClock.now
        defer { timings.append((step, (ContinuousClock.now - start).seconds)) }
        return try body()
    }

    mutating func time<T>(_ step: String, _ body: () async throws -> T) async rethrows -> T {
        let start = ContinuousClock.now
        defer { timings.append((step, (ContinuousClock.now - start).seconds)) }
        return try await body()
    }

    mutating func count(_ jobs: [RenderJob], staticFiles: Int, articles: Int) {
        for job in jobs {
            if let kind = job.kind { pages[kind, default: 0] += 1 }
            else if job.path.hasSuffix("feed.xml") { feeds += 1 }
            else { otherFiles += 1 }
        }
        self.staticFiles = staticFiles
        self.articles = articles
    }

    /// One line: "142 pages (15 article, 1 section, …), 27 feeds, 14 other files, 20 static files in 0.31 s".
    public var summary: String {
        let kinds = PageKind.allCases.compactMap { kind in pages[kind].map { "\($0) \(kind.rawValue)" } }
        return "\(pageCount) pages (\(kinds.joined(separator: ", "))), \(feeds) feeds, \(otherFiles) other files, "
            + "\(staticFiles) static files, \(articles) publications in \(String(format: "%.2f", seconds)) s"
    }

    /// The per-step table printed by `--timings`.
    public var timingTable: String {
        let width = timings.map(\.step.count).max() ?? 0
        return timings.map { step, seconds in
            step.padding(toLength: width, withPad: " ", startingAt: 0)
                + String(format: "  %8.1f ms  %5.1f%%", seconds * 1000, seconds / max(self.seconds, 1e-9) * 100)
        }.joined(separator: "\n")
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
