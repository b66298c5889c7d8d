// Hot-path probes: each function calls one hot API exactly as a client module does, so its
// release build holds the same specialized, inlined code a user's binary gets.
// scripts/check-hot-paths.sh disassembles every function here, follows each call into TernCore,
// and fails on retain/release, exclusivity checks and allocations. Later issues add their own
// probes (risk check, tree inference, journal append).
//
// Names are stable: the script lists them, and a missing probe fails the check.

public import TernCore

/// `Price.parse(utf8:)`: the feed decoders' path.
@inline(never)
public func probePriceParseUTF8(_ bytes: UnsafeRawBufferPointer) throws(FixedPointError) -> Price {
    try Price.parse(utf8: bytes)
}

/// `Quantity.parse(utf8:rounding:)`: rounding extra digits from a venue.
@inline(never)
public func probeQuantityParseRounding(_ bytes: UnsafeRawBufferPointer) throws(FixedPointError) -> Quantity {
    try Quantity.parse(utf8: bytes, rounding: .toNearestOrEven)
}

/// `Price.parse(_:)` on a native `String`.
@inline(never)
public func probePriceParseString(_ text: String) throws(FixedPointError) -> Price {
    try Price.parse(text)
}

/// `Money.parse(utf8:)`: the 128-bit parser.
@inline(never)
public func probeMoneyParseUTF8(_ bytes: UnsafeRawBufferPointer) throws(FixedPointError) -> Money {
    try Money.parse(utf8: bytes)
}

/// `Price.writeDecimal(into:)`: formatting without allocation (journal, logs off the hot thread).
@inline(never)
public func probePriceWriteDecimal(_ price: Price, _ buffer: UnsafeMutableRawBufferPointer) -> Int? {
    price.writeDecimal(into: buffer)
}

/// `Money.notional(price:quantity:multiplier:rounding:)`: the risk check's notional.
@inline(never)
public func probeNotional(
    _ price: Price, _ quantity: Quantity, _ multiplier: ContractMultiplier
)
    throws(FixedPointError) -> Money
{
    try Money.notional(price: price, quantity: quantity, multiplier: multiplier, rounding: .awayFromZero)
}

/// `InstrumentSpec.notional` and the tick and lot tests, as the risk check calls them.
@inline(never)
public func probeSpecChecks(
    _ spec: InstrumentSpec, _ price: Price, _ quantity: Quantity
) throws(FixedPointError)
    -> Money
{
    guard spec.isOnTick(price), spec.isOnLot(quantity), spec.isPriceSignValid(price) else { return .zero }
    return try spec.notional(price: price, quantity: quantity, rounding: .awayFromZero)
}

/// `Price.rounded(toMultipleOf:_:)`: snapping a computed price to the tick.
@inline(never)
public func probeRoundToTick(_ price: Price, _ tick: Price) throws(FixedPointError) -> Price {
    try price.rounded(toMultipleOf: tick, .toNearestOrEven)
}

/// `Price(_:rounding:)` from a `Double` (a model's output turned into a price).
@inline(never)
public func probePriceFromDouble(_ value: Double) throws(FixedPointError) -> Price {
    try Price(value, rounding: .down)
}

/// Checked arithmetic on money: accumulating exposure.
@inline(never)
public func probeMoneyAccumulate(_ total: Money, _ add: Money) -> (partialValue: Money, overflow: Bool) {
    total.addingReportingOverflow(add)
}
