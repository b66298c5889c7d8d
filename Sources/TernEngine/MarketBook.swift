public import TernCore
public import TernMarketData

/// Whether a source's events build an order-by-order book or a price-level book.
public enum BookKind: String, Sendable, Hashable {
    /// Order by order (`L3Book`): Databento MBO, ITCH, the synthetic market.
    case l3
    /// Aggregated levels (`L2Book`): Binance and Bybit depth.
    case l2
}

/// One instrument's market as the engine thread sees it: the book built from the feed, and the
/// last trade. Strategies and the simulated venue read it.
public final class MarketBook: PriceLevelBook {
    public let instrument: InstrumentID
    public let kind: BookKind
    /// The order-by-order book (`kind == .l3`).
    public let l3: L3Book?
    /// The level book (`kind == .l2`).
    public let l2: L2Book?
    /// The last trade's price and size (zero before the first).
    @exclusivity(unchecked) public private(set) var lastTradePrice = Price(rawValue: 0)
    @exclusivity(unchecked) public private(set) var lastTradeSize = Quantity(rawValue: 0)
    /// Trade prints seen.
    @exclusivity(unchecked) public private(set) var trades = 0
    /// Events the book refused (unknown orders, capacity): counted, never fatal.
    @exclusivity(unchecked) public private(set) var refused = 0
    /// The side of the order a `.replacing` delete removed, for the add that follows.
    @exclusivity(unchecked) var replacedSide: BookSide? = nil
    /// Whether the feed says the book may be incomplete (before a snapshot, after a gap).
    @exclusivity(unchecked) public private(set) var isStale = false

    public init(instrument: InstrumentID, kind: BookKind, orderCapacity: Int = 1 << 20, levelCapacity: Int = 1 << 14) {
        self.instrument = instrument
        self.kind = kind
        switch kind {
        case .l3:
            l3 = L3Book(orderCapacity: orderCapacity, levelCapacity: levelCapacity)
            l2 = nil
        case .l2:
            l3 = nil
            l2 = L2Book(capacity: levelCapacity)
        }
    }

    /// The level `depth` places from the best on `side`, or nil.
    @inlinable
    public func level(_ side: BookSide, depth: Int) -> BookLevel? {
        if let l3 { return l3.level(side, depth: depth) }
        return l2!.level(side, depth: depth)
    }

    /// The number of levels on `side`.
    @inlinable
    public func levelCount(_ side: BookSide) -> Int {
        if let l3 { return l3.levelCount(side) }
        return l2!.levelCount(side)
    }

    /// The size resting at `price` on `side` (zero when no level is there).
    public func size(_ side: BookSide, at price: Price) -> Quantity {
        if let l2 { return l2.size(side, at: price) }
        var depth = 0
        while let l = l3!.level(side, depth: depth) {
            if l.price == price { return l.size }
            if side == .bid ? l.price < price : l.price > price { break }
            depth += 1
        }
        return Quantity(rawValue: 0)
    }

    /// Applies `event`; returns true when it was a trade print (`.trade` or `.execute`), whose
    /// price and size are then in `lastTradePrice` / `lastTradeSize`.
    @inline(__always)
    func apply(_ event: MarketEvent) -> Bool {
        switch event.action {
        case .trade:
            lastTradePrice = event.price
            lastTradeSize = event.size
            trades &+= 1
            return true
        case .level:
            guard let l2, let side = event.side else { return refuse() }
            if l2.set(side, price: event.price, size: event.size) == .dropped { refused &+= 1 }
            isStale = false
            return false
        case .clear:
            if let l3 { l3.clear() } else { l2!.clear() }
            isStale = event.flags & MarketEvent.Flags.stale != 0
            return false
        case .add:
            guard let l3, let side = event.side ?? replacedSide else { return refuse() }
            replacedSide = nil
            if l3.add(id: event.orderID, side: side, price: event.price, size: event.size) != .applied { refused &+= 1 }
            return false
        case .cancel:
            guard let l3 else { return refuse() }
            if l3.cancel(id: event.orderID, size: event.size) != .applied { refused &+= 1 }
            return false
        case .modify:
            guard let l3 else { return refuse() }
            let r = l3.modify(id: event.orderID, price: event.price, size: event.size)
            if r == .unknownOrder, let side = event.side {
                if l3.add(id: event.orderID, side: side, price: event.price, size: event.size) != .applied { refused &+= 1 }
            } else if r != .applied {
                refused &+= 1
            }
            return false
        case .delete:
            guard let l3 else { return refuse() }
            if event.flags & MarketEvent.Flags.replacing != 0 { replacedSide = l3.order(event.orderID)?.side }
            if l3.delete(id: event.orderID) != .applied { refused &+= 1 }
            return false
        case .execute:
            guard let l3, let order = l3.order(event.orderID) else { return refuse() }
            lastTradePrice = order.price
            lastTradeSize = min(event.size, order.size)
            trades &+= 1
            _ = l3.execute(id: event.orderID, size: event.size)
            return true
        }
    }

    @inline(never)
    func refuse() -> Bool {
        refused &+= 1
        return false
    }
}
