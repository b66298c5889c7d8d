/// Typed access to a parsed JSON value, with errors that name the field's path.
struct Schema {
    let format: String
    var tree: Int? = nil

    func fail(_ path: String, _ message: String, node: Int? = nil) -> ModelError {
        ModelError(.schema, "\(path): \(message)", format: format, tree: tree, node: node)
    }

    func required(_ value: JSONValue?, _ path: String) throws(ModelError) -> JSONValue {
        guard let value else { throw fail(path, "missing") }
        return value
    }

    func object(_ value: JSONValue?, _ path: String) throws(ModelError) -> JSONValue {
        let v = try required(value, path)
        guard case .object = v else { throw fail(path, "expected an object, found \(v.typeName)") }
        return v
    }

    func array(_ value: JSONValue?, _ path: String) throws(ModelError) -> [JSONValue] {
        let v = try required(value, path)
        guard case .array(let a) = v else { throw fail(path, "expected an array, found \(v.typeName)") }
        return a
    }

    func string(_ value: JSONValue?, _ path: String) throws(ModelError) -> String {
        let v = try required(value, path)
        guard case .string(let s) = v else { throw fail(path, "expected a string, found \(v.typeName)") }
        return s
    }

    /// An integer written as a number or as a decimal string (XGBoost writes `"num_class": "3"`).
    func integer(_ value: JSONValue?, _ path: String, in range: ClosedRange<Int64>) throws(ModelError) -> Int {
        let v = try required(value, path)
        let i: Int64?
        switch v {
        case .number(let n): i = n.integer
        case .string(let s): i = Int64(s)
        case .bool(let b): i = b ? 1 : 0
        default: i = nil
        }
        guard let i else { throw fail(path, "expected an integer, found \(v.typeName)") }
        guard range.contains(i) else { throw fail(path, "\(i) is outside \(range.lowerBound)...\(range.upperBound)") }
        return Int(i)
    }

    func number(_ value: JSONValue?, _ path: String) throws(ModelError) -> JSONNumber {
        let v = try required(value, path)
        switch v {
        case .number(let n): return n
        case .string(let s):
            guard Double(s) != nil else { throw fail(path, "'\(s.prefix(40))' is not a number") }
            return .text(s)
        default: throw fail(path, "expected a number, found \(v.typeName)")
        }
    }

    func numbers(_ value: JSONValue?, _ path: String, count: Int? = nil) throws(ModelError) -> [JSONNumber] {
        let a = try array(value, path)
        if let count, a.count != count { throw fail(path, "has \(a.count) entries, expected \(count)") }
        var out: [JSONNumber] = []
        out.reserveCapacity(a.count)
        for (i, v) in a.enumerated() {
            guard case .number(let n) = v else { throw fail("\(path)[\(i)]", "expected a number, found \(v.typeName)") }
            out.append(n)
        }
        return out
    }

    func integers(_ value: JSONValue?, _ path: String, count: Int? = nil, in range: ClosedRange<Int64>) throws(ModelError) -> [Int] {
        let a = try numbers(value, path, count: count)
        var out: [Int] = []
        out.reserveCapacity(a.count)
        for (i, n) in a.enumerated() {
            guard let v = n.integer else { throw fail("\(path)[\(i)]", "expected an integer") }
            guard range.contains(v) else {
                throw fail("\(path)[\(i)]", "\(v) is outside \(range.lowerBound)...\(range.upperBound)")
            }
            out.append(Int(v))
        }
        return out
    }
}
