// queue-compare: Tern's rings measured with exactly the method of the C++ anchors
// (Benchmarks/QueueCompare/anchors.cpp). One measurement per process; one line of output.
// Benchmarks/compare-queues.sh runs both programs interleaved, round by round, and prints ratios.
//
//   queue-compare tern tput  <8|64> <messages>    SPSCRing tryPush/tryPop: steady and whole-run rate
//   queue-compare tern batch <8|64> <messages>    SPSCRing claim(upTo: 256)/commit + drain(maxCount: 256)
//   queue-compare tern rtt   <8|64> <samples>     round trip over two SPSCRings: p50/p99/p99.9
//   queue-compare mpsc-lanes|mpsc-cas <producers> <8|64> <messages>   MPSC throughput (see below)
//   queue-compare broadcast-gated|broadcast-lapping <consumers> <8|64> <messages>
//
// Producer (pinger) on CPU $TERN_CPU_A (default 0), consumer (ponger) on $TERN_CPU_B (default 1).
// Capacity 65536; every slot is touched before timing.
//
// `mpsc-cas` is the alternative MPSC design that docs/decisions/0004-mpsc-lanes.md rejected: one
// shared ring whose producers claim a slot by CAS on a 64-bit tail and publish it through a
// per-slot sequence (Vyukov's bounded queue with a single consumer). It lives here, not in the
// library, so the decision can be re-measured on a machine with more cores.

import Glibc
import Synchronization
import TernQueues
import TernSystem

let capacity = 65_536
let window: UInt64 = 16_384

protocol Payload: BitwiseCopyable, SendableMetatype {
    init(_ value: UInt64)
    var first: UInt64 { get }
}

struct P8: Payload {
    var value: UInt64
    init(_ value: UInt64) { self.value = value }
    var first: UInt64 { value }
}

struct P64: Payload {
    var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    init(_ v: UInt64) { words = (v, v, v, v, v, v, v, v) }
    var first: UInt64 { words.0 }
}

// MARK: Harness

func environmentCPU(_ name: String, _ fallback: Int) -> Int {
    guard let value = getenv(name), let cpu = Int(String(cString: value)) else { return fallback }
    return cpu
}
let cpuA = environmentCPU("TERN_CPU_A", 0)
let cpuB = environmentCPU("TERN_CPU_B", 1)

@inline(__always) func nowNanoseconds() -> UInt64 { UInt64(MonotonicClock.now().rawValue) }

/// Timestamps written by one thread and read after the join.
final class Marks: @unchecked Sendable {
    let values: UnsafeMutablePointer<UInt64>
    var count = 0
    init(capacity: Int) { values = .allocate(capacity: capacity) }
    @inline(__always) func append(_ value: UInt64) {
        values[count] = value
        count += 1
    }
    subscript(i: Int) -> UInt64 { values[i] }
}

/// Stamps the time once for every window boundary a thread's message count has reached (the same
/// rule as `WindowClock` in anchors.cpp). A local value, so the per-message check is a compare with
/// a register, not an access to a class property.
struct WindowClock {
    let marks: Marks
    var next: UInt64 = 0
    init(_ marks: Marks) { self.marks = marks }
    @inline(__always) mutating func mark(at position: UInt64) {
        while position >= next {
            marks.append(nowNanoseconds())
            next &+= window
        }
    }
    func finish() { marks.append(nowNanoseconds()) }
}

/// A start barrier for the measured threads.
final class StartLine: Sendable {
    private let arrived = Atomic<Int>(0)
    let parties: Int
    init(parties: Int) { self.parties = parties }
    func wait() {
        arrived.add(1, ordering: .sequentiallyConsistent)
        while arrived.load(ordering: .acquiring) < parties {}
    }
}

final class Box<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

struct UncheckedBody: @unchecked Sendable {
    let run: () -> Void
}

func run(_ bodies: [(cpu: Int?, body: () -> Void)]) {
    func start(_ i: Int) {
        guard i < bodies.count else { return }
        do {
            // Safe: each body only touches rings (thread-safe by design) and Marks/Box values that one
            // thread writes and the main thread reads after the join.
            let body = UncheckedBody(run: bodies[i].body)
            let thread = try PinnedThread(name: "qc-\(i)", cpu: bodies[i].cpu) { body.run() }
            start(i + 1)
            thread.join()
        } catch {
            fatalError("\(error)")
        }
    }
    start(0)
}

func reportThroughput(
    _ name: String, _ test: String, _ payload: Int, messages: UInt64, producer: Marks, consumer: Marks,
    checksum: UInt64, expected: UInt64
) {
    var rates: [Double] = []
    let n = min(producer.count, consumer.count)
    for k in 0..<max(0, n - 1) {
        let dc = Double(consumer[k + 1] - consumer[k])
        let dp = Double(producer[k + 1] - producer[k])
        if dc > 0 && abs(dc - dp) <= dc / 8 { rates.append(Double(window) / dc * 1e3) }
    }
    rates.sort()
    let p50 = rates.isEmpty ? 0 : rates[rates.count / 2]
    let p90 = rates.isEmpty ? 0 : rates[rates.count * 9 / 10]
    let wall = Double(messages) / Double(consumer[consumer.count - 1] - producer[0]) * 1e3
    print(
        "queue=\(name) test=\(test) payload=\(payload) steady_mps=\(fmt(p50)) steady_p90_mps=\(fmt(p90)) "
            + "wall_mps=\(fmt(wall)) steady_windows=\(rates.count) windows=\(n - 1) ok=\(checksum == expected ? 1 : 0)")
}

func fmt(_ x: Double) -> String {
    let scaled = (x * 100).rounded()
    return "\(Int(scaled) / 100).\(String(Int(scaled) % 100).leftPadded(2))"
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

func triangular(_ n: UInt64) -> UInt64 { n % 2 == 0 ? (n / 2) &* (n &- 1) : n &* ((n &- 1) / 2) }

// MARK: SPSC

func warm<P: Payload>(_ ring: SPSCRing<P>) {
    for _ in 0..<2 {
        var i: UInt64 = 0
        while ring.tryPush(P(i)) == .pushed { i += 1 }
        while ring.tryPop() != nil {}
    }
}

func throughput<P: Payload>(_: P.Type, messages: UInt64, payload: Int) throws {
    let ring = try SPSCRing<P>(capacity: capacity)
    warm(ring)
    let windows = Int(messages / window) + 2
    let producerMarks = Marks(capacity: windows)
    let consumerMarks = Marks(capacity: windows)
    let checksum = Box<UInt64>(0)
    let start = StartLine(parties: 2)
    run([
        (
            cpuB,
            {
                start.wait()
                var sum: UInt64 = 0
                var i: UInt64 = 0
                var clock = WindowClock(consumerMarks)
                while i < messages {
                    clock.mark(at: i)
                    while true {
                        if let v = ring.tryPop() {
                            sum &+= v.first
                            break
                        }
                    }
                    i += 1
                }
                clock.finish()
                checksum.value = sum
            }
        ),
        (
            cpuA,
            {
                start.wait()
                var i: UInt64 = 0
                var clock = WindowClock(producerMarks)
                while i < messages {
                    clock.mark(at: i)
                    let v = P(i)
                    while ring.tryPush(v) == .full {}
                    i += 1
                }
                clock.finish()
            }
        ),
    ])
    reportThroughput(
        "tern", "tput", payload, messages: messages, producer: producerMarks, consumer: consumerMarks,
        checksum: checksum.value, expected: triangular(messages))
}

func batchThroughput<P: Payload>(_: P.Type, messages: UInt64, payload: Int) throws {
    let batch = 256
    let ring = try SPSCRing<P>(capacity: capacity)
    warm(ring)
    let windows = Int(messages / window) + 2
    let producerMarks = Marks(capacity: windows + 2)
    let consumerMarks = Marks(capacity: windows + 2)
    let checksum = Box<UInt64>(0)
    let start = StartLine(parties: 2)
    run([
        (
            cpuB,
            {
                start.wait()
                var sum: UInt64 = 0
                var i: UInt64 = 0
                var clock = WindowClock(consumerMarks)
                while i < messages {
                    clock.mark(at: i)
                    i += UInt64(ring.drain(maxCount: batch) { sum &+= $0.first })
                }
                clock.finish()
                checksum.value = sum
            }
        ),
        (
            cpuA,
            {
                start.wait()
                var i: UInt64 = 0
                var clock = WindowClock(producerMarks)
                while i < messages {
                    clock.mark(at: i)
                    let slots = ring.claim(upTo: Int(min(UInt64(batch), messages - i)))
                    for j in slots.indices { slots[j] = P(i + UInt64(j)) }
                    ring.commit(count: slots.count)
                    i += UInt64(slots.count)
                }
                clock.finish()
            }
        ),
    ])
    let n = min(producerMarks.count, consumerMarks.count)
    producerMarks.count = n
    consumerMarks.count = n
    reportThroughput(
        "tern", "batch", payload, messages: messages, producer: producerMarks, consumer: consumerMarks,
        checksum: checksum.value, expected: triangular(messages))
}

func roundTrip<P: Payload>(_: P.Type, samples: Int, payload: Int) throws {
    let ping = try SPSCRing<P>(capacity: capacity)
    let pong = try SPSCRing<P>(capacity: capacity)
    warm(ping)
    warm(pong)
    let warmup = 10_000
    let rtt = Marks(capacity: samples)
    let start = StartLine(parties: 2)
    let calibration = try TSCCalibration.measure(nanoseconds: 20_000_000)
    run([
        (
            cpuB,
            {
                start.wait()
                for _ in 0..<(samples + warmup) {
                    var v: P
                    while true {
                        if let got = ping.tryPop() {
                            v = got
                            break
                        }
                    }
                    while pong.tryPush(v) == .full {}
                }
            }
        ),
        (
            cpuA,
            {
                start.wait()
                for i in 0..<(samples + warmup) {
                    let t0 = TSC.readOrdered()
                    while ping.tryPush(P(UInt64(i))) == .full {}
                    while pong.tryPop() == nil {}
                    let t1 = TSC.readOrdered()
                    if i >= warmup { rtt.append(t1 &- t0) }
                }
            }
        ),
    ])
    var ticks = (0..<rtt.count).map { rtt[$0] }
    ticks.sort()
    func pct(_ p: Double) -> Int64 {
        calibration.nanoseconds(forTicks: ticks[Int(p * Double(ticks.count - 1))])
    }
    print(
        "queue=tern test=rtt payload=\(payload) p50_ns=\(pct(0.5)) p99_ns=\(pct(0.99)) p999_ns=\(pct(0.999)) "
            + "samples=\(ticks.count)")
}

// MARK: MPSC

/// The rejected MPSC design, for the measurement only: a shared ring, producers claim by CAS on a
/// 64-bit tail, publication by a per-slot sequence word (Vyukov), one consumer.
final class CASRing<P: Payload>: @unchecked Sendable {
    let memory: AlignedMemory
    let tail: UnsafeMutablePointer<Atomic<UInt64>>
    let head: UnsafeMutablePointer<UInt64>
    let sequences: UnsafeMutablePointer<Atomic<UInt64>>
    let slots: UnsafeMutablePointer<P>
    let mask: UInt64

    init(capacity: Int) throws {
        let sequenceOffset = 256
        let slotOffset = sequenceOffset + (capacity * 8 + 127) & ~127
        memory = try AlignedMemory(byteCount: slotOffset + capacity * MemoryLayout<P>.stride)
        tail = memory.base.bindMemory(to: Atomic<UInt64>.self, capacity: 1)
        tail.initialize(to: Atomic(0))
        head = (memory.base + 128).bindMemory(to: UInt64.self, capacity: 1)
        head.initialize(to: 0)
        sequences = (memory.base + sequenceOffset).bindMemory(to: Atomic<UInt64>.self, capacity: capacity)
        for i in 0..<capacity { (sequences + i).initialize(to: Atomic(UInt64(i))) }
        slots = (memory.base + slotOffset).bindMemory(to: P.self, capacity: capacity)
        mask = UInt64(capacity - 1)
    }

    @inline(__always) func tryPush(_ value: P) -> Bool {
        var position = tail.pointee.load(ordering: .relaxed)
        while true {
            let sequence = sequences[Int(position & mask)].load(ordering: .acquiring)
            if sequence == position {
                let (exchanged, current) = tail.pointee.weakCompareExchange(
                    expected: position, desired: position &+ 1, ordering: .relaxed)
                if exchanged { break }
                position = current
            } else if sequence < position {
                return false
            } else {
                position = tail.pointee.load(ordering: .relaxed)
            }
        }
        slots[Int(position & mask)] = value
        sequences[Int(position & mask)].store(position &+ 1, ordering: .releasing)
        return true
    }

    @inline(__always) func tryPop() -> P? {
        let position = head.pointee
        let index = Int(position & mask)
        guard sequences[index].load(ordering: .acquiring) == position &+ 1 else { return nil }
        let value = slots[index]
        sequences[index].store(position &+ mask &+ 1, ordering: .releasing)
        head.pointee = position &+ 1
        return value
    }
}

func mpsc<P: Payload>(_: P.Type, design: String, producers: Int, messages: UInt64, payload: Int) throws {
    let perProducer = messages / UInt64(producers)
    let total = perProducer * UInt64(producers)
    let lanes =
        design == "mpsc-lanes" ? try MPSCRing<P>(producers: producers, capacityPerProducer: capacity / producers) : nil
    let shared = design == "mpsc-cas" ? try CASRing<P>(capacity: capacity) : nil
    let windows = Int(total / window) + 2
    let consumerMarks = Marks(capacity: windows)
    let producerMarks = Marks(capacity: windows)  // producer 0's marks, scaled to the total rate
    let checksum = Box<UInt64>(0)
    let start = StartLine(parties: producers + 1)
    var bodies: [(cpu: Int?, body: () -> Void)] = [
        (
            cpuB,
            {
                start.wait()
                // Two copies of the loop, each on a non-optional local: optional chaining on the
                // ring (`lanes?.tryPop()`) retains and releases it per call, and the two threads'
                // refcount traffic on one object header cost 7× the throughput.
                func consume(_ pop: () -> P?) {
                    var sum: UInt64 = 0
                    var i: UInt64 = 0
                    var clock = WindowClock(consumerMarks)
                    while i < total {
                        clock.mark(at: i)
                        while true {
                            if let v = pop() {
                                sum &+= v.first
                                break
                            }
                        }
                        i += 1
                    }
                    clock.finish()
                    checksum.value = sum
                }
                if let lanes { consume { lanes.tryPop() } } else if let shared { consume { shared.tryPop() } }
            }
        )
    ]
    for p in 0..<producers {
        bodies.append(
            (
                producers == 1 ? cpuA : nil,
                {
                    start.wait()
                    func produce(_ push: (P) -> Bool) {
                        var i: UInt64 = 0
                        // Producer 0 stamps at its share of each window of the total.
                        var clock = WindowClock(producerMarks)
                        while i < perProducer {
                            if p == 0 { clock.mark(at: i &* UInt64(producers)) }
                            let v = P(UInt64(p) &* perProducer &+ i)
                            while !push(v) {}
                            i += 1
                        }
                        if p == 0 { clock.finish() }
                    }
                    if let lanes {
                        let handle = lanes.producer(p)
                        produce { handle.tryPush($0) == .pushed }
                    } else if let shared {
                        produce { shared.tryPush($0) }
                    }
                }
            ))
    }
    run(bodies)
    reportThroughput(
        "\(design)-\(producers)p", "tput", payload, messages: total, producer: producerMarks, consumer: consumerMarks,
        checksum: checksum.value, expected: triangular(total))
}

// MARK: Broadcast

func broadcast<P: Payload>(_: P.Type, mode: BroadcastMode, consumers: Int, messages: UInt64, payload: Int) throws {
    let ring = try BroadcastRing<P>(capacity: capacity, consumers: consumers, mode: mode)
    let windows = Int(messages / window) + 2
    let producerMarks = Marks(capacity: windows)
    let consumerMarks = Marks(capacity: windows)  // consumer 0's
    let received = (0..<consumers).map { _ in Box<UInt64>(0) }
    let start = StartLine(parties: consumers + 1)
    var bodies: [(cpu: Int?, body: () -> Void)] = [
        (
            consumers == 1 ? cpuA : nil,
            {
                start.wait()
                var i: UInt64 = 0
                var clock = WindowClock(producerMarks)
                while i < messages {
                    clock.mark(at: i)
                    while ring.tryPush(P(i)) == .full {}
                    i += 1
                }
                clock.finish()
            }
        )
    ]
    for c in 0..<consumers {
        bodies.append(
            (
                consumers == 1 ? cpuB : nil,
                {
                    start.wait()
                    let consumer = ring.consumer(c)
                    var count: UInt64 = 0
                    var clock = WindowClock(consumerMarks)
                    while consumer.position < messages {
                        if c == 0 { clock.mark(at: consumer.position) }
                        if consumer.tryPop() != nil { count += 1 }
                    }
                    if c == 0 { clock.finish() }
                    received[c].value = count
                }
            ))
    }
    run(bodies)
    let lost = (0..<consumers).map { ring.consumer($0).lostCount }
    let name = "broadcast-\(mode == .gated ? "gated" : "lapping")-\(consumers)c"
    let n = min(producerMarks.count, consumerMarks.count)
    producerMarks.count = n
    consumerMarks.count = n
    reportThroughput(
        name, "tput", payload, messages: messages, producer: producerMarks, consumer: consumerMarks,
        checksum: received[0].value + lost[0], expected: messages)
    print("queue=\(name) lost_per_consumer=\(lost.map(String.init).joined(separator: ","))")
}

// MARK: Main

let arguments = CommandLine.arguments
func usage() -> Never {
    print(
        """
        usage: queue-compare tern <tput|batch|rtt> <8|64> <count>
               queue-compare <mpsc-lanes|mpsc-cas> <producers> <8|64> <messages>
               queue-compare <broadcast-gated|broadcast-lapping> <consumers> <8|64> <messages>
        """)
    exit(2)
}
guard arguments.count == 5, let payload = Int(arguments[3]), payload == 8 || payload == 64,
    let count = UInt64(arguments[4])
else { usage() }

do {
    switch (arguments[1], arguments[2]) {
    case ("tern", "tput"):
        payload == 8
            ? try throughput(P8.self, messages: count, payload: 8)
            : try throughput(P64.self, messages: count, payload: 64)
    case ("tern", "batch"):
        payload == 8
            ? try batchThroughput(P8.self, messages: count, payload: 8)
            : try batchThroughput(P64.self, messages: count, payload: 64)
    case ("tern", "rtt"):
        payload == 8
            ? try roundTrip(P8.self, samples: Int(count), payload: 8)
            : try roundTrip(P64.self, samples: Int(count), payload: 64)
    case ("mpsc-lanes", let n), ("mpsc-cas", let n):
        guard let producers = Int(n), producers >= 1 else { usage() }
        payload == 8
            ? try mpsc(P8.self, design: arguments[1], producers: producers, messages: count, payload: 8)
            : try mpsc(P64.self, design: arguments[1], producers: producers, messages: count, payload: 64)
    case ("broadcast-gated", let n), ("broadcast-lapping", let n):
        guard let consumers = Int(n), consumers >= 1 else { usage() }
        let mode: BroadcastMode = arguments[1] == "broadcast-gated" ? .gated : .lapping
        payload == 8
            ? try broadcast(P8.self, mode: mode, consumers: consumers, messages: count, payload: 8)
            : try broadcast(P64.self, mode: mode, consumers: consumers, messages: count, payload: 64)
    default:
        usage()
    }
} catch {
    print("queue-compare: \(error)")
    exit(1)
}
