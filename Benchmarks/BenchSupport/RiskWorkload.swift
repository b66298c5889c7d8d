import TernCore
import TernRisk

/// The risk benchmarks' world and order stream (issue 5): 1,000 instruments, 10 accounts, 4
/// strategies, 100 resting orders, fresh quotes, and a seeded stream of new orders of which about
/// 90 % pass and 10 % are refused by one named check each.
///
/// Instruments come in three shapes, by `id % 3`: an index future (tick 0.25, multiplier 50, ~4,000),
/// a crypto spot pair (tick 0.01, lot 0.001, ~60,000) and a stock (tick 0.01, lot 1, ~100–200).
/// Every tenth of the ten instruments with `id % 100 == 99` is on the restricted list. Resting
/// orders sit 30 ticks outside the touch, and passing orders never cross them (no self-match).
public struct RiskWorkload {
    public static let instrumentCount = 1_000
    public static let accountCount = 10
    public static let strategyCount = 4
    public static let restingCount = 100
    /// Synthetic time between two orders of the stream: 20 µs (50,000 orders per second).
    public static let spacing: Int64 = 20_000
    public static let t0 = Timestamp(rawValue: 1_767_000_000 * 1_000_000_000)

    /// What an order of the stream is built to test; `expected` is the reason the engine must give.
    public enum Kind: Int, CaseIterable, Sendable {
        case pass, band, maxOrderQuantity, maxOrderNotional, tick, restricted, duplicateID, unknownInstrument

        public var name: String {
            switch self {
            case .pass: "accepted"
            case .band: "price band"
            case .maxOrderQuantity: "max order quantity"
            case .maxOrderNotional: "max order notional"
            case .tick: "off tick"
            case .restricted: "restricted list"
            case .duplicateID: "duplicate ClOrdID"
            case .unknownInstrument: "unknown instrument"
            }
        }

        /// Share of the stream in tenths of a percent (sums to 1,000).
        var permille: Int {
            switch self {
            case .pass: 900
            case .band: 25
            case .maxOrderQuantity: 20
            case .maxOrderNotional: 15
            case .tick: 15
            case .restricted: 10
            case .duplicateID: 10
            case .unknownInstrument: 5
            }
        }

        public var expected: RejectReason {
            switch self {
            case .pass: RejectReason(rawValue: 0)
            case .band: .priceOutsideBand
            case .maxOrderQuantity: .quantityAboveMaximum
            case .maxOrderNotional: .notionalAboveMaximum
            case .tick: .priceNotOnTick
            case .restricted: .restrictedInstrument
            case .duplicateID: .duplicateClientOrderID
            case .unknownInstrument: .unknownInstrument
            }
        }
    }

    public let configuration: RiskConfiguration
    public let orders: [NewOrder]
    public let kinds: [Kind]
    /// The client order IDs of the resting orders (placed by `prepare`).
    public let resting: [NewOrder]

    struct Shape {
        var tick: Int64  // raw price units
        var lot: Int64  // raw quantity units
        var bid: Int64
        var multiplier: Int64
        var maxOrderLots: Int64
        var maxOrderNotional: Int64  // whole dollars
        var band: PriceBand
        /// At least the band's half-width in ticks (a refused-for-band order goes 10+ ticks beyond).
        var bandTicks: Int64
        var notionalDenyLots: Int64
    }

    static let unit: Int64 = 1_000_000_000

    static func shape(_ i: Int) -> Shape {
        switch i % 3 {
        case 0:  // index future: 4,000.00 + 0.25·(i mod 400); 50 lots max; band 40 ticks
            Shape(
                tick: unit / 4, lot: unit, bid: 4_000 * unit + Int64(i % 400) * unit / 4, multiplier: 50, maxOrderLots: 50,
                maxOrderNotional: 3_000_000, band: PriceBand(ticks: 40), bandTicks: 40, notionalDenyLots: 20)
        case 1:  // crypto spot: 60,000.00 + i; lot 0.001; 5 max; band 50 bp ≤ 305.00 < 30,600 ticks
            Shape(
                tick: unit / 100, lot: unit / 1000, bid: 60_000 * unit + Int64(i) * unit, multiplier: 1, maxOrderLots: 5_000,
                maxOrderNotional: 200_000, band: PriceBand(basisPoints: 50), bandTicks: 30_600, notionalDenyLots: 4_000)
        default:  // stock: 100.00 + (i mod 100); 10,000 shares max; band 100 bp < 200 ticks
            Shape(
                tick: unit / 100, lot: unit, bid: 100 * unit + Int64(i % 100) * unit, multiplier: 1, maxOrderLots: 10_000,
                maxOrderNotional: 500_000, band: PriceBand(basisPoints: 100), bandTicks: 200, notionalDenyLots: 9_000)
        }
    }

    public static func isRestricted(_ i: Int) -> Bool { i % 100 == 99 }

    /// Builds the configuration and a stream of `count` orders from `seed`.
    public static func make(count: Int, seed: UInt64 = 0x7E57) -> RiskWorkload {
        var instruments: [InstrumentRisk] = []
        for i in 0..<instrumentCount {
            let s = shape(i)
            let spec = try! InstrumentSpec(
                id: InstrumentID(rawValue: UInt32(i)), symbol: try! Symbol("I\(i)"), tickSize: Price(rawValue: s.tick),
                lotSize: Quantity(rawValue: s.lot), multiplier: ContractMultiplier(s.multiplier),
                maxQuantity: Quantity(rawValue: s.lot * s.maxOrderLots * 10), currency: .usd)
            instruments.append(InstrumentRisk(
                spec: spec, maxOrderQuantity: Quantity(rawValue: s.lot * s.maxOrderLots),
                maxOrderNotional: try! Money.parse(String(s.maxOrderNotional)),
                maxLong: Quantity(rawValue: s.lot * s.maxOrderLots * 100), maxShort: Quantity(rawValue: s.lot * s.maxOrderLots * 100),
                band: s.band,
                maxReferenceAgeNanoseconds: 120 * 1_000_000_000))
        }
        let second: Int64 = 1_000_000_000
        let configuration = RiskConfiguration(
            firm: FirmLimits(
                currency: .usd, maxWorkingOrders: 10_000, creditLimit: try! Money.parse("10000000000"),
                dailyLossLimit: try! Money.parse("1000000"), submitRate: RateLimit(count: 100_000, windowNanoseconds: second),
                cancelRate: RateLimit(count: 200_000, windowNanoseconds: second),
                duplicateOrders: RateLimit(count: 4, windowNanoseconds: second / 10)),
            instruments: instruments,
            accounts: (0..<accountCount).map {
                AccountLimits(
                    id: AccountID(rawValue: UInt32($0)), maxWorkingOrders: 2_000, maxWorkingNotional: try! Money.parse("1000000000"),
                    creditLimit: try! Money.parse("2000000000"), dailyLossLimit: try! Money.parse("100000"),
                    submitRate: RateLimit(count: 20_000, windowNanoseconds: second))
            },
            strategies: (0..<strategyCount).map {
                StrategyLimits(
                    id: StrategyID(rawValue: UInt32($0)), submitRate: RateLimit(count: 40_000, windowNanoseconds: second),
                    executionThrottle: RateLimit(count: 1_000, windowNanoseconds: second))
            },
            restricted: (0..<instrumentCount).filter(isRestricted).map { InstrumentID(rawValue: UInt32($0)) },
            operators: ["bench"],
            capacity: RiskCapacity(workingOrders: 16_384, clientOrderIDs: 1 << 22, duplicateEntries: 1 << 15))

        var rng = SplitMix(seed)
        var nextID: UInt64 = 1
        // Resting orders: 30 ticks outside the touch, both sides, spread over instruments and accounts.
        var resting: [NewOrder] = []
        for k in 0..<restingCount {
            var i = Int(rng.next() % UInt64(instrumentCount))
            if isRestricted(i) { i -= 1 }
            let s = shape(i)
            let side: Side = k % 2 == 0 ? .buy : .sell
            let price = side == .buy ? s.bid - 30 * s.tick : s.bid + s.tick + 30 * s.tick
            resting.append(NewOrder(
                clientOrderID: ClientOrderID(rawValue: nextID), instrumentID: InstrumentID(rawValue: UInt32(i)),
                accountID: AccountID(rawValue: UInt32(k % accountCount)), strategyID: StrategyID(rawValue: UInt32(k % strategyCount)),
                side: side, price: Price(rawValue: price), quantity: Quantity(rawValue: s.lot), timestamp: t0))
            nextID += 1
        }

        var kinds: [Kind] = []
        for kind in Kind.allCases { kinds += Array(repeating: kind, count: kind.permille) }
        var orders: [NewOrder] = []
        var stream: [Kind] = []
        orders.reserveCapacity(count)
        for n in 0..<count {
            let kind = kinds[Int(rng.next() % 1000)]
            var i = Int(rng.next() % UInt64(instrumentCount))
            if kind == .restricted {
                i = (i / 100) * 100 + 99
            } else if isRestricted(i) {
                i -= 1
            }
            let s = shape(i)
            let side: Side = rng.next() & 1 == 0 ? .buy : .sell
            let ask = s.bid + s.tick
            // Passive by 0–19 ticks, or (one in eight) at the far touch.
            let offset = rng.next() % 8 == 0 ? 0 : Int64(rng.next() % 20) * s.tick
            var price = side == .buy ? (offset == 0 ? ask : s.bid - offset) : (offset == 0 ? s.bid : ask + offset)
            var lots = 1 + Int64(rng.next() % UInt64(max(1, min(10, s.maxOrderLots / 10))))
            if i % 3 == 2 { lots *= 100 }  // stocks trade in hundreds
            var id = nextID
            var instrument = InstrumentID(rawValue: UInt32(i))
            switch kind {
            case .pass: break
            case .band:
                let far = (s.bandTicks + 10 + Int64(rng.next() % 20)) * s.tick
                price = side == .buy ? ask + far : s.bid - far
            case .maxOrderQuantity: lots = s.maxOrderLots + 1
            case .maxOrderNotional: lots = s.notionalDenyLots
            case .tick: price += s.tick / 2
            case .restricted: break
            case .duplicateID: id = 1 + rng.next() % UInt64(restingCount)
            case .unknownInstrument: instrument = InstrumentID(rawValue: UInt32(instrumentCount + Int(rng.next() % 1000)))
            }
            if id == nextID { nextID += 1 }
            let time = Timestamp(rawValue: t0.rawValue + Int64(n + 1) * spacing)
            orders.append(NewOrder(
                clientOrderID: ClientOrderID(rawValue: id), instrumentID: instrument,
                accountID: AccountID(rawValue: UInt32(rng.next() % UInt64(accountCount))),
                strategyID: StrategyID(rawValue: UInt32(rng.next() % UInt64(strategyCount))), side: side,
                price: Price(rawValue: price), quantity: Quantity(rawValue: lots * s.lot), timestamp: time))
            stream.append(kind)
        }
        return RiskWorkload(configuration: configuration, orders: orders, kinds: stream, resting: resting)
    }

    /// A fresh engine with quotes on every instrument (bid, ask one tick up, last at the bid) and
    /// the resting orders placed and acknowledged.
    public func prepare() -> RiskEngine {
        let engine = try! RiskEngine(configuration)
        quote(engine, at: Self.t0)
        for o in resting {
            let d = engine.submit(o, at: Self.t0)
            precondition(d.isAccepted, "resting order refused: \(d)")
        }
        return engine
    }

    /// Refreshes every quote (between timed passes; the stream's synthetic clock moves 20 µs per order).
    public func quote(_ engine: RiskEngine, at time: Timestamp) {
        for i in 0..<Self.instrumentCount {
            let s = Self.shape(i)
            engine.updateQuote(
                InstrumentID(rawValue: UInt32(i)), bid: Price(rawValue: s.bid), ask: Price(rawValue: s.bid + s.tick),
                last: Price(rawValue: s.bid), at: time)
        }
    }

    /// Removes an order the engine accepted (an expiry), so the working set stays at the resting orders.
    @inline(__always)
    public static func expire(_ engine: RiskEngine, _ o: NewOrder, at time: Timestamp) {
        engine.apply(
            .expired(OrderClosed(
                clientOrderID: o.clientOrderID, orderID: OrderID(rawValue: o.clientOrderID.rawValue),
                instrumentID: o.instrumentID, closedQuantity: o.quantity, timestamp: time)), at: time)
    }
}

/// SplitMix64: a small, fast, seeded generator so every run builds the same stream.
public struct SplitMix {
    var state: UInt64
    public init(_ seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
