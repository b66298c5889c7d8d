/// CatBoost JSON models (`save_model(path, format="json")`): oblivious trees on float features.
///
/// Each oblivious tree becomes a complete binary tree whose level d tests the tree's split d; its
/// leaves carry CatBoost's leaf index (bit d set when `x > border_d`). A multiclass tree becomes one
/// tree per class with the same structure.
enum CatBoostLoader {
    static let maximumDepth = 16

    static func load(_ root: JSONValue) throws(ModelError) -> TreeEnsemble {
        var s = Schema(format: ModelFormat.catboostJSON.rawValue)
        let fmt = s.format
        if root["trees"] != nil && root["oblivious_trees"] == nil {
            throw ModelError(
                .unsupported, "non-symmetric trees (grow_policy Depthwise or Lossguide) are not supported", format: fmt)
        }
        let info = try s.object(root["features_info"], "features_info")
        for key in ["categorical_features", "text_features", "embedding_features"] {
            if let v = info[key], case .array(let a) = v, !a.isEmpty {
                throw ModelError(.unsupported, "\(key) (CTR and text features) are not supported", format: fmt)
            }
        }
        let floats = try s.array(info["float_features"], "features_info.float_features")
        var columnOf: [Int: Int] = [:]
        var nanMode: [Int: MissingRule] = [:]
        var featureCount = 0
        for (i, f) in floats.enumerated() {
            let path = "float_features[\(i)]"
            let index = try s.integer(f["feature_index"], path + ".feature_index", in: 0...Int64(ModelLimits.maximumFeatures - 1))
            let flat = try s.integer(
                f["flat_feature_index"] ?? f["feature_index"], path + ".flat_feature_index",
                in: 0...Int64(ModelLimits.maximumFeatures - 1))
            columnOf[index] = flat
            featureCount = max(featureCount, flat + 1)
            var mode = MissingRule.nanIsLowest
            if let t = f["nan_value_treatment"] {
                switch try s.string(t, path + ".nan_value_treatment") {
                case "AsIs", "AsFalse": mode = .nanIsLowest
                case "AsTrue": mode = .nanIsHighest
                case let other: throw s.fail(path + ".nan_value_treatment", "unknown value '\(other)'")
                }
            }
            nanMode[index] = mode
        }

        var objective = "RMSE"
        if let info = root["model_info"], let params = info["params"], let loss = params["loss_function"],
            let type = loss["type"], case .string(let name) = type
        {
            objective = name
        }
        let transform: OutputTransform
        switch objective {
        case "Logloss", "CrossEntropy": transform = .sigmoid(scale: 1)
        case "MultiClass": transform = .softmax
        case "RMSE", "MAE", "Quantile", "MAPE", "Lq", "Huber", "Expectile", "LogLinQuantile", "RMSEWithUncertainty",
            "MultiRMSE", "YetiRank", "PairLogit", "QueryRMSE":
            transform = .identity
        case "Poisson", "Tweedie": transform = .exponential
        default:
            throw ModelError(.unsupported, "loss function '\(objective)' is not supported", format: fmt)
        }

        var scale = 1.0
        var bias: [Double] = [0]
        if let sb = root["scale_and_bias"] {
            let pair = try s.array(sb, "scale_and_bias")
            guard pair.count == 2 else { throw s.fail("scale_and_bias", "expected [scale, [bias...]]") }
            scale = try s.number(pair[0], "scale_and_bias[0]").double
            switch pair[1] {
            case .array: bias = try s.numbers(pair[1], "scale_and_bias[1]").map { $0.double }
            default: bias = [try s.number(pair[1], "scale_and_bias[1]").double]
            }
            guard scale.isFinite, bias.allSatisfy(\.isFinite) else { throw s.fail("scale_and_bias", "not finite") }
        }

        let treesJSON = try s.array(root["oblivious_trees"], "oblivious_trees")
        guard treesJSON.count <= ModelLimits.maximumTrees else {
            throw ModelError(.limit, "\(treesJSON.count) trees exceed the limit of \(ModelLimits.maximumTrees)", format: fmt)
        }
        var dimensions = bias.count
        var trees: [Tree] = []
        for (t, tj) in treesJSON.enumerated() {
            s.tree = t
            let splits = try s.array(tj["splits"], "splits")
            guard splits.count <= maximumDepth else {
                throw ModelError(.limit, "depth \(splits.count) exceeds \(maximumDepth)", format: fmt, tree: t)
            }
            var tests: [(column: Int32, border: Float, missing: MissingRule)] = []
            for (d, split) in splits.enumerated() {
                let path = "splits[\(d)]"
                if let type = split["split_type"] {
                    let name = try s.string(type, path + ".split_type")
                    guard name == "FloatFeature" else {
                        throw ModelError(.unsupported, "split type '\(name)' is not supported", format: fmt, tree: t, node: d)
                    }
                }
                let f = try s.integer(split["float_feature_index"], path + ".float_feature_index", in: 0...Int64(Int32.max))
                guard let column = columnOf[f] else {
                    throw ModelError(.invalidTree, "float feature \(f) is not declared in features_info", format: fmt, tree: t, node: d)
                }
                let border = try s.number(split["border"], path + ".border").float
                guard !border.isNaN else { throw ModelError(.invalidTree, "border is NaN", format: fmt, tree: t, node: d) }
                tests.append((Int32(column), border, nanMode[f] ?? .nanIsLowest))
            }
            let leafCount = 1 << splits.count
            let values = try s.numbers(tj["leaf_values"], "leaf_values").map { $0.double }
            guard values.count % leafCount == 0, values.count > 0 else {
                throw s.fail("leaf_values", "has \(values.count) values, not a multiple of \(leafCount) leaves")
            }
            let dims = values.count / leafCount
            if t == 0 && dims > 1 && bias.count == 1 {
                bias = Array(repeating: bias[0], count: dims)
                dimensions = dims
            }
            guard dims == dimensions else {
                throw s.fail("leaf_values", "\(dims) values per leaf; the model has \(dimensions) dimensions")
            }
            for k in 0..<dims {
                trees.append(Tree(nodes: completeTree(tests, values: values, dims: dims, dim: k), output: k))
            }
        }
        if dimensions > 1, case .sigmoid = transform {
            throw ModelError(.schema, "\(objective) with \(dimensions) dimensions", format: fmt)
        }
        let ensemble = TreeEnsemble(
            library: .catboost, format: .catboostJSON, objective: objective, transform: transform,
            featureCount: max(featureCount, 1), featureNames: [], outputCount: dimensions, trees: trees,
            categorySets: [], accumulation: .float64ScaleBias(scale: scale, bias: bias))
        try ensemble.validate()
        return ensemble
    }

    /// A complete binary tree in heap order (children of k at 2k+1 and 2k+2) for an oblivious tree.
    static func completeTree(
        _ tests: [(column: Int32, border: Float, missing: MissingRule)], values: [Double], dims: Int, dim: Int
    ) -> [TreeNode] {
        let depth = tests.count
        var nodes: [TreeNode] = []
        nodes.reserveCapacity((2 << depth) - 1)
        // Level by level; `path` is the leaf-index prefix built from the bits decided so far.
        for level in 0...depth {
            for position in 0..<(1 << level) {
                // Heap position within the level, left-to-right; bit (level-1-j) of `position` is the
                // decision at level j, and CatBoost's leaf index puts the decision at level j in bit j.
                var leafIndex = 0
                for j in 0..<level where (position >> (level - 1 - j)) & 1 == 1 { leafIndex |= 1 << j }
                let k = nodes.count
                if level == depth {
                    nodes.append(.leaf(values[leafIndex * dims + dim], id: Int32(leafIndex)))
                } else {
                    var node = TreeNode(kind: .numeric)
                    node.feature = tests[level].column
                    node.threshold = Double(tests[level].border)
                    node.missing = tests[level].missing
                    node.left = Int32(2 * k + 1)
                    node.right = Int32(2 * k + 2)
                    nodes.append(node)
                }
            }
        }
        return nodes
    }
}
