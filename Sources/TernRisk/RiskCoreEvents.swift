import Synchronization
import TernCore

// Replaces, cancels, venue events, market data and the kill switch: everything that changes the
// engine's state after a new order was committed (notes/risk.md §3.4, §3.11).
extension RiskCore {
    // MARK: - Replace

    /// Checks a replace (new price and total quantity) of a working order. No side effects.
    func evaluateReplace(_ r: ReplaceOrder, _ now: Int64) -> RiskDecision {
        let slot = index.find(r.originalClientOrderID.rawValue)
        guard slot >= 0 else { return deny(.unknownOrder, .unknownOrder, 0, Int128(r.originalClientOrderID.rawValue)) }
        let w = orders[Int(slot)]
        guard w.pendingID == 0 else { return deny(.unknownOrder, .replacePending, 0, Int128(w.pendingID)) }
        guard !w.cancelRequested else { return deny(.unknownOrder, .unknownOrder, 0, Int128(w.id)) }
        let i = Int(w.instrument)
        let a = Int(w.account)
        let s = Int(w.strategy)
        let h = hot[i]
        let newLeaves = r.quantity.rawValue &- w.cumulative
        let increase = max(0, newLeaves &- w.leaves)
        let p = positions[positionIndex(a, i)]
        let (killState, killLimit, killIndex) = gate(account: a, strategy: s, instrument: i, side: w.side)
        if killState == .tripped { return deny(.killSwitchHalted, killLimit, 0, Int128(killIndex)) }
        if killState == .reducing, increase > 0 { return deny(.reduceOnlyViolation, .reducingMode, Int128(w.leaves), Int128(newLeaves)) }
        guard strategyEnabled[s] else { return deny(.strategyDisabled, .strategyEnabled) }
        if reconciling { return deny(.reconciling, .reconciliation) }
        let session = markets[i].session
        if session == .halted || session == .closed { return deny(.marketClosed, .session, Int128(session.rawValue)) }
        let q = r.quantity.rawValue
        guard newLeaves > 0 else { return deny(.quantityInvalid, .quantityPositive, Int128(w.cumulative), Int128(q)) }
        if let d = checkLot(h, q) { return d }
        guard q <= h.maxOrderQuantity else { return deny(.quantityAboveMaximum, .maxOrderQuantity, Int128(h.maxOrderQuantity), Int128(q)) }
        var price = w.price
        if w.type.hasLimitPrice {
            price = r.price.rawValue
            if let d = checkPrice(h, price, sign: .priceSign, tick: .tickSize) { return d }
            let ref = reference(i, now)
            if ref.reason.rawValue != 0 { return deny(ref.reason, ref.limit, Int128(h.maxReferenceAge), Int128(ref.price)) }
            let auction = session != .open
            let bandLimit: RiskLimit = auction ? .auctionBand : .band
            let bounds = auction ? bandBounds(instruments[i].auctionBand, i, ref.price) : bandBounds(h, ref.price)
            guard let bounds else { return deny(.priceOutsideBand, bandLimit) }
            if let d = checkBand(h, w.side, price, bounds, bandLimit) { return d }
        }
        guard let n = notional(i, price, newLeaves) else { return deny(.notionalOverflow, .notionalRange, Int128.max, 0) }
        guard n <= h.maxOrderNotional else { return deny(.notionalAboveMaximum, .maxOrderNotional, h.maxOrderNotional, n) }
        if w.flags.contains(.reduceOnly), increase > 0 {
            let already = w.side == .buy ? p.reduceOnlyBuy : p.reduceOnlySell
            if !reduces(p, w.side, increase, alreadyWorking: already) {
                return deny(.reduceOnlyViolation, .reduceOnlyFlag, Int128(p.position), Int128(already) + Int128(increase))
            }
        }
        if increase > 0, let d = checkWorstCase(p, h, w.side, increase) { return d }
        let extra = max(0, n &- w.reservedNotional)
        if extra > 0 {
            if let d = fxDenial(i, now) { return d }
            guard let firmExtra = firmAmount(i, extra) else { return deny(.notionalOverflow, .notionalRange, Int128.max, extra) }
            if let d = checkWorkingValue(a, firmExtra) { return d }
            if let d = checkCredit(a, firmExtra) { return d }
        }
        let id = r.clientOrderID.rawValue
        guard id != 0, id & (1 << 63) == 0 else { return deny(.clientOrderIDInvalid, .clientOrderID, 0, Int128(id)) }
        if clientOrderIDs.contains(id) { return deny(.duplicateClientOrderID, .clientOrderID, 0, Int128(id)) }
        if clientOrderIDs.isFull { return deny(.capacityExhausted, .clientOrderIDCapacity, Int128(clientOrderIDs.capacity)) }
        if !firmModify.allows(now) { return deny(.rateLimited, .firmModifyRate, Int128(firm.modifyRate.count), Int128(firm.modifyRate.windowNanoseconds)) }
        if !accountLog(a, .modify).pointee.allows(now) {
            return deny(.rateLimited, .accountModifyRate, Int128(accounts[a].modifyRate.count), Int128(accounts[a].modifyRate.windowNanoseconds))
        }
        if !strategyLog(s, .modify).pointee.allows(now) {
            return deny(.rateLimited, .strategyModifyRate, Int128(strategies[s].modifyRate.count), Int128(strategies[s].modifyRate.windowNanoseconds))
        }
        return .accepted
    }

    mutating func commitReplace(_ r: ReplaceOrder, _ now: Int64) -> UInt64 {
        let slot = index.find(r.originalClientOrderID.rawValue)
        let w = orders[Int(slot)]
        orders[Int(slot)].pendingID = r.clientOrderID.rawValue
        orders[Int(slot)].pendingPrice = w.type.hasLimitPrice ? r.price.rawValue : w.price
        orders[Int(slot)].pendingQuantity = r.quantity.rawValue
        index.set(r.clientOrderID.rawValue, slot)
        _ = clientOrderIDs.insert(r.clientOrderID.rawValue)
        let (q, n) = desiredReservation(slot)
        reserve(slot, quantity: q, notional: n)
        firmModify.push(now)
        accountLog(Int(w.account), .modify).pointee.push(now)
        strategyLog(Int(w.strategy), .modify).pointee.push(now)
        sequence &+= 1
        return sequence
    }

    // MARK: - Cancel

    /// A cancel request: never refused for a known order (it only removes risk, and the kill
    /// switch's own cancels must always go out); counted against the message limits.
    mutating func submitCancel(_ c: CancelOrder, _ now: Int64) -> RiskDecision {
        let slot = index.find(c.originalClientOrderID.rawValue)
        guard slot >= 0 else { return deny(.unknownOrder, .unknownOrder, 0, Int128(c.originalClientOrderID.rawValue)) }
        orders[Int(slot)].cancelRequested = true
        countCancel(account: Int(orders[Int(slot)].account), now)
        return .accepted
    }

    @inline(__always)
    mutating func countCancel(account a: Int, _ now: Int64) {
        firmCancel.push(now)
        accountLog(a, .cancel).pointee.push(now)
    }

    // MARK: - Venue events

    mutating func apply(_ event: OrderEvent, _ now: Int64) {
        switch event {
        case .newOrder, .cancelOrder, .replaceOrder:
            break  // requests go through submit / submitCancel / submitReplace
        case .accepted(let e):
            // No exposure change (notes §3.4); the venue's order ID is the gateway's business.
            if index.find(e.clientOrderID.rawValue) < 0 { anomaly(.unknownOrderEvent, e.clientOrderID, e.instrumentID, now) }
        case .rejected(let e):
            let slot = index.find(e.clientOrderID.rawValue)
            guard slot >= 0 else { return anomaly(.unknownOrderEvent, e.clientOrderID, e.instrumentID, now) }
            let a = Int(orders[Int(slot)].account)
            remove(slot, remember: true)
            accountLog(a, .reject).pointee.push(now)
            let rl = accounts[a].rejectTrip
            if !rl.isUnlimited, !accountLog(a, .reject).pointee.allows(now, adding: 1) {
                trip(.account(AccountID(rawValue: UInt32(a))), .rejectRate, actor: "risk", reason: "venue rejects reached \(rl)", now)
            }
        case .filled(let f):
            applyFill(f, now)
        case .cancelAccepted(let e), .expired(let e):
            var slot = index.find(e.originalClientOrderID.rawValue)
            if slot < 0 { slot = index.find(e.clientOrderID.rawValue) }
            guard slot >= 0 else { return anomaly(.unknownOrderEvent, e.originalClientOrderID, e.instrumentID, now) }
            remove(slot, remember: true)
        case .cancelRejected(let e):
            let slot = index.find(e.originalClientOrderID.rawValue)
            guard slot >= 0 else { return }  // too late to cancel: the order already closed; fills follow
            orders[Int(slot)].cancelRequested = false
        case .replaceAccepted(let e):
            var slot = index.find(e.clientOrderID.rawValue)
            if slot < 0 { slot = index.find(e.originalClientOrderID.rawValue) }
            guard slot >= 0 else { return anomaly(.unknownOrderEvent, e.clientOrderID, e.instrumentID, now) }
            let w = orders[Int(slot)]
            if w.id != e.clientOrderID.rawValue { index.remove(w.id) }
            index.set(e.clientOrderID.rawValue, slot)
            orders[Int(slot)].id = e.clientOrderID.rawValue
            orders[Int(slot)].pendingID = 0
            if w.type.hasLimitPrice { orders[Int(slot)].price = e.price.rawValue }
            orders[Int(slot)].quantity = e.quantity.rawValue
            // The venue's leaves: newQty − cumQty with in-flight mitigation, newQty without it.
            orders[Int(slot)].leaves = max(0, e.leavesQuantity.rawValue)
            if e.leavesQuantity.rawValue <= 0 {
                remove(slot, remember: true)
            } else {
                let (q, n) = desiredReservation(slot)
                reserve(slot, quantity: q, notional: n)
            }
        case .replaceRejected(let e):
            var slot = index.find(e.originalClientOrderID.rawValue)
            if slot < 0 { slot = index.find(e.clientOrderID.rawValue) }
            guard slot >= 0 else { return anomaly(.unknownOrderEvent, e.clientOrderID, e.instrumentID, now) }
            let pending = orders[Int(slot)].pendingID
            if pending != 0, pending != orders[Int(slot)].id { index.remove(pending) }
            orders[Int(slot)].pendingID = 0
            let (q, n) = desiredReservation(slot)
            reserve(slot, quantity: q, notional: n)
        }
    }

    mutating func anomaly(_ kind: RiskAnomaly, _ id: ClientOrderID, _ instrument: InstrumentID, _ now: Int64) {
        switch kind {
        case .lateFill: counters.lateFills += 1
        case .overfill: counters.overfills += 1
        case .unattributedFill: counters.unattributedFills += 1
        case .duplicateExecution: counters.duplicateExecutions += 1
        case .unknownOrderEvent: counters.unknownOrderEvents += 1
        case .cancelOutboxFull: break
        }
        events.append(.anomaly(kind: kind, clientOrderID: id, instrumentID: instrument, at: Timestamp(rawValue: now)))
    }

    mutating func applyFill(_ f: Fill, _ now: Int64) {
        let exec = f.executionID.rawValue
        if exec != 0 {
            if executionIDs.contains(exec) { return anomaly(.duplicateExecution, f.clientOrderID, f.instrumentID, now) }
            _ = executionIDs.insert(exec)
        }
        let q = f.quantity.rawValue
        guard q > 0 else { return }
        let slot = index.find(f.clientOrderID.rawValue)
        if slot >= 0 {
            let w = orders[Int(slot)]
            if q > w.leaves { anomaly(.overfill, f.clientOrderID, f.instrumentID, now) }
            orders[Int(slot)].cumulative &+= q
            orders[Int(slot)].leaves = max(0, w.leaves &- q)
            let final = orders[Int(slot)].leaves == 0 || (f.leavesQuantity.rawValue == 0 && w.pendingID == 0)
            if final {
                remove(slot, remember: true)
            } else {
                let (rq, rn) = desiredReservation(slot)
                reserve(slot, quantity: rq, notional: rn)
            }
            afterFill(account: Int(w.account), strategy: Int(w.strategy), instrument: Int(w.instrument), side: w.side, quantity: q, price: f.price.rawValue, f, now)
        } else if let c = findClosed(f.clientOrderID.rawValue) {
            anomaly(.lateFill, f.clientOrderID, f.instrumentID, now)
            afterFill(account: Int(c.account), strategy: Int(c.strategy), instrument: Int(c.instrument), side: c.side, quantity: q, price: f.price.rawValue, f, now)
        } else {
            anomaly(.unattributedFill, f.clientOrderID, f.instrumentID, now)
            if Int(f.instrumentID.rawValue) < instrumentCount {
                trip(.instrument(f.instrumentID), .accountingAnomaly, actor: "risk", reason: "fill for unknown order \(f.clientOrderID.rawValue)", now)
            } else {
                trip(.firm, .accountingAnomaly, actor: "risk", reason: "fill for unknown instrument \(f.instrumentID.rawValue)", now)
            }
        }
    }

    /// A fill for a known account (`RiskEngine.applyExternalFill` enters here for manual fills).
    mutating func afterFill(account a: Int, strategy s: Int, instrument i: Int, side: Side, quantity q: Int64, price: Int64, _ f: Fill, _ now: Int64) {
        applyPosition(account: a, instrument: i, side: side, quantity: q, price: price)
        let charged = fee(instrument: i, f, quantity: q, price: price)
        if charged != 0 {
            positions[positionIndex(a, i)].fees &+= charged
            addMoney(a, instrument: i, .fees, charged)
        }
        // Repeated automated execution throttle.
        if s < strategyCount {
            strategyLog(s, .execution).pointee.push(now)
            let t = strategies[s].executionThrottle
            if !t.isUnlimited, !strategyLog(s, .execution).pointee.allows(now, adding: 1) {
                trip(.strategy(StrategyID(rawValue: UInt32(s))), .executionThrottle, actor: "risk", reason: "\(t) fills reached", now)
            }
        }
        checkLoss(account: a, now)
        checkFirmLoss(now)
        checkPosition(account: a, instrument: i, now)
        clampReduceOnly(account: a, instrument: i, now)
    }

    /// The fee of one execution: what the venue reported plus the instrument's schedule
    /// (`FeeSchedule`), each scheduled term rounded up; saturates instead of trapping.
    func fee(instrument i: Int, _ f: Fill, quantity q: Int64, price: Int64) -> Int128 {
        let s = instruments[i].fees
        let rate: Int64
        switch f.liquidity {
        case .maker: rate = s.makerRate
        case .taker: rate = s.takerRate
        case .unknown: rate = max(s.makerRate, s.takerRate)
        }
        var total = f.fee.rawValue
        if rate != 0 {
            let n = notional(i, price, q) ?? Int128.max / 2
            total = saturatingAdd(total, scaledUp(n, rate))
        }
        if s.perUnit.rawValue != 0 {
            total = saturatingAdd(total, scaledUp(s.perUnit.rawValue, q))
        }
        return total
    }

    /// ⌈a × b / 10^9⌉ (toward +∞), saturating at ±Int128.max / 2.
    func scaledUp(_ a: Int128, _ b: Int64) -> Int128 {
        let negative = (a < 0) != (b < 0)
        let product = a.magnitude.multipliedFullWidth(by: UInt128(b.magnitude))
        let divisor: UInt128 = 1_000_000_000
        guard product.high < divisor else { return negative ? Int128.min / 2 : Int128.max / 2 }
        let (q, r) = divisor.dividingFullWidth(product)
        let limit = UInt128(Int128.max / 2)
        if negative { return q > limit ? Int128.min / 2 : -Int128(q) }
        let up = r == 0 ? q : q &+ 1
        return up > limit ? Int128.max / 2 : Int128(up)
    }

    func saturatingAdd(_ a: Int128, _ b: Int128) -> Int128 {
        let (s, o) = a.addingReportingOverflow(b)
        return o ? (b > 0 ? Int128.max : Int128.min) : s
    }

    /// Moves the position and P&L of (account, instrument) by a fill.
    mutating func applyPosition(account a: Int, instrument i: Int, side: Side, quantity q: Int64, price: Int64) {
        let pi = positionIndex(a, i)
        var p = positions[pi]
        let old = p.position
        let signed = side == .buy ? q : -q
        let (newPosition, overflow) = old.addingReportingOverflow(signed)
        let value = signedValue(i, price, signed)
        if old == 0 || (old > 0) == (signed > 0) {
            p.costBasis &+= value
        } else {
            let close = min(q, Int64(old.magnitude))
            let removed = removedCost(p.costBasis, close, Int64(old.magnitude))
            let closeValue = signedValue(i, price, side == .buy ? close : -close)
            let realized = -(removed &+ closeValue)
            p.realized &+= realized
            addMoney(a, instrument: i, .realized, realized)
            p.costBasis &-= removed
            if q > close { p.costBasis = signedValue(i, price, side == .buy ? q &- close : -(q &- close)) }
        }
        p.position = overflow ? (signed > 0 ? Int64.max : Int64.min) : newPosition
        if (old == 0) != (p.position == 0) {
            let d = p.position == 0 ? -1 : 1
            accountTotals[a].holdings += d
            firmTotals.holdings += d
            markets[i].holders += Int32(d)
        }
        positions[pi] = p
        remark(account: a, instrument: i)
    }

    /// costBasis × close / |position|, rounded toward zero, without overflow.
    func removedCost(_ basis: Int128, _ close: Int64, _ position: Int64) -> Int128 {
        if close == position { return basis }
        let negative = basis < 0
        let product = basis.magnitude.multipliedFullWidth(by: UInt128(close))
        let (quotient, _) = UInt128(position).dividingFullWidth(product)
        return negative ? -Int128(quotient) : Int128(quotient)
    }

    /// Recomputes unrealized P&L and the marked value of (account, instrument) at the current mark.
    mutating func remark(account a: Int, instrument i: Int) {
        let pi = positionIndex(a, i)
        let p = positions[pi]
        let m = markets[i]
        var unrealized: Int128 = 0
        var markValue: Int128 = 0
        if p.position != 0 {
            let mark = p.position > 0 ? m.bid : m.ask
            if m.hasQuote {
                let v = signedValue(i, mark, p.position)
                unrealized = v &- p.costBasis
                markValue = v < 0 ? -v : v
            } else {
                // No quote yet: hold the position at cost.
                markValue = p.costBasis < 0 ? -p.costBasis : p.costBasis
                unrealized = p.unrealized
            }
        }
        let du = unrealized &- p.unrealized
        let dm = markValue &- p.markValue
        positions[pi].unrealized = unrealized
        positions[pi].markValue = markValue
        addMoney(a, instrument: i, .unrealizedChange, du)
        addMoney(a, instrument: i, .markValue, dm)
    }

    /// The daily-loss trigger of an account (after a fill or a mark change).
    mutating func checkLoss(account a: Int, _ now: Int64) {
        let account = AccountID(rawValue: UInt32(a))
        let al = accounts[a]
        if accountTotals[a].dailyPnL < -al.dailyLossLimit.rawValue, !hasCause(.account(account), .dailyLoss) {
            trip(.account(account), .dailyLoss, actor: "risk", reason: "daily P&L \(Money(rawValue: accountTotals[a].dailyPnL)) below -\(al.dailyLossLimit)", now)
        }
    }

    /// The firm's daily-loss trigger.
    mutating func checkFirmLoss(_ now: Int64) {
        if firmTotals.dailyPnL < -firm.dailyLossLimit.rawValue, !hasCause(.firm, .dailyLoss) {
            trip(.firm, .dailyLoss, actor: "risk", reason: "firm daily P&L \(Money(rawValue: firmTotals.dailyPnL)) below -\(firm.dailyLossLimit)", now)
        }
    }

    /// After a position change: the breach trigger, and REDUCING scopes that became flat go back
    /// to tripped.
    mutating func checkPosition(account a: Int, instrument i: Int, _ now: Int64) {
        let account = AccountID(rawValue: UInt32(a))
        if breaches(account: a, instrument: i), !hasCause(.account(account), .positionBreach) {
            trip(.account(account), .positionBreach, actor: "risk", reason: "position \(Quantity(rawValue: positions[positionIndex(a, i)].position)) in instrument \(i) beyond its limit", now)
        }
        if firmTotals.holdings == 0 { trippedWhenFlat(.firm, now) }
        if accountTotals[a].holdings == 0 { trippedWhenFlat(.account(account), now) }
        if markets[i].holders == 0 { trippedWhenFlat(.instrument(InstrumentID(rawValue: UInt32(i))), now) }
    }

    /// A flat scope in REDUCING goes back to tripped.
    mutating func trippedWhenFlat(_ scope: KillScope, _ now: Int64) {
        if let k = scopes.index(scope), states[k] == KillState.reducing.rawValue {
            setState(k, .tripped)
            events.append(.flat(scope: scope, at: Timestamp(rawValue: now)))
        }
    }

    func breaches(account a: Int, instrument i: Int) -> Bool {
        let pos = positions[positionIndex(a, i)].position
        return pos > hot[i].maxLong || pos < -hot[i].maxShort
    }

    func hasCause(_ scope: KillScope, _ cause: KillCause) -> Bool {
        guard let k = scopes.index(scope) else { return false }
        return causes[k] & (1 << UInt16(cause.rawValue)) != 0
    }

    /// Whether strategy `s`'s scope has `cause` (for the check path: no `KillScope` switch).
    @inline(__always)
    func strategyHasCause(_ s: Int, _ cause: KillCause) -> Bool {
        causes[scopes.strategy(s)] & (1 << UInt16(cause.rawValue)) != 0
    }

    /// After a position change, working reduce-only orders may together exceed what is left to
    /// reduce: cancel them, worst-priced first, until they fit (left-curve #2143, bytex #26).
    mutating func clampReduceOnly(account a: Int, instrument i: Int, _ now: Int64) {
        let pos = positions[positionIndex(a, i)].position
        for side in Side.allCases {
            let allowed: Int64 = (side == .buy ? pos < 0 : pos > 0) ? Int64(pos.magnitude) : 0
            while true {
                var total: Int64 = 0
                var worst: Int32 = -1
                var j = markets[i].head
                while j >= 0 {
                    let w = orders[Int(j)]
                    if Int(w.account) == a, w.side == side, w.flags.contains(.reduceOnly), !w.cancelRequested {
                        total &+= w.reservedQuantity
                        if worst < 0 || (side == .sell ? w.price > orders[Int(worst)].price : w.price < orders[Int(worst)].price) { worst = j }
                    }
                    j = w.instrumentNext
                }
                if total <= allowed || worst < 0 { break }
                emitCancel(worst, now)
            }
        }
    }

    // MARK: - Market data and session

    mutating func updateQuote(_ i: Int, bid: Int64, ask: Int64, last: Int64?, _ now: Int64) {
        markets[i].bid = bid
        markets[i].ask = ask
        markets[i].hasQuote = true
        if let last {
            markets[i].last = last
            markets[i].hasLast = true
        }
        markets[i].stamp = now
        // A new mark moves P&L only: positions (and so breaches and flatness) are unchanged.
        if markets[i].holders > 0 {
            for a in 0..<accountCount where positions[positionIndex(a, i)].position != 0 {
                remark(account: a, instrument: i)
                checkLoss(account: a, now)
            }
            checkFirmLoss(now)
        }
    }

    // MARK: - Kill switch

    /// Emits a cancel for one working order (once per order until the venue answers).
    mutating func emitCancel(_ slot: Int32, _ now: Int64) {
        let w = orders[Int(slot)]
        if w.cancelRequested { return }
        guard outboxCount < outboxCapacity else {
            anomaly(.cancelOutboxFull, ClientOrderID(rawValue: w.id), InstrumentID(rawValue: UInt32(w.instrument)), now)
            return
        }
        let id = (1 << 63) | nextCancelID
        nextCancelID &+= 1
        outbox[(outboxHead + outboxCount) % outboxCapacity] = CancelOrder(
            clientOrderID: ClientOrderID(rawValue: id), originalClientOrderID: ClientOrderID(rawValue: w.id),
            instrumentID: InstrumentID(rawValue: UInt32(w.instrument)), accountID: AccountID(rawValue: UInt32(w.account)),
            side: w.side, timestamp: Timestamp(rawValue: now))
        outboxCount &+= 1
        orders[Int(slot)].cancelRequested = true
        countCancel(account: Int(w.account), now)
        counters.cancelsEmitted &+= 1
    }

    func inScope(_ w: WorkingOrder, _ scope: KillScope) -> Bool {
        switch scope {
        case .firm: true
        case .account(let id): w.account == Int32(id.rawValue)
        case .strategy(let id): w.strategy == Int32(id.rawValue)
        case .instrument(let id): w.instrument == Int32(id.rawValue)
        case .side(let id, let side): w.instrument == Int32(id.rawValue) && w.side == side
        }
    }

    /// Cancels every working order in `scope`; returns how many cancels were emitted.
    mutating func cancelAll(_ scope: KillScope, _ now: Int64) -> Int {
        var n = 0
        var j = liveHead
        while j >= 0 {
            let w = orders[Int(j)]
            if !w.cancelRequested, inScope(w, scope) {
                emitCancel(j, now)
                n &+= 1
            }
            j = w.next
        }
        return n
    }

    /// Trips from the engine's own thread (a trigger fired): flag, record, cancel-all at once.
    ///
    /// Only this trip is handled: trips other threads made wait for the next call's prologue, so
    /// they are recorded as inputs at a point a replay can reproduce, never in the middle of a call.
    mutating func trip(_ scope: KillScope, _ cause: KillCause, actor: String, reason: String, _ now: Int64) {
        handle(KillTrip(scope: scope, cause: cause, actor: actor, reason: reason, timestamp: Timestamp(rawValue: now)), now)
    }

    /// A trip the engine handles now, whoever made it: the scope tripped (even if an operator call
    /// reset the flag after another thread's trip and before this), the cause added, every working
    /// order in scope cancelled, the event recorded.
    mutating func handle(_ t: KillTrip, _ now: Int64) {
        guard let k = scopes.index(t.scope) else { return }
        setState(k, .tripped)
        causes[k] |= 1 << UInt16(t.cause.rawValue)
        let n = cancelAll(t.scope, now)
        events.append(.tripped(scope: t.scope, cause: t.cause, actor: t.actor, reason: t.reason, at: t.timestamp, lastApprovedSequence: sequence, cancels: n))
    }

    /// Whether another thread tripped a scope the engine has not handled yet.
    var hasKillRequests: Bool { generation.pointee.load(ordering: .acquiring) != seenGeneration }

    /// Handles trips made on any thread since the last call: records them and emits the cancels.
    /// One atomic load when nothing happened.
    @inline(__always)
    mutating func processKillRequests(_ now: Int64) {
        if hasKillRequests { coldKillRequests(now) }
    }

    /// The cold half of `processKillRequests`: runs only after a trip.
    @inline(never)
    mutating func coldKillRequests(_ now: Int64) {
        seenGeneration = generation.pointee.load(ordering: .acquiring)
        for t in killSwitch.drain() { handle(t, now) }
    }

    /// Working orders still open in `scope` (cancel-all is complete when this reaches zero).
    func workingCount(in scope: KillScope) -> Int {
        var n = 0
        var j = liveHead
        while j >= 0 {
            let w = orders[Int(j)]
            if inScope(w, scope) { n += 1 }
            j = w.next
        }
        return n
    }

    /// Whether `cause` still holds for `scope` (reset is refused while it does).
    func causeHolds(_ scope: KillScope, _ cause: KillCause, _ now: Int64) -> Bool {
        switch (scope, cause) {
        case (.firm, .dailyLoss): return firmTotals.dailyPnL < -firm.dailyLossLimit.rawValue
        case (.account(let id), .dailyLoss):
            return accountTotals[Int(id.rawValue)].dailyPnL < -accounts[Int(id.rawValue)].dailyLossLimit.rawValue
        case (.account(let id), .positionBreach):
            return (0..<instrumentCount).contains { breaches(account: Int(id.rawValue), instrument: $0) }
        case (.strategy(let id), .executionThrottle):
            return !strategyLog(Int(id.rawValue), .execution).pointee.allows(now, adding: 1)
        default: return false
        }
    }

    mutating func reset(_ scope: KillScope, operator name: String, reason: String, _ now: Int64) throws(RiskOperatorError) {
        guard operators.contains(name) else { throw .unauthorized(name) }
        guard let k = scopes.index(scope) else { throw .unknownScope(scope) }
        guard states[k] != KillState.armed.rawValue else { throw .notTripped(scope) }
        for cause in KillCause.allCases where causes[k] & (1 << UInt16(cause.rawValue)) != 0 {
            if causeHolds(scope, cause, now) { throw .causeStillHolds(scope, cause) }
        }
        causes[k] = 0
        setState(k, .armed)
        if case .strategy(let id) = scope { strategyLog(Int(id.rawValue), .execution).pointee.clear() }
        events.append(.reset(scope: scope, operator: name, reason: reason, at: Timestamp(rawValue: now)))
    }

    mutating func enterReducing(_ scope: KillScope, operator name: String, reason: String, _ now: Int64) throws(RiskOperatorError) {
        guard operators.contains(name) else { throw .unauthorized(name) }
        guard let k = scopes.index(scope) else { throw .unknownScope(scope) }
        guard states[k] == KillState.tripped.rawValue else { throw .notTripped(scope) }
        setState(k, .reducing)
        events.append(.reducing(scope: scope, operator: name, reason: reason, at: Timestamp(rawValue: now)))
    }

    /// Replays recorded kill events (after a restart): trips, resets and REDUCING transitions.
    mutating func restoreKillState(_ list: [RiskEvent]) {
        for e in list {
            switch e {
            case .tripped(let scope, let cause, _, _, _, _, _):
                guard let k = scopes.index(scope) else { continue }
                causes[k] |= 1 << UInt16(cause.rawValue)
                setState(k, .tripped)
            case .reset(let scope, _, _, _):
                guard let k = scopes.index(scope) else { continue }
                causes[k] = 0
                setState(k, .armed)
            case .reducing(let scope, _, _, _):
                guard let k = scopes.index(scope) else { continue }
                setState(k, .reducing)
            case .flat(let scope, _):
                guard let k = scopes.index(scope) else { continue }
                setState(k, .tripped)
            case .anomaly: break
            }
            events.append(e)
        }
    }

    /// A new trading day: client order IDs and execution IDs may be reused, P&L starts again from
    /// the current marks. Kill state, positions and working orders carry over.
    mutating func beginTradingDay() {
        clientOrderIDs.clear()
        // Working orders keep their IDs reserved.
        var j = liveHead
        while j >= 0 {
            let w = orders[Int(j)]
            _ = clientOrderIDs.insert(w.id)
            if w.originalID != w.id { _ = clientOrderIDs.insert(w.originalID) }
            if w.pendingID != 0 { _ = clientOrderIDs.insert(w.pendingID) }
            j = w.next
        }
        executionIDs.clear()
        for k in 0..<(instrumentCount * accountCount) {
            positions[k].realized = 0
            positions[k].fees = 0
            positions[k].unrealizedAtDayStart = positions[k].unrealized
        }
        for a in 0..<accountCount {
            accountTotals[a].realized = 0
            accountTotals[a].fees = 0
            accountTotals[a].unrealizedChange = 0
        }
        firmTotals.realized = 0
        firmTotals.fees = 0
        firmTotals.unrealizedChange = 0
        resetForeignDay()
    }
}
