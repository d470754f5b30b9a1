import Foundation

/// One problem found while building: where it is (file, line, column), what is wrong, and how to fix it.
///
/// Paths are relative to the site's source folder so messages read like compiler output:
/// `content/peninsula/foo.md:4:12: error: unknown author 'robert-kin' (did you mean 'robert-king'?)`.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable, Comparable {
        case warning, error
        public static func < (a: Severity, b: Severity) -> Bool { a == .warning && b == .error }
    }

    public var severity: Severity
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    public var hint: String?

    public init(_ severity: Severity, file: String, line: Int = 1, column: Int = 1,
                _ message: String, hint: String? = nil) {
        self.severity = severity
        self.file = file
        self.line = max(line, 1)
        self.column = max(column, 1)
        self.message = message
        self.hint = hint
    }

    public static func error(_ file: String, _ position: SourcePosition, _ message: String,
                             hint: String? = nil) -> Diagnostic {
        Diagnostic(.error, file: file, line: position.line, column: position.column, message, hint: hint)
    }

    public static func warning(_ file: String, _ position: SourcePosition, _ message: String,
                               hint: String? = nil) -> Diagnostic {
        Diagnostic(.warning, file: file, line: position.line, column: position.column, message, hint: hint)
    }

    /// The compiler-style line, e.g. `content/a.md:3:7: error: message`, with the hint on a `note:` line.
    public var description: String {
        var text = "\(file):\(line):\(column): \(severity.rawValue): \(message)"
        if let hint { text += "\n\(file):\(line):\(column): note: \(hint)" }
        return text
    }
}

/// A 1-based line and column in a source file.
public struct SourcePosition: Sendable, Equatable, Hashable {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int = 1) {
        self.line = line
        self.column = column
    }
    public static let start = SourcePosition(line: 1, column: 1)
}

extension Array where Element == Diagnostic {
    /// Errors first by file, then line and column, so a report reads top to bottom.
    public func sortedForReport() -> [Diagnostic] {
        sorted { a, b in
            if a.file != b.file { return a.file < b.file }
            if a.line != b.line { return a.line < b.line }
            if a.column != b.column { return a.column < b.column }
            return a.message < b.message
        }
    }

    public var errors: [Diagnostic] { filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { filter { $0.severity == .warning } }
    public var hasErrors: Bool { contains { $0.severity == .error } }
}

/// Thrown by the builder when the site has errors; carries every diagnostic found in the run.
public struct BuildFailure: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics.sortedForReport() }
    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
