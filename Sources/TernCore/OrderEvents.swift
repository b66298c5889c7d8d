// The order and execution events every module shares: requests Tern sends (new, cancel,
// replace) and what comes back (accepted, rejected, filled, cancel and replace outcomes, expired).
// All are `@frozen`, `BitwiseCopyable` structs of integers, so they travel through rings and the
// journal as plain bytes. `OrderEvent` is their union.

/// Options on a new order.
@frozen
public struct OrderFlags: OptionSet, Hashable, Sendable, BitwiseCopyable {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The order may only reduce the position; risk rejects it otherwise.
    @inlinable public static var reduceOnly: OrderFlags { OrderFlags(rawValue: 1 << 0) }
    /// The order must rest on the book (maker only); the venue rejects it if it would trade at once.
    @inlinable public static var postOnly: OrderFlags { OrderFlags(rawValue: 1 << 1) }
}

/// Whether a fill added or removed liquidity.
@frozen
public enum Liquidity: UInt8, Sendable, BitwiseCopyable, Hashable {
    case unknown = 0
    case maker = 1
    case taker = 2
}

/// A request to place a new order.
@frozen
public struct NewOrder: Hashable, Sendable, BitwiseCopyable {
    public var clientOrderID: ClientOrderID
    public var instrumentID: InstrumentID
    public var accountID: AccountID
    public var strategyID: StrategyID
    public var side: Side
    public var orderType: OrderType
    public var timeInForce: TimeInForce
    public var flags: OrderFlags
    /// The limit price (ignored unless `orderType.hasLimitPrice`).
    public var price: Price
    /// The trigger price (ignored unless `orderType.hasStopPrice`).
    public var stopPrice: Price
    public var quantity: Quantity
    /// When a `.goodTillDate` order expires (ignored otherwise).
    public var expireTime: Timestamp
    /// When the request was created.
    public var timestamp: Timestamp

    @inlinable
    public init(
        clientOrderID: ClientOrderID, instrumentID: InstrumentID, accountID: AccountID, strategyID: StrategyID,
        side: Side, orderType: OrderType = .limit, timeInForce: TimeInForce = .day, flags: OrderFlags = [],
        price: Price, stopPrice: Price = .zero, quantity: Quantity, expireTime: Timestamp = .zero,
        timestamp: Timestamp
    ) {
        self.clientOrderID = clientOrderID
        self.instrumentID = instrumentID
        self.accountID = accountID
        self.strategyID = strategyID
        self.side = side
        self.orderType = orderType
        self.timeInForce = timeInForce
        self.flags = flags
        self.price = price
        self.stopPrice = stopPrice
        self.quantity = quantity
        self.expireTime = expireTime
        self.timestamp = timestamp
    }
}

/// A request to cancel a working order.
@frozen
public struct CancelOrder: Hashable, Sendable, BitwiseCopyable {
    /// This request's own identity.
    public var clientOrderID: ClientOrderID
    /// The order to cancel.
    public var originalClientOrderID: ClientOrderID
    public var instrumentID: InstrumentID
    public var accountID: AccountID
    public var side: Side
    public var timestamp: Timestamp

    @inlinable
    public init(
        clientOrderID: ClientOrderID, originalClientOrderID: ClientOrderID, instrumentID: InstrumentID,
        accountID: AccountID, side: Side, timestamp: Timestamp
    ) {
        self.clientOrderID = clientOrderID
        self.originalClientOrderID = originalClientOrderID
        self.instrumentID = instrumentID
        self.accountID = accountID
        self.side = side
        self.timestamp = timestamp
    }
}

/// A request to change a working order's price and quantity (cancel/replace).
@frozen
public struct ReplaceOrder: Hashable, Sendable, BitwiseCopyable {
    /// This request's own identity; the order carries it once the replace is accepted.
    public var clientOrderID: ClientOrderID
    /// The order to replace.
    public var originalClientOrderID: ClientOrderID
    public var instrumentID: InstrumentID
    public var accountID: AccountID
    public var side: Side
    public var price: Price
    /// The new total order quantity (FIX semantics: filled quantity counts toward it).
    public var quantity: Quantity
    public var timestamp: Timestamp

    @inlinable
    public init(
        clientOrderID: ClientOrderID, originalClientOrderID: ClientOrderID, instrumentID: InstrumentID,
        accountID: AccountID, side: Side, price: Price, quantity: Quantity, timestamp: Timestamp
    ) {
        self.clientOrderID = clientOrderID
        self.originalClientOrderID = originalClientOrderID
        self.instrumentID = instrumentID
        self.accountID = accountID
        self.side = side
        self.price = price
        self.quantity = quantity
        self.timestamp = timestamp
    }
}

/// The venue accepted a new order (FIX ExecType=New).
@frozen
public struct OrderAccepted: Hashable, Sendable, BitwiseCopyable {
    public var clientOrderID: ClientOrderID
    public var orderID: OrderID
    public var instrumentID: InstrumentID
    public var timestamp: Timestamp

    @inlinable
    public init(clientOrderID: ClientOrderID, orderID: OrderID, instrumentID: InstrumentID, timestamp: Timestamp) {
        self.clientOrderID = clientOrderID
        self.orderID = orderID
        self.instrumentID = instrumentID
        self.timestamp = timestamp
    }
}

/// A new order was refused, by risk, the engine or the venue. Also the shape of cancel and
/// replace refusals (`CancelRejected`, `ReplaceRejected`).
@frozen
public struct RequestRejected: Hashable, Sendable, BitwiseCopyable {
    /// The refused request's identity.
    public var clientOrderID: ClientOrderID
    /// For cancel and replace refusals, the order they targeted; otherwise equal to `clientOrderID`.
    public var originalClientOrderID: ClientOrderID
    public var instrumentID: InstrumentID
    public var reason: RejectReason
    public var origin: RejectOrigin
    public var timestamp: Timestamp

    @inlinable
    public init(
        clientOrderID: ClientOrderID, originalClientOrderID: ClientOrderID? = nil, instrumentID: InstrumentID,
        reason: RejectReason, origin: RejectOrigin, timestamp: Timestamp
    ) {
        self.clientOrderID = clientOrderID
        self.originalClientOrderID = originalClientOrderID ?? clientOrderID
        self.instrumentID = instrumentID
        self.reason = reason
        self.origin = origin
        self.timestamp = timestamp
    }
}

/// An execution against a working order (FIX ExecType=Trade).
@frozen
public struct Fill: Hashable, Sendable, BitwiseCopyable {
    public var clientOrderID: ClientOrderID
    public var orderID: OrderID
    public var executionID: ExecutionID
    public var instrumentID: InstrumentID
    public var side: Side
    public var liquidity: Liquidity
    /// The price of this execution.
    public var price: Price
    /// The quantity of this execution (FIX LastQty).
    public var quantity: Quantity
    /// What is left working after it (FIX LeavesQty); zero when the order is complete.
    public var leavesQuantity: Quantity
    public var timestamp: Timestamp
    /// The fee the venue reports for this execution (FIX Commission), in the instrument's currency:
    /// positive is a cost, negative a rebate; zero when the venue does not report one. Risk adds
    /// the instrument's own fee schedule (`FeeSchedule`) on top. (Last, after `timestamp`, so the
    /// 16-byte-aligned amount needs no padding: the event stays 80 bytes.)
    public var fee: Money

    @inlinable
    public init(
        clientOrderID: ClientOrderID, orderID: OrderID, executionID: ExecutionID, instrumentID: InstrumentID,
        side: Side, liquidity: Liquidity = .unknown, price: Price, quantity: Quantity, leavesQuantity: Quantity,
        fee: Money = .zero, timestamp: Timestamp
    ) {
        self.clientOrderID = clientOrderID
        self.orderID = orderID
        self.executionID = executionID
        self.instrumentID = instrumentID
        self.side = side
        self.liquidity = liquidity
        self.price = price
        self.quantity = quantity
        self.leavesQuantity = leavesQuantity
        self.fee = fee
        self.timestamp = timestamp
    }
}

/// A working order ended without (further) execution: cancel accepted, or expired.
@frozen
public struct OrderClosed: Hashable, Sendable, BitwiseCopyable {
    /// The cancel request's identity (for an expiry, the order's own).
    public var clientOrderID: ClientOrderID
    /// The order that ended.
    public var originalClientOrderID: ClientOrderID
    public var orderID: OrderID
    public var instrumentID: InstrumentID
    /// The quantity that was still working and is now gone.
    public var closedQuantity: Quantity
    public var timestamp: Timestamp

    @inlinable
    public init(
        clientOrderID: ClientOrderID, originalClientOrderID: ClientOrderID? = nil, orderID: OrderID,
        instrumentID: InstrumentID, closedQuantity: Quantity, timestamp: Timestamp
    ) {
        self.clientOrderID = clientOrderID
        self.originalClientOrderID = originalClientOrderID ?? clientOrderID
        self.orderID = orderID
        self.instrumentID = instrumentID
        self.closedQuantity = closedQuantity
        self.timestamp = timestamp
    }
}

/// The venue accepted a replace: the order now has this price, total quantity and remaining
/// quantity, and carries the replace request's `clientOrderID`.
@frozen
public struct ReplaceAccepted: Hashable, Sendable, BitwiseCopyable {
    public var clientOrderID: ClientOrderID
    public var originalClientOrderID: ClientOrderID
    public var orderID: OrderID
    public var instrumentID: InstrumentID
    public var price: Price
    public var quantity: Quantity
    public var leavesQuantity: Quantity
    public var timestamp: Timestamp

    @inlinable
    public init(
        clientOrderID: ClientOrderID, originalClientOrderID: ClientOrderID, orderID: OrderID,
        instrumentID: InstrumentID, price: Price, quantity: Quantity, leavesQuantity: Quantity, timestamp: Timestamp
    ) {
        self.clientOrderID = clientOrderID
        self.originalClientOrderID = originalClientOrderID
        self.orderID = orderID
        self.instrumentID = instrumentID
        self.price = price
        self.quantity = quantity
        self.leavesQuantity = leavesQuantity
        self.timestamp = timestamp
    }
}

/// Every order event, requests and outcomes, as one `BitwiseCopyable` value.
@frozen
public enum OrderEvent: Hashable, Sendable, BitwiseCopyable {
    case newOrder(NewOrder)
    case cancelOrder(CancelOrder)
    case replaceOrder(ReplaceOrder)
    case accepted(OrderAccepted)
    case rejected(RequestRejected)
    case filled(Fill)
    case cancelAccepted(OrderClosed)
    case cancelRejected(RequestRejected)
    case replaceAccepted(ReplaceAccepted)
    case replaceRejected(RequestRejected)
    case expired(OrderClosed)

    /// The identity of the request or order the event is about.
    @inlinable
    public var clientOrderID: ClientOrderID { common.clientOrderID }

    /// The instrument the event is about.
    @inlinable
    public var instrumentID: InstrumentID { common.instrumentID }

    /// When the event happened.
    @inlinable
    public var timestamp: Timestamp { common.timestamp }

    /// The fields every event has, read with one switch. Inlined, so a caller that reads one field
    /// pays for one load.
    @inlinable
    var common: (clientOrderID: ClientOrderID, instrumentID: InstrumentID, timestamp: Timestamp) {
        switch self {
        case .newOrder(let e): (e.clientOrderID, e.instrumentID, e.timestamp)
        case .cancelOrder(let e): (e.clientOrderID, e.instrumentID, e.timestamp)
        case .replaceOrder(let e): (e.clientOrderID, e.instrumentID, e.timestamp)
        case .accepted(let e): (e.clientOrderID, e.instrumentID, e.timestamp)
        case .rejected(let e), .cancelRejected(let e), .replaceRejected(let e):
            (e.clientOrderID, e.instrumentID, e.timestamp)
        case .filled(let e): (e.clientOrderID, e.instrumentID, e.timestamp)
        case .cancelAccepted(let e), .expired(let e): (e.clientOrderID, e.instrumentID, e.timestamp)
        case .replaceAccepted(let e): (e.clientOrderID, e.instrumentID, e.timestamp)
        }
    }
}
