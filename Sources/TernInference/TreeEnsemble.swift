/// The float model a loader produces: every tree as the library wrote it, with the library's own
/// decision and summation rules. `QuantizedForest` compiles it; `referencePredict` evaluates it
/// slowly and directly, as the oracle the tests compare the compiled kernels against.

/// The library that trained a model; it fixes the decision, missing-value and summation rules.
public enum TreeLibrary: String, Sendable, Equatable {
    /// Left iff `x < t` in float32; NaN takes the node's default child; float32 sum from the base
    /// margin in tree order.
    case xgboost
    /// Left iff `Double(x) <= t` with a double `t`; per-node missing type; float64 sum from 0.
    case lightgbm
    /// Oblivious trees: bit d is `x > border_d` in float32; float64 sum, then `× scale + bias`.
    case catboost
}

/// The file format a model was read from.
public enum ModelFormat: String, Sendable, Equatable, CaseIterable {
    case xgboostJSON = "xgboost-json"
    case xgboostUBJSON = "xgboost-ubjson"
    case lightgbmText = "lightgbm-text"
    case catboostJSON = "catboost-json"
}

/// How the margin becomes the prediction the library reports (`predict` with its default output).
public enum OutputTransform: Sendable, Equatable {
    /// The margin itself (regression, ranking, raw outputs).
    case identity
    /// `1 / (1 + exp(-scale·m))`, per output. XGBoost computes it in float32, the others in float64.
    case sigmoid(scale: Double)
    /// Softmax over the outputs (multiclass probabilities).
    case softmax
    /// The index of the largest margin, as a number (`multi:softmax`).
    case argmax
    /// `exp(m)` (Poisson, gamma, Tweedie).
    case exponential
    /// `sign(m)·m²` (LightGBM regression trained with `sqrt`).
    case signedSquare
    /// `log(1 + exp(m))` (LightGBM `cross_entropy_lambda`).
    case softplus
    /// `m > 0 ? 1 : 0` (XGBoost `binary:hinge`).
    case step
}

/// How a node treats a missing value (NaN, or LightGBM's zero band).
public enum MissingRule: UInt8, Sendable, Equatable {
    /// NaN takes the node's default child (XGBoost; LightGBM missing type NaN).
    case nanGoesDefault
    /// NaN, and |x| ≤ 1e-35 in float32, take the default child (LightGBM missing type Zero).
    case zeroBandGoesDefault
    /// NaN is treated as 0.0 and compared (LightGBM missing type None).
    case nanIsZero
    /// NaN is treated as −∞ (CatBoost `nan_mode=Min`, and `AsIs` where NaN compares false).
    case nanIsLowest
    /// NaN is treated as +∞ (CatBoost `nan_mode=Max`).
    case nanIsHighest
}

/// One node. Children are indices into the same tree's `nodes`.
public struct TreeNode: Sendable, Equatable {
    public enum Kind: UInt8, Sendable, Equatable {
        case leaf
        case numeric
        case categorical
    }
    public var kind: Kind
    /// Input column this node reads (internal nodes).
    public var feature: Int32 = 0
    /// The split value exactly as the library stores it (XGBoost and CatBoost: a float32 value).
    public var threshold: Double = 0
    /// Where a missing value goes when `missing` routes it to the default child.
    public var defaultLeft: Bool = false
    public var missing: MissingRule = .nanGoesDefault
    /// For categorical nodes: index into `TreeEnsemble.categorySets`.
    public var categorySet: Int32 = -1
    public var left: Int32 = -1
    public var right: Int32 = -1
    /// The leaf's value (leaves only), in the library's precision.
    public var leafValue: Double = 0
    /// The id the library reports for this leaf (`pred_leaf`): XGBoost's node index, LightGBM's
    /// leaf index, CatBoost's leaf index.
    public var leafID: Int32 = -1
    /// The training weight that reached this leaf, as the file records it (LightGBM `leaf_count`,
    /// XGBoost `sum_hessian`); 0 when the file has none. Only the single-row schedule reads it: it
    /// tells how long a row's path through the tree usually is. It never changes a result.
    public var cover: Double = 0

    public init(kind: Kind) { self.kind = kind }

    public static func leaf(_ value: Double, id: Int32) -> TreeNode {
        var n = TreeNode(kind: .leaf)
        n.leafValue = value
        n.leafID = id
        return n
    }
}

public struct Tree: Sendable, Equatable {
    /// Nodes; `nodes[0]` is the root.
    public var nodes: [TreeNode]
    /// Which output (class) this tree adds to.
    public var output: Int
    public init(nodes: [TreeNode], output: Int) {
        self.nodes = nodes
        self.output = output
    }
}

/// How leaf values are summed into margins; each case is one library's exact procedure.
public enum Accumulation: Sendable, Equatable {
    /// XGBoost: `acc = base[k]` in float32, then `acc += leaf` in float32, trees in order.
    case float32(base: [Float])
    /// LightGBM: `acc = 0.0`, `acc += leaf` in float64, trees in order. With `average_output`
    /// (random forest mode) LightGBM's raw score is still the plain sum; only its prediction divides
    /// by the number of iterations before the transform (`GBDT::Predict` vs `PredictRaw`).
    case float64(averageOver: Int?)
    /// CatBoost: float64 sum of leaves in order, then `acc × scale + bias[k]`.
    case float64ScaleBias(scale: Double, bias: [Double])
}

/// A loaded model in float form.
public struct TreeEnsemble: Sendable {
    public var library: TreeLibrary
    public var format: ModelFormat
    /// The objective as the file names it (`binary:logistic`, `regression`, `Logloss`, ...).
    public var objective: String
    public var transform: OutputTransform
    /// Number of input columns a row must have.
    public var featureCount: Int
    /// Column names from the file, when it has them (empty otherwise).
    public var featureNames: [String]
    /// Number of margins per row (classes for multiclass, else 1).
    public var outputCount: Int
    public var trees: [Tree]
    /// For categorical splits: bitsets, 32 categories per word (bit c of word c/32).
    public var categorySets: [[UInt32]]
    public var accumulation: Accumulation
    /// Notes a loader wants shown by `tern model inspect` (e.g. folded DART weights).
    public var notes: [String] = []

    public init(
        library: TreeLibrary, format: ModelFormat, objective: String, transform: OutputTransform,
        featureCount: Int, featureNames: [String], outputCount: Int, trees: [Tree],
        categorySets: [[UInt32]], accumulation: Accumulation
    ) {
        self.library = library
        self.format = format
        self.objective = objective
        self.transform = transform
        self.featureCount = featureCount
        self.featureNames = featureNames
        self.outputCount = outputCount
        self.trees = trees
        self.categorySets = categorySets
        self.accumulation = accumulation
    }

    /// The deepest tree's depth (edges from the root to its deepest leaf).
    public var maximumDepth: Int { trees.map { $0.depth }.max() ?? 0 }
}

/// Limits a model must respect; they bound memory and traversal time, and reject hostile files.
public enum ModelLimits {
    public static let maximumTrees = 1 << 20
    public static let maximumNodesPerTree = 1 << 20
    public static let maximumTotalNodes = 1 << 26
    public static let maximumDepth = 64
    public static let maximumFeatures = 1 << 16
    public static let maximumOutputs = 1 << 12
    public static let maximumCategory = 1 << 24
}

extension Tree {
    /// The depths of the shallowest and the deepest leaf (0 and 0 for a single leaf), in one walk.
    /// Assumes a validated tree.
    public var leafDepths: (shallowest: Int, deepest: Int) {
        var shallowest = Int.max
        var deepest = 0
        var stack: [(Int32, Int)] = [(0, 0)]
        while let (n, d) = stack.popLast() {
            let node = nodes[Int(n)]
            if node.kind == .leaf {
                shallowest = min(shallowest, d)
                deepest = max(deepest, d)
            } else {
                stack.append((node.left, d + 1))
                stack.append((node.right, d + 1))
            }
        }
        return (shallowest, deepest)
    }

    /// Depth of the tree: edges from the root to its deepest leaf.
    public var depth: Int { leafDepths.deepest }

    /// `P(a row's leaf is at depth ≤ d)` for `d` in `0...depth`, from the leaves' training `cover`;
    /// when the tree records none, each split sends half of the rows each way. Assumes a validated
    /// tree.
    public var pathLengthDistribution: [Double] {
        var mass: [Double] = []
        var halves: [Double] = []
        var stack: [(Int32, Int)] = [(0, 0)]
        while let (n, d) = stack.popLast() {
            let node = nodes[Int(n)]
            if node.kind == .leaf {
                if d >= mass.count {
                    mass += repeatElement(0, count: d + 1 - mass.count)
                    halves += repeatElement(0, count: d + 1 - halves.count)
                }
                mass[d] += node.cover
                halves[d] += 1 / Double(1 << min(d, 62))
            } else {
                stack.append((node.left, d + 1))
                stack.append((node.right, d + 1))
            }
        }
        let total = mass.reduce(0, +)
        let weights = total > 0 ? mass.map { $0 / total } : halves
        var cumulative: [Double] = []
        var sum = 0.0
        for w in weights {
            sum += w
            cumulative.append(min(sum, 1))
        }
        cumulative[cumulative.count - 1] = 1
        return cumulative
    }
}

extension TreeEnsemble {
    /// Checks everything the compiler and the evaluators rely on; loaders call it before returning.
    ///
    /// Every node is reachable from the root exactly once (no cycles, no shared children, no orphans),
    /// children are in range, depth and sizes are within `ModelLimits`, features are within
    /// `featureCount`, thresholds are not NaN, category sets exist, and outputs are in range.
    public func validate() throws(ModelError) {
        let fmt = format.rawValue
        guard !trees.isEmpty else { throw ModelError(.schema, "the model has no trees", format: fmt) }
        guard trees.count <= ModelLimits.maximumTrees else {
            throw ModelError(.limit, "\(trees.count) trees exceed the limit of \(ModelLimits.maximumTrees)", format: fmt)
        }
        guard featureCount > 0, featureCount <= ModelLimits.maximumFeatures else {
            throw ModelError(.limit, "feature count \(featureCount) is outside 1...\(ModelLimits.maximumFeatures)", format: fmt)
        }
        guard outputCount > 0, outputCount <= ModelLimits.maximumOutputs else {
            throw ModelError(.limit, "output count \(outputCount) is outside 1...\(ModelLimits.maximumOutputs)", format: fmt)
        }
        switch accumulation {
        case .float32(let base):
            guard base.count == outputCount else {
                throw ModelError(.schema, "\(base.count) base margins for \(outputCount) outputs", format: fmt)
            }
        case .float64ScaleBias(_, let bias):
            guard bias.count == outputCount else {
                throw ModelError(.schema, "\(bias.count) biases for \(outputCount) outputs", format: fmt)
            }
        case .float64: break
        }
        var totalNodes = 0
        var seen: [Bool] = []
        for (t, tree) in trees.enumerated() {
            let n = tree.nodes.count
            guard n > 0 else { throw ModelError(.invalidTree, "the tree has no nodes", format: fmt, tree: t) }
            guard n <= ModelLimits.maximumNodesPerTree else {
                throw ModelError(.limit, "\(n) nodes exceed the limit of \(ModelLimits.maximumNodesPerTree)", format: fmt, tree: t)
            }
            totalNodes += n
            guard totalNodes <= ModelLimits.maximumTotalNodes else {
                throw ModelError(.limit, "more than \(ModelLimits.maximumTotalNodes) nodes in all", format: fmt, tree: t)
            }
            guard tree.output >= 0, tree.output < outputCount else {
                throw ModelError(.invalidTree, "output \(tree.output) is outside 0..<\(outputCount)", format: fmt, tree: t)
            }
            seen.removeAll(keepingCapacity: true)
            seen.append(contentsOf: repeatElement(false, count: n))
            seen[0] = true
            var stack: [(Int32, Int)] = [(0, 0)]
            var visited = 1
            while let (index, depth) = stack.popLast() {
                let node = tree.nodes[Int(index)]
                let i = Int(index)
                if node.kind == .leaf {
                    guard node.leafValue.isFinite else {
                        throw ModelError(.invalidTree, "leaf value \(node.leafValue) is not finite", format: fmt, tree: t, node: i)
                    }
                    continue
                }
                guard depth < ModelLimits.maximumDepth else {
                    throw ModelError(.limit, "depth exceeds \(ModelLimits.maximumDepth)", format: fmt, tree: t, node: i)
                }
                guard node.feature >= 0, Int(node.feature) < featureCount else {
                    throw ModelError(
                        .invalidTree, "feature index \(node.feature) is outside 0..<\(featureCount)", format: fmt, tree: t, node: i)
                }
                if node.kind == .numeric {
                    guard !node.threshold.isNaN else {
                        throw ModelError(.invalidTree, "threshold is NaN", format: fmt, tree: t, node: i)
                    }
                } else {
                    guard node.categorySet >= 0, Int(node.categorySet) < categorySets.count else {
                        throw ModelError(
                            .invalidTree, "category set \(node.categorySet) does not exist", format: fmt, tree: t, node: i)
                    }
                }
                for child in [node.left, node.right] {
                    guard child >= 0, Int(child) < n else {
                        throw ModelError(
                            .invalidTree, "child \(child) is out of range (the tree has \(n) nodes)", format: fmt, tree: t, node: i)
                    }
                    guard !seen[Int(child)] else {
                        throw ModelError(
                            .invalidTree, "child \(child) is reached twice (a cycle or a shared subtree)", format: fmt,
                            tree: t, node: i)
                    }
                    seen[Int(child)] = true
                    visited += 1
                    stack.append((child, depth + 1))
                }
            }
            guard visited == n else {
                let orphan = seen.firstIndex(of: false) ?? 0
                throw ModelError(
                    .invalidTree, "node is not reachable from the root", format: fmt, tree: t, node: orphan)
            }
        }
    }
}
