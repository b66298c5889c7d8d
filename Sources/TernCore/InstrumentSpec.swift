/// What Tern needs to know about a tradable instrument to price, size and check orders.
///
/// Validated at creation, so code that holds an `InstrumentSpec` can rely on: positive tick, lot
/// and multiplier; `0 < minQuantity <= maxQuantity`; both limits on lot. The hot path never
/// re-checks these. `BitwiseCopyable` (the symbol is stored inline), so specs sit in flat tables.
@frozen
public struct InstrumentSpec: Hashable, Sendable, BitwiseCopyable {
    /// The instrument's dense identity.
    public let id: InstrumentID
    /// The venue's symbol.
    public let symbol: Symbol
    /// The minimum price increment. Valid prices are exact multiples of it.
    public let tickSize: Price
    /// The minimum quantity increment. Valid quantities are exact multiples of it.
    public let lotSize: Quantity
    /// The currency value of one unit of price times one unit of quantity.
    public let multiplier: ContractMultiplier
    /// The smallest order quantity.
    public let minQuantity: Quantity
    /// The largest order quantity.
    public let maxQuantity: Quantity
    /// The currency prices and notionals are quoted in.
    public let currency: Currency
    /// Whether prices below zero are valid (calendar spreads, some energy contracts).
    public let allowsNegativePrices: Bool

    /// Creates a validated instrument specification.
    ///
    /// - Throws: `InstrumentSpecError` naming the first field that breaks a rule.
    public init(
        id: InstrumentID, symbol: Symbol, tickSize: Price, lotSize: Quantity,
        multiplier: ContractMultiplier = .one, minQuantity: Quantity? = nil, maxQuantity: Quantity,
        currency: Currency, allowsNegativePrices: Bool = false
    ) throws(InstrumentSpecError) {
        let minQuantity = minQuantity ?? Quantity(rawValue: lotSize.rawValue)
        guard tickSize.rawValue > 0 else { throw .nonPositive(field: "tickSize", value: tickSize.description) }
        guard lotSize.rawValue > 0 else { throw .nonPositive(field: "lotSize", value: lotSize.description) }
        guard multiplier.rawValue > 0 else {
            throw .nonPositive(field: "multiplier", value: multiplier.description)
        }
        guard minQuantity.rawValue > 0 else {
            throw .nonPositive(field: "minQuantity", value: minQuantity.description)
        }
        guard minQuantity <= maxQuantity else {
            throw .minimumAboveMaximum(minimum: minQuantity.description, maximum: maxQuantity.description)
        }
        guard minQuantity.isMultiple(of: lotSize) else {
            throw .notOnLot(field: "minQuantity", value: minQuantity.description, lot: lotSize.description)
        }
        guard maxQuantity.isMultiple(of: lotSize) else {
            throw .notOnLot(field: "maxQuantity", value: maxQuantity.description, lot: lotSize.description)
        }
        self.id = id
        self.symbol = symbol
        self.tickSize = tickSize
        self.lotSize = lotSize
        self.multiplier = multiplier
        self.minQuantity = minQuantity
        self.maxQuantity = maxQuantity
        self.currency = currency
        self.allowsNegativePrices = allowsNegativePrices
    }

    /// Whether `price` is an exact multiple of the tick size. An integer test, no tolerance.
    @inlinable
    public func isOnTick(_ price: Price) -> Bool { price.isMultiple(of: tickSize) }

    /// Whether `quantity` is an exact multiple of the lot size.
    @inlinable
    public func isOnLot(_ quantity: Quantity) -> Bool { quantity.isMultiple(of: lotSize) }

    /// Whether `price` is allowed by sign: positive, or zero and below when the instrument allows
    /// negative prices. (Zero is never a valid price for instruments that do not.)
    @inlinable
    public func isPriceSignValid(_ price: Price) -> Bool { allowsNegativePrices || price.rawValue > 0 }

    /// `price` moved to a tick with `rule` (`.down` for a buy that must not pay more, `.up` for a sell).
    @inlinable
    public func roundToTick(_ price: Price, _ rule: RoundingRule) throws(FixedPointError) -> Price {
        try price.rounded(toMultipleOf: tickSize, rule)
    }

    /// `quantity` moved to a lot with `rule` (usually `.towardZero`, so an order never grows).
    @inlinable
    public func roundToLot(_ quantity: Quantity, _ rule: RoundingRule) throws(FixedPointError) -> Quantity {
        try quantity.rounded(toMultipleOf: lotSize, rule)
    }

    /// The notional value `price × quantity × multiplier` in `currency`.
    ///
    /// - Throws: `.overflow` if it is out of `Money`'s range; never traps.
    @inlinable
    public func notional(
        price: Price, quantity: Quantity, rounding rule: RoundingRule
    ) throws(FixedPointError)
        -> Money
    {
        try Money.notional(price: price, quantity: quantity, multiplier: multiplier, rounding: rule)
    }
}

/// Why an `InstrumentSpec`, `Symbol` or `Currency` could not be built.
public enum InstrumentSpecError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A field that must be positive is zero or negative.
    case nonPositive(field: String, value: String)
    /// `minQuantity` is above `maxQuantity`.
    case minimumAboveMaximum(minimum: String, maximum: String)
    /// A quantity limit is not a multiple of the lot size.
    case notOnLot(field: String, value: String, lot: String)
    /// A symbol is empty, longer than 32 bytes, or has bytes outside printable ASCII.
    case invalidSymbol(String)
    /// A currency code is not 1 to 8 characters of A–Z and 0–9.
    case invalidCurrencyCode(String)
    /// A minor-unit exponent is outside 0...18.
    case invalidMinorUnitExponent(Int)

    public var description: String {
        switch self {
        case .nonPositive(let field, let value):
            "\(field) must be positive, got \(value)"
        case .minimumAboveMaximum(let minimum, let maximum):
            "minQuantity \(minimum) is above maxQuantity \(maximum)"
        case .notOnLot(let field, let value, let lot):
            "\(field) \(value) is not a multiple of the lot size \(lot)"
        case .invalidSymbol(let text):
            "invalid symbol \(String(reflecting: text)): expected 1 to 32 bytes of printable ASCII, "
                + "no space at either end"
        case .invalidCurrencyCode(let text):
            "invalid currency code \(String(reflecting: text)): expected 1 to 8 characters A-Z, 0-9"
        case .invalidMinorUnitExponent(let value):
            "invalid minor-unit exponent \(value): expected 0 to 18"
        }
    }
}
