import Testing
import TernCore
@testable import TernRisk

/// Multi-currency limits (FX.swift, docs/risk.md#fx): a EUR-quoted future in a USD book.
@Suite struct FXTests {
    typealias W = World
    static let fdax = InstrumentID(rawValue: 3)
    static let rate = W.p("1.1")

    /// The fixtures' world plus FDAX (EUR, tick 0.5, multiplier 25), with `fx_max_age` 10 s.
    static func configuration(_ edit: (inout RiskConfiguration) -> Void = { _ in }) -> RiskConfiguration {
        W.configuration { c in
            let spec = try! InstrumentSpec(
                id: fdax, symbol: try! Symbol("FDAXZ6"), tickSize: W.p("0.5"), lotSize: W.q("1"), multiplier: ContractMultiplier(25),
                maxQuantity: W.q("100"), currency: .eur)
            c.instruments.append(InstrumentRisk(
                spec: spec, maxOrderQuantity: W.q("10"), maxOrderNotional: W.m("5000000"), maxLong: W.q("50"),
                maxShort: W.q("50"), band: PriceBand(ticks: 400), maxReferenceAgeNanoseconds: 5 * W.second))
            c.firm.fxMaxAgeNanoseconds = 10 * W.second
            edit(&c)
        }
    }

    /// An engine with fresh quotes everywhere (FDAX 20000/20000.5) and, unless `rate` is nil, EUR at 1.1.
    static func engine(rate: Price? = FXTests.rate, _ edit: (inout RiskConfiguration) -> Void = { _ in }) -> RiskEngine {
        let e = try! RiskEngine(configuration(edit))
        quote(e)
        if let rate { #expect(e.updateFX(.eur, rate: rate, at: W.t0)) }
        return e
    }

    static func quote(_ e: RiskEngine, at t: Timestamp = W.t0, bid: String = "20000") {
        W.quote(e, at: t)
        e.updateQuote(fdax, bid: W.p(bid), ask: W.p(bid) + W.p("0.5"), at: t)
    }

    static func at(_ seconds: Int64, plus ns: Int64 = 0) -> Timestamp { Timestamp(rawValue: W.t0.rawValue + seconds * W.second + ns) }

    @Test func configurationNeedsAnFXAge() {
        let c = Self.configuration { $0.firm.fxMaxAgeNanoseconds = 0 }
        #expect { try RiskEngine(c) } throws: { ($0 as? RiskConfigError)?.field == "firm.fx_max_age" }
        let e = Self.engine()
        #expect(e.foreignCurrencies == [.eur])
        #expect(e.fxRate(.eur)?.rate == Self.rate)
        #expect(!e.updateFX(.usd, rate: W.p("1"), at: W.t0))  // the firm currency has no rate
        #expect(!e.updateFX(.jpy, rate: W.p("0.0067"), at: W.t0))  // no instrument in JPY
    }

    @Test func configFileNamesTheMissingAge() throws {
        let firm = """
            [firm]
            currency = USD
            max_working_orders = 10
            credit_limit = 1000000
            daily_loss_limit = 1000
            submit_rate = 10/1s
            operators = ops

            """
        let rest = """
            [account A]
            max_working_orders = 5
            max_working_notional = 100000
            credit_limit = 100000
            daily_loss_limit = 100
            [strategy S]
            submit_rate = 10/1s
            execution_throttle = 10/1s
            """
        let instruments = """
            symbol,tick,lot,max_qty,currency,max_order_qty,max_order_notional,max_long,max_short,band_ticks,max_reference_age
            FDAXZ6,0.5,1,100,EUR,10,1000000,5,5,20,5s
            """
        let limits = firm + rest
        #expect {
            try RiskSetup.parse(limits: Array(limits.utf8), limitsName: "L", instruments: Array(instruments.utf8), instrumentsName: "I")
        } throws: { ($0 as? RiskConfigError)?.field == "[firm] fx_max_age" }
        let fixed = firm + "fx_max_age = 30s\n" + rest
        let c = try RiskSetup.parse(limits: Array(fixed.utf8), limitsName: "L", instruments: Array(instruments.utf8), instrumentsName: "I")
        #expect(c.configuration.firm.fxMaxAgeNanoseconds == 30 * W.second)
        #expect(c.configuration.instruments[0].spec.currency == .eur)
    }

    @Test func noRateDeniesOnlyWhatDependsOnIt() {
        let e = Self.engine(rate: nil)
        let d = e.submit(W.order(Self.fdax, .buy, "1", at: "20000"), at: W.t0)
        #expect(d.reason == .fxRateUnavailable && d.limit == .fxRate && d.value == -1, "\(d)")
        // A USD order does not depend on the EUR rate while the firm holds no EUR.
        #expect(e.submit(W.order(), at: W.t0).isAccepted)
        // A rate that is not positive is no rate.
        #expect(e.updateFX(.eur, rate: W.p("1.1"), at: W.t0))
        #expect(e.updateFX(.eur, rate: W.p("0"), at: W.t0))
        #expect(e.fxRate(.eur) == nil)
        #expect(e.submit(W.order(Self.fdax, .buy, "1", at: "20000"), at: W.t0).reason == .fxRateUnavailable)
    }

    @Test func workingNotionalIsConvertedAtTheLimit() {
        // One FDAX at 20000 = 500,000 EUR = 550,000 USD at 1.1: the account limit exactly.
        let e = Self.engine { $0.accounts[0].maxWorkingNotional = W.m("550000") }
        #expect(e.submit(W.order(Self.fdax, .buy, "1", at: "20000"), at: W.t0).isAccepted)
        #expect(e.totals(account: W.acct)?.workingNotional == W.m("550000").rawValue)
        // The per-order limit stays in EUR: 5,000,000 EUR = 10 lots at 20000, though that is 5.5M USD.
        let big = e.evaluate(W.order(Self.fdax, .buy, "10", at: "20000", account: W.other), at: W.t0)
        #expect(big.isAccepted, "\(big)")

        // One nano-unit more of rate rounds the conversion up past the limit.
        let f = Self.engine { $0.accounts[0].maxWorkingNotional = W.m("550000") }
        #expect(f.updateFX(.eur, rate: Price(rawValue: 1_100_000_001), at: W.t0))
        let d = f.submit(W.order(Self.fdax, .buy, "1", at: "20000"), at: W.t0)
        #expect(d.reason == .workingValueLimit && d.limit == .accountWorkingNotional, "\(d)")
        #expect(d.value == W.m("550000.0005").rawValue, "\(Money(rawValue: d.value))")
    }

    @Test func creditCountsForeignExposureInFirmCurrency() {
        // Credit 1,100,000 USD: two FDAX lots at 1.1 fit, a third does not.
        let e = Self.engine { $0.accounts[0].creditLimit = W.m("1100000") }
        #expect(e.submit(W.order(Self.fdax, .buy, "2", at: "20000"), at: W.t0).isAccepted)
        let d = e.submit(W.order(Self.fdax, .buy, "1", at: "20000"), at: W.t0)
        #expect(d.reason == .creditLimit && d.limit == .accountCredit, "\(d)")
        // A weaker euro frees room for it.
        #expect(e.updateFX(.eur, rate: W.p("0.7"), at: W.t0))
        #expect(e.totals(account: W.acct)?.workingNotional == W.m("700000").rawValue)
        #expect(e.submit(W.order(Self.fdax, .buy, "1", at: "20000"), at: W.t0).isAccepted)
    }

    @Test func staleRateDeniesAtOneNanosecondPastTheAge() {
        let e = Self.engine()
        Self.quote(e, at: Self.at(10))
        #expect(e.submit(W.order(Self.fdax, .buy, "1", at: "20000"), at: Self.at(10)).isAccepted)
        Self.quote(e, at: Self.at(10, plus: 1))
        let d = e.submit(W.order(Self.fdax, .buy, "1", at: "20000"), at: Self.at(10, plus: 1))
        #expect(d.reason == .fxRateUnavailable && d.value == 10 * W.second + 1, "\(d)")
        // The firm now holds EUR: its totals rest on the stale rate, so USD orders wait too.
        let usd = e.submit(W.order(), at: Self.at(10, plus: 1))
        #expect(usd.reason == .fxRateUnavailable, "\(usd)")
        // Cancels always pass.
        #expect(e.updateFX(.eur, rate: Self.rate, at: Self.at(10, plus: 1)))
        #expect(e.submit(W.order(), at: Self.at(10, plus: 1)).isAccepted)
    }

    @Test func aNewRateRevaluesLossAndTrips() {
        // Daily loss limit 25,000 USD. Long 1 FDAX from 20000; the bid falls to 19000: −25,000 EUR.
        let e = Self.engine(rate: W.p("0.99"))
        let o = W.order(Self.fdax, .buy, "1", at: "20000")
        #expect(e.submit(o, at: W.t0).isAccepted)
        e.apply(W.fill(o, "1", at: "20000", leaves: "0"), at: W.t0)
        Self.quote(e, bid: "19000")
        #expect(e.totals(account: W.acct)?.dailyPnL == -W.m("24750").rawValue)
        #expect(e.killSwitch.state(.account(W.acct)) == .armed)
        #expect(e.updateFX(.eur, rate: W.p("1"), at: W.t0))  // −25,000: at the limit, not beyond
        #expect(e.killSwitch.state(.account(W.acct)) == .armed)
        #expect(e.updateFX(.eur, rate: Price(rawValue: 1_000_000_001), at: W.t0))  // −25,000.000025
        #expect(e.killSwitch.state(.account(W.acct)) == .tripped)
        // Marked value (credit) is |position| × mark in USD, rounded up.
        #expect(e.totals(account: W.acct)?.markValue == W.m("475000.000475").rawValue)
    }

    @Test func exposureMatchesAFullRecomputation() {
        // Random orders, fills, cancels and rate changes; after each step the account totals equal
        // Σ firm-currency positions + Σ convert(Σ EUR positions) recomputed from scratch.
        var rng = SystemRandomNumberGenerator()
        let e = Self.engine { c in
            c.accounts[0].maxWorkingOrders = 1000
            c.accounts[0].maxWorkingNotional = W.m("1000000000")
            c.accounts[0].creditLimit = W.m("1000000000")
            c.accounts[0].dailyLossLimit = W.m("1000000000")
            c.firm.dailyLossLimit = W.m("1000000000")
        }
        var working: [NewOrder] = []
        var rate = Self.rate
        for step in 0..<400 {
            switch Int.random(in: 0..<4, using: &rng) {
            case 0:
                let side: Side = Bool.random(using: &rng) ? .buy : .sell
                let usd = Bool.random(using: &rng)
                let o = usd
                    ? W.order(W.es, side, "\(Int.random(in: 1...3, using: &rng))", at: side == .buy ? "5000" : "5000.25")
                    : W.order(Self.fdax, side, "\(Int.random(in: 1...3, using: &rng))", at: side == .buy ? "20000" : "20000.5")
                if e.submit(o, at: W.t0).isAccepted { working.append(o) }
            case 1 where !working.isEmpty:
                let o = working.remove(at: Int.random(in: 0..<working.count, using: &rng))
                let price = o.instrumentID == W.es ? (o.side == .buy ? "5000" : "5000.25") : (o.side == .buy ? "20000" : "20000.5")
                e.apply(W.fill(o, Quantity(rawValue: o.quantity.rawValue).description, at: price, leaves: "0"), at: W.t0)
            case 2:
                rate = Price(rawValue: Int64.random(in: 500_000_000...1_500_000_000, using: &rng))
                #expect(e.updateFX(.eur, rate: rate, at: W.t0))
            default:
                Self.quote(e, bid: Bool.random(using: &rng) ? "19990" : "20010.5")
            }
            var expected = ExposureTotals()
            var eur = ExposureTotals()
            for instrument in [W.es, W.btc, W.spread, Self.fdax] {
                guard let p = e.position(account: W.acct, instrument: instrument) else { continue }
                var into = ExposureTotals()
                into.workingNotional = p.openBuyNotional + p.openSellNotional
                into.markValue = p.markValue
                into.realized = p.realized
                into.fees = p.fees
                into.unrealizedChange = p.unrealized - p.unrealizedAtDayStart
                for field in MoneyField.allCases {
                    if instrument == Self.fdax { eur[field] += into[field] } else { expected[field] += into[field] }
                }
            }
            for field in MoneyField.allCases {
                expected[field] += convertMoney(eur[field], rate: rate.rawValue, up: field.roundsUp)!
            }
            let t = e.totals(account: W.acct)!
            #expect(t.workingNotional == expected.workingNotional, "step \(step)")
            #expect(t.markValue == expected.markValue, "step \(step)")
            #expect(t.realized == expected.realized, "step \(step)")
            #expect(t.unrealizedChange == expected.unrealizedChange, "step \(step)")
        }
    }

    @Test func conversionRoundsAgainstTheFirm() {
        let third: Int64 = 333_333_333  // 0.333333333
        #expect(convertMoney(10, rate: third, up: true) == 4)  // 3.33… up
        #expect(convertMoney(10, rate: third, up: false) == 3)
        #expect(convertMoney(-10, rate: third, up: false) == -4)  // a loss rounds to the larger loss
        #expect(convertMoney(-10, rate: third, up: true) == -3)
        #expect(convertMoney(Int128.max, rate: 2_000_000_000, up: true) == nil)
        #expect(convertMoney(Int128.min / 2, rate: 1_000_000_000, up: true) == Int128.min / 2)
    }
}
