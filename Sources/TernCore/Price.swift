/// A price: a signed decimal with 9 fraction digits, stored as an `Int64` count of 10^-9 units.
///
/// ## Range
/// ±9,223,372,036.854775807 (`Int64` raw). Negative prices exist (spreads, some energy futures);
/// whether an instrument allows them is `InstrumentSpec.allowsNegativePrices`.
///
/// ## Precision
/// Exactly 9 decimal places: every decimal with at most 9 fraction digits in range is represented
/// exactly and round-trips through `parse(_:)` and `description`.
///
/// ## Building one
/// From text (`try Price.parse("5000.25")`), from raw units (`Price(rawValue: 5_000_250_000_000)`),
/// from whole units (`Price(5000)`), or from a `Double` with an explicit rule
/// (`try Price(5000.25, rounding: .toNearestOrEven)`). Never implicitly from floating point.
///
/// ## Overflow
/// `+`, `-`, `*` trap like `Int`'s. Paths fed by outside input use the `…ReportingOverflow` or
/// throwing forms (see `FixedPointNumber`).
///
/// ## Performance
/// `parse(utf8:)` is a single pass over the bytes with no allocation; see docs/benchmarks.md.
@frozen
public struct Price: FixedPointNumber {
    /// The raw value: the price times `Price.scale`.
    public var rawValue: Int64

    /// Creates a price from its raw value (the price times `scale`, 10^9).
    @inlinable @inline(__always)
    public init(rawValue: Int64) { self.rawValue = rawValue }

    /// The number of raw units in 1.0: 10^9.
    public static let scale: Int64 = 1_000_000_000
    /// The number of fraction digits: 9.
    @inlinable public static var fractionDigits: Int { 9 }
}

/// A quantity: a signed decimal with 9 fraction digits, stored as an `Int64` count of 10^-9 units.
///
/// Order quantities are positive; signed values represent positions and position changes.
/// The lot test is `quantity.isMultiple(of: spec.lotSize)`. Range, precision, text and overflow
/// rules are those of `Price`.
@frozen
public struct Quantity: FixedPointNumber {
    /// The raw value: the quantity times `Quantity.scale`.
    public var rawValue: Int64

    /// Creates a quantity from its raw value (the quantity times `scale`, 10^9).
    @inlinable @inline(__always)
    public init(rawValue: Int64) { self.rawValue = rawValue }

    /// The number of raw units in 1.0: 10^9.
    public static let scale: Int64 = 1_000_000_000
    /// The number of fraction digits: 9.
    @inlinable public static var fractionDigits: Int { 9 }
}

/// A contract multiplier (contract size): how much of the currency one unit of price times one
/// unit of quantity is worth. 50 for CME E-mini S&P 500, 5 for Micro E-mini, 0.1 for CME Micro
/// Bitcoin, 1 for spot and linear perpetuals.
///
/// A signed decimal with 9 fraction digits (`Int64` raw), like `Price`; `InstrumentSpec` requires
/// it to be positive.
@frozen
public struct ContractMultiplier: FixedPointNumber {
    /// The raw value: the multiplier times `ContractMultiplier.scale`.
    public var rawValue: Int64

    /// Creates a multiplier from its raw value (the multiplier times `scale`, 10^9).
    @inlinable @inline(__always)
    public init(rawValue: Int64) { self.rawValue = rawValue }

    /// The number of raw units in 1.0: 10^9.
    public static let scale: Int64 = 1_000_000_000
    /// The number of fraction digits: 9.
    @inlinable public static var fractionDigits: Int { 9 }
    /// A multiplier of one.
    @inlinable public static var one: ContractMultiplier { ContractMultiplier(rawValue: scale) }
}
