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

/// Runs `body` (which performs `operations` operations) `rounds` times; returns ns/op per round.
func measureRounds(_ rounds: Int, operations: Int, _ body: () -> Void) -> [Double] {
    for _ in 0..<3 { body() }  // warm caches and branch predictors
    return (0..<rounds).map { _ in
        let start = MonotonicClock.now()
        body()
        return Double(MonotonicClock.now().nanoseconds(since: start)) / Double(operations)
    }
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

struct Row: Sendable {
    let group: String
    let name: String
    let samples: [Double]
    var median: Double { values.sorted()[values.count / 2] }
    var best: Double { values.min()! }
    var values: [Double] { samples }
}

/// Everything the measured closures touch, so they need no globals.
struct Comparison: Sendable {
    let corpus: Corpus
    let rounds: Int
    let repeats = 50  // passes over the corpus per round

    func runAll(_ results: Results) {
        let prices = corpus.prices
        let n = corpus.spans.count
        var sink: Int64 = 0
        var sinkDouble = 0.0
        func measure(operations: Int, _ body: () -> Void) -> [Double] {
            measureRounds(rounds, operations: operations, body)
        }
        var rows: [Row] = []
        let ops = n * repeats
        corpus.bytes.withUnsafeBytes { all in
            rows.append(
                Row(
                    group: "parse", name: "Tern Price.parse(utf8:)",
                    samples: measure(operations: ops) {
                        var sum: Int64 = 0
                        for _ in 0..<repeats {
                            for (offset, count) in corpus.spans {
                                sum &+=
                                    (try? Price.parse(
                                        utf8: UnsafeRawBufferPointer(rebasing: all[offset..<offset + count])
                                    ).rawValue) ?? 0
                            }
                        }
                        sink &+= sum
                    }))
            let base = all.baseAddress!.assumingMemoryBound(to: CChar.self)
            rows.append(
                Row(
                    group: "parse", name: "glibc strtod",
                    samples: measure(operations: ops) {
                        var sum = 0.0
                        for _ in 0..<repeats {
                            for (offset, _) in corpus.spans { sum += strtod(base + offset, nil) }
                        }
                        sinkDouble += sum
                    }))
        }
        rows.append(
            Row(
                group: "parse", name: "Tern Price.parse(String)",
                samples: measure(operations: n * repeats) {
                    var sum: Int64 = 0
                    for _ in 0..<repeats {
                        for text in corpus.texts { sum &+= (try? Price.parse(text).rawValue) ?? 0 }
                    }
                    sink &+= sum
                }))
        let decimalRepeats = 2  // Decimal(string:) is slow; fewer passes keep the round short
        rows.append(
            Row(
                group: "parse", name: "Foundation Decimal(string:)",
                samples: measure(operations: n * decimalRepeats) {
                    var count = 0
                    for _ in 0..<decimalRepeats {
                        for text in corpus.texts where Decimal(string: text) != nil { count += 1 }
                    }
                    sink &+= Int64(count)
                }))

        withUnsafeTemporaryAllocation(byteCount: 64, alignment: 8) { buffer in
            rows.append(
                Row(
                    group: "format", name: "Tern writeDecimal(into:)",
                    samples: measure(operations: n * repeats) {
                        var total = 0
                        for _ in 0..<repeats {
                            for price in prices { total &+= price.writeDecimal(into: buffer) ?? 0 }
                        }
                        sink &+= Int64(total)
                    }))
            let chars = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
            rows.append(
                Row(
                    group: "format", name: "glibc snprintf(\"%.9f\")",
                    samples: measure(operations: n * repeats) {
                        var total: Int32 = 0
                        for _ in 0..<repeats {
                            for price in prices {
                                total &+= withVaList([Double(price)]) { vsnprintf(chars, 64, "%.9f", $0) }
                            }
                        }
                        sink &+= Int64(total)
                    }))
        }
        rows.append(
            Row(
                group: "format", name: "Tern description",
                samples: measure(operations: n * repeats) {
                    var total = 0
                    for _ in 0..<repeats {
                        for price in prices { total &+= price.description.utf8.count }
                    }
                    sink &+= Int64(total)
                }))
        let decimals = corpus.texts.map { Decimal(string: $0)! }
        rows.append(
            Row(
                group: "format", name: "Foundation Decimal.description",
                samples: measure(operations: n * decimalRepeats) {
                    var total = 0
                    for _ in 0..<decimalRepeats {
                        for d in decimals { total &+= d.description.utf8.count }
                    }
                    sink &+= Int64(total)
                }))
        results.rows = rows
        results.sink = sink &+ Int64(sinkDouble)
    }
}

func machine() -> String {
    let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let model =
        info.split(separator: "\n").first { $0.hasPrefix("model name") }?
        .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
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
