// book-compare: TernMarketData's decode and book-apply costs on the real files (issue 7;
// docs/market-data.md, docs/benchmarks.md#market-data), with the anchors from the same run.
//
//   dbn decode      DBNDecoder.next over the whole CME ESH4 MBO file (decompressed in memory),
//                   ns per record; anchor: databento-dbn's DBNDecoder (Rust via PyO3) on the same
//                   bytes (anchors.py; Python-object creation included, so it is an upper bound)
//   mbo apply       DBNBook.apply of each MBO record (pre-decoded) to an L3Book: mean ns per event
//                   from an untimed-per-event pass, and p50 / p99 / p99.9 per event from TSC reads
//                   around each apply (timer overhead subtracted); goal: mean <= 100 ns.
//                   Anchor: NautilusTrader's L3 OrderBook.apply_delta over the same file's deltas
//   binance decode  BinanceDecoder.decode of every line of the spot capture, ns per line and MB/s;
//                   anchor: Python's json.loads of the same lines (no numbers parsed to decimals)
//
// usage: book-compare [--reps N] [--cpu N] [--python PATH] [--markdown FILE] [--svg FILE]
import BenchSupport
import Foundation
import TernCore
import TernMarketData
import TernSystem

#if canImport(Glibc)
    import Glibc
#endif

var reps = 5
var cpu: Int? = CPU.available().last
var python = "python3"
var markdownPath: String?
var svgPath: String?
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--reps": reps = Int(arguments.next() ?? "") ?? reps
    case "--cpu": cpu = Int(arguments.next() ?? "")
    case "--python": python = arguments.next() ?? python
    case "--markdown": markdownPath = arguments.next()
    case "--svg": svgPath = arguments.next()
    default:
        print("usage: book-compare [--reps N] [--cpu N] [--python PATH] [--markdown FILE] [--svg FILE]")
        exit(2)
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("book-compare: \(message)\n".utf8))
    exit(1)
}

let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../../shared/data").standardized.path
let mboPath = data + "/cme-es-databento/esh4-glbx-mdp3-20231225.mbo.dbn.zst"
let binancePath = data + "/binance-btcusdt-20240808/spot_btcusdt_20240808.jsonl.gz"
guard FileManager.default.fileExists(atPath: mboPath) else { fail("\(data) is missing: the benchmark reads the real files") }

if let cpu { try? CPU.pinCurrentThread(to: cpu) }
let calibration = try TSCCalibration.measure()
let overhead = timerOverheadTicks()
@MainActor func ns(_ ticks: UInt64) -> Double { Double(calibration.nanoseconds(forTicks: ticks)) }
func now() -> UInt64 { UInt64(DispatchTime.now().uptimeNanoseconds) }

let mboBytes: [UInt8]
let binanceBytes: [UInt8]
do {
    mboBytes = try FeedFile.read(path: mboPath)
    binanceBytes = try FeedFile.read(path: binancePath)
} catch { fail("\(error)") }

// MARK: DBN decode
var records: [DBNMBO] = []
var decodeNs: [Double] = []
for rep in 0..<reps {
    let start = now()
    var count = 0
    mboBytes.withUnsafeBytes { raw in
        var decoder = try! DBNDecoder(bytes: raw)
        while let record = try! decoder.next() {
            count &+= 1
            if rep == 0, case .mbo(let m) = record { records.append(m) }
        }
    }
    decodeNs.append(Double(now() - start) / Double(count))
}

// MARK: MBO apply
var applyMeanNs: [Double] = []
var perEvent = [UInt64](repeating: 0, count: records.count)
var finalBest = ""
for _ in 0..<reps {
    let book = L3Book()
    let start = now()
    for r in records { _ = DBNBook.apply(r, to: book) }
    applyMeanNs.append(Double(now() - start) / Double(records.count))
    if finalBest.isEmpty, let b = book.bestBid { finalBest = "\(b.size) @ \(b.price)" }
}
var tails: [[Double]] = []
for _ in 0..<reps {
    let book = L3Book()
    for (i, r) in records.enumerated() {
        let t0 = TSC.readOrdered()
        _ = DBNBook.apply(r, to: book)
        let t1 = TSC.readOrdered()
        perEvent[i] = t1 &- t0 > overhead ? t1 &- t0 &- overhead : 0
    }
    let sorted = perEvent.sorted()
    tails.append([0.5, 0.99, 0.999].map { ns(sorted[min(sorted.count - 1, Int(Double(sorted.count) * $0))]) })
}
let p50 = median(tails.map { $0[0] }), p99 = median(tails.map { $0[1] }), p999 = median(tails.map { $0[2] })

// MARK: Binance decode
var binanceNs: [Double] = []
var lineCount = 0
for _ in 0..<reps {
    var decoder = BinanceDecoder()
    lineCount = 0
    let start = now()
    binanceBytes.withUnsafeBytes { raw in
        try! FeedReplay.forEachLine(raw) { (line, offset) throws(FeedError) in
            _ = try decoder.decode(line: line, offset: offset)
            lineCount &+= 1
        }
    }
    binanceNs.append(Double(now() - start) / Double(lineCount))
}
let binanceMBs = Double(binanceBytes.count) / (median(binanceNs) * Double(lineCount)) * 1e3

// MARK: anchors
struct Anchors: Decodable {
    var python: String
    var dbn_decode_ns: Double
    var nautilus_apply_ns: Double?
    var nautilus: String?
    var nautilus_deltas: Int?
    var nautilus_error: String?
    var json_loads_ns: Double
}
let anchorScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("anchors.py").path
let process = Process()
process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
process.arguments = [python, anchorScript, mboPath, binancePath, String(max(2, reps / 2))]
let pipe = Pipe()
process.standardOutput = pipe
do { try process.run() } catch { fail("cannot run \(python): \(error)") }
let anchorData = pipe.fileHandleForReading.readDataToEndOfFile()
process.waitUntilExit()
guard process.terminationStatus == 0, let anchors = try? JSONDecoder().decode(Anchors.self, from: anchorData) else {
    fail("the anchors failed (\(python) \(anchorScript)); scripts/feed-references.sh's venv has databento-dbn")
}

// MARK: report
func f(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", v) }
let decodeTern = median(decodeNs), applyTern = median(applyMeanNs), binanceTern = median(binanceNs)
let machine = "\(cpuModelName()), \(CPU.onlineCount) CPUs, load average \(loadAverage()); Swift release build, pinned to CPU \(cpu.map(String.init) ?? "none"); anchors: Python \(anchors.python)"
var rows: [(String, String, String, String)] = []
rows.append(("DBN decode (CME ESH4 MBO, \(records.count) records)", "\(f(decodeTern)) ns/record", "databento-dbn DBNDecoder: \(f(anchors.dbn_decode_ns)) ns/record", "\(f(anchors.dbn_decode_ns / decodeTern))× faster"))
if let n = anchors.nautilus_apply_ns {
    rows.append(("MBO apply to L3Book, mean", "\(f(applyTern)) ns/event (goal ≤ 100)", "NautilusTrader \(anchors.nautilus ?? "") OrderBook.apply_delta: \(f(n)) ns/delta", "\(f(n / applyTern))× faster"))
} else {
    rows.append(("MBO apply to L3Book, mean", "\(f(applyTern)) ns/event (goal ≤ 100)", "NautilusTrader not installed (\(anchors.nautilus_error ?? "needs Python ≥ 3.12"))", "—"))
}
rows.append(("MBO apply per event p50 / p99 / p99.9", "\(f(p50)) / \(f(p99)) / \(f(p999)) ns", "", ""))
rows.append(("Binance JSON decode (spot, \(lineCount) lines)", "\(f(binanceTern)) ns/line, \(f(binanceMBs, 0)) MB/s", "Python json.loads: \(f(anchors.json_loads_ns)) ns/line", "\(f(anchors.json_loads_ns / binanceTern))× faster"))

var md = "# Market data: decode and book apply\n\n"
md += "Generated by `Benchmarks/compare-books.sh` (book-compare, median of \(reps) runs). \(machine).\n\n"
md += "| measurement | Tern | anchor (same run) | ratio |\n|---|---|---|---|\n"
for r in rows { md += "| \(r.0) | \(r.1) | \(r.2) | \(r.3) |\n" }
md += "\nThe MBO apply mean is \(applyTern <= 100 ? "within" : "above") the 100 ns goal. The final ESH4 best bid is \(finalBest).\n"
md += "Per-event percentiles come from TSC reads around each apply with the timer overhead (\(f(ns(overhead))) ns) subtracted; the mean comes from a pass without per-event timing.\n"
md += "The Python anchors include building Python objects per record: they bound the decoders' cost from above, and NautilusTrader's number is its Rust book reached through Python calls.\n\n![market data](market-data.svg)\n"
print(md)
if let markdownPath { do { try md.write(toFile: markdownPath, atomically: true, encoding: .utf8) } catch { fail("write \(markdownPath): \(error)") } }

if let svgPath {
    // Horizontal bars, ns per event (log-free; each pair shares a row scale).
    let pairs: [(String, Double, String, Double)] = [
        ("DBN decode", decodeTern, "databento-dbn (Python)", anchors.dbn_decode_ns),
        ("MBO apply", applyTern, "NautilusTrader apply_delta", anchors.nautilus_apply_ns ?? 0),
        ("Binance decode", binanceTern, "json.loads", anchors.json_loads_ns),
    ]
    var parts: [String] = []
    let w = 760.0, rowH = 70.0, left = 200.0
    for (i, p) in pairs.enumerated() {
        let y = 40 + Double(i) * rowH
        let scale = (w - left - 120) / max(p.1, p.3, 1)
        parts.append("<text x=\"10\" y=\"\(y + 14)\" font-weight=\"bold\">\(p.0)</text>")
        parts.append("<rect x=\"\(left)\" y=\"\(y)\" width=\"\(max(1, p.1 * scale))\" height=\"20\" fill=\"#2b7bb9\"/>")
        parts.append("<text x=\"\(left + max(1, p.1 * scale) + 6)\" y=\"\(y + 14)\">Tern \(f(p.1)) ns</text>")
        if p.3 > 0 {
            parts.append("<rect x=\"\(left)\" y=\"\(y + 24)\" width=\"\(p.3 * scale)\" height=\"20\" fill=\"#bbbbbb\"/>")
            parts.append("<text x=\"\(left + p.3 * scale + 6)\" y=\"\(y + 38)\">\(p.2) \(f(p.3)) ns</text>")
        }
    }
    let h = 60 + Double(pairs.count) * rowH
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w + 120))\" height=\"\(Int(h))\" font-family=\"sans-serif\" font-size=\"12\"><rect width=\"100%\" height=\"100%\" fill=\"white\"/>"
        + "<text x=\"10\" y=\"20\">ns per record / event, lower is better (\(cpuModelName()))</text>" + parts.joined() + "</svg>\n"
    do { try svg.write(toFile: svgPath, atomically: true, encoding: .utf8) } catch { fail("write \(svgPath): \(error)") }
}
