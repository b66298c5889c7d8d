// risk-compare: TernRisk's full pre-trade check set and kill switch, measured on one pinned CPU
// (issue 5; docs/risk.md, docs/benchmarks.md), with NautilusTrader's RiskEngine from the same run
// beside it as the anchor (compare-risk.sh measures it first and passes its JSON in).
//
//   evaluate   RiskEngine.evaluate: every check, nothing committed
//   submit     RiskEngine.submit: every check, then the accepted order committed as sent
//              (working order, exposure, rate logs, duplicate table); each accepted order is
//              expired again outside the timed region, so 100 orders stay working
//   kill       trip(.firm) on the engine thread until the 1,000 cancels are in the outbox; also
//              trip() on a second pinned thread until the engine thread's poll has emitted them
//
// The world (BenchSupport/RiskWorkload.swift): 1,000 instruments, 10 accounts, 4 strategies, 100
// resting orders; ~90 % of the stream passes, ~10 % is refused, each refusal by one named check. Every
// decision is checked against the reason the order was built to get; a mismatch fails the run.
//
// usage: risk-compare [--orders N] [--reps N] [--kills N] [--cpu N] [--cpu2 N] [--nautilus FILE.json]
//                     [--markdown FILE] [--curve FILE.csv]
import BenchSupport
import Foundation
import Synchronization
import TernCore
import TernRisk
import TernSystem

#if canImport(Glibc)
    import Glibc
#endif

var orderCount = 100_000
var reps = 5
var kills = 200
var cpu: Int? = CPU.available().last
var cpu2: Int? = CPU.available().count > 1 ? CPU.available().first : nil
var nautilusPath: String?
var markdownPath: String?
var curvePath: String?
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--orders": orderCount = Int(arguments.next() ?? "") ?? orderCount
    case "--reps": reps = Int(arguments.next() ?? "") ?? reps
    case "--kills": kills = Int(arguments.next() ?? "") ?? kills
    case "--cpu": cpu = Int(arguments.next() ?? "")
    case "--cpu2": cpu2 = Int(arguments.next() ?? "")
    case "--nautilus": nautilusPath = arguments.next()
    case "--markdown": markdownPath = arguments.next()
    case "--curve": curvePath = arguments.next()
    default:
        print("usage: risk-compare [--orders N] [--reps N] [--kills N] [--cpu N] [--cpu2 N] [--nautilus FILE.json] [--markdown FILE] [--curve FILE.csv]")
        exit(2)
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("risk-compare: \(message)\n".utf8))
    exit(1)
}

let workload = RiskWorkload.make(count: orderCount)
let orders = workload.orders
let kinds = workload.kinds

if let cpu { try? CPU.pinCurrentThread(to: cpu) }
let calibration = try TSCCalibration.measure()
let overheadTicks = timerOverheadTicks()
@MainActor func ns(_ ticks: UInt64) -> Double { Double(calibration.nanoseconds(forTicks: ticks)) }

/// Samples in TSC ticks, pooled over reps, per mode and per kind of order.
var pooled: [String: [Int: [UInt64]]] = ["evaluate": [:], "submit": [:]]
var repMedians: [String: [Double]] = ["evaluate": [], "submit": []]
var ticks = [UInt64](repeating: 0, count: orderCount)
var reasons = [RejectReason](repeating: RejectReason(rawValue: 0), count: orderCount)

@MainActor func record(_ mode: String) {
    var sorted = ticks
    sorted.sort()
    repMedians[mode]!.append(ns(sorted[sorted.count / 2]))
    for n in 0..<orderCount {
        if reasons[n] != kinds[n].expected {
            fail("\(mode): order \(n) (\(kinds[n].name)) got \(reasons[n].name), expected \(kinds[n].expected.name)")
        }
        pooled[mode]![kinds[n].rawValue, default: []].append(ticks[n])
    }
}

for rep in 0..<reps {
    // evaluate: nothing is committed, so one engine serves the whole pass.
    do {
        let engine = workload.prepare()
        for n in 0..<min(2_000, orderCount) { _ = engine.evaluate(orders[n], at: orders[n].timestamp) }  // warm-up
        for n in 0..<orderCount {
            let o = orders[n]
            let a = TSC.readOrdered()
            let d = engine.evaluate(o, at: o.timestamp)
            let b = TSC.readOrdered()
            ticks[n] = b &- a &- min(overheadTicks, b &- a)
            reasons[n] = d.reason
        }
        record("evaluate")
    }
    // submit: check and commit; accepted orders are expired again, untimed.
    do {
        let engine = workload.prepare()
        for n in 0..<orderCount {
            let o = orders[n]
            let a = TSC.readOrdered()
            let d = engine.submit(o, at: o.timestamp)
            let b = TSC.readOrdered()
            ticks[n] = b &- a &- min(overheadTicks, b &- a)
            reasons[n] = d.reason
            if d.isAccepted { RiskWorkload.expire(engine, o, at: o.timestamp) }
        }
        if engine.workingOrderCount != RiskWorkload.restingCount {
            fail("submit: \(engine.workingOrderCount) orders working after the pass, expected \(RiskWorkload.restingCount)")
        }
        record("submit")
    }
    FileHandle.standardError.write(Data("rep \(rep + 1)/\(reps) done\n".utf8))
}

// MARK: Kill switch: 1,000 working orders, trip → 1,000 cancels in the outbox.

let killTarget = 1_000
var killTicks: [UInt64] = []
var killDrainTicks: [UInt64] = []
var crossTicks: [UInt64] = []
do {
    let engine = workload.prepare()
    var now = RiskWorkload.t0.rawValue
    var nextID: UInt64 = 1 << 40
    var cursor = 0
    func fillUp() {
        var n = engine.workingOrderCount
        while n < killTarget {
            let k = kinds[cursor]
            var o = orders[cursor]
            cursor = (cursor + 1) % orderCount
            guard k == .pass else { continue }
            o.clientOrderID = ClientOrderID(rawValue: nextID)
            nextID += 1
            o.timestamp = Timestamp(rawValue: now)
            if engine.submit(o, at: o.timestamp).isAccepted { n += 1 }
            now += 1_000
        }
    }
    /// The venue confirms a cancel.
    func acknowledge(_ c: CancelOrder) {
        engine.apply(
            .cancelAccepted(OrderClosed(
                clientOrderID: c.clientOrderID, originalClientOrderID: c.originalClientOrderID,
                orderID: OrderID(rawValue: c.originalClientOrderID.rawValue), instrumentID: c.instrumentID,
                closedQuantity: Quantity(rawValue: 0), timestamp: Timestamp(rawValue: now))), at: Timestamp(rawValue: now))
    }
    func clear() {
        // The venue confirms every cancel; then an operator re-arms the firm.
        while let c = engine.nextCancel() { acknowledge(c) }
        do {
            try engine.reset(.firm, operator: "bench", reason: "benchmark re-arm", at: Timestamp(rawValue: now))
        } catch {
            fail("reset: \(error)")
        }
        now += 100_000_000  // the cancel-rate window moves on
        workload.quote(engine, at: Timestamp(rawValue: now))
    }
    // Same thread: trip() returns with the cancels emitted.
    for k in 0..<kills {
        fillUp()
        let a = TSC.readOrdered()
        engine.trip(.firm, cause: .manual, actor: "bench", reason: "benchmark", at: Timestamp(rawValue: now))
        let b = TSC.readOrdered()
        if engine.pendingCancelCount != killTarget { fail("kill: \(engine.pendingCancelCount) cancels emitted, expected \(killTarget)") }
        var cancels: [CancelOrder] = []
        cancels.reserveCapacity(killTarget)
        let c0 = TSC.readOrdered()
        while let cancel = engine.nextCancel() { cancels.append(cancel) }
        let c1 = TSC.readOrdered()
        if k > 0 {  // the first trip is the cold one (first event record, first touch of the outbox)
            killTicks.append(b &- a &- min(overheadTicks, b &- a))
            killDrainTicks.append((b &- a) &+ (c1 &- c0) &- min(2 &* overheadTicks, (b &- a) &+ (c1 &- c0)))
        }
        if cancels.count != killTarget { fail("kill: drained \(cancels.count)") }
        for c in cancels { acknowledge(c) }
        clear()
        if engine.workingOrderCount != 0 { fail("kill: \(engine.workingOrderCount) orders still working after the cancel acks") }
    }
    // Another thread trips; the engine thread polls processKillRequests (one atomic load when idle).
    if let cpu2 {
        final class Shared: @unchecked Sendable {
            let go = Atomic<Int>(0)
            let start = Atomic<UInt64>(0)
            let killSwitch: KillSwitch
            init(_ k: KillSwitch) { killSwitch = k }
        }
        let shared = Shared(engine.killSwitch)
        let rounds = kills
        let tripper = Thread {
            try? CPU.pinCurrentThread(to: cpu2)
            for r in 1...rounds {
                while shared.go.load(ordering: .acquiring) != r {}
                let t = TSC.readOrdered()
                shared.start.store(t, ordering: .relaxed)
                _ = shared.killSwitch.trip(.firm, cause: .securityAlert, actor: "soc", reason: "bench", at: RiskWorkload.t0)
            }
        }
        tripper.start()
        for r in 1...rounds {
            fillUp()
            shared.go.store(r, ordering: .releasing)
            let stamp = Timestamp(rawValue: now)
            while engine.pendingCancelCount == 0 { engine.processKillRequests(at: stamp) }
            let b = TSC.readOrdered()
            let a = shared.start.load(ordering: .relaxed)
            if engine.pendingCancelCount != killTarget { fail("cross-thread kill: \(engine.pendingCancelCount) cancels") }
            if r > 1 { crossTicks.append(b > a ? b &- a : 0) }
            clear()
            if engine.workingOrderCount != 0 { fail("cross-thread kill: orders still working") }
        }
    }
}

// MARK: Report

@MainActor func percentile(_ sorted: [UInt64], _ q: Double) -> Double {
    ns(sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))])
}
func fmt(_ x: Double) -> String { x >= 10_000 ? String(format: "%.1f µs", x / 1000) : String(format: "%.0f", x) }

struct Nautilus: Decodable {
    struct Stats: Decodable {
        var p50_ns: Double
        var p99_ns: Double
        var p999_ns: Double
    }
    var version: String
    var orders: Int
    var reps: Int
    var checked: Stats
    var bypassed: Stats
    var checks_p50_ns: Double
}
var nautilus: Nautilus?
if let nautilusPath {
    do {
        nautilus = try JSONDecoder().decode(Nautilus.self, from: Data(contentsOf: URL(fileURLWithPath: nautilusPath)))
    } catch {
        fail("reading \(nautilusPath): \(error)")
    }
}

let host = cpuModelName()
let load = loadAverage()

var lines: [String] = []
lines.append(
    "Machine: \(host), \(CPU.onlineCount) CPUs, engine pinned to CPU \(cpu.map(String.init) ?? "none")"
        + (cpu2.map { ", tripping thread on CPU \($0)" } ?? "") + "; load average \(load).")
lines.append(
    "World: \(RiskWorkload.instrumentCount) instruments, \(RiskWorkload.accountCount) accounts, \(RiskWorkload.strategyCount) strategies, "
        + "\(RiskWorkload.restingCount) resting orders. \(reps) reps × \(orderCount) orders, pooled; rdtsc around each call, "
        + "timer overhead (\(fmt(ns(overheadTicks))) ns) subtracted. Times in ns.")
lines.append("")
var allSorted: [String: [UInt64]] = [:]
for mode in ["evaluate", "submit"] {
    let title = mode == "evaluate" ? "`evaluate` (all checks, nothing committed)" : "`submit` (all checks, then commit as sent)"
    lines.append("**\(title)**; median of the per-rep p50s: \(fmt(median(repMedians[mode]!))) ns")
    lines.append("")
    lines.append("| orders | share | p50 | p99 | p99.9 | p99.99 | max |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|")
    var all: [UInt64] = []
    for k in RiskWorkload.Kind.allCases { all += pooled[mode]![k.rawValue] ?? [] }
    all.sort()
    allSorted[mode] = all
    func row(_ name: String, _ s: [UInt64]) {
        let share = String(format: "%.1f %%", 100 * Double(s.count) / Double(all.count))
        lines.append(
            "| \(name) | \(share) | \(fmt(percentile(s, 0.5))) | \(fmt(percentile(s, 0.99))) | \(fmt(percentile(s, 0.999))) "
                + "| \(fmt(percentile(s, 0.9999))) | \(fmt(ns(s.last!))) |")
    }
    row("**all**", all)
    for k in RiskWorkload.Kind.allCases {
        guard var s = pooled[mode]![k.rawValue], !s.isEmpty else { continue }
        s.sort()
        row(k == .pass ? "accepted" : "refused: \(k.name) (`\(k.expected.name)`)", s)
    }
    lines.append("")
}
killTicks.sort()
killDrainTicks.sort()
crossTicks.sort()
lines.append("**Kill switch**: \(killTarget) working orders, trip of the firm scope until all \(killTarget) cancels are emitted; \(kills - 1) trips each.")
lines.append("")
lines.append("| path | p50 | p99 | max |")
lines.append("|---|---:|---:|---:|")
lines.append("| `trip(.firm)` on the engine thread → \(killTarget) cancels in the outbox | \(fmt(percentile(killTicks, 0.5))) | \(fmt(percentile(killTicks, 0.99))) | \(fmt(ns(killTicks.last!))) |")
lines.append("| the same, plus draining the outbox with `nextCancel()` | \(fmt(percentile(killDrainTicks, 0.5))) | \(fmt(percentile(killDrainTicks, 0.99))) | \(fmt(ns(killDrainTicks.last!))) |")
if !crossTicks.isEmpty {
    lines.append("| `killSwitch.trip` on another CPU → engine thread's poll has emitted \(killTarget) cancels | \(fmt(percentile(crossTicks, 0.5))) | \(fmt(percentile(crossTicks, 0.99))) | \(fmt(ns(crossTicks.last!))) |")
}
lines.append("")

let submitAll = allSorted["submit"]!
let submitAccepted = (pooled["submit"]![RiskWorkload.Kind.pass.rawValue] ?? []).sorted()
let killP50 = percentile(killTicks, 0.5)
lines.append("**Goals** (issue 5) over the whole stream: the check set alone (`evaluate`) and with the commit (`submit`):")
lines.append("")
for (mode, label) in [("evaluate", "`evaluate`"), ("submit", "`submit`")] {
    let p50 = percentile(allSorted[mode]!, 0.5)
    let p999 = percentile(allSorted[mode]!, 0.999)
    lines.append("- \(label) p50 ≤ 150 ns: \(fmt(p50)) ns, \(p50 <= 150 ? "met" : "**missed**"); p99.9 ≤ 1 µs: \(fmt(p999)) ns, \(p999 <= 1000 ? "met" : "**missed**")")
}
lines.append("- kill switch, trip → \(killTarget) cancels emitted ≤ 10 µs: p50 \(fmt(killP50)) ns, \(killP50 <= 10_000 ? "met" : "**missed**")")
if let n = nautilus {
    let accepted = percentile(submitAccepted, 0.5)
    lines.append("")
    lines.append(
        "**NautilusTrader \(n.version)** `RiskEngine.execute(SubmitOrder)`, measured by compare-risk.sh in the same run on the same CPU "
            + "(\(n.reps) × \(n.orders) accepted LIMIT orders, perf_counter_ns, gc off):")
    lines.append("")
    lines.append("| | p50 | p99 | p99.9 |")
    lines.append("|---|---:|---:|---:|")
    lines.append("| checks on (`bypass=False`) | \(fmt(n.checked.p50_ns)) | \(fmt(n.checked.p99_ns)) | \(fmt(n.checked.p999_ns)) |")
    lines.append("| checks bypassed | \(fmt(n.bypassed.p50_ns)) | \(fmt(n.bypassed.p99_ns)) | \(fmt(n.bypassed.p999_ns)) |")
    lines.append("| the checks alone (difference of the p50s) | \(fmt(n.checks_p50_ns)) | | |")
    lines.append("| Tern `submit`, accepted orders | \(fmt(accepted)) | \(fmt(percentile(submitAccepted, 0.99))) | \(fmt(percentile(submitAccepted, 0.999))) |")
    lines.append("")
    lines.append(
        String(
            format: "Ratio at p50: NautilusTrader's checks alone take %.0f× as long as Tern's whole check-and-commit of an accepted order "
                + "(its full `execute` path: %.0f×). NautilusTrader's checks are fewer (precision, range, notional, balance, a submit throttle).",
            n.checks_p50_ns / accepted, n.checked.p50_ns / accepted))
}
let text = lines.joined(separator: "\n") + "\n"
print(text)
if let markdownPath {
    try text.write(toFile: markdownPath, atomically: true, encoding: .utf8)
}
if let curvePath {
    // Latency by percentile for the chart: mode,percentile,ns
    var csv = "series,percentile,ns\n"
    let qs: [Double] = [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999]
    for (name, s) in [("tern evaluate", allSorted["evaluate"]!), ("tern submit", submitAll)] {
        for q in qs { csv += "\(name),\(q),\(percentile(s, q))\n" }
        csv += "\(name),1.0,\(ns(s.last!))\n"
    }
    try csv.write(toFile: curvePath, atomically: true, encoding: .utf8)
}
