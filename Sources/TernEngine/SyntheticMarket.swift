public import TernCore
public import TernMarketData
import Glibc

/// A deterministic synthetic market for one instrument: order-by-order adds, cancels and
/// executions around a hidden fair value that follows a random walk. Informed flow leans toward
/// the fair value (more bids and more buying when it is above the mid), so book imbalance and
/// trade flow carry some information, as in real markets. The same seed gives the same events,
/// byte for byte, on every machine: it is `tern demo`'s built-in market.
public final class SyntheticMarket: MarketDataSource {
    public var bookKind: BookKind { .l3 }
    public let name: String
    @exclusivity(unchecked) public private(set) var recordsRead = 0
    public var notes: [String] { [] }
    /// The instrument the market trades (tick 0.01, lot 1, multiplier 1, USD).
    public static let symbol = "SYN"
    public let messages: Int
    let instrument: InstrumentID
    let tick: Int64 = 10_000_000  // 0.01 in 10^-9 units
    let lot: Int64 = 1_000_000_000
    @exclusivity(unchecked) var rng: SplitMix64
    let book = L3Book(orderCapacity: 1 << 16, levelCapacity: 1 << 12)
    @exclusivity(unchecked) var live: [UInt64] = []
    @exclusivity(unchecked) var nextID: UInt64 = 1
    /// Fair value in ticks.
    @exclusivity(unchecked) var fair: Double = 10_000
    /// Exchange time (ns since the epoch): starts 2026-01-05 14:30 UTC.
    @exclusivity(unchecked) var time: Int64 = 1_767_623_400_000_000_000
    @exclusivity(unchecked) var started = false

    /// `messages` venue messages (each one to a few events), from `seed`.
    public init(messages: Int = 1_000_000, seed: UInt64 = 20_260_105, instrument: InstrumentID = InstrumentID(rawValue: 0)) {
        self.messages = messages
        self.instrument = instrument
        rng = SplitMix64(seed: seed)
        name = "synthetic \(Self.symbol) (seed \(seed), \(messages) messages)"
        live.reserveCapacity(1 << 16)
    }

    /// The instrument's specification, for risk and the venue.
    public static func spec(id: InstrumentID = InstrumentID(rawValue: 0)) -> InstrumentSpec {
        try! InstrumentSpec(
            id: id, symbol: Symbol(symbol), tickSize: Price(rawValue: 10_000_000), lotSize: Quantity(rawValue: 1_000_000_000),
            maxQuantity: Quantity(rawValue: 1_000_000 * 1_000_000_000), currency: .usd)
    }

    public func next(into batch: inout MarketEventBatch) throws(FeedError) -> Bool {
        guard recordsRead < messages else { return false }
        recordsRead += 1
        time &+= 1_000 + Int64(rng.exponential(mean: 20_000))
        if !started {
            started = true
            for k in 1...10 {
                for _ in 0..<1 + rng.below(3) {
                    add(.bid, 10_000 - Int64(k), into: &batch)
                    add(.ask, 10_000 + Int64(k), into: &batch)
                }
            }
            batch.markEnd()
            return true
        }
        fair += (rng.unit() + rng.unit() + rng.unit() + rng.unit() - 2) * 0.12
        let bid = (book.bestBid?.price.rawValue ?? (Int64(fair) - 1) * tick) / tick
        let ask = (book.bestAsk?.price.rawValue ?? (Int64(fair) + 1) * tick) / tick
        let edge = fair - Double(bid + ask) / 2
        let r = rng.unit()
        if r < 0.46 || live.count < 40 {
            let side: BookSide = rng.unit() < 0.5 + 0.35 * tanh(edge) ? .bid : .ask
            let k = Int64(rng.geometric(0.45))
            let price = side == .bid ? min(ask - 1, Int64((fair - 0.5).rounded(.down)) - k) : max(bid + 1, Int64((fair + 0.5).rounded(.up)) + k)
            add(side, price, into: &batch)
        } else if r < 0.86 {
            for _ in 0..<4 {
                let j = rng.below(live.count)
                let id = live[j]
                live.swapAt(j, live.count - 1)
                live.removeLast()
                if let o = book.order(id) {
                    _ = book.cancel(id: id, size: o.size)
                    batch.append(MarketEvent(.cancel, instrument: instrument, side: o.side, orderID: id, price: o.price, size: o.size, exchangeTime: Timestamp(rawValue: time)))
                    break
                }
            }
        } else {
            let buy = rng.unit() < 0.5 + 0.4 * tanh(2 * edge)
            var remaining = Int64(1 + rng.below(8)) * lot
            let side: BookSide = buy ? .ask : .bid
            while remaining > 0, let front = book.queue(side, depth: 0).first {
                let q = min(remaining, front.size.rawValue)
                _ = book.execute(id: front.id, size: Quantity(rawValue: q))
                batch.append(MarketEvent(.execute, instrument: instrument, side: side, orderID: front.id, price: front.price, size: Quantity(rawValue: q), exchangeTime: Timestamp(rawValue: time)))
                remaining -= q
            }
        }
        // Keep both sides at least three levels deep.
        for side in [BookSide.bid, .ask] where book.levelCount(side) < 3 {
            let edgePrice = side == .bid ? (book.level(.bid, depth: book.levelCount(.bid) - 1)?.price.rawValue ?? bid * tick) / tick - 1
                : (book.level(.ask, depth: book.levelCount(.ask) - 1)?.price.rawValue ?? ask * tick) / tick + 1
            add(side, edgePrice, into: &batch)
        }
        batch.markEnd()
        return true
    }

    func add(_ side: BookSide, _ priceTicks: Int64, into batch: inout MarketEventBatch) {
        let id = nextID
        nextID += 1
        let size = Quantity(rawValue: Int64(1 + rng.geometric(0.25)) * lot)
        let price = Price(rawValue: priceTicks * tick)
        guard book.add(id: id, side: side, price: price, size: size) == .applied else { return }
        live.append(id)
        batch.append(MarketEvent(.add, instrument: instrument, side: side, orderID: id, price: price, size: size, exchangeTime: Timestamp(rawValue: time)))
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a small, fast generator with a 64-bit state; the same
/// seed gives the same sequence everywhere.
struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
    /// Uniform in 0..<n (n > 0).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    /// Failures before the first success, success probability `p`.
    mutating func geometric(_ p: Double) -> Int {
        var k = 0
        while unit() >= p && k < 64 { k += 1 }
        return k
    }
    /// Exponential with `mean`.
    mutating func exponential(mean: Double) -> Double { -mean * log1p(-unit()) }
}

extension SyntheticMarket {
    /// The demo's built-in limits for the synthetic market (format: docs/risk.md#files).
    public static let limits = """
        # Built-in limits of `tern demo` (the synthetic market).
        [firm]
        currency = USD
        max_working_orders = 100
        credit_limit = 10000000
        daily_loss_limit = 50000
        submit_rate = 200/1s
        cancel_rate = 400/1s
        duplicate_orders = 3/50ms
        self_match = account
        operators = demo, admin

        [account main]
        max_working_orders = 20
        max_working_notional = 1000000
        credit_limit = 5000000
        daily_loss_limit = 20000
        reject_trip = 200/10s

        [strategy sample]
        submit_rate = 40/1s
        execution_throttle = 100/1s
        attempt_trip = 1000/1s

        """

    /// The instruments table that goes with `limits`.
    public static let instruments = """
        symbol,tick,lot,multiplier,max_qty,currency,max_order_qty,max_order_notional,max_long,max_short,band_ticks,band_bps,max_reference_age,order_types
        SYN,0.01,1,1,100000,USD,10,100000,5,5,50,,5s,limit market

        """
}
