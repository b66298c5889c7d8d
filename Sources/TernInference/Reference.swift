/// The slow, direct float evaluator: each library's decision rule applied node by node to the raw
/// row, exactly as the library's own predictor does. It is the oracle for the compiled kernels
/// (property tests compare them on random models and rows) and documents the rules in code.

/// LightGBM's zero band: `kZeroThreshold = 1e-35f`, compared in double.
let lightgbmZeroThreshold = Double(Float(1e-35))

extension TreeEnsemble {
    /// The value LightGBM's predictor sees for a float input: its dense-row conversion drops entries
    /// with |x| ≤ 1e-35 (they become 0.0); NaN passes through.
    @inline(__always)
    static func lightgbmInput(_ x: Float) -> Double {
        let d = Double(x)
        return abs(d) <= lightgbmZeroThreshold ? 0 : d
    }

    /// Whether the categorical node sends `x` left, per library (see docs/inference.md).
    func categoricalGoesLeft(_ node: TreeNode, _ x: Float) -> Bool {
        let set = categorySets[Int(node.categorySet)]
        func contains(_ c: Int) -> Bool {
            let word = c >> 5
            return word < set.count && (set[word] >> UInt32(c & 31)) & 1 == 1
        }
        switch library {
        case .xgboost:
            // XGBoost: missing takes the default child; a negative or ≥ 2^24 value is "not a category"
            // and goes left; otherwise truncate toward zero and go right iff the category is in the set.
            if x.isNaN { return node.defaultLeft }
            if x < 0 || x >= Float(ModelLimits.maximumCategory) { return true }
            return !contains(Int(x))
        case .lightgbm:
            // LightGBM (x86): `int c = (int)x`; NaN and values outside Int32 become INT_MIN. c < 0 goes
            // right; otherwise left iff bit c is set.
            let d = TreeEnsemble.lightgbmInput(x)
            if d.isNaN || d <= -1 || d >= 2_147_483_648.0 { return false }
            return contains(Int(d))
        case .catboost:
            return false  // CatBoost categorical features are refused at load.
        }
    }

    /// Whether the numeric node sends `x` left, per library.
    func numericGoesLeft(_ node: TreeNode, _ x: Float) -> Bool {
        switch library {
        case .xgboost:
            if x.isNaN { return node.defaultLeft }
            return x < Float(node.threshold)
        case .lightgbm:
            var d = TreeEnsemble.lightgbmInput(x)
            if d.isNaN && node.missing != .nanGoesDefault { d = 0 }
            if (node.missing == .zeroBandGoesDefault && abs(d) <= lightgbmZeroThreshold)
                || (node.missing == .nanGoesDefault && d.isNaN)
            {
                return node.defaultLeft
            }
            return d <= node.threshold
        case .catboost:
            var v = x
            if v.isNaN { v = node.missing == .nanIsHighest ? .infinity : -.infinity }
            return !(v > Float(node.threshold))
        }
    }

    /// The index (into `trees[t].nodes`) of the leaf `row` reaches in tree `t`.
    public func referenceLeafNode(tree t: Int, row: UnsafeBufferPointer<Float>) -> Int {
        let nodes = trees[t].nodes
        var n = 0
        while nodes[n].kind != .leaf {
            let node = nodes[n]
            let x = row[Int(node.feature)]
            let left = node.kind == .numeric ? numericGoesLeft(node, x) : categoricalGoesLeft(node, x)
            n = Int(left ? node.left : node.right)
        }
        return n
    }

    /// Margins (one per output) by the library's exact summation, and the library's leaf id per tree.
    ///
    /// Slow: it walks node structs and allocates. Use `QuantizedForest` for real work.
    public func referencePredict(row: [Float]) throws(ModelError) -> (margins: [Double], leafIDs: [Int32]) {
        guard row.count == featureCount else {
            throw ModelError(.usage, "the row has \(row.count) values; the model reads \(featureCount)")
        }
        let leaves = row.withUnsafeBufferPointer { row in
            trees.indices.map { t in trees[t].nodes[referenceLeafNode(tree: t, row: row)] }
        }
        var margins = [Double](repeating: 0, count: outputCount)
        switch accumulation {
        case .float32(let base):
            var acc = base
            for (t, leaf) in leaves.enumerated() { acc[trees[t].output] += Float(leaf.leafValue) }
            margins = acc.map { Double($0) }
        case .float64:
            for (t, leaf) in leaves.enumerated() { margins[trees[t].output] += leaf.leafValue }
        case .float64ScaleBias(let scale, let bias):
            for (t, leaf) in leaves.enumerated() { margins[trees[t].output] += leaf.leafValue }
            for k in margins.indices { margins[k] = margins[k] * scale + bias[k] }
        }
        return (margins, leaves.map(\.leafID))
    }
}
