/// Entry points: read a model file's bytes in any supported format.
extension TreeEnsemble {
    /// Reads a model, detecting the format from its first bytes unless `format` is given.
    ///
    /// Detection: `tree` on the first line is LightGBM text; `{` followed by a quote or white space is
    /// JSON (XGBoost when it has `learner`, CatBoost when it has `oblivious_trees`); `{` followed by a
    /// UBJSON marker is XGBoost UBJSON. Gzip data and CatBoost `.cbm` files get a message saying what
    /// to do instead.
    public static func load(bytes: UnsafeRawBufferPointer, format: ModelFormat? = nil) throws(ModelError) -> TreeEnsemble {
        let b = bytes.bindMemory(to: UInt8.self)
        let detected: ModelFormat
        if let format { detected = format } else { detected = try detect(b) }
        switch detected {
        case .lightgbmText:
            return try LightGBMLoader.load(b)
        case .xgboostUBJSON:
            return try XGBoostLoader.load(try UBJSONParser.parse(b, format: detected.rawValue), format: .xgboostUBJSON)
        case .xgboostJSON, .catboostJSON:
            let root = try JSONParser.parse(b, format: detected.rawValue)
            if detected == .catboostJSON || (format == nil && root["learner"] == nil && root["oblivious_trees"] != nil) {
                return try CatBoostLoader.load(root)
            }
            if format == nil && root["learner"] == nil && root["trees"] != nil && root["features_info"] != nil {
                return try CatBoostLoader.load(root)  // reports the unsupported non-symmetric trees
            }
            return try XGBoostLoader.load(root, format: .xgboostJSON)
        }
    }

    /// Convenience for `[UInt8]`.
    public static func load(bytes: [UInt8], format: ModelFormat? = nil) throws(ModelError) -> TreeEnsemble {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(ModelError) -> TreeEnsemble in try load(bytes: raw, format: format) }
        }
        return try result.get()
    }

    static func detect(_ b: UnsafeBufferPointer<UInt8>) throws(ModelError) -> ModelFormat {
        guard !b.isEmpty else { throw ModelError(.syntax, "the file is empty", offset: 0) }
        if b.count >= 2 && b[0] == 0x1F && b[1] == 0x8B {
            throw ModelError(.unsupported, "the file is gzip-compressed; decompress it first (gunzip -k FILE)", offset: 0)
        }
        if b.count >= 4 && b[0] == UInt8(ascii: "C") && b[1] == UInt8(ascii: "B") && b[2] == UInt8(ascii: "M") {
            throw ModelError(
                .unsupported, "CatBoost binary (.cbm) is not read; export JSON with save_model(path, format=\"json\")",
                offset: 0)
        }
        if b.count >= 4 && b[0] == UInt8(ascii: "t") && b[1] == UInt8(ascii: "r") && b[2] == UInt8(ascii: "e")
            && b[3] == UInt8(ascii: "e")
        {
            return .lightgbmText
        }
        var i = 0
        while i < b.count && (b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09) { i += 1 }
        guard i < b.count, b[i] == UInt8(ascii: "{") else {
            throw ModelError(
                .syntax, "not a model file Tern reads (XGBoost JSON/UBJSON, LightGBM text, CatBoost JSON)", offset: i)
        }
        if i + 1 < b.count {
            switch b[i + 1] {
            case UInt8(ascii: "\""), 0x20, 0x0A, 0x0D, 0x09, UInt8(ascii: "}"): return .xgboostJSON
            default: return .xgboostUBJSON
            }
        }
        return .xgboostJSON
    }
}
