import ArgumentParser
import Foundation
import SiteGen

/// `sitegen new article|author`: scaffolds a file with the right front matter.
struct New: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a new article or author file.",
        subcommands: [NewArticle.self, NewAuthor.self])
}

struct NewArticle: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "article", abstract: "Create a new article.")

    @Option(name: .long, help: "The site's folder.") var source: String = "."
    @Option(name: .long, help: "The section folder under content/, e.g. peninsula.") var section: String
    @Option(name: .long, help: "An author slug (repeat for several).") var author: [String] = []
    @Option(name: .long, help: "A category name (repeat for several).") var category: [String] = []
    @Argument(help: "The article's title.") var title: String

    func run() throws {
        let scaffold = Scaffold(source: URL(fileURLWithPath: source))
        let path = try Terminal.scaffold {
            try scaffold.article(title: title, section: section, authors: author, categories: category,
                                 date: Date())
        }
        print("sitegen: created \(path)")
    }
}

struct NewAuthor: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "author", abstract: "Create a new author.")

    @Option(name: .long, help: "The site's folder.") var source: String = "."
    @Option(name: .long, help: "The author's role, e.g. \"Senior Fellow\".") var role: String?
    @Argument(help: "The author's full name.") var name: String

    func run() throws {
        let scaffold = Scaffold(source: URL(fileURLWithPath: source))
        let path = try Terminal.scaffold { try scaffold.author(name: name, role: role) }
        print("sitegen: created \(path)")
    }
}

extension Terminal {
    static func scaffold(_ body: () throws -> String) throws -> String {
        do {
            return try body()
        } catch let error as Scaffold.Failure {
            printError("sitegen: error: \(error.message)")
            throw ExitCode(1)
        }
    }
}
