public import CTern
import TernInference
import TernMarketData

// Tree-ensemble models (TernInference.QuantizedForest) behind `tern_model_t`: one compiled forest,
// shared by handles that each own their scratch memory.

final class ModelHandle: Handle {
    let forest: QuantizedForest
    let format: ModelFormat
    let scratch: ForestScratch

    init(_ forest: QuantizedForest, format: ModelFormat) {
        self.forest = forest
        self.format = format
        scratch = forest.makeScratch()
        super.init(.model)
    }
}

@inline(__always)
func withModel(_ pointer: OpaquePointer?, _ function: StaticString = #function, _ body: (ModelHandle) -> tern_status_t) -> tern_status_t {
    withHandle(pointer, .model, ModelHandle.self, "model", function, body)
}

/// The format for a TERN_MODEL_* code; `.some(nil)` is AUTO.
func modelFormat(_ code: Int32) -> ModelFormat?? {
    switch code {
    case TERN_MODEL_AUTO: .some(nil)
    case TERN_MODEL_XGBOOST_JSON: .xgboostJSON
    case TERN_MODEL_XGBOOST_UBJSON: .xgboostUBJSON
    case TERN_MODEL_LIGHTGBM_TEXT: .lightgbmText
    case TERN_MODEL_CATBOOST_JSON: .catboostJSON
    default: nil
    }
}

func loadModel(_ bytes: UnsafeRawBufferPointer, _ format: Int32, _ label: String, _ out: UnsafeMutablePointer<OpaquePointer?>, _ function: StaticString) -> tern_status_t {
    guard let wanted = modelFormat(format) else { return fail(TERN_E_INVALID, "\(name(function)): format \(format) is not a TERN_MODEL_* code") }
    do throws(ModelError) {
        let ensemble = try TreeEnsemble.load(bytes: bytes, format: wanted)
        let forest = try QuantizedForest(ensemble)
        return ok(out, retained(ModelHandle(forest, format: forest.format)))
    } catch {
        return fail(TERN_E_PARSE, "\(name(function)): \(label): \(error)")
    }
}

@c @implementation
public func tern_model_load_file(_ path: UnsafePointer<CChar>?, _ format: Int32, _ out_model: UnsafeMutablePointer<OpaquePointer?>?) -> tern_status_t {
    guard let file = string(path) else { return null("path") }
    guard let out_model else { return null("out_model") }
    // FeedFile.read also undoes gzip and zstd, as the model files are often shipped compressed.
    let bytes: [UInt8]
    do throws(FeedError) { bytes = try FeedFile.read(path: file) } catch {
        return fail(error.kind == .io ? TERN_E_IO : TERN_E_PARSE, "tern_model_load_file: \(error)")
    }
    return bytes.withUnsafeBytes { loadModel($0, format, file, out_model, #function) }
}

@c @implementation
public func tern_model_load_memory(_ bytes: UnsafeRawPointer?, _ length: Int, _ format: Int32, _ out_model: UnsafeMutablePointer<OpaquePointer?>?) -> tern_status_t {
    guard let bytes else { return null("bytes") }
    guard let out_model else { return null("out_model") }
    return loadModel(UnsafeRawBufferPointer(start: bytes, count: length), format, "memory", out_model, #function)
}

@c @implementation
public func tern_model_share(_ model: OpaquePointer?, _ out_model: UnsafeMutablePointer<OpaquePointer?>?) -> tern_status_t {
    withModel(model) { h in
        guard let out_model else { return null("out_model") }
        return ok(out_model, retained(ModelHandle(h.forest, format: h.format)))
    }
}

@c @implementation
public func tern_model_free(_ model: OpaquePointer?) {
    guard let model else { return }
    release(model, .model)
}

@c @implementation
public func tern_model_info(_ model: OpaquePointer?, _ out_info: UnsafeMutablePointer<tern_model_info_t>?) -> tern_status_t {
    withModel(model) { h in
        guard let out_info else { return null("out_info") }
        let f = h.forest
        var info = tern_model_info_t()
        info.feature_count = UInt32(f.featureCount)
        info.output_count = UInt32(f.outputCount)
        info.tree_count = UInt32(f.treeCount)
        info.max_depth = UInt32(f.maximumDepth)
        info.code_width = UInt32(f.codeWidth)
        info.slot_count = UInt32(f.slotCount)
        info.library = switch f.library {
        case .xgboost: TERN_LIBRARY_XGBOOST
        case .lightgbm: TERN_LIBRARY_LIGHTGBM
        case .catboost: TERN_LIBRARY_CATBOOST
        }
        info.format = switch h.format {
        case .xgboostJSON: TERN_MODEL_XGBOOST_JSON
        case .xgboostUBJSON: TERN_MODEL_XGBOOST_UBJSON
        case .lightgbmText: TERN_MODEL_LIGHTGBM_TEXT
        case .catboostJSON: TERN_MODEL_CATBOOST_JSON
        }
        info.compiled_bytes = UInt64(f.compiledSize)
        info.margin_error_bound = f.marginErrorBound
        setFixedString(&info.objective, f.objective)
        return ok(out_info, info)
    }
}

@c @implementation
public func tern_model_feature_name(
    _ model: OpaquePointer?, _ index: UInt32, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int, _ out_length: UnsafeMutablePointer<Int>?
) -> tern_status_t {
    withModel(model) { h in
        guard let buffer else { return null("buffer") }
        guard index < h.forest.featureCount else {
            return fail(TERN_E_NOT_FOUND, "tern_model_feature_name: feature \(index) of a model with \(h.forest.featureCount)")
        }
        let text = Int(index) < h.forest.featureNames.count ? h.forest.featureNames[Int(index)] : ""
        let bytes = Array(text.utf8)
        out_length?.pointee = bytes.count
        guard capacity > bytes.count else {
            return fail(TERN_E_TOO_SMALL, "tern_model_feature_name: the name needs \(bytes.count + 1) bytes with its NUL; the buffer has \(capacity)")
        }
        bytes.withUnsafeBytes { UnsafeMutableRawPointer(buffer).copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        buffer[bytes.count] = 0
        return TERN_OK
    }
}

@inline(never)
func wrongCount(_ what: String, _ given: Int, _ wanted: Int, _ function: StaticString = #function) -> tern_status_t {
    fail(TERN_E_INVALID, "\(name(function)): \(what) is \(given); the model needs \(wanted)")
}

@c @implementation
public func tern_model_quantize(
    _ model: OpaquePointer?, _ row: UnsafePointer<Float>?, _ feature_count: Int, _ codes: UnsafeMutablePointer<UInt8>?, _ codes_length: Int
) -> tern_status_t {
    withModel(model) { h in
        guard let row else { return null("row") }
        guard let codes else { return null("codes") }
        let f = h.forest
        guard feature_count == f.featureCount else { return wrongCount("feature_count", feature_count, f.featureCount) }
        guard codes_length >= f.slotCount * f.codeWidth else { return wrongCount("codes_length", codes_length, f.slotCount * f.codeWidth) }
        f.quantize(row, into: codes)
        return TERN_OK
    }
}

@c @implementation
public func tern_model_predict(
    _ model: OpaquePointer?, _ row: UnsafePointer<Float>?, _ feature_count: Int, _ margin: Int32, _ out: UnsafeMutablePointer<Double>?, _ out_count: Int
) -> tern_status_t {
    withModel(model) { h in
        guard let row else { return null("row") }
        guard let out else { return null("out") }
        let f = h.forest
        guard feature_count == f.featureCount else { return wrongCount("feature_count", feature_count, f.featureCount) }
        guard out_count >= f.outputCount else { return wrongCount("out_count", out_count, f.outputCount) }
        if margin != 0 { f.predictMargins(row, scratch: h.scratch, into: out) } else { f.predict(row, scratch: h.scratch, into: out) }
        return TERN_OK
    }
}

@c @implementation
public func tern_model_predict_batch(
    _ model: OpaquePointer?, _ rows: UnsafePointer<Float>?, _ row_count: Int, _ feature_count: Int, _ margin: Int32, _ out: UnsafeMutablePointer<Double>?,
    _ out_count: Int
) -> tern_status_t {
    withModel(model) { h in
        guard row_count > 0 else { return TERN_OK }
        guard let rows else { return null("rows") }
        guard let out else { return null("out") }
        let f = h.forest
        guard feature_count == f.featureCount else { return wrongCount("feature_count", feature_count, f.featureCount) }
        let (needed, overflow) = row_count.multipliedReportingOverflow(by: f.outputCount)
        guard !overflow, out_count >= needed else { return wrongCount("out_count", out_count, needed) }
        f.predictBatch(rows, count: row_count, scratch: h.scratch, into: out, transformed: margin == 0)
        return TERN_OK
    }
}
