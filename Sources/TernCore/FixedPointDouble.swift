extension FixedPointNumber {
    /// Converts a `Double` with an explicit rounding rule. The only way from floating point into
    /// Tern's numbers.
    ///
    /// The conversion is exact: it rounds the binary value the `Double` actually holds (0.1 is
    /// 0.1000000000000000055511151231257827…), not a decimal approximation of it, so the result is
    /// the correctly rounded fixed-point value under `rule`. `-0.0` becomes zero.
    ///
    /// - Throws: `.notANumber` or `.infinity` for non-finite input; `.outOfRange` if the rounded
    ///   value does not fit.
    @inlinable
    public init(_ value: Double, rounding rule: RoundingRule) throws(FixedPointError) {
        guard value.isFinite else { throw FixedPointError(value.isNaN ? .notANumber : .infinity) }
        if value == 0 {
            self.init(rawValue: 0)
            return
        }
        let negative = value < 0
        // |value| = significand × 2^exponent with an integer significand of at most 53 bits.
        let bits = value.magnitude
        let significand: UInt64 =
            bits.isNormal ? (bits.significandBitPattern | (1 << 52)) : bits.significandBitPattern
        let exponent = (bits.isNormal ? Int(bits.exponent) : -1022) - 52
        guard let scale = _DecimalText.pow10(Self.fractionDigits, as: UInt128.self) else {
            throw _DecimalText.outOfRange(Self.fractionDigits)
        }
        // Safe: 53 bits × at most 10^18 (60 bits) stays within 128 bits.
        let scaled = UInt128(significand) * scale
        var magnitude: UInt128
        if exponent >= 0 {
            // An integer: shift left, checking that nothing falls off the top.
            guard exponent < 128, scaled.leadingZeroBitCount > exponent else {
                throw _DecimalText.outOfRange(Self.fractionDigits)
            }
            magnitude = scaled << UInt128(exponent)
        } else {
            let shift = -exponent
            let quotient: UInt128
            let cut: _RemainderClass
            if shift >= 128 {
                // Far below one raw unit: the quotient is zero and the remainder is below half.
                quotient = 0
                cut = .belowHalf
            } else {
                quotient = scaled >> UInt128(shift)
                let remainder = scaled & ((1 << UInt128(shift)) &- 1)
                cut = _RemainderClass.of(remainder: remainder, divisor: 1 << UInt128(shift))
            }
            guard let rounded = cut.roundedMagnitude(quotient, negative: negative, rule: rule) else {
                throw _DecimalText.outOfRange(Self.fractionDigits)
            }
            magnitude = rounded
        }
        guard magnitude <= UInt128(truncatingIfNeeded: RawValue.Magnitude.max),
            let raw = _DecimalText.signed(
                RawValue.Magnitude(truncatingIfNeeded: magnitude), negative: negative, as: RawValue.self)
        else { throw _DecimalText.outOfRange(Self.fractionDigits) }
        self.init(rawValue: raw)
    }
}

extension Double {
    /// The nearest `Double` to a fixed-point value.
    ///
    /// Correctly rounded (to nearest, ties to even) when `|rawValue| <= 2^53`, which for the 9-digit
    /// types is every value up to 9,007,199.254740992 in magnitude; beyond that it can be one ulp
    /// off, because the raw value is rounded to `Double` before the division by the scale.
    /// Use it for display, statistics and model features, never to build prices again.
    @inlinable
    public init<T: FixedPointNumber>(_ value: T) {
        self = Double(value.rawValue) / Double(T.unitRawValue)
    }
}
