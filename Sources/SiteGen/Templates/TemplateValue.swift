/// A value a template can see. Contexts are built from these directly (no `Any`, no reflection),
/// so a lookup is one scan of an object's key hashes and a section test one `switch`.
///
/// Truthiness follows sitegen's Mustache dialect: `false`, an absent key and an empty list are falsy;
/// every string (even empty), number (even 0) and object is truthy. Optional values are therefore
/// left out of a context when absent rather than stored as empty strings.
public enum TemplateValue: Sendable, Equatable {
    case string(String)
    /// Text held as its UTF-8 bytes (an article body read back from the body store): shown like a
    /// string, without making one.
    case utf8([UInt8])
    case int(Int)
    case bool(Bool)
    case list([TemplateValue])
    case object(TemplateFields)

    /// The value of `key` when this is an object.
    @inline(__always)
    subscript(key: String) -> TemplateValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    /// The value of `key` when this is an object (the key's hash computed once, by the caller).
    @inline(__always)
    subscript(key: TemplateKey) -> TemplateValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    /// `transform(value)` in a tag: the built-in transforms of the Mustache dialect. Nil when the
    /// transform does not apply to this kind of value (the tag then renders as if the key were absent).
    func transformed(_ transform: TemplateTransform) -> TemplateValue? {
        switch self {
        case .utf8(let bytes):
            return TemplateValue.string(String(decoding: bytes, as: UTF8.self)).transformed(transform)
        case .string(let text):
            switch transform {
            case .empty: return .bool(text.isEmpty)
            case .uppercased: return .string(text.uppercased())
            case .lowercased: return .string(text.lowercased())
            case .capitalized: return .string(Self.capitalized(text))
            case .reversed: return .string(String(text.reversed()))
            default: return nil
            }
        case .int(let number):
            switch transform {
            case .equalzero: return .bool(number == 0)
            case .plusone: return .int(number &+ 1)
            case .minusone: return .int(number &- 1)
            case .even: return .bool(number & 1 == 0)
            case .odd: return .bool(number & 1 == 1)
            default: return nil
            }
        case .list(let items):
            switch transform {
            case .first: return items.first
            case .last: return items.last
            case .reversed: return .list(items.reversed())
            case .count: return .int(items.count)
            case .empty: return .bool(items.isEmpty)
            default: return nil
            }
        case .object(let fields):
            switch transform {
            case .count: return .int(fields.count)
            case .empty: return .bool(fields.isEmpty)
            case .enumerated, .sorted:
                return .list(fields.keys.sorted().map { .object(["key": .string($0), "value": fields[$0]!]) })
            default: return nil
            }
        case .bool:
            return nil
        }
    }

    /// First letter of every word upper-cased, the rest lower-cased.
    static func capitalized(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var atWordStart = true
        for character in text {
            if character.isLetter || character.isNumber {
                result += atWordStart ? character.uppercased() : character.lowercased()
                atWordStart = false
            } else {
                result.append(character)
                atWordStart = character.isWhitespace
            }
        }
        return result
    }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(stringInterpolation: DefaultStringInterpolation) { self = .string(String(stringInterpolation: stringInterpolation)) }
}

extension TemplateValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self = .int(value) }
}

extension TemplateValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension TemplateValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
}

extension TemplateValue: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        var fields = TemplateFields()
        for (key, value) in elements { fields[key] = value }
        self = .object(fields)
    }
}
