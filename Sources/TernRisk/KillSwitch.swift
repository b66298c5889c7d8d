import Synchronization
public import TernCore

#if canImport(Glibc)
    import Glibc
#endif

/// What a kill switch covers. A check denies if any scope covering the order is tripped; the
/// reason names the widest.
@frozen
public enum KillScope: Hashable, Sendable, CustomStringConvertible {
    case firm
    case account(AccountID)
    case strategy(StrategyID)
    case instrument(InstrumentID)
    /// One side of one instrument (for example: no more buys of this contract).
    case side(InstrumentID, Side)

    public var description: String {
        switch self {
        case .firm: "firm"
        case .account(let id): "account:\(id.rawValue)"
        case .strategy(let id): "strategy:\(id.rawValue)"
        case .instrument(let id): "instrument:\(id.rawValue)"
        case .side(let id, let side): "side:\(id.rawValue):\(side)"
        }
    }
}

/// A scope's state (notes/risk.md §3.11).
@frozen
public enum KillState: UInt8, Sendable, BitwiseCopyable, Hashable, CustomStringConvertible {
    /// Trading allowed.
    case armed = 0
    /// Latched: every new order and replace in scope is denied; cancels pass.
    case tripped = 1
    /// Only orders that reduce a position (never open or flip one) pass the full check path.
    case reducing = 2

    public var description: String {
        switch self {
        case .armed: "armed"
        case .tripped: "tripped"
        case .reducing: "reducing"
        }
    }
}

/// Why a scope was tripped. Causes accumulate until an operator resets the scope.
@frozen
public enum KillCause: UInt8, Sendable, BitwiseCopyable, Hashable, CaseIterable, CustomStringConvertible {
    /// An operator or the trader.
    case manual = 1
    /// Realized + unrealized loss for the trading day beyond the limit.
    case dailyLoss = 2
    /// A filled position beyond its limit (late, external or over-fills).
    case positionBreach = 3
    /// The repeated automated execution throttle (RTS 6 Art. 15(3)).
    case executionThrottle = 4
    /// Venue rejects beyond the account's reject-rate threshold.
    case rejectRate = 5
    /// Order attempts beyond the strategy's attempt-rate threshold.
    case orderRate = 6
    /// An external security alert (an API call).
    case securityAlert = 7
    /// A fill Tern cannot attribute to an order, or another accounting anomaly.
    case accountingAnomaly = 8
    /// The journal could not take a record (`TernJournal.RiskJournal`'s loss policy).
    case journalFailure = 9

    public var description: String {
        switch self {
        case .manual: "manual"
        case .dailyLoss: "daily_loss"
        case .positionBreach: "position_breach"
        case .executionThrottle: "execution_throttle"
        case .rejectRate: "reject_rate"
        case .orderRate: "order_rate"
        case .securityAlert: "security_alert"
        case .accountingAnomaly: "accounting_anomaly"
        case .journalFailure: "journal_failure"
        }
    }
}

/// Where each scope's flag sits: the firm at 0, then the accounts, strategies, instruments, and
/// two sides per instrument. Plain integers, so the check path computes indexes without touching
/// the `KillSwitch` object.
struct ScopeLayout: BitwiseCopyable {
    let accounts: Int
    let strategies: Int
    let instruments: Int

    var count: Int { 1 + accounts + strategies + instruments * 3 }

    @inline(__always) func account(_ a: Int) -> Int { 1 &+ a }
    @inline(__always) func strategy(_ s: Int) -> Int { 1 &+ accounts &+ s }
    @inline(__always) func instrument(_ i: Int) -> Int { 1 &+ accounts &+ strategies &+ i }
    @inline(__always) func side(_ i: Int, _ side: Side) -> Int {
        1 &+ accounts &+ strategies &+ instruments &+ 2 &* i &+ Int(side.rawValue) &- 1
    }

    /// The flag index of `scope`, or nil if its ID is out of range.
    func index(_ scope: KillScope) -> Int? {
        switch scope {
        case .firm: return 0
        case .account(let id): return Int(id.rawValue) < accounts ? account(Int(id.rawValue)) : nil
        case .strategy(let id): return Int(id.rawValue) < strategies ? strategy(Int(id.rawValue)) : nil
        case .instrument(let id): return Int(id.rawValue) < instruments ? instrument(Int(id.rawValue)) : nil
        case .side(let id, let s): return Int(id.rawValue) < instruments ? side(Int(id.rawValue), s) : nil
        }
    }
}

/// A trip request as the kill switch records it.
public struct KillTrip: Hashable, Sendable {
    public var scope: KillScope
    public var cause: KillCause
    public var actor: String
    public var reason: String
    public var timestamp: Timestamp
}

/// The kill switch's shared half: one atomic state per scope, which any thread may trip and the
/// engine's check path reads. Tripping stores the flag (sequentially consistent) before it returns,
/// so every check that starts after `trip` returns denies; the engine then emits the cancel-all on
/// its own thread at its next call (`RiskEngine.processKillRequests`), or at once when the engine
/// itself trips. Resets and REDUCING transitions are engine calls, because they read state the
/// engine owns (is the loss still beyond the limit?).
public final class KillSwitch: @unchecked Sendable {
    // @unchecked: the flags and the generation are atomics; `pending` is guarded by `lock`.
    let flags: UnsafeMutablePointer<Atomic<UInt8>>
    let generation: UnsafeMutablePointer<Atomic<UInt64>>
    /// Trips made and not yet drained, guarded by `lock`: a pthread mutex rather than
    /// Synchronization's `Mutex`, whose hand-over under contention ThreadSanitizer does not see on
    /// Linux (it reported this list as raced while both sides held the lock).
    var pending: [KillTrip] = []
    let lock: UnsafeMutablePointer<pthread_mutex_t>
    let layout: ScopeLayout
    var scopeCount: Int { layout.count }

    init(accounts: Int, strategies: Int, instruments: Int) {
        layout = ScopeLayout(accounts: accounts, strategies: strategies, instruments: instruments)
        flags = .allocate(capacity: layout.count)
        for i in 0..<layout.count { (flags + i).initialize(to: Atomic(0)) }
        generation = .allocate(capacity: 1)
        generation.initialize(to: Atomic(0))
        lock = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
    }

    deinit {
        flags.deinitialize(count: scopeCount)
        flags.deallocate()
        generation.deinitialize(count: 1)
        generation.deallocate()
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    func withLock<R>(_ body: () -> R) -> R {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return body()
    }

    /// The flag index of `scope`, or nil if its ID is out of range.
    func index(_ scope: KillScope) -> Int? { layout.index(scope) }

    /// Trips `scope` from any thread. Returns false (and does nothing) for an unknown scope.
    /// When it returns true, every check that starts afterwards denies orders in scope.
    @discardableResult
    public func trip(_ scope: KillScope, cause: KillCause, actor: String, reason: String, at time: Timestamp) -> Bool {
        guard let i = index(scope) else { return false }
        flags[i].store(KillState.tripped.rawValue, ordering: .sequentiallyConsistent)
        withLock { pending.append(KillTrip(scope: scope, cause: cause, actor: actor, reason: reason, timestamp: time)) }
        generation.pointee.add(1, ordering: .sequentiallyConsistent)
        return true
    }

    /// The current state of `scope` (any thread). Unknown scopes read as tripped (fail closed).
    public func state(_ scope: KillScope) -> KillState {
        guard let i = index(scope) else { return .tripped }
        return KillState(rawValue: flags[i].load(ordering: .acquiring)) ?? .tripped
    }

    func drain() -> [KillTrip] {
        withLock {
            let out = pending
            pending.removeAll(keepingCapacity: true)
            return out
        }
    }
}
