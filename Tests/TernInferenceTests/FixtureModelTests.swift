import Foundation
import TernInference
import Testing

/// Every model in ../shared/models, against its library's own predictions and leaf ids.
@Suite("Fixture models (../shared/models)")
struct FixtureModelTests {
    static let models: [(name: String, file: String)] = [
        ("xgb_bin", "xgb_bin.json.gz"),
        ("xgb_mc", "xgb_mc.json.gz"),
        ("xgb_small", "xgb_small.json"),
        ("xgb_small", "xgb_small.ubj"),
        ("lgb_reg", "lgb_reg.txt.gz"),
        ("lgb_small", "lgb_small.txt"),
        ("cb_bin", "cb_bin.json.gz"),
    ]

    @Test("leaf ids, exact margins, outputs within 1 ulp, quantized within its bound", arguments: models)
    func fixture(name: String, file: String) throws {
        guard let folder = sharedModelsFolder() else {
            Issue.record("../shared/models is missing: fixture tests need it beside the project")
            return
        }
        let ensemble = try TreeEnsemble.load(bytes: readModelFile(folder.appendingPathComponent(file)))
        let rows = try testRows(folder)
        let predicted = try NumberTable(folder.appendingPathComponent("\(name).pred.csv"))
        let leafTable = try NumberTable(folder.appendingPathComponent("\(name).leaf.csv"))
        let exact = try QuantizedForest(ensemble, leafMode: .exact)
        let quantized = try QuantizedForest(ensemble, leafMode: .quantized)
        let k = ensemble.outputCount
        #expect(predicted.header.count == 1 + 2 * k)
        #expect(leafTable.header.count == 1 + ensemble.trees.count)
        let float32 = ensemble.library == .xgboost
        let scratch = exact.makeScratch()
        let quantizedScratch = quantized.makeScratch()
        var leafMismatches = 0
        var marginMismatches = 0
        var referenceMismatches = 0
        var worstUlps: UInt64 = 0
        var worstQuantized = 0.0
        for (r, row) in rows.enumerated() {
            let expected = predicted.rows[r]
            #expect(Int(expected[0]) == r)
            let (margins, predictions, leaves) = exact.evaluate(row, scratch: scratch)
            for j in 0..<k where margins[j].bitPattern != expected[1 + j].bitPattern { marginMismatches += 1 }
            for j in 0..<k { worstUlps = max(worstUlps, ulps(predictions[j], expected[1 + k + j], float32: float32)) }
            if r < leafTable.rows.count {
                #expect(Int(leafTable.rows[r][0]) == r)
                if leaves.map(Double.init) != Array(leafTable.rows[r].dropFirst()) { leafMismatches += 1 }
            }
            let reference = try ensemble.referencePredict(row: row)
            if reference.margins != margins || reference.leafIDs != leaves { referenceMismatches += 1 }
            let q = quantized.evaluate(row, scratch: quantizedScratch)
            for j in 0..<k { worstQuantized = max(worstQuantized, abs(q.margins[j] - expected[1 + j])) }
            #expect(q.leaves == leaves)
        }
        #expect(leafMismatches == 0, "\(file): \(leafMismatches) rows with a different leaf")
        #expect(marginMismatches == 0, "\(file): \(marginMismatches) margins not bit-identical")
        #expect(referenceMismatches == 0, "\(file): reference evaluator disagrees on \(referenceMismatches) rows")
        #expect(worstUlps <= 1, "\(file): transformed output off by \(worstUlps) ulp")
        #expect(worstQuantized <= quantized.marginErrorBound, "\(file): quantized error \(worstQuantized) > bound \(quantized.marginErrorBound)")
        print("\(file): \(rows.count) rows, \(exact.treeCount) trees, worst output \(worstUlps) ulp, quantized error \(worstQuantized) ≤ \(quantized.marginErrorBound)")

        // Batch path: bit-identical to the single-row path, margins and predictions.
        let flat = rows.flatMap { $0 }
        var batchMargins = [Double](repeating: 0, count: rows.count * k)
        var batchPredictions = [Double](repeating: 0, count: rows.count * k)
        flat.withUnsafeBufferPointer { f in
            batchMargins.withUnsafeMutableBufferPointer {
                exact.predictBatch(f.baseAddress!, count: rows.count, scratch: scratch, into: $0.baseAddress!, transformed: false)
            }
            batchPredictions.withUnsafeMutableBufferPointer {
                exact.predictBatch(f.baseAddress!, count: rows.count, scratch: scratch, into: $0.baseAddress!)
            }
        }
        var batchMismatches = 0
        for (r, row) in rows.enumerated() {
            let (margins, predictions, _) = exact.evaluate(row, scratch: scratch)
            for j in 0..<k {
                if batchMargins[r * k + j].bitPattern != margins[j].bitPattern { batchMismatches += 1 }
                if batchPredictions[r * k + j].bitPattern != predictions[j].bitPattern { batchMismatches += 1 }
            }
        }
        #expect(batchMismatches == 0, "\(file): batch differs from single-row on \(batchMismatches) values")
    }
}
