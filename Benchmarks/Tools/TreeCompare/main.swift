// tree-compare: Tern's QuantizedForest against the fastest native predictors of the same models, in
// one process, on one pinned CPU, interleaved rep by rep (trees.md §2, §7):
//
//   xgb_bin (XGBoost binary:logistic, 300 trees, depth 6): XGBoost's C API (inplace, nthread=1),
//       tl2cgen C (plain and quantize=1, gcc -O3 -march=native)
//   lgb_reg (LightGBM regression, 500 trees, 31 leaves): LightGBM's C API (SingleRowFast / ForMat,
//       1 thread), tl2cgen C (plain and quantize=1), lleaves (LLVM; fblocksize 500 single, 34 batch)
//
// Every predictor gets a float32 row and returns the margin; converting the row to its input type
// (tl2cgen's Entry union, lleaves' doubles) is part of its timed call, as quantizing is part of Tern's.
//
// usage: tree-compare --work DIR [--reps N] [--single N] [--batch N] [--cpu N] [--markdown FILE]
//        [--only tern,lleaves,...]   (a quick look at some predictors; the table then has only those)
// (compare-trees.sh builds DIR with TreeCompare/prepare.py.)
import BenchSupport
import Foundation
import TernInference
import TernSystem

#if canImport(Glibc)
    import Glibc
#endif

var workArgument = ""
var reps = 9
var singleRows = 20_000
var batchRows = 100_000
var cpu: Int? = CPU.available().last
var markdownPath: String?
var only: Set<String>?
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--work": workArgument = arguments.next() ?? ""
    case "--reps": reps = Int(arguments.next() ?? "") ?? reps
    case "--single": singleRows = Int(arguments.next() ?? "") ?? singleRows
    case "--batch": batchRows = Int(arguments.next() ?? "") ?? batchRows
    case "--cpu": cpu = Int(arguments.next() ?? "")
    case "--markdown": markdownPath = arguments.next()
    case "--only": only = Set((arguments.next() ?? "").split(separator: ",").map(String.init))
    default:
        print("usage: tree-compare --work DIR [--reps N] [--single N] [--batch N] [--cpu N] [--markdown FILE] [--only tern,lleaves,...]")
        exit(2)
    }
}
let work = workArgument
guard !work.isEmpty else {
    print("tree-compare: --work DIR is required (run compare-trees.sh)")
    exit(2)
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("tree-compare: \(message)\n".utf8))
    exit(1)
}

struct AnchorInfo: Decodable {
    var rows: Int
    var features: Int
    var libxgboost: String
    var liblightgbm: String
    var versions: [String: String]
}
let info = try JSONDecoder().decode(AnchorInfo.self, from: Data(contentsOf: URL(fileURLWithPath: work + "/anchors.json")))
let featureCount = info.features
batchRows = min(batchRows, info.rows)
singleRows = min(singleRows, info.rows)
let rows: [Float] = {
    let data = try! Data(contentsOf: URL(fileURLWithPath: work + "/rows.f32"))
    return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
}()
func reference(_ name: String) -> [Double] {
    let data = try! Data(contentsOf: URL(fileURLWithPath: "\(work)/\(name).margin.f64"))
    return data.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
}

func open(_ path: String) -> UnsafeMutableRawPointer {
    guard let h = dlopen(path, RTLD_NOW | RTLD_LOCAL) else { fail("dlopen \(path): \(String(cString: dlerror()))") }
    return h
}
func symbol<T>(_ handle: UnsafeMutableRawPointer, _ name: String, as: T.Type) -> T {
    guard let p = dlsym(handle, name) else { fail("dlsym \(name)") }
    return unsafeBitCast(p, to: T.self)
}

/// One predictor: a single-row call (row index → margin) and a batch call (rows → margins).
struct Predictor {
    var model: String
    var name: String
    var detail: String
    var single: (Int) -> Double
    var batch: (Int, UnsafeMutablePointer<Double>) -> Void
}

var predictors: [Predictor] = []
var ternForests: [(name: String, forest: QuantizedForest)] = []

// MARK: Tern
for (name, file) in [("xgb_bin", "xgb_bin.json"), ("lgb_reg", "lgb_reg.txt")] {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(work)/\(file)")))
    let forest = try QuantizedForest(TreeEnsemble.load(bytes: bytes), leafMode: .exact)
    ternForests.append((name, forest))
    nonisolated(unsafe) let scratch = UnsafeMutablePointer<ForestScratch>.allocate(capacity: 1)
    scratch.initialize(to: forest.makeScratch())
    var out = 0.0
    predictors.append(Predictor(
        model: name, name: "tern", detail: "Tern QuantizedForest, exact mode (uint8 codes; AVX-512 top levels where the CPU has them)",
        single: { r in
            rows.withUnsafeBufferPointer { forest.predictMargins($0.baseAddress! + r * featureCount, scratch: scratch.pointee, into: &out) }
            return out
        },
        batch: { n, dst in
            rows.withUnsafeBufferPointer { forest.predictBatch($0.baseAddress!, count: n, scratch: scratch.pointee, into: dst, transformed: false) }
        }))
}

// MARK: XGBoost C API
typealias XGBoosterCreate = @convention(c) (UnsafePointer<OpaquePointer?>?, UInt64, UnsafeMutablePointer<OpaquePointer?>) -> Int32
typealias XGBoosterLoadModel = @convention(c) (OpaquePointer?, UnsafePointer<CChar>) -> Int32
typealias XGBoosterSetParam = @convention(c) (OpaquePointer?, UnsafePointer<CChar>, UnsafePointer<CChar>) -> Int32
typealias XGProxyDMatrixCreate = @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> Int32
typealias XGBoosterPredictFromDense = @convention(c) (
    OpaquePointer?, UnsafePointer<CChar>, UnsafePointer<CChar>, OpaquePointer?,
    UnsafeMutablePointer<UnsafePointer<UInt64>?>, UnsafeMutablePointer<UInt64>, UnsafeMutablePointer<UnsafePointer<Float>?>
) -> Int32
do {
    setenv("OMP_NUM_THREADS", "1", 1)
    let h = open(info.libxgboost)
    var booster: OpaquePointer? = nil
    guard symbol(h, "XGBoosterCreate", as: XGBoosterCreate.self)(nil, 0, &booster) == 0,
        symbol(h, "XGBoosterLoadModel", as: XGBoosterLoadModel.self)(booster, work + "/xgb_bin.json") == 0,
        symbol(h, "XGBoosterSetParam", as: XGBoosterSetParam.self)(booster, "nthread", "1") == 0
    else { fail("XGBoost could not load xgb_bin.json") }
    var proxy: OpaquePointer? = nil
    _ = symbol(h, "XGProxyDMatrixCreate", as: XGProxyDMatrixCreate.self)(&proxy)
    let predict = symbol(h, "XGBoosterPredictFromDense", as: XGBoosterPredictFromDense.self)
    let config = "{\"type\": 1, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, \"strict_shape\": false, \"missing\": NaN}"
    let base = rows.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress!) }
    func call(_ first: Int, _ n: Int) -> UnsafePointer<Float> {
        let interface = "{\"data\": [\(base + UInt(first * featureCount * 4)), true], \"shape\": [\(n), \(featureCount)], \"typestr\": \"<f4\", \"version\": 3}"
        var shape: UnsafePointer<UInt64>? = nil
        var dim: UInt64 = 0
        var result: UnsafePointer<Float>? = nil
        guard predict(booster, interface, config, proxy, &shape, &dim, &result) == 0, let result else { fail("XGBoost predict failed") }
        return result
    }
    predictors.append(Predictor(
        model: "xgb_bin", name: "xgboost-capi", detail: "XGBoosterPredictFromDense, proxy DMatrix, nthread=1",
        single: { r in Double(call(r, 1)[0]) },
        batch: { n, dst in
            let p = call(0, n)
            for i in 0..<n { dst[i] = Double(p[i]) }
        }))
}

// MARK: LightGBM C API
typealias LGBMCreate = @convention(c) (UnsafePointer<CChar>, UnsafeMutablePointer<Int32>, UnsafeMutablePointer<OpaquePointer?>) -> Int32
typealias LGBMFastInit = @convention(c) (OpaquePointer?, Int32, Int32, Int32, Int32, Int32, UnsafePointer<CChar>, UnsafeMutablePointer<OpaquePointer?>) -> Int32
typealias LGBMFast = @convention(c) (OpaquePointer?, UnsafeRawPointer, UnsafeMutablePointer<Int64>, UnsafeMutablePointer<Double>) -> Int32
typealias LGBMForMat = @convention(c) (
    OpaquePointer?, UnsafeRawPointer, Int32, Int32, Int32, Int32, Int32, Int32, Int32, UnsafePointer<CChar>,
    UnsafeMutablePointer<Int64>, UnsafeMutablePointer<Double>
) -> Int32
do {
    let h = open(info.liblightgbm)
    var booster: OpaquePointer? = nil
    var iterations: Int32 = 0
    guard symbol(h, "LGBM_BoosterCreateFromModelfile", as: LGBMCreate.self)(work + "/lgb_reg.txt", &iterations, &booster) == 0
    else { fail("LightGBM could not load lgb_reg.txt") }
    var fast: OpaquePointer? = nil
    // predict_type 1 = raw score; data_type 0 = float32.
    guard symbol(h, "LGBM_BoosterPredictForMatSingleRowFastInit", as: LGBMFastInit.self)(
        booster, 1, 0, -1, 0, Int32(featureCount), "num_threads=1", &fast) == 0
    else { fail("LightGBM SingleRowFastInit failed") }
    let single = symbol(h, "LGBM_BoosterPredictForMatSingleRowFast", as: LGBMFast.self)
    let forMat = symbol(h, "LGBM_BoosterPredictForMat", as: LGBMForMat.self)
    var out = 0.0
    var length: Int64 = 0
    predictors.append(Predictor(
        model: "lgb_reg", name: "lightgbm-capi", detail: "PredictForMatSingleRowFast / PredictForMat, 1 thread",
        single: { r in
            rows.withUnsafeBufferPointer { _ = single(fast, $0.baseAddress! + r * featureCount, &length, &out) }
            return out
        },
        batch: { n, dst in
            rows.withUnsafeBufferPointer {
                _ = forMat(booster, $0.baseAddress!, 0, Int32(n), Int32(featureCount), 1, 1, 0, -1, "num_threads=1", &length, dst)
            }
        }))
}

// MARK: tl2cgen (Entry union: 4-byte float for XGBoost's float thresholds, 8-byte double for LightGBM's)
typealias TLPredictF = @convention(c) (UnsafeMutableRawPointer, Int32, UnsafeMutablePointer<Float>) -> Void
typealias TLPredictD = @convention(c) (UnsafeMutableRawPointer, Int32, UnsafeMutablePointer<Double>) -> Void
for model in ["xgb_bin", "lgb_reg"] {
    for variant in ["tl2cgen", "tl2cgen-quantize"] {
        let h = open("\(work)/lib\(variant)_\(model).so")
        let entry = model == "xgb_bin" ? 4 : 8
        let data = UnsafeMutableRawPointer.allocate(byteCount: featureCount * entry, alignment: 8)
        @inline(__always) func fill(_ row: UnsafePointer<Float>) {
            for j in 0..<featureCount {
                let x = row[j]
                if x.isNaN {
                    data.storeBytes(of: Int32(-1), toByteOffset: j * entry, as: Int32.self)
                } else if entry == 4 {
                    data.storeBytes(of: x, toByteOffset: j * 4, as: Float.self)
                } else {
                    data.storeBytes(of: Double(x), toByteOffset: j * 8, as: Double.self)
                }
            }
        }
        let detail = "\(variant == "tl2cgen" ? "tl2cgen C" : "tl2cgen C, quantize=1"), gcc -O3 -march=native"
        if entry == 4 {
            let predict = symbol(h, "predict", as: TLPredictF.self)
            var out: Float = 0
            let single: (Int) -> Double = { r in
                rows.withUnsafeBufferPointer { fill($0.baseAddress! + r * featureCount) }
                out = 0
                predict(data, 1, &out)
                return Double(out)
            }
            predictors.append(Predictor(model: model, name: variant, detail: detail, single: single,
                batch: { n, dst in for r in 0..<n { dst[r] = single(r) } }))
        } else {
            let predict = symbol(h, "predict", as: TLPredictD.self)
            var out = 0.0
            let single: (Int) -> Double = { r in
                rows.withUnsafeBufferPointer { fill($0.baseAddress! + r * featureCount) }
                out = 0
                predict(data, 1, &out)
                return out
            }
            predictors.append(Predictor(model: model, name: variant, detail: detail, single: single,
                batch: { n, dst in for r in 0..<n { dst[r] = single(r) } }))
        }
    }
}

// MARK: lleaves (forest_root(double* rows, double* out, int start, int end); raw score)
typealias ForestRoot = @convention(c) (UnsafePointer<Double>, UnsafeMutablePointer<Double>, Int32, Int32) -> Void
do {
    let singleRoot = symbol(open("\(work)/liblleaves_single.so"), "forest_root", as: ForestRoot.self)
    let batchRoot = symbol(open("\(work)/liblleaves_batch.so"), "forest_root", as: ForestRoot.self)
    let row = UnsafeMutablePointer<Double>.allocate(capacity: featureCount)
    let all = UnsafeMutablePointer<Double>.allocate(capacity: batchRows * featureCount)
    var out = 0.0
    predictors.append(Predictor(
        model: "lgb_reg", name: "lleaves", detail: "lleaves 1.3 LLVM object, fblocksize 500 (single) / 34 (batch)",
        single: { r in
            rows.withUnsafeBufferPointer { p in for j in 0..<featureCount { row[j] = Double(p[r * featureCount + j]) } }
            singleRoot(row, &out, 0, 1)
            return out
        },
        batch: { n, dst in
            rows.withUnsafeBufferPointer { p in for i in 0..<(n * featureCount) { all[i] = Double(p[i]) } }
            batchRoot(all, dst, 0, Int32(n))
        }))
}

// MARK: Correctness: every predictor's batch margins against the library's own.
var maxDiff: [String: Double] = [:]
let references = ["xgb_bin": reference("xgb_bin"), "lgb_reg": reference("lgb_reg")]
if let only { predictors = predictors.filter { only.contains($0.name) } }
for p in predictors {
    let out = UnsafeMutablePointer<Double>.allocate(capacity: batchRows)
    p.batch(batchRows, out)
    var worst = 0.0
    for i in 0..<batchRows { worst = max(worst, abs(out[i] - references[p.model]![i])) }
    for r in Swift.stride(from: 0, to: min(singleRows, 2000), by: 7) {
        worst = max(worst, abs(p.single(r) - references[p.model]![r]))
    }
    maxDiff["\(p.model)/\(p.name)"] = worst
    out.deallocate()
}

// MARK: Timing, interleaved rep by rep on one pinned CPU.
if let cpu { try? CPU.pinCurrentThread(to: cpu) }
let calibration = try TSCCalibration.measure()
let overheadTicks = timerOverheadTicks()
struct Sample { var p50: Double; var p99: Double; var mean: Double; var rowsPerSecond: Double }
var samples: [String: [Sample]] = [:]
var ticks = [UInt64](repeating: 0, count: singleRows)
let batchOut = UnsafeMutablePointer<Double>.allocate(capacity: batchRows)
var sink = 0.0
for rep in 0..<reps {
    // Rotate the order each rep so that no predictor always runs right after another.
    let order = (0..<predictors.count).map { (rep + $0) % predictors.count }
    for i in order {
        let p = predictors[i]
        for r in 0..<min(200, singleRows) { sink += p.single(r) }  // warm-up
        for r in 0..<singleRows {
            let a = TSC.readOrdered()
            sink += p.single(r)
            let b = TSC.readOrdered()
            ticks[r] = b &- a &- min(overheadTicks, b &- a)
        }
        let sorted = ticks.sorted()
        func ns(_ t: UInt64) -> Double { Double(calibration.nanoseconds(forTicks: t)) }
        let mean = Double(calibration.nanoseconds(forTicks: ticks.reduce(0, &+))) / Double(singleRows)
        let start = MonotonicClock.now()
        p.batch(batchRows, batchOut)
        let seconds = Double(MonotonicClock.now().nanosecondsSinceEpoch - start.nanosecondsSinceEpoch) / 1e9
        sink += batchOut[0]
        samples["\(p.model)/\(p.name)", default: []].append(Sample(
            p50: ns(sorted[singleRows / 2]), p99: ns(sorted[singleRows * 99 / 100]), mean: mean,
            rowsPerSecond: Double(batchRows) / seconds))
    }
    FileHandle.standardError.write(Data("rep \(rep + 1)/\(reps) done\n".utf8))
}

var lines: [String] = []
let host = cpuModelName()
let load = loadAverage()
lines.append("Machine: \(host), \(CPU.onlineCount) CPUs, pinned to CPU \(cpu.map(String.init) ?? "none"); load average \(load).")
lines.append("Medians over \(reps) interleaved reps; single-row latency over \(singleRows) distinct rows per rep (rdtsc, overhead subtracted); batch = \(batchRows) rows, one thread.")
lines.append("Anchors: " + info.versions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ".")
lines.append("")
lines.append("| model | predictor | p50 ns | p99 ns | mean ns | batch rows/s | max abs diff vs library | p50 / best anchor p50 | batch / best anchor batch |")
lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
// Models with Tern and at least one anchor among the predictors run (all of them unless --only).
let models = ["xgb_bin", "lgb_reg"].filter { m in
    predictors.contains { $0.model == m && $0.name == "tern" } && predictors.contains { $0.model == m && $0.name != "tern" }
}
for model in models {
    let names = predictors.filter { $0.model == model }.map(\.name)
    func stat(_ n: String, _ f: (Sample) -> Double) -> Double { median(samples["\(model)/\(n)"]!.map(f)) }
    let anchors = names.filter { $0 != "tern" }
    let bestP50 = anchors.map { stat($0, \.p50) }.min()!
    let bestBatch = anchors.map { stat($0, \.rowsPerSecond) }.max()!
    for n in names {
        let p50 = stat(n, \.p50)
        let rps = stat(n, \.rowsPerSecond)
        lines.append("| \(model) | \(n) | \(Int(p50.rounded())) | \(Int(stat(n, \.p99).rounded())) | \(Int(stat(n, \.mean).rounded())) | \(Int(rps.rounded())) | \(String(format: "%.3g", maxDiff["\(model)/\(n)"]!)) | \(String(format: "%.2f", p50 / bestP50)) | \(String(format: "%.2f", rps / bestBatch)) |")
    }
}
lines.append("")
for model in models {
    func stat(_ n: String, _ f: (Sample) -> Double) -> Double { median(samples["\(model)/\(n)"]!.map(f)) }
    let anchors = predictors.filter { $0.model == model && $0.name != "tern" }.map(\.name)
    let best = anchors.min { stat($0, \.p50) < stat($1, \.p50) }!
    let bestBatch = anchors.max { stat($0, \.rowsPerSecond) < stat($1, \.rowsPerSecond) }!
    let p50 = stat("tern", \.p50)
    lines.append("\(model): Tern p50 = \(String(format: "%.2f", p50 / stat(best, \.p50)))× \(best) (goal ≤ 0.5×); Tern p99/p50 = \(String(format: "%.2f", stat("tern", \.p99) / p50)) (goal ≤ 1.5); batch = \(String(format: "%.2f", stat("tern", \.rowsPerSecond) / stat(bestBatch, \.rowsPerSecond)))× \(bestBatch).")
}
// MARK: Breakdown of Tern's single-row time (quantize vs walk + sum), for tuning: p50 / p99 of
// each over the distinct rows, and of the whole call on one row repeated (the machine's own
// spread, with no row-to-row variation).
for (name, forest) in ternForests {
    let scratch = forest.makeScratch()
    var out = 0.0
    var q: [Double] = []
    var w: [Double] = []
    var same: [Double] = []
    rows.withUnsafeBufferPointer { p in
        for r in 0..<singleRows {
            let a = TSC.readOrdered()
            forest.quantize(p.baseAddress! + r * featureCount, into: scratch.codes.baseAddress!)
            let b = TSC.readOrdered()
            forest.margins(scratch: scratch, into: &out)
            let c = TSC.readOrdered()
            q.append(Double(calibration.nanoseconds(forTicks: b - a)))
            w.append(Double(calibration.nanoseconds(forTicks: c - b)))
        }
        for _ in 0..<singleRows {
            let a = TSC.readOrdered()
            forest.predictMargins(p.baseAddress!, scratch: scratch, into: &out)
            let b = TSC.readOrdered()
            same.append(Double(calibration.nanoseconds(forTicks: b - a)))
        }
    }
    func spread(_ v: [Double]) -> String {
        let s = v.sorted()
        return "p50 \(Int(s[s.count / 2])) / p99 \(Int(s[s.count * 99 / 100])) ns"
    }
    lines.append("\(name) breakdown: quantize \(spread(q)), walk+sum \(spread(w)); one row repeated \(spread(same)) (the machine's own spread).")
}
let text = lines.joined(separator: "\n")
print(text)
if let markdownPath { try text.write(toFile: markdownPath, atomically: true, encoding: .utf8) }
if sink == 42.4242 { print(sink) }

