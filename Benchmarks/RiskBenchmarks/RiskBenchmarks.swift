// TernRisk's check path under ordo-one/benchmark, for the allocation gate (CI checks mallocCountTotal
// against the committed baseline: 0 per order) and a quick look at per-order cost. The latency goals
// and the NautilusTrader comparison live in compare-risk.sh (rdtsc per call, pinned, percentiles).
//
// The world is compare-risk's (BenchSupport/RiskWorkload.swift): 1,000 instruments, 10 accounts,
// 4 strategies, 100 resting orders, every limit configured, a seeded stream of which ~10% is refused
// by seven named checks. Each iteration handles 1,000 orders (scalingFactor .kilo): times are per order.
import BenchSupport
import Benchmark
import TernCore
import TernRisk

/// Orders the timed region accepted, expired again after it (a preallocated buffer: appending
/// allocates nothing).
final class Accepted: @unchecked Sendable {
    let orders = UnsafeMutablePointer<NewOrder>.allocate(capacity: 1_000)
    var count = 0
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        timeUnits: .nanoseconds,
        warmupIterations: 5,
        scalingFactor: .kilo,
        maxDuration: .seconds(1),
        maxIterations: 10_000,
        thresholds: [.mallocCountTotal: .init(absolute: [.p50: 0, .p99: 0])]
    )
    let workload = RiskWorkload.make(count: 10_000)
    let orders = workload.orders

    // Every check, nothing committed: the same 10,000 orders at their own times, over and over.
    let evaluating = workload.prepare()
    nonisolated(unsafe) var cursor = 0
    Benchmark("risk_evaluate") { benchmark in
        var accepted = 0
        for _ in benchmark.scaledIterations {
            let o = orders[cursor]
            cursor = cursor == orders.count - 1 ? 0 : cursor + 1
            accepted &+= evaluating.evaluate(o, at: o.timestamp).isAccepted ? 1 : 0
        }
        blackHole(accepted)
    }

    // Check and commit with fresh client order IDs and a clock 20 µs per order ahead; untimed:
    // fresh quotes before, and the accepted orders expired after (100 orders stay working).
    let submitting = workload.prepare()
    let accepted = Accepted()
    nonisolated(unsafe) var now = RiskWorkload.t0.rawValue
    nonisolated(unsafe) var nextID: UInt64 = 1 << 40
    nonisolated(unsafe) var submitCursor = 0
    Benchmark("risk_submit") { benchmark in
        workload.quote(submitting, at: Timestamp(rawValue: now))
        accepted.count = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var o = orders[submitCursor]
            submitCursor = submitCursor == orders.count - 1 ? 0 : submitCursor + 1
            o.clientOrderID = ClientOrderID(rawValue: nextID)
            nextID &+= 1
            now &+= RiskWorkload.spacing
            o.timestamp = Timestamp(rawValue: now)
            if submitting.submit(o, at: o.timestamp).isAccepted {
                accepted.orders[accepted.count] = o
                accepted.count &+= 1
            }
        }
        benchmark.stopMeasurement()
        for k in 0..<accepted.count { RiskWorkload.expire(submitting, accepted.orders[k], at: Timestamp(rawValue: now)) }
    }

    // A quote on every instrument (reference prices, marks and P&L of the holders).
    let quoting = workload.prepare()
    nonisolated(unsafe) var quoteTime = RiskWorkload.t0.rawValue
    Benchmark("risk_updateQuote") { benchmark in
        for n in benchmark.scaledIterations {
            let i = n % RiskWorkload.instrumentCount
            quoteTime &+= 1_000
            quoting.updateQuote(
                InstrumentID(rawValue: UInt32(i)), bid: Price(rawValue: 100_000_000_000), ask: Price(rawValue: 100_010_000_000),
                at: Timestamp(rawValue: quoteTime))
        }
    }
}
