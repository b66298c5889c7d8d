// libFuzzer target for every model loader (XGBoost JSON and UBJSON, LightGBM text, CatBoost JSON).
// Compiled together with Sources/TernInference into one module by scripts/fuzz.sh. Properties, not
// just "no crash" (any violation traps, which libFuzzer reports):
//
// - every loader, auto-detected and forced, returns a model or a ModelError with a message;
// - a model that loads also validates, compiles in both leaf modes, and on a few fixed rows the
//   compiled margins and leaf ids equal the slow reference evaluator's (quantized: within its bound).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModels(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    var formats: [ModelFormat?] = [nil]
    formats += ModelFormat.allCases.map { Optional($0) }
    for format in formats {
        do {
            let model = try TreeEnsemble.load(bytes: bytes, format: format)
            check(model)
        } catch {
            if error.message.isEmpty { fatalError("an error without a message") }
        }
    }
    return 0
}

func check(_ model: TreeEnsemble) {
    guard model.trees.reduce(0, { $0 + $1.nodes.count }) < 200_000 else { return }
    do {
        try model.validate()
    } catch {
        fatalError("a loaded model fails validation: \(error)")
    }
    let rows: [[Float]] = [
        [Float](repeating: 0, count: model.featureCount),
        [Float](repeating: .nan, count: model.featureCount),
        (0..<model.featureCount).map { Float($0) * 0.37 - 1 },
        (0..<model.featureCount).map { $0 % 2 == 0 ? .infinity : -1e-36 },
    ]
    for mode in [QuantizedForest.LeafMode.exact, .quantized] {
        let forest: QuantizedForest
        do {
            forest = try QuantizedForest(model, leafMode: mode)
        } catch {
            if error.kind == .limit || error.kind == .usage { continue }
            fatalError("a valid model fails to compile: \(error)")
        }
        let scratch = forest.makeScratch()
        var margins = [Double](repeating: 0, count: forest.outputCount)
        var leaves = [Int32](repeating: 0, count: forest.treeCount)
        for row in rows {
            guard let reference = try? model.referencePredict(row: row) else { fatalError("reference failed") }
            row.withUnsafeBufferPointer { r in
                margins.withUnsafeMutableBufferPointer { forest.predictMargins(r.baseAddress!, scratch: scratch, into: $0.baseAddress!) }
            }
            leaves.withUnsafeMutableBufferPointer { forest.leafIDs(scratch: scratch, into: $0.baseAddress!) }
            if leaves != reference.leafIDs { fatalError("leaf ids differ from the reference") }
            for k in 0..<forest.outputCount {
                let ok = mode == .exact
                    ? margins[k].bitPattern == reference.margins[k].bitPattern
                        || (margins[k].isNaN && reference.margins[k].isNaN)
                    : !(abs(margins[k] - reference.margins[k]) > forest.marginErrorBound * 1.000001)
                if !ok { fatalError("margin \(margins[k]) differs from the reference \(reference.margins[k]) in \(mode)") }
            }
        }
    }
}
