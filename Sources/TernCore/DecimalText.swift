/// The one decimal parser and formatter behind every fixed-point type.
///
/// It works on a magnitude of an unsigned integer type `M` (`UInt64` for the 64-bit types, `UInt128`
/// for `Money`) plus a sign, so the same code is specialized for each storage width. Nothing here
/// allocates, locks or traps on any input.
///
/// Grammar accepted by the exact parser (decided in docs/decisions/0001-fixed-point-numbers.md):
///
///     number   = [ "+" | "-" ] ( digits [ "." [ digits ] ] | "." digits )
///     digits   = 1*( "0"..."9" )          ; leading zeros allowed
///
/// with at most `fractionDigits` digits after the point. Everything else (white space, exponents,
/// `nan`, `inf`, separators, a second point) is an error that names the byte where it was found.
@usableFromInline
enum _DecimalText {
    @usableFromInline static let minus: UInt8 = 0x2D
    @usableFromInline static let plus: UInt8 = 0x2B
    @usableFromInline static let point: UInt8 = 0x2E
    @usableFromInline static let zero: UInt8 = 0x30

    /// The number of decimal digits any value of `M` can take without overflow
    /// (`floor(bitWidth * log10(2))`: 19 for `UInt64`, 38 for `UInt128`).
    @inlinable @inline(__always)
    static func safeDigits<M: FixedWidthInteger>(_: M.Type) -> Int { M.bitWidth &* 30103 / 100_000 }

    /// 10^k for 0 <= k <= 19, as a constant table the optimizer turns into a load.
    @inlinable @inline(__always)
    static func pow10u64(_ k: Int) -> UInt64 {
        switch k {
        case 0: 1
        case 1: 10
        case 2: 100
        case 3: 1_000
        case 4: 10_000
        case 5: 100_000
        case 6: 1_000_000
        case 7: 10_000_000
        case 8: 100_000_000
        case 9: 1_000_000_000
        case 10: 10_000_000_000
        case 11: 100_000_000_000
        case 12: 1_000_000_000_000
        case 13: 10_000_000_000_000
        case 14: 100_000_000_000_000
        case 15: 1_000_000_000_000_000
        case 16: 10_000_000_000_000_000
        case 17: 100_000_000_000_000_000
        case 18: 1_000_000_000_000_000_000
        default: 10_000_000_000_000_000_000
        }
    }

    /// 10^k in `M`, or `nil` if it does not fit. `k` is at most 38 in practice.
    @inlinable @inline(__always)
    static func pow10<M: FixedWidthInteger & UnsignedInteger>(_ k: Int, as: M.Type = M.self) -> M? {
        if k <= 19 {
            let p = pow10u64(k)
            return M.bitWidth >= 64 || p <= UInt64(truncatingIfNeeded: M.max) ? M(truncatingIfNeeded: p) : nil
        }
        guard var p = pow10(19, as: M.self) else { return nil }
        var left = k &- 19
        while left > 0 {
            let (next, overflow) = p.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            p = next
            left &-= 1
        }
        return p
    }

    /// The largest magnitude a signed type `Raw` can hold for the given sign
    /// (`Raw.max` for positive values, `Raw.max + 1` for negative ones).
    @inlinable @inline(__always)
    static func limit<Raw: FixedWidthInteger & SignedInteger>(_: Raw.Type, negative: Bool) -> Raw.Magnitude {
        Raw.Magnitude(truncatingIfNeeded: Raw.max) &+ (negative ? 1 : 0)
    }

    /// Builds a signed raw value from a magnitude and a sign, or `nil` if it is out of range.
    @inlinable @inline(__always)
    static func signed<Raw: FixedWidthInteger & SignedInteger>(
        _ magnitude: Raw.Magnitude, negative: Bool, as: Raw.Type = Raw.self
    ) -> Raw? {
        guard magnitude <= limit(Raw.self, negative: negative) else { return nil }
        // Safe: the magnitude is within range for its sign, so the two's-complement negation of its
        // bit pattern is the intended value (including Raw.min, whose magnitude is Raw.max + 1).
        let bits = Raw(truncatingIfNeeded: magnitude)
        return negative ? 0 &- bits : bits
    }

    // MARK: Parsing

    /// Parses `count` UTF-8 bytes at `base` into a raw value with `fractionDigits` implied decimals.
    ///
    /// With `rounding == nil`, more than `fractionDigits` fraction digits is an error; otherwise the
    /// extra digits are rounded away with that rule (the result is still exact to the last digit kept).
    ///
    /// - Complexity: O(count), one pass, no allocation.
    @inlinable
    static func parse<Raw: FixedWidthInteger & SignedInteger>(
        _ base: UnsafePointer<UInt8>?, count: Int, fractionDigits: Int, rounding: RoundingRule?,
        as: Raw.Type = Raw.self
    ) throws(FixedPointError) -> Raw {
        typealias M = Raw.Magnitude
        guard let base, count > 0 else { throw FixedPointError(.empty, offset: 0) }
        var i = 0
        var negative = false
        let first = base[0]
        if first == minus {
            negative = true
            i = 1
        } else if first == plus {
            i = 1
        }
        let start = i
        let safe = safeDigits(M.self)
        var magnitude: M = 0
        var significant = 0  // digits in `magnitude`: from the first non-zero digit on
        var tooLarge = false
        var firstDropped: UInt8 = 0xFF  // first fraction digit beyond the limit (rounding only)
        var droppedTailNonZero = false

        // Safe (every `base[i]` below): each read is guarded by `i < count`, and the caller
        // guarantees `count` readable bytes at `base`.

        /// Appends one significant digit; past `safe` digits it checks for overflow.
        @inline(__always)
        func append(_ d: UInt8) {
            if significant < safe {
                // Safe: fewer than `safe` digits accumulated so far, so one more always fits M.
                magnitude = magnitude &* 10 &+ M(truncatingIfNeeded: d)
            } else if !tooLarge {
                // One digit more than `safe` can still fit (Int128.max has 39 digits).
                let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(M(truncatingIfNeeded: d))
                if o1 || o2 { tooLarge = true } else { magnitude = sum }
            }
            significant &+= 1
        }

        // Integer part: leading zeros carry no value, then every digit is significant.
        var digits = 0  // every digit seen, integer and fraction
        while i < count && base[i] == zero {
            i &+= 1
            digits &+= 1
        }
        while i < count {
            let d = base[i] &- zero
            guard d < 10 else { break }
            append(d)
            digits &+= 1
            i &+= 1
        }

        // Fraction: up to `fractionDigits` kept; beyond that an error, or remembered for rounding.
        var fraction = 0
        if i < count && base[i] == point {
            i &+= 1
            while i < count {
                let d = base[i] &- zero
                guard d < 10 else { break }
                digits &+= 1
                if fraction < fractionDigits {
                    fraction &+= 1
                    if significant > 0 || d != 0 { append(d) }
                } else {
                    guard rounding != nil else {
                        throw FixedPointError(
                            .tooManyFractionDigits, offset: i,
                            fractionDigitLimit: UInt8(truncatingIfNeeded: fractionDigits))
                    }
                    if firstDropped == 0xFF { firstDropped = d } else if d != 0 { droppedTailNonZero = true }
                }
                i &+= 1
            }
        }
        if i < count {
            if base[i] == point { throw FixedPointError(.multipleDecimalPoints, offset: i) }
            throw classify(base, count: count, at: i, start: start)
        }
        if digits == 0 { throw FixedPointError(.missingDigits, offset: count) }
        if tooLarge { throw outOfRange(fractionDigits) }

        // Scale the kept digits up to the full fraction width.
        guard let factor = pow10(fractionDigits &- fraction, as: M.self) else {
            throw outOfRange(fractionDigits)
        }
        let (scaled, overflow) = magnitude.multipliedReportingOverflow(by: factor)
        if overflow { throw outOfRange(fractionDigits) }
        magnitude = scaled

        if let rounding, firstDropped != 0xFF {
            let cut: _RemainderClass =
                switch firstDropped {
                case 0: droppedTailNonZero ? .belowHalf : .zero
                case 1...4: .belowHalf
                case 5: droppedTailNonZero ? .aboveHalf : .half
                default: .aboveHalf
                }
            guard let rounded = cut.roundedMagnitude(magnitude, negative: negative, rule: rounding) else {
                throw outOfRange(fractionDigits)
            }
            magnitude = rounded
        }
        guard let value = signed(magnitude, negative: negative, as: Raw.self) else {
            throw outOfRange(fractionDigits)
        }
        return value
    }

    /// The error for a syntactically valid number outside the type's range. It carries the
    /// type's fraction digits so the message can state the range.
    @inlinable @inline(__always)
    static func outOfRange(_ fractionDigits: Int) -> FixedPointError {
        FixedPointError(.outOfRange, fractionDigitLimit: UInt8(truncatingIfNeeded: fractionDigits))
    }

    /// Names the error for a byte that is neither a digit nor a decimal point. Cold path.
    @usableFromInline @inline(never)
    static func classify(_ base: UnsafePointer<UInt8>, count: Int, at i: Int, start: Int) -> FixedPointError {
        let byte = base[i]
        switch byte {
        case 0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D:
            return FixedPointError(.whitespace, offset: i, byte: byte)
        case 0x65, 0x45:  // e, E: exponent notation once a number has begun
            return FixedPointError(i > start ? .exponentNotation : .unexpectedCharacter, offset: i, byte: byte)
        case 0x6E, 0x4E, 0x69, 0x49:  // n, N, i, I: `nan` or `inf` when they start the number
            switch i == start ? lowercasedWord(base, from: i, count: count) : .other {
            case .nan: return FixedPointError(.notANumber, offset: i, byte: byte)
            case .inf: return FixedPointError(.infinity, offset: i, byte: byte)
            case .other: return FixedPointError(.unexpectedCharacter, offset: i, byte: byte)
            }
        default:
            return FixedPointError(.unexpectedCharacter, offset: i, byte: byte)
        }
    }

    @usableFromInline
    enum _Word { case nan, inf, other }

    /// Whether the bytes from `i` to the end spell `nan`, `inf` or `infinity` in any case.
    @usableFromInline
    static func lowercasedWord(_ base: UnsafePointer<UInt8>, from i: Int, count: Int) -> _Word {
        let rest = UnsafeBufferPointer(start: base + i, count: count - i)
        func matches(_ word: StaticString) -> Bool {
            guard rest.count == word.utf8CodeUnitCount else { return false }
            for k in 0..<rest.count where rest[k] | 0x20 != word.utf8Start[k] { return false }
            return true
        }
        if matches("nan") { return .nan }
        if matches("inf") || matches("infinity") { return .inf }
        return .other
    }

    // MARK: Formatting

    /// The most bytes `format` writes for magnitude type `M`: sign, every digit of `M.max`, point.
    @inlinable @inline(__always)
    static func maxLength<M: FixedWidthInteger & UnsignedInteger>(_: M.Type) -> Int { safeDigits(M.self) &+ 3 }

    /// Writes the canonical decimal text of `magnitude / 10^fractionDigits` (with a leading `-` if
    /// `negative` and the magnitude is not zero) and returns the number of bytes written.
    ///
    /// Canonical form: no `+`, no exponent, no leading zeros (a lone `0` before the point), and the
    /// fraction without trailing zeros, padded with zeros to `minimumFractionDigits` when asked.
    ///
    /// - Precondition: `buffer` has room for `maxLength(M.self)` bytes;
    ///   `0 <= minimumFractionDigits <= fractionDigits`.
    @inlinable
    static func format<M: FixedWidthInteger & UnsignedInteger>(
        _ magnitude: M, negative: Bool, fractionDigits: Int, minimumFractionDigits: Int,
        into buffer: UnsafeMutablePointer<UInt8>
    ) -> Int {
        let scale = pow10(fractionDigits, as: M.self) ?? 1
        var whole = magnitude / scale
        var fraction = magnitude % scale
        // Drop trailing zeros of the fraction, but keep at least minimumFractionDigits.
        var fractionLength = fractionDigits
        if fraction == 0 {
            fractionLength = 0
        } else {
            while fraction % 10 == 0 {
                fraction /= 10
                fractionLength &-= 1
            }
        }
        if fractionLength < minimumFractionDigits {
            fraction &*= pow10(minimumFractionDigits &- fractionLength, as: M.self) ?? 1
            fractionLength = minimumFractionDigits
        }
        var wholeLength = 1
        var probe = whole / 10
        while probe != 0 {
            wholeLength &+= 1
            probe /= 10
        }
        let sign = negative && magnitude != 0 ? 1 : 0
        let total = sign &+ wholeLength &+ (fractionLength > 0 ? fractionLength &+ 1 : 0)
        // Write right to left.
        var p = total
        for _ in 0..<fractionLength {
            p &-= 1
            buffer[p] = zero &+ UInt8(truncatingIfNeeded: fraction % 10)
            fraction /= 10
        }
        if fractionLength > 0 {
            p &-= 1
            buffer[p] = point
        }
        repeat {
            p &-= 1
            buffer[p] = zero &+ UInt8(truncatingIfNeeded: whole % 10)
            whole /= 10
        } while p > sign
        if sign == 1 { buffer[0] = minus }
        return total
    }
}
