import ArgumentParser
import Foundation
import Tern

/// `tern model inspect` and `tern model predict`.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Inspect tree-ensemble models and predict with them (XGBoost, LightGBM, CatBoost).",
        subcommands: [Inspect.self, Predict.self]
    )

    /// Reads a model file; `.gz` files are decompressed with the system's gzip first.
    static func load(_ path: String) throws -> TreeEnsemble {
        var bytes: [UInt8]
        if path.hasSuffix(".gz") {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["gzip", "-dc", path]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            bytes = [UInt8](pipe.fileHandleForReading.readDataToEndOfFile())
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw ValidationError("gzip could not read \(path)") }
        } else {
            bytes = try readFile(path)
        }
        do {
            return try TreeEnsemble.load(bytes: bytes)
        } catch {
            throw ValidationError("\(path): \(error)")
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a model's format, objective, shape, per-feature thresholds and compiled form.")

        @Argument(help: "Model file (.json, .ubj, .txt; .gz is decompressed).")
        var file: String

        @Flag(help: "Print every feature, including those the model never reads.")
        var allFeatures = false

        mutating func run() throws {
            let model = try ModelCommand.load(file)
            let exact = try QuantizedForest(model, leafMode: .exact)
            let quantized = try QuantizedForest(model, leafMode: .quantized)
            let depths = model.trees.map(\.depth)
            let nodes = model.trees.reduce(0) { $0 + $1.nodes.count }
            let categorical = model.trees.reduce(0) { $0 + $1.nodes.filter { $0.kind == .categorical }.count }
            func row(_ key: String, _ value: String) { print(key.padding(toLength: 24, withPad: " ", startingAt: 0) + value) }
            row("file", file)
            row("format", model.format.rawValue)
            row("library", model.library.rawValue)
            row("objective", model.objective)
            row("output transform", "\(model.transform)")
            row("outputs (classes)", "\(model.outputCount)")
            row("trees", "\(model.trees.count)")
            row("depth", "max \(depths.max() ?? 0), mean \(String(format: "%.2f", Double(depths.reduce(0, +)) / Double(max(depths.count, 1))))")
            row("nodes", "\(nodes) (\(categorical) categorical splits)")
            row("features", "\(model.featureCount) (\(exact.thresholdsPerFeature.filter { $0 > 0 }.count) used)")
            row("codes per row", "\(exact.slotCount) × \(exact.codeWidth == 1 ? "uint8" : "uint16")")
            row("compiled size", "\(exact.compiledSize) bytes (exact leaves), \(quantized.compiledSize) bytes (int32 leaves)")
            row("single-row kernel", exact.vectorTopLevels > 0
                ? "AVX-512 VBMI for the first \(exact.vectorTopLevels) levels of every tree, then the 8-lane walk"
                : "the 8-lane walk (the AVX-512 top-levels kernel needs byte codes, at most 128 slots and AVX-512 VBMI)")
            row("quantized leaves", "int32 at scale 2^\(Int(log2(quantized.leafScale)))")
            row("  leaf rounding bound", "\(quantized.leafRoundingBound)")
            row("  margin error bound", "\(quantized.marginErrorBound) (vs the library's own float margins)")
            for note in model.notes { row("note", note) }
            print("\nthresholds per feature (distinct values; uint8 codes hold up to 253):")
            for f in 0..<model.featureCount where allFeatures || exact.thresholdsPerFeature[f] > 0 {
                let name = f < model.featureNames.count ? model.featureNames[f] : "f\(f)"
                print("  \(String(f).padding(toLength: 5, withPad: " ", startingAt: 0)) \(name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(exact.thresholdsPerFeature[f])")
            }
        }
    }

    struct Predict: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Predict every row of a CSV file.",
            discussion: """
                The input has a header of feature names and one row per line; `nan` or an empty cell is a
                missing value. Columns are matched to the model's feature names when it has them, else
                taken in order. The output has `row,margin,pred` (or `row,margin_0..k,pred_0..k` for
                multiclass), each value the shortest decimal that reads back to the same double.
                """)

        @Argument(help: "Model file (.json, .ubj, .txt; .gz is decompressed).")
        var file: String

        @Option(help: "Input CSV with a header of feature names.")
        var input: String

        @Option(help: "Output CSV.")
        var output: String

        @Option(help: "exact (margins bit-identical to the library) or quantized (int32 leaves).")
        var mode: String = "exact"

        mutating func run() throws {
            let model = try ModelCommand.load(file)
            let leafMode: QuantizedForest.LeafMode
            switch mode {
            case "exact": leafMode = .exact
            case "quantized": leafMode = .quantized
            default: throw ValidationError("--mode must be exact or quantized, not '\(mode)'")
            }
            let forest = try QuantizedForest(model, leafMode: leafMode)
            guard let text = try? String(contentsOfFile: input, encoding: .utf8) else {
                throw ValidationError("cannot read \(input)")
            }
            var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map {
                $0.hasSuffix("\r") ? $0.dropLast() : $0
            }
            guard !lines.isEmpty else { throw ValidationError("\(input) is empty") }
            let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map {
                String($0).trimmingCharacters(in: .whitespaces)
            }
            // Column of the CSV feeding each model feature.
            var source = Array(0..<model.featureCount)
            if !model.featureNames.isEmpty && Set(model.featureNames).isSubset(of: Set(header)) {
                source = model.featureNames.map { header.firstIndex(of: $0)! }
            } else if header.count != model.featureCount {
                let hint = model.featureNames.isEmpty ? "" : "; missing names: "
                    + model.featureNames.filter { !header.contains($0) }.prefix(5).joined(separator: ", ")
                throw ValidationError("\(input) has \(header.count) columns; the model reads \(model.featureCount) features\(hint)")
            }
            var rows: [Float] = []
            rows.reserveCapacity(lines.count * model.featureCount)
            for (i, line) in lines.enumerated() {
                let cells = line.split(separator: ",", omittingEmptySubsequences: false)
                guard cells.count == header.count else {
                    throw ValidationError("\(input) line \(i + 2): \(cells.count) cells, the header has \(header.count)")
                }
                for column in source {
                    let cell = cells[column].trimmingCharacters(in: .whitespaces)
                    if cell.isEmpty || cell.lowercased() == "nan" {
                        rows.append(.nan)
                    } else if let v = Float(cell) {
                        rows.append(v)
                    } else {
                        throw ValidationError("\(input) line \(i + 2), column '\(header[column])': '\(cell)' is not a number")
                    }
                }
            }
            let count = lines.count
            let k = model.outputCount
            var margins = [Double](repeating: 0, count: count * k)
            var predictions = [Double](repeating: 0, count: count * k)
            let scratch = forest.makeScratch()
            rows.withUnsafeBufferPointer { r in
                margins.withUnsafeMutableBufferPointer {
                    forest.predictBatch(r.baseAddress!, count: count, scratch: scratch, into: $0.baseAddress!, transformed: false)
                }
                predictions.withUnsafeMutableBufferPointer {
                    forest.predictBatch(r.baseAddress!, count: count, scratch: scratch, into: $0.baseAddress!)
                }
            }
            var out = k == 1 ? "row,margin,pred\n"
                : "row," + (0..<k).map { "margin_\($0)" }.joined(separator: ",") + ","
                    + (0..<k).map { "pred_\($0)" }.joined(separator: ",") + "\n"
            out.reserveCapacity(count * (k * 40 + 8))
            for r in 0..<count {
                out += String(r)
                for j in 0..<k { out += "," + margins[r * k + j].description }
                for j in 0..<k { out += "," + predictions[r * k + j].description }
                out += "\n"
            }
            try writeFile(output, out)
            print("\(count) rows → \(output) (\(model.library.rawValue) \(model.objective), \(mode) mode)")
        }
    }
}
