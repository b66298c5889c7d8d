public import Histogram
import Synchronization
public import TernCore
public import TernQueues
public import TernRisk
import TernSystem

/// What the engine thread publishes for other threads (the admin interface): a copy, so a reader
/// never touches engine-thread state.
public struct EngineStatus: Sendable {
    public enum Phase: String, Sendable {
        /// Before the first event.
        case starting
        /// Replaying or trading.
        case running
        /// After `finish`: the data ended and the working orders were canceled; no more operator calls.
        case finished
    }

    public var phase: Phase = .starting
    /// The exchange time of the last event handled.
    public var marketTime = Timestamp(rawValue: 0)
    /// When the engine published this (monotonic ns).
    public var publishedAt: Int64 = 0
    public var counters = EngineCounters()
    /// Orders the order manager holds open.
    public var openOrders = 0
    /// The engine account's position in each instrument (raw 10^-9 units, positive long).
    public var positions: [Int64] = []
    /// The engine account's totals (P&L, fees, working notional), if the account is configured.
    public var account: ExposureTotals? = nil
    public var firm = ExposureTotals()
    public var risk = RiskCounters()
    /// Risk's audit trail: trips, resets, REDUCING transitions, anomalies (oldest first).
    public var riskEvents: [RiskEvent] = []
    /// Tick-to-order latency of every request so far (nanoseconds).
    public var tickToOrder = LatencyRecorder.makeHistogram()

    public init() {}
}

/// An operator call that must run on the engine thread (it reads state the engine owns).
public enum OperatorAction: Sendable, Hashable, CustomStringConvertible {
    /// Back to armed (risk refuses while the trip's cause holds).
    case reset(KillScope)
    /// Tripped → reducing-only.
    case reducing(KillScope)

    public var description: String {
        switch self {
        case .reset(let s): "reset \(s)"
        case .reducing(let s): "reducing \(s)"
        }
    }
}

/// Why an operator call did not happen.
public enum ControlError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Risk refused it (unknown operator, unknown scope, cause still holds, not tripped).
    case refused(RiskOperatorError)
    /// The run has finished: the journal is closed, so nothing more can be recorded.
    case finished
    /// The engine thread did not answer in time (it is not serving its control).
    case timedOut
    /// The kill switch does not know the scope.
    case unknownScope(KillScope)

    public var description: String {
        switch self {
        case .refused(let e): e.description
        case .finished: "the run has finished; the engine takes no more operator calls"
        case .timedOut: "the engine did not answer in time"
        case .unknownScope(let s): "unknown scope \(s)"
        }
    }
}

/// The bridge between the engine thread and an operator's threads (the admin interface):
///
/// - the engine publishes an `EngineStatus` every `publishInterval` (off the per-event path:
///   the runner calls `Engine.serviceControl` every few hundred events and when idle);
/// - trips go straight to the kill switch (any thread; every check that starts afterwards
///   denies) and the engine emits the cancels and journals the trip with its actor and reason;
/// - resets and REDUCING transitions are queued and run by the engine thread, which answers;
/// - every request's tick-to-order latency goes into `latencyTap` (an SPSC ring: one reader
///   drains it, for example into a Prometheus histogram; when it is full samples are dropped
///   and counted, never waited for).
public final class EngineControl: Sendable {
    /// How often the engine publishes its status (nanoseconds).
    public let publishInterval: Int64
    /// Request latencies (ns), pushed by the engine thread after each hand-off.
    public let latencyTap: SPSCRing<Int64>
    let board = Mutex<EngineStatus>(EngineStatus())
    let inbox = Mutex<Inbox>(Inbox())
    /// Requests waiting in `inbox`: the engine's cheap check.
    let waiting = Atomic<Int>(0)
    let dropped = Atomic<Int>(0)
    /// The kill switch it trips (any thread may read its states).
    public let killSwitch: KillSwitch

    struct Inbox: ~Copyable {
        var open = true
        var requests: [Request] = []
    }

    /// A queued call: what, who, why, and where the answer goes.
    struct Request {
        var action: OperatorAction
        var operatorName: String
        var reason: String
        var call: OperatorCall
    }


    public init(killSwitch: KillSwitch, publishEvery interval: Duration = .milliseconds(20), tapCapacity: Int = 1 << 16) throws(RingError) {
        self.killSwitch = killSwitch
        publishInterval = max(1, Self.nanoseconds(interval))
        latencyTap = try SPSCRing(capacity: tapCapacity)
    }

    /// The last status the engine published.
    public var status: EngineStatus { board.withLock { $0 } }

    /// Latency samples dropped because `latencyTap` was full.
    public var droppedLatencySamples: Int { dropped.load(ordering: .relaxed) }

    /// Trips `scope` now (any thread). The engine journals the trip with `actor` and `reason` and
    /// sends a cancel for every working order in scope at its next service. Refused once the run
    /// has finished (nothing could journal it).
    public func trip(_ scope: KillScope, actor: String, reason: String) throws(ControlError) {
        let time = board.withLock { $0.marketTime }
        let result: Result<Void, ControlError> = inbox.withLock { box in
            guard box.open else { return .failure(.finished) }
            guard killSwitch.trip(scope, cause: .manual, actor: actor, reason: reason, at: time) else { return .failure(.unknownScope(scope)) }
            return .success(())
        }
        try result.get()
    }

    /// Queues an engine-thread call; poll the returned call's `result` (async hosts), or use
    /// `perform`, which waits.
    public func enqueue(_ action: OperatorAction, operator name: String, reason: String) throws(ControlError) -> OperatorCall {
        let call = OperatorCall(control: self)
        let queued: Bool = inbox.withLock { box in
            guard box.open else { return false }
            box.requests.append(Request(action: action, operatorName: name, reason: reason, call: call))
            waiting.add(1, ordering: .releasing)
            return true
        }
        guard queued else { throw .finished }
        return call
    }

    /// Queues an engine-thread call and waits up to `timeout` for the engine's answer.
    public func perform(_ action: OperatorAction, operator name: String, reason: String, timeout: Duration = .seconds(5)) throws(ControlError) {
        let call = try enqueue(action, operator: name, reason: reason)
        let deadline = MonotonicClock.now().rawValue + Self.nanoseconds(timeout)
        while try !call.isAnswered(deadline: deadline) { sleepThread(nanoseconds: 200_000) }
    }

    func withdraw(_ call: OperatorCall) -> Bool {
        inbox.withLock { box in
            guard let i = box.requests.firstIndex(where: { $0.call === call }) else { return false }
            box.requests.remove(at: i)
            waiting.subtract(1, ordering: .relaxed)
            return true
        }
    }

    public static func nanoseconds(_ d: Duration) -> Int64 {
        let (s, atto) = d.components
        return s * 1_000_000_000 + atto / 1_000_000_000
    }

    // MARK: Engine thread

    /// Takes every queued request; with `closing`, later calls fail with `.finished`.
    func take(closing: Bool = false) -> [Request] {
        inbox.withLock { box in
            if closing { box.open = false }
            let out = box.requests
            box.requests.removeAll()
            waiting.store(0, ordering: .relaxed)
            return out
        }
    }

    /// Closes the inbox: later calls fail with `.finished`; queued ones are answered so.
    func close() {
        for r in take(closing: true) { r.call.answer(.failure(.finished)) }
    }

    @inline(__always)
    func tap(_ nanoseconds: Int64) {
        if case .full = latencyTap.tryPush(nanoseconds) { dropped.add(1, ordering: .relaxed) }
    }

    func publish(_ status: EngineStatus) {
        board.withLock { $0 = status }
    }
}

/// A queued operator call: the engine thread answers it.
public final class OperatorCall: Sendable {
    let slot = Mutex<Result<Void, ControlError>?>(nil)
    let control: EngineControl

    init(control: EngineControl) { self.control = control }

    /// The engine's answer, or nil while it is still queued.
    public var result: Result<Void, ControlError>? { slot.withLock { $0 } }

    /// Takes the call back if the engine has not taken it yet (true); false: it has, so its
    /// answer will come.
    public func withdraw() -> Bool { control.withdraw(self) }

    func answer(_ r: Result<Void, ControlError>) { slot.withLock { $0 = r } }

    /// Polls the call: true once the engine has answered yes; throws its refusal, or `.timedOut`
    /// (and withdraws the call) once `deadline` (monotonic ns) has passed with the call still
    /// queued. A caller waits between polls in its own way (a thread sleep, `Task.sleep`).
    public func isAnswered(deadline: Int64) throws(ControlError) -> Bool {
        if let r = result {
            try r.get()
            return true
        }
        if MonotonicClock.now().rawValue > deadline, withdraw() { throw .timedOut }
        return false
    }
}

extension Engine {
    /// Serves the control (if any): the kill switch's trips from other threads, queued operator
    /// calls, and (every `publishInterval`) a fresh status. The runner calls it every few hundred
    /// events and when idle; a host driving `handle` itself should do the same.
    public func serviceControl() {
        checkKillSwitch()
        guard let control else { return }
        if control.waiting.load(ordering: .acquiring) > 0 {
            for r in control.take() {
                let result: Result<Void, ControlError>
                do {
                    switch r.action {
                    case .reset(let scope): try risk.reset(scope, operator: r.operatorName, reason: r.reason, at: now)
                    case .reducing(let scope): try risk.enterReducing(scope, operator: r.operatorName, reason: r.reason, at: now)
                    }
                    result = .success(())
                } catch {
                    result = .failure(.refused(error))
                }
                r.call.answer(result)
            }
            checkKillSwitch()
        }
        let t = MonotonicClock.now().rawValue
        if t >= nextPublish {
            nextPublish = t &+ control.publishInterval
            control.publish(makeStatus(.running))
        }
    }

    /// A copy of the engine's state for other threads.
    public func makeStatus(_ phase: EngineStatus.Phase) -> EngineStatus {
        var s = EngineStatus()
        s.phase = phase
        s.marketTime = now
        s.publishedAt = MonotonicClock.now().rawValue
        s.counters = counters
        s.openOrders = orders.openCount
        s.positions = books.map { position($0.instrument) }
        s.account = risk.totals(account: options.account)
        s.firm = risk.firmTotals
        s.risk = risk.counters
        s.riskEvents = risk.events
        s.tickToOrder = latency.histogram
        return s
    }
}
