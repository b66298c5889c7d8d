/// The compile step's helpers: threshold collection, slot assignment and fixed-point leaves.

/// The largest float32 ≤ `t` (LightGBM's double thresholds, rounded down so that
/// `Double(x) <= t ⇔ x <= roundDown(t)` for every float32 `x`).
func roundDownToFloat(_ t: Double) -> Float {
    var f = Float(t)
    if Double(f) > t { f = f.nextDown }
    return f
}

struct QuantizerPlan {
    var numeric: [NumericSpec]
    /// Each numeric quantizer's sorted distinct thresholds (compile time only: `route` needs them).
    var sortedThresholds: [[Float]]
    var categorical: [CategoricalSpec]
    var pool: [Float]
    var words: [UInt32]
    var slotCount: Int
    var codeWidth: Int
    var thresholdsPerFeature: [Int]
    var numericOfFeature: [[Int]]
    var categoricalOfFeature: [[Int]]
    var numericIndex: [NumericKey: Int]
    var categoricalIndex: [CategoricalKey: Int]
    let library: TreeLibrary
    let sets: [[UInt32]]

    /// The slot and code threshold for an internal node.
    func route(_ node: TreeNode) -> (UInt16, UInt16) {
        if node.kind == .categorical {
            let key = CategoricalKey(node: node, library: library, sets: sets)
            return (UInt16(categorical[categoricalIndex[key]!].slot), 0)
        }
        let key = NumericKey(node: node, library: library)
        let index = numericIndex[key]!
        let q = numeric[index]
        let sorted = sortedThresholds[index]
        let t = key.normalized(node.threshold)
        // Index of t in the sorted distinct list (binary search; present by construction).
        var lo = 0
        var hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < t { lo = mid + 1 } else { hi = mid }
        }
        let slot = q.rule.hasMissing && !node.defaultLeft ? q.highSlot : q.lowSlot
        return (UInt16(slot), UInt16(1 + lo))
    }
}

struct NumericKey: Hashable {
    var feature: Int32
    var rule: QuantizerRule

    init(node: TreeNode, library: TreeLibrary) {
        feature = node.feature
        switch library {
        case .xgboost: rule = .xgboostNaN
        case .lightgbm:
            switch node.missing {
            case .zeroBandGoesDefault: rule = .lightgbmZero
            case .nanIsZero: rule = .lightgbmNone
            default: rule = .lightgbmNaN
            }
        case .catboost: rule = node.missing == .nanIsHighest ? .catboostHigh : .catboostLow
        }
    }

    func normalized(_ t: Double) -> Float {
        switch rule {
        case .lightgbmNaN, .lightgbmZero, .lightgbmNone: return roundDownToFloat(t)
        default: return Float(t)
        }
    }
}

struct CategoricalKey: Hashable {
    var feature: Int32
    var defaultLeft: Bool
    var words: [UInt32]

    init(node: TreeNode, library: TreeLibrary, sets: [[UInt32]]) {
        feature = node.feature
        defaultLeft = library == .xgboost ? node.defaultLeft : false
        var w = sets[Int(node.categorySet)]
        while let last = w.last, last == 0 { w.removeLast() }
        words = w
    }
}

struct QuantizerBuilder {
    let ensemble: TreeEnsemble
    var thresholds: [NumericKey: Set<Float>] = [:]
    var categoricalKeys: [CategoricalKey] = []
    var categoricalSeen: Set<CategoricalKey> = []

    init(ensemble: TreeEnsemble) { self.ensemble = ensemble }

    mutating func add(_ node: TreeNode) {
        if node.kind == .categorical {
            let key = CategoricalKey(node: node, library: ensemble.library, sets: ensemble.categorySets)
            if categoricalSeen.insert(key).inserted { categoricalKeys.append(key) }
            return
        }
        let key = NumericKey(node: node, library: ensemble.library)
        thresholds[key, default: []].insert(key.normalized(node.threshold))
    }

    func finish() throws(ModelError) -> QuantizerPlan {
        let keys = thresholds.keys.sorted { ($0.feature, $0.rule.rawValue) < ($1.feature, $1.rule.rawValue) }
        var numeric: [NumericSpec] = []
        var sortedThresholds: [[Float]] = []
        var pool: [Float] = []
        var slot = 0
        var width = 1
        var perFeature = Array(repeating: 0, count: ensemble.featureCount)
        var numericOfFeature = Array(repeating: [Int](), count: ensemble.featureCount)
        var numericIndex: [NumericKey: Int] = [:]
        for key in keys {
            let sorted = thresholds[key]!.sorted()
            let t = sorted.count
            guard t <= 65_533 else {
                throw ModelError(.limit, "feature \(key.feature) has \(t) distinct thresholds (at most 65,533)")
            }
            if t > 253 { width = 2 }
            perFeature[Int(key.feature)] = max(perFeature[Int(key.feature)], t)
            var q = NumericSpec(
                feature: key.feature, rule: key.rule, count: Int32(t), blocks: 0, offset: Int32(pool.count),
                fenceOffset: 0, searchLength: 0, lowSlot: Int32(slot), highSlot: Int32(slot))
            slot += 1
            if key.rule.hasMissing {
                q.highSlot = Int32(slot)
                slot += 1
            }
            pool.append(contentsOf: sorted)
            let blocks = max((t + 15) / 16, 1)
            if blocks <= 16 {
                q.blocks = Int32(blocks)
                pool.append(contentsOf: repeatElement(Float.nan, count: blocks * 16 - t))
                q.fenceOffset = Int32(pool.count)
                for b in 0..<16 { pool.append(b < blocks ? pool[Int(q.offset) + b * 16 + 15] : .nan) }
            } else {
                var length = 1
                while length < t + 1 { length <<= 1 }
                q.searchLength = Int32(length)
                pool.append(contentsOf: repeatElement(Float.nan, count: length - t))
            }
            numericIndex[key] = numeric.count
            numericOfFeature[Int(key.feature)].append(numeric.count)
            numeric.append(q)
            sortedThresholds.append(sorted)
        }
        var categorical: [CategoricalSpec] = []
        var words: [UInt32] = []
        var categoricalIndex: [CategoricalKey: Int] = [:]
        var categoricalOfFeature = Array(repeating: [Int](), count: ensemble.featureCount)
        for key in categoricalKeys {
            categoricalIndex[key] = categorical.count
            categoricalOfFeature[Int(key.feature)].append(categorical.count)
            categorical.append(
                CategoricalSpec(
                    feature: key.feature, xgboost: ensemble.library == .xgboost, defaultLeft: key.defaultLeft,
                    wordOffset: Int32(words.count), wordCount: Int32(key.words.count), slot: Int32(slot)))
            words.append(contentsOf: key.words)
            slot += 1
        }
        guard slot <= 65_535 else {
            throw ModelError(.limit, "the model needs \(slot) codes per row (at most 65,535)")
        }
        return QuantizerPlan(
            numeric: numeric, sortedThresholds: sortedThresholds, categorical: categorical, pool: pool, words: words, slotCount: max(slot, 1),
            codeWidth: width, thresholdsPerFeature: perFeature, numericOfFeature: numericOfFeature,
            categoricalOfFeature: categoricalOfFeature, numericIndex: numericIndex,
            categoricalIndex: categoricalIndex, library: ensemble.library, sets: ensemble.categorySets)
    }
}

/// int32 fixed-point leaves at scale 2^-k, with k as large as the largest |leaf| allows.
struct FixedLeaves {
    var values: [Int32]
    var scale: Double
    var roundingBound: Double
    var summationBound: Double

    init(ensemble: TreeEnsemble, packedLeafValues: [Double], ids: [Int32]) throws(ModelError) {
        var largest = 0.0
        for t in ensemble.trees { for n in t.nodes where n.kind == .leaf { largest = max(largest, abs(n.leafValue)) } }
        var k = 60
        while k > -60 && largest * Double(sign: .plus, exponent: k, significand: 1) > 2_147_483_647 { k -= 1 }
        guard largest * Double(sign: .plus, exponent: k, significand: 1) <= 2_147_483_647 else {
            throw ModelError(.usage, "a leaf of magnitude \(largest) does not fit int32 at any scale")
        }
        let up = Double(sign: .plus, exponent: k, significand: 1)
        let s = Double(sign: .plus, exponent: -k, significand: 1)
        scale = s
        values = packedLeafValues.enumerated().map { (i, v) in
            ids[i] < 0 ? 0 : Int32((v * up).rounded())
        }
        // Per output: Σ over its trees of the worst leaf rounding error, and the largest |partial sum|.
        var rounding = Array(repeating: 0.0, count: ensemble.outputCount)
        var magnitude = Array(repeating: 0.0, count: ensemble.outputCount)
        var treesPerOutput = Array(repeating: 0.0, count: ensemble.outputCount)
        for tree in ensemble.trees {
            var worst = 0.0
            var big = 0.0
            for n in tree.nodes where n.kind == .leaf {
                let q = (n.leafValue * up).rounded() * s
                worst = max(worst, abs(n.leafValue - q))
                big = max(big, abs(n.leafValue))
            }
            rounding[tree.output] += worst
            magnitude[tree.output] += big
            treesPerOutput[tree.output] += 1
        }
        var roundingBound = 0.0
        var summation = 0.0
        for k in 0..<ensemble.outputCount {
            var r = rounding[k]
            var m = magnitude[k]
            var unit = 0x1p-53
            switch ensemble.accumulation {
            case .float32(let base):
                m += abs(Double(base[k]))
                unit = 0x1p-24
            case .float64:
                break
            case .float64ScaleBias(let sc, let b):
                r *= abs(sc)
                m = m * abs(sc) + abs(b[k])
            }
            // The library's rounding: one per add (and per final op); ours: one final add in double.
            let s = (treesPerOutput[k] + 2) * unit * m + 0x1p-52 * m
            roundingBound = max(roundingBound, r)
            summation = max(summation, s)
        }
        self.roundingBound = roundingBound
        self.summationBound = summation
    }
}
