import TernCore

// The engine's plain-data state records. All integers: quantities and prices are raw 10^-9
// units, money is raw 10^-18 units (`Money.rawValue`), times are nanoseconds.

/// Per instrument: market data the checks read and the head of the instrument's working-order list.
/// What a new order's checks read comes first (40 bytes), the drift anchor last.
struct MarketState {
    var bid: Int64 = 0
    var ask: Int64 = 0
    var last: Int64 = 0
    var stamp: Int64 = 0
    var head: Int32 = -1
    var hasQuote = false
    var hasLast = false
    var session: SessionState = .open
    var hasDriftAnchor = false
    /// Accounts with a nonzero position in this instrument.
    var holders: Int32 = 0
    var driftAnchor: Int64 = 0
    var driftStart: Int64 = 0
}

/// Per (account, instrument): the position and everything working against it (notes §3.2).
///
/// The fields a new order's checks read come first (44 bytes), the money fields after.
public struct PositionState: Hashable, Sendable {
    /// Signed filled net position.
    public var position: Int64 = 0
    /// Leaves of working buys / sells, including orders sent but not acknowledged, and the larger
    /// side of replaces in flight.
    public var openBuyQuantity: Int64 = 0
    public var openSellQuantity: Int64 = 0
    /// Leaves of working reduce-only orders per side.
    public var reduceOnlyBuy: Int64 = 0
    public var reduceOnlySell: Int64 = 0
    public var workingCount: Int32 = 0
    /// Notional of those leaves (money raw units).
    public var openBuyNotional: Int128 = 0
    public var openSellNotional: Int128 = 0
    /// Σ signed quantity × price × multiplier of the open position (average-cost basis).
    public var costBasis: Int128 = 0
    /// Realized P&L since the trading day began, before fees.
    public var realized: Int128 = 0
    /// Fees since the trading day began (positive is a cost).
    public var fees: Int128 = 0
    /// Unrealized P&L at the conservative mark (longs at the bid, shorts at the ask).
    public var unrealized: Int128 = 0
    /// Unrealized P&L when the trading day began (daily P&L counts the change).
    public var unrealizedAtDayStart: Int128 = 0
    /// |position| × mark × multiplier (for credit).
    public var markValue: Int128 = 0

    /// A flat position with nothing working (what every position starts as).
    public init() {}
}

/// Per account, and once for the firm: sums over instruments.
public struct ExposureTotals: Hashable, Sendable {
    public var workingCount: Int = 0
    public var workingNotional: Int128 = 0
    public var markValue: Int128 = 0
    public var realized: Int128 = 0
    /// Fees since the trading day began (positive is a cost).
    public var fees: Int128 = 0
    /// Σ (unrealized − unrealizedAtDayStart).
    public var unrealizedChange: Int128 = 0
    /// Instruments with a nonzero position.
    public var holdings: Int = 0

    /// Credit in use: marked positions plus working orders.
    @inline(__always) public var creditUsed: Int128 { markValue &+ workingNotional }
    /// The trading day's P&L: realized net of fees, plus the change in unrealized.
    @inline(__always) public var dailyPnL: Int128 { realized &- fees &+ unrealizedChange }

    public init() {}
}

/// One working order (from the moment it is sent until it is closed).
struct WorkingOrder {
    var id: UInt64 = 0
    var originalID: UInt64 = 0
    var pendingID: UInt64 = 0
    var account: Int32 = 0
    var strategy: Int32 = 0
    var instrument: Int32 = 0
    var side: Side = .buy
    var type: OrderType = .limit
    var flags: OrderFlags = []
    var cancelRequested = false
    /// The limit price, or the worst price a market order was reserved at.
    var price: Int64 = 0
    var quantity: Int64 = 0
    var cumulative: Int64 = 0
    var leaves: Int64 = 0
    var pendingPrice: Int64 = 0
    var pendingQuantity: Int64 = 0
    var reservedQuantity: Int64 = 0
    var reservedNotional: Int128 = 0
    var sequence: UInt64 = 0
    var prev: Int32 = -1
    var next: Int32 = -1
    var instrumentPrev: Int32 = -1
    var instrumentNext: Int32 = -1
}

/// An order that closed recently (to attribute a late fill).
struct ClosedOrder {
    var id: UInt64 = 0
    var originalID: UInt64 = 0
    var account: Int32 = -1
    var strategy: Int32 = 0
    var instrument: Int32 = 0
    var side: Side = .buy
}

/// Engine counters for monitoring.
public struct RiskCounters: Hashable, Sendable {
    public var accepted: Int = 0
    public var denied: Int = 0
    public var cancelsEmitted: Int = 0
    public var lateFills: Int = 0
    public var overfills: Int = 0
    public var unattributedFills: Int = 0
    public var duplicateExecutions: Int = 0
    public var unknownOrderEvents: Int = 0

    public init() {}
}

/// The fields of one `InstrumentRisk` that the check path reads, copied at creation into a
/// 64-byte-aligned array with a 128-byte stride: two cache lines per instrument where the full
/// `InstrumentRisk` (symbol, currency, auction and drift bands) spans five. Bands use −1 for "not
/// configured". Cold fields (auction band, drift band) are read from `InstrumentRisk` itself.
struct InstrumentHot {
    // First line: quantities and the multiplier.
    var tick: Int64
    var lot: Int64
    var minQuantity: Int64
    var maxQuantity: Int64
    var multiplier: Int64
    var maxOrderQuantity: Int64
    var maxLong: Int64
    var maxShort: Int64
    // Second line: notional, reference age, band, drift window, capabilities.
    var maxOrderNotional: Int128
    var maxReferenceAge: Int64
    var bandTicks: Int64
    var bandBasisPoints: Int64
    var driftWindow: Int64
    var orderTypes: UInt16
    var timesInForce: UInt16
    var allowsNegativePrices: Bool
    var aggressiveOnlyBand: Bool
    /// 0: the firm currency; otherwise the index of the instrument's foreign currency (FX.swift).
    var currency: UInt8 = 0

    init(_ r: InstrumentRisk) {
        tick = r.spec.tickSize.rawValue
        lot = r.spec.lotSize.rawValue
        minQuantity = r.spec.minQuantity.rawValue
        maxQuantity = r.spec.maxQuantity.rawValue
        multiplier = r.spec.multiplier.rawValue
        maxOrderQuantity = r.maxOrderQuantity.rawValue
        maxLong = r.maxLong.rawValue
        maxShort = r.maxShort.rawValue
        maxOrderNotional = r.maxOrderNotional.rawValue
        maxReferenceAge = r.maxReferenceAgeNanoseconds
        bandTicks = r.band.ticks ?? -1
        bandBasisPoints = r.band.basisPoints ?? -1
        driftWindow = r.driftWindowNanoseconds
        orderTypes = r.capabilities.orderTypes
        timesInForce = r.capabilities.timesInForce
        allowsNegativePrices = r.spec.allowsNegativePrices
        aggressiveOnlyBand = r.aggressiveOnlyBand
    }
}
