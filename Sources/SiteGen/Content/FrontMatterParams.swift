/// Converts YAML values that sitegen does not interpret into template `params`.
enum FrontMatterParams {
    static func convert(_ value: YAMLValue) -> ParamValue {
        switch value {
        case .scalar(let scalar): return .string(scalar.text)
        case .sequence(let items, _): return .list(items.map(convert))
        case .mapping(let pairs, _):
            var map: [String: ParamValue] = [:]
            for pair in pairs {
                if let key = pair.key.text { map[key] = convert(pair.value) }
            }
            return .map(map)
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
