import ArgumentParser
import Foundation
import SiteGenBench

/// `sitegen bench corpus`: writes a generated site for benchmarks (and the same as a Hugo site).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmark helpers.", subcommands: [Corpus.self])

    struct Corpus: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a generated publication site of N articles (deterministic for a seed).")

        @Option(help: "Number of articles.") var articles: Int = 1000
        @Option(help: "Random seed.") var seed: UInt64 = 1
        @Option(help: "Folder for the sitegen site.") var out: String
        @Option(help: "Also write the same corpus as a Hugo site into this folder.") var hugo: String?
        @Option(help: "Layouts folder to use as the site's theme.") var theme: String = "layouts"
        @Flag(help: "Write layouts that produce the Hugo site's pages instead of copying a theme.") var plain = false

        func run() throws {
            let start = Date()
            try CorpusGenerator(articles: articles, seed: seed).write(
                to: URL(fileURLWithPath: out), theme: plain ? nil : URL(fileURLWithPath: theme),
                hugo: hugo.map { URL(fileURLWithPath: $0) })
            print("sitegen: wrote \(articles) articles to \(out)\(hugo.map { " and \($0)" } ?? "") "
                  + "in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        }
    }
}
