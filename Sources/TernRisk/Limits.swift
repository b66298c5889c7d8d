public import TernCore

// The limits a `RiskEngine` enforces, per instrument, account, strategy and firm. Every limit a
// check needs is a non-optional field, so a configuration cannot leave one out: a limit that is
// not configured cannot be "passed" (fail closed). `Int64.max` / `Money.max` are the explicit way
// to say "no limit". docs/risk.md lists every field with its unit, scope and file spelling.

/// "At most `count` messages in any window of `windowNanoseconds`", enforced exactly by a sliding
/// log (docs/risk.md#rate-limits). `count == 0` means nothing may be sent.
@frozen
public struct RateLimit: Hashable, Sendable, BitwiseCopyable, CustomStringConvertible {
    public var count: Int
    public var windowNanoseconds: Int64

    @inlinable
    public init(count: Int, windowNanoseconds: Int64) {
        self.count = count
        self.windowNanoseconds = windowNanoseconds
    }

    /// No limit (never refuses; nothing is logged).
    public static let unlimited = RateLimit(count: Int.max, windowNanoseconds: 0)

    @inlinable public var isUnlimited: Bool { count == Int.max }

    public var description: String { isUnlimited ? "unlimited" : "\(count)/\(windowNanoseconds)ns" }
}

/// A price band, in ticks or in basis points of the reference price (or both: the narrower wins).
/// `nil` for both means no price is acceptable (fail closed).
@frozen
public struct PriceBand: Hashable, Sendable, BitwiseCopyable {
    /// Width in ticks either side of the reference, or `nil`.
    public var ticks: Int64?
    /// Width in basis points of |reference| either side, or `nil`.
    public var basisPoints: Int64?

    @inlinable
    public init(ticks: Int64? = nil, basisPoints: Int64? = nil) {
        self.ticks = ticks
        self.basisPoints = basisPoints
    }

    /// Whether the band admits any price.
    @inlinable public var isConfigured: Bool { ticks != nil || basisPoints != nil }
}

/// Where an instrument's market is.
@frozen
public enum SessionState: UInt8, Sendable, BitwiseCopyable, Hashable, CaseIterable, CustomStringConvertible {
    /// Continuous trading: the regular band applies.
    case open = 1
    /// Before the open: orders rest for the opening auction; the auction band applies.
    case preOpen = 2
    /// An auction call (opening, closing, volatility): the auction band applies; no market orders.
    case auction = 3
    /// Trading halted: every new order and replace is refused.
    case halted = 4
    /// Closed: every new order and replace is refused.
    case closed = 5

    public var description: String {
        switch self {
        case .open: "open"
        case .preOpen: "preOpen"
        case .auction: "auction"
        case .halted: "halted"
        case .closed: "closed"
        }
    }
}

/// Which of our own resting orders a new order must not trade against.
@frozen
public enum SelfMatchScope: UInt8, Sendable, BitwiseCopyable, Hashable {
    /// No self-match prevention.
    case off = 0
    /// Orders of the same account.
    case account = 1
    /// Orders of any account of the firm.
    case firm = 2
}

/// Order types and times in force an instrument accepts, as bit sets over their raw values.
@frozen
public struct OrderCapabilities: Hashable, Sendable, BitwiseCopyable {
    public var orderTypes: UInt16
    public var timesInForce: UInt16

    @inlinable
    public init(orderTypes: [OrderType], timesInForce: [TimeInForce]) {
        self.orderTypes = orderTypes.reduce(0) { $0 | 1 << UInt16($1.rawValue) }
        self.timesInForce = timesInForce.reduce(0) { $0 | 1 << UInt16($1.rawValue) }
    }

    @inlinable @inline(__always) public func allows(_ type: OrderType) -> Bool { orderTypes & (1 << UInt16(type.rawValue)) != 0 }
    @inlinable @inline(__always) public func allows(_ tif: TimeInForce) -> Bool { timesInForce & (1 << UInt16(tif.rawValue)) != 0 }

    /// Limit and market orders; day, GTC, IOC, FOK and GTD.
    public static let standard = OrderCapabilities(
        orderTypes: [.limit, .market], timesInForce: TimeInForce.allCases)
}

/// What one execution on an instrument costs, on top of any fee the venue reports on the fill
/// (`Fill.fee`). Fees count against daily P&L (notes §3.10: realized net of fees).
///
/// fee = |notional| × rate + quantity × `perUnit`, each term rounded up (a cost never rounds in
/// the account's favour). The rate is the maker or taker rate by the fill's liquidity flag, and
/// the larger of the two when the venue did not say.
@frozen
public struct FeeSchedule: Hashable, Sendable, BitwiseCopyable {
    /// Fraction of notional in 10^-9 units (2 basis points = 0.0002 = 200_000); negative is a rebate.
    public var makerRate: Int64
    public var takerRate: Int64
    /// Money per unit of quantity: a per-share or per-contract fee.
    public var perUnit: Money

    public init(makerRate: Int64 = 0, takerRate: Int64 = 0, perUnit: Money = .zero) {
        self.makerRate = makerRate
        self.takerRate = takerRate
        self.perUnit = perUnit
    }

    public static let none = FeeSchedule()
}

/// An instrument and its per-order and per-position limits. Position limits apply per account.
@frozen
public struct InstrumentRisk: Hashable, Sendable, BitwiseCopyable {
    public var spec: InstrumentSpec
    public var capabilities: OrderCapabilities
    /// Largest quantity of one order (fat finger), on top of the spec's own `maxQuantity`.
    public var maxOrderQuantity: Quantity
    /// Largest notional of one order (fat finger).
    public var maxOrderNotional: Money
    /// Worst-case long position per account: filled position + working buys + this order.
    public var maxLong: Quantity
    /// Worst-case short position per account, as a positive quantity.
    public var maxShort: Quantity
    /// Band around the reference price while the session is open.
    public var band: PriceBand
    /// Band in pre-open and auction; unconfigured means no orders in those states.
    public var auctionBand: PriceBand
    /// Only refuse prices beyond the band on the aggressive side (a buy above, a sell below).
    public var aggressiveOnlyBand: Bool
    /// Oldest acceptable reference price.
    public var maxReferenceAgeNanoseconds: Int64
    /// The collar over a period: accepted prices may not drift further than `driftBand` from the
    /// reference taken at the start of a window of `driftWindowNanoseconds` (0 turns it off).
    public var driftBand: PriceBand
    public var driftWindowNanoseconds: Int64
    /// What a fill costs (counted in the account's fees and daily P&L).
    public var fees: FeeSchedule

    public init(
        spec: InstrumentSpec, capabilities: OrderCapabilities = .standard, maxOrderQuantity: Quantity,
        maxOrderNotional: Money, maxLong: Quantity, maxShort: Quantity, band: PriceBand,
        auctionBand: PriceBand = PriceBand(), aggressiveOnlyBand: Bool = false,
        maxReferenceAgeNanoseconds: Int64, driftBand: PriceBand = PriceBand(), driftWindowNanoseconds: Int64 = 0,
        fees: FeeSchedule = .none
    ) {
        self.spec = spec
        self.capabilities = capabilities
        self.maxOrderQuantity = maxOrderQuantity
        self.maxOrderNotional = maxOrderNotional
        self.maxLong = maxLong
        self.maxShort = maxShort
        self.band = band
        self.auctionBand = auctionBand
        self.aggressiveOnlyBand = aggressiveOnlyBand
        self.maxReferenceAgeNanoseconds = maxReferenceAgeNanoseconds
        self.driftBand = driftBand
        self.driftWindowNanoseconds = driftWindowNanoseconds
        self.fees = fees
    }
}

/// An account's aggregate limits (15c3-5 (c)(1)(i) "for each customer").
@frozen
public struct AccountLimits: Hashable, Sendable, BitwiseCopyable {
    public var id: AccountID
    /// Working orders at once, counted from the moment they are sent.
    public var maxWorkingOrders: Int
    /// Total notional of working orders (both sides).
    public var maxWorkingNotional: Money
    /// Credit/capital: Σ |position| × mark + working notional, across instruments.
    public var creditLimit: Money
    /// The trading day's loss (realized + unrealized at a conservative mark) that trips the
    /// account: `dailyPnL < -dailyLossLimit` (strict).
    public var dailyLossLimit: Money
    public var submitRate: RateLimit
    public var modifyRate: RateLimit
    public var cancelRate: RateLimit
    /// Venue rejects in a window that trip the account (an anomaly trigger).
    public var rejectTrip: RateLimit

    public init(
        id: AccountID, maxWorkingOrders: Int, maxWorkingNotional: Money, creditLimit: Money, dailyLossLimit: Money,
        submitRate: RateLimit = .unlimited, modifyRate: RateLimit = .unlimited, cancelRate: RateLimit = .unlimited,
        rejectTrip: RateLimit = .unlimited
    ) {
        self.id = id
        self.maxWorkingOrders = maxWorkingOrders
        self.maxWorkingNotional = maxWorkingNotional
        self.creditLimit = creditLimit
        self.dailyLossLimit = dailyLossLimit
        self.submitRate = submitRate
        self.modifyRate = modifyRate
        self.cancelRate = cancelRate
        self.rejectTrip = rejectTrip
    }
}

/// A strategy's switches and throttles.
@frozen
public struct StrategyLimits: Hashable, Sendable, BitwiseCopyable {
    public var id: StrategyID
    /// A disabled strategy may send nothing but cancels.
    public var enabled: Bool
    public var submitRate: RateLimit
    public var modifyRate: RateLimit
    /// The repeated automated execution throttle (RTS 6 Art. 15(3)): this many fills in the window
    /// disable the strategy until an operator re-enables it.
    public var executionThrottle: RateLimit
    /// Order attempts (accepted or denied) in a window that trip the strategy (an anomaly trigger).
    public var attemptTrip: RateLimit

    public init(
        id: StrategyID, enabled: Bool = true, submitRate: RateLimit, modifyRate: RateLimit = .unlimited,
        executionThrottle: RateLimit, attemptTrip: RateLimit = .unlimited
    ) {
        self.id = id
        self.enabled = enabled
        self.submitRate = submitRate
        self.modifyRate = modifyRate
        self.executionThrottle = executionThrottle
        self.attemptTrip = attemptTrip
    }
}

/// Firm-wide limits (15c3-5 "and the broker or dealer") and engine sizing.
@frozen
public struct FirmLimits: Hashable, Sendable, BitwiseCopyable {
    /// The currency every account and firm money limit is expressed in. Instruments quoted in
    /// another currency are converted at the rates given to `RiskEngine.updateFX` (docs/risk.md#fx).
    public var currency: Currency
    public var maxWorkingOrders: Int
    public var creditLimit: Money
    public var dailyLossLimit: Money
    /// The venue session's message limits (RTS 6 Art. 15(1)(d)): submits, modifies and cancels.
    public var submitRate: RateLimit
    public var modifyRate: RateLimit
    /// Cancels are counted against this limit but never refused (they only remove risk).
    public var cancelRate: RateLimit
    /// Identical orders (account, strategy, instrument, side, type, price, quantity) allowed within
    /// the window: a `k`-th identical order inside `W` is refused.
    public var duplicateOrders: RateLimit
    public var selfMatch: SelfMatchScope
    /// The oldest FX rate an order may rely on (ns). Required (positive) when an instrument is
    /// quoted in a currency other than `currency`; unused otherwise.
    public var fxMaxAgeNanoseconds: Int64

    public init(
        currency: Currency, maxWorkingOrders: Int, creditLimit: Money, dailyLossLimit: Money,
        submitRate: RateLimit, modifyRate: RateLimit = .unlimited, cancelRate: RateLimit = .unlimited,
        duplicateOrders: RateLimit = .unlimited, selfMatch: SelfMatchScope = .account, fxMaxAgeNanoseconds: Int64 = 0
    ) {
        self.fxMaxAgeNanoseconds = fxMaxAgeNanoseconds
        self.currency = currency
        self.maxWorkingOrders = maxWorkingOrders
        self.creditLimit = creditLimit
        self.dailyLossLimit = dailyLossLimit
        self.submitRate = submitRate
        self.modifyRate = modifyRate
        self.cancelRate = cancelRate
        self.duplicateOrders = duplicateOrders
        self.selfMatch = selfMatch
    }
}

/// Table sizes, fixed at creation so nothing allocates while trading.
@frozen
public struct RiskCapacity: Hashable, Sendable, BitwiseCopyable {
    /// Working orders at once (the order table).
    public var workingOrders: Int
    /// Client order IDs per trading day.
    public var clientOrderIDs: Int
    /// Execution IDs per trading day (duplicate execution reports are ignored).
    public var executionIDs: Int
    /// Recently closed orders remembered to attribute late fills.
    public var closedOrders: Int
    /// Entries of the content-duplicate table (a power of two): distinct orders it can remember at
    /// once inside `FirmLimits.duplicateOrders`' window (in twice as many slots). Expired entries
    /// are swept as orders are accepted and taken over when the table is full; a new order that
    /// finds neither room nor an expired entry on its probe path is refused (`duplicate_capacity`),
    /// so size it well above the distinct orders one window can hold.
    public var duplicateEntries: Int

    public init(
        workingOrders: Int = 65_536, clientOrderIDs: Int = 1 << 20, executionIDs: Int = 1 << 20, closedOrders: Int = 16_384,
        duplicateEntries: Int = 1 << 16
    ) {
        self.workingOrders = workingOrders
        self.clientOrderIDs = clientOrderIDs
        self.executionIDs = executionIDs
        self.closedOrders = closedOrders
        self.duplicateEntries = duplicateEntries
    }
}

/// Everything a `RiskEngine` is configured with. Instruments, accounts and strategies are dense:
/// element `i` must carry ID `i`.
public struct RiskConfiguration: Sendable {
    public var firm: FirmLimits
    public var instruments: [InstrumentRisk]
    public var accounts: [AccountLimits]
    public var strategies: [StrategyLimits]
    /// Instruments nobody may trade (15c3-5 (c)(2)(ii)).
    public var restricted: [InstrumentID]
    /// Per account, the instruments it may trade; an account absent here may trade all.
    public var accountPermissions: [AccountID: [InstrumentID]]
    /// Per strategy, the accounts it may trade for; a strategy absent here may use all.
    public var strategyAccounts: [StrategyID: [AccountID]]
    /// Operators allowed to reset the kill switch and re-enable strategies.
    public var operators: [String]
    public var capacity: RiskCapacity
    /// A version number recorded with every decision (docs/risk.md#versions).
    public var version: UInt32

    public init(
        firm: FirmLimits, instruments: [InstrumentRisk], accounts: [AccountLimits], strategies: [StrategyLimits],
        restricted: [InstrumentID] = [], accountPermissions: [AccountID: [InstrumentID]] = [:],
        strategyAccounts: [StrategyID: [AccountID]] = [:], operators: [String], capacity: RiskCapacity = RiskCapacity(),
        version: UInt32 = 1
    ) {
        self.firm = firm
        self.instruments = instruments
        self.accounts = accounts
        self.strategies = strategies
        self.restricted = restricted
        self.accountPermissions = accountPermissions
        self.strategyAccounts = strategyAccounts
        self.operators = operators
        self.capacity = capacity
        self.version = version
    }

    /// Checks the rules the engine relies on; the error names the field.
    public func validate() throws(RiskConfigError) {
        func fail(_ field: String, _ message: String) -> RiskConfigError {
            RiskConfigError(file: "configuration", line: 0, field: field, message: message)
        }
        let foreign = Set(instruments.map(\.spec.currency)).subtracting([firm.currency])
        guard foreign.count <= maximumForeignCurrencies else {
            throw fail("instruments.currency", "\(foreign.count) currencies other than the firm's; at most \(maximumForeignCurrencies)")
        }
        for (i, r) in instruments.enumerated() {
            let name = "instrument \(r.spec.symbol)"
            guard r.spec.id.rawValue == UInt32(i) else {
                throw fail("\(name).id", "instrument IDs must be dense: element \(i) has ID \(r.spec.id.rawValue)")
            }
            if r.spec.currency != firm.currency {
                guard firm.fxMaxAgeNanoseconds > 0 else {
                    throw fail("firm.fx_max_age", "required (positive) because \(name) is quoted in \(r.spec.currency), not the firm currency \(firm.currency)")
                }
            }
            guard r.maxOrderQuantity.rawValue > 0 else { throw fail("\(name).max_order_qty", "must be positive") }
            guard r.maxOrderNotional.rawValue > 0 else { throw fail("\(name).max_order_notional", "must be positive") }
            guard r.maxLong.rawValue >= 0 else { throw fail("\(name).max_long", "must not be negative") }
            guard r.maxShort.rawValue >= 0 else { throw fail("\(name).max_short", "must not be negative") }
            guard r.band.isConfigured else { throw fail("\(name).band", "set band_ticks or band_bps") }
            for (label, band) in [("band", r.band), ("auction_band", r.auctionBand), ("drift_band", r.driftBand)] {
                if let t = band.ticks, t < 0 { throw fail("\(name).\(label)_ticks", "must not be negative") }
                if let b = band.basisPoints, b < 0 { throw fail("\(name).\(label)_bps", "must not be negative") }
                if r.spec.allowsNegativePrices, band.basisPoints != nil {
                    throw fail("\(name).\(label)_bps", "a percentage band around a price that can be negative is meaningless; use ticks")
                }
            }
            guard r.maxReferenceAgeNanoseconds > 0 else { throw fail("\(name).max_reference_age", "must be positive") }
            if r.driftWindowNanoseconds < 0 { throw fail("\(name).drift_window", "must not be negative") }
            if r.driftWindowNanoseconds > 0, !r.driftBand.isConfigured {
                throw fail("\(name).drift_band", "a drift window needs drift_band_ticks or drift_band_bps")
            }
        }
        for (i, a) in accounts.enumerated() {
            guard a.id.rawValue == UInt32(i) else {
                throw fail("account \(i).id", "account IDs must be dense: element \(i) has ID \(a.id.rawValue)")
            }
            guard a.maxWorkingOrders >= 0 else { throw fail("account \(i).max_working_orders", "must not be negative") }
            guard a.dailyLossLimit.rawValue >= 0 else { throw fail("account \(i).daily_loss_limit", "must not be negative") }
            for (label, rate) in [("submit_rate", a.submitRate), ("modify_rate", a.modifyRate), ("cancel_rate", a.cancelRate), ("reject_trip", a.rejectTrip)] {
                try Self.checkRate(rate, "account \(i).\(label)")
            }
        }
        for (i, s) in strategies.enumerated() {
            guard s.id.rawValue == UInt32(i) else {
                throw fail("strategy \(i).id", "strategy IDs must be dense: element \(i) has ID \(s.id.rawValue)")
            }
            for (label, rate) in [("submit_rate", s.submitRate), ("modify_rate", s.modifyRate), ("execution_throttle", s.executionThrottle), ("attempt_trip", s.attemptTrip)] {
                try Self.checkRate(rate, "strategy \(i).\(label)")
            }
        }
        for (label, rate) in [("submit_rate", firm.submitRate), ("modify_rate", firm.modifyRate), ("cancel_rate", firm.cancelRate), ("duplicate_orders", firm.duplicateOrders)] {
            try Self.checkRate(rate, "firm.\(label)")
        }
        if !firm.duplicateOrders.isUnlimited, firm.duplicateOrders.count > DuplicateTable.stampsPerEntry {
            throw fail("firm.duplicate_orders", "at most \(DuplicateTable.stampsPerEntry) identical orders per window can be allowed")
        }
        guard firm.dailyLossLimit.rawValue >= 0 else { throw fail("firm.daily_loss_limit", "must not be negative") }
        for id in restricted where Int(id.rawValue) >= instruments.count {
            throw fail("restricted", "unknown instrument \(id.rawValue)")
        }
        for (account, list) in accountPermissions {
            guard Int(account.rawValue) < accounts.count else { throw fail("permit", "unknown account \(account.rawValue)") }
            for id in list where Int(id.rawValue) >= instruments.count {
                throw fail("permit", "unknown instrument \(id.rawValue) for account \(account.rawValue)")
            }
        }
        for (strategy, list) in strategyAccounts {
            guard Int(strategy.rawValue) < strategies.count else { throw fail("strategy_accounts", "unknown strategy \(strategy.rawValue)") }
            for id in list where Int(id.rawValue) >= accounts.count {
                throw fail("strategy_accounts", "unknown account \(id.rawValue) for strategy \(strategy.rawValue)")
            }
        }
        guard !operators.isEmpty else { throw fail("operators", "at least one operator must be allowed to reset the kill switch") }
        let c = capacity
        guard c.workingOrders > 0, c.workingOrders <= 1 << 24 else { throw fail("capacity.working_orders", "must be 1...16777216") }
        guard c.clientOrderIDs >= 16, c.clientOrderIDs <= 1 << 28 else { throw fail("capacity.client_order_ids", "must be 16...2^28") }
        guard c.executionIDs >= 16, c.executionIDs <= 1 << 28 else { throw fail("capacity.execution_ids", "must be 16...2^28") }
        guard c.closedOrders >= 1, c.closedOrders <= 1 << 24 else { throw fail("capacity.closed_orders", "must be 1...16777216") }
        guard c.duplicateEntries >= 64, c.duplicateEntries <= 1 << 24, c.duplicateEntries & (c.duplicateEntries - 1) == 0 else {
            throw fail("capacity.duplicate_entries", "must be a power of two in 64...16777216")
        }
        guard instruments.count <= 1 << 20, accounts.count <= 1 << 16, strategies.count <= 1 << 16,
            instruments.count * max(accounts.count, 1) <= 1 << 24
        else {
            throw fail("size", "at most 2^20 instruments, 2^16 accounts and strategies, 2^24 account × instrument pairs")
        }
    }

    static func checkRate(_ rate: RateLimit, _ field: String) throws(RiskConfigError) {
        if rate.isUnlimited { return }
        guard rate.count >= 0, rate.count <= 1 << 20 else {
            throw RiskConfigError(file: "configuration", line: 0, field: field, message: "count must be 0...1048576")
        }
        guard rate.windowNanoseconds > 0 else {
            throw RiskConfigError(file: "configuration", line: 0, field: field, message: "window must be positive")
        }
    }
}

/// A configuration that cannot be used, naming the file, line and field.
public struct RiskConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    /// 1-based line, or 0 when the error is not about one line.
    public var line: Int
    public var field: String
    public var message: String

    public init(file: String, line: Int, field: String, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        line > 0 ? "\(file):\(line): \(field): \(message)" : "\(file): \(field): \(message)"
    }
}
