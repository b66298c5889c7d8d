// price-compare: Tern's price parser and formatter against strtod, snprintf and Foundation.Decimal,
// in one process, on one pinned CPU, on the same real corpus. Prints the median ns/op of each over
// many rounds and the ratios the goals are stated in (docs/benchmarks.md).
//
// usage: swift run -c release price-compare [--rounds N] [--cpu N] [--svg FILE]
import BenchSupport
import Foundation
import TernCore
import TernSystem

#if canImport(Glibc)
    import Glibc
#endif

var rounds = 31
var cpu: Int? = CPU.available().last
var svgPath: String?
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--rounds": rounds = Int(arguments.next() ?? "") ?? rounds
    case "--cpu": cpu = Int(arguments.next() ?? "")
    case "--svg": svgPath = arguments.next()
    default:
        print("usage: price-compare [--rounds N] [--cpu N] [--svg FILE]")
        exit(2)
    }
}

let corpus = Corpus.load()

struct Row: Sendable {
    let group: String
    let name: String
    /// ns/op of each round.
    let samples: [Double]
    var median: Double { samples.sorted()[samples.count / 2] }
    var best: Double { samples.min()! }
}

/// Everything the measured closures touch, so they need no globals.
struct Comparison: Sendable {
    let corpus: Corpus
    let rounds: Int
    let repeats = 50  // passes over the corpus per round
    let decimalRepeats = 2  // Decimal is slow; fewer passes keep its rounds short

    /// Times `passes` passes of `operation` over `items`, `rounds` times after 3 warm-up passes.
    /// Always inlined, so each `operation` closure is inlined into its own loop.
    @inline(__always)
    func row<C: Collection>(
        _ group: String, _ name: String, over items: C, passes: Int, into results: Results,
        _ operation: (C.Element) -> Int64
    ) -> Row {
        var sink: Int64 = 0
        func run() {
            for _ in 0..<passes {
                for item in items { sink &+= operation(item) }
            }
        }
        for _ in 0..<3 { run() }  // warm caches and branch predictors
        let samples = (0..<rounds).map { _ in
            let start = MonotonicClock.now()
            run()
            return Double(MonotonicClock.now().nanoseconds(since: start)) / Double(items.count * passes)
        }
        results.sink &+= sink  // keep every result alive
        return Row(group: group, name: name, samples: samples)
    }

    func runAll(_ results: Results) {
        let prices = corpus.prices
        let decimals = corpus.texts.map { Decimal(string: $0)! }
        var rows: [Row] = []
        corpus.bytes.withUnsafeBytes { all in
            rows.append(
                row("parse", "Tern Price.parse(utf8:)", over: corpus.spans, passes: repeats, into: results) {
                    (try? Price.parse(utf8: UnsafeRawBufferPointer(rebasing: all[$0.offset..<$0.offset + $0.count])))?
                        .rawValue ?? 0
                })
            let base = all.baseAddress!.assumingMemoryBound(to: CChar.self)
            rows.append(
                row("parse", "glibc strtod", over: corpus.spans, passes: repeats, into: results) {
                    Int64(bitPattern: strtod(base + $0.offset, nil).bitPattern)
                })
        }
        rows.append(
            row("parse", "Tern Price.parse(String)", over: corpus.texts, passes: repeats, into: results) {
                (try? Price.parse($0))?.rawValue ?? 0
            })
        rows.append(
            row("parse", "Foundation Decimal(string:)", over: corpus.texts, passes: decimalRepeats, into: results) {
                Decimal(string: $0) == nil ? 0 : 1
            })
        withUnsafeTemporaryAllocation(byteCount: 64, alignment: 8) { buffer in
            rows.append(
                row("format", "Tern writeDecimal(into:)", over: prices, passes: repeats, into: results) {
                    Int64($0.writeDecimal(into: buffer) ?? 0)
                })
            let chars = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
            rows.append(
                row("format", "glibc snprintf(\"%.9f\")", over: prices, passes: repeats, into: results) { price in
                    Int64(withVaList([Double(price)]) { vsnprintf(chars, 64, "%.9f", $0) })
                })
        }
        rows.append(
            row("format", "Tern description", over: prices, passes: repeats, into: results) {
                Int64($0.description.utf8.count)
            })
        rows.append(
            row("format", "Foundation Decimal.description", over: decimals, passes: decimalRepeats, into: results) {
                Int64($0.description.utf8.count)
            })
        results.rows = rows
    }
}

func machine() -> String {
    let model = cpuModelName()
    var uts = utsname()
    uname(&uts)
    let kernel = withUnsafeBytes(of: &uts.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    #if compiler(>=6.3)
        let compiler = "Swift 6.3+"
    #else
        let compiler = "Swift < 6.3"
    #endif
    return "\(model), \(CPU.onlineCount) CPUs, Linux \(kernel), \(compiler), release build"
}

// Run on a pinned thread so the numbers come from one core.
let results = Results()
let comparison = Comparison(corpus: corpus, rounds: rounds)
do {
    let thread = try PinnedThread(name: "price-compare", cpu: cpu) { comparison.runAll(results) }
    thread.join()
}
let rows = results.rows

print("price-compare: \(machine())")
print(
    "corpus: \(corpus.source); \(rounds) rounds; pinned to CPU \(cpu.map(String.init) ?? "none"); median ns/op (best)")
print("")
func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
func fmt(_ v: Double) -> String { String(format: v < 10 ? "%.2f" : "%.1f", v) }
for group in ["parse", "format"] {
    let subset = rows.filter { $0.group == group }
    let tern = subset[0].median
    print("\(group):")
    for row in subset {
        let ratio = row.median / tern
        print(
            "  \(pad(row.name, 34)) \(pad(fmt(row.median) + " ns", 10)) (\(fmt(row.best)))   \(String(format: "%6.2f", ratio))× Tern's time"
        )
    }
}
let parse = rows.filter { $0.group == "parse" }
let ternParse = parse[0].median
let strtodRatio = parse[1].median / ternParse
let decimalRatio = parse[3].median / ternParse
print("")
print(
    "goal: parse ≥ 5× faster than Decimal(string:): \(String(format: "%.1f", decimalRatio))× → \(decimalRatio >= 5 ? "met" : "NOT met")"
)
print(
    "goal: parse no slower than strtod:             \(String(format: "%.2f", strtodRatio))× → \(strtodRatio >= 1 ? "met" : "NOT met")"
)
if results.sink == 42 { print("") }  // keep the results alive

if let svgPath {
    do {
        try svg(rows: rows, machine: machine()).write(toFile: svgPath, atomically: true, encoding: .utf8)
        print("wrote \(svgPath)")
    } catch {
        print("cannot write \(svgPath): \(error.localizedDescription)")
        exit(1)
    }
}

/// A horizontal bar chart (log scale) of median ns/op, one panel per group.
@MainActor func svg(rows: [Row], machine: String) -> String {
    let width = 760.0
    let left = 250.0
    let barArea = width - left - 90
    let rowHeight = 26.0
    let maxValue = rows.map(\.median).max()!
    let minValue = max(0.5, rows.map(\.median).min()! / 2)
    func x(_ v: Double) -> Double { barArea * log(v / minValue) / log(maxValue / minValue) }
    var y = 68.0
    var body = ""
    for group in ["parse", "format"] {
        body +=
            "<text x=\"10\" y=\"\(y)\" font-weight=\"bold\">\(group == "parse" ? "Parse a decimal text" : "Format a price") (median ns/op, log scale)</text>\n"
        y += 12
        for row in rows where row.group == group {
            let tern = row.name.hasPrefix("Tern")
            let w = max(2, x(row.median))
            body +=
                "<text x=\"\(left - 8)\" y=\"\(y + 16)\" text-anchor=\"end\">\(row.name.replacingOccurrences(of: "\"", with: "&quot;"))</text>\n"
            body +=
                "<rect x=\"\(left)\" y=\"\(y + 4)\" width=\"\(w)\" height=\"17\" fill=\"\(tern ? "#2b7bb9" : "#b0b0b0")\"/>\n"
            body += "<text x=\"\(left + w + 6)\" y=\"\(y + 17)\">\(fmt(row.median)) ns</text>\n"
            y += rowHeight
        }
        y += 22
    }
    let height = y + 10
    return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="13">
        <rect width="100%" height="100%" fill="white"/>
        <text x="10" y="20" font-size="12" fill="#555">\(machine); pinned, median of \(comparison.rounds) rounds</text>
        <text x="10" y="36" font-size="12" fill="#555">corpus: \(corpus.source)</text>
        \(body)</svg>
        """
}

/// Written by the pinned thread, read after `join()` (which orders the two).
final class Results: @unchecked Sendable {
    var rows: [Row] = []
    var sink: Int64 = 0
}
