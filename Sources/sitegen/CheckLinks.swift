import ArgumentParser
import Foundation
import SiteGen

extension Check {
    /// `sitegen check --links`: builds into a temporary folder, checks its links, removes it.
    func checkLinks() async throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("sitegen-check-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let builder = Builder(source: site.sourceURL, output: folder.appendingPathComponent("public"),
                              options: site.buildOptions, baseURLOverride: site.baseURL)
        let report = try await Terminal.run { try await builder.build() }
        Terminal.printWarnings(report.warnings)
        try await Terminal.checkLinks(in: builder.output, source: site.sourceURL, baseURL: site.baseURL,
                                      owners: report.owners, quiet: false)
        print("sitegen: ok: \(report.pageCount) pages, \(report.articles) publications, "
              + "\(report.warnings.count) warning(s)")
    }
}

extension Terminal {
    /// Checks the links of a built site; broken ones are errors in compiler form and exit status 1.
    static func checkLinks(in folder: URL, source: URL, baseURL: String?, owners: [String: String],
                           quiet: Bool) async throws {
        let checker = LinkChecker(folder: folder, baseURL: LinkChecker.baseURL(source: source, override: baseURL),
                                  owners: owners, source: source)
        let result = await checker.check()
        let errors = result.diagnostics.sortedForReport()
        for error in errors { printError(error.description) }
        guard errors.isEmpty else {
            printError("sitegen: \(errors.count) broken link\(errors.count == 1 ? "" : "s") "
                       + "(\(result.links) internal links on \(result.pages) pages checked)")
            throw ExitCode(1)
        }
        if !quiet { print("sitegen: links ok: \(result.links) internal links on \(result.pages) pages") }
    }
}
