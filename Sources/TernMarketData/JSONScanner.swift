public import TernCore

/// A pull scanner over one JSON value in place: no allocation, no tree, no decoded strings.
///
/// The venue feeds (Binance, Bybit) send small objects with known keys; the decoders walk them
/// member by member, compare keys as bytes, parse numbers straight from their text and skip what
/// they do not need. Strings come back as byte ranges (escapes are validated and left encoded; no
/// key or number the decoders read contains one).
///
/// Every malformed input becomes a `FeedError` whose offset is `base + index`, the position in the
/// whole file. Nesting is limited to 32 levels so hostile input cannot exhaust the stack.
@usableFromInline
struct JSONScanner {
    @usableFromInline let bytes: UnsafeRawBufferPointer
    @usableFromInline var index: Int
    /// The file offset of `bytes[0]`, for error messages.
    @usableFromInline let base: Int

    @usableFromInline static let maxDepth = 32

    @inlinable
    init(_ bytes: UnsafeRawBufferPointer, base: Int) {
        self.bytes = bytes
        self.index = 0
        self.base = base
    }

    @usableFromInline
    func error(_ message: String, at position: Int? = nil) -> FeedError {
        let at = position ?? index
        if at >= bytes.count { return FeedError(.truncated, at: base + at, "JSON: \(message): the line ends") }
        let byte = bytes[at]
        let shown = (0x20...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
        return FeedError(.malformed, at: base + at, "JSON: \(message), found \(shown)")
    }

    @inlinable @inline(__always)
    mutating func skipSpace() {
        while index < bytes.count {
            let c = bytes[index]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { index &+= 1 } else { return }
        }
    }

    @inlinable @inline(__always)
    mutating func consume(_ byte: UInt8) -> Bool {
        skipSpace()
        if index < bytes.count && bytes[index] == byte {
            index &+= 1
            return true
        }
        return false
    }

    @inlinable
    mutating func expect(_ byte: UInt8, _ what: String) throws(FeedError) {
        if !consume(byte) { throw error("expected \(what)") }
    }

    /// Whether only white space is left.
    @inlinable
    mutating func atEnd() -> Bool {
        skipSpace()
        return index == bytes.count
    }

    // MARK: Objects and arrays

    /// Call after `{` or after a member's value: the next key's byte range, or nil at `}`.
    @inlinable
    mutating func nextKey(first: inout Bool) throws(FeedError) -> Range<Int>? {
        if consume(0x7D) { return nil }  // }
        if !first { try expect(0x2C, "',' or '}' in an object") }
        first = false
        let key = try string()
        try expect(0x3A, "':' after a key")
        return key
    }

    /// Call after `[` or after an element: whether another element follows (false at `]`).
    @inlinable
    mutating func nextElement(first: inout Bool) throws(FeedError) -> Bool {
        if consume(0x5D) { return false }  // ]
        if !first { try expect(0x2C, "',' or ']' in an array") }
        first = false
        return true
    }

    /// Whether the key at `range` is `name`.
    @inlinable @inline(__always)
    func key(_ range: Range<Int>, is name: StaticString) -> Bool {
        guard range.count == name.utf8CodeUnitCount else { return false }
        let pointer = name.utf8Start
        for i in 0..<range.count where bytes[range.lowerBound &+ i] != pointer[i] { return false }
        return true
    }

    // MARK: Scalars

    /// A string's content range (without quotes). Escapes are checked, not decoded.
    @inlinable
    mutating func string() throws(FeedError) -> Range<Int> {
        try expect(0x22, "a string")
        let start = index
        while index < bytes.count {
            let c = bytes[index]
            if c == 0x22 {
                index &+= 1
                return start..<(index &- 1)
            }
            if c == 0x5C {
                index &+= 1
                guard index < bytes.count else { break }
                let e = bytes[index]
                if e == 0x75 {  // \uXXXX
                    for k in 1...4 {
                        guard index &+ k < bytes.count, bytes[index &+ k].isHexDigit else { throw error("bad \\u escape", at: index &+ k) }
                    }
                    index &+= 4
                } else if !(e == 0x22 || e == 0x5C || e == 0x2F || e == 0x62 || e == 0x66 || e == 0x6E || e == 0x72 || e == 0x74) {
                    throw error("bad escape")
                }
            } else if c < 0x20 {
                throw error("control character in a string")
            }
            index &+= 1
        }
        throw error("unterminated string")
    }

    /// A non-negative integer written as a JSON number.
    @inlinable
    mutating func unsigned() throws(FeedError) -> UInt64 {
        skipSpace()
        let start = index
        var value: UInt64 = 0
        while index < bytes.count {
            let d = bytes[index] &- 0x30
            if d > 9 { break }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { throw FeedError(.badNumber, at: base + start, "JSON: integer out of range") }
            value = a
            index &+= 1
        }
        if index == start { throw error("expected a non-negative integer") }
        if index < bytes.count, bytes[index] == 0x2E || bytes[index] == 0x65 || bytes[index] == 0x45 {
            throw error("expected an integer")
        }
        return value
    }

    /// `true` or `false`.
    @inlinable
    mutating func bool() throws(FeedError) -> Bool {
        skipSpace()
        if literal("true") { return true }
        if literal("false") { return false }
        throw error("expected true or false")
    }

    @inlinable
    mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard bytes.count - index >= n else { return false }
        for i in 0..<n where bytes[index &+ i] != word.utf8Start[i] { return false }
        index &+= n
        return true
    }

    /// A decimal written as a JSON string (`"61737.63000000"`), parsed exactly.
    @inlinable
    mutating func decimal<T: FixedPointNumber>(_ type: T.Type) throws(FeedError) -> T where T.RawValue == Int64 {
        let range = try string()
        return try parseDecimal(range, type)
    }

    @inlinable
    func parseDecimal<T: FixedPointNumber>(_ range: Range<Int>, _ type: T.Type) throws(FeedError) -> T where T.RawValue == Int64 {
        do throws(FixedPointError) {
            return try T.parse(utf8: UnsafeRawBufferPointer(rebasing: bytes[range]))
        } catch {
            throw decimalError(error, range)
        }
    }

    @usableFromInline
    func decimalError(_ error: FixedPointError, _ range: Range<Int>) -> FeedError {
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        return FeedError(.badNumber, at: base + range.lowerBound, "JSON: \"\(text)\" is not a decimal: \(error)")
    }

    /// Skips one value of any kind.
    @inlinable
    mutating func skipValue(depth: Int = 0) throws(FeedError) {
        guard depth < Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth)") }
        skipSpace()
        guard index < bytes.count else { throw error("expected a value") }
        switch bytes[index] {
        case 0x22:
            _ = try string()
        case 0x7B:
            index &+= 1
            var first = true
            while try nextKey(first: &first) != nil { try skipValue(depth: depth + 1) }
        case 0x5B:
            index &+= 1
            var first = true
            while try nextElement(first: &first) { try skipValue(depth: depth + 1) }
        case 0x74:
            if !literal("true") { throw error("expected a value") }
        case 0x66:
            if !literal("false") { throw error("expected a value") }
        case 0x6E:
            if !literal("null") { throw error("expected a value") }
        default:
            try skipNumber()
        }
    }

    @inlinable
    mutating func skipNumber() throws(FeedError) {
        let start = index
        if index < bytes.count && bytes[index] == 0x2D { index &+= 1 }
        var digits = 0
        while index < bytes.count {
            let c = bytes[index]
            if (c >= 0x30 && c <= 0x39) { digits &+= 1 } else if !(c == 0x2E || c == 0x65 || c == 0x45 || c == 0x2B || c == 0x2D) { break }
            index &+= 1
        }
        if digits == 0 { throw error("expected a value", at: start) }
    }

    /// Reads an array of `[price, size]` string pairs onto the end of `list`.
    @inlinable
    mutating func levels(into list: inout [PriceSize]) throws(FeedError) {
        try expect(0x5B, "'[' of a level list")
        var first = true
        while try nextElement(first: &first) {
            try expect(0x5B, "'[' of a [price, size] pair")
            let price = try decimal(Price.self)
            try expect(0x2C, "',' in a [price, size] pair")
            let size = try decimal(Quantity.self)
            try expect(0x5D, "']' closing a [price, size] pair")
            list.append(PriceSize(price: price, size: size))
        }
    }
}

extension UInt8 {
    @inlinable var isHexDigit: Bool {
        (self >= 0x30 && self <= 0x39) || (self >= 0x41 && self <= 0x46) || (self >= 0x61 && self <= 0x66)
    }
}
