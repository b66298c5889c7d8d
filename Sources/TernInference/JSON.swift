/// A small JSON and UBJSON reader for model files: a value tree, offsets in every syntax error, a
/// nesting limit, and numbers kept in the form they were written so that a float32 written as
/// decimal text parses to exactly that float32 (not to a double rounded twice).
///
/// Not a general-purpose JSON library: it exists so that `TernInference` needs neither Foundation
/// nor a package to read XGBoost and CatBoost files, and so that hostile files fail with a message.

/// A number as the file stored it.
enum JSONNumber: Sendable {
    /// Decimal text (JSON, or UBJSON's high-precision `H`), validated against the JSON grammar, or one
    /// of the non-standard tokens `NaN`, `Infinity`, `-Infinity` that some writers emit.
    case text(String)
    case int(Int64)
    case float32(Float)
    case float64(Double)

    var double: Double {
        switch self {
        case .text(let s): return Double(s) ?? .nan
        case .int(let i): return Double(i)
        case .float32(let f): return Double(f)
        case .float64(let d): return d
        }
    }

    /// The float32 value: decimal text is parsed directly to float32 (correctly rounded once).
    var float: Float {
        switch self {
        case .text(let s): return Float(s) ?? .nan
        case .int(let i): return Float(i)
        case .float32(let f): return f
        case .float64(let d): return Float(d)
        }
    }

    /// The value as an integer, if it is one exactly.
    var integer: Int64? {
        switch self {
        case .int(let i): return i
        case .text(let s):
            if let i = Int64(s) { return i }
            guard let d = Double(s), d.rounded() == d, abs(d) < 9.0e15 else { return nil }
            return Int64(d)
        case .float32(let f):
            guard f.rounded() == f, abs(f) < 9.0e15 else { return nil }
            return Int64(f)
        case .float64(let d):
            guard d.rounded() == d, abs(d) < 9.0e15 else { return nil }
            return Int64(d)
        }
    }
}

/// A parsed JSON or UBJSON value.
indirect enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    /// Members in file order; lookups are linear, which suits the small objects of model files.
    case object([(String, JSONValue)])

    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        for (k, v) in members where k == key { return v }
        return nil
    }

    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// Limits that keep a hostile file from exhausting the stack or memory.
enum JSONLimits {
    static let maximumDepth = 64
}

// MARK: - JSON text

struct JSONParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private let format: String

    /// Parses one JSON document; trailing non-space bytes are an error.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, format: String) throws(ModelError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, format: format)
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        if parser.position != bytes.count {
            throw parser.error("unexpected \(parser.describeByte()) after the end of the document")
        }
        return value
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, format: String) {
        self.bytes = bytes
        self.format = format
    }

    private func error(_ message: String) -> ModelError {
        ModelError(.syntax, message, format: format, offset: position)
    }

    private func describeByte() -> String {
        guard position < bytes.count else { return "end of file" }
        let b = bytes[position]
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x" + String(b, radix: 16)
    }

    private mutating func skipSpace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func expect(_ literal: StaticString) throws(ModelError) {
        let start = position
        let count = literal.utf8CodeUnitCount
        guard bytes.count - position >= count else {
            position = bytes.count
            throw error("truncated literal")
        }
        let lit = literal.utf8Start
        for i in 0..<count where bytes[start + i] != lit[i] {
            position = start + i
            throw error("invalid literal")
        }
        position += count
    }

    private mutating func value(depth: Int) throws(ModelError) -> JSONValue {
        guard depth < JSONLimits.maximumDepth else {
            throw ModelError(
                .limit, "nesting deeper than \(JSONLimits.maximumDepth) levels", format: format, offset: position)
        }
        guard position < bytes.count else { throw error("unexpected end of file, expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"):
            try expect("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expect("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            if position + 1 < bytes.count && bytes[position + 1] == UInt8(ascii: "a") {
                try expect("nan")
                return .number(.text("nan"))
            }
            try expect("null")
            return .null
        case UInt8(ascii: "N"):
            try expect("NaN")
            return .number(.text("nan"))
        case UInt8(ascii: "I"):
            try expect("Infinity")
            return .number(.text("inf"))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try number())
        default:
            throw error("unexpected \(describeByte()), expected a value")
        }
    }

    private mutating func object(depth: Int) throws(ModelError) -> JSONValue {
        position += 1
        var members: [(String, JSONValue)] = []
        skipSpace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw error("unexpected \(describeByte()), expected a member name")
            }
            let key = try string()
            skipSpace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw error("unexpected \(describeByte()), expected ':'")
            }
            position += 1
            skipSpace()
            members.append((key, try value(depth: depth + 1)))
            skipSpace()
            guard position < bytes.count else { throw error("unexpected end of file inside an object") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            if bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            throw error("unexpected \(describeByte()), expected ',' or '}'")
        }
    }

    private mutating func array(depth: Int) throws(ModelError) -> JSONValue {
        position += 1
        var elements: [JSONValue] = []
        skipSpace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipSpace()
            elements.append(try value(depth: depth + 1))
            skipSpace()
            guard position < bytes.count else { throw error("unexpected end of file inside an array") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            if bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array(elements)
            }
            throw error("unexpected \(describeByte()), expected ',' or ']'")
        }
    }

    private mutating func hexDigit() throws(ModelError) -> UInt32 {
        guard position < bytes.count else { throw error("truncated \\u escape") }
        let b = bytes[position]
        position += 1
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(b - UInt8(ascii: "A") + 10)
        default:
            position -= 1
            throw error("invalid hex digit in \\u escape")
        }
    }

    private mutating func string() throws(ModelError) -> String {
        position += 1  // opening quote
        let start = position
        // Fast path: no escapes.
        while position < bytes.count {
            let b = bytes[position]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                position += 1
                return s
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { break }
            position += 1
        }
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while true {
            guard position < bytes.count else { throw error("unterminated string") }
            let b = bytes[position]
            if b == UInt8(ascii: "\"") {
                position += 1
                break
            }
            if b < 0x20 { throw error("control character in a string") }
            if b != UInt8(ascii: "\\") {
                raw.append(b)
                position += 1
                continue
            }
            position += 1
            guard position < bytes.count else { throw error("unterminated escape") }
            let e = bytes[position]
            position += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): raw.append(e)
            case UInt8(ascii: "b"): raw.append(0x08)
            case UInt8(ascii: "f"): raw.append(0x0C)
            case UInt8(ascii: "n"): raw.append(0x0A)
            case UInt8(ascii: "r"): raw.append(0x0D)
            case UInt8(ascii: "t"): raw.append(0x09)
            case UInt8(ascii: "u"):
                var code: UInt32 = 0
                for _ in 0..<4 { code = code << 4 | (try hexDigit()) }
                if (0xD800..<0xDC00).contains(code), position + 1 < bytes.count,
                    bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
                {
                    position += 2
                    var low: UInt32 = 0
                    for _ in 0..<4 { low = low << 4 | (try hexDigit()) }
                    if (0xDC00..<0xE000).contains(low) { code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00) }
                }
                let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                raw.append(contentsOf: Array(String(scalar).utf8))
            default:
                position -= 1
                throw error("invalid escape")
            }
        }
        scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
        return String(scalars)
    }

    private mutating func number() throws(ModelError) -> JSONNumber {
        let start = position
        if bytes[position] == UInt8(ascii: "-") {
            position += 1
            if position < bytes.count && bytes[position] == UInt8(ascii: "I") {
                try expect("Infinity")
                return .text("-inf")
            }
        }
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        var digits = 0
        while position < bytes.count && isDigit(bytes[position]) {
            position += 1
            digits += 1
        }
        guard digits > 0 else { throw error("a number needs digits") }
        var integral = true
        if position < bytes.count && bytes[position] == UInt8(ascii: ".") {
            integral = false
            position += 1
            var fraction = 0
            while position < bytes.count && isDigit(bytes[position]) {
                position += 1
                fraction += 1
            }
            guard fraction > 0 else { throw error("a number needs digits after '.'") }
        }
        if position < bytes.count && (bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E")) {
            integral = false
            position += 1
            if position < bytes.count && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")) {
                position += 1
            }
            var exponent = 0
            while position < bytes.count && isDigit(bytes[position]) {
                position += 1
                exponent += 1
            }
            guard exponent > 0 else { throw error("a number needs digits in its exponent") }
        }
        guard position - start <= 400 else { throw error("number literal longer than 400 characters") }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        if integral, let i = Int64(text) { return .int(i) }
        return .text(text)
    }
}

// MARK: - UBJSON (XGBoost's binary format)

struct UBJSONParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private let format: String
    /// The total element budget over all containers, so a forged count cannot reserve gigabytes.
    private var elementBudget: Int

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, format: String) throws(ModelError) -> JSONValue {
        var parser = UBJSONParser(bytes: bytes, format: format, elementBudget: bytes.count + 16)
        let value = try parser.value(depth: 0)
        if parser.position != bytes.count {
            throw parser.error("\(bytes.count - parser.position) bytes after the end of the document")
        }
        return value
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, format: String, elementBudget: Int) {
        self.bytes = bytes
        self.format = format
        self.elementBudget = elementBudget
    }

    private func error(_ message: String) -> ModelError {
        ModelError(.syntax, message, format: format, offset: position)
    }

    private mutating func byte() throws(ModelError) -> UInt8 {
        guard position < bytes.count else { throw error("unexpected end of file") }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func bigEndian(_ width: Int) throws(ModelError) -> UInt64 {
        guard bytes.count - position >= width else {
            throw error("unexpected end of file inside a \(width)-byte value")
        }
        var v: UInt64 = 0
        for i in 0..<width { v = v << 8 | UInt64(bytes[position + i]) }
        position += width
        return v
    }

    private mutating func integer(marker: UInt8) throws(ModelError) -> Int64? {
        switch marker {
        case UInt8(ascii: "i"): return Int64(Int8(bitPattern: UInt8(try bigEndian(1))))
        case UInt8(ascii: "U"): return Int64(try bigEndian(1))
        case UInt8(ascii: "I"): return Int64(Int16(bitPattern: UInt16(try bigEndian(2))))
        case UInt8(ascii: "l"): return Int64(Int32(bitPattern: UInt32(try bigEndian(4))))
        case UInt8(ascii: "L"): return Int64(bitPattern: try bigEndian(8))
        default: return nil
        }
    }

    private mutating func length() throws(ModelError) -> Int {
        let at = position
        let marker = try byte()
        guard let n = try integer(marker: marker) else {
            position = at
            throw error("expected an integer length marker")
        }
        guard n >= 0, n <= Int64(bytes.count - position) else {
            position = at
            throw error("length \(n) exceeds the \(bytes.count - position) bytes left")
        }
        return Int(n)
    }

    private mutating func text() throws(ModelError) -> String {
        let n = try length()
        let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[position..<position + n]), as: UTF8.self)
        position += n
        return s
    }

    private mutating func value(depth: Int) throws(ModelError) -> JSONValue {
        let marker = try byte()
        return try value(marker: marker, depth: depth)
    }

    private mutating func value(marker: UInt8, depth: Int) throws(ModelError) -> JSONValue {
        if let i = try integer(marker: marker) { return .number(.int(i)) }
        switch marker {
        case UInt8(ascii: "Z"): return .null
        case UInt8(ascii: "T"): return .bool(true)
        case UInt8(ascii: "F"): return .bool(false)
        case UInt8(ascii: "d"): return .number(.float32(Float(bitPattern: UInt32(try bigEndian(4)))))
        case UInt8(ascii: "D"): return .number(.float64(Double(bitPattern: try bigEndian(8))))
        case UInt8(ascii: "C"): return .string(String(Character(Unicode.Scalar(try byte()))))
        case UInt8(ascii: "S"): return .string(try text())
        case UInt8(ascii: "H"):
            let at = position
            let t = try text()
            guard Double(t) != nil else {
                position = at
                throw error("high-precision number '\(t.prefix(40))' is not a number")
            }
            return .number(.text(t))
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            guard depth < JSONLimits.maximumDepth else {
                throw ModelError(
                    .limit, "nesting deeper than \(JSONLimits.maximumDepth) levels", format: format,
                    offset: position - 1)
            }
            return try container(isObject: marker == UInt8(ascii: "{"), depth: depth)
        default:
            position -= 1
            throw error("unknown UBJSON marker 0x\(String(marker, radix: 16))")
        }
    }

    private mutating func container(isObject: Bool, depth: Int) throws(ModelError) -> JSONValue {
        var elementType: UInt8? = nil
        var count: Int? = nil
        if position < bytes.count && bytes[position] == UInt8(ascii: "$") {
            position += 1
            elementType = try byte()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "#") else {
                throw error("a typed container needs a '#' count")
            }
        }
        if position < bytes.count && bytes[position] == UInt8(ascii: "#") {
            position += 1
            let at = position
            let n = try length()
            // Each element takes at least one byte (typed containers of N/Z/T/F aside, which we refuse).
            guard n <= elementBudget else {
                position = at
                throw ModelError(.limit, "container count \(n) is larger than the file", format: format, offset: at)
            }
            elementBudget -= n
            count = n
        }
        if let t = elementType, [UInt8(ascii: "Z"), UInt8(ascii: "N"), UInt8(ascii: "T"), UInt8(ascii: "F")].contains(t) {
            throw error("typed containers of payload-free elements are not supported")
        }
        func element(_ p: inout UBJSONParser) throws(ModelError) -> JSONValue {
            if let t = elementType { return try p.value(marker: t, depth: depth + 1) }
            return try p.value(depth: depth + 1)
        }
        if isObject {
            var members: [(String, JSONValue)] = []
            if let count {
                members.reserveCapacity(min(count, 4096))
                for _ in 0..<count {
                    let key = try text()
                    members.append((key, try element(&self)))
                }
            } else {
                while true {
                    guard position < bytes.count else { throw error("unexpected end of file inside an object") }
                    if bytes[position] == UInt8(ascii: "}") {
                        position += 1
                        break
                    }
                    let key = try text()
                    members.append((key, try element(&self)))
                }
            }
            return .object(members)
        }
        var elements: [JSONValue] = []
        if let count {
            elements.reserveCapacity(count)
            for _ in 0..<count { elements.append(try element(&self)) }
        } else {
            while true {
                guard position < bytes.count else { throw error("unexpected end of file inside an array") }
                if bytes[position] == UInt8(ascii: "]") {
                    position += 1
                    break
                }
                if bytes[position] == UInt8(ascii: "N") {  // no-op
                    position += 1
                    continue
                }
                elements.append(try element(&self))
            }
        }
        return .array(elements)
    }
}
