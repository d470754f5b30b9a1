import Foundation

/// Every file under `content/`, sorted by role. Paths are relative to the site's source folder.
public struct ContentInventory: Sendable {
    public enum Role: Sendable, Equatable {
        case article(section: String)
        case sectionIndex(section: String)
        case homeIndex
        case author
        case category
        case page
    }
    public struct MarkdownFile: Sendable {
        public var path: String
        public var role: Role
    }
    public struct StaticFile: Sendable {
        /// Where to read it, relative to the source folder (e.g. `content/images/a.svg`).
        public var sourcePath: String
        /// Where it goes, relative to the output folder (e.g. `images/a.svg`).
        public var outputPath: String
    }

    public var markdown: [MarkdownFile] = []
    public var staticFiles: [StaticFile] = []
    public var diagnostics: [Diagnostic] = []
}

/// Walks `content/` and `layouts/assets/` and classifies what it finds.
public enum ContentScanner {
    public static let reservedSections: Set<String> = ["authors", "categories", "pages", "assets", "search",
                                                       "page", "feed.xml", "sitemap.xml", "robots.txt", "404.html"]

    public static func scan(source: URL) -> ContentInventory {
        var inventory = ContentInventory()
        let content = source.appendingPathComponent("content")
        for relative in walk(content, source: source, diagnostics: &inventory.diagnostics) {
            let parts = relative.split(separator: "/").map(String.init)
            let path = "content/" + relative
            guard relative.hasSuffix(".md") else {
                inventory.staticFiles.append(.init(sourcePath: path, outputPath: relative))
                continue
            }
            if let role = role(of: parts) {
                inventory.markdown.append(.init(path: path, role: role))
            } else {
                inventory.diagnostics.append(Diagnostic(.error, file: path,
                    "a Markdown file here is not part of any section",
                    hint: "put articles in content/<section>/, authors in content/authors/, pages in content/pages/"))
            }
        }
        let assets = source.appendingPathComponent("layouts/assets")
        for relative in walk(assets, source: source, diagnostics: &inventory.diagnostics) {
            inventory.staticFiles.append(.init(sourcePath: "layouts/assets/" + relative,
                                               outputPath: "assets/" + relative))
        }
        inventory.markdown.sort { $0.path < $1.path }
        inventory.staticFiles.sort { $0.sourcePath < $1.sourcePath }
        return inventory
    }

    static func role(of parts: [String]) -> ContentInventory.Role? {
        guard let name = parts.last else { return nil }
        switch parts.count {
        case 1:
            return name == "_index.md" ? .homeIndex : nil
        case 2:
            switch parts[0] {
            case "authors": return name == "_index.md" ? nil : .author
            case "categories": return name == "_index.md" ? nil : .category
            case "pages": return name == "_index.md" ? nil : .page
            default: return name == "_index.md" ? .sectionIndex(section: parts[0]) : .article(section: parts[0])
            }
        default:
            if ["authors", "categories", "pages"].contains(parts[0]) { return nil }
            return name == "_index.md" ? nil : .article(section: parts[0])
        }
    }

    /// Relative paths of the regular files under `root`, skipping hidden names. Symlinks are followed
    /// only when they stay inside the site's source folder; one that leaves it is an error.
    ///
    /// Reads each directory with readdir and classifies entries by `d_type`: a plain file or folder costs
    /// no system call of its own (FileManager's attributes and existence checks cost several per file,
    /// most of the "scan content" step). Symlinks and unknown types get the lstat/stat treatment.
    static func walk(_ root: URL, source: URL, diagnostics: inout [Diagnostic]) -> [String] {
        let rootPath = root.path
        var rootInfo = stat()
        guard stat(rootPath, &rootInfo) == 0, rootInfo.st_mode & S_IFMT == S_IFDIR else { return [] }
        let sourceReal = realPath(source.path) ?? source.path
        let diagnosticsBefore = diagnostics.count
        var results: [String] = []
        var pending: [String] = [""]
        var visited: Set<String> = []
        while let directory = pending.popLast() {
            let absolute = directory.isEmpty ? rootPath : rootPath + "/" + directory
            if let real = realPath(absolute) {
                if visited.contains(real) { continue }
                visited.insert(real)
            }
            guard let entries = readDirectory(absolute) else {
                // A name that is not UTF-8: let FileManager decide how to spell it, as before.
                diagnostics.removeSubrange(diagnosticsBefore...)
                return legacyWalk(root, source: source, diagnostics: &diagnostics)
            }
            for (name, type) in entries {
                let relative = directory.isEmpty ? name : directory + "/" + name
                var isDirectory: Bool
                switch type {
                case UInt8(DT_REG): isDirectory = false
                case UInt8(DT_DIR): isDirectory = true
                default:
                    let full = absolute + "/" + name
                    var info = stat()
                    guard lstat(full, &info) == 0 else { continue }
                    if info.st_mode & S_IFMT == S_IFLNK {
                        if let problem = linkProblem(full, display: relativeDisplay(full, source: source),
                                                     sourceReal: sourceReal) {
                            diagnostics.append(problem)
                            continue
                        }
                        guard stat(full, &info) == 0 else { continue }
                    }
                    isDirectory = info.st_mode & S_IFMT == S_IFDIR
                }
                if isDirectory {
                    pending.append(relative)
                } else {
                    results.append(relative)
                }
            }
        }
        return results.sorted()
    }

    /// The names (without hidden ones) and `d_type`s of a directory, in readdir order; an empty list if
    /// it cannot be opened; nil if a name is not valid UTF-8.
    private static func readDirectory(_ path: String) -> [(String, UInt8)]? {
        guard let stream = opendir(path) else { return [] }
        defer { closedir(stream) }
        var entries: [(String, UInt8)] = []
        while let entry = readdir(stream) {
            let type = entry.pointee.d_type
            let name: String? = withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                let bytes = raw.bindMemory(to: UInt8.self)
                let length = strnlen(raw.baseAddress!.assumingMemoryBound(to: CChar.self), bytes.count)
                return String(validating: UnsafeBufferPointer(rebasing: bytes[0..<length]), as: UTF8.self)
            }
            guard let name else { return nil }
            if name.hasPrefix(".") { continue }  // hidden, "." and ".."
            entries.append((name, type))
        }
        return entries
    }

    /// The FileManager-based walk, kept for directories holding names that are not valid UTF-8.
    static func legacyWalk(_ root: URL, source: URL, diagnostics: inout [Diagnostic]) -> [String] {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return []
        }
        let sourceReal = realPath(source.path) ?? source.path
        var results: [String] = []
        var pending: [String] = [""]
        var visited: Set<String> = []
        while let directory = pending.popLast() {
            let absolute = directory.isEmpty ? root.path : root.path + "/" + directory
            if let real = realPath(absolute) {
                if visited.contains(real) { continue }
                visited.insert(real)
            }
            guard let names = try? fileManager.contentsOfDirectory(atPath: absolute) else { continue }
            for name in names where !name.hasPrefix(".") {
                let relative = directory.isEmpty ? name : directory + "/" + name
                let full = absolute + "/" + name
                let display = relativeDisplay(full, source: source)
                if let attributes = try? fileManager.attributesOfItem(atPath: full),
                   attributes[.type] as? FileAttributeType == .typeSymbolicLink {
                    if let problem = linkProblem(full, display: display, sourceReal: sourceReal) {
                        diagnostics.append(problem)
                        continue
                    }
                }
                var childIsDirectory: ObjCBool = false
                guard fileManager.fileExists(atPath: full, isDirectory: &childIsDirectory) else { continue }
                if childIsDirectory.boolValue {
                    pending.append(relative)
                } else {
                    results.append(relative)
                }
            }
        }
        return results.sorted()
    }

    /// The error for a symbolic link at `full` that is broken or leads outside the site, else nil.
    static func linkProblem(_ full: String, display: String, sourceReal: String) -> Diagnostic? {
        guard let target = realPath(full) else {
            return Diagnostic(.error, file: display, "broken symbolic link",
                              hint: "remove the link or point it at a file inside the site")
        }
        guard target == sourceReal || target.hasPrefix(sourceReal + "/") else {
            return Diagnostic(.error, file: display, "symbolic link points outside the site (to \(target))",
                              hint: "copy the file into the site instead of linking to it")
        }
        return nil
    }

    static func relativeDisplay(_ full: String, source: URL) -> String {
        let prefix = source.path.hasSuffix("/") ? source.path : source.path + "/"
        return full.hasPrefix(prefix) ? String(full.dropFirst(prefix.count)) : full
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
