import Foundation
import Yams

/// A YAML mapping read with positions: every value knows the file line and column it came from, so
/// type errors and unknown references can point at the exact spot in the Markdown file.
public struct YAMLFields {
    public struct Field: Equatable {
        public var key: String
        public var keyPosition: SourcePosition
        public var value: YAMLValue
        public var position: SourcePosition { value.position }
    }

    public let file: String
    public private(set) var fields: [Field] = []
    /// Problems found while reading: syntax errors, duplicate keys, wrong types.
    public var diagnostics: [Diagnostic] = []
    /// False when the YAML could not be read as a mapping; then only the syntax error is reported,
    /// not every required key as "missing".
    public private(set) var parsed = false

    /// Parses `yaml`, which starts on line `firstLine` of `file`. A syntax error becomes a diagnostic.
    public init(yaml: String, file: String, firstLine: Int) {
        self.file = file
        // Plain `key: value` front matter is read without libyaml (same fields, see SimpleFrontMatter).
        if let simple = SimpleFrontMatter.read(yaml, firstLine: firstLine) {
            fields = simple
            parsed = true
            return
        }
        let value: YAMLValue?
        do {
            // Explicit UTF-8: Yams' `.default` encoding is worked out again on every call (2% of a build).
            value = try Yams.compose(yaml: yaml, .default, .default, .utf8).map { YAMLValue($0, firstLine: firstLine) }
        } catch let error as YamlError {
            diagnostics.append(Self.diagnostic(for: error, yaml: yaml, file: file, firstLine: firstLine))
            return
        } catch {
            diagnostics.append(.error(file, .init(line: firstLine), "invalid YAML: \(error)",
                                      hint: "check the YAML syntax of this block"))
            return
        }
        guard let value else {  // empty front matter
            parsed = true
            return
        }
        guard case .mapping(let pairs, _) = value else {
            diagnostics.append(.error(file, value.position,
                                      "front matter must be a mapping of keys to values",
                                      hint: "write one 'key: value' per line"))
            return
        }
        parsed = true
        var seen: [String: SourcePosition] = [:]
        for pair in pairs {
            guard case .scalar(let key) = pair.key else {
                diagnostics.append(.error(file, pair.key.position, "keys must be plain names",
                                          hint: "write one 'name: value' per line; a key cannot be a list or a mapping"))
                continue
            }
            if let earlier = seen[key.text] {
                diagnostics.append(.error(file, key.position, "duplicate key '\(key.text)'",
                                          hint: "first defined on line \(earlier.line); keep one"))
                continue
            }
            seen[key.text] = key.position
            fields.append(Field(key: key.text, keyPosition: key.position, value: pair.value))
        }
    }

    public func field(_ key: String) -> Field? { fields.first { $0.key == key } }

    // MARK: Typed readers. Each records a diagnostic on a wrong type and returns nil.

    public mutating func string(_ key: String, required: Bool = false, at fallback: SourcePosition = .start) -> String? {
        guard let field = field(key), !field.value.isNull else {
            if required { missing(key, at: fallback) }
            return nil
        }
        guard let text = field.value.text else {
            typeError(field, expected: "a text value")
            return nil
        }
        if Self.isBlank(text) {
            // An empty optional value means "not set"; an empty required one is an error.
            if required {
                diagnostics.append(.error(file, field.position, "'\(key)' must not be empty",
                                          hint: "write a value after '\(key):', in quotes if it starts with a special character"))
            }
            return nil
        }
        return text
    }

    /// A list of text values; a single text value is accepted as a one-element list.
    public mutating func stringList(_ key: String, required: Bool = false,
                                    at fallback: SourcePosition = .start) -> [(String, SourcePosition)]? {
        guard let field = field(key), !field.value.isNull else {
            if required { missing(key, at: fallback) }
            return nil
        }
        switch field.value {
        case .sequence(let sequence, _):
            var items: [(String, SourcePosition)] = []
            for item in sequence {
                guard let text = item.text, !text.isEmpty else {
                    diagnostics.append(.error(file, item.position,
                                              "each entry of '\(key)' must be a non-empty text value",
                                              hint: "write the entries as text, e.g. \(key): [a, b]"))
                    continue
                }
                items.append((text, item.position))
            }
            if required && items.isEmpty && sequence.isEmpty {
                diagnostics.append(.error(file, field.position, "'\(key)' must list at least one entry",
                                          hint: "e.g. \(key): [a, b]"))
            }
            return items
        case .scalar(let scalar) where scalar.style != .plain || !looksNumeric(scalar.text):
            return scalar.text.isEmpty ? [] : [(scalar.text, field.position)]
        default:
            typeError(field, expected: "a list, e.g. \(key): [a, b]")
            return nil
        }
    }

    public mutating func bool(_ key: String) -> Bool? {
        guard let field = field(key), !field.value.isNull else { return nil }
        if case .scalar(let scalar) = field.value {
            switch scalar.text.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: break
            }
        }
        typeError(field, expected: "true or false")
        return nil
    }

    public mutating func int(_ key: String, range: ClosedRange<Int>) -> Int? {
        guard let field = field(key), !field.value.isNull else { return nil }
        if case .scalar(let scalar) = field.value, let value = Int(scalar.text), range.contains(value) {
            return value
        }
        typeError(field, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)")
        return nil
    }

    /// A nested mapping, read with the same positions.
    public mutating func mapping(_ key: String) -> YAMLFields? {
        guard let field = field(key), !field.value.isNull else { return nil }
        guard case .mapping = field.value else {
            typeError(field, expected: "a mapping of keys to values")
            return nil
        }
        return YAMLFields(nested: field.value, file: file)
    }

    /// Records a diagnostic for each key not in `known`, suggesting the closest known key.
    /// With `passThrough`, unknown keys are allowed and only likely typos are warned about.
    public mutating func checkUnknownKeys(_ known: [String], passThrough: Bool) {
        for field in fields where !known.contains(field.key) {
            let suggestion = Suggestions.closest(to: field.key, in: known)
            if passThrough {
                if let suggestion {
                    diagnostics.append(.warning(file, field.keyPosition,
                        "unknown key '\(field.key)' (did you mean '\(suggestion)'?)",
                        hint: "unknown keys are passed to templates as params.\(field.key)"))
                }
            } else {
                diagnostics.append(.error(file, field.keyPosition,
                    "unknown key '\(field.key)'" + (suggestion.map { " (did you mean '\($0)'?)" } ?? ""),
                    hint: "known keys: \(known.joined(separator: ", "))"))
            }
        }
    }

    mutating func typeError(_ field: Field, expected: String) {
        diagnostics.append(.error(file, field.position, "'\(field.key)' must be \(expected)",
                                  hint: "found \(describe(field.value))"))
    }

    mutating func missing(_ key: String, at position: SourcePosition) {
        diagnostics.append(.error(file, position, "missing required key '\(key)'",
            hint: file.hasSuffix(".md") ? "add a line '\(key): …' between the '---' lines at the top of the file"
                                        : "add a line '\(key): …'"))
    }

    private init(nested value: YAMLValue, file: String) {
        self.file = file
        self.parsed = true
        guard case .mapping(let pairs, _) = value else { return }
        for pair in pairs {
            guard case .scalar(let key) = pair.key else { continue }
            fields.append(Field(key: key.text, keyPosition: key.position, value: pair.value))
        }
    }

    /// Whether trimming whitespace and newlines leaves nothing. An ASCII byte other than a space or a
    /// control character is never trimmed, so its presence answers "no" without Foundation's trimming
    /// (which bridges to NSString); only other text takes that path.
    static func isBlank(_ text: String) -> Bool {
        for byte in text.utf8 where byte > 32 && byte < 0x7F { return false }
        return text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }

    private func looksNumeric(_ text: String) -> Bool { Double(text) != nil }

    private func describe(_ value: YAMLValue) -> String {
        switch value {
        case .scalar(let scalar): return "'\(scalar.text)'"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }

    static func diagnostic(for error: YamlError, yaml: String, file: String, firstLine: Int) -> Diagnostic {
        func at(_ mark: Mark, _ problem: String, _ context: YamlError.Context?) -> Diagnostic {
            if problem.hasPrefix("Maximum nesting level reached") {  // libyaml stops at 1000 levels
                return .error(file, SourcePosition(line: firstLine + mark.line - 1, column: mark.column),
                              "invalid YAML: values are nested too deeply (more than 1000 levels)",
                              hint: "flatten the value; front matter needs only a few levels")
            }
            var message = "invalid YAML: \(problem)"
            if let context { message += " (\(context.text) on line \(firstLine + context.mark.line - 1))" }
            return .error(file, SourcePosition(line: firstLine + mark.line - 1, column: mark.column), message,
                          hint: "quote values that contain ':', '#', '[' or start with a special character")
        }
        switch error {
        case let .scanner(context, problem, mark, _): return at(mark, problem, context)
        case let .parser(context, problem, mark, _): return at(mark, problem, context)
        case let .composer(context, problem, mark, _): return at(mark, problem, context)
        case let .reader(problem, _, _, _):
            return .error(file, SourcePosition(line: firstLine), "invalid YAML: \(problem)",
                          hint: "remove control characters and other invisible bytes from the front matter")
        case let .duplicatedKeysInMapping(duplicates, context):
            // Yams marks the mapping; point at the second occurrence of the first duplicated key instead.
            let key = duplicates.first ?? ""
            let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
            let hits = lines.indices.filter { index in
                let line = lines[index].drop { $0 == " " }
                return line.hasPrefix(key) && line.dropFirst(key.count).drop { $0 == " " }.hasPrefix(":")
            }
            if hits.count >= 2 {
                let column = lines[hits[1]].prefix { $0 == " " }.count + 1
                return .error(file, SourcePosition(line: firstLine + hits[1], column: column),
                              "duplicate key '\(key)'", hint: "first defined on line \(firstLine + hits[0]); keep one")
            }
            return .error(file, SourcePosition(line: firstLine + context.mark.line - 1, column: context.mark.column),
                          "duplicate key(s) \(duplicates.joined(separator: ", "))", hint: "keep one of each")
        default:
            return .error(file, SourcePosition(line: firstLine), "invalid YAML: \(error)",
                          hint: "check the YAML syntax of this block")
        }
    }
}
