public import TernCore
public import TernMarketData

/// A request the engine hands to the gateway thread.
@frozen
public enum OrderRequest: Sendable, BitwiseCopyable, Equatable {
    case new(NewOrder)
    case cancel(CancelOrder)
    case replace(ReplaceOrder)

    public var instrumentID: InstrumentID {
        switch self {
        case .new(let o): o.instrumentID
        case .cancel(let c): c.instrumentID
        case .replace(let r): r.instrumentID
        }
    }
}

/// Where orders go: a venue adapter (the simulated venue here; FIX later).
///
/// `send` runs on the gateway thread, once per request, in the engine's order. `nextReport` and
/// `marketTime` run on the engine thread: the engine drains reports before every market event
/// and hands them to the order manager, risk, the journal and the strategy, in that order.
public protocol OrderGateway: AnyObject {
    /// Sends one request (gateway thread).
    func send(_ request: OrderRequest)
    /// The market reached time `now`; `handedOff` requests have been given to the gateway thread
    /// so far. A simulated venue matches up to `now` here; a live adapter may ignore it.
    func marketTime(_ now: Timestamp, handedOff: UInt64)
    /// The next execution report due by `now`, or nil (engine thread).
    func nextReport(until now: Timestamp) -> OrderEvent?
    /// A trade printed on `book` (engine thread; for simulated fills through resting orders).
    func trade(on book: MarketBook, aggressor: BookSide?, price: Price, size: Quantity, at now: Timestamp)
    /// `book` changed and is consistent (engine thread; for simulated crosses and queues).
    func bookChanged(_ book: MarketBook, at now: Timestamp)
    /// The engine's books, indexed by instrument (called once, by the engine's `init`).
    func attach(_ books: [MarketBook])
    /// The earliest market time at which the gateway has something to do (a request to match, a
    /// report to deliver): the engine moves time there when the data has ended. nil for a live
    /// gateway, or when nothing is pending.
    var nextDue: Timestamp? { get }
}

extension OrderGateway {
    public func attach(_ books: [MarketBook]) {}
    public var nextDue: Timestamp? { nil }
    public func marketTime(_ now: Timestamp, handedOff: UInt64) {}
    public func trade(on book: MarketBook, aggressor: BookSide?, price: Price, size: Quantity, at now: Timestamp) {}
    public func bookChanged(_ book: MarketBook, at now: Timestamp) {}
}
