import Foundation
import TernInference
import TernTestSupport
import Testing

/// Bad model files: each is refused with a precise error, and nothing traps.
@Suite("Hostile and malformed model files")
struct HostileFileTests {
    /// A one-tree XGBoost JSON model; the arrays are spliced in by each test.
    static func xgboost(
        left: String = "[1,-1,-1]", right: String = "[2,-1,-1]", features: String = "[0,0,0]",
        conditions: String = "[0.5,-1.0,1.0]", numFeature: String = "\"2\"", objective: String = "binary:logistic",
        hessian: String = "[4,3,1]"
    ) -> [UInt8] {
        let text = """
            {"learner":{"feature_names":[],"gradient_booster":{"model":{"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"1"},
            "tree_info":[0],"trees":[{"left_children":\(left),"right_children":\(right),"split_indices":\(features),
            "split_conditions":\(conditions),"sum_hessian":\(hessian),"default_left":[1,0,0],"split_type":[0,0,0],"categories":[],"categories_nodes":[],
            "categories_segments":[],"categories_sizes":[],"tree_param":{"num_nodes":"3"}}]},"name":"gbtree"},
            "learner_model_param":{"base_score":"[5E-1]","num_class":"0","num_feature":\(numFeature),"num_target":"1"},
            "objective":{"name":"\(objective)"}},"version":[3,2,0]}
            """
        return Array(text.utf8)
    }

    func error(_ bytes: [UInt8]) -> ModelError? {
        do {
            _ = try TreeEnsemble.load(bytes: bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test("a valid baseline loads")
    func baseline() throws {
        let e = try TreeEnsemble.load(bytes: Self.xgboost())
        #expect(e.trees.count == 1 && e.featureCount == 2)
        #expect(e.trees[0].nodes.map(\.cover) == [0, 3, 1])  // leaves only
        #expect(e.trees[0].pathLengthDistribution == [0, 1])
    }

    @Test("structural faults name the tree and node", arguments: [
        (Self.xgboost(left: "[1,0,-1]", right: "[2,-1,-1]"), "tree 0, node 1"),  // cycle back to the root
        (Self.xgboost(left: "[1,-1,-1]", right: "[7,-1,-1]"), "out of range"),
        (Self.xgboost(left: "[1,-1,-1]", right: "[1,-1,-1]"), "reached twice"),
        (Self.xgboost(features: "[5,0,0]"), "feature index 5"),
        (Self.xgboost(conditions: "[NaN,-1.0,1.0]"), "threshold is NaN"),
        (Self.xgboost(left: "[1,-1,2]", right: "[2,-1,-1]"), "only one child"),
        (Self.xgboost(numFeature: "\"0\""), "num_feature"),
        (Self.xgboost(objective: "reg:unknown"), "objective 'reg:unknown'"),
        (Self.xgboost(conditions: "[0.5,-1.0]"), "split_conditions: has 2 entries"),
        (Self.xgboost(hessian: "[4,3]"), "sum_hessian: has 2 entries"),
        (Self.xgboost(hessian: "[4,-3,1]"), "sum_hessian[1]"),
    ])
    func structural(bytes: [UInt8], expected: String) {
        let e = error(bytes)
        #expect(e != nil)
        #expect(e?.description.contains(expected) == true, "\(String(describing: e))")
    }

    @Test("excessive depth is refused")
    func depth() throws {
        // A chain 100 nodes deep: node i has children i+1 and a leaf.
        let n = 201
        var left = [Int](repeating: -1, count: n)
        var right = [Int](repeating: -1, count: n)
        for i in 0..<100 {
            left[i] = 2 * i + 1 == 1 ? 1 : 2 * i + 1
            right[i] = 2 * i + 2
        }
        // Rewire as a left-leaning chain: internal nodes at even indices 0, 2, 4, …
        for i in 0..<n { left[i] = -1; right[i] = -1 }
        for k in 0..<100 {
            left[2 * k] = 2 * k + 2
            right[2 * k] = 2 * k + 1
        }
        func list(_ a: [Int]) -> String { "[" + a.map(String.init).joined(separator: ",") + "]" }
        let text = String(decoding: Self.xgboost(), as: UTF8.self)
            .replacingOccurrences(of: "\"left_children\":[1,-1,-1]", with: "\"left_children\":\(list(left))")
            .replacingOccurrences(of: "\"right_children\":[2,-1,-1]", with: "\"right_children\":\(list(right))")
            .replacingOccurrences(of: "\"split_indices\":[0,0,0]", with: "\"split_indices\":\(list([Int](repeating: 0, count: n)))")
            .replacingOccurrences(of: "\"split_conditions\":[0.5,-1.0,1.0]", with: "\"split_conditions\":\(list([Int](repeating: 1, count: n)))")
            .replacingOccurrences(of: "\"default_left\":[1,0,0]", with: "\"default_left\":\(list([Int](repeating: 0, count: n)))")
            .replacingOccurrences(of: "\"split_type\":[0,0,0]", with: "\"split_type\":\(list([Int](repeating: 0, count: n)))")
            .replacingOccurrences(of: "\"num_nodes\":\"3\"", with: "\"num_nodes\":\"\(n)\"")
            .replacingOccurrences(of: "\"sum_hessian\":[4,3,1]", with: "\"sum_hessian\":[]")
        let e = error(Array(text.utf8))
        #expect(e?.kind == .limit, "\(String(describing: e))")
        #expect(e?.description.contains("depth exceeds 64") == true, "\(String(describing: e))")
    }

    @Test("deep JSON nesting is refused, not recursed into")
    func nesting() {
        let e = error(Array(("{\"a\":" + String(repeating: "[", count: 100_000)).utf8))
        #expect(e?.kind == .limit)
    }

    @Test("every truncation of every fixture model is refused with an error")
    func truncations() throws {
        guard let folder = sharedModelsFolder() else {
            Issue.record("../shared/models is missing")
            return
        }
        for file in ["xgb_small.json", "xgb_small.ubj", "lgb_small.txt"] {
            let bytes = try readModelFile(folder.appendingPathComponent(file))
            var refused = 0
            // Every prefix for the small binary file; a stride for the text files keeps this quick.
            let step = file.hasSuffix(".ubj") ? 1 : 7
            // LightGBM: what follows "end of trees" (importances, parameters) is optional.
            var end = bytes.count - 1
            if let r = String(decoding: bytes, as: UTF8.self).range(of: "end of trees") {
                end = String(decoding: bytes, as: UTF8.self).utf8.distance(
                    from: String(decoding: bytes, as: UTF8.self).startIndex, to: r.upperBound) - 1
            }
            for cut in Swift.stride(from: 0, to: end, by: step) {
                if error(Array(bytes[..<cut])) != nil { refused += 1 } else {
                    // A LightGBM prefix that still ends in "end of trees" cannot exist; any success is a bug.
                    Issue.record("\(file) truncated at \(cut) bytes loaded")
                }
            }
            #expect(refused > 0)
        }
    }

    @Test("random byte mutations never trap; errors carry a message")
    func mutations() throws {
        guard let folder = sharedModelsFolder() else {
            Issue.record("../shared/models is missing")
            return
        }
        var g = SplitMix64(seed: 42)
        for file in ["xgb_small.json", "xgb_small.ubj", "lgb_small.txt"] {
            let original = try readModelFile(folder.appendingPathComponent(file))
            for _ in 0..<300 {
                var bytes = original
                for _ in 0..<(1 + Int(g.next() % 4)) {
                    let i = Int(g.next() % UInt64(bytes.count))
                    bytes[i] = UInt8(truncatingIfNeeded: g.next())
                }
                if let e = error(bytes) {
                    #expect(!e.message.isEmpty)
                } else if let model = try? TreeEnsemble.load(bytes: bytes) {
                    // Still a valid model: it must compile and evaluate.
                    let forest = try QuantizedForest(model)
                    let scratch = forest.makeScratch()
                    _ = forest.evaluate([Float](repeating: 0.25, count: model.featureCount), scratch: scratch)
                }
            }
        }
    }

    @Test("LightGBM faults name the line and tree", arguments: [
        ("tree\nversion=v4\nnum_class=1\nmax_feature_idx=1\nobjective=regression\n\nTree=0\nnum_leaves=2\nsplit_feature=0\nthreshold=0.5\ndecision_type=2\nleft_child=-1\nright_child=-3\nleaf_value=1 2\n\nend of trees\n", "leaf 2 is out of range"),
        ("tree\nversion=v4\nnum_class=1\nmax_feature_idx=1\nobjective=regression\n\nTree=0\nnum_leaves=2\nsplit_feature=9\nthreshold=0.5\ndecision_type=2\nleft_child=-1\nright_child=-2\nleaf_value=1 2\n\nend of trees\n", "feature index 9"),
        ("tree\nversion=v4\nnum_class=1\nmax_feature_idx=1\nobjective=regression\n\nTree=0\nnum_leaves=2\nsplit_feature=0\nthreshold=nan\ndecision_type=2\nleft_child=-1\nright_child=-2\nleaf_value=1 2\n\nend of trees\n", "threshold is NaN"),
        ("tree\nversion=v4\nnum_class=1\nmax_feature_idx=1\nobjective=regression\n\nTree=0\nnum_leaves=2\nsplit_feature=0\nthreshold=0.5\ndecision_type=2\nleft_child=-1\nright_child=-2\nleaf_value=1 2\n", "no 'end of trees'"),
        ("tree\nversion=v4\nnum_class=1\nmax_feature_idx=1\nobjective=regression\n\nTree=0\nnum_leaves=3\nsplit_feature=0 1\nthreshold=0.5 1\ndecision_type=2 2\nleft_child=1 -1\nright_child=0 -2\nleaf_value=1 2 3\n\nend of trees\n", "tree 0"),
        ("tree\nversion=v4\nnum_class=1\nmax_feature_idx=1\nobjective=regression\n\nTree=0\nnum_leaves=2\nsplit_feature=0\nthreshold=0.5\ndecision_type=2\nleft_child=-1\nright_child=-2\nleaf_value=1 2\nleaf_count=5 -1\n\nend of trees\n", "leaf_count: '-1'"),
        ("tree\nversion=v4\nnum_class=1\nmax_feature_idx=1\nobjective=regression\n\nTree=0\nnum_leaves=2\nsplit_feature=0\nthreshold=0.5\ndecision_type=2\nleft_child=-1\nright_child=-2\nleaf_value=1 2\nleaf_count=5\n\nend of trees\n", "leaf_count has 1 entries, expected 2"),
        ("tree\nversion=v4\nnum_class=1\nmax_feature_idx=1\nobjective=regression\n\nTree=0\nnum_leaves=2\nsplit_feature=0\nthreshold=0.5\ndecision_type=2\nleft_child=-1\nright_child=-2\nleaf_value=1 2\nis_linear=1\n\nend of trees\n", "linear trees"),
        ("tree\nversion=v4\nnum_class=1\nmax_feature_idx=1\nobjective=regression\n\nTree=0\nnum_leaves=2\nnum_cat=1\nsplit_feature=0\nthreshold=3\ndecision_type=1\nleft_child=-1\nright_child=-2\nleaf_value=1 2\ncat_boundaries=0 1\ncat_threshold=5\n\nend of trees\n", "not a category set index"),
    ])
    func lightgbm(text: String, expected: String) {
        let e = error(Array(text.utf8))
        #expect(e != nil)
        #expect(e?.description.contains(expected) == true, "\(String(describing: e))")
    }

    @Test("format detection explains what it cannot read")
    func detection() {
        #expect(error([0x1F, 0x8B, 8, 0])?.description.contains("gzip") == true)
        #expect(error(Array("CBM1xxxx".utf8))?.description.contains(".cbm") == true)
        #expect(error([])?.description.contains("empty") == true)
        #expect(error(Array("hello".utf8))?.kind == .syntax)
    }
}
