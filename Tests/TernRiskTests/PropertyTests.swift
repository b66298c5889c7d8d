import Testing
import TernCore
import TernTestSupport
@testable import TernRisk

/// Random order lifecycles against a slow reference: after every event the engine's exposure
/// equals the exposure recomputed from the list of orders the test keeps, and the invariants of
/// notes §4.7 hold (open ≥ 0, worst case ≤ limits, ≤ N submits in any window).
@Suite struct PropertyTests {
    typealias W = World

    struct RefOrder {
        var order: NewOrder
        var price: Int64
        var leaves: Int64
        var cumulative: Int64 = 0
        var pending: (id: ClientOrderID, price: Int64, quantity: Int64)? = nil
        var cancelRequested = false
    }

    static var iterations: Int {
        (Int(Environment.variable("TERN_LONG_TESTS") ?? "") ?? 0) > 0 ? 200 : 20
    }

    @Test(arguments: 0..<4)
    func exposureMatchesTheSlowReference(seed: Int) {
        for run in 0..<Self.iterations {
            var rng = SplitMix64(seed: UInt64(seed * 100_003 + run))
            check(&rng)
        }
    }

    func check(_ rng: inout SplitMix64) {
        let rate = RateLimit(count: 40, windowNanoseconds: 1_000_000)
        let e = W.engine { c in
            c.strategies[0].submitRate = rate
            c.instruments[0].maxLong = W.q("30")
            c.instruments[0].maxShort = W.q("30")
            c.firm.selfMatch = .off
        }
        var live: [UInt64: RefOrder] = [:]
        var closed: [UInt64: RefOrder] = [:]
        var position: [Int: Int64] = [:]  // account*10 + instrument
        var accepted: [Int64] = []
        var now = W.t0.rawValue
        for _ in 0..<300 {
            now += Int64.random(in: 0..<60_000, using: &rng)
            let t = Timestamp(rawValue: now)
            if Int.random(in: 0..<50, using: &rng) == 0 { W.quote(e, at: t) }
            W.quote(e, at: t)
            let roll = Int.random(in: 0..<10, using: &rng)
            let ids = live.keys.sorted()
            if roll < 4 || ids.isEmpty {
                let side: Side = Bool.random(using: &rng) ? .buy : .sell
                let account = Bool.random(using: &rng) ? W.acct : W.other
                let ticks = Int.random(in: -20...20, using: &rng)
                let price = "\(5000 + Double(ticks) * 0.25)"
                let flags: OrderFlags = Int.random(in: 0..<6, using: &rng) == 0 ? .reduceOnly : []
                let o = W.order(W.es, side, "\(Int.random(in: 1...8, using: &rng))", at: price, account: account, flags: flags, time: t)
                let d = e.submit(o, at: t)
                if d.isAccepted {
                    live[o.clientOrderID.rawValue] = RefOrder(order: o, price: o.price.rawValue, leaves: o.quantity.rawValue)
                    accepted.append(now)
                }
            } else {
                let id = ids[Int.random(in: 0..<ids.count, using: &rng)]
                var r = live[id]!
                switch Int.random(in: 0..<7, using: &rng) {
                case 0:  // partial or full fill
                    guard r.leaves >= 1_000_000_000 else { break }
                    let q = Int64.random(in: 1...r.leaves / 1_000_000_000, using: &rng) * 1_000_000_000
                    let px = r.pending?.price ?? r.price
                    let leavesAfter = r.leaves - q
                    e.apply(.filled(Fill(clientOrderID: ClientOrderID(rawValue: id), orderID: OrderID(rawValue: id), executionID: ExecutionID(rawValue: rng.next() | 1), instrumentID: W.es, side: r.order.side, price: Price(rawValue: px), quantity: Quantity(rawValue: q), leavesQuantity: Quantity(rawValue: leavesAfter), timestamp: t)), at: t)
                    position[Int(r.order.accountID.rawValue) * 10, default: 0] += r.order.side == .buy ? q : -q
                    r.leaves = leavesAfter
                    r.cumulative += q
                    if leavesAfter == 0 {  // done (a replace in flight will be rejected: too late)
                        live[id] = nil
                        closed[id] = r
                    } else {
                        live[id] = r
                    }
                case 1:  // cancel request, then ack
                    _ = e.submitCancel(CancelOrder(clientOrderID: W.id(), originalClientOrderID: r.order.clientOrderID, instrumentID: W.es, accountID: r.order.accountID, side: r.order.side, timestamp: t), at: t)
                    r.cancelRequested = true
                    live[id] = r
                case 2:
                    guard r.cancelRequested else { break }
                    e.apply(W.canceled(r.order, "0", time: t), at: t)
                    live[id] = nil
                    closed[id] = r
                case 3:  // venue reject of an unacknowledged order
                    guard r.cumulative == 0, r.pending == nil else { break }
                    e.apply(.rejected(RequestRejected(clientOrderID: r.order.clientOrderID, instrumentID: W.es, reason: .venueRejected, origin: .venue, timestamp: t)), at: t)
                    live[id] = nil
                case 4:  // replace request
                    guard r.pending == nil, !r.cancelRequested else { break }
                    let newQ = r.cumulative + Int64.random(in: 1...8, using: &rng) * 1_000_000_000
                    let newP = r.price + Int64.random(in: -2...2, using: &rng) * 250_000_000
                    let rep = ReplaceOrder(clientOrderID: W.id(), originalClientOrderID: ClientOrderID(rawValue: r.order.clientOrderID.rawValue), instrumentID: W.es, accountID: r.order.accountID, side: r.order.side, price: Price(rawValue: newP), quantity: Quantity(rawValue: newQ), timestamp: t)
                    if e.submitReplace(rep, at: t).isAccepted {
                        r.pending = (rep.clientOrderID, newP, newQ)
                        live[id] = r
                    }
                case 5:  // replace answered
                    guard let p = r.pending else { break }
                    if Bool.random(using: &rng) {
                        let leaves = max(0, p.quantity - r.cumulative)
                        e.apply(.replaceAccepted(ReplaceAccepted(clientOrderID: p.id, originalClientOrderID: r.order.clientOrderID, orderID: OrderID(rawValue: id), instrumentID: W.es, price: Price(rawValue: p.price), quantity: Quantity(rawValue: p.quantity), leavesQuantity: Quantity(rawValue: leaves), timestamp: t)), at: t)
                        live[id] = nil
                        r.order.clientOrderID = p.id
                        r.price = p.price
                        r.leaves = leaves
                        r.pending = nil
                        if leaves > 0 { live[p.id.rawValue] = r } else { closed[p.id.rawValue] = r }
                    } else {
                        e.apply(.replaceRejected(RequestRejected(clientOrderID: p.id, originalClientOrderID: r.order.clientOrderID, instrumentID: W.es, reason: .venueRejected, origin: .venue, timestamp: t)), at: t)
                        r.pending = nil
                        live[id] = r
                    }
                default:  // a late fill on a closed order
                    guard let (cid, c) = closed.first else { break }
                    e.apply(.filled(Fill(clientOrderID: ClientOrderID(rawValue: cid), orderID: OrderID(rawValue: cid), executionID: ExecutionID(rawValue: rng.next() | 1), instrumentID: W.es, side: c.order.side, price: Price(rawValue: c.price), quantity: W.q("1"), leavesQuantity: .zero, timestamp: t)), at: t)
                    position[Int(c.order.accountID.rawValue) * 10, default: 0] += c.order.side == .buy ? 1_000_000_000 : -1_000_000_000
                    closed[cid] = nil
                }
            }
            // Compare against the reference.
            for account in [W.acct, W.other] {
                var buyQ: Int64 = 0, sellQ: Int64 = 0, buyN: Int128 = 0, sellN: Int128 = 0, count: Int32 = 0
                for r in live.values where r.order.accountID == account {
                    var q = r.leaves
                    var n = Int128(r.price) * Int128(r.leaves) * 50
                    if let p = r.pending {
                        let nl = max(0, p.quantity - r.cumulative)
                        q = max(q, nl)
                        n = max(n, Int128(p.price) * Int128(nl) * 50)
                    }
                    if r.order.side == .buy { buyQ += q; buyN += n } else { sellQ += q; sellN += n }
                    count += 1
                }
                let s = e.position(account: account, instrument: W.es)!
                #expect(s.openBuyQuantity == buyQ && s.openSellQuantity == sellQ)
                #expect(s.openBuyNotional == buyN && s.openSellNotional == sellN)
                #expect(s.workingCount == count)
                #expect(s.position == position[Int(account.rawValue) * 10, default: 0])
                #expect(s.openBuyQuantity >= 0 && s.openSellQuantity >= 0)
                if s.openBuyQuantity != buyQ || s.openSellQuantity != sellQ || s.workingCount != count
                    || s.position != position[Int(account.rawValue) * 10, default: 0]
                {
                    return
                }
            }
        }
        #expect(accepted.count > 30, "the run must exercise the engine, not only denials")
        // At most N accepted submits in any window (accepted stamps are sorted).
        var lo = 0
        for hi in accepted.indices {
            while accepted[hi] - accepted[lo] >= rate.windowNanoseconds { lo += 1 }
            #expect(hi - lo + 1 <= rate.count)
        }
    }

    /// The sliding log alone, against a brute-force count: never more than N in any half-open window.
    @Test func slidingLogIsExact() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let n = Int.random(in: 1...6, using: &rng)
            let w = Int64.random(in: 1...50, using: &rng)
            var log = SlidingLog(RateLimit(count: n, windowNanoseconds: w))
            defer { log.deallocate() }
            var stamps: [Int64] = []
            var now: Int64 = 0
            for _ in 0..<300 {
                now += Int64.random(in: 0...8, using: &rng)
                let inWindow = stamps.filter { $0 > now - w }.count
                #expect(log.allows(now) == (inWindow < n))
                if log.allows(now) {
                    log.push(now)
                    stamps.append(now)
                }
            }
        }
    }
}

enum Environment {
    static func variable(_ name: String) -> String? {
        guard let p = getenv(name) else { return nil }
        return String(cString: p)
    }
}

#if canImport(Glibc)
    import Glibc
#endif
