/// LightGBM text models (`Booster.save_model`, `model_to_string`).
enum LightGBMLoader {
    static let format = ModelFormat.lightgbmText.rawValue

    static func fail(_ message: String, line: Int? = nil, tree: Int? = nil, node: Int? = nil) -> ModelError {
        let where_ = line.map { "line \($0): " } ?? ""
        return ModelError(.schema, where_ + message, format: format, tree: tree, node: node)
    }

    /// Splits a `key=value` section into a dictionary; the first line number of each key for errors.
    struct Section {
        var values: [Substring: (Substring, Int)] = [:]
        var flags: Set<Substring> = []
    }

    static func load(_ bytes: UnsafeBufferPointer<UInt8>) throws(ModelError) -> TreeEnsemble {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for i in lines.indices where lines[i].hasSuffix("\r") { lines[i] = lines[i].dropLast() }
        guard let first = lines.first, first == "tree" else {
            throw ModelError(.syntax, "a LightGBM text model starts with the line 'tree'", format: format, offset: 0)
        }
        var i = 1
        // Header.
        var header = Section()
        while i < lines.count && !lines[i].hasPrefix("Tree=") && lines[i] != "end of trees" {
            record(lines[i], line: i + 1, into: &header)
            i += 1
        }
        func headerValue(_ key: Substring) throws(ModelError) -> (Substring, Int) {
            guard let v = header.values[key] else { throw fail("the header has no '\(key)='") }
            return v
        }
        func headerInt(_ key: Substring, default value: Int? = nil, in range: ClosedRange<Int>) throws(ModelError) -> Int {
            guard let (v, line) = header.values[key] else {
                if let value { return value }
                throw fail("the header has no '\(key)='")
            }
            guard let n = Int(v), range.contains(n) else {
                throw fail("\(key)=\(v.prefix(40)) is not an integer in \(range.lowerBound)...\(range.upperBound)", line: line)
            }
            return n
        }
        let numClass = try headerInt("num_class", default: 1, in: 1...ModelLimits.maximumOutputs)
        let perIteration = try headerInt("num_tree_per_iteration", default: numClass, in: 1...ModelLimits.maximumOutputs)
        let maxFeature = try headerInt("max_feature_idx", in: 0...ModelLimits.maximumFeatures - 1)
        let featureCount = maxFeature + 1
        var names: [String] = []
        if let (v, line) = header.values["feature_names"] {
            names = v.split(separator: " ").map(String.init)
            guard names.count == featureCount else {
                throw fail("feature_names has \(names.count) names for \(featureCount) features", line: line)
            }
        }
        let objectiveLine = header.values["objective"]?.0 ?? "custom"
        let (objective, transform) = try objectiveTransform(objectiveLine, line: header.values["objective"]?.1)

        // Trees.
        var trees: [Tree] = []
        var categorySets: [[UInt32]] = []
        var ended = false
        while i < lines.count {
            let line = lines[i]
            if line == "end of trees" {
                ended = true
                break
            }
            if line.isEmpty {
                i += 1
                continue
            }
            guard line.hasPrefix("Tree=") else { throw fail("expected 'Tree=N' or 'end of trees'", line: i + 1) }
            let t = trees.count
            guard Int(line.dropFirst(5)) == t else {
                throw fail("'\(line.prefix(40))' is out of sequence (expected Tree=\(t))", line: i + 1)
            }
            guard t < ModelLimits.maximumTrees else {
                throw ModelError(.limit, "more than \(ModelLimits.maximumTrees) trees", format: format)
            }
            let start = i + 1
            i += 1
            var section = Section()
            while i < lines.count && !lines[i].isEmpty && !lines[i].hasPrefix("Tree=") && lines[i] != "end of trees" {
                record(lines[i], line: i + 1, into: &section)
                i += 1
            }
            trees.append(
                try tree(section, index: t, firstLine: start, output: t % perIteration, featureCount: featureCount,
                    categorySets: &categorySets))
        }
        guard ended else { throw ModelError(.syntax, "truncated: no 'end of trees' line", format: format) }
        guard trees.count % perIteration == 0 else {
            throw fail("\(trees.count) trees is not a multiple of num_tree_per_iteration = \(perIteration)")
        }
        let average = header.flags.contains("average_output")
        var ensemble = TreeEnsemble(
            library: .lightgbm, format: .lightgbmText, objective: String(objective), transform: transform,
            featureCount: featureCount, featureNames: names, outputCount: perIteration, trees: trees,
            categorySets: categorySets, accumulation: .float64(averageOver: average ? trees.count / perIteration : nil))
        if average { ensemble.notes.append("average_output: margins are divided by the iteration count") }
        try ensemble.validate()
        return ensemble
    }

    static func record(_ line: Substring, line number: Int, into section: inout Section) {
        if let eq = line.firstIndex(of: "=") {
            let key = line[..<eq]
            if section.values[key] == nil { section.values[key] = (line[line.index(after: eq)...], number) }
        } else if !line.isEmpty {
            section.flags.insert(line)
        }
    }

    static func objectiveTransform(_ line: Substring, line number: Int?) throws(ModelError) -> (Substring, OutputTransform) {
        let parts = line.split(separator: " ")
        guard let name = parts.first else { return ("custom", .identity) }
        var sigma = 1.0
        var sqrt = false
        for option in parts.dropFirst() {
            if option.hasPrefix("sigmoid:") {
                guard let v = Double(option.dropFirst(8)), v.isFinite, v > 0 else {
                    throw fail("objective option '\(option)' is not a positive number", line: number)
                }
                sigma = v
            } else if option == "sqrt" {
                sqrt = true
            }
        }
        switch name {
        case "regression", "regression_l2", "l2", "mean_squared_error", "mse", "l2_root", "root_mean_squared_error",
            "rmse", "regression_l1", "l1", "mean_absolute_error", "mae":
            return (name, sqrt ? .signedSquare : .identity)
        case "huber", "fair", "quantile", "mape", "mean_absolute_percentage_error", "lambdarank", "rank_xendcg",
            "xendcg", "xe_ndcg", "xe_ndcg_mart", "xendcg_mart", "custom", "none", "null", "na":
            return (name, .identity)
        case "poisson", "gamma", "tweedie":
            return (name, .exponential)
        case "binary":
            return (name, .sigmoid(scale: sigma))
        case "multiclass", "softmax":
            return (name, .softmax)
        case "multiclassova", "multiclass_ova", "ova", "ovr":
            return (name, .sigmoid(scale: sigma))
        case "cross_entropy", "xentropy":
            return (name, .sigmoid(scale: 1))
        case "cross_entropy_lambda", "xentlambda":
            return (name, .softplus)
        default:
            throw ModelError(.unsupported, "objective '\(name)' is not supported", format: format)
        }
    }

    static func tree(
        _ section: Section, index t: Int, firstLine: Int, output: Int, featureCount: Int,
        categorySets: inout [[UInt32]]
    ) throws(ModelError) -> Tree {
        func value(_ key: Substring) throws(ModelError) -> (Substring, Int) {
            guard let v = section.values[key] else { throw fail("no '\(key)=' line", line: firstLine, tree: t) }
            return v
        }
        func list<T>(_ key: Substring, count: Int, _ parse: (Substring) -> T?) throws(ModelError) -> [T] {
            let (v, line) = try value(key)
            var out: [T] = []
            out.reserveCapacity(count)
            for item in v.split(separator: " ") {
                guard let x = parse(item) else {
                    throw fail("\(key): '\(item.prefix(40))' is not a valid entry", line: line, tree: t)
                }
                out.append(x)
                guard out.count <= count else { break }
            }
            guard out.count == count else {
                throw fail("\(key) has \(out.count <= count ? String(out.count) : "more than \(count)") entries, expected \(count)", line: line, tree: t)
            }
            return out
        }
        let (leavesText, leavesLine) = try value("num_leaves")
        guard let numLeaves = Int(leavesText), numLeaves >= 1, numLeaves <= ModelLimits.maximumNodesPerTree / 2 else {
            throw ModelError(
                .limit, "line \(leavesLine): num_leaves=\(leavesText.prefix(20)) is outside 1...\(ModelLimits.maximumNodesPerTree / 2)",
                format: format, tree: t)
        }
        if let (linear, line) = section.values["is_linear"], linear != "0" {
            throw ModelError(.unsupported, "line \(line): linear trees (is_linear=1) are not supported", format: format, tree: t)
        }
        let leafValues = try list("leaf_value", count: numLeaves) { Double($0) }
        if numLeaves == 1 {
            return Tree(nodes: [.leaf(leafValues[0], id: 0)], output: output)
        }
        let innerCount = numLeaves - 1
        let features = try list("split_feature", count: innerCount) { Int32($0) }
        let thresholds = try list("threshold", count: innerCount) { Double($0) }
        let decisions = try list("decision_type", count: innerCount) { Int8($0) }
        let lefts = try list("left_child", count: innerCount) { Int32($0) }
        let rights = try list("right_child", count: innerCount) { Int32($0) }
        var numCat = 0
        if let (v, line) = section.values["num_cat"] {
            guard let n = Int(v), n >= 0, n <= innerCount else {
                throw fail("num_cat=\(v.prefix(20)) is outside 0...\(innerCount)", line: line, tree: t)
            }
            numCat = n
        }
        var boundaries: [Int] = []
        var words: [UInt32] = []
        var firstSet = Int32(categorySets.count)
        if numCat > 0 {
            boundaries = try list("cat_boundaries", count: numCat + 1) { Int($0) }
            let (v, line) = try value("cat_threshold")
            for item in v.split(separator: " ") {
                guard let w = UInt32(item) else { throw fail("cat_threshold: '\(item.prefix(20))' is not a uint32", line: line, tree: t) }
                words.append(w)
            }
            for k in 0..<numCat {
                guard boundaries[k] >= 0, boundaries[k] <= boundaries[k + 1], boundaries[k + 1] <= words.count else {
                    throw fail("cat_boundaries[\(k)...\(k + 1)] = \(boundaries[k])...\(boundaries[k + 1]) is outside the \(words.count) cat_threshold words", line: line, tree: t)
                }
                categorySets.append(Array(words[boundaries[k]..<boundaries[k + 1]]))
            }
        } else {
            firstSet = -1
        }

        func nodeIndex(_ child: Int32, from node: Int) throws(ModelError) -> Int32 {
            if child >= 0 {
                guard Int(child) < innerCount else {
                    throw ModelError(.invalidTree, "child \(child) is out of range (\(innerCount) internal nodes)", format: format, tree: t, node: node)
                }
                return child
            }
            let leaf = ~Int(child)
            guard leaf < numLeaves else {
                throw ModelError(.invalidTree, "leaf \(leaf) is out of range (\(numLeaves) leaves)", format: format, tree: t, node: node)
            }
            return Int32(innerCount + leaf)
        }
        var nodes: [TreeNode] = []
        nodes.reserveCapacity(innerCount + numLeaves)
        for i in 0..<innerCount {
            let d = UInt8(bitPattern: decisions[i])
            let categorical = d & 1 == 1
            var node = TreeNode(kind: categorical ? .categorical : .numeric)
            node.feature = features[i]
            node.defaultLeft = d & 2 == 2
            switch (d >> 2) & 3 {
            case 0: node.missing = .nanIsZero
            case 1: node.missing = .zeroBandGoesDefault
            case 2: node.missing = .nanGoesDefault
            default:
                throw ModelError(.invalidTree, "decision_type \(d) has missing type 3", format: format, tree: t, node: i)
            }
            node.threshold = thresholds[i]
            if categorical {
                let k = thresholds[i]
                guard k >= 0, k < Double(numCat), k.rounded(.towardZero) == k else {
                    throw ModelError(
                        .invalidTree, "categorical threshold \(k) is not a category set index below num_cat = \(numCat)",
                        format: format, tree: t, node: i)
                }
                node.categorySet = firstSet + Int32(k)
                node.threshold = 0
            }
            node.left = try nodeIndex(lefts[i], from: i)
            node.right = try nodeIndex(rights[i], from: i)
            nodes.append(node)
        }
        // Optional: the training rows per leaf (older files and hand-written ones may lack it).
        var counts: [Double]? = nil
        if section.values["leaf_count"] != nil {
            counts = try list("leaf_count", count: numLeaves) { Double($0).flatMap { $0 >= 0 && $0.isFinite ? $0 : nil } }
        }
        for j in 0..<numLeaves {
            var leaf = TreeNode.leaf(leafValues[j], id: Int32(j))
            leaf.cover = counts?[j] ?? 0
            nodes.append(leaf)
        }
        return Tree(nodes: nodes, output: output)
    }
}
