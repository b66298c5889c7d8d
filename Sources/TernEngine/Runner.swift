public import Histogram
import TernCore
public import TernMarketData
public import TernQueues
public import TernSystem

/// Which CPU each pipeline thread runs on.
public struct ThreadPlan: Sendable, Hashable, CustomStringConvertible {
    /// Run the feed, engine and gateway on separate threads. Off: one thread does everything in
    /// order (the same results; used by tests and for profiling).
    public var threaded = true
    public var feedCPU: Int? = nil
    public var engineCPU: Int? = nil
    public var gatewayCPU: Int? = nil
    /// The gateway on a thread of its own (`gatewayCPU`), fed through a ring. Off: the engine
    /// thread calls the gateway itself, right after the hand-off is timed (the 2–3 CPU plan: a
    /// gateway thread would share the feed's CPU, and every request would wait for it).
    public var gatewayThread = true
    /// The journal's writer thread (nil: not pinned).
    public var journalCPU: Int? = nil
    /// Spin on the feed thread rather than yield (cores to spare). The engine thread spins
    /// whenever it is pinned: it has its CPU to itself.
    public var spin = false
    /// The feed thread hands on the next venue message only once the engine has taken the last
    /// one (it decodes ahead meanwhile), as a live feed that is not saturated would: tick-to-order
    /// then measures the pipeline, not a queue of replayed data waiting its turn. Off: the feed
    /// runs as far ahead as the ring allows (the most events per second; latency then includes
    /// queueing).
    public var lockstep = true

    public init(threaded: Bool = true, feedCPU: Int? = nil, engineCPU: Int? = nil, gatewayCPU: Int? = nil, journalCPU: Int? = nil, spin: Bool = false) {
        self.threaded = threaded
        self.feedCPU = feedCPU
        self.engineCPU = engineCPU
        self.gatewayCPU = gatewayCPU
        self.journalCPU = journalCPU
        self.spin = spin
    }

    /// The plan for the CPUs this process may use. The engine thread gets the CPU that has taken
    /// the fewest device interrupts (`CPU.deviceInterrupts`; the last CPU on a tie): on a VM a
    /// disk completion interrupt costs tens of microseconds, and the journal's syncs make them.
    /// - Four or more CPUs: one each for the feed, engine, gateway and journal threads, all
    ///   spinning.
    /// - Two or three: the engine thread has its CPU to itself and calls the gateway inline; the
    ///   feed and journal threads share another, yielding when idle (docs/engine.md#threads).
    /// - One: nothing is pinned.
    public static func automatic(cpus: [Int] = CPU.available(), interrupts: [Int: UInt64] = CPU.deviceInterrupts()) -> ThreadPlan {
        guard cpus.count >= 2 else { return ThreadPlan() }
        var engine = cpus[cpus.count - 1]
        for cpu in cpus.reversed() where interrupts[cpu, default: 0] < interrupts[engine, default: 0] { engine = cpu }
        let others = cpus.filter { $0 != engine }
        if cpus.count >= 4 {
            return ThreadPlan(feedCPU: others[0], engineCPU: engine, gatewayCPU: others[1], journalCPU: others[2], spin: true)
        }
        var plan = ThreadPlan(feedCPU: others[0], engineCPU: engine, gatewayCPU: nil, journalCPU: others[0], spin: false)
        plan.gatewayThread = false
        return plan
    }

    public var description: String {
        guard threaded else { return "one thread" }
        func cpu(_ c: Int?) -> String { c.map { "CPU \($0)" } ?? "unpinned" }
        let gateway = gatewayThread ? "gateway \(cpu(gatewayCPU))" : "gateway on the engine thread"
        return "feed \(cpu(feedCPU)), engine \(cpu(engineCPU)), \(gateway), journal \(cpu(journalCPU))\(spin ? ", spinning" : ", yielding when idle")\(lockstep ? ", feed in lockstep" : ", feed saturating")"
    }
}

/// What a run did.
public struct RunReport: Sendable {
    public var events = 0
    public var batches = 0
    public var records = 0
    /// Wall time from the first event to the end of `finish` (seconds).
    public var seconds = 0.0
    public var eventsPerSecond: Double { seconds > 0 ? Double(events) / seconds : 0 }
    public var tickToOrder: Histogram<UInt64>
    public var counters: EngineCounters
    public var notes: [String] = []
    /// The feed's error, if decoding stopped early (the run still finishes cleanly).
    public var feedError: FeedError? = nil
}

/// Progress of a long run (called on the engine thread about twice a second).
public struct RunProgress: Sendable {
    public var events: Int
    public var seconds: Double
    public var ordersSent: Int
    public var fills: Int
}

/// Runs a source through an engine: feed decode → SPSC → engine thread → SPSC → gateway thread
/// (threaded plan), or everything in order on the calling thread.
public enum EngineRunner {
    /// Feed → engine ring capacity (events).
    public static let feedRingCapacity = 1 << 16

    /// Creates the gateway ring for an engine that will run threaded.
    public static func makeGatewayRing() throws(RingError) -> SPSCRing<OrderRequest> { try SPSCRing(capacity: 1 << 14) }

    /// Replays `source` through `engine` until the data ends (or `maxEvents`), then `finish`.
    public static func run(
        source: any MarketDataSource, engine: Engine, plan: ThreadPlan, maxEvents: Int = .max, progress: ((RunProgress) -> Void)? = nil
    ) throws -> RunReport {
        let start = MonotonicClock.now()
        var feedError: FeedError? = nil
        engine.start()
        if plan.threaded {
            if plan.gatewayThread && engine.toGateway == nil {
                throw EngineError("a plan with a gateway thread needs an engine made with a gateway ring (EngineRunner.makeGatewayRing)")
            }
            let feed = try SPSCRing<MarketEvent>(capacity: feedRingCapacity)
            let box = FeedBox(source: source)
            let spin = plan.spin
            let lockstep = plan.lockstep
            let feedThread = try PinnedThread(name: "tern-feed", cpu: plan.feedCPU) {
                box.error = feedLoop(source: box.source, ring: feed, maxEvents: maxEvents, spin: spin, lockstep: lockstep)
                feed.halt()
            }
            // Without a ring the engine calls the gateway inline (Engine.handOff).
            var gatewayThread: PinnedThread? = nil
            if let toGateway = engine.toGateway {
                let gatewayBox = GatewayBox(gateway: engine.gateway)
                gatewayThread = try PinnedThread(name: "tern-gateway", cpu: plan.gatewayCPU) {
                    while let request = toGateway.pop(waiting: YieldingWait()) { gatewayBox.gateway.send(request) }
                    while let request = toGateway.tryPop() { gatewayBox.gateway.send(request) }
                }
            }
            if let cpu = plan.engineCPU { try? CPU.pinCurrentThread(to: cpu) }
            engineLoop(engine, feed, spin: spin || plan.engineCPU != nil, start: start, progress: progress)
            feedThread.join()
            engine.finish()
            if let toGateway = engine.toGateway { toGateway.halt() }
            if let thread = consume gatewayThread { thread.join() }
            if let toGateway = engine.toGateway { toGateway.resume() }
            feedError = box.error
        } else {
            var batch = MarketEventBatch()
            var last = start
            loop: while engine.counters.events < maxEvents {
                batch.removeAll()
                do {
                    guard try source.next(into: &batch) else { break }
                } catch {
                    feedError = error
                    break
                }
                batch.stamp(MonotonicClock.now().rawValue)
                for e in batch.events { engine.handle(e) }
                if engine.counters.events & 0x3FF < batch.count { engine.serviceControl() }
                if let progress { reportProgress(engine, batch.count, start, &last, progress) }
                if engine.counters.events >= maxEvents { break loop }
            }
            engine.finish()
        }
        let seconds = Double(MonotonicClock.now().nanoseconds(since: start)) / 1e9
        var notes = source.notes
        let refused = engine.books.reduce(0) { $0 + $1.refused }
        if refused > 0 { notes.append("\(refused) feed event(s) the books refused (orders never added: a sampled or partial file)") }
        return RunReport(
            events: engine.counters.events, batches: engine.counters.batches, records: source.recordsRead, seconds: seconds, tickToOrder: engine.tickToOrder,
            counters: engine.counters, notes: notes, feedError: feedError)
    }

    /// The feed thread: decode a message, stamp its events, push them.
    static func feedLoop(source: any MarketDataSource, ring: SPSCRing<MarketEvent>, maxEvents: Int, spin: Bool, lockstep: Bool) -> FeedError? {
        var batch = MarketEventBatch()
        var sent = 0
        while sent < maxEvents {
            batch.removeAll()
            do {
                guard try source.next(into: &batch) else { return nil }
            } catch {
                return error
            }
            if lockstep {
                while ring.count > 0 {
                    if spin { spinPause() } else { yieldThread() }
                }
            }
            // Stamp, then publish the whole message with one store where the ring has room (in
            // lockstep it always has): an interrupt on this CPU between the stamp and the
            // engine seeing the message would count as tick-to-order.
            batch.stamp(MonotonicClock.now().rawValue)
            let events = batch.events
            var published = 0
            while published < events.count {
                let slots = ring.claim(upTo: events.count &- published)
                if slots.isEmpty {
                    if spin { spinPause() } else { yieldThread() }
                    continue
                }
                for j in 0..<slots.count { (slots.baseAddress! + j).initialize(to: events[published &+ j]) }
                ring.commit(count: slots.count)
                published &+= slots.count
            }
            sent += batch.count
        }
        return nil
    }

    /// Calls `progress` about twice a second: looks at the clock only when the event count
    /// crossed a multiple of 65,536 in the last `handled` events.
    @inline(__always)
    static func reportProgress(_ engine: Engine, _ handled: Int, _ start: Timestamp, _ last: inout Timestamp, _ progress: (RunProgress) -> Void) {
        guard engine.counters.events & 0xFFFF < handled else { return }
        let t = MonotonicClock.now()
        guard t.nanoseconds(since: last) > 500_000_000 else { return }
        last = t
        progress(
            RunProgress(
                events: engine.counters.events, seconds: Double(t.nanoseconds(since: start)) / 1e9, ordersSent: engine.counters.ordersSent,
                fills: engine.counters.fills))
    }

    /// The engine thread: pop and handle until the feed is done and the ring empty.
    static func engineLoop(_ engine: Engine, _ feed: SPSCRing<MarketEvent>, spin: Bool, start: Timestamp, progress: ((RunProgress) -> Void)?) {
        var last = start
        var idle = 0
        var sinceService = 0
        while true {
            let n = feed.drain(maxCount: 256) { engine.handle($0) }
            if n > 0 {
                idle = 0
                sinceService &+= n
                if sinceService >= 1024 {
                    sinceService = 0
                    engine.serviceControl()
                }
                if let progress { reportProgress(engine, n, start, &last, progress) }
                continue
            }
            if feed.isHalted && feed.count == 0 { break }
            idle += 1
            if idle & 1023 == 0 { engine.serviceControl() }
            if spin { spinPause() } else if idle > 64 { yieldThread() } else { spinPause() }
        }
    }
}

/// An error in how the engine was put together.
public struct EngineError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

final class FeedBox: @unchecked Sendable {
    let source: any MarketDataSource
    var error: FeedError? = nil
    init(source: any MarketDataSource) { self.source = source }
}

final class GatewayBox: @unchecked Sendable {
    let gateway: any OrderGateway
    init(gateway: any OrderGateway) { self.gateway = gateway }
}
