import CTernTrees

/// Quantization and the evaluation kernels. Nothing here allocates, retains or dispatches through
/// an existential; `scripts/check-hot-paths.sh` checks the release binary.

/// Per-thread working memory for a `QuantizedForest`: the row's codes, and the accumulators and
/// block buffers of the multi-output and batch paths. Make one per thread with
/// `QuantizedForest.makeScratch()`; it is not shared between threads.
public struct ForestScratch: ~Copyable {
    /// The current row's codes (`slotCount × codeWidth` bytes), written by `quantize`.
    public let codes: UnsafeMutableRawBufferPointer
    let batchCodes: UnsafeMutableRawPointer
    let accumulators: UnsafeMutableRawPointer
    /// After the top levels: where each tree's walk goes on, with its steps left (then its leaf;
    /// `treeCount + 1`, the last a parked lane), and the trees that have steps left, in four lists
    /// by how many (`4 × (treeCount + 16)`; lengths in `pendingCounts`).
    let starts: UnsafeMutablePointer<UInt32>
    let pending: UnsafeMutablePointer<UInt32>
    let pendingCounts: UnsafeMutablePointer<Int>
    /// The batch path's top levels: the block's codes stored by column (`slot * 64 + row`), and
    /// each row's exit, then leaf, for the current tree (`batchBlock + 1`, the last a parked
    /// lane), with the rows that have steps left in four lists of `batchBlock + 16`.
    let batchColumns: UnsafeMutablePointer<UInt8>
    let batchStarts: UnsafeMutablePointer<UInt32>
    let batchPending: UnsafeMutablePointer<UInt32>
    let batchCounts: UnsafeMutablePointer<Int>
    /// Identity of the forest it was made for, checked by `assert` in debug builds (a scratch from
    /// another forest may be too small: a programming error, not an input error).
    let owner: ObjectIdentifier

    init(_ forest: QuantizedForest) {
        let codeBytes = forest.slotCount * forest.codeWidth
        // The top-levels kernel loads 128 bytes of codes whatever the slot count.
        let codeStorage = max(codeBytes, 128)
        let codeBase = UnsafeMutableRawPointer.allocate(byteCount: codeStorage, alignment: 64)
        codeBase.initializeMemory(as: UInt8.self, repeating: 0, count: codeStorage)
        codes = UnsafeMutableRawBufferPointer(start: codeBase, count: codeBytes)
        // Index treeCount is a parked lane: node 0, the shared leaf, with no steps left.
        starts = .allocate(capacity: forest.treeCount + 1)
        starts.initialize(repeating: 0, count: forest.treeCount + 1)
        pending = .allocate(capacity: 4 * (forest.treeCount + 16))
        pending.initialize(repeating: UInt32(forest.treeCount), count: 4 * (forest.treeCount + 16))
        pendingCounts = .allocate(capacity: 4)
        pendingCounts.initialize(repeating: 0, count: 4)
        // One row more than the block: the codes a parked lane of the batch walk reads.
        let blockCodes = codeBytes * (QuantizedForest.batchBlock + 1)
        batchCodes = .allocate(byteCount: blockCodes, alignment: 64)
        batchCodes.initializeMemory(as: UInt8.self, repeating: 0, count: blockCodes)
        let block = QuantizedForest.batchBlock
        let columnBytes = max(forest.slotCount, 1) * block
        batchColumns = UnsafeMutableRawPointer.allocate(byteCount: columnBytes, alignment: 64)
            .bindMemory(to: UInt8.self, capacity: columnBytes)
        batchColumns.initialize(repeating: 0, count: columnBytes)
        batchStarts = .allocate(capacity: block + 1)
        batchStarts.initialize(repeating: 0, count: block + 1)
        batchPending = .allocate(capacity: 4 * (block + 16))
        batchPending.initialize(repeating: UInt32(block), count: 4 * (block + 16))
        batchCounts = .allocate(capacity: 4)
        batchCounts.initialize(repeating: 0, count: 4)
        let accBytes = 8 * forest.outputCount * QuantizedForest.batchBlock
        accumulators = .allocate(byteCount: accBytes, alignment: 64)
        accumulators.initializeMemory(as: UInt8.self, repeating: 0, count: accBytes)
        owner = ObjectIdentifier(forest)
    }

    deinit {
        codes.baseAddress!.deallocate()
        starts.deallocate()
        pending.deallocate()
        pendingCounts.deallocate()
        batchCodes.deallocate()
        batchColumns.deallocate()
        batchStarts.deallocate()
        batchPending.deallocate()
        batchCounts.deallocate()
        accumulators.deallocate()
    }
}

extension QuantizedForest {
    /// Working memory for one thread.
    public func makeScratch() -> ForestScratch { ForestScratch(self) }

    // MARK: - Quantization

    /// Writes the codes of `row` (one float32 per input column, NaN for missing) into `codes`
    /// (`slotCount × codeWidth` bytes). Quantize once, evaluate many times.
    @inline(__always)
    public func quantize(_ row: UnsafePointer<Float>, into codes: UnsafeMutableRawPointer) {
        if codeWidth == 1 {
            quantizeRow(row, codes.assumingMemoryBound(to: UInt8.self))
        } else {
            quantizeRow(row, codes.assumingMemoryBound(to: UInt16.self))
        }
    }

    /// Updates only the codes that read input column `feature`, for a row whose other codes are
    /// already current: the engine's incremental path (a feature changed; re-quantize just it).
    public func quantize(feature: Int, value: Float, into codes: UnsafeMutableRawPointer) {
        guard feature >= 0 && feature < featureCount else { return }
        if codeWidth == 1 {
            quantizeFeature(feature, value, codes.assumingMemoryBound(to: UInt8.self))
        } else {
            quantizeFeature(feature, value, codes.assumingMemoryBound(to: UInt16.self))
        }
    }

    @inline(__always)
    func quantizeFeature<C: FixedWidthInteger & UnsignedInteger>(_ feature: Int, _ value: Float, _ codes: UnsafeMutablePointer<C>) {
        for i in numericOfFeature[feature] { writeNumeric(numericSpecs[i], value, codes) }
        for i in categoricalOfFeature[feature] { writeCategorical(categoricalSpecs[i], value, codes) }
    }

    @inline(__always)
    func quantizeRow<C: FixedWidthInteger & UnsignedInteger>(_ row: UnsafePointer<Float>, _ codes: UnsafeMutablePointer<C>) {
        for i in 0..<numericCount {
            let q = numericSpecs[i]
            writeNumeric(q, row[Int(q.feature)], codes)
        }
        for i in 0..<categoricalCount {
            let q = categoricalSpecs[i]
            writeCategorical(q, row[Int(q.feature)], codes)
        }
    }

    @inline(__always)
    func writeNumeric<C: FixedWidthInteger & UnsignedInteger>(
        _ q: NumericSpec, _ raw: Float, _ codes: UnsafeMutablePointer<C>
    ) {
        var x = raw
        var missing = false
        switch q.rule {
        case .xgboostNaN:
            missing = x.isNaN
            x = missing ? 0 : x
        case .lightgbmNaN:
            if abs(x) <= Float(1e-35) { x = 0 }
            missing = x.isNaN
            x = missing ? 0 : x
        case .lightgbmZero:
            if abs(x) <= Float(1e-35) { x = 0 }
            missing = x.isNaN || x == 0
            x = missing ? 0 : x
        case .lightgbmNone:
            if abs(x) <= Float(1e-35) || x.isNaN { x = 0 }
        case .catboostLow:
            if x.isNaN { x = -.infinity }
        case .catboostHigh:
            if x.isNaN { x = .infinity }
        }
        let code = 1 &+ countBelow(q, x)
        codes[Int(q.lowSlot)] = C(truncatingIfNeeded: missing ? 0 : code)
        codes[Int(q.highSlot)] = C(truncatingIfNeeded: missing ? Int(q.count) &+ 2 : code)
    }

    /// Thresholds `≤ x` (XGBoost) or `< x` (the others); x is not NaN.
    @inline(__always)
    func countBelow(_ q: NumericSpec, _ x: Float) -> Int {
        let pool = UnsafeRawPointer(thresholdPool)
        if q.searchLength == 0 {
            let v = SIMD16<Float>(repeating: x)
            let fences = pool.loadUnaligned(fromByteOffset: Int(q.fenceOffset) &* 4, as: SIMD16<Float>.self)
            let fenceMask = strictCount ? fences .< v : fences .<= v
            let full = min(popcount(fenceMask), Int(q.blocks) &- 1)
            let block = pool.loadUnaligned(fromByteOffset: (Int(q.offset) &+ 16 &* full) &* 4, as: SIMD16<Float>.self)
            let blockMask = strictCount ? block .< v : block .<= v
            return 16 &* full &+ popcount(blockMask)
        }
        // Large sets (uint16 codes): branch-free binary search over a NaN-padded power-of-two array.
        let t = thresholdPool + Int(q.offset)
        var position = 0
        var step = Int(q.searchLength) >> 1
        while step > 0 {
            let probe = t[position &+ step &- 1]
            let below = strictCount ? probe < x : probe <= x
            position &+= below ? step : 0
            step >>= 1
        }
        return position
    }

    @inline(__always)
    func popcount(_ mask: SIMDMask<SIMD16<Int32>>) -> Int {
        // A mask lane is all ones (-1) when true: the negated lane sum is the count.
        -Int(unsafeBitCast(mask, to: SIMD16<Int32>.self).wrappedSum())
    }

    @inline(__always)
    func writeCategorical<C: FixedWidthInteger & UnsignedInteger>(
        _ q: CategoricalSpec, _ raw: Float, _ codes: UnsafeMutablePointer<C>
    ) {
        // Code 1 = the split sends the value right.
        var right: Bool
        if q.xgboost {
            if raw.isNaN {
                right = !q.defaultLeft
            } else if raw < 0 || raw >= 16_777_216 {
                right = false
            } else {
                right = contains(q, Int(raw))
            }
        } else {
            let x = abs(raw) <= Float(1e-35) ? 0 : raw
            if x.isNaN || x <= -1 || x >= 2_147_483_648 {
                right = true
            } else {
                right = !contains(q, Int(x))
            }
        }
        codes[Int(q.slot)] = right ? 1 : 0
    }

    @inline(__always)
    func contains(_ q: CategoricalSpec, _ c: Int) -> Bool {
        let word = c >> 5
        guard word < Int(q.wordCount) else { return false }
        return (categoryWords[Int(q.wordOffset) &+ word] >> UInt32(c & 31)) & 1 == 1
    }

    // MARK: - Single row

    /// Walks every tree on quantized `codes`, 8 consecutive trees in lock-step, and hands each
    /// tree's leaf node to `sink` in the library's tree order.
    /// `table` holds the nodes, `roots` each lane's root and `bases` each group's offset into
    /// `table` (children are relative to it; 0 for the wide layout, whose children are absolute).
    @inline(__always)
    func walkAll<N: LaneNode, C: FixedWidthInteger & UnsignedInteger, S: LeafSink>(
        _ table: UnsafePointer<N>, _ bases: UnsafePointer<UInt32>?, _ groupRoots: UnsafePointer<UInt32>,
        _ groupSteps: UnsafePointer<UInt32>, _ groupPrefix: UnsafePointer<UInt32>,
        _ codes: UnsafePointer<C>, _ result: inout S
    ) {
        // A local copy keeps a running sum in a register instead of a load-add-store per leaf
        // through the caller's memory (a store-to-load forwarding delay on the serial sum chain).
        var sink = result
        defer { result = sink }
        let full = treeCount / 8
        for g in 0..<groupCount {
            let base = bases?[g] ?? 0
            let nodes = table + Int(base)
            let roots = groupRoots + g &* 8
            var lanes = Lanes8(roots[0], roots[1], roots[2], roots[3], roots[4], roots[5], roots[6], roots[7])
            // The prefix chosen at compile time (`QuantizedForest.bestPrefix`): no checks.
            var s = groupPrefix[g]
            while s > 0 {
                lanes.advance(nodes, codes)
                s &-= 1
            }
            // Then stop as soon as no lane moves (a leaf is a self-loop). A child's index is
            // larger than its parent's, so the lanes' sum grows until every lane is on a leaf:
            // one compare per step instead of one per lane (no wrap: 8 × 2^26 nodes < 2^32).
            var total = lanes.sum
            var remaining = groupSteps[g] &- groupPrefix[g]
            while remaining > 0 {
                lanes.advance(nodes, codes)
                let next = lanes.sum
                if next == total { break }
                total = next
                remaining &-= 1
            }
            let t = g &* 8
            if g < full {
                sink.take(t, base &+ lanes.n0)
                sink.take(t &+ 1, base &+ lanes.n1)
                sink.take(t &+ 2, base &+ lanes.n2)
                sink.take(t &+ 3, base &+ lanes.n3)
                sink.take(t &+ 4, base &+ lanes.n4)
                sink.take(t &+ 5, base &+ lanes.n5)
                sink.take(t &+ 6, base &+ lanes.n6)
                sink.take(t &+ 7, base &+ lanes.n7)
            } else {
                withUnsafeBytes(of: lanes) { raw in
                    let n = raw.bindMemory(to: UInt32.self)
                    for j in 0..<(treeCount &- t) { sink.take(t &+ j, base &+ n[j]) }
                }
            }
        }
    }

    @inline(__always)
    func walk<S: LeafSink>(_ scratch: borrowing ForestScratch, _ sink: inout S) {
        assert(scratch.owner == ObjectIdentifier(self), "a ForestScratch made by another QuantizedForest")
        if topDepth > 0 {
            let codes = UnsafePointer(scratch.codes.baseAddress!.assumingMemoryBound(to: UInt8.self))
            if let tail = tailNodes {
                walkTop(UnsafePointer(tail), codes, scratch.starts, scratch.pending, scratch.pendingCounts, &sink)
            } else {
                walkTop(UnsafePointer(nodes), codes, scratch.starts, scratch.pending, scratch.pendingCounts, &sink)
            }
        } else if let compact = compactNodes {
            let codes = UnsafePointer(scratch.codes.baseAddress!.assumingMemoryBound(to: UInt8.self))
            walkAll(UnsafePointer(compact), UnsafePointer(groupBase), UnsafePointer(compactRoots), groupSteps, groupPrefix, codes, &sink)
        } else if codeWidth == 1 {
            let codes = UnsafePointer(scratch.codes.baseAddress!.assumingMemoryBound(to: UInt8.self))
            walkAll(UnsafePointer(nodes), nil, UnsafePointer(groupRoots), groupSteps, groupPrefix, codes, &sink)
        } else {
            let codes = UnsafePointer(scratch.codes.baseAddress!.assumingMemoryBound(to: UInt16.self))
            walkAll(UnsafePointer(nodes), nil, UnsafePointer(groupRoots), groupSteps, groupPrefix, codes, &sink)
        }
    }

    /// The first `topDepth` levels of every tree at once (`ctern_trees_top_avx512`); then only the
    /// trees that have not reached a leaf walk on, 8 in lock-step for as many steps as the
    /// deepest of them has left: no exit test, so no mispredicted exit.
    @inline(__always)
    func walkTop<N: LaneNode, S: LeafSink>(
        _ table: UnsafePointer<N>, _ codes: UnsafePointer<UInt8>, _ starts: UnsafeMutablePointer<UInt32>, _ lists: UnsafeMutablePointer<UInt32>,
        _ counts: UnsafeMutablePointer<Int>, _ result: inout S
    ) {
        var sink = result
        defer { result = sink }
        ctern_trees_top_avx512(topSlots, topThresholds, topExits, UInt32(topDepth), treeCount, codes, starts, lists, counts)
        // Lanes past the end park on the shared leaf (index treeCount).
        walkPending(table, starts, lists, counts, listStride: treeCount &+ 16, parked: UInt32(treeCount), SharedCodes(codes: codes))
        // Every start is now a leaf with no steps left.
        for t in 0..<treeCount { sink.take(t, starts[t]) }
    }

    /// Walks on every entry of the four pending lists a top-levels kernel left (trees on the
    /// single-row path, rows on the batch path), 8 in lock-step for as many steps as the deepest
    /// of them has left, and leaves each entry's leaf in `starts`. A pending entry's start holds
    /// its node and, above bit 26, its steps left. Entries with alike steps left are in the same
    /// list, so they walk together: less lock-step waste, and a steadier time.
    @inline(__always)
    func walkPending<N: LaneNode, L: LaneCodes>(
        _ table: UnsafePointer<N>, _ starts: UnsafeMutablePointer<UInt32>, _ lists: UnsafeMutablePointer<UInt32>,
        _ counts: UnsafeMutablePointer<Int>, listStride: Int, parked: UInt32, _ codes: L
    ) {
        let mask = UInt32(Self.exitNodeMask)
        for c in 0..<4 {
            let pending = lists + c &* listStride
            let count = counts[c]
            for j in count..<((count &+ 7) & ~7) { pending[j] = parked }
            var i = 0
            while i < count {
                let k0 = Int(pending[i])
                let k1 = Int(pending[i &+ 1])
                let k2 = Int(pending[i &+ 2])
                let k3 = Int(pending[i &+ 3])
                let k4 = Int(pending[i &+ 4])
                let k5 = Int(pending[i &+ 5])
                let k6 = Int(pending[i &+ 6])
                let k7 = Int(pending[i &+ 7])
                let e0 = starts[k0]
                let e1 = starts[k1]
                let e2 = starts[k2]
                let e3 = starts[k3]
                let e4 = starts[k4]
                let e5 = starts[k5]
                let e6 = starts[k6]
                let e7 = starts[k7]
                let steps = max(max(max(e0, e1), max(e2, e3)), max(max(e4, e5), max(e6, e7))) >> Self.exitHeightShift
                var lanes = Lanes8(e0 & mask, e1 & mask, e2 & mask, e3 & mask, e4 & mask, e5 & mask, e6 & mask, e7 & mask)
                codes.walk(&lanes, table, steps, k0, k1, k2, k3, k4, k5, k6, k7)
                starts[k0] = lanes.n0
                starts[k1] = lanes.n1
                starts[k2] = lanes.n2
                starts[k3] = lanes.n3
                starts[k4] = lanes.n4
                starts[k5] = lanes.n5
                starts[k6] = lanes.n6
                starts[k7] = lanes.n7
                i &+= 8
            }
        }
    }

    /// Walks the row in `scratch.codes` and sums its leaves in the library's order into `margins`.
    @inline(__always)
    func sumLeaves(_ scratch: borrowing ForestScratch, _ margins: UnsafeMutablePointer<Double>) {
        let outputs = outputCount
        if let leaves = leafFloat {
            if outputs == 1 {
                var sink = SumSink<Float>(sum: baseFloat[0], leaves: leaves)
                walk(scratch, &sink)
                margins[0] = Double(sink.sum)
            } else {
                let acc = scratch.accumulators.assumingMemoryBound(to: Float.self)
                for k in 0..<outputs { acc[k] = baseFloat[k] }
                var sink = MultiSumSink<Float>(sums: acc, leaves: leaves, outputs: treeOutput)
                walk(scratch, &sink)
                for k in 0..<outputs { margins[k] = Double(acc[k]) }
            }
        } else if let leaves = leafDouble {
            if outputs == 1 {
                var sink = SumSink<Double>(sum: 0, leaves: leaves)
                walk(scratch, &sink)
                margins[0] = sink.sum
            } else {
                for k in 0..<outputs { margins[k] = 0 }
                var sink = MultiSumSink<Double>(sums: margins, leaves: leaves, outputs: treeOutput)
                walk(scratch, &sink)
            }
            finishDouble(margins)
        } else if let leaves = leafFixed {
            if outputs == 1 {
                var sink = SumSink<Int32>(sum: 0, leaves: leaves)
                walk(scratch, &sink)
                margins[0] = fixedMargin(sink.sum, 0)
            } else {
                let acc = scratch.accumulators.assumingMemoryBound(to: Int64.self)
                for k in 0..<outputs { acc[k] = 0 }
                var sink = MultiSumSink<Int32>(sums: acc, leaves: leaves, outputs: treeOutput)
                walk(scratch, &sink)
                for k in 0..<outputs { margins[k] = fixedMargin(acc[k], k) }
            }
        }
    }

    /// CatBoost's scale and bias, applied to float64 sums.
    @inline(__always)
    func finishDouble(_ margins: UnsafeMutablePointer<Double>) {
        if library == .catboost {
            for k in 0..<outputCount { margins[k] = margins[k] * scale + bias[k] }
        }
    }

    /// Margins → predictions: LightGBM's `average_output` division (its prediction averages; its raw
    /// score does not), then the output transform.
    @inline(__always)
    func applyOutput(_ values: UnsafeMutablePointer<Double>) {
        if averaged { for k in 0..<outputCount { values[k] /= averageOver } }
        transform.apply(UnsafeMutableBufferPointer(start: values, count: outputCount), library: library)
    }

    @inline(__always)
    func fixedMargin(_ sum: Int64, _ k: Int) -> Double {
        let m = Double(sum) * leafScale
        switch library {
        case .xgboost: return Double(baseFloat[k]) + m
        case .lightgbm: return m
        case .catboost: return m * scale + bias[k]
        }
    }

    /// Margins for a row already quantized into `scratch.codes`.
    @inline(__always)
    public func margins(scratch: borrowing ForestScratch, into margins: UnsafeMutablePointer<Double>) {
        sumLeaves(scratch, margins)
    }

    /// Quantizes `row` (`featureCount` floats) into `scratch.codes` and writes its margins
    /// (`outputCount` doubles; XGBoost's float32 margins are exact in a double).
    @inline(__always)
    public func predictMargins(_ row: UnsafePointer<Float>, scratch: borrowing ForestScratch, into margins: UnsafeMutablePointer<Double>) {
        quantize(row, into: scratch.codes.baseAddress!)
        self.margins(scratch: scratch, into: margins)
    }

    /// Margins, then the library's output transform (probabilities for classifiers). Writes
    /// `outputCount` values; for `multi:softmax` the class index is in `out[0]`.
    @inline(__always)
    public func predict(_ row: UnsafePointer<Float>, scratch: borrowing ForestScratch, into out: UnsafeMutablePointer<Double>) {
        predictMargins(row, scratch: scratch, into: out)
        applyOutput(out)
    }

    /// The library's leaf id for each tree (library order) for the row in `scratch.codes`.
    public func leafIDs(scratch: borrowing ForestScratch, into ids: UnsafeMutablePointer<Int32>) {
        var sink = LeafIDSink(ids: ids, table: leafIDs)
        walk(scratch, &sink)
    }

    // MARK: - Batch

    /// Margins (or predictions, with `transformed`) for `count` rows stored row-major
    /// (`count × featureCount` floats), into `out` (`count × outputCount` doubles).
    ///
    /// The throughput kernel: rows are quantized a block of 64 at a time, then each tree, in the
    /// library's order, is evaluated for the whole block, so a tree's nodes are loaded once per
    /// block and each row's sum is still in the library's order. With AVX-512 (`vectorTopLevels`
    /// > 0) a tree's first levels are decided for all 64 rows at once and only the rows with steps
    /// left walk on; otherwise 8 rows walk the tree in lock-step for its depth.
    public func predictBatch(
        _ rows: UnsafePointer<Float>, count: Int, scratch: borrowing ForestScratch, into out: UnsafeMutablePointer<Double>,
        transformed: Bool = true
    ) {
        if codeWidth == 1 {
            batch(rows, count, scratch, out, transformed, UInt8.self)
        } else {
            batch(rows, count, scratch, out, transformed, UInt16.self)
        }
    }

    @inline(__always)
    func batch<C: FixedWidthInteger & UnsignedInteger>(
        _ rows: UnsafePointer<Float>, _ count: Int, _ scratch: borrowing ForestScratch,
        _ out: UnsafeMutablePointer<Double>, _ transformed: Bool, _: C.Type
    ) {
        assert(scratch.owner == ObjectIdentifier(self), "a ForestScratch made by another QuantizedForest")
        let block = Self.batchBlock
        let stride = slotCount
        let codes = scratch.batchCodes.assumingMemoryBound(to: C.self)
        var start = 0
        while start < count {
            let m = min(block, count &- start)
            for r in 0..<m {
                quantizeRow(rows + (start &+ r) &* featureCount, codes + r &* stride)
            }
            let dst = out + start &* outputCount
            if let leaves = leafFloat {
                let acc = scratch.accumulators.assumingMemoryBound(to: Float.self)
                for r in 0..<m { for k in 0..<outputCount { acc[r &* outputCount &+ k] = baseFloat[k] } }
                accumulate(codes, m, scratch, acc, leaves)
                for i in 0..<(m &* outputCount) { dst[i] = Double(acc[i]) }
            } else if let leaves = leafDouble {
                for i in 0..<(m &* outputCount) { dst[i] = 0 }
                accumulate(codes, m, scratch, dst, leaves)
                for r in 0..<m { finishDouble(dst + r &* outputCount) }
            } else if let leaves = leafFixed {
                let acc = scratch.accumulators.assumingMemoryBound(to: Int64.self)
                for i in 0..<(m &* outputCount) { acc[i] = 0 }
                accumulate(codes, m, scratch, acc, leaves)
                for r in 0..<m {
                    for k in 0..<outputCount { dst[r &* outputCount &+ k] = fixedMargin(acc[r &* outputCount &+ k], k) }
                }
            }
            if transformed {
                for r in 0..<m { applyOutput(dst + r &* outputCount) }
            }
            start &+= m
        }
    }

    /// Adds each tree's leaf, in library order, to the sums of the block's `m` rows.
    @inline(__always)
    func accumulate<C: FixedWidthInteger & UnsignedInteger, Leaf: BatchLeaf>(
        _ codes: UnsafeMutablePointer<C>, _ m: Int, _ scratch: borrowing ForestScratch, _ acc: UnsafeMutablePointer<Leaf.Sum>,
        _ leaves: UnsafeMutablePointer<Leaf>
    ) {
        if topDepth > 0 {
            // The top-levels kernel needs one-byte codes (topDepth > 0 says so).
            let bytes = UnsafeMutableRawPointer(codes).assumingMemoryBound(to: UInt8.self)
            if let tail = tailNodes {
                accumulateTop(UnsafePointer(tail), bytes, m, scratch, acc, leaves)
            } else {
                accumulateTop(UnsafePointer(nodes), bytes, m, scratch, acc, leaves)
            }
        } else {
            accumulateWalk(codes, m, acc, leaves)
        }
    }

    /// The batch path on AVX-512: per tree in library order, the kernel resolves its first
    /// `topDepth` levels for all the block's rows at once (a slot's 64 codes are one load, a
    /// decision is one bit per row), then the rows with steps left walk on, 8 in lock-step for
    /// exactly their steps, and each row's leaf is added to its sum.
    @inline(__always)
    func accumulateTop<N: LaneNode, Leaf: BatchLeaf>(
        _ table: UnsafePointer<N>, _ codes: UnsafeMutablePointer<UInt8>, _ m: Int, _ scratch: borrowing ForestScratch,
        _ acc: UnsafeMutablePointer<Leaf.Sum>, _ leaves: UnsafeMutablePointer<Leaf>
    ) {
        let stride = slotCount
        let block = Self.batchBlock
        let columns = scratch.batchColumns
        for r in 0..<m {
            let row = codes + r &* stride
            for s in 0..<stride { columns[s &* block &+ r] = row[s] }
        }
        let starts = scratch.batchStarts
        let lists = scratch.batchPending
        let counts = scratch.batchCounts
        let outputs = outputCount
        for t in 0..<treeCount {
            ctern_trees_rows_top_avx512(topSlots, topThresholds, topExits, UInt32(topDepth), t, columns, m, starts, lists, counts)
            // Lanes past the end park on row `block`: node 0 (the shared leaf) and a spare row of codes.
            walkPending(table, starts, lists, counts, listStride: block &+ 16, parked: UInt32(block), RowCodes(codes: codes, stride: stride))
            // Every row's start is now its leaf.
            let a = acc + Int(treeOutput[t])
            for r in 0..<m { Leaf.add(&a[r &* outputs], leaves[Int(starts[r])]) }
        }
    }

    /// The portable batch path: for each tree in library order, walks rows 8 at a time for the
    /// tree's depth and adds the leaf to each row's sum.
    @inline(__always)
    func accumulateWalk<C: FixedWidthInteger & UnsignedInteger, Leaf: BatchLeaf>(
        _ codes: UnsafeMutablePointer<C>, _ m: Int, _ acc: UnsafeMutablePointer<Leaf.Sum>, _ leaves: UnsafeMutablePointer<Leaf>
    ) {
        let nodes = UnsafePointer(self.nodes)
        let stride = slotCount
        let outputs = outputCount
        for t in 0..<treeCount {
            let root = treeRoot[t]
            let depth = treeDepth[t]
            let k = Int(treeOutput[t])
            var r = 0
            while r &+ 8 <= m {
                let c0 = codes + r &* stride
                var n0 = root
                var n1 = root
                var n2 = root
                var n3 = root
                var n4 = root
                var n5 = root
                var n6 = root
                var n7 = root
                @inline(__always) func step(_ n: UInt32, _ c: UnsafeMutablePointer<C>) -> UInt32 {
                    let w = nodes[Int(n)]
                    return w.child &+ (UInt16(truncatingIfNeeded: c[Int(w.slot)]) > w.threshold ? 1 : 0)
                }
                var s = depth
                while s > 0 {
                    n0 = step(n0, c0)
                    n1 = step(n1, c0 + stride)
                    n2 = step(n2, c0 + 2 &* stride)
                    n3 = step(n3, c0 + 3 &* stride)
                    n4 = step(n4, c0 + 4 &* stride)
                    n5 = step(n5, c0 + 5 &* stride)
                    n6 = step(n6, c0 + 6 &* stride)
                    n7 = step(n7, c0 + 7 &* stride)
                    s &-= 1
                }
                let a = acc + (r &* outputs &+ k)
                Leaf.add(&a[0], leaves[Int(n0)])
                Leaf.add(&a[outputs], leaves[Int(n1)])
                Leaf.add(&a[2 &* outputs], leaves[Int(n2)])
                Leaf.add(&a[3 &* outputs], leaves[Int(n3)])
                Leaf.add(&a[4 &* outputs], leaves[Int(n4)])
                Leaf.add(&a[5 &* outputs], leaves[Int(n5)])
                Leaf.add(&a[6 &* outputs], leaves[Int(n6)])
                Leaf.add(&a[7 &* outputs], leaves[Int(n7)])
                r &+= 8
            }
            while r < m {
                let c = codes + r &* stride
                var n = root
                var s = depth
                while s > 0 {
                    let w = nodes[Int(n)]
                    n = w.child &+ (UInt16(truncatingIfNeeded: c[Int(w.slot)]) > w.threshold ? 1 : 0)
                    s &-= 1
                }
                Leaf.add(&acc[r &* outputs &+ k], leaves[Int(n)])
                r &+= 1
            }
        }
    }
}

/// A node of the single-row walk: the next node for a row's codes (itself, for a leaf).
protocol LaneNode: BitwiseCopyable {
    func next<C: FixedWidthInteger & UnsignedInteger>(_ codes: UnsafePointer<C>) -> UInt32
}

extension PackedNode: LaneNode {
    @inline(__always) func next<C: FixedWidthInteger & UnsignedInteger>(_ codes: UnsafePointer<C>) -> UInt32 {
        child &+ (UInt16(truncatingIfNeeded: codes[Int(slot)]) > threshold ? 1 : 0)
    }
}

extension CompactNode: LaneNode {
    @inline(__always) func next<C: FixedWidthInteger & UnsignedInteger>(_ codes: UnsafePointer<C>) -> UInt32 {
        UInt32(child) &+ (UInt8(truncatingIfNeeded: codes[Int(slot)]) > threshold ? 1 : 0)
    }
}

/// Eight lanes' node cursors, one tree each, advanced in lock-step: the unit of both single-row
/// walks. Eight independent loads per step overlap their latency; the fields stay in registers.
struct Lanes8 {
    var n0, n1, n2, n3, n4, n5, n6, n7: UInt32

    @inline(__always)
    init(_ n0: UInt32, _ n1: UInt32, _ n2: UInt32, _ n3: UInt32, _ n4: UInt32, _ n5: UInt32, _ n6: UInt32, _ n7: UInt32) {
        (self.n0, self.n1, self.n2, self.n3, self.n4, self.n5, self.n6, self.n7) = (n0, n1, n2, n3, n4, n5, n6, n7)
    }

    /// One step of every lane through `nodes` (a leaf is a self-loop, so a finished lane stays).
    @inline(__always)
    mutating func advance<N: LaneNode, C: FixedWidthInteger & UnsignedInteger>(_ nodes: UnsafePointer<N>, _ codes: UnsafePointer<C>) {
        n0 = nodes[Int(n0)].next(codes)
        n1 = nodes[Int(n1)].next(codes)
        n2 = nodes[Int(n2)].next(codes)
        n3 = nodes[Int(n3)].next(codes)
        n4 = nodes[Int(n4)].next(codes)
        n5 = nodes[Int(n5)].next(codes)
        n6 = nodes[Int(n6)].next(codes)
        n7 = nodes[Int(n7)].next(codes)
    }

    /// The lanes' index sum: it stops growing when no lane moved (children follow parents).
    @inline(__always)
    var sum: UInt32 { n0 &+ n1 &+ n2 &+ n3 &+ n4 &+ n5 &+ n6 &+ n7 }
}

/// Where each lane of a pending-list walk (`walkPending`) reads its codes.
protocol LaneCodes {
    /// Advances `lanes`, whose entries are `k0 … k7`, by `steps` steps.
    func walk<N: LaneNode>(
        _ lanes: inout Lanes8, _ table: UnsafePointer<N>, _ steps: UInt32, _ k0: Int, _ k1: Int, _ k2: Int, _ k3: Int, _ k4: Int,
        _ k5: Int, _ k6: Int, _ k7: Int)
}

/// The single-row path: the lanes are trees, all reading the one row's codes.
struct SharedCodes: LaneCodes {
    let codes: UnsafePointer<UInt8>

    @inline(__always)
    func walk<N: LaneNode>(
        _ lanes: inout Lanes8, _ table: UnsafePointer<N>, _ steps: UInt32, _ k0: Int, _ k1: Int, _ k2: Int, _ k3: Int, _ k4: Int,
        _ k5: Int, _ k6: Int, _ k7: Int
    ) {
        var s = steps
        while s > 0 {
            lanes.advance(table, codes)
            s &-= 1
        }
    }
}

/// The batch path: the lanes are rows of one tree, each reading its own row's codes
/// (`codes + row × stride`).
struct RowCodes: LaneCodes {
    let codes: UnsafeMutablePointer<UInt8>
    let stride: Int

    @inline(__always)
    func walk<N: LaneNode>(
        _ lanes: inout Lanes8, _ table: UnsafePointer<N>, _ steps: UInt32, _ k0: Int, _ k1: Int, _ k2: Int, _ k3: Int, _ k4: Int,
        _ k5: Int, _ k6: Int, _ k7: Int
    ) {
        let c0 = UnsafePointer(codes + k0 &* stride)
        let c1 = UnsafePointer(codes + k1 &* stride)
        let c2 = UnsafePointer(codes + k2 &* stride)
        let c3 = UnsafePointer(codes + k3 &* stride)
        let c4 = UnsafePointer(codes + k4 &* stride)
        let c5 = UnsafePointer(codes + k5 &* stride)
        let c6 = UnsafePointer(codes + k6 &* stride)
        let c7 = UnsafePointer(codes + k7 &* stride)
        var s = steps
        while s > 0 {
            lanes.n0 = table[Int(lanes.n0)].next(c0)
            lanes.n1 = table[Int(lanes.n1)].next(c1)
            lanes.n2 = table[Int(lanes.n2)].next(c2)
            lanes.n3 = table[Int(lanes.n3)].next(c3)
            lanes.n4 = table[Int(lanes.n4)].next(c4)
            lanes.n5 = table[Int(lanes.n5)].next(c5)
            lanes.n6 = table[Int(lanes.n6)].next(c6)
            lanes.n7 = table[Int(lanes.n7)].next(c7)
            s &-= 1
        }
    }
}

/// Receives each tree's leaf node, in the library's tree order.
protocol LeafSink {
    mutating func take(_ tree: Int, _ node: UInt32)
}

/// One output: the sum stays in a register; the adds overlap with the next group's walk.
struct SumSink<Leaf: BatchLeaf>: LeafSink {
    var sum: Leaf.Sum
    let leaves: UnsafeMutablePointer<Leaf>
    @inline(__always) mutating func take(_ tree: Int, _ node: UInt32) { Leaf.add(&sum, leaves[Int(node)]) }
}

struct MultiSumSink<Leaf: BatchLeaf>: LeafSink {
    let sums: UnsafeMutablePointer<Leaf.Sum>
    let leaves: UnsafeMutablePointer<Leaf>
    let outputs: UnsafeMutablePointer<UInt32>
    @inline(__always) mutating func take(_ tree: Int, _ node: UInt32) {
        Leaf.add(&sums[Int(outputs[tree])], leaves[Int(node)])
    }
}

struct LeafIDSink: LeafSink {
    let ids: UnsafeMutablePointer<Int32>
    let table: UnsafeMutablePointer<Int32>
    @inline(__always) mutating func take(_ tree: Int, _ node: UInt32) { ids[tree] = table[Int(node)] }
}

/// Leaf storage types and the sums they feed (float32 → float32, float64 → float64, int32 → int64).
protocol BatchLeaf: BitwiseCopyable {
    associatedtype Sum: BitwiseCopyable
    static func add(_ sum: inout Sum, _ leaf: Self)
}

extension Float: BatchLeaf {
    @inline(__always) static func add(_ sum: inout Float, _ leaf: Float) { sum += leaf }
}

extension Double: BatchLeaf {
    @inline(__always) static func add(_ sum: inout Double, _ leaf: Double) { sum += leaf }
}

extension Int32: BatchLeaf {
    @inline(__always) static func add(_ sum: inout Int64, _ leaf: Int32) { sum &+= Int64(leaf) }
}
