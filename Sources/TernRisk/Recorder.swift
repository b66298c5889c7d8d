public import TernCore

/// Receives every input a `RiskEngine` acts on and every event it produces, in the order they
/// happen, on the engine's thread: enough to rebuild the engine's state by feeding the inputs to a
/// fresh engine with the same configuration (`TernJournal.RiskJournal` writes them to disk and
/// `RiskReplay` reads them back).
///
/// The engine holds its recorder strongly and calls it without reference counting; `record` runs
/// inside the engine's calls, so it must be quick and must not call back into the engine.
public protocol RiskRecorder: AnyObject {
    /// One record. `now` is the time the caller passed to the engine call (the engine's own clock
    /// is the running maximum of these); calls without a time (`setSession`, `beginTradingDay`,
    /// `isReconciling`) pass the engine's latest time.
    func record(_ record: RiskRecord, at now: Timestamp)
}

/// Where a recorded `RiskEvent` came from, which decides what a replay does with it.
@frozen
public enum RiskEventOrigin: UInt8, Sendable, BitwiseCopyable, Hashable, CustomStringConvertible {
    /// A trip another thread made through `KillSwitch.trip`, processed by the engine at this point:
    /// an input (replay trips the scope and processes it here).
    case external = 1
    /// An operator call on the engine's thread (`trip`, `reset`, `enterReducing`): an input.
    case `operator` = 2
    /// Produced by the engine itself (a trigger, a flat scope, an anomaly): replay re-derives it.
    case derived = 3
    /// Re-applied by `restoreKillState(from:)`: an input.
    case restored = 4

    public var description: String {
        switch self {
        case .external: "external"
        case .operator: "operator"
        case .derived: "derived"
        case .restored: "restored"
        }
    }
}

/// What a `RiskRecorder` is told.
public enum RiskRecord: Hashable, Sendable {
    /// An order submitted alone (`index` 0, `count` 1) or as item `index` of a list of `count`,
    /// with its decision. A list's items are recorded together after the list is decided.
    case order(NewOrder, RiskDecision, index: Int, count: Int)
    case replace(ReplaceOrder, RiskDecision)
    case cancel(CancelOrder, RiskDecision)
    /// A venue event passed to `apply`.
    case venue(OrderEvent)
    /// A fill passed to `applyExternalFill`.
    case externalFill(AccountID, Fill)
    case quote(InstrumentID, bid: Price, ask: Price, last: Price?)
    /// A rate passed to `updateFX` (firm-currency units per unit of the currency).
    case fx(Currency, rate: Price)
    case session(InstrumentID, SessionState)
    case reconciling(Bool)
    case tradingDay
    /// A strategy enabled or disabled by an operator (a limit change).
    case enabled(StrategyID, Bool, operator: String)
    /// A kill-switch or audit event (see `RiskEventOrigin`).
    case event(RiskEvent, RiskEventOrigin)
}

/// A 64-bit digest of the engine's state that is the same in every process (Swift's `Hasher` is
/// seeded per process, so it cannot be compared across a restart). FNV-style multiply-xor over
/// 64-bit words; not cryptographic, it detects divergence.
public struct StableDigest: Sendable, Hashable {
    public private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    public init() {}

    @inline(__always)
    public mutating func add(_ x: UInt64) {
        value = (value ^ x) &* 0x0000_0100_0000_01B3
        value ^= value >> 29
    }

    public mutating func add(_ x: Int64) { add(UInt64(bitPattern: x)) }
    public mutating func add(_ x: Int) { add(UInt64(bitPattern: Int64(x))) }
    public mutating func add(_ x: Int128) {
        add(UInt64(truncatingIfNeeded: x))
        add(UInt64(truncatingIfNeeded: x >> 64))
    }
    public mutating func add(_ x: Bool) { add(UInt64(x ? 1 : 0)) }
    public mutating func add(_ s: String) {
        add(s.utf8.count)
        for b in s.utf8 { add(UInt64(b)) }
    }

    /// A digest as 16 hex digits (how journals, reports and the CLI print one).
    public static func hex(_ v: UInt64) -> String {
        let digits = String(v, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

extension RiskDecision {
    /// Whether the kill gate denied the order (a tripped scope, or an execution-throttled strategy).
    public var isKillDenial: Bool {
        switch limit {
        case .killFirm, .killAccount, .killStrategy, .killInstrument, .killSide, .executionThrottle: !isAccepted
        default: false
        }
    }
}

extension RiskConfiguration {
    /// A digest of every limit, identical in every process for equal configurations: a journal
    /// records it at each session start and a replay refuses a different configuration.
    public var fingerprint: UInt64 {
        var h = StableDigest()
        h.add(String(describing: firm))
        h.add(String(describing: instruments))
        h.add(String(describing: accounts))
        h.add(String(describing: strategies))
        h.add(String(describing: restricted))
        for (a, list) in accountPermissions.sorted(by: { $0.key.rawValue < $1.key.rawValue }) { h.add("\(a.rawValue):\(list)") }
        h.add("|")
        for (s, list) in strategyAccounts.sorted(by: { $0.key.rawValue < $1.key.rawValue }) { h.add("\(s.rawValue):\(list)") }
        h.add(String(describing: operators))
        h.add(String(describing: capacity))
        h.add(Int(version))
        return h.value
    }
}
