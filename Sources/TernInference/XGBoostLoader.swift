/// XGBoost JSON (`save_model("m.json")`) and UBJSON (`.ubj`, XGBoost's default since 2.1).
///
/// Both formats carry the same document; UBJSON stores float32 arrays as raw big-endian floats.
enum XGBoostLoader {
    static func load(_ root: JSONValue, format: ModelFormat) throws(ModelError) -> TreeEnsemble {
        var s = Schema(format: format.rawValue)
        let learner = try s.object(root["learner"], "learner")
        let param = try s.object(learner["learner_model_param"], "learner.learner_model_param")
        let objectiveName = try s.string(
            try s.object(learner["objective"], "learner.objective")["name"], "learner.objective.name")
        let numClass = try s.integer(param["num_class"], "learner_model_param.num_class", in: 0...Int64(ModelLimits.maximumOutputs))
        let numFeature = try s.integer(
            param["num_feature"], "learner_model_param.num_feature", in: 1...Int64(ModelLimits.maximumFeatures))
        if let target = param["num_target"] {
            let n = try s.integer(target, "learner_model_param.num_target", in: 0...Int64(ModelLimits.maximumOutputs))
            guard n <= 1 else {
                throw ModelError(.unsupported, "multi-target models (num_target = \(n)) are not supported", format: format.rawValue)
            }
        }
        let outputs = max(numClass, 1)

        // Feature names (optional).
        var names: [String] = []
        if let list = learner["feature_names"], case .array(let a) = list {
            for (i, v) in a.enumerated() {
                guard case .string(let n) = v else { throw s.fail("learner.feature_names[\(i)]", "expected a string") }
                names.append(n)
            }
            if !names.isEmpty && names.count != numFeature {
                throw s.fail("learner.feature_names", "has \(names.count) names for \(numFeature) features")
            }
        }

        // The booster: gbtree, or dart (gbtree plus per-tree weights).
        let booster = try s.object(learner["gradient_booster"], "learner.gradient_booster")
        let boosterName = try s.string(booster["name"], "gradient_booster.name")
        let model: JSONValue
        var weights: [Float]? = nil
        switch boosterName {
        case "gbtree":
            model = try s.object(booster["model"], "gradient_booster.model")
        case "dart":
            let gbtree = try s.object(booster["gbtree"], "gradient_booster.gbtree")
            model = try s.object(gbtree["model"], "gradient_booster.gbtree.model")
            weights = try s.numbers(booster["weight_drop"], "gradient_booster.weight_drop").map { $0.float }
        default:
            throw ModelError(
                .unsupported, "booster '\(boosterName)' is not a tree booster (gbtree and dart are supported)",
                format: format.rawValue)
        }
        let treesJSON = try s.array(model["trees"], "model.trees")
        guard treesJSON.count <= ModelLimits.maximumTrees else {
            throw ModelError(.limit, "\(treesJSON.count) trees exceed the limit of \(ModelLimits.maximumTrees)", format: format.rawValue)
        }
        let treeInfo = try s.integers(
            model["tree_info"], "model.tree_info", count: treesJSON.count, in: 0...Int64(outputs - 1))
        if let weights, weights.count != treesJSON.count {
            throw s.fail("gradient_booster.weight_drop", "has \(weights.count) weights for \(treesJSON.count) trees")
        }

        // Objective → base margin and transform (XGBoost's ProbToMargin and PredTransform).
        let stored = try baseScores(param["base_score"], schema: s, outputs: outputs)
        var base: [Float]
        let transform: OutputTransform
        switch objectiveName {
        case "binary:logistic", "reg:logistic":
            base = stored.map(xgboostLogit)
            transform = .sigmoid(scale: 1)
        case "binary:logitraw":
            base = stored  // its base_score is already a margin (checked against XGBoost 3.2)
            transform = .identity
        case "binary:hinge":
            base = stored
            transform = .step
        case "reg:squarederror", "reg:squaredlogerror", "reg:pseudohubererror", "reg:absoluteerror",
            "reg:quantileerror", "reg:linear", "rank:pairwise", "rank:ndcg", "rank:map":
            base = stored
            transform = .identity
        case "count:poisson", "reg:gamma", "reg:tweedie", "survival:cox", "survival:aft":
            base = stored.map(xgboostLog)
            transform = .exponential
        case "multi:softprob":
            base = stored
            transform = .softmax
        case "multi:softmax":
            base = stored
            transform = .argmax
        default:
            throw ModelError(.unsupported, "objective '\(objectiveName)' is not supported", format: format.rawValue)
        }
        if numClass > 1 && !objectiveName.hasPrefix("multi:") {
            throw s.fail("learner.objective.name", "'\(objectiveName)' with num_class = \(numClass)")
        }
        for (k, b) in base.enumerated() where !b.isFinite {
            throw s.fail("learner_model_param.base_score", "base margin \(k) is \(b) for objective \(objectiveName)")
        }

        var categorySets: [[UInt32]] = []
        var trees: [Tree] = []
        trees.reserveCapacity(treesJSON.count)
        for (t, tj) in treesJSON.enumerated() {
            s.tree = t
            trees.append(
                try tree(tj, schema: s, output: treeInfo[t], weight: weights?[t], numFeature: numFeature,
                    categorySets: &categorySets))
        }
        var ensemble = TreeEnsemble(
            library: .xgboost, format: format, objective: objectiveName, transform: transform,
            featureCount: numFeature, featureNames: names, outputCount: outputs, trees: trees,
            categorySets: categorySets, accumulation: .float32(base: base))
        if weights != nil { ensemble.notes.append("DART: weight_drop folded into the leaf values (float32)") }
        try ensemble.validate()
        return ensemble
    }

    /// `base_score` as XGBoost stores it: `"[5.2286667E-1]"`, `"[a,b,c]"` (3.x), `"5E-1"` (older).
    static func baseScores(_ value: JSONValue?, schema s: Schema, outputs: Int) throws(ModelError) -> [Float] {
        let path = "learner_model_param.base_score"
        var values: [Float] = []
        switch try s.required(value, path) {
        case .string(let text):
            var body = Substring(text)
            if body.hasPrefix("[") && body.hasSuffix("]") { body = body.dropFirst().dropLast() }
            for part in body.split(separator: ",", omittingEmptySubsequences: false) {
                let p = part.trimmingSpaces()
                guard let f = Float(p) else { throw s.fail(path, "'\(text.prefix(60))' is not a number list") }
                values.append(f)
            }
        case .number(let n): values = [n.float]
        case .array(let a):
            for v in a {
                guard case .number(let n) = v else { throw s.fail(path, "expected numbers") }
                values.append(n.float)
            }
        default: throw s.fail(path, "expected a string or number")
        }
        if values.count == 1 && outputs > 1 { values = Array(repeating: values[0], count: outputs) }
        guard values.count == outputs else { throw s.fail(path, "has \(values.count) values for \(outputs) outputs") }
        return values
    }

    static func tree(
        _ tj: JSONValue, schema s: Schema, output: Int, weight: Float?, numFeature: Int,
        categorySets: inout [[UInt32]]
    ) throws(ModelError) -> Tree {
        let left = try s.integers(tj["left_children"], "left_children", in: -1...Int64(Int32.max))
        let n = left.count
        guard n > 0 else { throw ModelError(.invalidTree, "the tree has no nodes", format: s.format, tree: s.tree) }
        guard n <= ModelLimits.maximumNodesPerTree else {
            throw ModelError(.limit, "\(n) nodes exceed the limit of \(ModelLimits.maximumNodesPerTree)", format: s.format, tree: s.tree)
        }
        let right = try s.integers(tj["right_children"], "right_children", count: n, in: -1...Int64(Int32.max))
        let features = try s.integers(tj["split_indices"], "split_indices", count: n, in: 0...Int64(Int32.max))
        let conditions = try s.numbers(tj["split_conditions"], "split_conditions", count: n)
        let defaults = try flags(tj["default_left"], "default_left", count: n, schema: s)
        var types = [Int](repeating: 0, count: n)
        if let st = tj["split_type"], case .array(let a) = st, !a.isEmpty {
            types = try s.integers(st, "split_type", count: n, in: 0...1)
        }
        // Optional: the hessian-weighted training cover of each node, read for scheduling only.
        var cover = [Double](repeating: 0, count: n)
        if let h = tj["sum_hessian"], case .array(let a) = h, !a.isEmpty {
            for (i, v) in try s.numbers(h, "sum_hessian", count: n).enumerated() {
                let c = v.double
                guard c >= 0, c.isFinite else { throw s.fail("sum_hessian[\(i)]", "\(c) is not a finite weight ≥ 0") }
                cover[i] = c
            }
        }
        if let param = tj["tree_param"], let nn = param["num_nodes"] {
            let declared = try s.integer(nn, "tree_param.num_nodes", in: 0...Int64(Int32.max))
            guard declared == n else { throw s.fail("tree_param.num_nodes", "says \(declared), the arrays hold \(n)") }
        }

        // Categorical sets: node ids, and segments into the flat category list.
        var setOfNode: [Int: Int32] = [:]
        if types.contains(1) {
            let catNodes = try s.integers(tj["categories_nodes"], "categories_nodes", in: 0...Int64(n - 1))
            let segments = try s.integers(
                tj["categories_segments"], "categories_segments", count: catNodes.count, in: 0...Int64(Int32.max))
            let sizes = try s.integers(tj["categories_sizes"], "categories_sizes", count: catNodes.count, in: 0...Int64(Int32.max))
            let cats = try s.integers(tj["categories"], "categories", in: 0...Int64(ModelLimits.maximumCategory - 1))
            for (j, node) in catNodes.enumerated() {
                guard segments[j] + sizes[j] <= cats.count else {
                    throw ModelError(
                        .invalidTree, "categories segment \(segments[j])+\(sizes[j]) exceeds \(cats.count) categories",
                        format: s.format, tree: s.tree, node: node)
                }
                var bits: [UInt32] = []
                for c in cats[segments[j]..<segments[j] + sizes[j]] {
                    let w = c >> 5
                    if w >= bits.count { bits.append(contentsOf: repeatElement(0, count: w - bits.count + 1)) }
                    bits[w] |= 1 << UInt32(c & 31)
                }
                setOfNode[node] = Int32(categorySets.count)
                categorySets.append(bits)
            }
        }

        var nodes: [TreeNode] = []
        nodes.reserveCapacity(n)
        for i in 0..<n {
            if left[i] == -1 || right[i] == -1 {
                guard left[i] == -1 && right[i] == -1 else {
                    throw ModelError(
                        .invalidTree, "only one child is -1 (left \(left[i]), right \(right[i]))", format: s.format,
                        tree: s.tree, node: i)
                }
                var value = conditions[i].float
                if let weight { value = weight * value }
                var leaf = TreeNode.leaf(Double(value), id: Int32(i))
                leaf.cover = cover[i]
                nodes.append(leaf)
                continue
            }
            var node = TreeNode(kind: types[i] == 1 ? .categorical : .numeric)
            node.feature = Int32(features[i])
            node.threshold = Double(conditions[i].float)
            node.defaultLeft = defaults[i]
            node.missing = .nanGoesDefault
            node.left = Int32(left[i])
            node.right = Int32(right[i])
            if types[i] == 1 {
                guard let set = setOfNode[i] else {
                    throw ModelError(.invalidTree, "categorical split without a category list", format: s.format, tree: s.tree, node: i)
                }
                node.categorySet = set
            }
            nodes.append(node)
        }
        return Tree(nodes: nodes, output: output)
    }

    static func flags(_ value: JSONValue?, _ path: String, count: Int, schema s: Schema) throws(ModelError) -> [Bool] {
        let a = try s.array(value, path)
        guard a.count == count else { throw s.fail(path, "has \(a.count) entries, expected \(count)") }
        var out: [Bool] = []
        out.reserveCapacity(count)
        for (i, v) in a.enumerated() {
            switch v {
            case .bool(let b): out.append(b)
            case .number(let n):
                guard let k = n.integer, k == 0 || k == 1 else { throw s.fail("\(path)[\(i)]", "expected 0 or 1") }
                out.append(k == 1)
            default: throw s.fail("\(path)[\(i)]", "expected 0 or 1, found \(v.typeName)")
            }
        }
        return out
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" || f == "\r" || f == "\n" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\n" { s = s.dropLast() }
        return s
    }
}
