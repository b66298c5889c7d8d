public import TernCore

/// Which limit a decision is about. The unit of `RiskDecision.limit` and `.value` follows from it
/// (docs/risk.md#limits): quantities and prices as raw 10^-9 units, money as raw 10^-18 units,
/// counts as counts, times as nanoseconds.
@frozen
public enum RiskLimit: UInt8, Sendable, BitwiseCopyable, Hashable, CaseIterable, CustomStringConvertible {
    case none = 0
    // Kill switch and state (value: the scope's flag index; limit: 0).
    case killFirm, killAccount, killStrategy, killInstrument, killSide
    case reducingMode, reduceOnlyFlag
    case strategyEnabled, executionThrottle, reconciliation, session
    // Structure.
    case instrumentID, accountID, strategyID, orderType, timeInForce, expireTime, clientOrderID
    case restrictedList, accountPermission, strategyPermission
    // Numbers (quantity / price raw units).
    case quantityPositive, lotSize, minQuantity, maxQuantity, priceRequired, priceSign, tickSize, stopPrice
    // Fat finger.
    case maxOrderQuantity, maxOrderNotional, notionalRange
    // Reference price and collars (price raw units; ages in ns).
    case referencePrice, referenceAge, band, auctionBand, driftBand, selfMatch
    // Exposure.
    case maxLong, maxShort, accountWorkingOrders, firmWorkingOrders, accountWorkingNotional
    case accountCredit, firmCredit, accountDailyLoss, firmDailyLoss
    // Rates (counts per window).
    case firmSubmitRate, accountSubmitRate, strategySubmitRate
    case firmModifyRate, accountModifyRate, strategyModifyRate
    case duplicateWindow
    // Lifecycle and capacity.
    case unknownOrder, replacePending, orderList, workingOrderCapacity, clientOrderIDCapacity, duplicateCapacity
    // Currency conversion (limit: the maximum rate age in ns; value: the age, −1 for no rate).
    case fxRate

    /// What `RiskDecision.limitValue` and `.value` count for this limit.
    public enum Unit: Sendable {
        /// Raw 10^-9 units of a quantity.
        case quantity
        /// Raw 10^-9 units of a price.
        case price
        /// Raw 10^-18 units of money.
        case money
        /// Plain integers: counts, IDs, flag indexes, nanoseconds.
        case integer
    }

    public var unit: Unit {
        switch self {
        case .quantityPositive, .lotSize, .minQuantity, .maxQuantity, .maxOrderQuantity, .maxLong, .maxShort,
            .reducingMode, .reduceOnlyFlag:
            .quantity
        case .priceSign, .tickSize, .stopPrice, .band, .auctionBand, .driftBand:
            .price
        case .maxOrderNotional, .accountWorkingNotional, .accountCredit, .firmCredit, .accountDailyLoss, .firmDailyLoss:
            .money
        default:
            .integer
        }
    }

    /// `raw` as text in this limit's unit (`5005`, `2250000`, `3`).
    public func format(_ raw: Int128) -> String {
        switch unit {
        case .quantity, .price:
            guard let v = Int64(exactly: raw) else { return "\(raw)" }
            return Price(rawValue: v).description
        case .money: return Money(rawValue: raw).description
        case .integer: return "\(raw)"
        }
    }

    /// The stable text name (`max_order_notional`), used in decision files and the journal.
    public var description: String {
        switch self {
        case .none: "none"
        case .killFirm: "kill_firm"
        case .killAccount: "kill_account"
        case .killStrategy: "kill_strategy"
        case .killInstrument: "kill_instrument"
        case .killSide: "kill_side"
        case .reducingMode: "reducing_mode"
        case .reduceOnlyFlag: "reduce_only"
        case .strategyEnabled: "strategy_enabled"
        case .executionThrottle: "execution_throttle"
        case .reconciliation: "reconciliation"
        case .session: "session"
        case .instrumentID: "instrument"
        case .accountID: "account"
        case .strategyID: "strategy"
        case .orderType: "order_type"
        case .timeInForce: "time_in_force"
        case .expireTime: "expire_time"
        case .clientOrderID: "client_order_id"
        case .restrictedList: "restricted"
        case .accountPermission: "account_permission"
        case .strategyPermission: "strategy_permission"
        case .quantityPositive: "quantity_positive"
        case .lotSize: "lot_size"
        case .minQuantity: "min_qty"
        case .maxQuantity: "max_qty"
        case .priceRequired: "price_required"
        case .priceSign: "price_sign"
        case .tickSize: "tick_size"
        case .stopPrice: "stop_price"
        case .maxOrderQuantity: "max_order_qty"
        case .maxOrderNotional: "max_order_notional"
        case .notionalRange: "notional_range"
        case .referencePrice: "reference_price"
        case .referenceAge: "max_reference_age"
        case .band: "band"
        case .auctionBand: "auction_band"
        case .driftBand: "drift_band"
        case .selfMatch: "self_match"
        case .maxLong: "max_long"
        case .maxShort: "max_short"
        case .accountWorkingOrders: "account_max_working_orders"
        case .firmWorkingOrders: "firm_max_working_orders"
        case .accountWorkingNotional: "account_max_working_notional"
        case .accountCredit: "account_credit_limit"
        case .firmCredit: "firm_credit_limit"
        case .accountDailyLoss: "account_daily_loss_limit"
        case .firmDailyLoss: "firm_daily_loss_limit"
        case .firmSubmitRate: "firm_submit_rate"
        case .accountSubmitRate: "account_submit_rate"
        case .strategySubmitRate: "strategy_submit_rate"
        case .firmModifyRate: "firm_modify_rate"
        case .accountModifyRate: "account_modify_rate"
        case .strategyModifyRate: "strategy_modify_rate"
        case .duplicateWindow: "duplicate_orders"
        case .unknownOrder: "unknown_order"
        case .replacePending: "replace_pending"
        case .orderList: "order_list"
        case .workingOrderCapacity: "capacity_working_orders"
        case .clientOrderIDCapacity: "capacity_client_order_ids"
        case .duplicateCapacity: "capacity_duplicate_table"
        case .fxRate: "fx_rate"
        }
    }
}

/// The outcome of a pre-trade check: accepted, or the reason, the limit and the two numbers that
/// failed (`value` against `limit`). A value type of integers: no allocation, no existential.
@frozen
public struct RiskDecision: Hashable, Sendable, BitwiseCopyable, CustomStringConvertible {
    /// `RejectReason(rawValue: 0)` when accepted.
    public var reason: RejectReason
    public var limit: RiskLimit
    /// The configured limit that was compared (units per `RiskLimit`).
    public var limitValue: Int128
    /// The value the order would have produced.
    public var value: Int128
    /// For an accepted order, its approval sequence number (1, 2, …); 0 when denied or when the
    /// decision came from `evaluate` (which commits nothing).
    public var sequence: UInt64

    @inlinable
    public init(reason: RejectReason, limit: RiskLimit, limitValue: Int128 = 0, value: Int128 = 0, sequence: UInt64 = 0) {
        self.reason = reason
        self.limit = limit
        self.limitValue = limitValue
        self.value = value
        self.sequence = sequence
    }

    /// An acceptance.
    @inlinable public static var accepted: RiskDecision { RiskDecision(reason: RejectReason(rawValue: 0), limit: .none) }

    @inlinable public var isAccepted: Bool { reason.rawValue == 0 }

    public var description: String {
        isAccepted ? "accepted" : "\(reason.name) \(limit): value=\(value) limit=\(limitValue)"
    }
}

/// Something the risk engine recorded for the audit trail (and for restoring kill state after a
/// restart: `RiskEngine.restoreKillState(from:)`).
public enum RiskEvent: Hashable, Sendable, CustomStringConvertible {
    /// A scope was tripped. `lastApprovedSequence` is the approval sequence of the last order
    /// accepted before the trip; `cancels` the cancel requests emitted for working orders in scope.
    case tripped(scope: KillScope, cause: KillCause, actor: String, reason: String, at: Timestamp, lastApprovedSequence: UInt64, cancels: Int)
    /// An operator reset a scope to armed.
    case reset(scope: KillScope, operator: String, reason: String, at: Timestamp)
    /// An operator moved a tripped scope to reducing-only.
    case reducing(scope: KillScope, operator: String, reason: String, at: Timestamp)
    /// A reducing scope became flat and went back to tripped.
    case flat(scope: KillScope, at: Timestamp)
    /// An accounting anomaly (late fill, overfill, unattributed fill, duplicate execution).
    case anomaly(kind: RiskAnomaly, clientOrderID: ClientOrderID, instrumentID: InstrumentID, at: Timestamp)

    public var description: String {
        switch self {
        case .tripped(let scope, let cause, let actor, let reason, let at, let seq, let cancels):
            "trip \(scope) cause=\(cause) actor=\(actor) reason=\(reason) at=\(at.rawValue) last_approved=\(seq) cancels=\(cancels)"
        case .reset(let scope, let op, let reason, let at): "reset \(scope) operator=\(op) reason=\(reason) at=\(at.rawValue)"
        case .reducing(let scope, let op, let reason, let at):
            "reducing \(scope) operator=\(op) reason=\(reason) at=\(at.rawValue)"
        case .flat(let scope, let at): "flat \(scope) at=\(at.rawValue)"
        case .anomaly(let kind, let id, let inst, let at):
            "anomaly \(kind) order=\(id.rawValue) instrument=\(inst.rawValue) at=\(at.rawValue)"
        }
    }
}

/// Accounting anomalies the engine detects while applying venue events.
@frozen
public enum RiskAnomaly: UInt8, Sendable, BitwiseCopyable, Hashable, CustomStringConvertible {
    /// A fill for an order already closed (fill after cancel ack): position applied, nothing released twice.
    case lateFill = 1
    /// A fill larger than the order's leaves.
    case overfill = 2
    /// A fill for an order Tern never sent: position cannot be attributed; the instrument is tripped.
    case unattributedFill = 3
    /// A repeated execution ID: ignored.
    case duplicateExecution = 4
    /// An event for an order Tern does not know (ack, cancel, replace outcome).
    case unknownOrderEvent = 5
    /// The cancel outbox was full; the cancel is emitted on the next pass.
    case cancelOutboxFull = 6

    public var description: String {
        switch self {
        case .lateFill: "late_fill"
        case .overfill: "overfill"
        case .unattributedFill: "unattributed_fill"
        case .duplicateExecution: "duplicate_execution"
        case .unknownOrderEvent: "unknown_order_event"
        case .cancelOutboxFull: "cancel_outbox_full"
        }
    }
}

/// Why an operator call was refused.
public enum RiskOperatorError: Error, Hashable, Sendable, CustomStringConvertible {
    case unauthorized(String)
    case unknownScope(KillScope)
    /// The trip's cause still holds (the loss is still beyond the limit, the position still breaches).
    case causeStillHolds(KillScope, KillCause)
    case notTripped(KillScope)

    public var description: String {
        switch self {
        case .unauthorized(let who): "operator \(String(reflecting: who)) is not allowed to change the kill switch"
        case .unknownScope(let scope): "unknown scope \(scope)"
        case .causeStillHolds(let scope, let cause): "\(scope) cannot be reset: \(cause) still holds"
        case .notTripped(let scope): "\(scope) is not tripped"
        }
    }
}
