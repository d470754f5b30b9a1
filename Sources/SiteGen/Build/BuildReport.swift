import Foundation

/// What a build did: pages by kind, other files, time per step, and the warnings it found.
public struct BuildReport: Sendable {
    public var pages: [PageKind: Int] = [:]
    public var feeds = 0
    public var otherFiles = 0
    public var staticFiles = 0
    public var articles = 0
    public var bytes = 0
    /// Markdown files parsed in this build (the others came from the build cache).
    public var parsed = 0
    /// Files written, and files hard-linked unchanged from the previous build.
    public var written = 0
    public var linked = 0
    /// Nothing changed since the previous build: the output was left as it was.
    public var unchanged = false
    public var warnings: [Diagnostic] = []
    /// Output file → the source file it is built from (`RenderJob.owner`), for `check --links`.
    public var owners: [String: String] = [:]
    /// Wall-clock and CPU seconds (all threads) per step, and the process's peak memory at its end.
    public var timings: [(step: String, seconds: Double, cpu: Double, peakMB: Double)] = []
    let started = ContinuousClock.now
    let startedCPU = BuildReport.cpuSeconds()
    private var finished: ContinuousClock.Instant?

    /// The build's wall time: from its start to `finish()` (or the sum of the steps before that).
    public var seconds: Double { finished.map { ($0 - started).seconds } ?? timings.reduce(0) { $0 + $1.seconds } }

    /// Ends the report: the time spent between the named steps becomes a row of its own, so that the
    /// table adds up to the build's whole wall and CPU time.
    mutating func finish() {
        let now = ContinuousClock.now
        let gap = (now - started).seconds - timings.reduce(0) { $0 + $1.seconds }
        let cpuGap = Self.cpuSeconds() - startedCPU - timings.reduce(0) { $0 + $1.cpu }
        if gap > 0.0005 { timings.append(("between steps", gap, max(cpuGap, 0), Self.peakMB())) }
        finished = now
    }
    public var pageCount: Int { pages.values.reduce(0, +) }

    mutating func time<T>(_ step: String, _ body: () throws -> T) rethrows -> T {
        let start = ContinuousClock.now, cpu = Self.cpuSeconds()
        defer { timings.append((step, (ContinuousClock.now - start).seconds, Self.cpuSeconds() - cpu, Self.peakMB())) }
        return try body()
    }

    mutating func time<T>(_ step: String, _ body: () async throws -> T) async rethrows -> T {
        let start = ContinuousClock.now, cpu = Self.cpuSeconds()
        defer { timings.append((step, (ContinuousClock.now - start).seconds, Self.cpuSeconds() - cpu, Self.peakMB())) }
        return try await body()
    }

    /// User + system CPU time of the whole process so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Peak resident memory of the process so far, in MB.
    static func peakMB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
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
        let work = unchanged ? "nothing changed, nothing written"
            : "\(parsed) parsed, \(written) written, \(linked) unchanged"
        return "\(pageCount) pages (\(kinds.joined(separator: ", "))), \(feeds) feeds, \(otherFiles) other files, "
            + "\(staticFiles) static files, \(articles) publications (\(work)) in \(String(format: "%.2f", seconds)) s"
    }

    /// The per-step table printed by `--timings`.
    public var timingTable: String {
        let width = max(timings.map(\.step.count).max() ?? 0, 4)
        let header = "step".padding(toLength: width, withPad: " ", startingAt: 0) + "     wall ms   share    cpu ms   peak MB"
        return ([header] + timings.map { step, seconds, cpu, peak in
            step.padding(toLength: width, withPad: " ", startingAt: 0)
                + String(format: "  %10.1f  %5.1f%%  %8.1f  %8.0f", seconds * 1000, seconds / max(self.seconds, 1e-9) * 100,
                         cpu * 1000, peak)
        }).joined(separator: "\n")
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
