public import Histogram
public import TernCore
public import TernMarketData
public import TernQueues
public import TernRisk
import TernSystem

/// A trading strategy: reacts to book updates, trades and its own order events; sends orders
/// through the engine (which runs them through risk). Every call is on the engine thread.
public protocol Strategy: AnyObject {
    /// Before the first event.
    func start(_ engine: Engine)
    /// A trade printed on `book` (before the rest of its venue message is applied).
    func onTrade(_ book: MarketBook, aggressor: BookSide?, price: Price, size: Quantity, engine: Engine)
    /// `book` changed and is consistent (the end of a venue message).
    func onMarket(_ book: MarketBook, engine: Engine)
    /// A venue report about one of the engine's orders, after the order manager and risk saw it.
    func onOrder(_ event: OrderEvent, update: OrderUpdate, engine: Engine)
    /// After the last event (working orders are canceled next).
    func stop(_ engine: Engine)
}

extension Strategy {
    public func start(_ engine: Engine) {}
    public func onTrade(_ book: MarketBook, aggressor: BookSide?, price: Price, size: Quantity, engine: Engine) {}
    public func onOrder(_ event: OrderEvent, update: OrderUpdate, engine: Engine) {}
    public func stop(_ engine: Engine) {}
}

/// What a strategy asks for; the engine fills in the IDs, account, strategy and time.
@frozen
public struct OrderIntent: Sendable, BitwiseCopyable, Hashable {
    public var instrument: InstrumentID
    public var side: Side
    public var price: Price
    public var quantity: Quantity
    public var orderType: OrderType
    public var timeInForce: TimeInForce
    public var flags: OrderFlags

    @inlinable
    public init(
        _ side: Side, _ quantity: Quantity, of instrument: InstrumentID, at price: Price, type: OrderType = .limit, timeInForce: TimeInForce = .day,
        flags: OrderFlags = []
    ) {
        self.instrument = instrument
        self.side = side
        self.price = price
        self.quantity = quantity
        self.orderType = type
        self.timeInForce = timeInForce
        self.flags = flags
    }
}

/// The outcome of a request: handed to the gateway, or refused (by risk, or by the engine when
/// its order table is full).
@frozen
public enum SubmitResult: Sendable, Equatable {
    case sent(ClientOrderID)
    case denied(RiskDecision)

    @inlinable public var isSent: Bool {
        if case .sent = self { return true }
        return false
    }
}

/// Counters the engine keeps (engine thread; read them after `finish`, or as a snapshot).
public struct EngineCounters: Sendable, Hashable {
    public var events = 0
    public var batches = 0
    public var ordersSent = 0
    public var cancelsSent = 0
    public var replacesSent = 0
    public var killCancelsSent = 0
    public var reports = 0
    public var fills = 0
    public var venueRejects = 0
    /// Requests refused, by reason (risk's `RejectReason`).
    public var denied: [RejectReason: Int] = [:]
    public var deniedTotal: Int { denied.values.reduce(0, +) }

    public init() {}
}

/// Who the engine trades as, and how big its tables are.
public struct EngineOptions: Sendable {
    public var account: AccountID = AccountID(rawValue: 0)
    public var strategy: StrategyID = StrategyID(rawValue: 0)
    /// Order table size (orders open at once, rounded up to a power of two).
    public var orderCapacity = 1 << 14
    /// The first client order ID the engine issues (IDs with the top bit set are risk's).
    public var firstClientOrderID: UInt64 = 1
    /// Cancel working orders at the end of the data and wait for the venue to answer.
    public var cancelAtEnd = true
    public init() {}
}

/// The engine thread's state: books, the order manager, risk, the gateway hand-off and the
/// strategy, driven one market event at a time (`handle`).
///
/// Time is market time: `now` is the exchange time of the event being handled, so a replay is
/// deterministic. Latency is measured separately, on the monotonic clock: from the moment the
/// feed thread handed on the event that caused an order to the moment the engine hands that
/// order to the gateway thread (`tickToOrder`, nanoseconds).
///
/// One thread owns an engine, so its stored fields (and those of the books, the sample strategy,
/// the simulated venue's engine side and the sources) are `@exclusivity(unchecked)`: the runtime
/// checks cost about a dozen `swift_beginAccess` calls a message (docs/engine.md).
public final class Engine {
    public let options: EngineOptions
    public let risk: RiskEngine
    public let books: [MarketBook]
    public let orders: OrderManager
    public let gateway: any OrderGateway
    public let strategy: any Strategy
    /// Where requests go to the gateway thread; nil: `gateway.send` is called inline.
    let toGateway: SPSCRing<OrderRequest>?
    /// Requests handed to the gateway so far.
    @exclusivity(unchecked) public private(set) var handedOff: UInt64 = 0
    /// The exchange time of the event being handled.
    @exclusivity(unchecked) public private(set) var now = Timestamp(rawValue: 0)
    /// When the feed handed on the event being handled (monotonic ns; 0 if not measured).
    @exclusivity(unchecked) var trigger: Int64 = 0
    @exclusivity(unchecked) var nextClientOrderID: UInt64
    @exclusivity(unchecked) var quotes: [(bid: Int64, ask: Int64)]
    @exclusivity(unchecked) public private(set) var counters = EngineCounters()
    let latency: LatencyRecorder
    /// The operator's bridge (status, trips, resets); nil: none. Set it before the run.
    @exclusivity(unchecked) public var control: EngineControl?
    /// When the next status is due (monotonic ns).
    @exclusivity(unchecked) var nextPublish: Int64 = 0

    /// Tick-to-order latency of every order, cancel and replace the strategy sent (nanoseconds).
    public var tickToOrder: Histogram<UInt64> { latency.histogram }

    public init(
        risk: RiskEngine, instruments: Int, bookKind: BookKind, gateway: any OrderGateway, strategy: any Strategy, toGateway: SPSCRing<OrderRequest>? = nil,
        options: EngineOptions = EngineOptions()
    ) {
        self.options = options
        self.risk = risk
        self.gateway = gateway
        self.strategy = strategy
        self.toGateway = toGateway
        books = (0..<instruments).map { MarketBook(instrument: InstrumentID(rawValue: UInt32($0)), kind: bookKind) }
        orders = OrderManager(capacity: options.orderCapacity)
        nextClientOrderID = options.firstClientOrderID
        quotes = Array(repeating: (0, 0), count: instruments)
        latency = LatencyRecorder()
        gateway.attach(books)
    }

    /// Calls the strategy's `start` and publishes the first status.
    public func start() {
        strategy.start(self)
        control?.publish(makeStatus(.running))
    }

    // MARK: Market events

    /// Handles one market event: reports due by its time first, then the book, the venue's view
    /// of it, and (at the end of a venue message) risk's reference quote and the strategy.
    @inline(__always)
    public func handle(_ event: MarketEvent) {
        if event.exchangeTime > now { now = event.exchangeTime }
        trigger = event.receivedAt
        counters.events &+= 1
        gateway.marketTime(now, handedOff: handedOff)
        deliverReports()
        let i = Int(event.instrument.rawValue)
        guard i < books.count else { return }
        let book = books[i]
        if book.apply(event) {
            let aggressor: BookSide? = event.action == .execute ? event.side?.opposite : event.side
            gateway.trade(on: book, aggressor: aggressor, price: book.lastTradePrice, size: book.lastTradeSize, at: now)
            strategy.onTrade(book, aggressor: aggressor, price: book.lastTradePrice, size: book.lastTradeSize, engine: self)
        }
        if event.isEndOfBatch {
            counters.batches &+= 1
            gateway.bookChanged(book, at: now)
            updateQuote(i, book)
            if !book.isStale { strategy.onMarket(book, engine: self) }
            if risk.pendingCancelCount > 0 { sendKillCancels() }
        }
    }

    /// Delivers every report due by `now`: order manager, risk (and through it the journal),
    /// then the strategy.
    @inline(__always)
    func deliverReports() {
        while let report = gateway.nextReport(until: now) {
            counters.reports &+= 1
            let update = orders.apply(report)
            risk.apply(report, at: now)
            switch report {
            case .filled: counters.fills &+= 1
            case .rejected, .replaceRejected, .cancelRejected: counters.venueRejects &+= 1
            default: break
            }
            strategy.onOrder(report, update: update, engine: self)
        }
        if risk.pendingCancelCount > 0 { sendKillCancels() }
    }

    /// Risk's reference quote follows the book's top (only when it changes: each call is
    /// journaled).
    @inline(__always)
    func updateQuote(_ i: Int, _ book: MarketBook) {
        guard let bid = book.bestBid?.price, let ask = book.bestAsk?.price else { return }
        if quotes[i].bid == bid.rawValue && quotes[i].ask == ask.rawValue { return }
        quotes[i] = (bid.rawValue, ask.rawValue)
        risk.updateQuote(InstrumentID(rawValue: UInt32(i)), bid: bid, ask: ask, at: now)
    }

    // MARK: Requests (strategy calls, engine thread)

    /// Sends a new order through risk to the gateway.
    public func submit(_ intent: OrderIntent) -> SubmitResult {
        let id = ClientOrderID(rawValue: nextClientOrderID)
        guard orders.canTrack(id) else { return deny(.capacityExhausted, .workingOrderCapacity) }
        let order = NewOrder(
            clientOrderID: id, instrumentID: intent.instrument, accountID: options.account, strategyID: options.strategy, side: intent.side,
            orderType: intent.orderType, timeInForce: intent.timeInForce, flags: intent.flags, price: intent.price, quantity: intent.quantity,
            timestamp: now)
        let decision = risk.submit(order, at: now)
        guard decision.isAccepted else { return denied(decision) }
        nextClientOrderID &+= 1
        orders.track(order)
        counters.ordersSent &+= 1
        handOff(.new(order))
        return .sent(id)
    }

    /// Asks the venue to cancel open order `id` (through risk's cancel-rate check).
    @discardableResult
    public func cancel(_ id: ClientOrderID) -> SubmitResult {
        guard let order = orders.order(id), order.isOpen, order.state != .pendingCancel else { return deny(.unknownOrder, .unknownOrder) }
        let cancelID = ClientOrderID(rawValue: nextClientOrderID)
        let cancel = CancelOrder(
            clientOrderID: cancelID, originalClientOrderID: id, instrumentID: order.instrument, accountID: options.account, side: order.side, timestamp: now)
        let decision = risk.submitCancel(cancel, at: now)
        guard decision.isAccepted else { return denied(decision) }
        nextClientOrderID &+= 1
        orders.cancelRequested(id)
        counters.cancelsSent &+= 1
        handOff(.cancel(cancel))
        return .sent(cancelID)
    }

    /// Asks the venue to change open order `id` to `price` and `quantity` (total, filled part
    /// included), through risk.
    public func replace(_ id: ClientOrderID, price: Price, quantity: Quantity) -> SubmitResult {
        guard let order = orders.order(id), order.isOpen, order.state != .pendingCancel, order.state != .pendingReplace else {
            return deny(.unknownOrder, .unknownOrder)
        }
        let newID = ClientOrderID(rawValue: nextClientOrderID)
        guard orders.canTrack(newID) else { return deny(.capacityExhausted, .workingOrderCapacity) }
        let replace = ReplaceOrder(
            clientOrderID: newID, originalClientOrderID: id, instrumentID: order.instrument, accountID: options.account, side: order.side, price: price,
            quantity: quantity, timestamp: now)
        let decision = risk.submitReplace(replace, at: now)
        guard decision.isAccepted else { return denied(decision) }
        nextClientOrderID &+= 1
        orders.replaceRequested(replace)
        counters.replacesSent &+= 1
        handOff(.replace(replace))
        return .sent(newID)
    }

    /// The account's position in `instrument` (raw 10^-9 units; positive long).
    public func position(_ instrument: InstrumentID) -> Int64 {
        risk.position(account: options.account, instrument: instrument)?.position ?? 0
    }

    @inline(__always)
    func handOff(_ request: OrderRequest) {
        handedOff &+= 1
        if let toGateway {
            _ = toGateway.push(request, waiting: SpinPauseWait())
            recordTickToOrder()
        } else {
            // A gateway on this thread: the hand-off is the call, so the clock stops before the
            // gateway's own work (encoding, the simulated venue's matching) starts.
            recordTickToOrder()
            gateway.send(request)
        }
    }

    @inline(__always)
    func recordTickToOrder() {
        guard trigger != 0 else { return }
        let ns = MonotonicClock.now().rawValue &- trigger
        latency.record(ns)
        control?.tap(ns)
    }

    @inline(never)
    func denied(_ decision: RiskDecision) -> SubmitResult {
        counters.denied[decision.reason, default: 0] += 1
        return .denied(decision)
    }

    @inline(never)
    func deny(_ reason: RejectReason, _ limit: RiskLimit) -> SubmitResult {
        denied(RiskDecision(reason: reason, limit: limit))
    }

    /// Sends the cancels the kill switch asked for (risk counted them already).
    @inline(never)
    func sendKillCancels() {
        while let cancel = risk.nextCancel() {
            orders.cancelRequested(cancel.originalClientOrderID)
            counters.killCancelsSent &+= 1
            handOff(.cancel(cancel))
        }
    }

    /// Processes kill-switch trips made on other threads (the admin interface) now, rather than
    /// at the next risk call; sends the cancels they ask for.
    public func checkKillSwitch() {
        risk.processKillRequests(at: now)
        if risk.pendingCancelCount > 0 { sendKillCancels() }
    }

    // MARK: End of data

    /// After the last event: the strategy's `stop`, then (with `cancelAtEnd`) a cancel for every
    /// open order, and market time moves on until the venue has answered everything.
    public func finish() {
        strategy.stop(self)
        // Operator calls end here: a trip made later could not be journaled.
        control?.close()
        serviceControl()
        if options.cancelAtEnd {
            trigger = 0
            for order in orders.openOrders where order.state != .pendingCancel { _ = cancel(order.clientOrderID) }
        }
        drainVenue()
        control?.publish(makeStatus(.finished))
    }

    /// Moves market time forward to each time the gateway has something due, until it has
    /// nothing (a live gateway: delivers what it has now).
    public func drainVenue() {
        var rounds = 0
        while rounds < 1_000_000 {
            gateway.marketTime(now, handedOff: handedOff)
            deliverReports()
            guard let due = gateway.nextDue else { break }
            if due > now { now = due }
            rounds += 1
        }
    }
}

/// The tick-to-order histogram, in a box of its own so recording does not touch the engine's
/// other stored properties. 1 ns to 10 s at three significant digits.
final class LatencyRecorder {
    @exclusivity(unchecked) var histogram = LatencyRecorder.makeHistogram()

    static func makeHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 10_000_000_000, numberOfSignificantValueDigits: .three)
    }

    @inline(__always)
    func record(_ nanoseconds: Int64) {
        _ = histogram.record(UInt64(clamping: max(nanoseconds, 1)))
    }
}
