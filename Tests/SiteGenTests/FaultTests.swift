import Foundation
import Testing
@testable import SiteGen

/// Faults, with the real `sitegen` executable: a build killed at any moment (SIGKILL, SIGINT) leaves
/// `public/` entirely the old site or entirely the new one; two builds of one site at once are
/// serialized; an output folder that cannot be written gives an error and keeps the old site.
@Suite(.tags(.process), .serialized)
struct FaultTests {
    typealias Snapshot = [String: Data]

    /// Two versions of one site (A and B differ in every article page and most list pages), each in
    /// its own source folder, both built into one `public/` beside them.
    struct TwoSites {
        let root: URL
        let a: URL
        let b: URL
        var output: URL { root.appendingPathComponent("public") }

        init(articles: Int) throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("sitegen-faults-\(UUID().uuidString)")
            a = try Self.site(articles: articles, version: "A", in: root.appendingPathComponent("a"))
            b = try Self.site(articles: articles, version: "B", in: root.appendingPathComponent("b"))
        }

        static func site(articles: Int, version: String, in folder: URL) throws -> URL {
            var files = TestSite.parse(annLee)
            for (path, body) in TestSite.minimalLayouts { files[path] = body }
            files["site.yml"] = "title: Faults\nbase_url: https://example.org/\n"
            for number in 0..<articles {
                let date = String(format: "2024-%02d-%02d", number % 12 + 1, number % 28 + 1)
                files["content/blog/post-\(number).md"] = article(
                    title: "Post \(number) version \(version)", date: date, categories: "[Topic \(number % 20)]",
                    body: String(repeating: "Paragraph \(number) of version \(version) with *some* text. ", count: 30))
            }
            for (path, body) in files {
                let url = folder.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(body.utf8).write(to: url)
            }
            return folder
        }

        func remove() { try? FileManager.default.removeItem(at: root) }

        /// Hidden folders sitegen left beside `public/` (staging folders, a parked old site).
        func leftovers() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).filter { $0.hasPrefix(".public.") }
        }
    }

    // MARK: Processes

    static func start(_ arguments: [String], log: URL) throws -> Process {
        let process = Process()
        process.executableURL = CommandLineTests.executable
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    static func build(_ source: URL, into output: URL, log: URL) throws -> Process {
        try start(["build", "--quiet", "--source", source.path, "--output", output.path], log: log)
    }

    static func snapshot(_ folder: URL) -> Snapshot {
        var files: Snapshot = [:]
        for path in (try? allFiles(folder)) ?? [] {
            files[path] = FileManager.default.contents(atPath: folder.appendingPathComponent(path).path)
        }
        return files
    }

    /// Waits (polling) until `condition` holds or the process ends; true if the condition held.
    static func wait(for process: Process, timeout: Double = 120, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline {
            if condition() { return true }
            usleep(2_000)
        }
        return false
    }

    /// Files written so far into the staging folder of process `pid`, or nil while there is none.
    static func stagedFiles(_ sites: TwoSites, pid: Int32) -> Int? {
        guard let name = sites.leftovers().first(where: { $0.hasPrefix(".public.staging-\(pid)-") }) else { return nil }
        let blog = sites.root.appendingPathComponent(name).appendingPathComponent("blog")
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: blog.path)) ?? []
        return folders.filter {
            FileManager.default.fileExists(atPath: blog.appendingPathComponent($0).appendingPathComponent("index.html").path)
        }.count
    }

    enum Moment: CustomStringConvertible {
        case after(milliseconds: Int)
        case stagingCreated
        case staged(fraction: Double)
        case swapped

        var description: String {
            switch self {
            case .after(let ms): return "after \(ms) ms"
            case .stagingCreated: return "when the staging folder appears"
            case .staged(let fraction): return "with \(Int(fraction * 100))% of the pages staged"
            case .swapped: return "right after the swap"
            }
        }
    }

    // MARK: Kill at any moment

    /// Articles of the kill test: 200 by default (a debug build then takes about a second on an idle
    /// machine); `SITEGEN_FAULT_ARTICLES=1500` for the full run.
    static let articles = Int(ProcessInfo.processInfo.environment["SITEGEN_FAULT_ARTICLES"] ?? "") ?? 200

    @Test func aKilledBuildLeavesTheOldOrTheNewSiteNeverAMix() async throws {
        let articles = Self.articles
        let sites = try TwoSites(articles: articles)
        defer { sites.remove() }
        let log = sites.root.appendingPathComponent("build.log")

        // The two complete builds to compare against.
        let expectedB = sites.root.appendingPathComponent("expected-b")
        let first = try Self.build(sites.b, into: expectedB, log: log)
        first.waitUntilExit()
        let firstLog = try String(contentsOf: log, encoding: .utf8)
        #expect(first.terminationStatus == 0, "\(firstLog)")
        let siteB = Self.snapshot(expectedB)
        let second = try Self.build(sites.a, into: sites.output, log: log)
        second.waitUntilExit()
        #expect(second.terminationStatus == 0)
        let siteA = Self.snapshot(sites.output)
        #expect(siteA.count > articles && siteB.count == siteA.count && siteA != siteB)

        let moments: [Moment] = [.after(milliseconds: 30), .stagingCreated, .staged(fraction: 0.5),
                                 .staged(fraction: 0.95), .swapped]
        var current = "A"
        var outcomes: [String] = []
        for moment in moments {
            for signal in [SIGKILL, SIGINT] {
                let next = current == "A" ? sites.b : sites.a
                let process = try Self.build(next, into: sites.output, log: log)
                let pid = process.processIdentifier
                let reached: Bool
                switch moment {
                case .after(let ms):
                    usleep(UInt32(ms) * 1_000)
                    reached = process.isRunning
                case .stagingCreated:
                    reached = Self.wait(for: process) { Self.stagedFiles(sites, pid: pid) != nil }
                case .staged(let fraction):
                    reached = Self.wait(for: process) { (Self.stagedFiles(sites, pid: pid) ?? 0) >= Int(Double(articles) * fraction) }
                case .swapped:
                    var seen = false
                    reached = Self.wait(for: process) {
                        let staged = Self.stagedFiles(sites, pid: pid) != nil
                        defer { seen = seen || staged }
                        return seen && !staged
                    }
                }
                kill(pid, signal)
                process.waitUntilExit()
                let after = Self.snapshot(sites.output)
                let state = after == siteA ? "A" : after == siteB ? "B" : "MIX"
                let name = signal == SIGKILL ? "SIGKILL" : "SIGINT"
                outcomes.append("\(name) \(moment) (\(reached ? "reached" : "process had ended")): public/ = \(state), "
                                + "status \(process.terminationStatus), leftovers \(sites.leftovers().count)")
                #expect(state != "MIX", "\(name) \(moment): public/ is neither the old nor the new site")
                if signal == SIGINT && process.terminationReason == .exit && process.terminationStatus != 0 {
                    // Ctrl-C: the handler removed this build's staging folder before exiting with 130.
                    #expect(process.terminationStatus == 130)
                    // Known race (see Interruption.swift): a signal landing while a worker creates the staging
                    // folder can leave it behind for the next build to remove, which the end of this test checks.
                    withKnownIssue("Ctrl-C clean-up can miss a staging folder created in the same instant",
                                   isIntermittent: true) {
                        #expect(!sites.leftovers().contains { $0.hasPrefix(".public.staging-\(pid)-") }, "\(sites.leftovers())")
                    }
                }
                if state != "MIX" { current = state }
            }
        }
        print("FaultTests:\n  " + outcomes.joined(separator: "\n  "))

        // A later build cleans up what the killed ones left and produces a complete site.
        let next = current == "A" ? sites.b : sites.a
        let final = try Self.build(next, into: sites.output, log: log)
        final.waitUntilExit()
        #expect(final.terminationStatus == 0)
        #expect(Self.snapshot(sites.output) == (current == "A" ? siteB : siteA))
        #expect(sites.leftovers().isEmpty, "\(sites.leftovers())")
    }

    // MARK: Two builds at once

    @Test func twoBuildsOfOneSiteAtOnceAreSerialized() async throws {
        let sites = try TwoSites(articles: 100)
        defer { sites.remove() }
        let one = try Self.build(sites.a, into: sites.output, log: sites.root.appendingPathComponent("one.log"))
        let two = try Self.build(sites.a, into: sites.output, log: sites.root.appendingPathComponent("two.log"))
        // While both run, at most one staging folder may exist at a time.
        var mostAtOnce = 0
        while one.isRunning || two.isRunning {
            mostAtOnce = max(mostAtOnce, sites.leftovers().filter { $0.contains(".staging-") && !$0.contains("trash") }.count)
            usleep(1_000)
        }
        #expect(one.terminationStatus == 0)
        #expect(two.terminationStatus == 0)
        #expect(mostAtOnce == 1, "\(mostAtOnce) builds were writing at the same time")
        let built = Self.snapshot(sites.output)
        let single = sites.root.appendingPathComponent("single")
        let reference = try Self.build(sites.a, into: single, log: sites.root.appendingPathComponent("ref.log"))
        reference.waitUntilExit()
        #expect(built == Self.snapshot(single))
        #expect(sites.leftovers().isEmpty)
    }

    // MARK: Output that cannot be written

    @Test func outputWhoseParentIsAFileIsAnError() async throws {
        let sites = try TwoSites(articles: 3)
        defer { sites.remove() }
        let file = sites.root.appendingPathComponent("not-a-folder")
        try Data("x".utf8).write(to: file)
        let log = sites.root.appendingPathComponent("build.log")
        let process = try Self.build(sites.a, into: file.appendingPathComponent("public"), log: log)
        process.waitUntilExit()
        let output = try String(contentsOf: log, encoding: .utf8)
        #expect(process.terminationStatus == 1)
        #expect(output.contains("error: cannot create the build folder \(file.path)/.public.staging-"), "\(output)")
        #expect(output.contains("note: sitegen builds beside the output folder, then swaps;"), "\(output)")
        let kept = try String(contentsOf: file, encoding: .utf8)
        #expect(kept == "x")
    }

    /// Runs `body` with a fresh tmpfs of `size` mounted at a temporary folder; nil when this machine
    /// does not allow mounting (not root, or no CAP_SYS_ADMIN), and the test is then skipped.
    static func withTmpfs<T>(size: String, _ body: (URL) async throws -> T) async throws -> T? {
        let mountPoint = FileManager.default.temporaryDirectory.appendingPathComponent("sitegen-tmpfs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: mountPoint) }
        guard run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", mountPoint.path]) == 0 else {
            print("FaultTests: cannot mount a tmpfs here; skipping")
            return nil
        }
        defer { _ = run("/bin/umount", ["-l", mountPoint.path]) }
        return try await body(mountPoint)
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test func readOnlyOutputFolderIsAnErrorAndKeepsTheOldSite() async throws {
        let sites = try TwoSites(articles: 20)
        defer { sites.remove() }
        _ = try await Self.withTmpfs(size: "64m") { mount in
            let output = mount.appendingPathComponent("public")
            let log = sites.root.appendingPathComponent("build.log")
            let first = try Self.build(sites.a, into: output, log: log)
            first.waitUntilExit()
            #expect(first.terminationStatus == 0)
            let before = Self.snapshot(output)
            #expect(Self.run("/bin/mount", ["-o", "remount,ro", mount.path]) == 0)
            let second = try Self.build(sites.b, into: output, log: log)
            second.waitUntilExit()
            let text = try String(contentsOf: log, encoding: .utf8)
            #expect(second.terminationStatus == 1)
            #expect(text.contains("error: cannot create the build folder") && text.contains(": Read-only file system"), "\(text)")
            #expect(Self.snapshot(output) == before)
        }
    }

    @Test func fullDiskIsAnErrorAndKeepsTheOldSite() async throws {
        let sites = try TwoSites(articles: 60)
        defer { sites.remove() }
        // Room for one copy of the site but not two: the second build runs out of space mid-way.
        let probe = sites.root.appendingPathComponent("probe")
        let sizing = try Self.build(sites.a, into: probe, log: sites.root.appendingPathComponent("probe.log"))
        sizing.waitUntilExit()
        let files = try allFiles(probe)
        let blocks = 16 + files.reduce(0) { total, path in
            let size = (try? FileManager.default.attributesOfItem(atPath: probe.appendingPathComponent(path).path)[.size] as? Int) ?? 0
            return total + (size + 4095) / 4096
        }
        _ = try await Self.withTmpfs(size: "\(blocks * 4096 * 3 / 2)") { mount in
            let output = mount.appendingPathComponent("public")
            let log = sites.root.appendingPathComponent("build.log")
            let first = try Self.build(sites.a, into: output, log: log)
            first.waitUntilExit()
            let firstLog = try String(contentsOf: log, encoding: .utf8)
            #expect(first.terminationStatus == 0, "\(firstLog)")
            let before = Self.snapshot(output)
            let second = try Self.build(sites.b, into: output, log: log)
            second.waitUntilExit()
            let text = try String(contentsOf: log, encoding: .utf8)
            #expect(second.terminationStatus == 1)
            #expect(text.contains("No space left on device") || text.contains("There isn’t enough space"),
                    "\(text.prefix(2_000))")
            #expect(text.contains("nothing was written"))
            #expect(text.split(separator: "\n").count < 20, "one error per file instead of a summary")
            #expect(Self.snapshot(output) == before)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: mount.path).filter { $0 != "public" }
            #expect(leftovers.isEmpty, "\(leftovers)")
        }
    }
}
