/// Buy or sell. Raw values are stable codes (the journal and the C ABI carry them).
@frozen
public enum Side: UInt8, Sendable, BitwiseCopyable, Hashable, CaseIterable, CustomStringConvertible {
    case buy = 1
    case sell = 2

    /// The other side.
    @inlinable public var opposite: Side { self == .buy ? .sell : .buy }

    /// +1 for buy, -1 for sell: the sign a fill of this side adds to a position.
    @inlinable public var sign: Int64 { self == .buy ? 1 : -1 }

    public var description: String { self == .buy ? "buy" : "sell" }
}

/// How an order is priced. Raw values are stable codes.
@frozen
public enum OrderType: UInt8, Sendable, BitwiseCopyable, Hashable, CaseIterable, CustomStringConvertible {
    /// Executes at the stated limit price or better.
    case limit = 1
    /// Executes at whatever price the market offers (risk uses a reference price and a band).
    case market = 2
    /// Becomes a market order when the stop price trades.
    case stop = 3
    /// Becomes a limit order when the stop price trades.
    case stopLimit = 4

    /// Whether the order carries a limit price.
    @inlinable @inline(__always) public var hasLimitPrice: Bool { self == .limit || self == .stopLimit }
    /// Whether the order carries a stop (trigger) price.
    @inlinable @inline(__always) public var hasStopPrice: Bool { self == .stop || self == .stopLimit }

    public var description: String {
        switch self {
        case .limit: "limit"
        case .market: "market"
        case .stop: "stop"
        case .stopLimit: "stopLimit"
        }
    }
}

/// How long an order stays working. Raw values are stable codes.
@frozen
public enum TimeInForce: UInt8, Sendable, BitwiseCopyable, Hashable, CaseIterable, CustomStringConvertible {
    /// Until the end of the trading day.
    case day = 1
    /// Until cancelled.
    case goodTillCancel = 2
    /// Executes what it can at once; the rest is cancelled.
    case immediateOrCancel = 3
    /// Executes in full at once or not at all.
    case fillOrKill = 4
    /// Until the order's expiry time.
    case goodTillDate = 5

    public var description: String {
        switch self {
        case .day: "day"
        case .goodTillCancel: "goodTillCancel"
        case .immediateOrCancel: "immediateOrCancel"
        case .fillOrKill: "fillOrKill"
        case .goodTillDate: "goodTillDate"
        }
    }
}
