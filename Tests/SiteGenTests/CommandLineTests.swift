import Foundation
import Testing
@testable import SiteGen

/// Runs the real `sitegen` executable: exit codes, the summary line, errors on standard error.
@Suite(.tags(.process)) struct CommandLineTests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sitegen")
    }

    func run(_ arguments: [String], in folder: URL) throws -> Run {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData, as: UTF8.self))
    }

    @Test func buildSucceedsWithASummaryLine() throws {
        let site = try TestSite(annLee + "\n-- content/blog/a.md --\n" + article(date: "2020-01-01"))
        defer { site.remove() }
        let result = try run(["build"], in: site.root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("sitegen: built "))
        #expect(result.stdout.contains("1 article"))
        #expect(result.stdout.contains("→ public/"))
        #expect(site.exists("blog/a/index.html"))
    }

    /// The executable's malloc is tcmalloc's (Package.swift links it for speed): `--timings` says which
    /// library serves malloc, found at run time, so a build that lost tcmalloc fails here.
    @Test func timingsNameTheAllocatorAndItIsTCMalloc() throws {
        let site = try TestSite(annLee + "\n-- content/blog/a.md --\n" + article(date: "2020-01-01"))
        defer { site.remove() }
        let result = try run(["build", "--timings"], in: site.root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("parse content"))
        let allocator = result.stdout.split(separator: "\n").first { $0.hasPrefix("allocator: ") }
        #expect(allocator?.hasPrefix("allocator: tcmalloc ") == true, "\(result.stdout)")
    }

    @Test func contentErrorsExitWithOneAndCompilerFormLines() throws {
        let site = try TestSite(annLee + "\n-- content/blog/a.md --\n" + article(date: "2020-01-01", authors: "[ann-le]"))
        defer { site.remove() }
        let result = try run(["build", "--source", site.root.path], in: FileManager.default.temporaryDirectory)
        #expect(result.status == 1)
        #expect(result.stderr.contains("content/blog/a.md:4:11: error: unknown author 'ann-le' (did you mean 'ann-lee'?)"))
        #expect(result.stderr.contains("nothing was written"))
        #expect(!FileManager.default.fileExists(atPath: site.output.path))
    }

    @Test func usageErrorsExitWithTwo() throws {
        let folder = FileManager.default.temporaryDirectory
        #expect(try run(["build", "--no-such-flag"], in: folder).status == 2)
        #expect(try run(["frobnicate"], in: folder).status == 2)
        #expect(try run(["new", "article", "Title"], in: folder).status == 2)  // --section missing
        #expect(try run(["--help"], in: folder).status == 0)
    }

    @Test func versionIsPrinted() throws {
        let result = try run(["--version"], in: FileManager.default.temporaryDirectory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("sitegen "))
        #expect(result.stdout.split(separator: " ").last?.split(separator: ".").count == 3)
    }

    @Test func checkWritesNothing() throws {
        let site = try TestSite(annLee + "\n-- content/blog/a.md --\n" + article(date: "2020-01-01"))
        defer { site.remove() }
        let result = try run(["check"], in: site.root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("sitegen: ok: "))
        #expect(!FileManager.default.fileExists(atPath: site.output.path))
    }

    @Test func newArticleAndAuthorScaffoldBuildableFiles() throws {
        let site = try TestSite(annLee)
        defer { site.remove() }
        let author = try run(["new", "author", "--role", "Fellow", "Bo Kim"], in: site.root)
        #expect(author.status == 0, "\(author.stderr)")
        #expect(author.stdout.contains("content/authors/bo-kim.md"))
        let created = try run(["new", "article", "--section", "blog", "--author", "ann-lee", "--author", "bo-kim",
                               "--category", "Trade & Economics", "--", "Sanctions & \"Pressure\""], in: site.root)
        #expect(created.status == 0, "\(created.stderr)")
        let path = site.root.appendingPathComponent("content/blog/sanctions-pressure.md")
        let text = try String(contentsOf: path, encoding: .utf8)
        #expect(text.contains("title: \"Sanctions & \\\"Pressure\\\"\""))
        #expect(text.contains("authors: [ann-lee, bo-kim]"))
        #expect(text.contains("draft: true"))
        // The scaffold is valid: with --drafts and --future the build includes it.
        let build = try run(["build", "--drafts", "--future"], in: site.root)
        #expect(build.status == 0, "\(build.stderr)")
        #expect(site.exists("blog/sanctions-pressure/index.html"))
        let duplicate = try run(["new", "author", "Bo Kim"], in: site.root)
        #expect(duplicate.status == 1)
        #expect(duplicate.stderr.contains("already exists"))
        let unknown = try run(["new", "article", "--section", "blog", "--author", "bo-kin", "X"], in: site.root)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("did you mean 'bo-kim'?"))
    }
}

extension Tag {
    @Tag static var process: Self
}
