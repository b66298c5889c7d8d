import TernCore

// The engine's plain-data state records. All integers: quantities and prices are raw 10^-9
// units, money is raw 10^-18 units (`Money.rawValue`), times are nanoseconds.

/// Per instrument: market data the checks read and the head of the instrument's working-order list.
struct MarketState {
    var bid: Int64 = 0
    var ask: Int64 = 0
    var last: Int64 = 0
    var hasQuote = false
    var hasLast = false
    var stamp: Int64 = 0
    var session: SessionState = .open
    var driftAnchor: Int64 = 0
    var driftStart: Int64 = 0
    var hasDriftAnchor = false
    var head: Int32 = -1
    /// Accounts with a nonzero position in this instrument.
    var holders: Int32 = 0
}

/// Per (account, instrument): the position and everything working against it (notes §3.2).
public struct PositionState: Hashable, Sendable {
    /// Signed filled net position.
    public var position: Int64 = 0
    /// Leaves of working buys / sells, including orders sent but not acknowledged, and the larger
    /// side of replaces in flight.
    public var openBuyQuantity: Int64 = 0
    public var openSellQuantity: Int64 = 0
    /// Notional of those leaves (money raw units).
    public var openBuyNotional: Int128 = 0
    public var openSellNotional: Int128 = 0
    public var workingCount: Int32 = 0
    /// Leaves of working reduce-only orders per side.
    public var reduceOnlyBuy: Int64 = 0
    public var reduceOnlySell: Int64 = 0
    /// Σ signed quantity × price × multiplier of the open position (average-cost basis).
    public var costBasis: Int128 = 0
    /// Realized P&L since the trading day began.
    public var realized: Int128 = 0
    /// Unrealized P&L at the conservative mark (longs at the bid, shorts at the ask).
    public var unrealized: Int128 = 0
    /// Unrealized P&L when the trading day began (daily P&L counts the change).
    public var unrealizedAtDayStart: Int128 = 0
    /// |position| × mark × multiplier (for credit).
    public var markValue: Int128 = 0
}

/// Per account, and once for the firm: sums over instruments.
public struct ExposureTotals: Hashable, Sendable {
    public var workingCount: Int = 0
    public var workingNotional: Int128 = 0
    public var markValue: Int128 = 0
    public var realized: Int128 = 0
    /// Σ (unrealized − unrealizedAtDayStart).
    public var unrealizedChange: Int128 = 0
    /// Instruments with a nonzero position.
    public var holdings: Int = 0

    /// Credit in use: marked positions plus working orders.
    public var creditUsed: Int128 { markValue &+ workingNotional }
    /// The trading day's P&L.
    public var dailyPnL: Int128 { realized &+ unrealizedChange }
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
}
