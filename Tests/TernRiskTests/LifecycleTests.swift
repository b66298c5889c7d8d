import Testing
import TernCore
@testable import TernRisk

/// Order events change state exactly as notes/risk.md §3.4 says, including the orderings that
/// break other engines.
@Suite struct LifecycleTests {
    typealias W = World

    func open(_ e: RiskEngine, _ side: Side = .buy) -> (Int64, Int64) {
        let p = e.position(account: W.acct, instrument: W.es)!
        return (p.openBuyQuantity, p.openSellQuantity)
    }

    @Test func exposureFromSendUntilConfirmed() {
        let e = W.engine()
        let o = W.order(W.es, .buy, "3")
        _ = e.submit(o, at: W.t0)
        #expect(open(e).0 == W.q("3").rawValue)  // counted at send, before any ack
        e.apply(.accepted(OrderAccepted(clientOrderID: o.clientOrderID, orderID: OrderID(rawValue: 9), instrumentID: W.es, timestamp: W.t0)), at: W.t0)
        #expect(open(e).0 == W.q("3").rawValue)
        // A cancel request releases nothing; the ack does.
        #expect(e.submitCancel(CancelOrder(clientOrderID: W.id(), originalClientOrderID: o.clientOrderID, instrumentID: W.es, accountID: W.acct, side: .buy, timestamp: W.t0), at: W.t0).isAccepted)
        #expect(open(e).0 == W.q("3").rawValue)
        e.apply(W.canceled(o, "3"), at: W.t0)
        #expect(open(e).0 == 0)
        #expect(e.workingOrderCount == 0)
        #expect(e.totals(account: W.acct)?.workingNotional == 0)
    }

    @Test func venueRejectReleases() {
        let e = W.engine()
        let o = W.order(W.es, .buy, "3")
        _ = e.submit(o, at: W.t0)
        e.apply(.rejected(RequestRejected(clientOrderID: o.clientOrderID, instrumentID: W.es, reason: .venueRejected, origin: .venue, timestamp: W.t0)), at: W.t0)
        #expect(open(e).0 == 0)
        #expect(e.firmTotals.workingCount == 0)
    }

    @Test func fillBeforeAckAndPartialFills() {
        let e = W.engine()
        let o = W.order(W.es, .buy, "5")
        _ = e.submit(o, at: W.t0)
        e.apply(W.fill(o, "2", at: "5000", leaves: "3"), at: W.t0)  // before the ack
        var p = e.position(account: W.acct, instrument: W.es)!
        #expect(p.position == W.q("2").rawValue && p.openBuyQuantity == W.q("3").rawValue)
        #expect(p.openBuyNotional == W.m("750000").rawValue)
        e.apply(W.fill(o, "3", at: "4999.75", leaves: "0"), at: W.t0)
        p = e.position(account: W.acct, instrument: W.es)!
        #expect(p.position == W.q("5").rawValue && p.openBuyQuantity == 0 && p.workingCount == 0)
    }

    @Test func fillAfterCancelAckIsAppliedOnceAndFlagged() {
        let e = W.engine()
        let o = W.order(W.es, .buy, "5")
        _ = e.submit(o, at: W.t0)
        e.apply(W.canceled(o, "5"), at: W.t0)
        e.apply(W.fill(o, "2", at: "5000", leaves: "0"), at: W.t0)  // the venue filled it in flight
        let p = e.position(account: W.acct, instrument: W.es)!
        #expect(p.position == W.q("2").rawValue)
        #expect(p.openBuyQuantity == 0)  // never negative, never released twice
        #expect(e.counters.lateFills == 1)
    }

    @Test func cancelRejectThenFill() {
        let e = W.engine()
        let o = W.order(W.es, .buy, "2")
        _ = e.submit(o, at: W.t0)
        _ = e.submitCancel(CancelOrder(clientOrderID: W.id(), originalClientOrderID: o.clientOrderID, instrumentID: W.es, accountID: W.acct, side: .buy, timestamp: W.t0), at: W.t0)
        e.apply(.cancelRejected(RequestRejected(clientOrderID: W.id(), originalClientOrderID: o.clientOrderID, instrumentID: W.es, reason: .venueTooLateToCancel, origin: .venue, timestamp: W.t0)), at: W.t0)
        e.apply(W.fill(o, "2", at: "5000", leaves: "0"), at: W.t0)
        #expect(e.position(account: W.acct, instrument: W.es)?.position == W.q("2").rawValue)
        #expect(open(e).0 == 0)
    }

    @Test func duplicateExecutionIsIgnored() {
        let e = W.engine()
        let o = W.order(W.es, .buy, "5")
        _ = e.submit(o, at: W.t0)
        let f = W.fill(o, "1", at: "5000", leaves: "4", exec: 777)
        e.apply(f, at: W.t0)
        e.apply(f, at: W.t0)
        #expect(e.position(account: W.acct, instrument: W.es)?.position == W.q("1").rawValue)
        #expect(e.counters.duplicateExecutions == 1)
    }

    @Test func overfillTripsOnBreach() {
        let e = W.engine { $0.instruments[0].maxLong = W.q("5") }
        let o = W.order(W.es, .buy, "5")
        _ = e.submit(o, at: W.t0)
        e.apply(W.fill(o, "7", at: "5000", leaves: "0"), at: W.t0)
        #expect(e.counters.overfills == 1)
        #expect(e.position(account: W.acct, instrument: W.es)?.position == W.q("7").rawValue)
        #expect(e.killSwitch.state(.account(W.acct)) == .tripped)
        #expect(throws: RiskOperatorError.causeStillHolds(.account(W.acct), .positionBreach)) {
            try e.reset(.account(W.acct), operator: "risk-officer", reason: "try", at: W.t0)
        }
    }

    @Test func unattributedFillTripsTheInstrument() {
        let e = W.engine()
        let ghost = W.order(W.es, .buy, "1")
        e.apply(W.fill(ghost, "1", at: "5000", leaves: "0"), at: W.t0)
        #expect(e.counters.unattributedFills == 1)
        #expect(e.killSwitch.state(.instrument(W.es)) == .tripped)
    }

    @Test func replaceUpIsReservedThenRejectedRestores() {
        let e = W.engine()
        let o = W.order(W.es, .buy, "2")
        _ = e.submit(o, at: W.t0)
        let r = ReplaceOrder(clientOrderID: W.id(), originalClientOrderID: o.clientOrderID, instrumentID: W.es, accountID: W.acct, side: .buy, price: W.p("5001"), quantity: W.q("6"), timestamp: W.t0)
        #expect(e.submitReplace(r, at: W.t0).isAccepted)
        #expect(open(e).0 == W.q("6").rawValue)  // max(old, new) while in flight
        e.apply(.replaceRejected(RequestRejected(clientOrderID: r.clientOrderID, originalClientOrderID: o.clientOrderID, instrumentID: W.es, reason: .venueRejected, origin: .venue, timestamp: W.t0)), at: W.t0)
        #expect(open(e).0 == W.q("2").rawValue)
        #expect(e.position(account: W.acct, instrument: W.es)?.openBuyNotional == W.m("500000").rawValue)
    }

    @Test func replaceDownReleasesOnlyOnAck() {
        let e = W.engine()
        let o = W.order(W.es, .buy, "6")
        _ = e.submit(o, at: W.t0)
        let r = ReplaceOrder(clientOrderID: W.id(), originalClientOrderID: o.clientOrderID, instrumentID: W.es, accountID: W.acct, side: .buy, price: W.p("5000"), quantity: W.q("4"), timestamp: W.t0)
        #expect(e.submitReplace(r, at: W.t0).isAccepted)
        #expect(open(e).0 == W.q("6").rawValue)
        // A fill of 2 in flight; the venue (with in-flight mitigation) leaves 4 - 2 = 2.
        e.apply(W.fill(o, "2", at: "5000", leaves: "4"), at: W.t0)
        #expect(open(e).0 == W.q("4").rawValue)  // max(old leaves 4, new leaves 4 - 2)
        e.apply(.replaceAccepted(ReplaceAccepted(clientOrderID: r.clientOrderID, originalClientOrderID: o.clientOrderID, orderID: OrderID(rawValue: 1), instrumentID: W.es, price: W.p("5000"), quantity: W.q("4"), leavesQuantity: W.q("2"), timestamp: W.t0)), at: W.t0)
        #expect(open(e).0 == W.q("2").rawValue)
        // The order now answers to the new ID.
        e.apply(W.fill(NewOrder(clientOrderID: r.clientOrderID, instrumentID: W.es, accountID: W.acct, strategyID: W.algo, side: .buy, price: W.p("5000"), quantity: W.q("4"), timestamp: W.t0), "2", at: "5000", leaves: "0"), at: W.t0)
        #expect(open(e).0 == 0)
        #expect(e.position(account: W.acct, instrument: W.es)?.position == W.q("4").rawValue)
    }

    @Test func replaceIncreaseIsChecked() {
        let e = W.engine { $0.instruments[0].maxLong = W.q("5") }
        let o = W.order(W.es, .buy, "4")
        _ = e.submit(o, at: W.t0)
        let r = ReplaceOrder(clientOrderID: W.id(), originalClientOrderID: o.clientOrderID, instrumentID: W.es, accountID: W.acct, side: .buy, price: W.p("5000"), quantity: W.q("6"), timestamp: W.t0)
        #expect(e.submitReplace(r, at: W.t0).reason == .positionLimit)
        let unknown = ReplaceOrder(clientOrderID: W.id(), originalClientOrderID: ClientOrderID(rawValue: 424242), instrumentID: W.es, accountID: W.acct, side: .buy, price: W.p("5000"), quantity: W.q("1"), timestamp: W.t0)
        #expect(e.submitReplace(unknown, at: W.t0).reason == .unknownOrder)
    }

    @Test func replaceInAnAuctionIsHeldToTheAuctionBand() {
        let e = W.engine()
        let o = W.order(W.es, .buy, "1", at: "5000")
        let o2 = W.order(W.es, .buy, "1", at: "4999")
        _ = e.submit(o, at: W.t0)
        _ = e.submit(o2, at: W.t0)
        e.setSession(W.es, .auction)  // auction band 40 ticks around 5000 (the regular band is 20)
        let inside = ReplaceOrder(clientOrderID: W.id(), originalClientOrderID: o2.clientOrderID, instrumentID: W.es, accountID: W.acct, side: .buy, price: W.p("5010"), quantity: W.q("1"), timestamp: W.t0)
        #expect(e.submitReplace(inside, at: W.t0).isAccepted)
        let outside = ReplaceOrder(clientOrderID: W.id(), originalClientOrderID: o.clientOrderID, instrumentID: W.es, accountID: W.acct, side: .buy, price: W.p("5010.25"), quantity: W.q("1"), timestamp: W.t0)
        let d = e.submitReplace(outside, at: W.t0)
        #expect(d.reason == .priceOutsideBand)
        #expect(d.limit == .auctionBand)
        #expect(d.limitValue == Int128(W.p("5010").rawValue))
    }

    @Test func realizedAndUnrealizedPnL() {
        let e = W.engine()
        let b = W.order(W.es, .buy, "2", at: "5000")
        _ = e.submit(b, at: W.t0)
        e.apply(W.fill(b, "2", at: "5000", leaves: "0"), at: W.t0)
        let s = W.order(W.es, .sell, "1", at: "5004")
        _ = e.submit(s, at: W.t0)
        e.apply(W.fill(s, "1", at: "5004", leaves: "0"), at: W.t0)
        let p = e.position(account: W.acct, instrument: W.es)!
        #expect(p.realized == W.m("200").rawValue)  // 1 × 4 × 50
        // Unrealized at the bid 5000 for the remaining long at cost 5000.
        #expect(p.unrealized == 0)
        #expect(e.totals(account: W.acct)?.dailyPnL == W.m("200").rawValue)
        e.updateQuote(W.es, bid: W.p("5010"), ask: W.p("5010.25"), at: W.t0)
        #expect(e.position(account: W.acct, instrument: W.es)?.unrealized == W.m("500").rawValue)
        // Flip: sell 3 at 5010 from long 1 → short 2 at cost 5010.
        let f = W.order(W.es, .sell, "3", at: "5010")
        #expect(e.submit(f, at: W.t0).isAccepted)
        e.apply(W.fill(f, "3", at: "5010", leaves: "0"), at: W.t0)
        let q = e.position(account: W.acct, instrument: W.es)!
        #expect(q.position == -W.q("2").rawValue)
        #expect(q.realized == W.m("700").rawValue)
        #expect(q.costBasis == -W.m("501000").rawValue)
        #expect(q.unrealized == -W.m("25").rawValue)  // shorts marked at the ask 5010.25
    }
}
