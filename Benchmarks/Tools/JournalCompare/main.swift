// journal-compare: TernJournal's engine-thread cost and durable throughput (issue 6; docs/journal.md,
// docs/benchmarks.md#journal), with a plain write + fdatasync loop from the same run as the anchor.
//
//   append       JournalWriter.append of one 64-byte event on the pinned engine thread (the journal
//                thread on the other CPU drains and syncs every 1 ms meanwhile); TSC per call
//   submit       RiskEngine.submit of the risk-compare stream, without and with a RiskJournal
//                recorder: what journaling adds to the order path (encode + append)
//   durable      64-byte events appended as fast as the ring takes them, 1 ms group commit:
//                events / second from the first append until the last is durable (fdatasync'd)
//   plain loop   the anchor: one thread frames the same records (JournalFormat.frame: header, CRC-32C),
//                buffers them, and every 1 ms (or at 1 MiB, the journal's batch size) writes the
//                buffer with pwrite and calls fdatasync, into a pre-allocated file on the same disk
//
// usage: journal-compare [--events N] [--appends N] [--reps N] [--cpu N] [--cpu2 N] [--dir PATH]
//                        [--markdown FILE] [--svg FILE]
import BenchSupport
import Foundation
import TernCore
import TernJournal
import TernRisk
import TernSystem

#if canImport(Glibc)
    import Glibc
#endif

var eventCount = 2_000_000
var appendCount = 200_000
var reps = 3
var cpu: Int? = CPU.available().last
var cpu2: Int? = CPU.available().count > 1 ? CPU.available().first : nil
var dir = ".build/journal-bench"
var markdownPath: String?
var svgPath: String?
var backend = JournalBackendChoice.automatic
var batchBytes = 1 << 20
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--events": eventCount = Int(arguments.next() ?? "") ?? eventCount
    case "--appends": appendCount = Int(arguments.next() ?? "") ?? appendCount
    case "--reps": reps = Int(arguments.next() ?? "") ?? reps
    case "--cpu": cpu = Int(arguments.next() ?? "")
    case "--cpu2": cpu2 = Int(arguments.next() ?? "")
    case "--dir": dir = arguments.next() ?? dir
    case "--markdown": markdownPath = arguments.next()
    case "--svg": svgPath = arguments.next()
    case "--backend": backend = arguments.next() == "pwrite" ? .pwrite : .ioUring
    case "--batch-bytes": batchBytes = Int(arguments.next() ?? "") ?? batchBytes
    default:
        print("usage: journal-compare [--events N] [--appends N] [--reps N] [--cpu N] [--cpu2 N] [--dir PATH] [--markdown FILE] [--svg FILE]")
        exit(2)
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("journal-compare: \(message)\n".utf8))
    exit(1)
}

@MainActor func fresh(_ name: String) -> String {
    let path = dir + "/" + name
    _ = system("rm -rf '\(path)'")
    _ = system("mkdir -p '\(path)'")
    return path
}

let payloadBytes = 64
let groupCommit: Int64 = 1_000_000

if let cpu { try? CPU.pinCurrentThread(to: cpu) }
let calibration = try TSCCalibration.measure()
let overheadTicks = timerOverheadTicks()
@MainActor func ns(_ ticks: UInt64) -> Double { Double(calibration.nanoseconds(forTicks: ticks)) }
@MainActor func percentile(_ sorted: [UInt64], _ q: Double) -> Double { ns(sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))]) }

@MainActor func options(ring: Int = 64 << 20) -> JournalOptions {
    var o = JournalOptions()
    o.sync = .interval(nanoseconds: groupCommit)
    o.ringCapacity = ring
    o.segmentCapacity = 256 << 20
    o.cpu = cpu2
    o.idleSleepNanoseconds = 20_000
    o.backend = backend
    o.batchBytes = batchBytes
    return o
}

let payload = UnsafeMutableRawBufferPointer.allocate(byteCount: payloadBytes, alignment: 8)
for k in 0..<payloadBytes { payload[k] = UInt8(truncatingIfNeeded: k &* 31) }

// MARK: append cost

var appendTicks: [UInt64] = []
var appendRepMedians: [Double] = []
var burstMedians: [Double] = []
for rep in 0..<reps {
    let writer: JournalWriter
    do { writer = try JournalWriter(directory: fresh("append"), options: options()) } catch { fail("open: \(error)") }
    var ticks = [UInt64](repeating: 0, count: appendCount)
    for n in 0..<appendCount {
        payload.storeBytes(of: UInt64(n), as: UInt64.self)
        let a = TSC.readOrdered()
        let s = writer.append(type: JournalEventType.test.rawValue, timestamp: Int64(n), payload: UnsafeRawBufferPointer(payload))
        let b = TSC.readOrdered()
        if s == 0 { fail("append \(n): the ring is full or the writer failed (\(writer.failure.map { "\($0)" } ?? "ring full"))") }
        ticks[n] = b &- a &- min(overheadTicks, b &- a)
    }
    // Amortized: bursts of 64 appends timed together (the per-call numbers sit near the timer's
    // own resolution).
    var bursts: [UInt64] = []
    for b in 0..<(appendCount / 64) {
        let a = TSC.readOrdered()
        for k in 0..<64 {
            payload.storeBytes(of: UInt64(b * 64 + k), as: UInt64.self)
            if writer.append(type: JournalEventType.test.rawValue, timestamp: Int64(k), payload: UnsafeRawBufferPointer(payload)) == 0 {
                fail("append burst: the ring is full or the writer failed")
            }
        }
        let t = TSC.readOrdered()
        bursts.append(t &- a &- min(overheadTicks, t &- a))
    }
    bursts.sort()
    burstMedians.append(percentile(bursts, 0.5) / 64)
    do { try writer.close() } catch { fail("close: \(error)") }
    if writer.durableSequence != UInt64(appendCount + appendCount / 64 * 64) { fail("append: \(writer.durableSequence) durable") }
    var sorted = ticks
    sorted.sort()
    appendRepMedians.append(percentile(sorted, 0.5))
    appendTicks += ticks
    FileHandle.standardError.write(Data("append rep \(rep + 1)/\(reps) (\(writer.backendDescription))\n".utf8))
}
appendTicks.sort()

// MARK: submit with and without the journal

let workload = RiskWorkload.make(count: 100_000)
var submitPlain: [UInt64] = []
var submitJournaled: [UInt64] = []
for rep in 0..<reps {
    for journaled in [false, true] {
        let engine = workload.prepare()
        var journal: RiskJournal? = nil
        if journaled {
            do { journal = RiskJournal(writer: try JournalWriter(directory: fresh("submit"), options: options()), engine: engine, lossPolicy: .tripFirm) } catch {
                fail("open: \(error)")
            }
        }
        for o in workload.orders {
            let a = TSC.readOrdered()
            let d = engine.submit(o, at: o.timestamp)
            let b = TSC.readOrdered()
            let t = b &- a &- min(overheadTicks, b &- a)
            if journaled { submitJournaled.append(t) } else { submitPlain.append(t) }
            if d.isAccepted { RiskWorkload.expire(engine, o, at: o.timestamp) }
        }
        if let journal {
            if journal.lost != 0 { fail("submit: \(journal.lost) records lost") }
            do { try journal.close() } catch { fail("close: \(error)") }
        }
    }
    FileHandle.standardError.write(Data("submit rep \(rep + 1)/\(reps)\n".utf8))
}
submitPlain.sort()
submitJournaled.sort()

// MARK: durable throughput

@MainActor func journalThroughput() -> Double {
    let writer: JournalWriter
    do { writer = try JournalWriter(directory: fresh("durable"), options: options(ring: 16 << 20)) } catch { fail("open: \(error)") }
    let start = MonotonicClock.now().rawValue
    var n = 0
    while n < eventCount {
        payload.storeBytes(of: UInt64(n), as: UInt64.self)
        if writer.append(type: JournalEventType.test.rawValue, timestamp: Int64(n), payload: UnsafeRawBufferPointer(payload)) != 0 {
            n += 1
        } else {
            if writer.health != .running { fail("durable: \(writer.failure.map { "\($0)" } ?? "writer stopped")") }
            // The ring is full: the disk side is the bottleneck. Give the CPU away (on a 2-CPU
            // machine the kernel's writeback and the journal thread need it) rather than spin.
            yieldThread()
        }
    }
    while writer.durableSequence < UInt64(eventCount) {
        if writer.health != .running { fail("durable: \(writer.failure.map { "\($0)" } ?? "writer stopped")") }
        yieldThread()
    }
    let elapsed = MonotonicClock.now().rawValue - start
    do { try writer.close() } catch { fail("close: \(error)") }
    return Double(eventCount) / (Double(elapsed) / 1e9)
}

@MainActor func plainThroughput() -> Double {
    let path = fresh("plain") + "/plain.dat"
    let fd = open(path, O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0o644)
    if fd < 0 { fail("open \(path): errno \(errno)") }
    defer { close(fd) }
    let span = JournalFormat.span(payload: payloadBytes)
    let fileBytes = span * eventCount + (1 << 20)
    if posix_fallocate(fd, 0, off_t(fileBytes)) != 0 { fail("fallocate \(path)") }
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: batchBytes, alignment: 4096)
    defer { buffer.deallocate() }
    var used = 0
    var offset = 0
    var lastFlush = MonotonicClock.now().rawValue
    func flush() {
        var done = 0
        while done < used {
            let w = pwrite(fd, buffer + done, used - done, off_t(offset + done))
            if w < 0 {
                if errno == EINTR { continue }
                fail("pwrite: errno \(errno)")
            }
            done += w
        }
        if fdatasync(fd) != 0 { fail("fdatasync: errno \(errno)") }
        offset += used
        used = 0
    }
    let start = MonotonicClock.now().rawValue
    for n in 0..<eventCount {
        if used + span > batchBytes { flush(); lastFlush = MonotonicClock.now().rawValue }
        let r = buffer + used
        payload.storeBytes(of: UInt64(n), as: UInt64.self)
        (r + 32).copyMemory(from: payload.baseAddress!, byteCount: payloadBytes)
        // The journal's own framing (header, CRC-32C, padding): the same work per record.
        JournalFormat.frame(r, type: JournalEventType.test.rawValue, sequence: UInt64(n + 1), timestamp: Int64(n), payload: payloadBytes)
        used += span
        if n & 63 == 0 {
            let now = MonotonicClock.now().rawValue
            if now - lastFlush >= groupCommit {
                flush()
                lastFlush = now
            }
        }
    }
    flush()
    let elapsed = MonotonicClock.now().rawValue - start
    return Double(eventCount) / (Double(elapsed) / 1e9)
}

var journalRates: [Double] = []
var plainRates: [Double] = []
for rep in 0..<reps {
    journalRates.append(journalThroughput())
    plainRates.append(plainThroughput())
    FileHandle.standardError.write(Data("durable rep \(rep + 1)/\(reps): journal \(Int(journalRates.last!)) /s, plain \(Int(plainRates.last!)) /s\n".utf8))
}
_ = system("rm -rf '\(dir)'")

// MARK: report

let a50 = percentile(appendTicks, 0.5)
let a99 = percentile(appendTicks, 0.99)
let a999 = percentile(appendTicks, 0.999)
let s50 = percentile(submitPlain, 0.5)
let j50 = percentile(submitJournaled, 0.5)
let s99 = percentile(submitPlain, 0.99)
let j99 = percentile(submitJournaled, 0.99)
let jr = median(journalRates)
let pr = median(plainRates)
@MainActor func f(_ v: Double) -> String { String(format: "%.0f", v) }
@MainActor func m(_ v: Double) -> String { String(format: "%.2f M", v / 1e6) }

let machine = cpuModelName()
let report = """
    ## Journal (issue 6): journal-compare

    Measured on \(machine), \(CPU.onlineCount) CPUs (shared VM), engine thread pinned to CPU \(cpu.map(String.init) ?? "-"), \
    journal thread to CPU \(cpu2.map(String.init) ?? "-"); \(reps) reps; 64-byte events; group commit every 1 ms; \
    journal files on \(dir) (the VM's virtual disk).

    | measure | Tern | anchor | goal |
    |---|---:|---:|---|
    | append p50 / p99 / p99.9 (ns) | \(f(a50)) / \(f(a99)) / \(f(a999)) | — | p50 ≤ 100 ns: \(a50 <= 100 ? "met" : "**missed**") |
    | append p50 per rep (ns) | \(appendRepMedians.map(f).joined(separator: ", ")) | | |
    | append amortized over bursts of 64, median burst per rep (ns/event) | \(burstMedians.map { String(format: "%.1f", $0) }.joined(separator: ", ")) | | |
    | submit p50 / p99, not journaled (ns) | \(f(s50)) / \(f(s99)) | | |
    | submit p50 / p99, journaled (ns) | \(f(j50)) / \(f(j99)) | | journaling adds \(f(j50 - s50)) ns at p50 |
    | durable events/s (median of \(reps)) | \(m(jr)) | plain write + fdatasync loop: \(m(pr)) | ≥ 1 M/s: \(jr >= 1e6 ? "met" : "**missed**"); not slower than the loop: \(jr >= pr ? "met" : "**missed**") (ratio \(String(format: "%.2f", jr / pr))) |
    | durable events/s, each rep | \(journalRates.map(m).joined(separator: ", ")) | \(plainRates.map(m).joined(separator: ", ")) | |

    """
print(report)
if let markdownPath {
    do { try report.write(toFile: markdownPath, atomically: true, encoding: .utf8) } catch { fail("write \(markdownPath): \(error)") }
}

if let svgPath {
    // Left: engine-thread cost by percentile; right: durable throughput against the loop.
    let w = 760.0
    let h = 330.0
    var parts: [String] = []
    parts.append("<text x=\"10\" y=\"22\" font-size=\"14\">TernJournal: engine-thread cost (left, lower is better) and durable throughput (right, higher is better)</text>")
    let bars: [(String, [Double])] = [
        ("append", [median(burstMedians), a99, a999]), ("submit", [s50, s99, percentile(submitPlain, 0.999)]),
        ("submit + journal", [j50, j99, percentile(submitJournaled, 0.999)]),
    ]
    let colors = ["#1f77b4", "#2ca02c", "#d62728"]
    let lo = log10(10.0)
    let hi = log10(max(10_000.0, (bars.flatMap { $0.1 }.max() ?? 1000) * 1.5))
    func y(_ v: Double) -> Double { 290 - (log10(max(v, 10)) - lo) / (hi - lo) * 240 }
    for (v, label) in [(10.0, "10 ns"), (100, "100 ns"), (1000, "1 µs"), (10_000, "10 µs"), (100_000, "100 µs")] where log10(v) <= hi {
        parts.append("<line x1=\"60\" x2=\"380\" y1=\"\(y(v))\" y2=\"\(y(v))\" stroke=\"#e5e5e5\"/><text x=\"54\" y=\"\(y(v) + 4)\" text-anchor=\"end\" fill=\"#666\">\(label)</text>")
    }
    parts.append("<line x1=\"60\" x2=\"380\" y1=\"\(y(100))\" y2=\"\(y(100))\" stroke=\"#999\" stroke-dasharray=\"4 3\"/><text x=\"62\" y=\"\(y(100) - 4)\" fill=\"#777\" font-size=\"10\">append goal: p50 ≤ 100 ns</text>")
    for (g, (name, values)) in bars.enumerated() {
        for (k, v) in values.enumerated() {
            let x = 75.0 + Double(g) * 105 + Double(k) * 30
            parts.append("<rect x=\"\(x)\" y=\"\(y(v))\" width=\"26\" height=\"\(290 - y(v))\" fill=\"\(colors[k])\"/><text x=\"\(x + 13)\" y=\"\(y(v) - 3)\" text-anchor=\"middle\" font-size=\"10\">\(f(v))</text>")
        }
        parts.append("<text x=\"\(75.0 + Double(g) * 105 + 43)\" y=\"308\" text-anchor=\"middle\">\(name)</text>")
    }
    for (k, label) in ["p50", "p99", "p99.9"].enumerated() {
        parts.append("<rect x=\"\(70 + k * 60)\" y=\"40\" width=\"10\" height=\"10\" fill=\"\(colors[k])\"/><text x=\"\(84 + k * 60)\" y=\"49\">\(label)</text>")
    }
    let top = max(jr, pr, 1.2e6) * 1.15
    func yr(_ v: Double) -> Double { 290 - v / top * 240 }
    for (k, (name, v)) in [("Tern journal", jr), ("write + fdatasync loop", pr)].enumerated() {
        let x = 470.0 + Double(k) * 130
        parts.append("<rect x=\"\(x)\" y=\"\(yr(v))\" width=\"80\" height=\"\(290 - yr(v))\" fill=\"\(k == 0 ? "#1f77b4" : "#aaaaaa")\"/><text x=\"\(x + 40)\" y=\"\(yr(v) - 4)\" text-anchor=\"middle\">\(m(v))/s</text><text x=\"\(x + 40)\" y=\"308\" text-anchor=\"middle\">\(name)</text>")
    }
    parts.append("<line x1=\"440\" x2=\"740\" y1=\"\(yr(1e6))\" y2=\"\(yr(1e6))\" stroke=\"#999\" stroke-dasharray=\"4 3\"/><text x=\"738\" y=\"\(yr(1e6) - 4)\" text-anchor=\"end\" fill=\"#777\">goal ≥ 1 M durable events/s</text>")
    parts.append("<text x=\"10\" y=\"326\" font-size=\"10\" fill=\"#666\">\(machine), \(CPU.onlineCount) CPUs; 64-byte events, 1 ms group commit; medians of \(reps) reps; append p50 amortized over bursts of 64</text>")
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" font-family=\"sans-serif\" font-size=\"12\"><rect width=\"100%\" height=\"100%\" fill=\"white\"/>"
        + parts.joined() + "</svg>\n"
    do { try svg.write(toFile: svgPath, atomically: true, encoding: .utf8) } catch { fail("write \(svgPath): \(error)") }
}
