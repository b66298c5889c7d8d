public import TernCore
public import TernMarketData
import Glibc

/// The sample strategy's features, updated incrementally per event for one instrument. Every
/// feature is dimensionless (ticks, basis points, ratios), so a model trained on one market can
/// be read on another.
///
/// The same code computes the features for training (`tern features`, read by
/// `scripts/train-sample-model.py`) and for trading: the model sees exactly what it was trained on.
public struct MarketFeatures: Sendable {
    /// The names, in the order of `values` (and of the model's features).
    public static let names = [
        "spread_ticks", "microprice_ticks", "imbalance_1", "imbalance_3", "imbalance_10", "trade_flow", "return_10_bps", "return_100_bps",
        "volatility_bps",
    ]
    public static var count: Int { names.count }

    /// The current values (valid once `isReady`).
    public private(set) var values: [Float]
    /// The mid price of the last update.
    public private(set) var mid: Double = 0
    /// Updates seen with a two-sided book.
    public private(set) var updates = 0
    let tick: Double
    var flow: Double = 0
    var volume: Double = 0
    var variance: Double = 0
    var mids: [Double]
    var head = 0

    /// Needs 100 updates of history for the longer return.
    public var isReady: Bool { updates > 100 }

    public init(tickSize: Price) {
        tick = Double(tickSize.rawValue) / 1e9
        values = Array(repeating: 0, count: Self.names.count)
        mids = Array(repeating: 0, count: 128)
    }

    /// A trade: `aggressor` `.bid` is a buyer.
    public mutating func trade(aggressor: BookSide?, size: Quantity) {
        guard let aggressor else { return }
        let q = Double(size.rawValue) / 1e9
        flow = flow * 0.95 + (aggressor == .bid ? q : -q)
        volume = volume * 0.95 + q
    }

    /// The book is consistent: recompute every feature. False (nothing changed) when a side is empty.
    @discardableResult
    public mutating func update(_ book: MarketBook) -> Bool {
        guard let bid = book.bestBid, let ask = book.bestAsk, ask.price > bid.price else { return false }
        let b = Double(bid.price.rawValue) / 1e9
        let a = Double(ask.price.rawValue) / 1e9
        let bs = Double(bid.size.rawValue)
        let asz = Double(ask.size.rawValue)
        let m = (a + b) / 2
        let micro = (b * asz + a * bs) / max(bs + asz, 1)
        if updates > 0 {
            let r = (m - mid) / mid * 1e4
            variance = variance * 0.99 + r * r * 0.01
        }
        mid = m
        mids[head & 127] = m
        head &+= 1
        updates += 1
        values[0] = Float((a - b) / tick)
        values[1] = Float((micro - m) / tick)
        values[2] = Float((bs - asz) / max(bs + asz, 1))
        let (three, ten) = imbalances(book)
        values[3] = Float(three)
        values[4] = Float(ten)
        values[5] = Float(volume > 0 ? flow / volume : 0)
        values[6] = Float(returnBps(10))
        values[7] = Float(returnBps(100))
        values[8] = Float(variance.squareRoot())
        return true
    }

    func returnBps(_ n: Int) -> Double {
        guard head > n else { return 0 }
        let then = mids[(head - 1 - n) & 127]
        return then > 0 ? (mid - then) / then * 1e4 : 0
    }

    /// Size imbalance of the best 3 and the best 10 levels, in one pass.
    func imbalances(_ book: MarketBook) -> (Double, Double) {
        var bids = 0.0
        var asks = 0.0
        var three = 0.0
        for d in 0..<10 {
            if let l = book.level(.bid, depth: d) { bids += Double(l.size.rawValue) }
            if let l = book.level(.ask, depth: d) { asks += Double(l.size.rawValue) }
            if d == 2 { three = (bids - asks) / max(bids + asks, 1) }
        }
        return (three, (bids - asks) / max(bids + asks, 1))
    }
}
