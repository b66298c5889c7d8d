public import TernCore
public import TernInference
public import TernMarketData

/// The sample strategy: features → tree model → a target position sized to a volatility
/// budget → orders through risk. An example to copy; it trades one instrument.
///
/// Each consistent book update it
/// 1. updates `MarketFeatures` and asks the model for the expected mid move over the next 50
///    updates, in basis points;
/// 2. sets the target position to `signal / volatility × riskBudget` lots, clamped to
///    `maxPosition`, and to zero inside the `threshold` dead band;
/// 3. with no order working, sends one toward the target: passive at its own touch, or crossing
///    the spread (immediate-or-cancel) when the signal is strong; an order left working for
///    `patience` updates is canceled.
public final class SampleStrategy: Strategy {
    public struct Parameters: Sendable, Hashable {
        /// The instrument traded.
        public var instrument = InstrumentID(rawValue: 0)
        /// Minimum |expected move| (bps) to hold a position.
        public var threshold = 0.5
        /// Expected moves above this many bps cross the spread.
        public var aggressive = 3.0
        /// Lots per basis point of expected move per basis point of volatility.
        public var riskBudget = 2.0
        /// Position limit of the strategy itself (lots); risk has its own.
        public var maxPosition = 5
        /// Largest single order (lots).
        public var orderSize = 1
        /// Updates an order may work before it is canceled.
        public var patience = 200
        /// Volatility floor (bps), so a quiet market does not inflate sizes.
        public var volatilityFloor = 0.5
        /// Updates to wait after risk refused an order (a rate limit clears with time; retrying
        /// every update would only count attempts toward the strategy's attempt trip).
        public var cooldown = 500
        public init() {}
    }

    public let parameters: Parameters
    let forest: QuantizedForest
    let scratch: ForestScratch
    let lot: Int64
    @exclusivity(unchecked) public private(set) var features: MarketFeatures
    @exclusivity(unchecked) var working: ClientOrderID? = nil
    @exclusivity(unchecked) var workingSince = 0
    @exclusivity(unchecked) var quietUntil = 0
    /// Model evaluations, and the last prediction (bps).
    @exclusivity(unchecked) public private(set) var predictions = 0
    @exclusivity(unchecked) public private(set) var lastPrediction = 0.0

    public init(model: QuantizedForest, spec: InstrumentSpec, parameters: Parameters = Parameters()) throws(EngineError) {
        guard model.featureCount == MarketFeatures.count else {
            throw EngineError("the model has \(model.featureCount) features; the sample strategy computes \(MarketFeatures.count) (\(MarketFeatures.names.joined(separator: ", ")))")
        }
        forest = model
        scratch = model.makeScratch()
        lot = spec.lotSize.rawValue
        features = MarketFeatures(tickSize: spec.tickSize)
        self.parameters = parameters
    }

    public func onTrade(_ book: MarketBook, aggressor: BookSide?, price: Price, size: Quantity, engine: Engine) {
        if book.instrument == parameters.instrument { features.trade(aggressor: aggressor, size: size) }
    }

    public func onMarket(_ book: MarketBook, engine: Engine) {
        guard book.instrument == parameters.instrument, features.update(book), features.isReady else { return }
        var signal = 0.0
        features.values.withUnsafeBufferPointer { row in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 1) { out in
                forest.predict(row.baseAddress!, scratch: scratch, into: out.baseAddress!)
                signal = out[0]
            }
        }
        predictions += 1
        lastPrediction = signal

        if let id = working {
            workingSince += 1
            if workingSince > parameters.patience, let o = engine.orders.order(id), o.isOpen, o.state != .pendingCancel {
                engine.cancel(id)
            }
            return
        }
        if predictions < quietUntil { return }
        let volatility = max(Double(features.values[8]), parameters.volatilityFloor)
        var target = 0
        if abs(signal) >= parameters.threshold {
            target = Int((signal / volatility * parameters.riskBudget).rounded())
            target = max(-parameters.maxPosition, min(parameters.maxPosition, target))
        }
        let position = Int(engine.position(parameters.instrument) / lot)
        guard target != position, let bid = book.bestBid?.price, let ask = book.bestAsk?.price else { return }
        let side: Side = target > position ? .buy : .sell
        let lots = min(abs(target - position), parameters.orderSize)
        let cross = abs(signal) >= parameters.aggressive
        let price = cross ? (side == .buy ? ask : bid) : (side == .buy ? bid : ask)
        let intent = OrderIntent(
            side, Quantity(rawValue: Int64(lots) * lot), of: parameters.instrument, at: price, timeInForce: cross ? .immediateOrCancel : .day)
        switch engine.submit(intent) {
        case .sent(let id):
            working = id
            workingSince = 0
        case .denied:
            quietUntil = predictions + parameters.cooldown
        }
    }

    public func onOrder(_ event: OrderEvent, update: OrderUpdate, engine: Engine) {
        guard let id = working else { return }
        // The working order is done when it is terminal (a replace would move the ID on).
        if let o = engine.orders.order(id), !o.isOpen { working = nil }
        if case .cancelAccepted(let c) = event, c.originalClientOrderID == id { working = nil }
    }
}
