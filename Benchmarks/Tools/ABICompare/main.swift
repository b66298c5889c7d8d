// abi-compare: the cost of the C ABI (issue 9). The same risk check and the same single-row
// prediction, called natively from Swift and through libtern.so's exported C functions
// (dlopen + dlsym: what a C caller's PLT call costs), in one process, on one pinned CPU,
// alternating the two in every repetition. Prints the medians and the ratio ABI / native.
//
//   risk check   RiskEngine.evaluate vs tern_risk_check, on one engine each, built from the same
//                files (examples/risk), over a stream of orders of which ~1 in 8 is refused;
//                every decision must agree between the two
//   predict      QuantizedForest.predict vs tern_model_predict on the same model file and the
//                1,000 rows of ../shared/models/data_test.csv; every prediction must be identical
//
// usage: abi-compare LIBTERN_SO MODELS_DIR [--reps N] [--cpu N] [--markdown FILE]
import BenchSupport
import CTern
import Foundation
import TernCore
import TernInference
import TernMarketData
import TernRisk
import TernSystem

#if canImport(Glibc)
    import Glibc
#endif

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("abi-compare: \(message)\n".utf8))
    exit(1)
}

var positional: [String] = []
var reps = 11
var cpu: Int? = CPU.available().last
var markdownPath: String?
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--reps": reps = Int(arguments.next() ?? "") ?? reps
    case "--cpu": cpu = Int(arguments.next() ?? "")
    case "--markdown": markdownPath = arguments.next()
    default: positional.append(argument)
    }
}
guard positional.count == 2 else { fail("usage: abi-compare LIBTERN_SO MODELS_DIR [--reps N] [--cpu N] [--markdown FILE]") }
let (libraryPath, modelsDirectory) = (positional[0], positional[1])
if let cpu { try? CPU.pinCurrentThread(to: cpu) }

// MARK: The C functions, from the shared library

guard let library = dlopen(libraryPath, RTLD_NOW | RTLD_LOCAL) else { fail("dlopen \(libraryPath): \(String(cString: dlerror()))") }
func symbol<T>(_ name: String, as: T.Type) -> T {
    guard let p = dlsym(library, name) else { fail("dlsym \(name): not exported") }
    return unsafeBitCast(p, to: T.self)
}
typealias CreateFromText = @convention(c) (UnsafePointer<CChar>?, Int, UnsafePointer<CChar>?, Int, UnsafeMutablePointer<OpaquePointer?>?) -> tern_status_t
typealias UpdateQuote = @convention(c) (OpaquePointer?, UInt32, tern_price_t, tern_price_t, tern_price_t, Int64) -> tern_status_t
typealias Check = @convention(c) (OpaquePointer?, UnsafePointer<tern_order_t>?, Int64, UnsafeMutablePointer<tern_risk_decision_t>?) -> tern_status_t
typealias LoadFile = @convention(c) (UnsafePointer<CChar>?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> tern_status_t
typealias Predict = @convention(c) (OpaquePointer?, UnsafePointer<Float>?, Int, Int32, UnsafeMutablePointer<Double>?, Int) -> tern_status_t
let cCreate = symbol("tern_risk_create_from_text", as: CreateFromText.self)
let cQuote = symbol("tern_risk_update_quote", as: UpdateQuote.self)
let cCheck = symbol("tern_risk_check", as: Check.self)
let cLoad = symbol("tern_model_load_file", as: LoadFile.self)
let cPredict = symbol("tern_model_predict", as: Predict.self)
let cLastError = symbol("tern_last_error", as: (@convention(c) () -> UnsafePointer<CChar>?).self)

// MARK: Risk: the same configuration on both sides

let limits = try String(contentsOfFile: "../examples/risk/limits.conf", encoding: .utf8)
let instruments = try String(contentsOfFile: "../examples/risk/instruments.csv", encoding: .utf8)
let setup = try RiskSetup.parse(limits: Array(limits.utf8), instruments: Array(instruments.utf8))
let native = try RiskEngine(setup.configuration)
var cRisk: OpaquePointer?
guard cCreate(limits, limits.utf8.count, instruments, instruments.utf8.count, &cRisk) == TERN_OK else { fail(String(cString: cLastError()!)) }
let es = setup.instrument("ESZ6")!
let t0 = Timestamp(rawValue: 1_767_225_600_000_000_000)
let bid = try Price.parse("4500.00"), ask = try Price.parse("4500.25")
native.updateQuote(es, bid: bid, ask: ask, at: t0)
_ = cQuote(cRisk, es.rawValue, bid.rawValue, ask.rawValue, 0, t0.rawValue)

let orderCount = 100_000
var state: UInt64 = 0x5EED
@MainActor func next() -> UInt64 {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return state >> 33
}
let account = setup.account("main")!, strategy = setup.strategy("mm")!
var swiftOrders: [NewOrder] = []
var cOrders: [tern_order_t] = []
for n in 0..<orderCount {
    // Prices within ±24 ticks of the bid (the band is 20 ticks: about 1 in 8 is refused).
    let ticks = Int64(next() % 49) - 24
    let o = NewOrder(
        clientOrderID: ClientOrderID(rawValue: UInt64(n + 1)), instrumentID: es, accountID: account, strategyID: strategy,
        side: next() % 2 == 0 ? .buy : .sell, price: Price(rawValue: bid.rawValue + ticks * 250_000_000),
        quantity: Quantity(rawValue: Int64(1 + next() % 5) * 1_000_000_000), timestamp: t0)
    swiftOrders.append(o)
    var c = tern_order_t()
    c.client_order_id = o.clientOrderID.rawValue
    c.instrument_id = es.rawValue
    c.account_id = account.rawValue
    c.strategy_id = strategy.rawValue
    c.side = o.side.rawValue
    c.order_type = o.orderType.rawValue
    c.time_in_force = o.timeInForce.rawValue
    c.price = o.price.rawValue
    c.quantity = o.quantity.rawValue
    c.timestamp_ns = t0.rawValue
    cOrders.append(c)
}
var nativeReasons = [UInt16](repeating: 0, count: orderCount)
var cReasons = [UInt16](repeating: 0, count: orderCount)

// MARK: Model: the same file on both sides

let modelPath = modelsDirectory + "/xgb_small.json"
let forest = try QuantizedForest(TreeEnsemble.load(bytes: FeedFile.read(path: modelPath)))
let scratch = forest.makeScratch()
var cModel: OpaquePointer?
guard cLoad(modelPath, 0, &cModel) == TERN_OK else { fail(String(cString: cLastError()!)) }
let csv = try String(contentsOfFile: modelsDirectory + "/data_test.csv", encoding: .utf8).split(separator: "\n").dropFirst()
let rows: [Float] = csv.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(forest.featureCount).map { Float($0) ?? .nan } }
let rowCount = rows.count / forest.featureCount
var nativeOut = [Double](repeating: 0, count: rowCount)
var cOut = [Double](repeating: 0, count: rowCount)
let predictPasses = 20  // 20 × 1,000 rows per timed pass

// MARK: Timed passes, alternating

@MainActor func time(_ body: () -> Void) -> Double {
    let a = MonotonicClock.now()
    body()
    return Double(MonotonicClock.now().nanoseconds(since: a))
}
var results: [String: [Double]] = [:]
for rep in 0..<(reps + 1) {
    let checkNative = time {
        swiftOrders.withUnsafeBufferPointer { orders in
            for n in 0..<orderCount { nativeReasons[n] = native.evaluate(orders[n], at: t0).reason.rawValue }
        }
    } / Double(orderCount)
    let checkC = time {
        cOrders.withUnsafeBufferPointer { orders in
            var d = tern_risk_decision_t()
            for n in 0..<orderCount {
                _ = cCheck(cRisk, orders.baseAddress! + n, t0.rawValue, &d)
                cReasons[n] = d.reason
            }
        }
    } / Double(orderCount)
    let predictNative = time {
        rows.withUnsafeBufferPointer { r in
            nativeOut.withUnsafeMutableBufferPointer { out in
                for _ in 0..<predictPasses {
                    for i in 0..<rowCount { forest.predict(r.baseAddress! + i * forest.featureCount, scratch: scratch, into: out.baseAddress! + i) }
                }
            }
        }
    } / Double(rowCount * predictPasses)
    let predictC = time {
        rows.withUnsafeBufferPointer { r in
            cOut.withUnsafeMutableBufferPointer { out in
                for _ in 0..<predictPasses {
                    for i in 0..<rowCount { _ = cPredict(cModel, r.baseAddress! + i * forest.featureCount, forest.featureCount, 0, out.baseAddress! + i, 1) }
                }
            }
        }
    } / Double(rowCount * predictPasses)
    guard nativeReasons == cReasons else { fail("risk decisions differ between Swift and the C ABI") }
    guard nativeOut == cOut else { fail("predictions differ between Swift and the C ABI") }
    if rep == 0 { continue }  // warm-up
    results["check native", default: []].append(checkNative)
    results["check C", default: []].append(checkC)
    results["predict native", default: []].append(predictNative)
    results["predict C", default: []].append(predictC)
}

let refused = nativeReasons.filter { $0 != 0 }.count
var lines: [String] = []
lines.append("Machine: \(cpuModelName()), \(CPU.available().count) CPUs, load average \(loadAverage()); pinned to CPU \(cpu.map(String.init) ?? "none"); \(reps) repetitions, medians.")
lines.append("")
lines.append("| call | native Swift | through libtern.so | ratio (C / Swift) |")
lines.append("|---|---:|---:|---:|")
for (label, key) in [("risk check (`evaluate` / `tern_risk_check`), \(orderCount) orders, \(refused) refused", "check"), ("single-row predict (`predict` / `tern_model_predict`), xgb_small, \(rowCount) rows", "predict")] {
    let n = median(results["\(key) native"]!), c = median(results["\(key) C"]!)
    lines.append("| \(label) | \(String(format: "%.1f", n)) ns | \(String(format: "%.1f", c)) ns | \(String(format: "%.3f", c / n)) |")
}
let text = lines.joined(separator: "\n")
print(text)
if let markdownPath { try (text + "\n").write(toFile: markdownPath, atomically: true, encoding: .utf8) }
