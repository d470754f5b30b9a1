import ArgumentParser
import Foundation
import SiteGen

/// `sitegen`: argument parsing only; the work is done by the SiteGen library.
struct SiteGenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sitegen",
        abstract: "A static site generator for publication sites.",
        version: "sitegen \(SiteGenVersion.current)",
        subcommands: [Build.self, Check.self, Serve.self, Init.self, New.self, Bench.self],
        defaultSubcommand: Build.self)
}

/// Options shared by `build`, `check` and `serve`.
struct SiteOptions: ParsableArguments {
    @Option(name: .long, help: "The site's folder (holds site.yml, content/ and layouts/).")
    var source: String = "."

    @Option(name: .long, help: "Override base_url from site.yml.")
    var baseURL: String?

    @Flag(help: "Include articles marked draft: true.")
    var drafts = false

    @Flag(help: "Include articles dated in the future.")
    var future = false

    var sourceURL: URL { URL(fileURLWithPath: source).standardizedFileURL }
    var buildOptions: BuildOptions { BuildOptions(drafts: drafts, future: future) }
}

struct Build: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Build the site into the output folder.")

    @OptionGroup var site: SiteOptions

    @Option(name: .long, help: "Where to write the site (default: public/ in the source folder).")
    var output: String?

    @Flag(help: "Print only errors and warnings.")
    var quiet = false

    @Flag(help: "Print the time each build step took.")
    var timings = false

    @Flag(help: "After the build, check every internal link and #anchor of the output (exit 1 if one is broken).")
    var checkLinks = false

    func run() async throws {
        let outputURL = output.map { URL(fileURLWithPath: $0) }
        var builder = Builder(source: site.sourceURL, output: outputURL, options: site.buildOptions,
                              baseURLOverride: site.baseURL)
        builder.freesMemory = false  // the process ends with the build
        let interruption = Interruption.install(cleaning: OutputFolder(target: builder.output))
        defer { interruption.uninstall() }
        let report = try await Terminal.run { try await builder.build() }
        Terminal.printWarnings(report.warnings)
        if !quiet {
            print("sitegen: built \(report.summary) → \(Terminal.display(builder.output))")
            if timings { print(report.timingTable + "\nallocator: \(Allocator.description)") }
        }
        if checkLinks {
            try await Terminal.checkLinks(in: builder.output, source: site.sourceURL, baseURL: site.baseURL,
                                          owners: report.owners, quiet: quiet)
        }
    }
}

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate the site (content, templates, links between pages) without writing anything.")

    @OptionGroup var site: SiteOptions

    @Flag(help: "Also build into a temporary folder and check every internal link and #anchor.")
    var links = false

    func run() async throws {
        if links { return try await checkLinks() }
        let builder = Builder(source: site.sourceURL, options: site.buildOptions, baseURLOverride: site.baseURL,
                              writes: false)
        let report = try await Terminal.run { try await builder.build() }
        Terminal.printWarnings(report.warnings)
        print("sitegen: ok: \(report.pageCount) pages, \(report.articles) publications, "
              + "\(report.warnings.count) warning(s)")
    }
}

/// Output helpers: diagnostics to standard error in compiler form, exit status 1 on site errors.
enum Terminal {
    static func run<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let failure as BuildFailure {
            Interruption.waitIfInterrupted()
            printWarnings(failure.diagnostics.warnings)
            for line in collapsingWriteErrors(failure.diagnostics.errors) { printError(line) }
            let count = failure.diagnostics.errors.count
            printError("sitegen: build failed with \(count) error\(count == 1 ? "" : "s"); nothing was written")
            throw ExitCode(1)
        }
    }

    static func printWarnings(_ warnings: [Diagnostic]) {
        for warning in warnings { printError(warning.description) }
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func display(_ url: URL) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let path = url.path
        return path.hasPrefix(cwd + "/") ? String(path.dropFirst(cwd.count + 1)) + "/" : path + "/"
    }
}
