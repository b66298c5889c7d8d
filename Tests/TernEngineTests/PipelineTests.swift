import Foundation
import Synchronization
import Testing
import TernCore
import TernEngine
import TernJournal
import TernMarketData
import TernRisk

@Suite("Pipeline end to end")
struct PipelineTests {
    @Test("the automatic plan puts the engine on the CPU with the fewest device interrupts")
    func planAvoidsInterrupts() {
        let two = ThreadPlan.automatic(cpus: [0, 1], interrupts: [0: 100, 1: 50_000])
        #expect(two.engineCPU == 0 && two.feedCPU == 1 && two.journalCPU == 1 && !two.gatewayThread && two.threaded)
        // A tie, or no counts at all: the last CPU, as before.
        #expect(ThreadPlan.automatic(cpus: [0, 1], interrupts: [:]).engineCPU == 1)
        #expect(ThreadPlan.automatic(cpus: [2, 5, 7], interrupts: [2: 9, 5: 3, 7: 3]).engineCPU == 7)
        let four = ThreadPlan.automatic(cpus: [0, 1, 2, 3], interrupts: [0: 10, 1: 0, 2: 10, 3: 10])
        #expect(four.engineCPU == 1 && four.feedCPU == 0 && four.gatewayCPU == 2 && four.journalCPU == 3 && four.gatewayThread && four.spin)
        #expect(ThreadPlan.automatic(cpus: [0], interrupts: [:]).engineCPU == nil)
    }

    @Test("the same input gives the same orders, fills and journal digest, threaded or not")
    func deterministic() throws {
        let a = try SyntheticPipeline(messages: 120_000, threaded: false).run(threaded: false)
        let b = try SyntheticPipeline(messages: 120_000, threaded: false).run(threaded: false)
        let c = try SyntheticPipeline(messages: 120_000, threaded: true).run(threaded: true)
        #expect(a.ordersSent > 20, "the sample strategy should trade the synthetic market")
        #expect(a.fills > 5)
        #expect(a == b)
        #expect(a == c, "the threaded pipeline must match the one-thread run event for event")
        // Feed and engine threads with the gateway called on the engine thread (the 2–3 CPU plan).
        let d = try SyntheticPipeline(messages: 120_000, threaded: false).run(threaded: true)
        #expect(a == d, "the threaded pipeline with an inline gateway must match too")
        let other = try SyntheticPipeline(messages: 120_000, threaded: false, seed: 99).run(threaded: false)
        #expect(other.journalDigest != a.journalDigest)
    }

    @Test("the journal replays into a fresh risk engine exactly")
    func journalReplays() throws {
        let p = try SyntheticPipeline(messages: 60_000, threaded: false)
        let result = try p.run(threaded: false)
        let fresh = try RiskEngine(p.setup.configuration)
        let report = try RiskReplay.replay(JournalReader(directory: p.directory), into: fresh)
        #expect(report.isExact, "\(report)")
        #expect(fresh.stateDigest == result.stateDigest)
    }

    @Test("a kill-switch trip from another thread during a replay cancels every working order; no new order passes afterwards")
    func killSwitchDuringReplay() throws {
        let probe = KillProbe()
        let p = try SyntheticPipeline(messages: 150_000, threaded: true) { spec in try KillWatchingStrategy(spec: spec, probe: probe) }
        let killSwitch = p.risk.killSwitch
        // The operator's thread: waits until orders are working, then trips the firm scope, as the
        // admin interface does.
        let tripper = Thread {
            while probe.working.load(ordering: .acquiring) < 3 { usleep(100) }
            killSwitch.trip(.firm, cause: .manual, actor: "test-operator", reason: "kill during replay", at: Timestamp(rawValue: 0))
            probe.tripped.store(true, ordering: .releasing)
        }
        tripper.start()
        let result = try p.run(threaded: true)
        let didTrip = probe.tripped.load(ordering: .acquiring)
        #expect(didTrip)
        let strategy = p.strategy as! KillWatchingStrategy
        #expect(strategy.sentAfterTrip == 0, "no order may pass after the trip")
        #expect(strategy.attemptsAfterTrip > 0, "the strategy kept trying, and risk refused")
        #expect(p.engine.counters.killCancelsSent >= 3, "a cancel for every working order")
        #expect(p.engine.orders.openCount == 0)
        #expect(p.risk.workingOrderCount == 0)
        #expect(result.denied[.killSwitchHalted, default: 0] == strategy.attemptsAfterTrip)
        let trips = p.risk.events.filter { if case .tripped(.firm, _, "test-operator", _, _, _, _) = $0 { return true } else { return false } }
        #expect(trips.count == 1)
    }
}

final class KillProbe: Sendable {
    let working = Atomic<Int>(0)
    let tripped = Atomic<Bool>(false)
    /// Hold the engine thread (up to 60 s) once 3 orders work, until `tripped`: the operator's
    /// call then lands during the replay however slowly its thread is scheduled.
    let holdUntilTripped = Atomic<Bool>(false)
}

/// Keeps several passive orders working (far from the touch so they rest), and counts what
/// happens to its requests after the kill switch tripped.
final class KillWatchingStrategy: Strategy {
    let probe: KillProbe
    let lot: Int64
    let tick: Int64
    var sentAfterTrip = 0
    var attemptsAfterTrip = 0
    var updates = 0

    init(spec: InstrumentSpec, probe: KillProbe) throws {
        self.probe = probe
        lot = spec.lotSize.rawValue
        tick = spec.tickSize.rawValue
    }

    func onMarket(_ book: MarketBook, engine: Engine) {
        updates += 1
        guard updates % 400 == 0, let bid = book.bestBid?.price else { return }
        let tripped = engine.risk.killSwitch.state(.firm) != .armed
        let price = Price(rawValue: bid.rawValue - 40 * tick - Int64(updates / 400 % 5) * tick)
        let result = engine.submit(OrderIntent(.buy, Quantity(rawValue: lot), of: book.instrument, at: price))
        if tripped {
            attemptsAfterTrip += 1
            if result.isSent { sentAfterTrip += 1 }
        }
        probe.working.store(engine.orders.openCount, ordering: .releasing)
        if engine.orders.openCount >= 3 && probe.holdUntilTripped.load(ordering: .acquiring) {
            var waited = 0
            while !probe.tripped.load(ordering: .acquiring) && waited < 60_000 {
                usleep(1000)
                waited += 1
            }
            probe.holdUntilTripped.store(false, ordering: .releasing)
        }
    }
}
