import Testing
import TernCore
import TernRisk

private typealias W = World

/// Fees: the venue's reported fee plus the instrument's schedule, counted in daily P&L.
@Suite struct FeeTests {
    /// ES with maker 0.5 bp, taker 2 bp and 1.25 per contract; BTC taker 0.001 % with a maker rebate.
    static func engine(_ edit: (inout RiskConfiguration) -> Void = { _ in }) -> RiskEngine {
        W.engine { c in
            c.instruments[0].fees = FeeSchedule(makerRate: 50_000, takerRate: 200_000, perUnit: W.m("1.25"))
            c.instruments[1].fees = FeeSchedule(makerRate: -20_000, takerRate: 10_000)
            edit(&c)
        }
    }

    @Test func scheduleByLiquidity() {
        let e = Self.engine()
        // 2 ES at 5000: notional 500,000. Taker: 500,000 × 0.0002 + 2 × 1.25 = 102.5.
        let b = W.order(W.es, .buy, "2", at: "5000")
        #expect(e.submit(b, at: W.t0).isAccepted)
        e.apply(W.fill(b, "2", at: "5000", leaves: "0", liquidity: .taker), at: W.t0)
        #expect(e.position(account: W.acct, instrument: W.es)?.fees == W.m("102.5").rawValue)
        // Maker: 500,000 × 0.00005 + 2.5 = 27.5.
        let s = W.order(W.es, .sell, "2", at: "5000")
        #expect(e.submit(s, at: W.t0).isAccepted)
        e.apply(W.fill(s, "2", at: "5000", leaves: "0", liquidity: .maker), at: W.t0)
        #expect(e.position(account: W.acct, instrument: W.es)?.fees == W.m("130").rawValue)
        // Unknown liquidity charges the larger rate (taker): 250,000 × 0.0002 + 1.25 = 51.25.
        let u = W.order(W.es, .buy, "1", at: "5000")
        #expect(e.submit(u, at: W.t0).isAccepted)
        e.apply(W.fill(u, "1", at: "5000", leaves: "0"), at: W.t0)
        let t = e.totals(account: W.acct)!
        #expect(t.fees == W.m("181.25").rawValue)
        // Flat round trip at one price: P&L is exactly minus the fees (the long 1 is marked at the bid 5000).
        #expect(t.realized == 0)
        #expect(t.dailyPnL == -W.m("181.25").rawValue)
        #expect(e.firmTotals.fees == t.fees)
    }

    @Test func venueFeeAndRebate() {
        let e = Self.engine()
        // BTC maker: 0.5 × 60000 = 30,000 notional; rebate −0.6; the venue also reports 0.25.
        let b = W.order(W.btc, .buy, "0.5", at: "60000")
        #expect(e.submit(b, at: W.t0).isAccepted)
        e.apply(W.fill(b, "0.5", at: "60000", leaves: "0", liquidity: .maker, fee: W.m("0.25")), at: W.t0)
        #expect(e.position(account: W.acct, instrument: W.btc)?.fees == -W.m("0.35").rawValue)
    }

    @Test func scheduledTermsRoundUp() {
        // A rate that leaves a remainder: 0.001 BTC at 60000.01 = 60.00001 notional; × 0.000000001 =
        // 0.00000006000001 exactly, so one raw unit (10^-18) beyond would be lost by truncation.
        let e = Self.engine { $0.instruments[1].fees = FeeSchedule(takerRate: 1) }
        W.quote(e)
        let b = W.order(W.btc, .buy, "0.001", at: "60000.01")
        #expect(e.submit(b, at: W.t0).isAccepted)
        e.apply(W.fill(b, "0.001", at: "60000.01", leaves: "0", liquidity: .taker), at: W.t0)
        #expect(e.position(account: W.acct, instrument: W.btc)?.fees == W.m("0.00000006000001").rawValue)
        // And a rebate rounds toward zero, so a rebate never counts for more than it is.
        let r = Self.engine { $0.instruments[1].fees = FeeSchedule(makerRate: -3) }
        let o = W.order(W.btc, .buy, "0.001", at: "60000.01")
        #expect(r.submit(o, at: W.t0).isAccepted)
        r.apply(W.fill(o, "0.001", at: "60000.01", leaves: "0", liquidity: .maker), at: W.t0)
        #expect(r.position(account: W.acct, instrument: W.btc)?.fees == -W.m("0.00000018000003").rawValue)
    }

    @Test func feesTripDailyLoss() {
        // Loss limit 25,000. A 0.125 % taker fee on 8 ES at 5000 (2,000,000 notional) is 2,500 a fill:
        // five flat round trips at one price lose exactly 25,000 by fees alone, which is at the limit
        // and not over it; the eleventh fill crosses it.
        let e = Self.engine { $0.instruments[0].fees = FeeSchedule(takerRate: 1_250_000) }
        for k in 0..<11 {
            let o = W.order(W.es, k % 2 == 0 ? .buy : .sell, "8", at: "5000")
            #expect(e.submit(o, at: W.t0).isAccepted)
            e.apply(W.fill(o, "8", at: "5000", leaves: "0", liquidity: .taker), at: W.t0)
            if k == 9 {
                #expect(e.totals(account: W.acct)?.realized == 0)
                #expect(e.totals(account: W.acct)?.dailyPnL == -W.m("25000").rawValue)
                #expect(e.killSwitch.state(.account(W.acct)) == .armed)
            }
        }
        #expect(e.totals(account: W.acct)?.dailyPnL == -W.m("27500").rawValue)
        #expect(e.killSwitch.state(.account(W.acct)) == .tripped)
        #expect(e.events.contains { if case .tripped(_, .dailyLoss, _, _, _, _, _) = $0 { true } else { false } })
    }

    @Test func dayRollClearsFees() {
        let e = Self.engine()
        let b = W.order(W.es, .buy, "1", at: "5000")
        #expect(e.submit(b, at: W.t0).isAccepted)
        e.apply(W.fill(b, "1", at: "5000", leaves: "0", liquidity: .taker), at: W.t0)
        #expect(e.totals(account: W.acct)?.fees != 0)
        e.beginTradingDay()
        #expect(e.totals(account: W.acct)?.fees == 0)
        #expect(e.position(account: W.acct, instrument: W.es)?.fees == 0)
        #expect(e.firmTotals.fees == 0)
    }
}
