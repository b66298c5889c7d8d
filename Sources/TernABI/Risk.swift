public import CTern
import TernCore
import TernMarketData
import TernRisk

// Pre-trade risk and the kill switch (TernRisk.RiskEngine) behind `tern_risk_t`.

/// A risk engine and the names its configuration gave to instruments, accounts and strategies.
final class RiskHandle: Handle {
    let risk: RiskEngine
    let instrumentNames: [String]
    let accountNames: [String]
    let strategyNames: [String]
    /// An engine's risk lent out by `tern_engine_risk`: `tern_risk_free` leaves it alone.
    var borrowed = false

    init(_ risk: RiskEngine, instruments: [String], accounts: [String], strategies: [String]) {
        self.risk = risk
        instrumentNames = instruments
        accountNames = accounts
        strategyNames = strategies
        super.init(.risk)
    }

    convenience init(_ setup: RiskSetup) throws(RiskConfigError) {
        self.init(
            try RiskEngine(setup.configuration), instruments: setup.instrumentNames, accounts: setup.accountNames,
            strategies: setup.strategyNames)
    }

    var configuration: RiskConfiguration { risk.configuration }

    /// The scope, if its ids exist in this configuration.
    func scope(_ s: tern_kill_scope_t) -> KillScope? {
        let id = s.id
        switch Int32(s.kind) {
        case TERN_SCOPE_FIRM: return .firm
        case TERN_SCOPE_ACCOUNT: return id < configuration.accounts.count ? .account(AccountID(rawValue: id)) : nil
        case TERN_SCOPE_STRATEGY: return id < configuration.strategies.count ? .strategy(StrategyID(rawValue: id)) : nil
        case TERN_SCOPE_INSTRUMENT: return id < configuration.instruments.count ? .instrument(InstrumentID(rawValue: id)) : nil
        case TERN_SCOPE_SIDE:
            guard id < configuration.instruments.count, let side = Side(rawValue: s.side) else { return nil }
            return .side(InstrumentID(rawValue: id), side)
        default: return nil
        }
    }
}

/// The risk handle behind `pointer`, or a status for NULL / a wrong handle (through `body`).
@inline(__always)
func withRisk(
    _ pointer: OpaquePointer?, _ function: StaticString = #function, _ body: (RiskHandle) -> tern_status_t
) -> tern_status_t {
    withHandle(pointer, .risk, RiskHandle.self, "risk", function, body)
}

// MARK: C structs ↔ Swift values

extension tern_risk_decision_t {
    init(_ d: RiskDecision) {
        self.init(
            accepted: d.isAccepted ? 1 : 0, limit: d.limit.rawValue, reason: d.reason.rawValue, reserved: 0, sequence: d.sequence,
            limit_value: tern_money_t(d.limitValue), value: tern_money_t(d.value))
    }
}

/// Why a C order cannot become a `NewOrder` (nil: it can).
@inline(__always)
func newOrder(_ o: tern_order_t) -> NewOrder? {
    guard let side = Side(rawValue: o.side), let type = OrderType(rawValue: o.order_type), let tif = TimeInForce(rawValue: o.time_in_force) else {
        return nil
    }
    return NewOrder(
        clientOrderID: ClientOrderID(rawValue: o.client_order_id), instrumentID: InstrumentID(rawValue: o.instrument_id),
        accountID: AccountID(rawValue: o.account_id), strategyID: StrategyID(rawValue: o.strategy_id), side: side, orderType: type,
        timeInForce: tif, flags: OrderFlags(rawValue: o.flags), price: Price(rawValue: o.price), stopPrice: Price(rawValue: o.stop_price),
        quantity: Quantity(rawValue: o.quantity), expireTime: Timestamp(rawValue: o.expire_time_ns), timestamp: Timestamp(rawValue: o.timestamp_ns))
}

@inline(never)
func badOrder(_ o: tern_order_t, _ function: StaticString = #function) -> tern_status_t {
    fail(TERN_E_INVALID, "\(name(function)): order \(o.client_order_id): side \(o.side), order_type \(o.order_type) or time_in_force \(o.time_in_force) is not a TERN_SIDE_*, TERN_ORDER_* or TERN_TIF_* code")
}

extension tern_order_t {
    init(_ o: NewOrder) {
        self.init(
            client_order_id: o.clientOrderID.rawValue, instrument_id: o.instrumentID.rawValue, account_id: o.accountID.rawValue,
            strategy_id: o.strategyID.rawValue, side: o.side.rawValue, order_type: o.orderType.rawValue, time_in_force: o.timeInForce.rawValue,
            flags: o.flags.rawValue, price: o.price.rawValue, stop_price: o.stopPrice.rawValue, quantity: o.quantity.rawValue,
            expire_time_ns: o.expireTime.rawValue, timestamp_ns: o.timestamp.rawValue)
    }
}

extension tern_order_change_t {
    init(_ c: CancelOrder) {
        self.init()
        client_order_id = c.clientOrderID.rawValue
        original_client_order_id = c.originalClientOrderID.rawValue
        instrument_id = c.instrumentID.rawValue
        account_id = c.accountID.rawValue
        side = c.side.rawValue
        timestamp_ns = c.timestamp.rawValue
    }
    init(_ r: ReplaceOrder) {
        self.init()
        client_order_id = r.clientOrderID.rawValue
        original_client_order_id = r.originalClientOrderID.rawValue
        instrument_id = r.instrumentID.rawValue
        account_id = r.accountID.rawValue
        side = r.side.rawValue
        price = r.price.rawValue
        quantity = r.quantity.rawValue
        timestamp_ns = r.timestamp.rawValue
    }
}

/// The Swift event for a C execution report, or nil if its kind or enums are not valid codes.
func orderEvent(_ e: tern_order_event_t) -> OrderEvent? {
    let id = ClientOrderID(rawValue: e.client_order_id)
    let original = ClientOrderID(rawValue: e.original_client_order_id)
    let instrument = InstrumentID(rawValue: e.instrument_id)
    let time = Timestamp(rawValue: e.timestamp_ns)
    func rejected() -> RequestRejected? {
        guard let origin = RejectOrigin(rawValue: e.origin) else { return nil }
        return RequestRejected(
            clientOrderID: id, originalClientOrderID: e.original_client_order_id == 0 ? nil : original, instrumentID: instrument,
            reason: RejectReason(rawValue: e.reason), origin: origin, timestamp: time)
    }
    func closed() -> OrderClosed {
        OrderClosed(
            clientOrderID: id, originalClientOrderID: e.original_client_order_id == 0 ? nil : original, orderID: OrderID(rawValue: e.order_id),
            instrumentID: instrument, closedQuantity: Quantity(rawValue: e.quantity), timestamp: time)
    }
    switch Int32(e.kind) {
    case TERN_EVENT_ACCEPTED:
        return .accepted(OrderAccepted(clientOrderID: id, orderID: OrderID(rawValue: e.order_id), instrumentID: instrument, timestamp: time))
    case TERN_EVENT_REJECTED: return rejected().map { .rejected($0) }
    case TERN_EVENT_CANCEL_REJECTED: return rejected().map { .cancelRejected($0) }
    case TERN_EVENT_REPLACE_REJECTED: return rejected().map { .replaceRejected($0) }
    case TERN_EVENT_FILLED:
        guard let side = Side(rawValue: e.side), let liquidity = Liquidity(rawValue: e.liquidity) else { return nil }
        return .filled(
            Fill(
                clientOrderID: id, orderID: OrderID(rawValue: e.order_id), executionID: ExecutionID(rawValue: e.execution_id), instrumentID: instrument,
                side: side, liquidity: liquidity, price: Price(rawValue: e.price), quantity: Quantity(rawValue: e.quantity),
                leavesQuantity: Quantity(rawValue: e.leaves_quantity), fee: Money(rawValue: e.fee.int128), timestamp: time))
    case TERN_EVENT_CANCEL_ACCEPTED: return .cancelAccepted(closed())
    case TERN_EVENT_EXPIRED: return .expired(closed())
    case TERN_EVENT_REPLACE_ACCEPTED:
        return .replaceAccepted(
            ReplaceAccepted(
                clientOrderID: id, originalClientOrderID: original, orderID: OrderID(rawValue: e.order_id), instrumentID: instrument,
                price: Price(rawValue: e.price), quantity: Quantity(rawValue: e.quantity), leavesQuantity: Quantity(rawValue: e.leaves_quantity),
                timestamp: time))
    default: return nil
    }
}

extension tern_order_event_t {
    /// The C form of a venue report (requests have no C form: nil).
    init?(_ event: OrderEvent) {
        self.init()
        client_order_id = event.clientOrderID.rawValue
        instrument_id = event.instrumentID.rawValue
        timestamp_ns = event.timestamp.rawValue
        func set(_ r: RequestRejected, _ k: Int32) {
            kind = UInt8(k)
            original_client_order_id = r.originalClientOrderID.rawValue
            reason = r.reason.rawValue
            origin = r.origin.rawValue
        }
        func set(_ c: OrderClosed, _ k: Int32) {
            kind = UInt8(k)
            original_client_order_id = c.originalClientOrderID.rawValue
            order_id = c.orderID.rawValue
            quantity = c.closedQuantity.rawValue
        }
        switch event {
        case .newOrder, .cancelOrder, .replaceOrder: return nil
        case .accepted(let a):
            kind = UInt8(TERN_EVENT_ACCEPTED)
            order_id = a.orderID.rawValue
        case .rejected(let r): set(r, TERN_EVENT_REJECTED)
        case .cancelRejected(let r): set(r, TERN_EVENT_CANCEL_REJECTED)
        case .replaceRejected(let r): set(r, TERN_EVENT_REPLACE_REJECTED)
        case .filled(let f):
            kind = UInt8(TERN_EVENT_FILLED)
            order_id = f.orderID.rawValue
            execution_id = f.executionID.rawValue
            side = f.side.rawValue
            liquidity = f.liquidity.rawValue
            price = f.price.rawValue
            quantity = f.quantity.rawValue
            leaves_quantity = f.leavesQuantity.rawValue
            fee = f.fee.c
        case .cancelAccepted(let c): set(c, TERN_EVENT_CANCEL_ACCEPTED)
        case .expired(let c): set(c, TERN_EVENT_EXPIRED)
        case .replaceAccepted(let r):
            kind = UInt8(TERN_EVENT_REPLACE_ACCEPTED)
            original_client_order_id = r.originalClientOrderID.rawValue
            order_id = r.orderID.rawValue
            price = r.price.rawValue
            quantity = r.quantity.rawValue
            leaves_quantity = r.leavesQuantity.rawValue
        }
    }
}

/// A NUL-terminated fixed char array of a C struct as a Swift string (at most `capacity` bytes).
func fixedString<T>(_ tuple: T, capacity: Int) -> String {
    withUnsafeBytes(of: tuple) { raw in
        let bytes = raw.prefix(capacity)
        let end = bytes.firstIndex(of: 0) ?? bytes.endIndex
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}

/// Copies `text` into a fixed char array with a NUL (truncating).
func setFixedString<T>(_ tuple: inout T, _ text: String) {
    withUnsafeMutableBytes(of: &tuple) { raw in
        raw.initializeMemory(as: UInt8.self, repeating: 0)
        let bytes = Array(text.utf8.prefix(raw.count - 1))
        raw.copyBytes(from: bytes)
    }
}

extension InstrumentSpec {
    init(c i: tern_instrument_t) throws(InstrumentSpecError) {
        try self.init(
            id: InstrumentID(rawValue: i.id), symbol: Symbol(fixedString(i.symbol, capacity: Int(TERN_SYMBOL_CAPACITY))), tickSize: Price(rawValue: i.tick_size),
            lotSize: Quantity(rawValue: i.lot_size), multiplier: ContractMultiplier(rawValue: i.multiplier),
            minQuantity: i.min_quantity == 0 ? nil : Quantity(rawValue: i.min_quantity), maxQuantity: Quantity(rawValue: i.max_quantity),
            currency: Currency(code: fixedString(i.currency, capacity: Int(TERN_CURRENCY_CAPACITY)), minorUnitExponent: Int(i.currency_exponent)),
            allowsNegativePrices: i.allows_negative_prices != 0)
    }
}

extension tern_instrument_t {
    init(_ s: InstrumentSpec) {
        self.init()
        id = s.id.rawValue
        allows_negative_prices = s.allowsNegativePrices ? 1 : 0
        currency_exponent = s.currency.minorUnitExponent
        setFixedString(&symbol, s.symbol.description)
        setFixedString(&currency, s.currency.code)
        tick_size = s.tickSize.rawValue
        lot_size = s.lotSize.rawValue
        multiplier = s.multiplier.rawValue
        min_quantity = s.minQuantity.rawValue
        max_quantity = s.maxQuantity.rawValue
    }
}

extension RateLimit {
    init(c r: tern_rate_limit_t) { self = r.count == 0 ? .unlimited : RateLimit(count: Int(r.count), windowNanoseconds: r.window_ns) }
}

extension PriceBand {
    init(c b: tern_price_band_t) { self.init(ticks: b.ticks == 0 ? nil : b.ticks, basisPoints: b.basis_points == 0 ? nil : b.basis_points) }
}

/// The configuration a C struct describes; throws a RiskConfigError naming the field.
func riskSetup(_ c: tern_risk_config_t) throws(RiskConfigError) -> (RiskConfiguration, [String], [String], [String]) {
    func error(_ field: String, _ message: String) -> RiskConfigError { RiskConfigError(file: "tern_risk_config_t", line: 0, field: field, message: message) }
    if let mismatch = sizeMismatch(c.struct_size, tern_risk_config_t.self) { throw error("struct_size", mismatch) }
    let currency: Currency
    do throws(InstrumentSpecError) {
        currency = try Currency(code: fixedString(c.currency, capacity: Int(TERN_CURRENCY_CAPACITY)), minorUnitExponent: Int(c.currency_exponent))
    } catch let e {
        throw error("currency", "\(e)")
    }
    guard let selfMatch = SelfMatchScope(rawValue: c.self_match) else { throw error("self_match", "\(c.self_match) is not a TERN_SELF_MATCH_* code") }
    func array<T>(_ p: UnsafePointer<T>?, _ count: UInt32, _ field: String) throws(RiskConfigError) -> UnsafeBufferPointer<T> {
        if count == 0 { return UnsafeBufferPointer(start: nil, count: 0) }
        guard let p else { throw error(field, "NULL with a count of \(count)") }
        return UnsafeBufferPointer(start: p, count: Int(count))
    }
    var instruments: [InstrumentRisk] = []
    var instrumentNames: [String] = []
    for (i, l) in try array(c.instruments, c.instrument_count, "instruments").enumerated() {
        let field = "instruments[\(i)]"
        guard l.instrument.id == i else { throw error("\(field).instrument.id", "\(l.instrument.id): instrument i must have id i") }
        let spec: InstrumentSpec
        do throws(InstrumentSpecError) { spec = try InstrumentSpec(c: l.instrument) } catch let e { throw error("\(field).instrument", "\(e)") }
        let types = l.order_types == 0 ? OrderCapabilities.standard.orderTypes : l.order_types
        let tifs = l.times_in_force == 0 ? OrderCapabilities.standard.timesInForce : l.times_in_force
        var capabilities = OrderCapabilities(orderTypes: [], timesInForce: [])
        capabilities.orderTypes = types
        capabilities.timesInForce = tifs
        instruments.append(
            InstrumentRisk(
                spec: spec, capabilities: capabilities, maxOrderQuantity: Quantity(rawValue: l.max_order_quantity),
                maxOrderNotional: Money(rawValue: l.max_order_notional.int128), maxLong: Quantity(rawValue: l.max_long),
                maxShort: Quantity(rawValue: l.max_short), band: PriceBand(c: l.band), auctionBand: PriceBand(c: l.auction_band),
                aggressiveOnlyBand: l.aggressive_only_band != 0, maxReferenceAgeNanoseconds: l.max_reference_age_ns, driftBand: PriceBand(c: l.drift_band),
                driftWindowNanoseconds: l.drift_window_ns,
                fees: FeeSchedule(makerRate: l.maker_fee_rate, takerRate: l.taker_fee_rate, perUnit: Money(rawValue: l.fee_per_unit.int128))))
        instrumentNames.append(spec.symbol.description)
    }
    var accounts: [AccountLimits] = []
    var accountNames: [String] = []
    for (i, a) in try array(c.accounts, c.account_count, "accounts").enumerated() {
        guard let n = string(a.name) else { throw error("accounts[\(i)].name", "NULL") }
        accountNames.append(n)
        accounts.append(
            AccountLimits(
                id: AccountID(rawValue: UInt32(i)), maxWorkingOrders: Int(a.max_working_orders), maxWorkingNotional: Money(rawValue: a.max_working_notional.int128),
                creditLimit: Money(rawValue: a.credit_limit.int128), dailyLossLimit: Money(rawValue: a.daily_loss_limit.int128),
                submitRate: RateLimit(c: a.submit_rate), modifyRate: RateLimit(c: a.modify_rate), cancelRate: RateLimit(c: a.cancel_rate),
                rejectTrip: RateLimit(c: a.reject_trip)))
    }
    var strategies: [StrategyLimits] = []
    var strategyNames: [String] = []
    for (i, s) in try array(c.strategies, c.strategy_count, "strategies").enumerated() {
        guard let n = string(s.name) else { throw error("strategies[\(i)].name", "NULL") }
        strategyNames.append(n)
        strategies.append(
            StrategyLimits(
                id: StrategyID(rawValue: UInt32(i)), enabled: s.disabled == 0, submitRate: RateLimit(c: s.submit_rate), modifyRate: RateLimit(c: s.modify_rate),
                executionThrottle: RateLimit(c: s.execution_throttle), attemptTrip: RateLimit(c: s.attempt_trip)))
    }
    var operators: [String] = []
    for (i, o) in try array(c.operators, c.operator_count, "operators").enumerated() {
        guard let n = string(o) else { throw error("operators[\(i)]", "NULL") }
        operators.append(n)
    }
    let firm = FirmLimits(
        currency: currency, maxWorkingOrders: Int(c.max_working_orders), creditLimit: Money(rawValue: c.credit_limit.int128),
        dailyLossLimit: Money(rawValue: c.daily_loss_limit.int128), submitRate: RateLimit(c: c.submit_rate), modifyRate: RateLimit(c: c.modify_rate),
        cancelRate: RateLimit(c: c.cancel_rate), duplicateOrders: RateLimit(c: c.duplicate_orders), selfMatch: selfMatch,
        fxMaxAgeNanoseconds: Int64(c.fx_max_age_ms) * 1_000_000)
    let configuration = RiskConfiguration(
        firm: firm, instruments: instruments, accounts: accounts, strategies: strategies, operators: operators, version: c.version == 0 ? 1 : c.version)
    return (configuration, instrumentNames, accountNames, strategyNames)
}

// MARK: Create and free

@c @implementation
public func tern_risk_create(_ config: UnsafePointer<tern_risk_config_t>?, _ out_risk: UnsafeMutablePointer<OpaquePointer?>?) -> tern_status_t {
    guard let config else { return null("config") }
    guard let out_risk else { return null("out_risk") }
    do throws(RiskConfigError) {
        let (configuration, instruments, accounts, strategies) = try riskSetup(config.pointee)
        let handle = RiskHandle(try RiskEngine(configuration), instruments: instruments, accounts: accounts, strategies: strategies)
        return ok(out_risk, retained(handle))
    } catch {
        return fail(TERN_E_INVALID, "tern_risk_create: \(error)")
    }
}

@c @implementation
public func tern_risk_create_from_files(
    _ limits_path: UnsafePointer<CChar>?, _ instruments_path: UnsafePointer<CChar>?, _ out_risk: UnsafeMutablePointer<OpaquePointer?>?
) -> tern_status_t {
    guard let limits = string(limits_path) else { return null("limits_path") }
    guard let instruments = string(instruments_path) else { return null("instruments_path") }
    guard let out_risk else { return null("out_risk") }
    do throws(FeedError) {
        let (l, i) = (try FeedFile.readRaw(path: limits), try FeedFile.readRaw(path: instruments))
        return createRisk(l, limits, i, instruments, out_risk, #function)
    } catch {
        return fail(TERN_E_IO, "tern_risk_create_from_files: \(error)")
    }
}

@c @implementation
public func tern_risk_create_from_text(
    _ limits: UnsafePointer<CChar>?, _ limits_length: Int, _ instruments: UnsafePointer<CChar>?, _ instruments_length: Int,
    _ out_risk: UnsafeMutablePointer<OpaquePointer?>?
) -> tern_status_t {
    guard let limits else { return null("limits") }
    guard let instruments else { return null("instruments") }
    guard let out_risk else { return null("out_risk") }
    let l = Array(UnsafeRawBufferPointer(start: limits, count: limits_length))
    let i = Array(UnsafeRawBufferPointer(start: instruments, count: instruments_length))
    return createRisk(l, "limits", i, "instruments", out_risk, #function)
}

func createRisk(
    _ limits: [UInt8], _ limitsName: String, _ instruments: [UInt8], _ instrumentsName: String, _ out: UnsafeMutablePointer<OpaquePointer?>,
    _ function: StaticString
) -> tern_status_t {
    do throws(RiskConfigError) {
        let setup = try RiskSetup.parse(limits: limits, limitsName: limitsName, instruments: instruments, instrumentsName: instrumentsName)
        return ok(out, retained(try RiskHandle(setup)))
    } catch {
        return fail(TERN_E_PARSE, "\(name(function)): \(error)")
    }
}

@c @implementation
public func tern_risk_free(_ risk: OpaquePointer?) {
    guard let risk, let h = object(risk, .risk, as: RiskHandle.self), !h.borrowed else { return }
    release(risk, .risk)
}

// MARK: Names and instruments

@c @implementation
public func tern_risk_lookup(_ risk: OpaquePointer?, _ kind: Int32, _ name: UnsafePointer<CChar>?, _ out_id: UnsafeMutablePointer<UInt32>?) -> tern_status_t {
    withRisk(risk) { h in
        guard let text = string(name) else { return null("name") }
        guard let out_id else { return null("out_id") }
        let names: [String]
        switch kind {
        case TERN_NAME_INSTRUMENT: names = h.instrumentNames
        case TERN_NAME_ACCOUNT: names = h.accountNames
        case TERN_NAME_STRATEGY: names = h.strategyNames
        default: return fail(TERN_E_INVALID, "tern_risk_lookup: kind \(kind) is not a TERN_NAME_* code")
        }
        guard let i = names.firstIndex(of: text) else {
            return fail(TERN_E_NOT_FOUND, "tern_risk_lookup: no \(["", "instrument", "account", "strategy"][Int(kind)]) named \(String(reflecting: text))")
        }
        return ok(out_id, UInt32(i))
    }
}

@c @implementation
public func tern_risk_instrument_count(_ risk: OpaquePointer?, _ out_count: UnsafeMutablePointer<UInt32>?) -> tern_status_t {
    withRisk(risk) { h in
        guard let out_count else { return null("out_count") }
        return ok(out_count, UInt32(h.configuration.instruments.count))
    }
}

@c @implementation
public func tern_risk_instrument(_ risk: OpaquePointer?, _ instrument_id: UInt32, _ out_instrument: UnsafeMutablePointer<tern_instrument_t>?) -> tern_status_t {
    withRisk(risk) { h in
        guard let out_instrument else { return null("out_instrument") }
        guard instrument_id < h.configuration.instruments.count else {
            return fail(TERN_E_NOT_FOUND, "tern_risk_instrument: no instrument \(instrument_id) (there are \(h.configuration.instruments.count))")
        }
        return ok(out_instrument, tern_instrument_t(h.configuration.instruments[Int(instrument_id)].spec))
    }
}

@c @implementation
public func tern_instrument_check(
    _ instrument: UnsafePointer<tern_instrument_t>?, _ price: tern_price_t, _ quantity: tern_quantity_t, _ out_reason: UnsafeMutablePointer<UInt16>?
) -> tern_status_t {
    guard let instrument else { return null("instrument") }
    let spec: InstrumentSpec
    do throws(InstrumentSpecError) { spec = try InstrumentSpec(c: instrument.pointee) } catch {
        return fail(TERN_E_INVALID, "tern_instrument_check: the instrument itself is invalid: \(error)")
    }
    let p = Price(rawValue: price)
    let q = Quantity(rawValue: quantity)
    let reason: RejectReason? =
        !spec.isPriceSignValid(p) ? .priceInvalid
        : !spec.isOnTick(p) ? .priceNotOnTick
        : q.rawValue <= 0 ? .quantityInvalid
        : !spec.isOnLot(q) ? .quantityNotOnLot
        : q < spec.minQuantity ? .quantityBelowMinimum
        : q > spec.maxQuantity ? .quantityAboveMaximum
        : nil
    out_reason?.pointee = reason?.rawValue ?? 0
    guard let reason else { return TERN_OK }
    return fail(TERN_E_INVALID, "tern_instrument_check: \(spec.symbol): price \(p) quantity \(q): \(reason.name)")
}

/// Static C names of the reject reasons (made once, kept for the life of the process).
// Safe (nonisolated(unsafe)): built once (a global is initialized exactly once) and only read after.
nonisolated(unsafe) let reasonNames: [UInt16: UnsafePointer<CChar>] = {
    var table: [UInt16: UnsafePointer<CChar>] = [:]
    for r in RejectReason.known {
        let bytes = Array(r.name.utf8CString)
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        p.initialize(from: bytes, count: bytes.count)
        table[r.rawValue] = UnsafePointer(p)
    }
    return table
}()

@c @implementation
public func tern_reject_reason_name(_ reason: UInt16) -> UnsafePointer<CChar>! {
    if reason == 0 { return cString("none") }
    return reasonNames[reason] ?? cString("unknown")
}

// MARK: Orders and events

@c @implementation
public func tern_risk_update_quote(
    _ risk: OpaquePointer?, _ instrument_id: UInt32, _ bid: tern_price_t, _ ask: tern_price_t, _ last: tern_price_t, _ now_ns: Int64
) -> tern_status_t {
    withRisk(risk) { h in
        guard instrument_id < h.configuration.instruments.count else { return fail(TERN_E_NOT_FOUND, "tern_risk_update_quote: no instrument \(instrument_id)") }
        h.risk.updateQuote(
            InstrumentID(rawValue: instrument_id), bid: Price(rawValue: bid), ask: Price(rawValue: ask), last: last == 0 ? nil : Price(rawValue: last),
            at: Timestamp(rawValue: now_ns))
        return TERN_OK
    }
}

@c @implementation
public func tern_risk_update_fx(_ risk: OpaquePointer?, _ currency: UnsafePointer<CChar>?, _ rate: tern_price_t, _ now_ns: Int64) -> tern_status_t {
    withRisk(risk) { h in
        guard let currency else { return fail(TERN_E_NULL, "tern_risk_update_fx: currency is NULL") }
        let code = String(cString: currency)
        guard let c = h.risk.foreignCurrency(code: code) else {
            return fail(TERN_E_NOT_FOUND, "tern_risk_update_fx: no instrument is quoted in \(String(reflecting: code)) (other than the firm currency)")
        }
        h.risk.updateFX(c, rate: Price(rawValue: rate), at: Timestamp(rawValue: now_ns))
        return TERN_OK
    }
}

@c @implementation
public func tern_risk_set_session(_ risk: OpaquePointer?, _ instrument_id: UInt32, _ session: Int32) -> tern_status_t {
    withRisk(risk) { h in
        guard instrument_id < h.configuration.instruments.count else { return fail(TERN_E_NOT_FOUND, "tern_risk_set_session: no instrument \(instrument_id)") }
        guard let state = UInt8(exactly: session).flatMap(SessionState.init(rawValue:)) else {
            return fail(TERN_E_INVALID, "tern_risk_set_session: \(session) is not a TERN_SESSION_* code")
        }
        h.risk.setSession(InstrumentID(rawValue: instrument_id), state)
        return TERN_OK
    }
}

/// The shared body of `tern_risk_check` and `tern_risk_submit`: validate, convert, decide.
@inline(__always)
func decide(
    _ risk: OpaquePointer?, _ order: UnsafePointer<tern_order_t>?, _ now: Int64, _ out: UnsafeMutablePointer<tern_risk_decision_t>?,
    _ function: StaticString, _ body: (RiskEngine, NewOrder, Timestamp) -> RiskDecision
) -> tern_status_t {
    withRisk(risk, function) { h in
        guard let order else { return null("order", function) }
        guard let out else { return null("out_decision", function) }
        guard let o = newOrder(order.pointee) else { return badOrder(order.pointee, function) }
        return ok(out, tern_risk_decision_t(body(h.risk, o, Timestamp(rawValue: now))))
    }
}

@c @implementation
public func tern_risk_check(
    _ risk: OpaquePointer?, _ order: UnsafePointer<tern_order_t>?, _ now_ns: Int64, _ out_decision: UnsafeMutablePointer<tern_risk_decision_t>?
) -> tern_status_t {
    decide(risk, order, now_ns, out_decision, #function) { $0.evaluate($1, at: $2) }
}

@c @implementation
public func tern_risk_submit(
    _ risk: OpaquePointer?, _ order: UnsafePointer<tern_order_t>?, _ now_ns: Int64, _ out_decision: UnsafeMutablePointer<tern_risk_decision_t>?
) -> tern_status_t {
    decide(risk, order, now_ns, out_decision, #function) { $0.submit($1, at: $2) }
}

@c @implementation
public func tern_risk_submit_change(
    _ risk: OpaquePointer?, _ kind: Int32, _ change: UnsafePointer<tern_order_change_t>?, _ now_ns: Int64,
    _ out_decision: UnsafeMutablePointer<tern_risk_decision_t>?
) -> tern_status_t {
    withRisk(risk) { h in
        guard let change else { return null("change") }
        guard let out_decision else { return null("out_decision") }
        let c = change.pointee
        guard let side = Side(rawValue: c.side) else { return fail(TERN_E_INVALID, "tern_risk_submit_change: side \(c.side) is not a TERN_SIDE_* code") }
        let now = Timestamp(rawValue: now_ns)
        let decision: RiskDecision
        switch kind {
        case TERN_REQUEST_CANCEL:
            decision = h.risk.submitCancel(
                CancelOrder(
                    clientOrderID: ClientOrderID(rawValue: c.client_order_id), originalClientOrderID: ClientOrderID(rawValue: c.original_client_order_id),
                    instrumentID: InstrumentID(rawValue: c.instrument_id), accountID: AccountID(rawValue: c.account_id), side: side,
                    timestamp: Timestamp(rawValue: c.timestamp_ns)), at: now)
        case TERN_REQUEST_REPLACE:
            decision = h.risk.submitReplace(
                ReplaceOrder(
                    clientOrderID: ClientOrderID(rawValue: c.client_order_id), originalClientOrderID: ClientOrderID(rawValue: c.original_client_order_id),
                    instrumentID: InstrumentID(rawValue: c.instrument_id), accountID: AccountID(rawValue: c.account_id), side: side,
                    price: Price(rawValue: c.price), quantity: Quantity(rawValue: c.quantity), timestamp: Timestamp(rawValue: c.timestamp_ns)), at: now)
        default: return fail(TERN_E_INVALID, "tern_risk_submit_change: kind \(kind) is neither TERN_REQUEST_CANCEL nor TERN_REQUEST_REPLACE")
        }
        return ok(out_decision, tern_risk_decision_t(decision))
    }
}

@c @implementation
public func tern_risk_apply(_ risk: OpaquePointer?, _ event: UnsafePointer<tern_order_event_t>?, _ now_ns: Int64) -> tern_status_t {
    withRisk(risk) { h in
        guard let event else { return null("event") }
        guard let e = orderEvent(event.pointee) else {
            let k = event.pointee
            return fail(TERN_E_INVALID, "tern_risk_apply: kind \(k.kind), side \(k.side), liquidity \(k.liquidity) or origin \(k.origin) is not a valid code")
        }
        h.risk.apply(e, at: Timestamp(rawValue: now_ns))
        return TERN_OK
    }
}

@c @implementation
public func tern_risk_next_cancel(_ risk: OpaquePointer?, _ out_cancel: UnsafeMutablePointer<tern_order_change_t>?) -> tern_status_t {
    withRisk(risk) { h in
        guard let out_cancel else { return null("out_cancel") }
        guard let c = h.risk.nextCancel() else { return TERN_E_EMPTY }
        return ok(out_cancel, tern_order_change_t(c))
    }
}

// MARK: Kill switch

@inline(never)
func badScope(_ s: tern_kill_scope_t, _ function: StaticString = #function) -> tern_status_t {
    fail(TERN_E_INVALID, "\(name(function)): scope kind \(s.kind), id \(s.id), side \(s.side) does not exist in this configuration")
}

@c @implementation
public func tern_risk_kill_trip(
    _ risk: OpaquePointer?, _ scope: tern_kill_scope_t, _ actor: UnsafePointer<CChar>?, _ reason: UnsafePointer<CChar>?, _ now_ns: Int64
) -> tern_status_t {
    withRisk(risk) { h in
        guard let s = h.scope(scope) else { return badScope(scope) }
        // KillSwitch.trip is the any-thread entry; the owning thread queues the cancels.
        _ = h.risk.killSwitch.trip(s, cause: .manual, actor: string(actor) ?? "c-api", reason: string(reason) ?? "", at: Timestamp(rawValue: now_ns))
        return TERN_OK
    }
}

@c @implementation
public func tern_risk_kill_process(_ risk: OpaquePointer?, _ now_ns: Int64) -> tern_status_t {
    withRisk(risk) { h in
        h.risk.processKillRequests(at: Timestamp(rawValue: now_ns))
        return TERN_OK
    }
}

@c @implementation
public func tern_risk_kill_reset(
    _ risk: OpaquePointer?, _ scope: tern_kill_scope_t, _ reducing: Int32, _ operator_name: UnsafePointer<CChar>?, _ reason: UnsafePointer<CChar>?,
    _ now_ns: Int64
) -> tern_status_t {
    withRisk(risk) { h in
        guard let s = h.scope(scope) else { return badScope(scope) }
        guard let who = string(operator_name) else { return null("operator_name") }
        let why = string(reason) ?? ""
        let now = Timestamp(rawValue: now_ns)
        do throws(RiskOperatorError) {
            if reducing != 0 { try h.risk.enterReducing(s, operator: who, reason: why, at: now) } else { try h.risk.reset(s, operator: who, reason: why, at: now) }
            return TERN_OK
        } catch {
            switch error {
            case .unauthorized, .causeStillHolds: return fail(TERN_E_REFUSED, "tern_risk_kill_reset: \(error)")
            case .notTripped: return fail(TERN_E_STATE, "tern_risk_kill_reset: \(error)")
            case .unknownScope: return fail(TERN_E_INVALID, "tern_risk_kill_reset: \(error)")
            }
        }
    }
}

@c @implementation
public func tern_risk_kill_state(_ risk: OpaquePointer?, _ scope: tern_kill_scope_t, _ out_state: UnsafeMutablePointer<Int32>?) -> tern_status_t {
    withRisk(risk) { h in
        guard let out_state else { return null("out_state") }
        guard let s = h.scope(scope) else { return badScope(scope) }
        return ok(out_state, Int32(h.risk.killSwitch.state(s).rawValue))
    }
}

// MARK: Positions and exposure

@c @implementation
public func tern_risk_position(
    _ risk: OpaquePointer?, _ account_id: UInt32, _ instrument_id: UInt32, _ out_position: UnsafeMutablePointer<tern_position_t>?
) -> tern_status_t {
    withRisk(risk) { h in
        guard let out_position else { return null("out_position") }
        guard let p = h.risk.position(account: AccountID(rawValue: account_id), instrument: InstrumentID(rawValue: instrument_id)) else {
            return fail(TERN_E_NOT_FOUND, "tern_risk_position: no account \(account_id) or instrument \(instrument_id)")
        }
        return ok(
            out_position,
            tern_position_t(
                position: p.position, open_buy_quantity: p.openBuyQuantity, open_sell_quantity: p.openSellQuantity, working_count: Int64(p.workingCount),
                open_buy_notional: tern_money_t(p.openBuyNotional), open_sell_notional: tern_money_t(p.openSellNotional), realized: tern_money_t(p.realized),
                fees: tern_money_t(p.fees), unrealized: tern_money_t(p.unrealized), mark_value: tern_money_t(p.markValue)))
    }
}

@c @implementation
public func tern_risk_exposure(_ risk: OpaquePointer?, _ account_id: UInt32, _ out_exposure: UnsafeMutablePointer<tern_exposure_t>?) -> tern_status_t {
    withRisk(risk) { h in
        guard let out_exposure else { return null("out_exposure") }
        guard let t = h.risk.totals(account: AccountID(rawValue: account_id)) else {
            return fail(TERN_E_NOT_FOUND, "tern_risk_exposure: no account \(account_id)")
        }
        return ok(
            out_exposure,
            tern_exposure_t(
                working_count: Int64(t.workingCount), holdings: Int64(t.holdings), working_notional: tern_money_t(t.workingNotional),
                mark_value: tern_money_t(t.markValue), credit_used: tern_money_t(t.creditUsed), realized: tern_money_t(t.realized),
                fees: tern_money_t(t.fees), daily_pnl: tern_money_t(t.dailyPnL)))
    }
}

