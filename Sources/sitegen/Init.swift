import ArgumentParser
import Foundation
import SiteGen

/// `sitegen init DIR [--example]`: a new site from the files built into the binary.
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a new site (site.yml, content/, layouts/ with the default theme) in a new or empty folder.")

    @Argument(help: "The folder to create the site in; it must not exist yet, or be empty.")
    var folder: String

    @Flag(help: "Write the example site (the Peninsula blog) instead of a one-article starter.")
    var example = false

    func run() throws {
        let url = URL(fileURLWithPath: folder)
        do {
            let written = try SiteInitializer(folder: url, example: example).create()
            print("sitegen: created a new site in \(folder) (\(written.count) files)")
            print("sitegen: next: sitegen serve --source \(folder)")
        } catch let failure as SiteInitializer.Failure {
            Terminal.printError("sitegen: error: \(failure.description)")
            throw ExitCode(1)
        }
    }
}
