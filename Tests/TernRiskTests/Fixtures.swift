import Synchronization
import TernCore
import TernRisk

/// A small world: an ES-like future (tick 0.25, multiplier 50), a BTC-like spot pair (tick 0.01,
/// lot 0.001) and a calendar spread that may trade below zero; two accounts, two strategies.
enum World {
    static let es = InstrumentID(rawValue: 0)
    static let btc = InstrumentID(rawValue: 1)
    static let spread = InstrumentID(rawValue: 2)
    static let acct = AccountID(rawValue: 0)
    static let other = AccountID(rawValue: 1)
    static let algo = StrategyID(rawValue: 0)
    static let manual = StrategyID(rawValue: 1)
    static let second: Int64 = 1_000_000_000
    static let t0 = Timestamp(rawValue: 1_700_000_000 * second)

    static func q(_ s: String) -> Quantity { try! Quantity.parse(s) }
    static func p(_ s: String) -> Price { try! Price.parse(s) }
    static func m(_ s: String) -> Money { try! Money.parse(s) }

    static func configuration(_ edit: (inout RiskConfiguration) -> Void = { _ in }) -> RiskConfiguration {
        let esSpec = try! InstrumentSpec(
            id: es, symbol: try! Symbol("ESZ6"), tickSize: p("0.25"), lotSize: q("1"), multiplier: ContractMultiplier(50),
            maxQuantity: q("1000"), currency: .usd)
        let btcSpec = try! InstrumentSpec(
            id: btc, symbol: try! Symbol("BTCUSD"), tickSize: p("0.01"), lotSize: q("0.001"), maxQuantity: q("100"),
            currency: .usd)
        let spreadSpec = try! InstrumentSpec(
            id: spread, symbol: try! Symbol("CLF7-CLG7"), tickSize: p("0.01"), lotSize: q("1"),
            multiplier: ContractMultiplier(1000), maxQuantity: q("500"), currency: .usd, allowsNegativePrices: true)
        var c = RiskConfiguration(
            firm: FirmLimits(
                currency: .usd, maxWorkingOrders: 1000, creditLimit: m("50000000"), dailyLossLimit: m("100000"),
                submitRate: RateLimit(count: 1000, windowNanoseconds: second)),
            instruments: [
                InstrumentRisk(
                    spec: esSpec, maxOrderQuantity: q("50"), maxOrderNotional: m("2000000"), maxLong: q("100"),
                    maxShort: q("100"), band: PriceBand(ticks: 20), auctionBand: PriceBand(ticks: 40),
                    maxReferenceAgeNanoseconds: 5 * second),
                InstrumentRisk(
                    spec: btcSpec, maxOrderQuantity: q("5"), maxOrderNotional: m("500000"), maxLong: q("10"),
                    maxShort: q("10"), band: PriceBand(basisPoints: 100), maxReferenceAgeNanoseconds: 5 * second),
                InstrumentRisk(
                    spec: spreadSpec, maxOrderQuantity: q("100"), maxOrderNotional: m("1000000"), maxLong: q("200"),
                    maxShort: q("200"), band: PriceBand(ticks: 50), maxReferenceAgeNanoseconds: 5 * second),
            ],
            accounts: [
                AccountLimits(
                    id: acct, maxWorkingOrders: 50, maxWorkingNotional: m("10000000"), creditLimit: m("20000000"),
                    dailyLossLimit: m("25000")),
                AccountLimits(
                    id: other, maxWorkingOrders: 50, maxWorkingNotional: m("10000000"), creditLimit: m("20000000"),
                    dailyLossLimit: m("25000")),
            ],
            strategies: [
                StrategyLimits(id: algo, submitRate: RateLimit(count: 500, windowNanoseconds: second), executionThrottle: .unlimited),
                StrategyLimits(id: manual, submitRate: RateLimit(count: 500, windowNanoseconds: second), executionThrottle: .unlimited),
            ],
            operators: ["risk-officer"])
        edit(&c)
        return c
    }

    /// An engine with fresh quotes: ES 5000.00/5000.25 last 5000.00, BTC 60000.00/60000.10,
    /// spread -0.50/-0.40.
    static func engine(_ edit: (inout RiskConfiguration) -> Void = { _ in }) -> RiskEngine {
        let e = try! RiskEngine(configuration(edit))
        quote(e)
        return e
    }

    static func quote(_ e: RiskEngine, at t: Timestamp = t0) {
        e.updateQuote(es, bid: p("5000"), ask: p("5000.25"), last: p("5000"), at: t)
        e.updateQuote(btc, bid: p("60000"), ask: p("60000.10"), at: t)
        e.updateQuote(spread, bid: p("-0.5"), ask: p("-0.4"), at: t)
    }

    static let nextID = Atomic<UInt64>(1)
    /// A fresh client order ID (tests run in parallel, so the counter is atomic).
    static func id() -> ClientOrderID {
        ClientOrderID(rawValue: nextID.add(1, ordering: .relaxed).newValue)
    }

    static func order(
        _ instrument: InstrumentID = es, _ side: Side = .buy, _ qty: String = "1", at price: String = "5000",
        account: AccountID = acct, strategy: StrategyID = algo, type: OrderType = .limit, tif: TimeInForce = .day,
        flags: OrderFlags = [], id: ClientOrderID? = nil, time: Timestamp = t0
    ) -> NewOrder {
        NewOrder(
            clientOrderID: id ?? Self.id(), instrumentID: instrument, accountID: account, strategyID: strategy, side: side,
            orderType: type, timeInForce: tif, flags: flags, price: p(price), quantity: q(qty), timestamp: time)
    }

    static func fill(
        _ o: NewOrder, _ qty: String, at price: String, leaves: String, exec: UInt64? = nil, liquidity: Liquidity = .unknown,
        fee: Money = .zero, time: Timestamp = t0
    ) -> OrderEvent {
        .filled(Fill(
            clientOrderID: o.clientOrderID, orderID: OrderID(rawValue: o.clientOrderID.rawValue),
            executionID: ExecutionID(rawValue: exec ?? (o.clientOrderID.rawValue << 16 | UInt64.random(in: 1..<65535))),
            instrumentID: o.instrumentID, side: o.side, liquidity: liquidity, price: p(price), quantity: q(qty),
            leavesQuantity: q(leaves), fee: fee, timestamp: time))
    }

    static func canceled(_ o: NewOrder, _ leaves: String, time: Timestamp = t0) -> OrderEvent {
        .cancelAccepted(OrderClosed(
            clientOrderID: id(), originalClientOrderID: o.clientOrderID, orderID: OrderID(rawValue: o.clientOrderID.rawValue),
            instrumentID: o.instrumentID, closedQuantity: q(leaves), timestamp: time))
    }
}

extension RiskDecision {
    var name: String { isAccepted ? "accepted" : reason.name }
}
