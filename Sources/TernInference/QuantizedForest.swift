import CTernTrees

/// A tree ensemble compiled for fast, exact evaluation on quantized rows.
///
/// **Quantize once.** Every split threshold the model uses on a feature goes into a sorted list; a
/// row's value becomes its bin code, `1 + (number of thresholds at or below it)` (XGBoost's `x < t`)
/// or `1 + (number of thresholds below it)` (LightGBM's and CatBoost's `x ≤ t`). Each node then
/// compares one code with one constant, and that compare decides exactly as the float compare does.
/// LightGBM's double thresholds are rounded *down* to float32 at compile time, which keeps the
/// decision exact for every float32 input.
///
/// **Missing values without a branch.** A node whose missing values take a default child reads one
/// of two views of its feature: missing → 0 when the default is left, missing → `T + 2` when it is
/// right. A categorical split becomes a derived 0/1 code per (feature, category set).
///
/// **Layout.** Nodes are 8 bytes (`child`, `slot`, `threshold`) in per-tree breadth-first order with
/// siblings adjacent, so the next node is `child + (code > threshold)`. A leaf points to itself
/// with the largest threshold, so walking past it is harmless and 8 trees can advance in lock-step
/// without a data-dependent branch; a group of 8 stops once none of them moves. Groups are
/// consecutive trees, so each group's leaves are summed in the library's own tree order as soon as it
/// finishes. When codes are one byte, slots at most 256 and each group's nodes fewer than 2^16, the
/// single-row walk reads a 4-byte copy of the nodes instead (`CompactNode`, children relative to the
/// group), half the cache lines for the same path.
///
/// **Schedule.** A group walks a number of steps without looking, then checks after each step
/// whether a lane still moved. The prefix comes from the trees' own training statistics (LightGBM
/// `leaf_count`, XGBoost `sum_hessian`): long enough that the exit branch is usually right the
/// first time it is tested, because a mispredicted exit costs more than a step.
public final class QuantizedForest: @unchecked Sendable {
    /// How leaf values are stored and summed.
    public enum LeafMode: Sendable, Equatable {
        /// Library-width leaves (float32 for XGBoost, float64 for LightGBM and CatBoost) summed in
        /// the library's order: margins bit-identical to the library.
        case exact
        /// int32 fixed-point leaves at a power-of-two scale, summed in int64; order-free. The compile
        /// step reports `marginErrorBound`.
        case quantized
    }

    public let library: TreeLibrary
    public let format: ModelFormat
    public let objective: String
    public let transform: OutputTransform
    public let featureCount: Int
    public let featureNames: [String]
    public let outputCount: Int
    public let treeCount: Int
    public let maximumDepth: Int
    public let leafMode: LeafMode
    /// Bytes per code: 1, or 2 when some feature has more than 253 distinct thresholds.
    public let codeWidth: Int
    /// Number of codes per quantized row (one or two views per feature, plus categorical codes).
    public let slotCount: Int
    /// Distinct thresholds per input column (0 for columns the model never reads).
    public let thresholdsPerFeature: [Int]
    /// For `.quantized`: the fixed-point scale (a power of two) of the int32 leaves.
    public let leafScale: Double
    /// For `.quantized`: the largest possible |margin − library margin| over all rows, from leaf
    /// rounding plus the library's own float summation rounding. 0 for `.exact`.
    public let marginErrorBound: Double
    /// For `.quantized`: the part of the bound due to leaf rounding alone (Σ per tree of max leaf error).
    public let leafRoundingBound: Double

    // MARK: Storage (owned raw memory; read-only after init)

    let nodeCount: Int
    let nodes: UnsafeMutablePointer<PackedNode>
    let leafFloat: UnsafeMutablePointer<Float>?
    let leafDouble: UnsafeMutablePointer<Double>?
    let leafFixed: UnsafeMutablePointer<Int32>?
    let leafIDs: UnsafeMutablePointer<Int32>
    /// Per tree (library order): root node, output, depth.
    let treeRoot: UnsafeMutablePointer<UInt32>
    let treeOutput: UnsafeMutablePointer<UInt32>
    let treeDepth: UnsafeMutablePointer<UInt32>
    /// Single-row schedule: groups of 8 consecutive trees (library order, so leaves can be summed as
    /// soon as a group finishes); per group the roots (the dummy leaf 0 for padding lanes), the step
    /// count (deepest tree) and the unchecked prefix (see `bestPrefix`): after it, walking stops
    /// as soon as every lane sits on a leaf.
    let groupCount: Int
    let groupRoots: UnsafeMutablePointer<UInt32>
    let groupSteps: UnsafeMutablePointer<UInt32>
    let groupPrefix: UnsafeMutablePointer<UInt32>
    /// The 4-byte layout of the same nodes (`compactNodes`, or nil when the model does not fit
    /// it): children relative to their group's first node (`groupBase`), lanes' roots likewise
    /// (`compactRoots`). Half the bytes of `nodes`, so twice the nodes per cache line on the
    /// single-row path, which is bound by the latency of its node loads.
    let compactNodes: UnsafeMutablePointer<CompactNode>?
    let groupBase: UnsafeMutablePointer<UInt32>
    let compactRoots: UnsafeMutablePointer<UInt32>
    /// The top levels, resolved all at once (`CTernTrees`, AVX-512 VBMI): `topDepth` levels of
    /// every tree as a complete tree, 64 trees to a block. Per block and position, 64 slots
    /// (`topSlots`) and 64 thresholds; per tree, `2^topDepth` exits (`topExits`: the node of
    /// `nodes` where the walk goes on, and above `exitHeightShift` the steps left below it).
    /// `topDepth` is 0 when the kernel does not apply: codes
    /// wider than a byte, more than 128 slots, or no AVX-512 VBMI.
    let topDepth: Int
    let topSlots: UnsafeMutablePointer<UInt8>
    let topThresholds: UnsafeMutablePointer<UInt8>
    let topExits: UnsafeMutablePointer<UInt32>
    /// The nodes the walk after the top levels reads: 4-byte nodes with absolute children when
    /// the whole forest has at most 2^16 nodes (both benchmark models), else nil (`nodes`).
    let tailNodes: UnsafeMutablePointer<CompactNode>?
    /// Quantizers.
    let numericCount: Int
    let categoricalCount: Int
    let numericSpecs: UnsafeMutablePointer<NumericSpec>
    let categoricalSpecs: UnsafeMutablePointer<CategoricalSpec>
    /// Every numeric quantizer counts `t < x` (LightGBM, CatBoost) or every one counts `t ≤ x` (XGBoost).
    let strictCount: Bool
    let thresholdPool: UnsafeMutablePointer<Float>
    let thresholdPoolCount: Int
    let categoryWords: UnsafeMutablePointer<UInt32>
    /// Per input column, the quantizers that read it (for `quantize(feature:value:codes:)`).
    let numericOfFeature: [[Int]]
    let categoricalOfFeature: [[Int]]
    /// Final-margin parameters.
    let baseFloat: UnsafeMutablePointer<Float>
    let scale: Double
    let bias: UnsafeMutablePointer<Double>
    let averageOver: Double
    let averaged: Bool

    /// The number of rows the batch path quantizes and walks at once.
    public static let batchBlock = 64
    /// Trees walked in lock-step on the single-row path.
    static let lanes = 8
    /// Trees per block of the top-levels kernel, and its deepest top.
    static let topLanes = 64
    static let maximumTopDepth = 6
    /// Whether this CPU runs the AVX-512 top-levels kernel.
    static var topKernelAvailable: Bool { ctern_trees_avx512_available() != 0 }
    /// How many levels of every tree the AVX-512 kernel resolves on the single-row path; 0 when
    /// the portable walk does it all (codes wider than a byte, more than 128 slots, or a CPU
    /// without AVX-512 VBMI).
    public var vectorTopLevels: Int { topDepth }
    /// An exit: the node in the low 26 bits, the height below it (< 64) above them.
    static let exitHeightShift: UInt32 = 26
    static let exitNodeMask = (1 << 26) - 1

    /// Compiles `ensemble`. Throws `.limit` when the model needs more than 65,535 codes per row or a
    /// feature has more than 65,533 distinct thresholds, and `.usage` for `.quantized` when a leaf is
    /// too large for int32 at any scale ≥ 2^-60.
    public convenience init(_ ensemble: TreeEnsemble, leafMode: LeafMode = .exact) throws(ModelError) {
        try self.init(ensemble, leafMode: leafMode, compactLayout: true, topLevels: QuantizedForest.maximumTopDepth)
    }

    /// `compactLayout: false` keeps the single-row walk on the 8-byte nodes even when the model
    /// fits the 4-byte ones (the tests compare the two).
    /// `topLevels` caps the levels the AVX-512 kernel resolves (0 keeps every level on the
    /// portable walk; the tests compare the two).
    init(_ ensemble: TreeEnsemble, leafMode: LeafMode, compactLayout: Bool, topLevels: Int) throws(ModelError) {
        try ensemble.validate()
        library = ensemble.library
        format = ensemble.format
        objective = ensemble.objective
        transform = ensemble.transform
        featureCount = ensemble.featureCount
        featureNames = ensemble.featureNames
        outputCount = ensemble.outputCount
        treeCount = ensemble.trees.count
        self.leafMode = leafMode

        // 1. Quantizers: sorted distinct float32 thresholds per (feature, missing rule).
        var builder = QuantizerBuilder(ensemble: ensemble)
        for tree in ensemble.trees {
            for node in tree.nodes where node.kind != .leaf { builder.add(node) }
        }
        let plan = try builder.finish()
        numericCount = plan.numeric.count
        categoricalCount = plan.categorical.count
        slotCount = plan.slotCount
        codeWidth = plan.codeWidth
        thresholdsPerFeature = plan.thresholdsPerFeature
        numericOfFeature = plan.numericOfFeature
        categoricalOfFeature = plan.categoricalOfFeature
        // 2. Nodes: node 0 is a shared dummy leaf (padding lanes walk it); then each tree BFS.
        let leafThreshold: UInt16 = codeWidth == 1 ? 255 : .max
        var packed: [PackedNode] = [PackedNode(child: 0, slot: 0, threshold: leafThreshold)]
        var leafValues: [Double] = [0]
        var ids: [Int32] = [-1]
        var roots: [UInt32] = []
        var depths: [UInt32] = []
        for tree in ensemble.trees {
            let root = UInt32(packed.count)
            roots.append(root)
            depths.append(UInt32(tree.depth))
            // BFS: queue of original node indices; position in `packed` assigned on enqueue.
            var queue: [Int32] = [0]
            var head = 0
            packed.append(PackedNode(child: 0, slot: 0, threshold: 0))
            leafValues.append(0)
            ids.append(-1)
            while head < queue.count {
                let original = tree.nodes[Int(queue[head])]
                let here = Int(root) + head
                head += 1
                if original.kind == .leaf {
                    packed[here] = PackedNode(child: UInt32(here), slot: 0, threshold: leafThreshold)
                    leafValues[here] = original.leafValue
                    ids[here] = original.leafID
                    continue
                }
                let child = UInt32(packed.count)
                let (slot, threshold) = plan.route(original)
                packed[here] = PackedNode(child: child, slot: slot, threshold: threshold)
                queue.append(original.left)
                queue.append(original.right)
                packed.append(PackedNode(child: 0, slot: 0, threshold: 0))
                packed.append(PackedNode(child: 0, slot: 0, threshold: 0))
                leafValues.append(0)
                leafValues.append(0)
                ids.append(-1)
                ids.append(-1)
            }
        }
        // Everything that can throw happens before the first raw allocation (a throwing class
        // initializer does not run deinit).
        let fixed = leafMode == .quantized ? try FixedLeaves(ensemble: ensemble, packedLeafValues: leafValues, ids: ids) : nil
        thresholdPoolCount = max(plan.pool.count, 16)
        thresholdPool = .allocate(capacity: thresholdPoolCount)
        thresholdPool.initialize(repeating: .nan, count: thresholdPoolCount)
        for (i, v) in plan.pool.enumerated() { thresholdPool[i] = v }
        numericSpecs = .allocate(capacity: max(plan.numeric.count, 1))
        numericSpecs.initialize(from: plan.numeric, count: plan.numeric.count)
        categoricalSpecs = .allocate(capacity: max(plan.categorical.count, 1))
        categoricalSpecs.initialize(from: plan.categorical, count: plan.categorical.count)
        strictCount = ensemble.library != .xgboost
        categoryWords = .allocate(capacity: max(plan.words.count, 1))
        categoryWords.initialize(repeating: 0, count: max(plan.words.count, 1))
        for (i, w) in plan.words.enumerated() { categoryWords[i] = w }

        nodeCount = packed.count
        nodes = .allocate(capacity: nodeCount)
        nodes.initialize(from: packed, count: nodeCount)
        leafIDs = .allocate(capacity: nodeCount)
        leafIDs.initialize(from: ids, count: nodeCount)
        maximumDepth = Int(depths.max() ?? 0)

        treeRoot = .allocate(capacity: treeCount)
        treeRoot.initialize(from: roots, count: treeCount)
        treeOutput = .allocate(capacity: treeCount)
        treeOutput.initialize(from: ensemble.trees.map { UInt32($0.output) }, count: treeCount)
        treeDepth = .allocate(capacity: treeCount)
        treeDepth.initialize(from: depths, count: treeCount)

        // 3. Single-row schedule: consecutive trees in groups of `lanes`. Each group walks
        // `groupPrefix` steps with no check, then checks after every step whether any lane still
        // moved, up to `groupSteps` (its deepest leaf). The exit test is a data-dependent branch:
        // a mispredicted exit costs more than a step, so the prefix is where the expected cost is
        // lowest given how long rows' paths are (`Tree.pathLengthDistribution`).
        groupCount = (treeCount + Self.lanes - 1) / Self.lanes
        groupRoots = .allocate(capacity: groupCount * Self.lanes)
        groupSteps = .allocate(capacity: groupCount)
        groupPrefix = .allocate(capacity: groupCount)
        for g in 0..<groupCount {
            var steps: UInt32 = 0
            var done: [Double] = [1]
            for lane in 0..<Self.lanes {
                let k = g * Self.lanes + lane
                if k < treeCount {
                    groupRoots[k] = roots[k]
                    steps = max(steps, depths[k])
                    let f = ensemble.trees[k].pathLengthDistribution
                    if f.count > done.count { done += repeatElement(1, count: f.count - done.count) }
                    for d in 0..<done.count { done[d] *= d < f.count ? f[d] : 1 }
                } else {
                    groupRoots[k] = 0
                }
            }
            groupSteps[g] = steps
            groupPrefix[g] = UInt32(Self.bestPrefix(done))
        }
        // The compact layout: one byte per code and slot, and each group's nodes within 2^16.
        // Groups are consecutive trees, so group g's nodes are groupStart[g]..<groupStart[g + 1].
        var groupStart = stride(from: 0, to: treeCount, by: Self.lanes).map { Int(roots[$0]) }
        groupStart.append(packed.count)
        groupBase = .allocate(capacity: max(groupCount, 1))
        compactRoots = .allocate(capacity: max(groupCount * Self.lanes, 1))
        var fits = compactLayout && codeWidth == 1 && slotCount <= 256
        for g in 0..<groupCount {
            let first = g * Self.lanes
            let (start, end) = (groupStart[g], groupStart[g + 1])
            groupBase[g] = UInt32(start)
            if end - start > Int(UInt16.max) { fits = false }
            // A padding lane parks on the last node of the group, a leaf (BFS order ends in leaves).
            for lane in 0..<Self.lanes {
                let k = first + lane
                compactRoots[first + lane] = k < treeCount ? UInt32(Int(roots[k]) - start) : UInt32(end - 1 - start)
            }
        }
        if fits {
            let c = UnsafeMutablePointer<CompactNode>.allocate(capacity: packed.count)
            c.initialize(repeating: CompactNode(child: 0, slot: 0, threshold: 255), count: packed.count)
            for g in 0..<groupCount {
                let start = groupStart[g]
                for i in start..<groupStart[g + 1] {
                    let w = packed[i]
                    c[i] = CompactNode(child: UInt16(Int(w.child) - start), slot: UInt8(w.slot), threshold: UInt8(w.threshold))
                }
            }
            compactNodes = c
        } else {
            compactNodes = nil
        }

        // 4. The top levels (AVX-512 VBMI). Position p of a tree's complete top has children
        // 2p + 1 and 2p + 2; a leaf above the last top level fills every exit below it, and the
        // positions below it compare anything. The walk then goes on from the exit, on `nodes`.
        let usesTop = topLevels > 0 && codeWidth == 1 && slotCount <= 128 && maximumDepth > 0
            && packed.count <= Self.exitNodeMask + 1 && Self.topKernelAvailable
        topDepth = usesTop ? min(topLevels, Self.maximumTopDepth, maximumDepth) : 0
        let positions = (1 << topDepth) - 1
        let topBlocks = usesTop ? (treeCount + Self.topLanes - 1) / Self.topLanes : 0
        let decisionBytes = max(topBlocks * positions * Self.topLanes, 1)
        topSlots = .allocate(capacity: decisionBytes)
        topSlots.initialize(repeating: 0, count: decisionBytes)
        topThresholds = .allocate(capacity: decisionBytes)
        topThresholds.initialize(repeating: 255, count: decisionBytes)
        let exitCount = usesTop ? max(treeCount << topDepth, 1) : 1
        topExits = .allocate(capacity: exitCount)
        topExits.initialize(repeating: 0, count: exitCount)
        if usesTop && packed.count <= 1 << 16 {
            let t = UnsafeMutableRawPointer.allocate(byteCount: packed.count * MemoryLayout<CompactNode>.stride, alignment: 64)
                .bindMemory(to: CompactNode.self, capacity: packed.count)
            for (i, w) in packed.enumerated() {
                t[i] = CompactNode(child: UInt16(w.child), slot: UInt8(w.slot), threshold: UInt8(w.threshold))
            }
            tailNodes = t
        } else {
            tailNodes = nil
        }
        if usesTop {
            // Each node's height; children come after their parent, and a leaf is its own child.
            var height = [UInt8](repeating: 0, count: packed.count)
            for n in stride(from: packed.count - 1, through: 0, by: -1) where Int(packed[n].child) != n {
                let c = Int(packed[n].child)
                height[n] = 1 + max(height[c], height[c + 1])
            }
            for k in 0..<treeCount {
                let (block, lane) = k.quotientAndRemainder(dividingBy: Self.topLanes)
                var stack = [(node: Int(roots[k]), position: 0, level: 0)]
                while let (node, position, level) = stack.popLast() {
                    let w = packed[node]
                    if level == topDepth || Int(w.child) == node {
                        // The exits below `position`: a contiguous run at the last level.
                        let span = 1 << (topDepth - level)
                        let first = (k << topDepth) + (position + 1) * span - (1 << topDepth)
                        for e in first..<(first + span) {
                            topExits[e] = UInt32(node) | UInt32(height[node]) << Self.exitHeightShift
                        }
                        continue
                    }
                    let at = (block * positions + position) * Self.topLanes + lane
                    topSlots[at] = UInt8(w.slot)
                    topThresholds[at] = UInt8(w.threshold)
                    stack.append((Int(w.child), 2 * position + 1, level + 1))
                    stack.append((Int(w.child) + 1, 2 * position + 2, level + 1))
                }
            }
        }

        // 5. Leaves and final-margin parameters.
        var base: [Float] = Array(repeating: 0, count: outputCount)
        var scaleValue = 1.0
        var biasValues: [Double] = Array(repeating: 0, count: outputCount)
        var average: Double? = nil
        switch ensemble.accumulation {
        case .float32(let b): base = b
        case .float64(let n): average = n.map(Double.init)
        case .float64ScaleBias(let s, let b):
            scaleValue = s
            biasValues = b
        }
        baseFloat = .allocate(capacity: outputCount)
        baseFloat.initialize(from: base, count: outputCount)
        scale = scaleValue
        bias = .allocate(capacity: outputCount)
        bias.initialize(from: biasValues, count: outputCount)
        averageOver = average ?? 1
        averaged = average != nil

        switch leafMode {
        case .exact:
            if library == .xgboost {
                let p = UnsafeMutablePointer<Float>.allocate(capacity: nodeCount)
                for i in 0..<nodeCount { p[i] = Float(leafValues[i]) }
                leafFloat = p
                leafDouble = nil
            } else {
                let p = UnsafeMutablePointer<Double>.allocate(capacity: nodeCount)
                p.initialize(from: leafValues, count: nodeCount)
                leafDouble = p
                leafFloat = nil
            }
            leafFixed = nil
            leafScale = 1
            marginErrorBound = 0
            leafRoundingBound = 0
        case .quantized:
            leafFloat = nil
            leafDouble = nil
            let fixed = fixed!
            let p = UnsafeMutablePointer<Int32>.allocate(capacity: nodeCount)
            p.initialize(from: fixed.values, count: nodeCount)
            leafFixed = p
            leafScale = fixed.scale
            leafRoundingBound = fixed.roundingBound
            marginErrorBound = fixed.roundingBound + fixed.summationBound
        }
    }

    deinit {
        nodes.deallocate()
        topSlots.deallocate()
        topThresholds.deallocate()
        topExits.deallocate()
        tailNodes?.deallocate()
        leafFloat?.deallocate()
        leafDouble?.deallocate()
        leafFixed?.deallocate()
        leafIDs.deallocate()
        treeRoot.deallocate()
        treeOutput.deallocate()
        treeDepth.deallocate()
        groupRoots.deallocate()
        groupSteps.deallocate()
        groupPrefix.deallocate()
        compactNodes?.deallocate()
        groupBase.deallocate()
        compactRoots.deallocate()
        thresholdPool.deallocate()
        categoryWords.deallocate()
        numericSpecs.deallocate()
        categoricalSpecs.deallocate()
        baseFloat.deallocate()
        bias.deallocate()
    }

    /// The unchecked prefix with the lowest expected cost for a group whose longest path is at
    /// most `d` steps with probability `done[d]` (`done.last == 1`), in units of one unchecked step:
    /// a checked step costs `checkedStep`, a mispredicted exit `mispredict` (fitted on
    /// `tree-compare` runs, Zen 4). Running the whole depth unchecked costs its depth exactly.
    static func bestPrefix(_ done: [Double]) -> Int {
        let checkedStep = 1.2
        let mispredict = 2.5
        let depth = done.count - 1
        var best = depth
        var bestCost = Double(depth)
        for p in 0..<depth {
            // Checked steps run until the step after the longest path: 1 + E[max(L - p, 0)].
            var tail = 1.0
            for d in p..<depth { tail += 1 - done[d] }
            let cost = Double(p) + checkedStep * tail + mispredict * (1 - done[p])
            if cost < bestCost {
                bestCost = cost
                best = p
            }
        }
        return best
    }

    /// Bytes of compiled model data the evaluators read (nodes, leaves, thresholds, schedule).
    public var compiledSize: Int {
        var bytes = nodeCount * MemoryLayout<PackedNode>.stride
        if compactNodes != nil { bytes += nodeCount * MemoryLayout<CompactNode>.stride }
        bytes += nodeCount * (leafFloat != nil ? 4 : leafDouble != nil ? 8 : 4)
        bytes += thresholdPoolCount * 4 + treeCount * 12 + groupCount * (Self.lanes * 8 + 4)
        if topDepth > 0 {
            // The top tables: a slot and a threshold per position and lane, 2^D exits per tree.
            let blocks = (treeCount + Self.topLanes - 1) / Self.topLanes
            bytes += blocks * ((1 << topDepth) - 1) * Self.topLanes * 2 + (treeCount << topDepth) * 4
            if tailNodes != nil { bytes += nodeCount * MemoryLayout<CompactNode>.stride }
        }
        return bytes
    }
}

/// One compiled node: go to `child + (code[slot] > threshold)`. A leaf is `child = itself`,
/// `threshold = max code`.
struct PackedNode: BitwiseCopyable {
    var child: UInt32
    var slot: UInt16
    var threshold: UInt16
}

/// `PackedNode` in 4 bytes, for models with one-byte codes and at most 256 slots: `child` is
/// relative to the first node of the tree's group of 8.
struct CompactNode: BitwiseCopyable {
    var child: UInt16
    var slot: UInt8
    var threshold: UInt8
}

/// How a numeric quantizer maps the raw value before counting, and where missing goes.
enum QuantizerRule: UInt8 {
    /// XGBoost: NaN is missing.
    case xgboostNaN
    /// LightGBM missing type NaN: zero band → 0.0; NaN is missing.
    case lightgbmNaN
    /// LightGBM missing type Zero: zero band → 0.0; NaN or 0.0 is missing.
    case lightgbmZero
    /// LightGBM missing type None: zero band → 0.0; NaN → 0.0.
    case lightgbmNone
    /// CatBoost: NaN → −∞.
    case catboostLow
    /// CatBoost: NaN → +∞.
    case catboostHigh

    var hasMissing: Bool { self == .xgboostNaN || self == .lightgbmNaN || self == .lightgbmZero }
}

/// One numeric quantizer, per (column, missing rule): its thresholds' place in the pool and the
/// slots it writes. Plain data, read by the row path.
struct NumericSpec: BitwiseCopyable {
    var feature: Int32
    var rule: QuantizerRule
    /// Distinct thresholds T.
    var count: Int32
    /// 16-float blocks in the pool (NaN-padded) starting at `offset`.
    var blocks: Int32
    var offset: Int32
    /// Fences (last value of each block, NaN-padded to 16) at `fenceOffset`; only when blocks ≤ 16.
    var fenceOffset: Int32
    /// For large T: the padded power-of-two length searched by binary search (0 otherwise).
    var searchLength: Int32
    /// Output slots; `lowSlot` is used for rules without missing values.
    var lowSlot: Int32
    var highSlot: Int32
}

/// One categorical quantizer, per distinct (column, category set, default direction): a 0/1 code.
struct CategoricalSpec: BitwiseCopyable {
    var feature: Int32
    var xgboost: Bool
    var defaultLeft: Bool
    var wordOffset: Int32
    var wordCount: Int32
    var slot: Int32
}
