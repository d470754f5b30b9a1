import ArgumentParser
import Foundation
import SiteGen
import SiteGenPreview

/// `sitegen serve`: the live preview (see `PreviewServer`).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the site into memory, serve it, and rebuild and reload the browser on every change.")

    @OptionGroup var site: SiteOptions

    @Option(name: .long, help: "The address to listen on (use 0.0.0.0 to let other machines connect).")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "The port to listen on; 0 picks a free one.")
    var port: Int = 1313

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
    }

    func run() async throws {
        let server = PreviewServer(PreviewServer.Configuration(
            source: site.sourceURL, host: host, port: port, options: site.buildOptions, baseURL: site.baseURL))
        do {
            try await server.run()
        } catch let failure as PreviewServer.Failure {
            Terminal.printError("sitegen: error: \(failure.description)")
            throw ExitCode(1)
        }
    }
}
