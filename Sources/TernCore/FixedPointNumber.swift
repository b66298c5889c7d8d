/// A decimal number stored as a signed integer count of `10^-fractionDigits` units.
///
/// `Price`, `Quantity` and `ContractMultiplier` (`Int64`, 9 fraction digits) and `Money` (`Int128`,
/// 18 fraction digits) conform. Everything a conforming type offers (exact parsing and formatting,
/// checked arithmetic, rounding to an increment, explicit `Double` conversion, `Codable`) comes from
/// the extensions on this protocol and is `@inlinable`, so it is specialized into the caller.
///
/// ## Text
/// `parse(_:)` is exact: it accepts `[+|-] digits [. digits]` (or `.digits`) with at most
/// `fractionDigits` fraction digits, and rejects everything else with a `FixedPointError` that names
/// the byte. `description` is the canonical text: no exponent, no `+`, no trailing zeros in the
/// fraction and no point for whole numbers (`5000.25`, `100`, `-0.000000001`). Every value
/// round-trips: `T.parse(x.description) == x`.
///
/// ## Arithmetic
/// `+`, `-` and `*` (by an integer) trap on overflow, like `Int`: use them only where overflow is a
/// programmer error. Anything fed by outside input uses the `…ReportingOverflow` forms or the
/// throwing ones, which never trap.
public protocol FixedPointNumber: RawRepresentable, Comparable, Hashable, Sendable, BitwiseCopyable,
    CustomStringConvertible, LosslessStringConvertible, Codable
where RawValue: FixedWidthInteger & SignedInteger & Sendable & BitwiseCopyable & Codable {
    /// Creates a value from its raw integer representation (`value × 10^fractionDigits`).
    init(rawValue: RawValue)
    /// The raw integer representation: the value times `10^fractionDigits`.
    var rawValue: RawValue { get }
    /// The number of decimal places the raw value implies.
    static var fractionDigits: Int { get }
}

extension FixedPointNumber {
    /// `10^fractionDigits`: the raw value of one whole unit.
    @inlinable
    public static var unitRawValue: RawValue {
        RawValue(truncatingIfNeeded: _DecimalText.pow10(fractionDigits, as: RawValue.Magnitude.self) ?? 1)
    }

    /// Zero.
    @inlinable public static var zero: Self { Self(rawValue: 0) }
    /// The smallest representable value.
    @inlinable public static var min: Self { Self(rawValue: RawValue.min) }
    /// The largest representable value.
    @inlinable public static var max: Self { Self(rawValue: RawValue.max) }
    /// The smallest positive value (one raw unit, `10^-fractionDigits`).
    @inlinable public static var leastPositive: Self { Self(rawValue: 1) }

    /// Creates a value of `wholeUnits` whole units (`Price(5000)` is 5000.0).
    ///
    /// - Precondition: the value is in range; this traps otherwise. Use `init(exactly:)` for values
    ///   that come from outside.
    @inlinable
    public init(_ wholeUnits: RawValue) {
        guard let value = Self(exactly: wholeUnits) else {
            preconditionFailure("\(wholeUnits) whole units is out of range of \(Self.self)")
        }
        self = value
    }

    /// Creates a value of `wholeUnits` whole units, or `nil` if that is out of range.
    @inlinable
    public init?(exactly wholeUnits: RawValue) {
        let (raw, overflow) = wholeUnits.multipliedReportingOverflow(by: Self.unitRawValue)
        if overflow { return nil }
        self.init(rawValue: raw)
    }

    @inlinable
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Whether the value is zero.
    @inlinable public var isZero: Bool { rawValue == 0 }
    /// -1, 0 or 1 by the sign of the value.
    @inlinable public var signum: Int { rawValue == 0 ? 0 : (rawValue < 0 ? -1 : 1) }
}

// MARK: - Parsing

extension FixedPointNumber {
    /// Parses decimal text exactly.
    ///
    /// Accepts an optional leading `+` or `-`, digits with at most one `.` (`5000.25`, `5000.`,
    /// `.25`, `007`), and at most `fractionDigits` fraction digits. Rejects, with the byte offset:
    /// empty text, a sign or point alone, white space anywhere, a second point, letters and
    /// separators, exponent notation (`1e3`), `nan`, `inf`, too many fraction digits, and values out
    /// of range.
    ///
    /// - Performance: no allocation for native `String`s and `Substring`s of them.
    @inlinable
    public static func parse(_ text: some StringProtocol) throws(FixedPointError) -> Self {
        try _parseText(text, rounding: nil)
    }

    /// Parses a `String` exactly (the same grammar as `parse(_:)` for any `StringProtocol`).
    ///
    /// - Performance: reads the string's own UTF-8 storage through `utf8Span`: no copy, no
    ///   allocation, no reference counting.
    @inlinable
    public static func parse(_ text: String) throws(FixedPointError) -> Self {
        try parse(utf8: text.utf8Span.span)
    }

    /// Parses decimal text, rounding any fraction digits beyond `fractionDigits` with `rule`.
    ///
    /// The grammar is the same as `parse(_:)` except that the number of fraction digits is
    /// unlimited. Rounding happens on the exact decimal value of all the digits.
    @inlinable
    public static func parse(_ text: some StringProtocol, rounding rule: RoundingRule) throws(FixedPointError) -> Self {
        try _parseText(text, rounding: rule)
    }

    /// Parses UTF-8 bytes exactly: the same grammar as `parse(_:)`, for decoders of outside bytes.
    ///
    /// - Performance: O(n), one pass, no allocation; the parse error is a plain value.
    @inlinable
    public static func parse(utf8 bytes: UnsafeRawBufferPointer) throws(FixedPointError) -> Self {
        try _parse(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count, rounding: nil)
    }

    /// Parses UTF-8 bytes, rounding fraction digits beyond `fractionDigits` with `rule`.
    @inlinable
    public static func parse(
        utf8 bytes: UnsafeRawBufferPointer, rounding rule: RoundingRule
    ) throws(FixedPointError) -> Self {
        try _parse(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count, rounding: rule)
    }

    /// Parses the UTF-8 bytes of a span exactly: the same grammar as `parse(_:)`.
    @inlinable
    public static func parse(utf8 bytes: Span<UInt8>) throws(FixedPointError) -> Self {
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(FixedPointError) -> Self in try parse(utf8: UnsafeRawBufferPointer(buffer)) }
        }
        return try result.get()
    }

    /// Creates a value from text, or `nil` if `parse(_:)` would throw.
    @inlinable
    public init?(_ description: String) {
        guard let value = try? Self.parse(description) else { return nil }
        self = value
    }

    /// The one entry into the byte parser: every public `parse` form funnels through here.
    @inlinable @inline(__always)
    static func _parse(
        _ base: UnsafePointer<UInt8>?, count: Int, rounding: RoundingRule?
    ) throws(FixedPointError)
        -> Self
    {
        Self(rawValue: try _DecimalText.parse(base, count: count, fractionDigits: fractionDigits, rounding: rounding))
    }

    @inlinable
    static func _parseText(_ text: some StringProtocol, rounding: RoundingRule?) throws(FixedPointError) -> Self {
        let parseBuffer = { (buffer: UnsafeBufferPointer<UInt8>) -> Result<Self, FixedPointError> in
            Result { () throws(FixedPointError) -> Self in
                try _parse(buffer.baseAddress, count: buffer.count, rounding: rounding)
            }
        }
        if let result = text.utf8.withContiguousStorageIfAvailable(parseBuffer) {
            return try result.get()
        }
        // Non-contiguous text (a bridged string): copy once into native storage.
        var copy = String(text)
        return try copy.withUTF8(parseBuffer).get()
    }
}

// MARK: - Formatting

extension FixedPointNumber {
    /// The most bytes `description` or `writeDecimal(into:)` can produce for this type.
    @inlinable
    public static var maxDecimalLength: Int { _DecimalText.maxLength(RawValue.Magnitude.self) }

    /// The canonical decimal text: no exponent, no `+`, no trailing fraction zeros, no point for
    /// whole numbers. `parse(description)` gives back the same value.
    @inlinable
    public var description: String { formatted(minimumFractionDigits: 0) }

    /// The decimal text with at least `minimumFractionDigits` fraction digits (for display at a
    /// fixed precision, such as a tick's): `Price(5000).formatted(minimumFractionDigits: 2)` is
    /// `"5000.00"`. Values with more significant digits keep them all; nothing is rounded.
    ///
    /// `minimumFractionDigits` is clamped to `0...fractionDigits`.
    ///
    /// - Performance: formats on the stack; texts of up to 15 bytes (most prices) become small
    ///   strings stored inline, with no allocation.
    @inlinable
    public func formatted(minimumFractionDigits: Int) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maxDecimalLength) { buffer in
            // Safe: the capacity is maxDecimalLength, the most `_format` ever writes.
            let count = _format(into: buffer.baseAddress!, minimumFractionDigits: minimumFractionDigits)
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
        }
    }

    /// Writes the canonical decimal text as UTF-8 into `buffer` without allocating.
    ///
    /// - Returns: the number of bytes written, or `nil` if `buffer` is shorter than
    ///   `maxDecimalLength` (nothing is written then).
    @inlinable
    public func writeDecimal(into buffer: UnsafeMutableRawBufferPointer, minimumFractionDigits: Int = 0) -> Int? {
        guard buffer.count >= Self.maxDecimalLength, let base = buffer.baseAddress else { return nil }
        return _format(into: base.assumingMemoryBound(to: UInt8.self), minimumFractionDigits: minimumFractionDigits)
    }

    /// The one entry into the formatter; clamps `minimumFractionDigits` to `0...fractionDigits`.
    ///
    /// - Precondition: `base` has room for `maxDecimalLength` bytes.
    @inlinable @inline(__always)
    func _format(into base: UnsafeMutablePointer<UInt8>, minimumFractionDigits: Int) -> Int {
        _DecimalText.format(
            rawValue.magnitude, negative: rawValue < 0, fractionDigits: Self.fractionDigits,
            minimumFractionDigits: Swift.min(Swift.max(minimumFractionDigits, 0), Self.fractionDigits),
            into: base)
    }
}

// MARK: - Arithmetic

extension FixedPointNumber {
    /// The sum, trapping on overflow (programmer error). Use `addingReportingOverflow` for input.
    @inlinable
    public static func + (lhs: Self, rhs: Self) -> Self { Self(rawValue: lhs.rawValue + rhs.rawValue) }

    /// The difference, trapping on overflow (programmer error). Use `subtractingReportingOverflow`.
    @inlinable
    public static func - (lhs: Self, rhs: Self) -> Self { Self(rawValue: lhs.rawValue - rhs.rawValue) }

    /// The product with an integer, trapping on overflow. Use `multipliedReportingOverflow(by:)`.
    @inlinable
    public static func * (lhs: Self, rhs: RawValue) -> Self { Self(rawValue: lhs.rawValue * rhs) }

    /// The product with an integer, trapping on overflow. Use `multipliedReportingOverflow(by:)`.
    @inlinable
    public static func * (lhs: RawValue, rhs: Self) -> Self { Self(rawValue: lhs * rhs.rawValue) }

    /// The negation, trapping for `Self.min` (programmer error).
    @inlinable
    public static prefix func - (operand: Self) -> Self { Self(rawValue: -operand.rawValue) }

    @inlinable public static func += (lhs: inout Self, rhs: Self) { lhs = lhs + rhs }
    @inlinable public static func -= (lhs: inout Self, rhs: Self) { lhs = lhs - rhs }

    /// The sum and whether it overflowed (the partial value then wraps around). Never traps.
    @inlinable
    public func addingReportingOverflow(_ other: Self) -> (partialValue: Self, overflow: Bool) {
        let (raw, overflow) = rawValue.addingReportingOverflow(other.rawValue)
        return (Self(rawValue: raw), overflow)
    }

    /// The difference and whether it overflowed (the partial value then wraps around). Never traps.
    @inlinable
    public func subtractingReportingOverflow(_ other: Self) -> (partialValue: Self, overflow: Bool) {
        let (raw, overflow) = rawValue.subtractingReportingOverflow(other.rawValue)
        return (Self(rawValue: raw), overflow)
    }

    /// The product with an integer and whether it overflowed. Never traps.
    @inlinable
    public func multipliedReportingOverflow(by factor: RawValue) -> (partialValue: Self, overflow: Bool) {
        let (raw, overflow) = rawValue.multipliedReportingOverflow(by: factor)
        return (Self(rawValue: raw), overflow)
    }

    /// The negation and whether it overflowed (only `Self.min` does). Never traps.
    @inlinable
    public func negatedReportingOverflow() -> (partialValue: Self, overflow: Bool) {
        let (raw, overflow) = RawValue(0).subtractingReportingOverflow(rawValue)
        return (Self(rawValue: raw), overflow)
    }

    /// Whether the value is an exact multiple of `increment` (a tick or a lot).
    ///
    /// An exact integer test on the raw values. Returns `false` when `increment` is zero or
    /// negative, so a misconfigured increment never passes a check.
    @inlinable
    public func isMultiple(of increment: Self) -> Bool {
        guard increment.rawValue > 0 else { return false }
        return rawValue.magnitude % increment.rawValue.magnitude == 0
    }

    /// The multiple of `increment` that `rule` picks: `down` and `up` are floor and ceiling on the
    /// number line (also for negative values), the nearest rules compare the exact remainder with
    /// half an increment.
    ///
    /// - Throws: `.invalidIncrement` if `increment` is not positive; `.overflow` if the rounded
    ///   value is out of range.
    @inlinable
    public func rounded(toMultipleOf increment: Self, _ rule: RoundingRule) throws(FixedPointError) -> Self {
        guard increment.rawValue > 0 else { throw FixedPointError(.invalidIncrement) }
        let step = increment.rawValue.magnitude
        let negative = rawValue < 0
        let quotient = rawValue.magnitude / step
        let cut = _RemainderClass.of(remainder: rawValue.magnitude % step, divisor: step)
        guard let steps = cut.roundedMagnitude(quotient, negative: negative, rule: rule) else {
            throw FixedPointError(.overflow)
        }
        let (magnitude, overflow) = steps.multipliedReportingOverflow(by: step)
        guard !overflow, let raw = _DecimalText.signed(magnitude, negative: negative, as: RawValue.self) else {
            throw FixedPointError(.overflow)
        }
        return Self(rawValue: raw)
    }

    /// This value rounded to `fractionDigits` decimal places with `rule`
    /// (`Price(text: "1.23456").rounded(toFractionDigits: 2, .down)` is 1.23).
    ///
    /// - Throws: `.invalidIncrement` if `fractionDigits` is negative or above `Self.fractionDigits`;
    ///   `.overflow` if the rounded value is out of range.
    @inlinable
    public func rounded(toFractionDigits digits: Int, _ rule: RoundingRule) throws(FixedPointError) -> Self {
        guard digits >= 0, digits <= Self.fractionDigits,
            let step = _DecimalText.pow10(Self.fractionDigits - digits, as: RawValue.Magnitude.self),
            let raw = _DecimalText.signed(step, negative: false, as: RawValue.self)
        else { throw FixedPointError(.invalidIncrement) }
        return try rounded(toMultipleOf: Self(rawValue: raw), rule)
    }
}

// MARK: - Codable

extension FixedPointNumber {
    /// Decodes from a decimal string (exact; the canonical encoding) or from an integer number of
    /// whole units. Floating-point numbers are rejected: JSON `0.1` has already lost exactness by
    /// the time it is a `Double`. Write `"0.1"`.
    @inlinable
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            do {
                self = try Self.parse(text)
            } catch {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "\(Self.self) \"\(text)\": \(error)")
            }
            return
        }
        if let whole = try? container.decode(RawValue.self), let value = Self(exactly: whole) {
            self = value
            return
        }
        throw DecodingError.dataCorruptedError(
            in: container,
            debugDescription: "\(Self.self) must be a decimal string such as \"5000.25\" (or a whole number); "
                + "floating-point numbers are not accepted because they are inexact")
    }

    /// Encodes as the canonical decimal string.
    @inlinable
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
