/// An amount of money (a notional, a limit, a P&L): a signed decimal with 18 fraction digits,
/// stored as an `Int128` count of 10^-18 units.
///
/// ## Why 18 digits and 128 bits
/// A price (10^-9) times a quantity (10^-9) is exactly representable at 10^-18, so
/// `Money(price:quantity:)` is exact and cannot overflow, and a notional with a whole-number
/// multiplier is exact unless it exceeds the range. The range, ±1.7 × 10^20 currency units, covers
/// aggregate exposures even in currencies such as JPY, KRW or IDR, which a 64-bit type at 10^-9
/// (±9.2 × 10^9) does not. See docs/decisions/0001-fixed-point-numbers.md.
///
/// ## Rounding
/// Values are only rounded when you ask: to a currency's minor unit with `rounded(to:_:)` or
/// `minorUnits(of:_:)`, or when a fractional multiplier makes the exact notional need more than 18
/// fraction digits (the `rounding` argument of `notional`).
@frozen
public struct Money: FixedPointNumber {
    /// The raw value: the amount times `Money.scale`.
    public var rawValue: Int128

    /// Creates an amount from its raw value (the amount times `scale`, 10^18).
    @inlinable @inline(__always)
    public init(rawValue: Int128) { self.rawValue = rawValue }

    /// The number of raw units in 1.0: 10^18.
    public static let scale: Int128 = 1_000_000_000_000_000_000
    /// The number of fraction digits: 18.
    @inlinable public static var fractionDigits: Int { 18 }

    /// The exact product `price × quantity`. Cannot overflow: |Int64.min|² = 2^126 fits `Int128`.
    @inlinable
    public init(price: Price, quantity: Quantity) {
        // Safe: the scales multiply to 10^18, Money's scale; the product of two Int64 fits Int128.
        self.init(rawValue: Int128(price.rawValue) * Int128(quantity.rawValue))
    }

    /// The notional value `price × quantity × multiplier`.
    ///
    /// Exact whenever the result has at most 18 fraction digits, which is always the case for a
    /// whole-number multiplier; otherwise the exact product is rounded once with `rule`. (A
    /// conservative risk check rounds `.awayFromZero`.)
    ///
    /// - Throws: `.overflow` if the result is outside `Money`'s range. Never traps.
    /// - Complexity: O(1); two 64×64→128-bit multiplies and, for a fractional multiplier, three
    ///   divisions by the constant 10^9.
    @inlinable
    public static func notional(
        price: Price, quantity: Quantity, multiplier: ContractMultiplier, rounding rule: RoundingRule
    ) throws(FixedPointError) -> Money {
        let product = Int128(price.rawValue) * Int128(quantity.rawValue)  // exact, at 10^-18
        let scale = UInt128(ContractMultiplier.scale)
        let negative = (product < 0) != (multiplier.rawValue < 0)
        let m = UInt128(multiplier.rawValue.magnitude)
        let (mWhole, mFraction) = (m / scale, m % scale)
        let p = product.magnitude  // < 2^127
        // |product| × m / 10^9 = p × mWhole + (p × mFraction) / 10^9, and with p = a·10^9 + b:
        // (p × mFraction) / 10^9 = a × mFraction + (b × mFraction) / 10^9, where a × mFraction stays
        // below 2^127 (a < 2^97, mFraction < 10^9 < 2^30) and b × mFraction < 10^18.
        let (whole, overflow) = p.multipliedReportingOverflow(by: mWhole)
        guard !overflow else { throw FixedPointError(.overflow) }
        var magnitude = whole
        var cut = _RemainderClass.zero
        if mFraction != 0 {
            let (a, b) = (p / scale, p % scale)
            let small = b * mFraction
            let (sum, overflow1) = magnitude.addingReportingOverflow(a * mFraction)
            let (total, overflow2) = sum.addingReportingOverflow(small / scale)
            guard !overflow1, !overflow2 else { throw FixedPointError(.overflow) }
            cut = _RemainderClass.of(remainder: small % scale, divisor: scale)
            guard let rounded = cut.roundedMagnitude(total, negative: negative, rule: rule) else {
                throw FixedPointError(.overflow)
            }
            magnitude = rounded
        }
        guard let raw = _DecimalText.signed(magnitude, negative: negative, as: Int128.self) else {
            throw FixedPointError(.overflow)
        }
        return Money(rawValue: raw)
    }

    /// This amount rounded to the minor unit of `currency` (cents for USD, whole yen for JPY).
    ///
    /// - Throws: `.overflow` if rounding leaves the range (only at the extreme ends).
    @inlinable
    public func rounded(to currency: Currency, _ rule: RoundingRule) throws(FixedPointError) -> Money {
        try rounded(toFractionDigits: Int(currency.minorUnitExponent), rule)
    }

    /// This amount as a whole number of `currency`'s minor units (cents for USD), rounded with `rule`.
    ///
    /// - Throws: `.overflow` if the count of minor units does not fit an `Int64`.
    @inlinable
    public func minorUnits(of currency: Currency, _ rule: RoundingRule) throws(FixedPointError) -> Int64 {
        let rounded = try rounded(to: currency, rule)
        let step = Money.scale / Int128(_DecimalText.pow10u64(Int(currency.minorUnitExponent)))
        guard let units = Int64(exactly: rounded.rawValue / step) else { throw FixedPointError(.overflow) }
        return units
    }

    /// An amount of `units` minor units of `currency` (`Money(minorUnits: 1999, of: .usd)` is 19.99).
    @inlinable
    public init(minorUnits units: Int64, of currency: Currency) {
        // Safe: 10^18 / 10^k times an Int64 is below 2^63 · 10^18 < 2^127.
        let step = Money.scale / Int128(_DecimalText.pow10u64(Int(currency.minorUnitExponent)))
        self.init(rawValue: Int128(units) * step)
    }
}
