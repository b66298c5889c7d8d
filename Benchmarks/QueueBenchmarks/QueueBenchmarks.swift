// Single-thread costs of every ring operation, and their allocation counts (ordo-one/benchmark).
// Each iteration moves 1,000 messages through the ring (scalingFactor .kilo), so times are per
// message. Cross-core numbers live in compare-queues.sh; these exist for the allocation gate
// (CI checks mallocCountTotal against the committed baseline: 0 per message) and for a quick look
// at the instruction-level cost of each API.
//
// Names: <ring>_<operation>_<payload>.
import Benchmark
import TernQueues
import TernSystem

struct Message64: BitwiseCopyable {
    var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    init(_ v: UInt64) { words = (v, v, v, v, v, v, v, v) }
}

/// Keeps a byte ring's memory mapped for as long as the benchmarks that use it (a `ByteRing` is only
/// a view of caller memory).
final class OwnedByteRing: @unchecked Sendable {
    let memory: AlignedMemory
    let ring: ByteRing
    init(capacity: Int) throws {
        memory = try AlignedMemory(byteCount: ByteRing.byteCount(capacity: capacity))
        ring = try ByteRing(formatting: memory.buffer)
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        timeUnits: .nanoseconds,
        warmupIterations: 10,
        scalingFactor: .kilo,
        maxDuration: .seconds(1),
        maxIterations: 100_000,
        thresholds: [.mallocCountTotal: .init(absolute: [.p50: 0, .p99: 0])]
    )

    // The rings are created once, outside the measured closures.
    let spsc8 = try! SPSCRing<UInt64>(capacity: 1024)
    let spsc64 = try! SPSCRing<Message64>(capacity: 1024)
    let mpsc = try! MPSCRing<Message64>(producers: 4, capacityPerProducer: 1024)
    let producers = (0..<4).map { mpsc.producer($0) }
    let gated = try! BroadcastRing<Message64>(capacity: 1024, consumers: 2, mode: .gated)
    let lapping = try! BroadcastRing<Message64>(capacity: 1024, consumers: 2, mode: .lapping)
    let owned = try! OwnedByteRing(capacity: 1 << 16)

    Benchmark("spsc_pushPop_8B") { benchmark in
        var sum: UInt64 = 0
        for i in benchmark.scaledIterations {
            _ = spsc8.tryPush(UInt64(i))
            sum &+= spsc8.tryPop() ?? 0
        }
        blackHole(sum)
    }

    Benchmark("spsc_pushPop_64B") { benchmark in
        var sum: UInt64 = 0
        for i in benchmark.scaledIterations {
            _ = spsc64.tryPush(Message64(UInt64(i)))
            sum &+= spsc64.tryPop()?.words.0 ?? 0
        }
        blackHole(sum)
    }

    Benchmark("spsc_claimCommitDrain_64B") { benchmark in
        var sum: UInt64 = 0
        var remaining = benchmark.scaledIterations.count
        while remaining > 0 {
            let slots = spsc64.claim(upTo: min(64, remaining))
            for j in slots.indices { slots[j] = Message64(UInt64(j)) }
            spsc64.commit(count: slots.count)
            remaining -= spsc64.drain(maxCount: 64) { sum &+= $0.words.0 }
        }
        blackHole(sum)
    }

    Benchmark("mpsc_pushPop_64B") { benchmark in
        var sum: UInt64 = 0
        for i in benchmark.scaledIterations {
            _ = producers[i & 3].tryPush(Message64(UInt64(i)))
            sum &+= mpsc.tryPop()?.words.0 ?? 0
        }
        blackHole(sum)
    }

    Benchmark("broadcast_gated_pushPop2_64B") { benchmark in
        var sum: UInt64 = 0
        let a = gated.consumer(0)
        let b = gated.consumer(1)
        for i in benchmark.scaledIterations {
            _ = gated.tryPush(Message64(UInt64(i)))
            sum &+= (a.tryPop()?.words.0 ?? 0) &+ (b.tryPop()?.words.0 ?? 0)
        }
        blackHole(sum)
    }

    Benchmark("broadcast_lapping_pushPop2_64B") { benchmark in
        var sum: UInt64 = 0
        let a = lapping.consumer(0)
        let b = lapping.consumer(1)
        for i in benchmark.scaledIterations {
            _ = lapping.tryPush(Message64(UInt64(i)))
            sum &+= (a.tryPop()?.words.0 ?? 0) &+ (b.tryPop()?.words.0 ?? 0)
        }
        blackHole(sum)
    }

    Benchmark("byteRing_claimCommitRead_32B") { benchmark in
        let bytes = owned.ring
        var total = 0
        for i in benchmark.scaledIterations {
            if case .claimed(let claim) = bytes.tryClaim(type: 1, length: 32) {
                claim.body.storeBytes(of: UInt64(i), as: UInt64.self)
                bytes.commit(claim)
            }
            total &+= (try? bytes.read(limit: 1) { _, body in total &+= body.count }) ?? 0
        }
        blackHole(total)
    }
}
