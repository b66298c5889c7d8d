import CTernShims
import Synchronization
import TernCore

/// The engine's state and logic. A struct reached through one raw pointer from `RiskEngine`, so
/// mutations are static (no dynamic exclusivity checks) and nothing is reference counted on the
/// check path. One thread owns it.
struct RiskCore: ~Copyable {
    // MARK: Configuration (fixed)
    // A pointer is deliberately the first stored property: with an integer at offset 0, Swift 6.3.1's
    // LLVM crashes ("Invalid bitcast i64 to ptr") building this module with -sanitize=thread in
    // release, where SROA splits a copy of `self` whose first slice the TSan inout instrumentation
    // uses as an address. See CHANGELOG (issue 5) and scripts/tsan.sh.
    let instruments: UnsafeMutablePointer<InstrumentRisk>
    /// The fields of `instruments` the check path reads, two cache lines per instrument.
    let hot: UnsafeMutablePointer<InstrumentHot>
    let firm: FirmLimits
    let instrumentCount: Int
    let accountCount: Int
    let strategyCount: Int
    let accounts: UnsafeMutablePointer<AccountLimits>
    let strategies: UnsafeMutablePointer<StrategyLimits>
    let instrumentWords: Int
    let accountWords: Int
    /// Bit sets: restricted instruments; per account the instruments it may trade; per strategy the
    /// accounts it may use.
    let restrictedBits: UnsafeMutablePointer<UInt64>
    let permittedBits: UnsafeMutablePointer<UInt64>
    let strategyAccountBits: UnsafeMutablePointer<UInt64>
    let operators: [String]
    let version: UInt32
    let workingCapacity: Int

    // MARK: Kill switch (shared flags; engine-side causes)
    unowned(unsafe) let killSwitch: KillSwitch
    let flags: UnsafeMutablePointer<Atomic<UInt8>>
    let generation: UnsafeMutablePointer<Atomic<UInt64>>
    let scopes: ScopeLayout
    var seenGeneration: UInt64 = 0
    /// Per scope index: a bit set of `KillCause` raw values.
    let causes: UnsafeMutablePointer<UInt16>
    /// Per scope index: the state as the engine has processed it (`KillState` raw values). The
    /// shared flags run ahead of it by the trips other threads made and the engine has not handled
    /// yet; operator decisions (reset, REDUCING, flat) read this one, so they depend only on what
    /// the engine has recorded and a replay takes them the same way.
    let states: UnsafeMutablePointer<UInt8>

    // MARK: Mutable state
    let markets: UnsafeMutablePointer<MarketState>
    let positions: UnsafeMutablePointer<PositionState>
    let accountTotals: UnsafeMutablePointer<ExposureTotals>
    var firmTotals = ExposureTotals()
    /// Foreign currencies (FX.swift): their number, rates (index 0, the firm currency, unused),
    /// per (account, currency) buckets, and the set the firm has held during the day.
    let foreignCount: Int
    let fxRates: UnsafeMutablePointer<FXRate>
    let buckets: UnsafeMutablePointer<CurrencyBucket>
    var fxHeld: UInt64 = 0
    var firmSubmit: SlidingLog
    var firmModify: SlidingLog
    var firmCancel: SlidingLog
    /// Per account: submit, modify, cancel, venue rejects.
    let accountLogs: UnsafeMutablePointer<SlidingLog>
    /// Per strategy: submit, modify, fills, attempts.
    let strategyLogs: UnsafeMutablePointer<SlidingLog>
    let strategyEnabled: UnsafeMutablePointer<Bool>
    var duplicates: DuplicateTable
    var clientOrderIDs: IDSet
    var executionIDs: IDSet
    let orders: UnsafeMutablePointer<WorkingOrder>
    var index: IDMap
    var freeHead: Int32 = 0
    var liveHead: Int32 = -1
    var liveCount = 0
    let closed: UnsafeMutablePointer<ClosedOrder>
    let closedCapacity: Int
    var closedNext = 0
    let outbox: UnsafeMutablePointer<CancelOrder>
    let outboxCapacity: Int
    var outboxHead = 0
    var outboxCount = 0
    var nextCancelID: UInt64 = 1
    var events: [RiskEvent] = []
    var lastNow: Int64 = Int64.min
    var sequence: UInt64 = 0
    var reconciling = false
    var counters = RiskCounters()

    init(_ config: RiskConfiguration, killSwitch: KillSwitch) {
        firm = config.firm
        instrumentCount = config.instruments.count
        accountCount = config.accounts.count
        strategyCount = config.strategies.count
        instruments = .allocate(capacity: max(instrumentCount, 1))
        instruments.initialize(from: config.instruments, count: instrumentCount)
        hot = UnsafeMutableRawPointer.allocate(
            byteCount: max(instrumentCount, 1) * MemoryLayout<InstrumentHot>.stride, alignment: 64
        ).bindMemory(to: InstrumentHot.self, capacity: max(instrumentCount, 1))
        for (k, r) in config.instruments.enumerated() { (hot + k).initialize(to: InstrumentHot(r)) }
        accounts = .allocate(capacity: max(accountCount, 1))
        accounts.initialize(from: config.accounts, count: accountCount)
        strategies = .allocate(capacity: max(strategyCount, 1))
        strategies.initialize(from: config.strategies, count: strategyCount)
        instrumentWords = (instrumentCount + 63) / 64
        accountWords = (accountCount + 63) / 64
        restrictedBits = .allocate(capacity: max(instrumentWords, 1))
        restrictedBits.initialize(repeating: 0, count: max(instrumentWords, 1))
        for id in config.restricted { restrictedBits[Int(id.rawValue) / 64] |= 1 << UInt64(id.rawValue % 64) }
        permittedBits = Self.permissionRows(
            accountCount, instrumentWords, config.accountPermissions.map { (Int($0.rawValue), $1.map { Int($0.rawValue) }) })
        strategyAccountBits = Self.permissionRows(
            strategyCount, accountWords, config.strategyAccounts.map { (Int($0.rawValue), $1.map { Int($0.rawValue) }) })
        operators = config.operators
        version = config.version
        workingCapacity = config.capacity.workingOrders

        self.killSwitch = killSwitch
        flags = killSwitch.flags
        generation = killSwitch.generation
        scopes = killSwitch.layout
        causes = .allocate(capacity: killSwitch.scopeCount)
        causes.initialize(repeating: 0, count: killSwitch.scopeCount)
        states = .allocate(capacity: killSwitch.scopeCount)
        states.initialize(repeating: 0, count: killSwitch.scopeCount)

        markets = .allocate(capacity: max(instrumentCount, 1))
        markets.initialize(repeating: MarketState(), count: max(instrumentCount, 1))
        positions = .allocate(capacity: max(instrumentCount * accountCount, 1))
        positions.initialize(repeating: PositionState(), count: max(instrumentCount * accountCount, 1))
        accountTotals = .allocate(capacity: max(accountCount, 1))
        accountTotals.initialize(repeating: ExposureTotals(), count: max(accountCount, 1))
        var foreign: [Currency] = []
        for (k, r) in config.instruments.enumerated() where r.spec.currency != config.firm.currency {
            if !foreign.contains(r.spec.currency) { foreign.append(r.spec.currency) }
            hot[k].currency = UInt8(foreign.firstIndex(of: r.spec.currency)! + 1)
        }
        foreignCount = foreign.count
        fxRates = .allocate(capacity: foreignCount + 1)
        fxRates.initialize(to: FXRate(currency: config.firm.currency, rate: 1_000_000_000, known: true))
        for (c, currency) in foreign.enumerated() { (fxRates + c + 1).initialize(to: FXRate(currency: currency)) }
        buckets = .allocate(capacity: max(accountCount * (foreignCount + 1), 1))
        buckets.initialize(repeating: CurrencyBucket(), count: max(accountCount * (foreignCount + 1), 1))
        firmSubmit = SlidingLog(config.firm.submitRate)
        firmModify = SlidingLog(config.firm.modifyRate)
        firmCancel = SlidingLog(config.firm.cancelRate)
        accountLogs = .allocate(capacity: max(accountCount * 4, 1))
        for (i, a) in config.accounts.enumerated() {
            (accountLogs + 4 * i + AccountLog.submit.rawValue).initialize(to: SlidingLog(a.submitRate))
            (accountLogs + 4 * i + AccountLog.modify.rawValue).initialize(to: SlidingLog(a.modifyRate))
            (accountLogs + 4 * i + AccountLog.cancel.rawValue).initialize(to: SlidingLog(a.cancelRate))
            (accountLogs + 4 * i + AccountLog.reject.rawValue).initialize(to: SlidingLog(a.rejectTrip))
        }
        strategyLogs = .allocate(capacity: max(strategyCount * 4, 1))
        strategyEnabled = .allocate(capacity: max(strategyCount, 1))
        for (i, s) in config.strategies.enumerated() {
            (strategyLogs + 4 * i + StrategyLog.submit.rawValue).initialize(to: SlidingLog(s.submitRate))
            (strategyLogs + 4 * i + StrategyLog.modify.rawValue).initialize(to: SlidingLog(s.modifyRate))
            (strategyLogs + 4 * i + StrategyLog.execution.rawValue).initialize(to: SlidingLog(s.executionThrottle))
            (strategyLogs + 4 * i + StrategyLog.attempt.rawValue).initialize(to: SlidingLog(s.attemptTrip))
            (strategyEnabled + i).initialize(to: s.enabled)
        }
        duplicates = DuplicateTable(config.firm.duplicateOrders, entries: config.capacity.duplicateEntries)
        clientOrderIDs = IDSet(capacity: config.capacity.clientOrderIDs)
        executionIDs = IDSet(capacity: config.capacity.executionIDs)
        orders = .allocate(capacity: workingCapacity)
        orders.initialize(repeating: WorkingOrder(), count: workingCapacity)
        for i in 0..<workingCapacity { orders[i].next = i + 1 < workingCapacity ? Int32(i + 1) : -1 }
        index = IDMap(capacity: workingCapacity * 2)
        closedCapacity = config.capacity.closedOrders
        closed = .allocate(capacity: closedCapacity)
        closed.initialize(repeating: ClosedOrder(), count: closedCapacity)
        outboxCapacity = workingCapacity * 2
        outbox = .allocate(capacity: outboxCapacity)
        events.reserveCapacity(1024)
    }

    deinit {
        instruments.deallocate()
        UnsafeMutableRawPointer(hot).deallocate()
        accounts.deallocate()
        strategies.deallocate()
        restrictedBits.deallocate()
        permittedBits.deallocate()
        strategyAccountBits.deallocate()
        causes.deallocate()
        states.deallocate()
        markets.deallocate()
        positions.deallocate()
        accountTotals.deallocate()
        fxRates.deallocate()
        buckets.deallocate()
        firmSubmit.deallocate()
        firmModify.deallocate()
        firmCancel.deallocate()
        for i in 0..<(accountCount * 4) { accountLogs[i].deallocate() }
        accountLogs.deallocate()
        for i in 0..<(strategyCount * 4) { strategyLogs[i].deallocate() }
        strategyLogs.deallocate()
        strategyEnabled.deallocate()
        duplicates.deallocate()
        clientOrderIDs.deallocate()
        executionIDs.deallocate()
        orders.deallocate()
        index.deallocate()
        closed.deallocate()
        outbox.deallocate()
    }

    // MARK: - Small helpers

    /// Time never runs backwards inside the engine: a clock that steps back is held at the last
    /// value seen (windows neither unlock nor lock falsely).
    @inline(__always)
    mutating func clock(_ t: Timestamp) -> Int64 {
        if t.rawValue > lastNow { lastNow = t.rawValue }
        return lastNow
    }

    @inline(__always)
    func deny(_ reason: RejectReason, _ limit: RiskLimit, _ limitValue: Int128 = 0, _ value: Int128 = 0) -> RiskDecision {
        RiskDecision(reason: reason, limit: limit, limitValue: limitValue, value: value)
    }

    @inline(__always)
    func positionIndex(_ account: Int, _ instrument: Int) -> Int { account &* instrumentCount &+ instrument }

    /// A bit matrix of `rows` rows of `words` words: all ones (everything permitted), except each
    /// listed row, which permits exactly its list.
    static func permissionRows(_ rows: Int, _ words: Int, _ lists: [(row: Int, allowed: [Int])]) -> UnsafeMutablePointer<UInt64> {
        let count = max(rows * words, 1)
        let bits = UnsafeMutablePointer<UInt64>.allocate(capacity: count)
        bits.initialize(repeating: ~0, count: count)
        for (row, allowed) in lists {
            let base = row * words
            for w in 0..<words { bits[base + w] = 0 }
            for k in allowed { bits[base + k / 64] |= 1 << UInt64(k % 64) }
        }
        return bits
    }

    /// One of an account's four sliding logs (they are stored together, four per account).
    @inline(__always)
    func accountLog(_ account: Int, _ kind: AccountLog) -> UnsafeMutablePointer<SlidingLog> {
        accountLogs + (4 &* account &+ kind.rawValue)
    }

    /// One of a strategy's four sliding logs.
    @inline(__always)
    func strategyLog(_ strategy: Int, _ kind: StrategyLog) -> UnsafeMutablePointer<SlidingLog> {
        strategyLogs + (4 &* strategy &+ kind.rawValue)
    }

    /// price × quantity × multiplier in money raw units (signed as the price and quantity are),
    /// rounded away from zero; nil when it leaves `Money`'s range.
    @inline(__always)
    func value(_ instrument: Int, _ price: Int64, _ quantity: Int64) -> Int128? {
        try? Money.notional(
            price: Price(rawValue: price), quantity: Quantity(rawValue: quantity),
            multiplier: ContractMultiplier(rawValue: hot[instrument].multiplier), rounding: .awayFromZero
        ).rawValue
    }

    /// |price| × quantity × multiplier: an order's notional; nil on overflow.
    @inline(__always)
    func notional(_ instrument: Int, _ price: Int64, _ quantity: Int64) -> Int128? {
        value(instrument, price == Int64.min ? Int64.max : (price < 0 ? -price : price), quantity)
    }

    /// `value`, saturating instead of failing (position accounting must go on).
    @inline(__always)
    func signedValue(_ instrument: Int, _ price: Int64, _ quantity: Int64) -> Int128 {
        value(instrument, price, quantity) ?? ((price < 0) != (quantity < 0) ? Int128.min / 2 : Int128.max / 2)
    }

    /// The band's half-width around `reference` (price raw units), the narrower of its two forms;
    /// nil if the band admits nothing.
    @inline(__always)
    func width(_ band: PriceBand, _ instrument: Int, _ reference: Int64) -> Int64? {
        width(ticks: band.ticks ?? -1, basisPoints: band.basisPoints ?? -1, hot[instrument].tick, reference)
    }

    /// `width` over a band in `InstrumentHot`'s form (−1: that form is not configured).
    @inline(__always)
    func width(ticks: Int64, basisPoints: Int64, _ tick: Int64, _ reference: Int64) -> Int64? {
        var w: Int64 = -1
        if ticks >= 0 {
            let (v, o) = ticks.multipliedReportingOverflow(by: tick)
            w = o ? Int64.max : v
        }
        if basisPoints >= 0 {
            // |reference| × bps / 10,000. The product fits 64 bits for any realistic price and
            // band, and a 64-bit division by a constant is a multiply; the 128-bit form (a call to
            // the runtime's division routine, which `dividingFullWidth` also becomes) is the rare path.
            let product = reference.magnitude.multipliedFullWidth(by: UInt64(basisPoints))
            let v = product.high == 0
                ? UInt64(product.low) / 10_000 : UInt64(clamping: (UInt128(product.high) << 64 | UInt128(product.low)) / 10_000)
            let clamped = v > UInt64(Int64.max) ? Int64.max : Int64(v)
            w = w < 0 ? clamped : min(w, clamped)
        }
        return w < 0 ? nil : w
    }

    /// The reference price: the last trade if it is inside a valid quote, else the mid. A nonzero
    /// `reason` says why there is none: missing, stale (`price` is then the age), or invalid
    /// (crossed or locked).
    @inline(__always)
    func reference(_ instrument: Int, _ now: Int64) -> (price: Int64, reason: RejectReason, limit: RiskLimit) {
        let m = markets[instrument]
        if !m.hasQuote { return (0, .noReferencePrice, .referencePrice) }
        let age = now &- m.stamp
        if age > hot[instrument].maxReferenceAge { return (age, .staleReferencePrice, .referenceAge) }
        if m.bid >= m.ask { return (0, .referencePriceInvalid, .referencePrice) }
        if m.hasLast, m.last >= m.bid, m.last <= m.ask { return (m.last, RejectReason(rawValue: 0), .none) }
        let mid = Int64((Int128(m.bid) + Int128(m.ask)) / 2)
        if mid == 0, !hot[instrument].allowsNegativePrices { return (0, .referencePriceInvalid, .referencePrice) }
        return (mid, RejectReason(rawValue: 0), .none)
    }

    @inline(__always)
    func flag(_ i: Int) -> UInt8 { flags[i].load(ordering: .acquiring) }

    /// Sets scope `k`'s processed state and its shared flag.
    @inline(__always)
    func setState(_ k: Int, _ s: KillState) {
        states[k] = s.rawValue
        flags[k].store(s.rawValue, ordering: .sequentiallyConsistent)
    }

    /// The kill gate: `.tripped` with the widest tripped scope, `.reducing` if any scope is
    /// reducing (and none tripped), else armed.
    @inline(__always)
    func gate(account a: Int, strategy s: Int, instrument i: Int, side: Side) -> (KillState, RiskLimit, Int) {
        let (ai, si, ii, di) = (scopes.account(a), scopes.strategy(s), scopes.instrument(i), scopes.side(i, side))
        let f0 = flag(0)
        let f1 = flag(ai)
        let f2 = flag(si)
        let f3 = flag(ii)
        let f4 = flag(di)
        if (f0 | f1 | f2 | f3 | f4) == 0 { return (.armed, .none, 0) }
        if f0 == 1 { return (.tripped, .killFirm, 0) }
        if f1 == 1 { return (.tripped, .killAccount, ai) }
        if f2 == 1 { return (.tripped, .killStrategy, si) }
        if f3 == 1 { return (.tripped, .killInstrument, ii) }
        if f4 == 1 { return (.tripped, .killSide, di) }
        return (.reducing, .reducingMode, 0)
    }

    /// Whether an order of `q` on `side` only reduces the position: the position is on the other
    /// side and `q` plus `alreadyWorking` on this side fits inside it (no flip, never from flat).
    @inline(__always)
    func reduces(_ p: PositionState, _ side: Side, _ q: Int64, alreadyWorking: Int64) -> Bool {
        let pos = p.position
        if pos == 0 { return false }
        if side == .buy ? pos > 0 : pos < 0 { return false }
        let (sum, o) = q.addingReportingOverflow(alreadyWorking)
        return !o && sum <= Int64(pos.magnitude > UInt64(Int64.max) ? UInt64(Int64.max) : pos.magnitude)
    }

    // MARK: - Checks shared by new orders and replaces

    /// Lot, and the instrument's minimum and maximum (the quantity is already known positive).
    @inline(__always)
    func checkLot(_ h: InstrumentHot, _ q: Int64) -> RiskDecision? {
        guard q % h.lot == 0 else { return deny(.quantityNotOnLot, .lotSize, Int128(h.lot), Int128(q)) }
        guard q >= h.minQuantity else { return deny(.quantityBelowMinimum, .minQuantity, Int128(h.minQuantity), Int128(q)) }
        guard q <= h.maxQuantity else { return deny(.quantityAboveMaximum, .maxQuantity, Int128(h.maxQuantity), Int128(q)) }
        return nil
    }

    /// A price's sign (positive unless the instrument allows negatives) and tick.
    @inline(__always)
    func checkPrice(_ h: InstrumentHot, _ price: Int64, sign: RiskLimit, tick: RiskLimit) -> RiskDecision? {
        guard h.allowsNegativePrices || price > 0 else { return deny(.priceInvalid, sign, 0, Int128(price)) }
        guard price % h.tick == 0 else { return deny(.priceNotOnTick, tick, Int128(h.tick), Int128(price)) }
        return nil
    }

    /// The regular band's bounds around `reference`, saturating; nil if the band admits nothing.
    @inline(__always)
    func bandBounds(_ h: InstrumentHot, _ reference: Int64) -> (lower: Int64, upper: Int64)? {
        bounds(width(ticks: h.bandTicks, basisPoints: h.bandBasisPoints, h.tick, reference), reference)
    }

    /// `band`'s bounds around `reference`, saturating; nil if the band admits nothing.
    @inline(__always)
    func bandBounds(_ band: PriceBand, _ instrument: Int, _ reference: Int64) -> (lower: Int64, upper: Int64)? {
        bounds(width(band, instrument, reference), reference)
    }

    @inline(__always)
    func bounds(_ width: Int64?, _ reference: Int64) -> (lower: Int64, upper: Int64)? {
        guard let w = width else { return nil }
        let high = reference.addingReportingOverflow(w)
        let low = reference.subtractingReportingOverflow(w)
        return (low.overflow ? Int64.min : low.partialValue, high.overflow ? Int64.max : high.partialValue)
    }

    /// A limit price against band bounds (aggressive-only refuses only buys above and sells below).
    @inline(__always)
    func checkBand(
        _ h: InstrumentHot, _ side: Side, _ price: Int64, _ bounds: (lower: Int64, upper: Int64), _ limit: RiskLimit
    ) -> RiskDecision? {
        let tooHigh = price > bounds.upper && (side == .buy || !h.aggressiveOnlyBand)
        let tooLow = price < bounds.lower && (side == .sell || !h.aggressiveOnlyBand)
        guard tooHigh || tooLow else { return nil }
        return deny(.priceOutsideBand, limit, Int128(tooHigh ? bounds.upper : bounds.lower), Int128(price))
    }

    /// Worst-case position on `side` with `q` more working there (notes §3.5).
    @inline(__always)
    func checkWorstCase(_ p: PositionState, _ h: InstrumentHot, _ side: Side, _ q: Int64) -> RiskDecision? {
        if side == .buy {
            let worst = Int128(p.position) + Int128(p.openBuyQuantity) + Int128(q)
            if worst > Int128(h.maxLong) { return deny(.positionLimit, .maxLong, Int128(h.maxLong), worst) }
        } else {
            let worst = Int128(p.position) - Int128(p.openSellQuantity) - Int128(q)
            if worst < -Int128(h.maxShort) { return deny(.positionLimit, .maxShort, -Int128(h.maxShort), worst) }
        }
        return nil
    }

    /// The account's working notional with `n` more.
    @inline(__always)
    func checkWorkingValue(_ a: Int, _ n: Int128) -> RiskDecision? {
        let limit = accounts[a].maxWorkingNotional.rawValue
        let (after, overflow) = accountTotals[a].workingNotional.addingReportingOverflow(n)
        return overflow || after > limit ? deny(.workingValueLimit, .accountWorkingNotional, limit, after) : nil
    }

    /// Account and firm credit with `n` more.
    @inline(__always)
    func checkCredit(_ a: Int, _ n: Int128) -> RiskDecision? {
        let accountLimit = accounts[a].creditLimit.rawValue
        let (credit, o1) = accountTotals[a].creditUsed.addingReportingOverflow(n)
        if o1 || credit > accountLimit { return deny(.creditLimit, .accountCredit, accountLimit, credit) }
        let (firmCredit, o2) = firmTotals.creditUsed.addingReportingOverflow(n)
        if o2 || firmCredit > firm.creditLimit.rawValue { return deny(.creditLimit, .firmCredit, firm.creditLimit.rawValue, firmCredit) }
        return nil
    }

    // MARK: - New orders

    /// What `evaluate` found: the decision and, when accepted, what `commit` reserves.
    struct Evaluation {
        var decision: RiskDecision
        var price: Int64 = 0
        var notional: Int128 = 0
        var key: UInt64 = 0

        @inline(__always)
        init(_ decision: RiskDecision, price: Int64 = 0, notional: Int128 = 0, key: UInt64 = 0) {
            self.decision = decision
            self.price = price
            self.notional = notional
            self.key = key
        }
    }

    /// The content-duplicate key of an order: everything but its ClOrdID.
    @inline(__always)
    func contentKey(_ o: NewOrder) -> UInt64 {
        mixKey((
            UInt64(o.instrumentID.rawValue) | UInt64(o.accountID.rawValue) << 32,
            UInt64(o.strategyID.rawValue) | UInt64(o.side.rawValue) << 32 | UInt64(o.orderType.rawValue) << 40,
            UInt64(bitPattern: o.orderType.hasLimitPrice ? o.price.rawValue : 0), UInt64(bitPattern: o.quantity.rawValue)
        ))
    }

    /// Starts loading, all at once, the lines the checks will read for this order, each of which
    /// is a likely cache miss with many instruments and accounts: the position, the instrument's
    /// hot limits and market state, the ClOrdID set's probe line and the duplicate table's tag. Without
    /// it the checks reach them one after another and the misses queue behind each other.
    @inline(__always)
    func prefetch(account a: Int, instrument i: Int, clientOrderID id: UInt64, contentKey key: UInt64) {
        ctern_prefetch(positions + positionIndex(a, i))
        let h = UnsafeRawPointer(hot + i)
        ctern_prefetch(h)
        ctern_prefetch(h + 64)
        ctern_prefetch(markets + i)
        clientOrderIDs.slots.prefetch(id)
        duplicates.prefetch(key)
    }

    /// Every check for a new order, in the order of notes §3.3. No side effects.
    /// On acceptance the evaluation also carries what `commit` reserves.
    ///
    /// `mutating` though it changes nothing: called through `RiskEngine`'s pointer as a borrow, the
    /// compiler copied the whole state (968 bytes) onto the stack first; as an inout access it works
    /// in place. `scripts/check-hot-paths.sh` fails if such a copy comes back.
    @inline(__always)
    mutating func evaluate(_ o: NewOrder, _ now: Int64) -> Evaluation {
        // 1. Identities (before any array is indexed), then the kill gate.
        let i = Int(o.instrumentID.rawValue)
        let a = Int(o.accountID.rawValue)
        let s = Int(o.strategyID.rawValue)
        guard i < instrumentCount else { return Evaluation(deny(.unknownInstrument, .instrumentID, Int128(instrumentCount), Int128(i))) }
        guard a < accountCount else { return Evaluation(deny(.unknownAccount, .accountID, Int128(accountCount), Int128(a))) }
        guard s < strategyCount else { return Evaluation(deny(.unknownStrategy, .strategyID, Int128(strategyCount), Int128(s))) }
        let q = o.quantity.rawValue
        let key = contentKey(o)
        prefetch(account: a, instrument: i, clientOrderID: o.clientOrderID.rawValue, contentKey: key)
        let p = positions[positionIndex(a, i)]
        let (killState, killLimit, killIndex) = gate(account: a, strategy: s, instrument: i, side: o.side)
        if killState == .tripped {
            let throttled = killLimit == .killStrategy && causes[killIndex] & (1 << UInt16(KillCause.executionThrottle.rawValue)) != 0
            return Evaluation(deny(throttled ? .strategyDisabled : .killSwitchHalted, throttled ? .executionThrottle : killLimit, 0, Int128(killIndex)))
        }
        if killState == .reducing {
            let working = o.side == .buy ? p.openBuyQuantity : p.openSellQuantity
            if !reduces(p, o.side, q, alreadyWorking: working) {
                return Evaluation(deny(.reduceOnlyViolation, .reducingMode, Int128(p.position), Int128(q)))
            }
        }
        // 2. Structure.
        let h = hot[i]
        guard strategyEnabled[s] else { return Evaluation(deny(.strategyDisabled, .strategyEnabled)) }
        if reconciling { return Evaluation(deny(.reconciling, .reconciliation)) }
        guard h.orderTypes & (1 << UInt16(o.orderType.rawValue)) != 0 else {
            return Evaluation(deny(.unsupportedOrderType, .orderType, Int128(h.orderTypes), Int128(o.orderType.rawValue)))
        }
        guard h.timesInForce & (1 << UInt16(o.timeInForce.rawValue)) != 0 else {
            return Evaluation(deny(.unsupportedTimeInForce, .timeInForce, Int128(h.timesInForce), Int128(o.timeInForce.rawValue)))
        }
        if o.timeInForce == .goodTillDate, o.expireTime.rawValue <= now {
            return Evaluation(deny(.expireTimeInvalid, .expireTime, Int128(now), Int128(o.expireTime.rawValue)))
        }
        let session = markets[i].session
        switch session {
        case .open: break
        case .preOpen, .auction:
            if o.orderType == .market || o.orderType == .stop {
                return Evaluation(deny(.unsupportedOrderType, .session, Int128(session.rawValue), Int128(o.orderType.rawValue)))
            }
            if !instruments[i].auctionBand.isConfigured { return Evaluation(deny(.marketClosed, .auctionBand, Int128(session.rawValue))) }
        case .halted, .closed:
            return Evaluation(deny(.marketClosed, .session, Int128(session.rawValue)))
        }
        // 3. Numbers.
        guard q > 0 else { return Evaluation(deny(.quantityInvalid, .quantityPositive, 0, Int128(q))) }
        if let d = checkLot(h, q) { return Evaluation(d) }
        if o.orderType.hasLimitPrice, let d = checkPrice(h, o.price.rawValue, sign: .priceSign, tick: .tickSize) {
            return Evaluation(d)
        }
        if o.orderType.hasStopPrice, let d = checkPrice(h, o.stopPrice.rawValue, sign: .stopPrice, tick: .stopPrice) {
            return Evaluation(d)
        }
        // 4. Duplicates.
        let id = o.clientOrderID.rawValue
        guard id != 0, id & (1 << 63) == 0 else { return Evaluation(deny(.clientOrderIDInvalid, .clientOrderID, 0, Int128(id))) }
        // Every ID the working-order index holds is also in `clientOrderIDs` (commit and replace
        // insert it; a new trading day re-inserts the working orders' IDs), so one probe suffices.
        if clientOrderIDs.contains(id) { return Evaluation(deny(.duplicateClientOrderID, .clientOrderID, 0, Int128(id))) }
        if clientOrderIDs.isFull {
            return Evaluation(deny(.capacityExhausted, .clientOrderIDCapacity, Int128(clientOrderIDs.capacity), Int128(clientOrderIDs.count)))
        }
        switch duplicates.allows(key, now) {
        case .some(true): break
        case .some(false):
            return Evaluation(deny(.duplicateOrder, .duplicateWindow, Int128(firm.duplicateOrders.count), Int128(firm.duplicateOrders.windowNanoseconds)))
        case .none:
            return Evaluation(deny(.capacityExhausted, .duplicateCapacity, Int128(duplicates.capacity), Int128(duplicates.count)))
        }
        // 5. Restricted list and permissions.
        let bit: UInt64 = 1 << UInt64(i % 64)
        if restrictedBits[i / 64] & bit != 0 { return Evaluation(deny(.restrictedInstrument, .restrictedList, 0, Int128(i))) }
        if permittedBits[a &* instrumentWords &+ i / 64] & bit == 0 {
            return Evaluation(deny(.notPermitted, .accountPermission, Int128(a), Int128(i)))
        }
        if strategyAccountBits[s &* accountWords &+ a / 64] & (1 << UInt64(a % 64)) == 0 {
            return Evaluation(deny(.notPermitted, .strategyPermission, Int128(s), Int128(a)))
        }
        // 6. Fat finger (quantity), then the reference price, collars and the notional.
        guard q <= h.maxOrderQuantity else {
            return Evaluation(deny(.quantityAboveMaximum, .maxOrderQuantity, Int128(h.maxOrderQuantity), Int128(q)))
        }
        let ref = reference(i, now)
        if ref.reason.rawValue != 0 {
            return Evaluation(deny(ref.reason, ref.limit, Int128(h.maxReferenceAge), Int128(ref.price)))
        }
        let auction = session != .open
        let bandLimit: RiskLimit = auction ? .auctionBand : .band
        let bounds = auction ? bandBounds(instruments[i].auctionBand, i, ref.price) : bandBounds(h, ref.price)
        guard let bounds else { return Evaluation(deny(.priceOutsideBand, bandLimit)) }
        let price: Int64
        if o.orderType.hasLimitPrice {
            price = o.price.rawValue
            if let d = checkBand(h, o.side, price, bounds, bandLimit) { return Evaluation(d) }
        } else {
            // Market and stop orders are reserved at the worst price the band admits.
            price = o.side == .buy ? bounds.upper : bounds.lower
        }
        if h.driftWindow > 0 {
            let m = markets[i]
            let anchor = m.hasDriftAnchor && now &- m.driftStart < h.driftWindow ? m.driftAnchor : ref.price
            guard let dw = width(instruments[i].driftBand, i, anchor) else { return Evaluation(deny(.priceDriftLimit, .driftBand)) }
            let d = Int128(price) - Int128(anchor)
            if d.magnitude > UInt128(dw) { return Evaluation(deny(.priceDriftLimit, .driftBand, Int128(dw), d)) }
        }
        guard let orderNotional = notional(i, price, q) else {
            return Evaluation(deny(.notionalOverflow, .notionalRange, Int128.max, 0))
        }
        guard orderNotional <= h.maxOrderNotional else {
            return Evaluation(deny(.notionalAboveMaximum, .maxOrderNotional, h.maxOrderNotional, orderNotional))
        }
        // 7. Self-match against our own resting orders.
        if firm.selfMatch != .off {
            var j = markets[i].head
            while j >= 0 {
                let w = orders[Int(j)]
                if w.side != o.side, firm.selfMatch == .firm || Int(w.account) == a, w.leaves > 0 {
                    let crosses = o.orderType == .market || o.orderType == .stop || w.type == .market || w.type == .stop
                        || (o.side == .buy ? price >= w.price : price <= w.price)
                    if crosses { return Evaluation(deny(.selfMatch, .selfMatch, Int128(w.id), Int128(price))) }
                }
                j = w.instrumentNext
            }
        }
        // 8. Exposure: reduce-only, loss, worst-case position, working orders, credit.
        let reducing = reduces(p, o.side, q, alreadyWorking: o.side == .buy ? p.openBuyQuantity : p.openSellQuantity)
        if o.flags.contains(.reduceOnly) {
            let already = o.side == .buy ? p.reduceOnlyBuy : p.reduceOnlySell
            if !reduces(p, o.side, q, alreadyWorking: already) {
                return Evaluation(deny(.reduceOnlyViolation, .reduceOnlyFlag, Int128(p.position), Int128(q) + Int128(already)))
            }
        }
        // Account and firm totals are in the firm currency: every foreign rate they rest on is fresh.
        if let d = fxDenial(i, now) { return Evaluation(d) }
        let at = accountTotals[a]
        let al = accounts[a]
        if !reducing {
            if at.dailyPnL < -al.dailyLossLimit.rawValue {
                return Evaluation(deny(.lossLimit, .accountDailyLoss, -al.dailyLossLimit.rawValue, at.dailyPnL))
            }
            if firmTotals.dailyPnL < -firm.dailyLossLimit.rawValue {
                return Evaluation(deny(.lossLimit, .firmDailyLoss, -firm.dailyLossLimit.rawValue, firmTotals.dailyPnL))
            }
        }
        if let d = checkWorstCase(p, h, o.side, q) { return Evaluation(d) }
        if at.workingCount &+ 1 > al.maxWorkingOrders {
            return Evaluation(deny(.openOrderLimit, .accountWorkingOrders, Int128(al.maxWorkingOrders), Int128(at.workingCount) + 1))
        }
        if firmTotals.workingCount &+ 1 > firm.maxWorkingOrders {
            return Evaluation(deny(.openOrderLimit, .firmWorkingOrders, Int128(firm.maxWorkingOrders), Int128(firmTotals.workingCount) + 1))
        }
        if liveCount >= workingCapacity {
            return Evaluation(deny(.capacityExhausted, .workingOrderCapacity, Int128(workingCapacity), Int128(liveCount)))
        }
        guard let firmNotional = firmAmount(i, orderNotional) else {
            return Evaluation(deny(.notionalOverflow, .notionalRange, Int128.max, orderNotional))
        }
        if let d = checkWorkingValue(a, firmNotional) { return Evaluation(d) }
        if !reducing, let d = checkCredit(a, firmNotional) { return Evaluation(d) }
        // 9. Rate limits, last, so a denied order uses no venue budget.
        if !firmSubmit.allows(now) {
            return Evaluation(deny(.rateLimited, .firmSubmitRate, Int128(firm.submitRate.count), Int128(firm.submitRate.windowNanoseconds)))
        }
        if !accountLog(a, .submit).pointee.allows(now) {
            return Evaluation(deny(.rateLimited, .accountSubmitRate, Int128(al.submitRate.count), Int128(al.submitRate.windowNanoseconds)))
        }
        if !strategyLog(s, .submit).pointee.allows(now) {
            let sl = strategies[s].submitRate
            return Evaluation(deny(.rateLimited, .strategySubmitRate, Int128(sl.count), Int128(sl.windowNanoseconds)))
        }
        return Evaluation(.accepted, price: price, notional: orderNotional, key: key)
    }

    /// What `commit` changed, so an order list can take it back.
    struct Undo {
        var slot: Int32
        var duplicate: DuplicateTable.Change?
        var drift: (Bool, Int64, Int64)
    }

    /// Records an accepted order as sent: reserves its exposure, records its IDs, pushes the rate logs.
    @inline(__always)
    mutating func commit(_ o: NewOrder, _ now: Int64, _ e: Evaluation) -> (UInt64, Undo) {
        let i = Int(o.instrumentID.rawValue)
        let a = Int(o.accountID.rawValue)
        let s = Int(o.strategyID.rawValue)
        let slot = freeHead
        freeHead = orders[Int(slot)].next
        sequence &+= 1
        var w = WorkingOrder()
        w.id = o.clientOrderID.rawValue
        w.originalID = w.id
        w.account = Int32(a)
        w.strategy = Int32(s)
        w.instrument = Int32(i)
        w.side = o.side
        w.type = o.orderType
        w.flags = o.flags
        w.price = e.price
        w.quantity = o.quantity.rawValue
        w.leaves = o.quantity.rawValue
        w.sequence = sequence
        // Link into the live list and the instrument's list.
        w.next = liveHead
        if liveHead >= 0 { orders[Int(liveHead)].prev = slot }
        liveHead = slot
        let head = markets[i].head
        w.instrumentNext = head
        if head >= 0 { orders[Int(head)].instrumentPrev = slot }
        markets[i].head = slot
        orders[Int(slot)] = w
        liveCount &+= 1
        index.set(w.id, slot)
        _ = clientOrderIDs.insert(w.id)
        let pi = positionIndex(a, i)
        positions[pi].workingCount &+= 1
        accountTotals[a].workingCount &+= 1
        firmTotals.workingCount &+= 1
        reserve(slot, quantity: w.leaves, notional: e.notional)
        firmSubmit.push(now)
        accountLog(a, .submit).pointee.push(now)
        strategyLog(s, .submit).pointee.push(now)
        let dup = duplicates.record(e.key, now)
        let m = markets[i]
        let savedDrift = (m.hasDriftAnchor, m.driftAnchor, m.driftStart)
        let window = hot[i].driftWindow
        if window > 0, !m.hasDriftAnchor || now &- m.driftStart >= window {
            let ref = reference(i, now)
            markets[i].hasDriftAnchor = true
            markets[i].driftAnchor = ref.price
            markets[i].driftStart = now
        }
        return (sequence, Undo(slot: slot, duplicate: dup, drift: savedDrift))
    }

    /// Takes back a `commit` (the most recent ones first).
    mutating func uncommit(_ u: Undo, _ o: NewOrder) {
        let a = Int(o.accountID.rawValue)
        let s = Int(o.strategyID.rawValue)
        let i = Int(o.instrumentID.rawValue)
        remove(u.slot, remember: false)
        clientOrderIDs.remove(o.clientOrderID.rawValue)
        firmSubmit.pop()
        accountLog(a, .submit).pointee.pop()
        strategyLog(s, .submit).pointee.pop()
        if let d = u.duplicate { duplicates.undo(d) }
        markets[i].hasDriftAnchor = u.drift.0
        markets[i].driftAnchor = u.drift.1
        markets[i].driftStart = u.drift.2
        sequence &-= 1
    }

    /// Sets what `slot` holds against its position and totals to exactly `quantity` and `notional`.
    @inline(__always)
    mutating func reserve(_ slot: Int32, quantity: Int64, notional: Int128) {
        let w = orders[Int(slot)]
        let dq = quantity &- w.reservedQuantity
        let dn = notional &- w.reservedNotional
        let pi = positionIndex(Int(w.account), Int(w.instrument))
        if w.side == .buy {
            positions[pi].openBuyQuantity &+= dq
            positions[pi].openBuyNotional &+= dn
            if w.flags.contains(.reduceOnly) { positions[pi].reduceOnlyBuy &+= dq }
        } else {
            positions[pi].openSellQuantity &+= dq
            positions[pi].openSellNotional &+= dn
            if w.flags.contains(.reduceOnly) { positions[pi].reduceOnlySell &+= dq }
        }
        addMoney(Int(w.account), instrument: Int(w.instrument), .workingNotional, dn)
        orders[Int(slot)].reservedQuantity = quantity
        orders[Int(slot)].reservedNotional = notional
    }

    /// The reservation an order needs now: its leaves at its price, or during a replace the larger
    /// of the old and the new (notes §3.4).
    func desiredReservation(_ slot: Int32) -> (Int64, Int128) {
        let w = orders[Int(slot)]
        let i = Int(w.instrument)
        let current = notional(i, w.price, w.leaves) ?? Int128.max / 4
        if w.pendingID == 0 { return (w.leaves, current) }
        let newLeaves = max(0, w.pendingQuantity &- w.cumulative)
        let pending = notional(i, w.pendingPrice, newLeaves) ?? Int128.max / 4
        return (max(w.leaves, newLeaves), max(current, pending))
    }

    /// Releases and unlinks a closed order; remembers it for late fills.
    mutating func remove(_ slot: Int32, remember: Bool) {
        reserve(slot, quantity: 0, notional: 0)
        let w = orders[Int(slot)]
        let pi = positionIndex(Int(w.account), Int(w.instrument))
        positions[pi].workingCount &-= 1
        accountTotals[Int(w.account)].workingCount &-= 1
        firmTotals.workingCount &-= 1
        if w.prev >= 0 { orders[Int(w.prev)].next = w.next } else { liveHead = w.next }
        if w.next >= 0 { orders[Int(w.next)].prev = w.prev }
        if w.instrumentPrev >= 0 {
            orders[Int(w.instrumentPrev)].instrumentNext = w.instrumentNext
        } else {
            markets[Int(w.instrument)].head = w.instrumentNext
        }
        if w.instrumentNext >= 0 { orders[Int(w.instrumentNext)].instrumentPrev = w.instrumentPrev }
        index.remove(w.id)
        if w.originalID != w.id { index.remove(w.originalID) }
        if w.pendingID != 0 { index.remove(w.pendingID) }
        if remember {
            closed[closedNext] = ClosedOrder(
                id: w.id, originalID: w.originalID, account: w.account, strategy: w.strategy, instrument: w.instrument,
                side: w.side)
            closedNext = (closedNext + 1) % closedCapacity
        }
        var blank = WorkingOrder()
        blank.next = freeHead
        orders[Int(slot)] = blank
        freeHead = slot
        liveCount &-= 1
    }

    func findClosed(_ id: UInt64) -> ClosedOrder? {
        for k in 0..<closedCapacity where closed[k].account >= 0 && (closed[k].id == id || closed[k].originalID == id) {
            return closed[k]
        }
        return nil
    }
}
