import Foundation
import TernInference
import Testing

/// Models trained by the real libraries in CI (scripts/model-fixtures.sh writes them into the folder
/// named by TERN_MODEL_FIXTURES): categorical splits on raw floats, more objectives, DART, LightGBM's
/// missing types and average_output, uint16 codes, CatBoost RMSE and MultiClass.
@Suite("Models trained by the libraries in CI (TERN_MODEL_FIXTURES)")
struct GeneratedModelTests {
    struct Entry: Decodable, Sendable, CustomStringConvertible {
        var name: String
        var file: String
        var library: String
        var outputs: Int
        var predictions: Int
        var description: String { name }
    }

    static let folder: URL? = ProcessInfo.processInfo.environment["TERN_MODEL_FIXTURES"].map { URL(fileURLWithPath: $0) }

    static let entries: [Entry] = {
        guard let folder, let data = try? Data(contentsOf: folder.appendingPathComponent("manifest.json")) else { return [] }
        struct Manifest: Decodable { var models: [Entry] }
        return (try? JSONDecoder().decode(Manifest.self, from: data).models) ?? []
    }()

    @Test("the fixture folder is present when CI asks for it")
    func present() {
        if ProcessInfo.processInfo.environment["CI"] != nil || Self.folder != nil {
            #expect(!Self.entries.isEmpty, "TERN_MODEL_FIXTURES must name a folder made by scripts/model-fixtures.sh")
        }
    }

    @Test("leaf ids, exact margins and outputs equal the library's", arguments: entries)
    func model(_ entry: Entry) throws {
        let folder = try #require(Self.folder)
        let model = try TreeEnsemble.load(bytes: readModelFile(folder.appendingPathComponent(entry.file)))
        let forest = try QuantizedForest(model)
        let quantized = try QuantizedForest(model, leafMode: .quantized)
        let rows = try NumberTable(folder.appendingPathComponent("\(entry.name).rows.csv")).rows.map { $0.map(Float.init) }
        let predicted = try NumberTable(folder.appendingPathComponent("\(entry.name).pred.csv"))
        let leaves = try NumberTable(folder.appendingPathComponent("\(entry.name).leaf.csv"))
        #expect(model.outputCount == entry.outputs)
        let float32 = model.library == .xgboost
        let scratch = forest.makeScratch()
        let qs = quantized.makeScratch()
        // CatBoost's MultiClass probabilities come from its own vectorized fast exp (FastExpInplace),
        // not libm's: Tern's softmax with libm exp lands within a few ulp (docs/inference.md).
        var tolerance: UInt64 = 1
        if model.library == .catboost, case .softmax = model.transform { tolerance = 8 }
        var failures: [String] = []
        for (r, row) in rows.enumerated() {
            let got = forest.evaluate(row, scratch: scratch)
            let want = predicted.rows[r]
            let wantLeaves = Array(leaves.rows[r].dropFirst())
            // CatBoost reports one leaf per tree; a multiclass tree is one tree per class here.
            let perTree = model.library == .catboost ? stride(from: 0, to: got.leaves.count, by: model.outputCount).map { got.leaves[$0] } : got.leaves
            if perTree.map(Double.init) != wantLeaves { failures.append("row \(r): leaves \(perTree) ≠ \(wantLeaves.map { Int($0) })") }
            for k in 0..<entry.outputs where got.margins[k].bitPattern != want[1 + k].bitPattern {
                failures.append("row \(r) \(row): margin \(k) \(got.margins[k]) ≠ \(want[1 + k])")
            }
            for k in 0..<entry.predictions {
                let u = ulps(got.predictions[k], want[1 + entry.outputs + k], float32: float32)
                if u > tolerance { failures.append("row \(r): prediction \(k) \(got.predictions[k]) ≠ \(want[1 + entry.outputs + k]) (\(u) ulp)") }
            }
            let q = quantized.evaluate(row, scratch: qs)
            for k in 0..<entry.outputs where abs(q.margins[k] - want[1 + k]) > quantized.marginErrorBound {
                failures.append("row \(r): quantized margin off by \(abs(q.margins[k] - want[1 + k]))")
            }
        }
        #expect(failures.isEmpty, "\(entry.name): \(failures.count) failures, first: \(failures.prefix(3))")
    }
}
