// Inference probes: the quantize and evaluate paths of `QuantizedForest`, called as a client does.

public import TernInference

/// `QuantizedForest.quantize` (a row → codes).
@inline(never)
public func probeForestQuantize(_ forest: QuantizedForest, _ row: UnsafePointer<Float>, _ codes: UnsafeMutableRawPointer) {
    forest.quantize(row, into: codes)
}

/// `QuantizedForest.quantize(feature:value:into:)` (the incremental path).
@inline(never)
public func probeForestQuantizeFeature(_ forest: QuantizedForest, _ value: Float, _ codes: UnsafeMutableRawPointer) {
    forest.quantize(feature: 3, value: value, into: codes)
}

/// `QuantizedForest.margins` (evaluate a quantized row).
@inline(never)
public func probeForestMargins(_ forest: QuantizedForest, _ scratch: borrowing ForestScratch, _ out: UnsafeMutablePointer<Double>) {
    forest.margins(scratch: scratch, into: out)
}

/// `QuantizedForest.predict` (quantize, evaluate, transform).
@inline(never)
public func probeForestPredict(
    _ forest: QuantizedForest, _ row: UnsafePointer<Float>, _ scratch: borrowing ForestScratch, _ out: UnsafeMutablePointer<Double>
) {
    forest.predict(row, scratch: scratch, into: out)
}

/// `QuantizedForest.predictBatch` (the throughput kernel).
@inline(never)
public func probeForestPredictBatch(
    _ forest: QuantizedForest, _ rows: UnsafePointer<Float>, _ count: Int, _ scratch: borrowing ForestScratch,
    _ out: UnsafeMutablePointer<Double>
) {
    forest.predictBatch(rows, count: count, scratch: scratch, into: out)
}

/// `QuantizedForest.leafIDs`.
@inline(never)
public func probeForestLeafIDs(_ forest: QuantizedForest, _ scratch: borrowing ForestScratch, _ out: UnsafeMutablePointer<Int32>) {
    forest.leafIDs(scratch: scratch, into: out)
}
