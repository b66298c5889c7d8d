import Foundation
@testable import TernInference
import TernTestSupport
import Testing

/// Random models and rows: the compiled kernels (single-row, batch, both leaf modes) against the slow
/// float reference evaluator, which applies each library's rule node by node.
@Suite("Random models against the reference evaluator")
struct PropertyTests {
    static var scale: Int { ProcessInfo.processInfo.environment["TERN_LONG_TESTS"] == nil ? 1 : 10 }

    /// A pool of values with near neighbours, so rows land exactly on, and one ulp beside, thresholds.
    static func pool(_ g: inout SplitMix64) -> [Float] {
        var base: [Float] = [0, -0.0, 1, -1, 0.5, 3, 1e-36, -1e-36, 1e-30, 7, 100, -2.5]
        for _ in 0..<6 { base.append(Float(Double(g.next() % 20_000) / 1000 - 10)) }
        var out: [Float] = []
        for v in base { out += [v, v.nextUp, v.nextDown] }
        return out
    }

    static func randomEnsemble(_ library: TreeLibrary, _ g: inout SplitMix64) -> TreeEnsemble {
        let features = 1 + Int(g.next() % 6)
        let outputs = library == .catboost ? 1 : 1 + Int(g.next() % 3)
        let values = pool(&g)
        var sets: [[UInt32]] = []
        var trees: [Tree] = []
        // Now and then more than one 64-tree block of the AVX-512 top-levels kernel.
        let treeCount = g.next() % 8 == 0 ? 60 + Int(g.next() % 80) : 1 + Int(g.next() % 20)
        for t in 0..<treeCount {
            var nodes: [TreeNode] = []
            var leafCounter: Int32 = 0
            func build(_ depth: Int, _ g: inout SplitMix64) -> Int32 {
                let index = Int32(nodes.count)
                nodes.append(TreeNode(kind: .leaf))
                if depth >= 7 || (depth > 0 && g.next() % 4 == 0) {
                    nodes[Int(index)] = .leaf(Double(Int(g.next() % 2001) - 1000) / 997, id: library == .xgboost ? index : leafCounter)
                    // Training cover for half the trees (it only moves the single-row schedule).
                    if t % 2 == 0 { nodes[Int(index)].cover = Double(g.next() % 1000) }
                    leafCounter += 1
                    return index
                }
                var node = TreeNode(kind: .numeric)
                node.feature = Int32(g.next() % UInt64(features))
                let v = values[Int(g.next() % UInt64(values.count))]
                switch library {
                case .xgboost, .catboost: node.threshold = Double(v)
                case .lightgbm:
                    // A double threshold near the float: LightGBM's own thresholds are doubles.
                    node.threshold = Double(v) + Double(Int(g.next() % 5) - 2) * 1e-12
                }
                node.defaultLeft = g.next() % 2 == 0
                switch library {
                case .xgboost: node.missing = .nanGoesDefault
                case .lightgbm: node.missing = [.nanGoesDefault, .zeroBandGoesDefault, .nanIsZero][Int(g.next() % 3)]
                case .catboost: node.missing = g.next() % 2 == 0 ? .nanIsLowest : .nanIsHighest
                }
                if library != .catboost && g.next() % 5 == 0 {
                    node.kind = .categorical
                    var words = [UInt32](repeating: 0, count: 1 + Int(g.next() % 2))
                    for w in words.indices { words[w] = UInt32(truncatingIfNeeded: g.next()) }
                    node.categorySet = Int32(sets.count)
                    sets.append(words)
                }
                nodes[Int(index)] = node
                let left = build(depth + 1, &g)
                let right = build(depth + 1, &g)
                nodes[Int(index)].left = left
                nodes[Int(index)].right = right
                return index
            }
            _ = build(0, &g)
            trees.append(Tree(nodes: nodes, output: t % outputs))
        }
        let accumulation: Accumulation
        switch library {
        case .xgboost: accumulation = .float32(base: (0..<outputs).map { Float($0) * 0.25 - 0.1 })
        case .lightgbm: accumulation = .float64(averageOver: g.next() % 2 == 0 ? nil : max(treeCount / outputs, 1))
        case .catboost: accumulation = .float64ScaleBias(scale: 0.75, bias: [0.125])
        }
        return TreeEnsemble(
            library: library, format: library == .xgboost ? .xgboostJSON : library == .lightgbm ? .lightgbmText : .catboostJSON,
            objective: "test", transform: outputs > 1 ? .softmax : .sigmoid(scale: 1), featureCount: features,
            featureNames: [], outputCount: outputs, trees: trees, categorySets: sets, accumulation: accumulation)
    }

    static func randomRow(_ features: Int, _ values: [Float], _ g: inout SplitMix64) -> [Float] {
        let specials: [Float] = [.nan, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 0, -0.0,
                                 1e-36, -0.5, -1, 2.7, 31, 33, 40, 64, 1e10, 3e9, 16_777_216, 16_777_215]
        return (0..<features).map { _ in
            switch g.next() % 3 {
            case 0: return specials[Int(g.next() % UInt64(specials.count))]
            case 1: return Float(Int(g.next() % 70) - 5) + (g.next() % 2 == 0 ? 0 : 0.5)
            default: return values[Int(g.next() % UInt64(values.count))]
            }
        }
    }

    @Test("compiled = reference on random models and rows", arguments: [TreeLibrary.xgboost, .lightgbm, .catboost])
    func randomModels(library: TreeLibrary) throws {
        for seed in 0..<UInt64(150 * Self.scale) {
            var g = SplitMix64(seed: seed &* 7919 &+ UInt64(library.rawValue.count))
            let ensemble = Self.randomEnsemble(library, &g)
            try ensemble.validate()
            let exact = try QuantizedForest(ensemble, leafMode: .exact)
            let quantized = try QuantizedForest(ensemble, leafMode: .quantized)
            let wide = try QuantizedForest(ensemble, leafMode: .exact, compactLayout: false, topLevels: 0)
            #expect(wide.compactNodes == nil)
            if exact.codeWidth == 1 && exact.slotCount <= 256 { #expect(exact.compactNodes != nil, "seed \(seed)") }
            // The AVX-512 top levels (where the CPU has them) against the portable walk alone, and
            // with a top of every depth from 1 to 6.
            let portable = try QuantizedForest(ensemble, leafMode: .exact, compactLayout: true, topLevels: 0)
            let shallow = try QuantizedForest(
                ensemble, leafMode: .exact, compactLayout: true, topLevels: Int(seed % 6) + 1)
            #expect(portable.topDepth == 0)
            if QuantizedForest.topKernelAvailable && exact.codeWidth == 1 && exact.slotCount <= 128 {
                #expect(exact.topDepth == min(6, exact.maximumDepth), "seed \(seed)")
                #expect(shallow.topDepth == min(Int(seed % 6) + 1, exact.maximumDepth), "seed \(seed)")
            }
            let ps = portable.makeScratch()
            let ss = shallow.makeScratch()
            let ws = wide.makeScratch()
            let scratch = exact.makeScratch()
            let qs = quantized.makeScratch()
            let values = Self.pool(&g)
            var rows: [[Float]] = []
            for _ in 0..<40 { rows.append(Self.randomRow(ensemble.featureCount, values, &g)) }
            for row in rows {
                let reference = try ensemble.referencePredict(row: row)
                let got = exact.evaluate(row, scratch: scratch)
                #expect(got.leaves == reference.leafIDs, "seed \(seed) row \(row)")
                #expect(got.margins.map(\.bitPattern) == reference.margins.map(\.bitPattern), "seed \(seed) row \(row)")
                let w = wide.evaluate(row, scratch: ws)
                let p = portable.evaluate(row, scratch: ps)
                let h = shallow.evaluate(row, scratch: ss)
                #expect(p.leaves == got.leaves && p.margins.map(\.bitPattern) == got.margins.map(\.bitPattern), "seed \(seed) portable")
                #expect(h.leaves == got.leaves && h.margins.map(\.bitPattern) == got.margins.map(\.bitPattern), "seed \(seed) top")
                #expect(w.leaves == got.leaves && w.margins.map(\.bitPattern) == got.margins.map(\.bitPattern), "seed \(seed) wide")
                let q = quantized.evaluate(row, scratch: qs)
                #expect(q.leaves == reference.leafIDs, "seed \(seed)")
                for k in 0..<ensemble.outputCount {
                    #expect(abs(q.margins[k] - reference.margins[k]) <= quantized.marginErrorBound, "seed \(seed)")
                }
                // Incremental quantization: re-quantizing one feature at a time gives the same codes.
                var codes = [UInt8](repeating: 0, count: exact.slotCount * exact.codeWidth)
                codes.withUnsafeMutableBytes { c in
                    for (f, x) in row.enumerated() { exact.quantize(feature: f, value: x, into: c.baseAddress!) }
                }
                row.withUnsafeBufferPointer { exact.quantize($0.baseAddress!, into: scratch.codes.baseAddress!) }
                #expect(codes == Array(scratch.codes), "seed \(seed)")
            }
            // Batch = single row, over a count that is not a multiple of the lanes or the block.
            let count = 67
            var flat: [Float] = []
            for _ in 0..<count { flat += Self.randomRow(ensemble.featureCount, values, &g) }
            var batch = [Double](repeating: 0, count: count * ensemble.outputCount)
            flat.withUnsafeBufferPointer { f in
                batch.withUnsafeMutableBufferPointer { exact.predictBatch(f.baseAddress!, count: count, scratch: scratch, into: $0.baseAddress!) }
            }
            // The batch kernel with the top levels of every depth and without them (the portable walk).
            var shallowBatch = batch
            var portableBatch = batch
            flat.withUnsafeBufferPointer { f in
                shallowBatch.withUnsafeMutableBufferPointer { shallow.predictBatch(f.baseAddress!, count: count, scratch: ss, into: $0.baseAddress!) }
                portableBatch.withUnsafeMutableBufferPointer { portable.predictBatch(f.baseAddress!, count: count, scratch: ps, into: $0.baseAddress!) }
            }
            for r in 0..<count {
                let row = Array(flat[r * ensemble.featureCount..<(r + 1) * ensemble.featureCount])
                let single = exact.evaluate(row, scratch: scratch).predictions.map(\.bitPattern)
                let outputs = r * ensemble.outputCount..<(r + 1) * ensemble.outputCount
                #expect(single == batch[outputs].map(\.bitPattern), "seed \(seed) batch row \(r)")
                #expect(single == shallowBatch[outputs].map(\.bitPattern), "seed \(seed) top batch row \(r)")
                #expect(single == portableBatch[outputs].map(\.bitPattern), "seed \(seed) portable batch row \(r)")
            }
        }
    }

    @Test("more than 2^16 nodes: the walk after the top levels reads the 8-byte nodes")
    func largeForest() throws {
        // 160 complete trees of depth 9 (1,023 nodes each) over 4 features, XGBoost rules.
        var g = SplitMix64(seed: 65_537)
        let values = Self.pool(&g)
        var trees: [Tree] = []
        for _ in 0..<160 {
            var nodes: [TreeNode] = []
            func build(_ depth: Int) -> Int32 {
                let index = Int32(nodes.count)
                nodes.append(.leaf(Double(Int(g.next() % 2001) - 1000) / 997, id: index))
                guard depth < 9 else { return index }
                var node = TreeNode(kind: .numeric)
                node.feature = Int32(g.next() % 4)
                node.threshold = Double(values[Int(g.next() % UInt64(values.count))])
                node.defaultLeft = g.next() % 2 == 0
                node.missing = .nanGoesDefault
                nodes[Int(index)] = node
                let left = build(depth + 1)
                let right = build(depth + 1)
                nodes[Int(index)].left = left
                nodes[Int(index)].right = right
                return index
            }
            _ = build(0)
            trees.append(Tree(nodes: nodes, output: 0))
        }
        let ensemble = TreeEnsemble(
            library: .xgboost, format: .xgboostJSON, objective: "test", transform: .sigmoid(scale: 1), featureCount: 4,
            featureNames: [], outputCount: 1, trees: trees, categorySets: [], accumulation: .float32(base: [0.5]))
        let top = try QuantizedForest(ensemble, leafMode: .exact)
        let portable = try QuantizedForest(ensemble, leafMode: .exact, compactLayout: true, topLevels: 0)
        #expect(top.nodeCount > 1 << 16 && top.tailNodes == nil)
        if QuantizedForest.topKernelAvailable && top.codeWidth == 1 && top.slotCount <= 128 { #expect(top.topDepth == 6) }
        let ts = top.makeScratch()
        let ps = portable.makeScratch()
        for _ in 0..<200 {
            let row = Self.randomRow(4, values, &g)
            let reference = try ensemble.referencePredict(row: row)
            let a = top.evaluate(row, scratch: ts)
            let b = portable.evaluate(row, scratch: ps)
            #expect(a.leaves == reference.leafIDs && b.leaves == reference.leafIDs)
            #expect(a.margins.map(\.bitPattern) == reference.margins.map(\.bitPattern))
            #expect(b.margins.map(\.bitPattern) == reference.margins.map(\.bitPattern))
        }
        // The batch kernel's walk after the top levels on the 8-byte nodes too.
        let count = 130
        var flat: [Float] = []
        for _ in 0..<count { flat += Self.randomRow(4, values, &g) }
        var batch = [Double](repeating: 0, count: count)
        var portableBatch = batch
        flat.withUnsafeBufferPointer { f in
            batch.withUnsafeMutableBufferPointer { top.predictBatch(f.baseAddress!, count: count, scratch: ts, into: $0.baseAddress!) }
            portableBatch.withUnsafeMutableBufferPointer { portable.predictBatch(f.baseAddress!, count: count, scratch: ps, into: $0.baseAddress!) }
        }
        for r in 0..<count {
            let single = portable.evaluate(Array(flat[r * 4..<(r + 1) * 4]), scratch: ps).predictions
            #expect(single.map(\.bitPattern) == [batch[r].bitPattern], "batch row \(r)")
            #expect(single.map(\.bitPattern) == [portableBatch[r].bitPattern], "portable batch row \(r)")
        }
    }

    @Test("path-length distribution: training cover, or halves when the file has none")
    func pathLengths() {
        // root → (leaf A, node → (leaf B, leaf C)): depths 1, 2, 2.
        var root = TreeNode(kind: .numeric)
        root.left = 1
        root.right = 2
        var inner = TreeNode(kind: .numeric)
        inner.left = 3
        inner.right = 4
        var tree = Tree(nodes: [root, .leaf(1, id: 0), inner, .leaf(2, id: 1), .leaf(3, id: 2)], output: 0)
        #expect(tree.pathLengthDistribution == [0, 0.5, 1])
        tree.nodes[1].cover = 9
        tree.nodes[3].cover = 1
        #expect(tree.pathLengthDistribution == [0, 0.9, 1])
        #expect(Tree(nodes: [.leaf(1, id: 0)], output: 0).pathLengthDistribution == [1])
    }

    @Test("the unchecked prefix: the whole depth when rows always go deep, early when they never do")
    func prefix() {
        #expect(QuantizedForest.bestPrefix([1]) == 0)
        #expect(QuantizedForest.bestPrefix([0, 0, 0, 0, 0, 0, 1]) == 6)
        #expect(QuantizedForest.bestPrefix([0, 0, 1, 1, 1, 1, 1, 1, 1, 1]) == 2)
        // Mostly done by step 5, with a long rare tail: stop checking there, not at the deepest leaf.
        let p = QuantizedForest.bestPrefix([0, 0, 0, 0, 0.2, 0.97, 0.98, 0.99, 0.995, 0.999, 1, 1, 1])
        #expect(p == 5)
    }
}

