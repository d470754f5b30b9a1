import Foundation

extension OutputPath {
    /// An error for every output (page, feed, copied file) whose path would leave the output folder.
    public static func checkContained(_ jobs: [RenderJob], staticFiles: [ContentInventory.StaticFile]) -> [Diagnostic] {
        let outputs = jobs.map { ($0.file, $0.owner, $0.position) } + staticFiles.map { ($0.outputPath, $0.sourcePath, .start) }
        return outputs.filter { !isContained($0.0) }.map { file, owner, position in
            .error(owner, position, "output path '\(file)' would leave the output folder",
                   hint: "use a slug or alias made of letters, digits, '-', '_' and '.', without '..'")
        }
    }
}
