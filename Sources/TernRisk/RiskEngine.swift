import CTernShims
public import TernCore

/// Pre-trade risk: every check of notes/risk.md §2.1 on each order, the exposure state the order
/// events drive, and the kill switch.
///
/// ## Threads
/// One thread owns the engine (it is not `Sendable`): it submits orders, applies venue events and
/// market data, and drains the cancel outbox. Other threads may only read and trip the shared
/// `killSwitch` (and read its state); everything else goes through the owning thread.
///
/// ## Use
/// ```swift
/// let risk = try RiskEngine(configuration)
/// risk.updateQuote(es, bid: bid, ask: ask, last: last, at: now)
/// let d = risk.submit(order, at: now)            // check + commit as sent
/// if d.isAccepted, risk.mayRelease(order) { gateway.send(order) }   // second gate at the wire
/// risk.apply(.filled(fill), at: now)             // every venue event
/// while let cancel = risk.nextCancel() { gateway.send(cancel) }     // kill-switch cancels
/// ```
/// `evaluate` runs the same checks without committing anything. Decisions carry the reason, the
/// limit and the values compared; `docs/risk.md` lists them.
public final class RiskEngine {
    let core: UnsafeMutablePointer<RiskCore>
    /// The kill switch: trip it from any thread.
    public let killSwitch: KillSwitch
    /// The configuration the engine runs with.
    public let configuration: RiskConfiguration

    /// Receives every input and event from now on (a journal: `TernJournal.RiskJournal`). Events
    /// recorded before it was set are not sent. Set it before trading; the engine keeps it alive.
    public var recorder: (any RiskRecorder)? {
        didSet {
            fastRecorder = recorder
            recording = recorder != nil
            recordedEvents = core.pointee.events.count
        }
    }
    /// `recorder` without reference counting on the calls (the strong reference above keeps it alive).
    unowned(unsafe) var fastRecorder: (any RiskRecorder)? = nil
    /// Whether there is a recorder: what the hot paths test (testing `fastRecorder` against nil
    /// retains and releases it).
    var recording = false
    /// Events already passed to the recorder.
    var recordedEvents = 0

    /// Creates an engine. Allocates every table now; nothing allocates while checking.
    ///
    /// - Throws: `RiskConfigError` naming the field that breaks a rule.
    public init(_ configuration: RiskConfiguration) throws(RiskConfigError) {
        try configuration.validate()
        self.configuration = configuration
        killSwitch = KillSwitch(
            accounts: configuration.accounts.count, strategies: configuration.strategies.count,
            instruments: configuration.instruments.count)
        core = .allocate(capacity: 1)
        core.initialize(to: RiskCore(configuration, killSwitch: killSwitch))
    }

    deinit {
        core.deinitialize(count: 1)
        core.deallocate()
    }

    // MARK: Orders

    /// Runs every check on `order` at time `now` without changing anything.
    public func evaluate(_ order: NewOrder, at now: Timestamp) -> RiskDecision {
        core.pointee.evaluate(order, max(now.rawValue, core.pointee.lastNow)).decision
    }

    /// Checks `order` and, if accepted, commits it as sent: exposure is reserved from this moment
    /// (RTS 6 Art. 15(2)). The decision's `sequence` is the approval sequence number.
    public func submit(_ order: NewOrder, at now: Timestamp) -> RiskDecision {
        let t = prologue(now)
        let s = Int(order.strategyID.rawValue)
        if s < core.pointee.strategyCount {
            core.pointee.strategyLog(s, .attempt).pointee.push(t)
        }
        let e = core.pointee.evaluate(order, t)
        var d = e.decision
        if d.isAccepted {
            d.sequence = core.pointee.commit(order, t, e).0
            core.pointee.duplicates.sweep(t)
            core.pointee.counters.accepted &+= 1
        } else {
            core.pointee.counters.denied &+= 1
            if d.isKillDenial { coldSettleKillRace(d, now, t) }
        }
        attemptTrip(s, t)
        if recording { coldEmit(.order(order, d, index: 0, count: 1), now) }
        return d
    }

    /// The common start of an engine call: the clock, then trips made on other threads since the
    /// last call (recorded as external inputs, before the call's own record).
    @inline(__always)
    func prologue(_ now: Timestamp) -> Int64 {
        let t = core.pointee.clock(now)
        core.pointee.processKillRequests(t)
        flush(.external, now)
        return t
    }

    /// A denial by the kill gate may have seen a flag another thread set after this call's
    /// prologue: process that trip now, so it is recorded before the order it denied and a replay
    /// denies the order the same way.
    ///
    /// `KillSwitch.trip` stores the flag before it queues the trip, so the gate can see a flag
    /// whose trip is not queued yet: wait (a few instructions on the tripping thread, bounded at
    /// about 50 ms should it be descheduled) until the scope the decision names is processed.
    @inline(never)
    func coldSettleKillRace(_ d: RiskDecision, _ now: Timestamp, _ t: Int64) {
        let k = Int(truncatingIfNeeded: d.value)
        guard k >= 0, k < core.pointee.scopes.count else { return }
        var spins = 0
        while core.pointee.states[k] != KillState.tripped.rawValue, spins < 1_000_000 {
            if core.pointee.hasKillRequests {
                core.pointee.coldKillRequests(t)
            } else {
                ctern_cpu_pause()
                spins += 1
            }
        }
        flush(.external, now)
    }

    /// Sends new events to the recorder as `origin`.
    @inline(__always)
    func flush(_ origin: RiskEventOrigin, _ now: Timestamp) {
        if recording, core.pointee.events.count != recordedEvents { coldFlush(origin, now) }
    }

    @inline(never)
    func coldFlush(_ origin: RiskEventOrigin, _ now: Timestamp) {
        guard let r = fastRecorder else { return }
        let count = core.pointee.events.count
        while recordedEvents < count {
            r.record(.event(core.pointee.events[recordedEvents], origin), at: now)
            recordedEvents += 1
        }
    }

    /// Records a call, then what the engine derived from it (cold: only with a recorder).
    @inline(never)
    func coldEmit(_ record: RiskRecord, _ now: Timestamp) {
        guard let r = fastRecorder else { return }
        r.record(record, at: now)
        coldFlush(.derived, now)
    }

    /// The engine's clock: the latest time any state-changing call was given.
    public var latest: Timestamp { Timestamp(rawValue: core.pointee.lastNow) }

    @inline(__always)
    func attemptTrip(_ s: Int, _ t: Int64) {
        guard s < core.pointee.strategyCount else { return }
        let rate = core.pointee.strategies[s].attemptTrip
        if !rate.isUnlimited, !core.pointee.strategyLog(s, .attempt).pointee.allows(t, adding: 1),
            !core.pointee.strategyHasCause(s, .orderRate)
        {
            coldAttemptTrip(s, rate, t)
        }
    }

    /// Trips a strategy whose order attempts reached their threshold (cold: a trigger fired).
    @inline(never)
    func coldAttemptTrip(_ s: Int, _ rate: RateLimit, _ t: Int64) {
        core.pointee.trip(.strategy(StrategyID(rawValue: UInt32(s))), .orderRate, actor: "risk", reason: "order attempts reached \(rate)", t)
    }

    /// Checks and commits a list of orders all-or-nothing (at most 64): either every order is
    /// accepted and committed, or none is, and each gets the reason (`ORDER_LIST_REJECTED` for the
    /// ones that did not fail themselves). Later orders are checked against the exposure of the
    /// earlier ones, so a basket cannot slip past an aggregate limit item by item.
    public func submitList(_ list: [NewOrder], at now: Timestamp) -> [RiskDecision] {
        let t = prologue(now)
        let decisions = decideList(list, now, t)
        if recording { coldEmitList(list, decisions, now) }
        return decisions
    }

    /// Records a list's items, then what the engine derived from the list.
    @inline(never)
    func coldEmitList(_ list: [NewOrder], _ decisions: [RiskDecision], _ now: Timestamp) {
        guard let r = fastRecorder else { return }
        for (k, (o, d)) in zip(list, decisions).enumerated() { r.record(.order(o, d, index: k, count: list.count), at: now) }
        coldFlush(.derived, now)
    }

    func decideList(_ list: [NewOrder], _ now: Timestamp, _ t: Int64) -> [RiskDecision] {
        guard list.count <= SlidingLog.undoDepth else {
            return list.map { _ in RiskDecision(reason: .orderListRejected, limit: .orderList, limitValue: Int128(SlidingLog.undoDepth), value: Int128(list.count)) }
        }
        var decisions: [RiskDecision] = []
        var undo: [RiskCore.Undo] = []
        for order in list {
            let e = core.pointee.evaluate(order, t)
            let decision = e.decision
            if !decision.isAccepted {
                for (u, o) in zip(undo, list).reversed() { core.pointee.uncommit(u, o) }
                core.pointee.counters.denied &+= list.count
                if decision.isKillDenial { coldSettleKillRace(decision, now, t) }
                let failed = decisions.count
                return list.indices.map { i in
                    i == failed ? decision : RiskDecision(reason: .orderListRejected, limit: .orderList, limitValue: Int128(failed), value: Int128(i))
                }
            }
            let (seq, u) = core.pointee.commit(order, t, e)
            undo.append(u)
            var d = decision
            d.sequence = seq
            decisions.append(d)
        }
        core.pointee.counters.accepted &+= list.count
        core.pointee.duplicates.sweep(t, orders: list.count)
        return decisions
    }

    /// Checks a replace and, if accepted, reserves the larger of the old and new order until the
    /// venue answers.
    public func submitReplace(_ replace: ReplaceOrder, at now: Timestamp) -> RiskDecision {
        let t = prologue(now)
        var d = core.pointee.evaluateReplace(replace, t)
        if d.isAccepted {
            d.sequence = core.pointee.commitReplace(replace, t)
            core.pointee.counters.accepted &+= 1
        } else {
            core.pointee.counters.denied &+= 1
            if d.isKillDenial { coldSettleKillRace(d, now, t) }
        }
        if recording { coldEmit(.replace(replace, d), now) }
        return d
    }

    /// A cancel request: accepted for any working order, even with the kill switch tripped or the
    /// message limit spent (it is still counted). Denied only for an unknown order.
    public func submitCancel(_ cancel: CancelOrder, at now: Timestamp) -> RiskDecision {
        let t = prologue(now)
        let d = core.pointee.submitCancel(cancel, t)
        if recording { coldEmit(.cancel(cancel, d), now) }
        return d
    }

    /// The second kill gate, immediately before an approved order's bytes go to the venue: false
    /// if any scope covering it has been tripped since it was approved (any thread may trip).
    @inline(__always)
    public func mayRelease(_ order: NewOrder) -> Bool {
        let c = core
        let i = Int(order.instrumentID.rawValue)
        let a = Int(order.accountID.rawValue)
        let s = Int(order.strategyID.rawValue)
        guard i < c.pointee.instrumentCount, a < c.pointee.accountCount, s < c.pointee.strategyCount else { return false }
        return c.pointee.gate(account: a, strategy: s, instrument: i, side: order.side).0 != .tripped
    }

    /// Applies a venue event (ack, reject, fill, cancel and replace outcomes, expiry). Requests in
    /// the union (`.newOrder`, `.cancelOrder`, `.replaceOrder`) go through `submit…` instead and
    /// are ignored here.
    public func apply(_ event: OrderEvent, at now: Timestamp) {
        let t = prologue(now)
        core.pointee.apply(event, t)
        if recording { coldEmit(.venue(event), now) }
    }

    /// A fill Tern did not send (manual, external, a transfer): moves the position of `account`,
    /// then checks the triggers as for any fill.
    public func applyExternalFill(account: AccountID, _ fill: Fill, at now: Timestamp) {
        let t = prologue(now)
        let i = Int(fill.instrumentID.rawValue)
        if Int(account.rawValue) < core.pointee.accountCount, i < core.pointee.instrumentCount, fill.quantity.rawValue > 0 {
            core.pointee.afterFill(
                account: Int(account.rawValue), strategy: Int.max, instrument: i, side: fill.side, quantity: fill.quantity.rawValue,
                price: fill.price.rawValue, fill, t)
        }
        if recording { coldEmit(.externalFill(account, fill), now) }
    }

    // MARK: Market data and session

    /// A new quote (and optionally last trade) for `instrument`: the reference for collars, and
    /// the conservative mark (longs at the bid, shorts at the ask) for P&L and credit.
    public func updateQuote(_ instrument: InstrumentID, bid: Price, ask: Price, last: Price? = nil, at now: Timestamp) {
        let t = prologue(now)
        let i = Int(instrument.rawValue)
        if i < core.pointee.instrumentCount {
            core.pointee.updateQuote(i, bid: bid.rawValue, ask: ask.rawValue, last: last?.rawValue, t)
        }
        if recording { coldEmit(.quote(instrument, bid: bid, ask: ask, last: last), now) }
    }

    /// A new FX rate: `rate` firm-currency units per one unit of `currency` (at 10^-9, as a
    /// `Price`), observed at `now`. Every account's positions and working orders in that currency
    /// are revalued at once and the daily-loss triggers run. A rate that is not positive makes the
    /// currency's rate unknown, so orders that depend on it are denied until a good one arrives.
    /// Returns false, changing nothing, for a currency no instrument is quoted in (or the firm's).
    @discardableResult
    public func updateFX(_ currency: Currency, rate: Price, at now: Timestamp) -> Bool {
        guard let c = core.pointee.foreignIndex(currency) else { return false }
        let t = prologue(now)
        core.pointee.updateFX(c, rate: rate.rawValue, t)
        if recording { coldEmit(.fx(currency, rate: rate), now) }
        return true
    }

    /// The currencies instruments are quoted in other than the firm's, in order of first appearance.
    public var foreignCurrencies: [Currency] {
        (0..<core.pointee.foreignCount).map { core.pointee.fxRates[$0 + 1].currency }
    }

    /// The last good rate of a foreign currency and when it was given; nil when there is none.
    public func fxRate(_ currency: Currency) -> (rate: Price, time: Timestamp)? {
        guard let c = core.pointee.foreignIndex(currency) else { return nil }
        let fx = core.pointee.fxRates[c]
        return fx.known ? (Price(rawValue: fx.rate), Timestamp(rawValue: fx.stamp)) : nil
    }

    /// The foreign currency whose code is `code` ("EUR"); nil if no instrument is quoted in it.
    public func foreignCurrency(code: String) -> Currency? {
        foreignCurrencies.first { $0.code == code }
    }

    /// Sets an instrument's session state (halts and closes refuse new orders; pre-open and
    /// auctions use the auction band).
    public func setSession(_ instrument: InstrumentID, _ state: SessionState) {
        let i = Int(instrument.rawValue)
        guard i < core.pointee.instrumentCount else { return }
        core.pointee.markets[i].session = state
        if recording { coldEmit(.session(instrument, state), latest) }
    }

    /// While reconciling (after a reconnect, before working orders are known) every new order
    /// and replace is refused.
    public var isReconciling: Bool {
        get { core.pointee.reconciling }
        set {
            core.pointee.reconciling = newValue
            if recording { coldEmit(.reconciling(newValue), latest) }
        }
    }

    /// Starts a new trading day (client order IDs reusable, P&L from the current marks).
    public func beginTradingDay() {
        core.pointee.beginTradingDay()
        if recording { coldEmit(.tradingDay, latest) }
    }

    // MARK: Kill switch

    /// Trips `scope` from the owning thread and emits its cancel-all at once. Other threads use
    /// `killSwitch.trip`; the engine emits their cancels at its next call.
    public func trip(_ scope: KillScope, cause: KillCause = .manual, actor: String, reason: String, at now: Timestamp) {
        let t = prologue(now)
        core.pointee.trip(scope, cause, actor: actor, reason: reason, t)
        flush(.operator, now)
    }

    /// Emits the cancel-all for trips made on other threads. `submit`, `apply` and the other
    /// calls do this first; a host with nothing to submit calls it from its loop.
    public func processKillRequests(at now: Timestamp) {
        if core.pointee.hasKillRequests { coldProcessKillRequests(now) }
    }

    @inline(never)
    func coldProcessKillRequests(_ now: Timestamp) {
        _ = prologue(now)
    }

    /// Resets a tripped scope to armed: only a configured operator, only with a reason, and never
    /// while the trip's cause still holds.
    public func reset(_ scope: KillScope, operator name: String, reason: String, at now: Timestamp) throws(RiskOperatorError) {
        try operatorCall(now) { (core, t) throws(RiskOperatorError) in try core.pointee.reset(scope, operator: name, reason: reason, t) }
    }

    /// An operator call on the kill switch: trips from other threads first, then `body` at the
    /// engine's time. The clock moves only if `body` succeeds (a refused call leaves no trace to
    /// replay); the resulting event is recorded as an operator input.
    func operatorCall(
        _ now: Timestamp, _ body: (UnsafeMutablePointer<RiskCore>, Int64) throws(RiskOperatorError) -> Void
    ) throws(RiskOperatorError) {
        processKillRequests(at: now)
        let t = max(now.rawValue, core.pointee.lastNow)
        try body(core, t)
        core.pointee.lastNow = t
        flush(.operator, now)
    }

    /// Moves a tripped scope to reducing-only (orders that only reduce positions pass the full
    /// check path); it goes back to tripped when the scope is flat.
    public func enterReducing(_ scope: KillScope, operator name: String, reason: String, at now: Timestamp) throws(RiskOperatorError) {
        try operatorCall(now) { (core, t) throws(RiskOperatorError) in try core.pointee.enterReducing(scope, operator: name, reason: reason, t) }
    }

    /// The next cancel request the kill switch (or the reduce-only clamp) wants sent, or nil.
    public func nextCancel() -> CancelOrder? {
        let c = core
        guard c.pointee.outboxCount > 0 else { return nil }
        let cancel = c.pointee.outbox[c.pointee.outboxHead]
        c.pointee.outboxHead = (c.pointee.outboxHead + 1) % c.pointee.outboxCapacity
        c.pointee.outboxCount -= 1
        return cancel
    }

    /// Cancel requests waiting in the outbox.
    public var pendingCancelCount: Int { core.pointee.outboxCount }

    /// Working orders in `scope`: a trip's cancel-all is complete when this is zero.
    public func workingOrderCount(in scope: KillScope) -> Int { core.pointee.workingCount(in: scope) }

    /// The audit records so far (trips, resets, REDUCING transitions, anomalies), oldest first.
    public var events: [RiskEvent] { core.pointee.events }

    /// Re-applies recorded kill events after a restart, so a tripped scope restarts tripped.
    public func restoreKillState(from events: [RiskEvent]) {
        core.pointee.restoreKillState(events)
        flush(.restored, latest)
    }

    // MARK: State

    /// The position state of (account, instrument), or nil for unknown IDs.
    public func position(account: AccountID, instrument: InstrumentID) -> PositionState? {
        let a = Int(account.rawValue)
        let i = Int(instrument.rawValue)
        guard a < core.pointee.accountCount, i < core.pointee.instrumentCount else { return nil }
        return core.pointee.positions[core.pointee.positionIndex(a, i)]
    }

    /// An account's totals, or nil for an unknown ID.
    public func totals(account: AccountID) -> ExposureTotals? {
        let a = Int(account.rawValue)
        guard a < core.pointee.accountCount else { return nil }
        return core.pointee.accountTotals[a]
    }

    /// The firm's totals.
    public var firmTotals: ExposureTotals { core.pointee.firmTotals }

    /// Working orders now.
    public var workingOrderCount: Int { core.pointee.liveCount }

    /// Decision and anomaly counters.
    public var counters: RiskCounters { core.pointee.counters }

    /// The last approval sequence number.
    public var lastSequence: UInt64 { core.pointee.sequence }

    /// Whether a strategy may send orders (configured enabled).
    public func isEnabled(_ strategy: StrategyID) -> Bool {
        Int(strategy.rawValue) < core.pointee.strategyCount && core.pointee.strategyEnabled[Int(strategy.rawValue)]
    }

    /// Enables or disables a strategy: an operator action. A disabled strategy's orders are
    /// refused with `STRATEGY_DISABLED`; its working orders are not cancelled (trip its scope for that).
    public func setEnabled(_ strategy: StrategyID, _ enabled: Bool, operator name: String) throws(RiskOperatorError) {
        guard configuration.operators.contains(name) else { throw .unauthorized(name) }
        guard Int(strategy.rawValue) < core.pointee.strategyCount else { throw .unknownScope(.strategy(strategy)) }
        core.pointee.strategyEnabled[Int(strategy.rawValue)] = enabled
        if recording { coldEmit(.enabled(strategy, enabled, operator: name), latest) }
    }

    /// A digest of the whole state (positions, totals, working orders, rate logs, duplicate and ID
    /// tables, kill flags and causes, counters, events, the clock), equal in every process for
    /// equal states: replaying a journal into a fresh engine must give the live engine's digest.
    /// The cancel outbox is left out: it is what the host has not sent yet, and a host that
    /// recovers reconciles with the venue instead. O(capacity): for checks, not the hot path.
    public var stateDigest: UInt64 { core.pointee.digest() }
}
