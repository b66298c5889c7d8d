// The state digest behind `RiskEngine.stateDigest`: every piece of mutable state, in a fixed

import TernCore
// order, through `StableDigest`. A replayed engine and the live one must agree on it.

extension HashSlots {
    func digest(into h: inout StableDigest) {
        for i in 0...mask {
            h.add(keys[i])
            if let values { h.add(Int64(values[i])) }
        }
    }
}

extension SlidingLog {
    func digest(into h: inout StableDigest) {
        h.add(pushes)
        guard let stamps else { return }
        // The stamps a later check or undo can still read.
        let kept = min(pushes, mask + 1)
        for k in (pushes - kept)..<pushes { h.add(stamps[k & mask]) }
    }
}

extension PositionState {
    func digest(into h: inout StableDigest) {
        h.add(position)
        h.add(openBuyQuantity)
        h.add(openSellQuantity)
        h.add(reduceOnlyBuy)
        h.add(reduceOnlySell)
        h.add(Int64(workingCount))
        h.add(openBuyNotional)
        h.add(openSellNotional)
        h.add(costBasis)
        h.add(realized)
        h.add(fees)
        h.add(unrealized)
        h.add(unrealizedAtDayStart)
        h.add(markValue)
    }
}

extension ExposureTotals {
    func digest(into h: inout StableDigest) {
        h.add(workingCount)
        h.add(workingNotional)
        h.add(markValue)
        h.add(realized)
        h.add(fees)
        h.add(unrealizedChange)
        h.add(holdings)
    }
}

extension RiskCore {
    func digest() -> UInt64 {
        var h = StableDigest()
        h.add(sequence)
        h.add(lastNow)
        h.add(reconciling)
        h.add(nextCancelID)
        let c = counters
        for v in [c.accepted, c.denied, c.cancelsEmitted, c.lateFills, c.overfills, c.unattributedFills, c.duplicateExecutions, c.unknownOrderEvents] {
            h.add(v)
        }
        for k in 0..<scopes.count {
            h.add(UInt64(states[k]))
            h.add(UInt64(causes[k]))
        }
        for i in 0..<instrumentCount {
            let m = markets[i]
            for v in [m.bid, m.ask, m.last, m.stamp, Int64(m.head), Int64(m.holders), m.driftAnchor, m.driftStart] { h.add(v) }
            h.add(m.hasQuote)
            h.add(m.hasLast)
            h.add(m.hasDriftAnchor)
            h.add(UInt64(m.session.rawValue))
        }
        for p in 0..<(instrumentCount * accountCount) { positions[p].digest(into: &h) }
        for a in 0..<accountCount { accountTotals[a].digest(into: &h) }
        firmTotals.digest(into: &h)
        // Foreign currencies (none in a single-currency book, whose digests stay as they were).
        if foreignCount > 0 {
            h.add(fxHeld)
            for c in 1...foreignCount {
                let fx = fxRates[c]
                h.add(fx.currency.packedCode)
                h.add(fx.rate)
                h.add(fx.stamp)
                h.add(fx.known)
            }
            for k in 0..<(accountCount * (foreignCount + 1)) {
                for field in MoneyField.allCases {
                    h.add(buckets[k].native[field])
                    h.add(buckets[k].converted[field])
                }
            }
        }
        firmSubmit.digest(into: &h)
        firmModify.digest(into: &h)
        firmCancel.digest(into: &h)
        for k in 0..<(accountCount * 4) { accountLogs[k].digest(into: &h) }
        for k in 0..<(strategyCount * 4) { strategyLogs[k].digest(into: &h) }
        for s in 0..<strategyCount { h.add(strategyEnabled[s]) }
        duplicates.digest(into: &h)
        h.add(clientOrderIDs.count)
        clientOrderIDs.slots.digest(into: &h)
        h.add(executionIDs.count)
        executionIDs.slots.digest(into: &h)
        index.slots.digest(into: &h)
        // Working orders in live-list order, with their slots.
        h.add(liveCount)
        h.add(Int64(freeHead))
        var j = liveHead
        while j >= 0 {
            let w = orders[Int(j)]
            h.add(Int64(j))
            for v in [w.id, w.originalID, w.pendingID, w.sequence] { h.add(v) }
            for v in [w.price, w.quantity, w.cumulative, w.leaves, w.pendingPrice, w.pendingQuantity, w.reservedQuantity] { h.add(v) }
            h.add(w.reservedNotional)
            for v in [w.account, w.strategy, w.instrument, w.instrumentPrev, w.instrumentNext] { h.add(Int64(v)) }
            h.add(UInt64(w.side.rawValue) | UInt64(w.type.rawValue) << 8 | UInt64(w.flags.rawValue) << 16)
            h.add(w.cancelRequested)
            j = w.next
        }
        h.add(closedNext)
        for k in 0..<closedCapacity {
            let o = closed[k]
            h.add(o.id)
            h.add(o.originalID)
            for v in [o.account, o.strategy, o.instrument] { h.add(Int64(v)) }
            h.add(UInt64(o.side.rawValue))
        }
        h.add(events.count)
        for e in events { h.add(e.description) }
        return h.value
    }
}

extension DuplicateTable {
    func digest(into h: inout StableDigest) {
        guard let table, let tags, let newest else { return }
        h.add(count)
        h.add(cursor)
        for i in 0...mask where tags[i] != 0 {
            h.add(i)
            h.add(UInt64(tags[i]))
            h.add(newest[i])
            let e = table[i]
            h.add(e.key)
            h.add(e.pushes)
            let s = e.stamps
            for v in [s.0, s.1, s.2, s.3, s.4, s.5, s.6, s.7] { h.add(v) }
        }
    }
}
