import Yams

/// Converts YAML nodes that sitegen does not interpret into template `params`.
enum FrontMatterParams {
    static func convert(_ node: Node) -> ParamValue {
        switch node {
        case .scalar(let scalar): return .string(scalar.string)
        case .sequence(let sequence): return .list(sequence.map(convert))
        case .mapping(let mapping):
            var map: [String: ParamValue] = [:]
            for (key, value) in mapping {
                if let key = key.string { map[key] = convert(value) }
            }
            return .map(map)
        case .alias: return .string("")
        }
    }

    static func collect(_ fields: YAMLFields, known: [String]) -> [String: ParamValue] {
        var params: [String: ParamValue] = [:]
        for field in fields.fields where !known.contains(field.key) {
            params[field.key] = convert(field.value)
        }
        return params
    }
}

extension ParamValue {
    var mapValue: [String: ParamValue]? {
        if case .map(let map) = self { return map }
        return nil
    }
}
