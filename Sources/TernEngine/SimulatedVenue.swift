public import TernCore
public import TernMarketData
public import TernQueues
import TernSystem

/// How the simulated venue behaves.
public struct VenueOptions: Sendable, Hashable {
    /// One-way latency: a request reaches the matching engine this long (market time) after the
    /// engine sent it, and a report reaches the engine this long after the venue made it.
    public var latencyNanoseconds: Int64 = 50_000
    /// Passive orders join the back of their level's queue and fill only once the size ahead of
    /// them has traded. Off: any trade at the order's price fills it.
    public var queuePosition = true
    /// Fees the venue reports on fills, as fractions of notional in 10^-9 units (2 basis points
    /// = 200_000); negative is a rebate. (Risk adds the instruments' own `FeeSchedule` on top:
    /// configure fees in one of the two places.)
    public var makerRate: Int64 = 0
    public var takerRate: Int64 = 0

    public init(latencyNanoseconds: Int64 = 50_000, queuePosition: Bool = true, makerRate: Int64 = 0, takerRate: Int64 = 0) {
        self.latencyNanoseconds = latencyNanoseconds
        self.queuePosition = queuePosition
        self.makerRate = makerRate
        self.takerRate = takerRate
    }
}

/// A venue simulated against the replayed book, in market time, so a replay is deterministic.
///
/// - A request reaches the matching engine `latency` after it was sent; a new order that crosses
///   the book takes liquidity level by level up to its limit (taker); what is left rests (day,
///   good-till) or expires (immediate-or-cancel, fill-or-kill, market).
/// - A resting order fills (maker, at its own price) when a trade prints through its price, when
///   the book crosses it, and, at its own price, once the queue ahead of it has traded
///   (`queuePosition`; the size ahead is the level's size when the order arrived, shrunk by trades
///   and by the level shrinking).
/// - Reports reach the engine `latency` after the venue made them.
///
/// The replayed book does not contain the simulated orders: liquidity a simulated order takes is
/// not removed from it (model error grows with the order size against displayed size).
public final class SimulatedVenue: OrderGateway {
    public let options: VenueOptions
    let specs: [InstrumentSpec]
    /// The wire from the gateway thread to the matching engine.
    let wire: SPSCRing<OrderRequest>
    @exclusivity(unchecked) var received: UInt64 = 0
    @exclusivity(unchecked) var requests = FIFO<(arrival: Int64, request: OrderRequest)>()
    @exclusivity(unchecked) var reports = FIFO<(due: Int64, event: OrderEvent)>()
    @exclusivity(unchecked) var resting: [RestingSimOrder] = []
    @exclusivity(unchecked) var nextOrderID: UInt64 = 1
    @exclusivity(unchecked) var nextExecutionID: UInt64 = 1
    @exclusivity(unchecked) var books: [MarketBook] = []
    /// Fills made, and their quantity, by liquidity (maker, taker).
    @exclusivity(unchecked) public private(set) var fills = (maker: 0, taker: 0)

    struct RestingSimOrder {
        var clientOrderID: ClientOrderID
        var orderID: OrderID
        var instrument: Int
        var side: Side
        var price: Price
        var leaves: Int64
        var filled: Int64
        var queueAhead: Int64
    }

    public init(options: VenueOptions = VenueOptions(), instruments: [InstrumentSpec]) throws(RingError) {
        self.options = options
        specs = instruments
        wire = try SPSCRing(capacity: 1 << 16)
        resting.reserveCapacity(1024)
    }

    public func attach(_ books: [MarketBook]) { self.books = books }

    // MARK: Gateway thread

    public func send(_ request: OrderRequest) {
        _ = wire.push(request, waiting: SpinPauseWait())
    }

    // MARK: Engine thread

    public func marketTime(_ now: Timestamp, handedOff: UInt64) {
        // Every request handed off must be on the wire before the market moves past its arrival:
        // the gateway thread forwards within microseconds, so this rarely waits.
        while received < handedOff {
            if let r = wire.tryPop() {
                received += 1
                requests.push((Self.time(of: r) &+ options.latencyNanoseconds, r))
            } else {
                spinPause()
            }
        }
        while let first = requests.first, first.arrival <= now.rawValue {
            requests.pop()
            handle(first.request, at: first.arrival)
        }
    }

    public func nextReport(until now: Timestamp) -> OrderEvent? {
        guard let first = reports.first, first.due <= now.rawValue else { return nil }
        reports.pop()
        return first.event
    }

    /// Every request sent has been matched and every report delivered.
    public var isIdle: Bool { requests.isEmpty && reports.isEmpty }

    public var nextDue: Timestamp? {
        [requests.first?.arrival, reports.first?.due].compactMap { $0 }.min().map(Timestamp.init(rawValue:))
    }

    static func time(of r: OrderRequest) -> Int64 {
        switch r {
        case .new(let o): o.timestamp.rawValue
        case .cancel(let c): c.timestamp.rawValue
        case .replace(let r): r.timestamp.rawValue
        }
    }

    func report(_ event: OrderEvent, madeAt t: Int64) {
        reports.push((t &+ options.latencyNanoseconds, event))
    }

    func handle(_ request: OrderRequest, at t: Int64) {
        switch request {
        case .new(let o): handleNew(o, t)
        case .cancel(let c): handleCancel(c, t)
        case .replace(let r): handleReplace(r, t)
        }
    }

    func reject(_ id: ClientOrderID, original: ClientOrderID = ClientOrderID(rawValue: 0), _ instrument: InstrumentID, _ reason: RejectReason, _ t: Int64) -> RequestRejected {
        RequestRejected(clientOrderID: id, originalClientOrderID: original, instrumentID: instrument, reason: reason, origin: .venue, timestamp: Timestamp(rawValue: t))
    }

    func handleNew(_ o: NewOrder, _ t: Int64) {
        let i = Int(o.instrumentID.rawValue)
        guard i < books.count, o.quantity.rawValue > 0, o.orderType == .limit || o.orderType == .market else {
            report(.rejected(reject(o.clientOrderID, o.instrumentID, i < books.count ? .unsupportedOrderType : .unknownInstrument, t)), madeAt: t)
            return
        }
        let id = OrderID(rawValue: nextOrderID)
        nextOrderID += 1
        report(.accepted(OrderAccepted(clientOrderID: o.clientOrderID, orderID: id, instrumentID: o.instrumentID, timestamp: Timestamp(rawValue: t))), madeAt: t)
        var order = RestingSimOrder(
            clientOrderID: o.clientOrderID, orderID: id, instrument: i, side: o.side, price: o.price, leaves: o.quantity.rawValue, filled: 0, queueAhead: 0)
        let limit: Price? = o.orderType == .market ? nil : o.price
        if o.timeInForce == .fillOrKill && available(books[i], o.side, limit) < order.leaves {
            expire(order, t)
            return
        }
        take(&order, limit, t)
        if order.leaves == 0 { return }
        if o.orderType == .market || o.timeInForce == .immediateOrCancel || o.timeInForce == .fillOrKill {
            expire(order, t)
            return
        }
        order.queueAhead = books[i].size(o.side == .buy ? .bid : .ask, at: o.price).rawValue
        resting.append(order)
    }

    func handleCancel(_ c: CancelOrder, _ t: Int64) {
        guard let k = resting.firstIndex(where: { $0.clientOrderID == c.originalClientOrderID }) else {
            report(.cancelRejected(reject(c.clientOrderID, original: c.originalClientOrderID, c.instrumentID, .venueTooLateToCancel, t)), madeAt: t)
            return
        }
        let o = resting.remove(at: k)
        report(
            .cancelAccepted(
                OrderClosed(
                    clientOrderID: c.clientOrderID, originalClientOrderID: c.originalClientOrderID, orderID: o.orderID, instrumentID: c.instrumentID,
                    closedQuantity: Quantity(rawValue: o.leaves), timestamp: Timestamp(rawValue: t))), madeAt: t)
    }

    func handleReplace(_ r: ReplaceOrder, _ t: Int64) {
        guard let k = resting.firstIndex(where: { $0.clientOrderID == r.originalClientOrderID }),
            r.quantity.rawValue > resting[k].filled
        else {
            report(.replaceRejected(reject(r.clientOrderID, original: r.originalClientOrderID, r.instrumentID, .venueTooLateToCancel, t)), madeAt: t)
            return
        }
        var o = resting.remove(at: k)
        let losesPriority = r.price != o.price || r.quantity.rawValue - o.filled > o.leaves
        o.clientOrderID = r.clientOrderID
        o.price = r.price
        o.leaves = r.quantity.rawValue - o.filled
        report(
            .replaceAccepted(
                ReplaceAccepted(
                    clientOrderID: r.clientOrderID, originalClientOrderID: r.originalClientOrderID, orderID: o.orderID, instrumentID: r.instrumentID,
                    price: r.price, quantity: r.quantity, leavesQuantity: Quantity(rawValue: o.leaves), timestamp: Timestamp(rawValue: t))), madeAt: t)
        take(&o, r.price, t)
        if o.leaves == 0 { return }
        if losesPriority { o.queueAhead = books[o.instrument].size(o.side == .buy ? .bid : .ask, at: o.price).rawValue }
        resting.append(o)
    }

    /// Calls `body` with each far-side level a `side` order limited to `limit` (none: a market
    /// order) can trade with, best first, while `body` returns true.
    func forEachLevel(_ book: MarketBook, _ side: Side, _ limit: Price?, _ body: (BookLevel) -> Bool) {
        let far: BookSide = side == .buy ? .ask : .bid
        var depth = 0
        while let l = book.level(far, depth: depth) {
            if let limit, side == .buy ? l.price > limit : l.price < limit { return }
            guard body(l) else { return }
            depth += 1
        }
    }

    /// Size on the far side at prices no worse than `limit` (all of it for a market order).
    func available(_ book: MarketBook, _ side: Side, _ limit: Price?) -> Int64 {
        var total: Int64 = 0
        forEachLevel(book, side, limit) { total &+= $0.size.rawValue; return true }
        return total
    }

    /// Takes liquidity for `order` from the far side, level by level, up to `limit`.
    func take(_ order: inout RestingSimOrder, _ limit: Price?, _ t: Int64) {
        forEachLevel(books[order.instrument], order.side, limit) { l in
            let q = min(order.leaves, l.size.rawValue)
            if q > 0 { fill(&order, price: l.price, quantity: q, .taker, t) }
            return order.leaves > 0
        }
    }

    func fill(_ order: inout RestingSimOrder, price: Price, quantity: Int64, _ liquidity: Liquidity, _ t: Int64) {
        order.leaves -= quantity
        order.filled += quantity
        let spec = specs[order.instrument]
        let rate = liquidity == .maker ? options.makerRate : options.takerRate
        var fee = Money.zero
        if rate != 0, let notional = try? Money.notional(price: price, quantity: Quantity(rawValue: quantity), multiplier: spec.multiplier, rounding: .awayFromZero) {
            fee = Money(rawValue: notional.rawValue.magnitude > 0 ? (notional.rawValue * Int128(rate)) / 1_000_000_000 : 0)
        }
        let id = ExecutionID(rawValue: nextExecutionID)
        nextExecutionID += 1
        if liquidity == .maker { fills.maker += 1 } else { fills.taker += 1 }
        report(
            .filled(
                Fill(
                    clientOrderID: order.clientOrderID, orderID: order.orderID, executionID: id, instrumentID: InstrumentID(rawValue: UInt32(order.instrument)),
                    side: order.side, liquidity: liquidity, price: price, quantity: Quantity(rawValue: quantity), leavesQuantity: Quantity(rawValue: order.leaves),
                    fee: fee, timestamp: Timestamp(rawValue: t))), madeAt: t)
    }

    func expire(_ order: RestingSimOrder, _ t: Int64) {
        report(
            .expired(
                OrderClosed(
                    clientOrderID: order.clientOrderID, originalClientOrderID: ClientOrderID(rawValue: 0), orderID: order.orderID,
                    instrumentID: InstrumentID(rawValue: UInt32(order.instrument)), closedQuantity: Quantity(rawValue: order.leaves), timestamp: Timestamp(rawValue: t))),
            madeAt: t)
    }

    public func trade(on book: MarketBook, aggressor: BookSide?, price: Price, size: Quantity, at now: Timestamp) {
        if resting.isEmpty { return }
        coldTrade(book, aggressor, price, size, now)
    }

    @inline(never)
    func coldTrade(_ book: MarketBook, _ aggressor: BookSide?, _ price: Price, _ size: Quantity, _ now: Timestamp) {
        let i = Int(book.instrument.rawValue)
        var volume = size.rawValue
        var k = 0
        while k < resting.count && volume > 0 {
            var o = resting[k]
            // A resting buy is hit by sellers (aggressor .ask), a resting sell lifted by buyers.
            guard o.instrument == i, aggressor == nil || (aggressor == .ask) == (o.side == .buy) else {
                k += 1
                continue
            }
            let through = o.side == .buy ? price < o.price : price > o.price
            var q: Int64 = 0
            if through {
                q = min(o.leaves, volume)
            } else if price == o.price {
                if options.queuePosition {
                    let ahead = o.queueAhead
                    o.queueAhead = max(ahead - volume, 0)
                    q = min(o.leaves, max(volume - ahead, 0))
                } else {
                    q = min(o.leaves, volume)
                }
            }
            if q > 0 {
                volume -= q
                fill(&o, price: o.price, quantity: q, .maker, now.rawValue)
            }
            if o.leaves == 0 {
                resting.remove(at: k)
            } else {
                resting[k] = o
                k += 1
            }
        }
    }

    public func bookChanged(_ book: MarketBook, at now: Timestamp) {
        if resting.isEmpty { return }
        coldBookChanged(book, now)
    }

    @inline(never)
    func coldBookChanged(_ book: MarketBook, _ now: Timestamp) {
        let i = Int(book.instrument.rawValue)
        let bid = book.bestBid?.price
        let ask = book.bestAsk?.price
        var k = 0
        while k < resting.count {
            var o = resting[k]
            guard o.instrument == i else {
                k += 1
                continue
            }
            // The book crossed the order: it would have traded as the crossing order arrived.
            if o.side == .buy, let ask, ask <= o.price {
                fill(&o, price: o.price, quantity: o.leaves, .maker, now.rawValue)
            } else if o.side == .sell, let bid, bid >= o.price {
                fill(&o, price: o.price, quantity: o.leaves, .maker, now.rawValue)
            } else if o.queueAhead > 0 {
                o.queueAhead = min(o.queueAhead, book.size(o.side == .buy ? .bid : .ask, at: o.price).rawValue)
            }
            if o.leaves == 0 {
                resting.remove(at: k)
            } else {
                resting[k] = o
                k += 1
            }
        }
    }

    /// Orders resting at the venue now.
    public var restingCount: Int { resting.count }
}

/// A first-in first-out queue over an array with a moving head (compacted when the dead prefix
/// is large), so steady use does not allocate.
struct FIFO<Element> {
    var items: [Element] = []
    var head = 0

    init() { items.reserveCapacity(1024) }

    var isEmpty: Bool { head == items.count }
    var count: Int { items.count - head }
    var first: Element? { head < items.count ? items[head] : nil }

    mutating func push(_ e: Element) {
        if head > 512 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        items.append(e)
    }

    mutating func pop() {
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
    }
}
