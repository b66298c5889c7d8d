public import CTern
import Histogram
import TernCore
import TernEngine
import TernMarketData
import TernRisk
import TernSystem

// Engine embedding (TernEngine.Engine built by EngineAssembly) behind `tern_engine_t`, with C
// strategies and gateways plugged in as function-pointer tables.

/// A strategy whose callbacks are C functions.
final class CStrategy: Strategy {
    let table: tern_strategy_t
    let userData: UnsafeMutableRawPointer?
    /// The `tern_engine_t *` handed to every callback (the handle, unretained).
    var handle: OpaquePointer?

    init(_ table: tern_strategy_t, _ userData: UnsafeMutableRawPointer?) {
        self.table = table
        self.userData = userData
    }

    func start(_ engine: Engine) { table.on_start?(userData, handle) }
    func stop(_ engine: Engine) { table.on_stop?(userData, handle) }

    func onMarket(_ book: MarketBook, engine: Engine) {
        guard let f = table.on_market else { return }
        var top = tern_book_top_t(book, time: engine.now)
        f(userData, handle, &top)
    }

    func onTrade(_ book: MarketBook, aggressor: BookSide?, price: Price, size: Quantity, engine: Engine) {
        table.on_trade?(userData, handle, book.instrument.rawValue, Int32(aggressor?.rawValue ?? UInt8(TERN_BOOK_NONE)), price.rawValue, size.rawValue)
    }

    func onOrder(_ event: OrderEvent, update: OrderUpdate, engine: Engine) {
        guard let f = table.on_order, var e = tern_order_event_t(event) else { return }
        f(userData, handle, &e)
    }
}

/// A gateway whose callbacks are C functions.
final class CGateway: OrderGateway {
    let table: tern_gateway_t
    let userData: UnsafeMutableRawPointer?
    /// Reports the gateway returned that are not valid events (dropped, counted).
    var invalidReports = 0

    init(_ table: tern_gateway_t, _ userData: UnsafeMutableRawPointer?) {
        self.table = table
        self.userData = userData
    }

    func send(_ request: OrderRequest) {
        guard let f = table.send else { return }
        switch request {
        case .new(let o):
            var order = tern_order_t(o)
            f(userData, TERN_REQUEST_NEW, &order, nil)
        case .cancel(let c):
            var change = tern_order_change_t(c)
            f(userData, TERN_REQUEST_CANCEL, nil, &change)
        case .replace(let r):
            var change = tern_order_change_t(r)
            f(userData, TERN_REQUEST_REPLACE, nil, &change)
        }
    }

    func nextReport(until now: Timestamp) -> OrderEvent? {
        guard let f = table.next_report else { return nil }
        var e = tern_order_event_t()
        while f(userData, now.rawValue, &e) != 0 {
            if let event = orderEvent(e) { return event }
            invalidReports += 1
            e = tern_order_event_t()
        }
        return nil
    }
}

/// Ends a replay when `tern_engine_stop` raises the assembly's stop signal (checked before each
/// venue message; a source that waits, such as `RingSource`, also checks it while waiting).
final class StoppableSource: MarketDataSource {
    let inner: any MarketDataSource
    let stop: StopSignal
    init(_ inner: any MarketDataSource, _ stop: StopSignal) {
        self.inner = inner
        self.stop = stop
    }
    var name: String { inner.name }
    var recordsRead: Int { inner.recordsRead }
    var notes: [String] { inner.notes }
    var bookKind: BookKind { inner.bookKind }
    func next(into batch: inout MarketEventBatch) throws(FeedError) -> Bool {
        if stop.isRaised { return false }
        return try inner.next(into: &batch)
    }
}

extension tern_book_top_t {
    init(_ book: MarketBook, time: Timestamp) {
        self.init()
        instrument_id = book.instrument.rawValue
        if let bid = book.level(.bid, depth: 0) {
            bid_price = bid.price.rawValue
            bid_size = bid.size.rawValue
        }
        if let ask = book.level(.ask, depth: 0) {
            ask_price = ask.price.rawValue
            ask_size = ask.size.rawValue
        }
        last_trade_price = book.lastTradePrice.rawValue
        time_ns = time.rawValue
    }
}

final class EngineHandle: Handle {
    enum State { case created, started, running, finished }
    let assembly: EngineAssembly
    var strategy: (any Strategy)?
    var gateway: (any OrderGateway)?
    var engine: Engine?
    var state = State.created
    let riskHandle: RiskHandle

    init(_ assembly: EngineAssembly) {
        self.assembly = assembly
        let setup = assembly.setup
        riskHandle = RiskHandle(assembly.risk, instruments: setup.instrumentNames, accounts: setup.accountNames, strategies: setup.strategyNames)
        riskHandle.borrowed = true
        super.init(.engine)
    }

    /// Builds the engine with the chosen (or default) strategy and gateway.
    func build(threaded: Bool?, pointer: OpaquePointer) throws(EngineError) -> Engine {
        let s: any Strategy = if let strategy { strategy } else { try assembly.makeSampleStrategy() }
        let g: any OrderGateway = if let gateway { gateway } else { try assembly.makeSimulatedVenue() }
        (s as? CStrategy)?.handle = pointer
        let e = try assembly.makeEngine(strategy: s, gateway: g, threaded: threaded)
        engine = e
        return e
    }

    /// Finishes a started engine and closes the journal (once).
    func finish() -> tern_status_t {
        guard let engine, state == .started || state == .running else { return TERN_OK }
        if state == .started { engine.finish() }
        state = .finished
        do throws(EngineError) {
            _ = try assembly.closeAndVerify()
            return TERN_OK
        } catch {
            return fail(TERN_E_IO, "tern_engine_finish: \(error)")
        }
    }

    deinit { _ = finish() }
}

@inline(__always)
func withEngine(_ pointer: OpaquePointer?, _ function: StaticString = #function, _ body: (EngineHandle) -> tern_status_t) -> tern_status_t {
    withHandle(pointer, .engine, EngineHandle.self, "engine", function, body)
}

/// The live engine, or TERN_E_STATE through `body`'s caller.
@inline(__always)
func withLiveEngine(_ pointer: OpaquePointer?, _ function: StaticString = #function, _ body: (EngineHandle, Engine) -> tern_status_t) -> tern_status_t {
    withEngine(pointer, function) { h in
        guard let e = h.engine, h.state == .started || h.state == .running else {
            return fail(TERN_E_STATE, "\(name(function)): the engine is not running (call tern_engine_start or tern_engine_run first)")
        }
        return body(h, e)
    }
}

func counters(_ e: Engine) -> tern_engine_counters_t {
    let c = e.counters
    let h = e.tickToOrder
    var out = tern_engine_counters_t()
    out.events = UInt64(c.events)
    out.orders_sent = UInt64(c.ordersSent)
    out.cancels_sent = UInt64(c.cancelsSent)
    out.replaces_sent = UInt64(c.replacesSent)
    out.kill_cancels_sent = UInt64(c.killCancelsSent)
    out.reports = UInt64(c.reports)
    out.fills = UInt64(c.fills)
    out.venue_rejects = UInt64(c.venueRejects)
    out.denied = UInt64(c.deniedTotal)
    if h.totalCount > 0 {
        out.tick_to_order_p50_ns = h.valueAtPercentile(50)
        out.tick_to_order_p99_ns = h.valueAtPercentile(99)
        out.tick_to_order_max_ns = h.max
    }
    return out
}

// MARK: Create, configure, free

@c @implementation
public func tern_engine_create(_ config_path: UnsafePointer<CChar>?, _ out_engine: UnsafeMutablePointer<OpaquePointer?>?) -> tern_status_t {
    guard let out_engine else { return null("out_engine") }
    do throws(EngineError) {
        let assembly =
            if let path = string(config_path) {
                try EngineAssembly.load(configurationFile: path)
            } else {
                try EngineAssembly(HostConfiguration(), base: "")
            }
        return ok(out_engine, retained(EngineHandle(assembly)))
    } catch {
        return fail(TERN_E_INVALID, "tern_engine_create: \(error)")
    }
}

@c @implementation
public func tern_engine_set_strategy(_ engine: OpaquePointer?, _ strategy: UnsafePointer<tern_strategy_t>?, _ user_data: UnsafeMutableRawPointer?) -> tern_status_t {
    withEngine(engine) { h in
        guard let strategy else { return null("strategy") }
        if let mismatch = sizeMismatch(strategy.pointee.struct_size, tern_strategy_t.self) { return fail(TERN_E_ABI, "tern_engine_set_strategy: \(mismatch)") }
        guard h.state == .created else { return fail(TERN_E_STATE, "tern_engine_set_strategy: the engine has started") }
        h.strategy = CStrategy(strategy.pointee, user_data)
        return TERN_OK
    }
}

@c @implementation
public func tern_engine_set_gateway(_ engine: OpaquePointer?, _ gateway: UnsafePointer<tern_gateway_t>?, _ user_data: UnsafeMutableRawPointer?) -> tern_status_t {
    withEngine(engine) { h in
        guard let gateway else { return null("gateway") }
        if let mismatch = sizeMismatch(gateway.pointee.struct_size, tern_gateway_t.self) { return fail(TERN_E_ABI, "tern_engine_set_gateway: \(mismatch)") }
        guard h.state == .created else { return fail(TERN_E_STATE, "tern_engine_set_gateway: the engine has started") }
        h.gateway = CGateway(gateway.pointee, user_data)
        return TERN_OK
    }
}

@c @implementation
public func tern_engine_free(_ engine: OpaquePointer?) {
    guard let engine, let h = object(engine, .engine, as: EngineHandle.self) else { return }
    guard h.state != .running else { return }  // freeing a running engine is refused (it would be used after free)
    _ = h.finish()
    release(engine, .engine)
}

// MARK: Push mode

@c @implementation
public func tern_engine_start(_ engine: OpaquePointer?) -> tern_status_t {
    withEngine(engine) { h in
        guard h.state == .created else { return fail(TERN_E_STATE, "tern_engine_start: the engine has already started") }
        do throws(EngineError) {
            let e = try h.build(threaded: false, pointer: engine!)
            h.state = .started
            e.start()
            return TERN_OK
        } catch {
            return fail(TERN_E_INVALID, "tern_engine_start: \(error)")
        }
    }
}

@c @implementation
public func tern_engine_push(_ engine: OpaquePointer?, _ event: UnsafePointer<tern_market_event_t>?) -> tern_status_t {
    withLiveEngine(engine) { h, e in
        guard let event else { return null("event") }
        guard h.state == .started else { return fail(TERN_E_STATE, "tern_engine_push: the engine is running a replay (tern_engine_run)") }
        let c = event.pointee
        guard let action = MarketAction(rawValue: c.action), c.side <= 1 || c.side == UInt8(TERN_BOOK_NONE) else {
            return fail(TERN_E_INVALID, "tern_engine_push: action \(c.action) or side \(c.side) is not a TERN_MARKET_* / TERN_BOOK_* code")
        }
        e.handle(
            MarketEvent(
                action, instrument: InstrumentID(rawValue: c.instrument_id), side: BookSide(rawValue: c.side), orderID: c.order_id,
                price: Price(rawValue: c.price), size: Quantity(rawValue: c.size), exchangeTime: Timestamp(rawValue: c.exchange_time_ns),
                flags: c.flags & MarketEvent.Flags.endOfBatch, receivedAt: MonotonicClock.now().rawValue))
        return TERN_OK
    }
}

@c @implementation
public func tern_engine_finish(_ engine: OpaquePointer?, _ out_counters: UnsafeMutablePointer<tern_engine_counters_t>?) -> tern_status_t {
    withEngine(engine) { h in
        guard let e = h.engine, h.state == .started else { return fail(TERN_E_STATE, "tern_engine_finish: the engine is not in push mode (tern_engine_start)") }
        let status = h.finish()
        out_counters?.pointee = counters(e)
        return status
    }
}

// MARK: Replay mode

@c @implementation
public func tern_engine_run(_ engine: OpaquePointer?, _ out_counters: UnsafeMutablePointer<tern_engine_counters_t>?) -> tern_status_t {
    withEngine(engine) { h in
        guard h.state == .created else { return fail(TERN_E_STATE, "tern_engine_run: the engine has already started") }
        let e: Engine
        do throws(EngineError) { e = try h.build(threaded: nil, pointer: engine!) } catch {
            return fail(TERN_E_INVALID, "tern_engine_run: \(error)")
        }
        h.state = .running
        let a = h.assembly
        var status = TERN_OK
        do {
            let report = try EngineRunner.run(
                source: StoppableSource(a.source, a.stop), engine: e, plan: a.plan,
                maxEvents: a.configuration.maxEvents > 0 ? a.configuration.maxEvents : .max)
            if let feedError = report.feedError { status = fail(TERN_E_PARSE, "tern_engine_run: \(a.source.name): \(feedError) (the run stopped there and finished cleanly)") }
        } catch {
            status = fail(TERN_E_STATE, "tern_engine_run: \(error)")
        }
        let closed = h.finish()
        out_counters?.pointee = counters(e)
        return status != TERN_OK ? status : closed
    }
}

@c @implementation
public func tern_engine_stop(_ engine: OpaquePointer?) -> tern_status_t {
    guard let engine else { return null("engine") }
    guard let h = object(engine, .engine, as: EngineHandle.self) else { return badHandle("engine") }
    h.assembly.stop()
    return TERN_OK
}

// MARK: Requests and queries (engine thread)

func decision(_ result: SubmitResult) -> RiskDecision {
    switch result {
    case .sent: RiskDecision.accepted
    case .denied(let d): d
    }
}

@c @implementation
public func tern_engine_submit(
    _ engine: OpaquePointer?, _ intent: UnsafePointer<tern_order_intent_t>?, _ out_client_order_id: UnsafeMutablePointer<UInt64>?,
    _ out_decision: UnsafeMutablePointer<tern_risk_decision_t>?
) -> tern_status_t {
    withLiveEngine(engine) { h, e in
        guard let intent else { return null("intent") }
        let i = intent.pointee
        guard let side = Side(rawValue: i.side), let type = i.order_type == 0 ? .limit : OrderType(rawValue: i.order_type),
            let tif = i.time_in_force == 0 ? .day : TimeInForce(rawValue: i.time_in_force)
        else {
            return fail(TERN_E_INVALID, "tern_engine_submit: side \(i.side), order_type \(i.order_type) or time_in_force \(i.time_in_force) is not a valid code")
        }
        let result = e.submit(
            OrderIntent(
                side, Quantity(rawValue: i.quantity), of: InstrumentID(rawValue: i.instrument_id), at: Price(rawValue: i.price), type: type, timeInForce: tif,
                flags: OrderFlags(rawValue: i.flags)))
        if case .sent(let id) = result { out_client_order_id?.pointee = id.rawValue } else { out_client_order_id?.pointee = 0 }
        out_decision?.pointee = tern_risk_decision_t(decision(result))
        return TERN_OK
    }
}

@c @implementation
public func tern_engine_cancel(_ engine: OpaquePointer?, _ client_order_id: UInt64, _ out_decision: UnsafeMutablePointer<tern_risk_decision_t>?) -> tern_status_t {
    withLiveEngine(engine) { h, e in
        let d = decision(e.cancel(ClientOrderID(rawValue: client_order_id)))
        out_decision?.pointee = tern_risk_decision_t(d)
        if d.reason == .unknownOrder { return fail(TERN_E_NOT_FOUND, "tern_engine_cancel: order \(client_order_id) is not working") }
        return TERN_OK
    }
}

@c @implementation
public func tern_engine_replace(
    _ engine: OpaquePointer?, _ client_order_id: UInt64, _ price: tern_price_t, _ quantity: tern_quantity_t,
    _ out_decision: UnsafeMutablePointer<tern_risk_decision_t>?
) -> tern_status_t {
    withLiveEngine(engine) { h, e in
        let d = decision(e.replace(ClientOrderID(rawValue: client_order_id), price: Price(rawValue: price), quantity: Quantity(rawValue: quantity)))
        out_decision?.pointee = tern_risk_decision_t(d)
        if d.reason == .unknownOrder { return fail(TERN_E_NOT_FOUND, "tern_engine_replace: order \(client_order_id) is not working") }
        return TERN_OK
    }
}

@c @implementation
public func tern_engine_book_top(_ engine: OpaquePointer?, _ instrument_id: UInt32, _ out_top: UnsafeMutablePointer<tern_book_top_t>?) -> tern_status_t {
    withLiveEngine(engine) { h, e in
        guard let out_top else { return null("out_top") }
        guard instrument_id < e.books.count else { return fail(TERN_E_NOT_FOUND, "tern_engine_book_top: no instrument \(instrument_id)") }
        return ok(out_top, tern_book_top_t(e.books[Int(instrument_id)], time: e.now))
    }
}

@c @implementation
public func tern_engine_position(_ engine: OpaquePointer?, _ instrument_id: UInt32, _ out_position: UnsafeMutablePointer<Int64>?) -> tern_status_t {
    withLiveEngine(engine) { h, e in
        guard let out_position else { return null("out_position") }
        guard instrument_id < e.books.count else { return fail(TERN_E_NOT_FOUND, "tern_engine_position: no instrument \(instrument_id)") }
        return ok(out_position, e.position(InstrumentID(rawValue: instrument_id)))
    }
}

@c @implementation
public func tern_engine_counters(_ engine: OpaquePointer?, _ out_counters: UnsafeMutablePointer<tern_engine_counters_t>?) -> tern_status_t {
    withEngine(engine) { h in
        guard let out_counters else { return null("out_counters") }
        guard let e = h.engine else { return ok(out_counters, tern_engine_counters_t()) }
        return ok(out_counters, counters(e))
    }
}

@c @implementation
public func tern_engine_risk(_ engine: OpaquePointer?, _ out_risk: UnsafeMutablePointer<OpaquePointer?>?) -> tern_status_t {
    withEngine(engine) { h in
        guard let out_risk else { return null("out_risk") }
        // Safe: the engine handle keeps its risk handle alive; tern_risk_free ignores borrowed ones.
        return ok(out_risk, OpaquePointer(Unmanaged.passUnretained(h.riskHandle).toOpaque()))
    }
}
