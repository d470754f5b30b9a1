import Foundation
import Testing
@testable import SiteGen

/// `sitegen init`: the files built into the binary are the repository's, and a new site builds.
@Suite struct InitTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Regular files under a folder of the repository, relative to the repository, hidden ones left out.
    func repositoryFiles(_ folder: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let root = Self.repository.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey],
                                                          options: [.skipsHiddenFiles]) else { return [:] }
        for case let url as URL in walker where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
            let relative = String(url.standardizedFileURL.path.dropFirst(Self.repository.standardizedFileURL.path.count + 1))
            files[relative] = try Data(contentsOf: url)
        }
        return files
    }

    func expectEmbedded(_ embedded: [EmbeddedFile], equal expected: [String: Data], what: String) {
        let copy = Dictionary(embedded.map { ($0.path, $0.data) }, uniquingKeysWith: { first, _ in first })
        let fix = "\(what) changed: run .ci/embed-theme and commit the regenerated Sources/SiteGen/Init/*.swift"
        #expect(Set(copy.keys) == Set(expected.keys),
                "\(fix) (only embedded: \(Set(copy.keys).subtracting(expected.keys).sorted()), only in the repository: \(Set(expected.keys).subtracting(copy.keys).sorted()))")
        for (path, data) in expected where copy[path] != nil && copy[path] != data {
            Issue.record("\(path) differs from its embedded copy. \(fix)")
        }
    }

    @Test func theEmbeddedThemeIsTheRepositoryLayouts() throws {
        expectEmbedded(SiteInitializer.defaultTheme, equal: try repositoryFiles("layouts"), what: "layouts/")
    }

    @Test func theEmbeddedExampleIsTheRepositoryExample() throws {
        var expected = try repositoryFiles("content")
        expected["site.yml"] = try Data(contentsOf: Self.repository.appendingPathComponent("site.yml"))
        expectEmbedded(SiteInitializer.exampleSite, equal: expected, what: "The example site (site.yml, content/)")
    }

    func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("sitegen-init-\(UUID().uuidString)")
    }

    @Test func theStarterSiteBuildsWithoutWarnings() async throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let written = try SiteInitializer(folder: folder).create()
        #expect(written.contains("site.yml"))
        #expect(written.contains("layouts/base.mustache"))
        #expect(written.contains("layouts/assets/style.css"))
        #expect(written.contains("content/news/hello-world.md"))
        let output = folder.appendingPathComponent("public")
        let report = try await Builder(source: folder, output: output).build()
        #expect(report.warnings.isEmpty, "\(report.warnings)")
        #expect(report.articles == 1)
        let page = try String(contentsOf: output.appendingPathComponent("news/hello-world/index.html"), encoding: .utf8)
        #expect(page.contains("Hello, World"))
        #expect(page.contains("Jane Doe"))
        #expect(page.contains("Return to News"))
    }

    @Test func theExampleSiteBuildsWithTheDefaultThemeAndNoReloadScript() async throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try SiteInitializer(folder: folder, example: true).create()
        let output = folder.appendingPathComponent("public")
        let report = try await Builder(source: folder, output: output).build()
        #expect(report.articles > 5)
        let walker = FileManager.default.enumerator(atPath: output.path)
        while let path = walker?.nextObject() as? String {
            guard path.hasSuffix(".html") || path.hasSuffix(".xml") else { continue }
            let text = try String(contentsOf: output.appendingPathComponent(path), encoding: .utf8)
            #expect(!text.contains("__sitegen") && !text.contains("EventSource"), "\(path) has the live-reload script")
        }
    }

    @Test func initRefusesAFolderThatIsNotEmpty() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data().write(to: folder.appendingPathComponent(".keep"))
        #expect(throws: SiteInitializer.Failure.self) { try SiteInitializer(folder: folder).create() }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("site.yml").path))
        try FileManager.default.removeItem(at: folder.appendingPathComponent(".keep"))
        try SiteInitializer(folder: folder).create()  // an empty folder is fine
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("site.yml").path))
    }
}
