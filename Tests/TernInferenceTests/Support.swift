import Foundation
import TernInference
import TernTestSupport
import Testing

/// `../shared/models` beside the project (the fixture models and their libraries' outputs).
func sharedModelsFolder() -> URL? {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/TernInferenceTests/Support.swift → root
    let models = url.deletingLastPathComponent().appendingPathComponent("shared/models")
    return FileManager.default.fileExists(atPath: models.path) ? models : nil
}

/// The file's bytes (`.gz` decompressed): the shared test-support reader.
func readModelFile(_ url: URL) throws -> [UInt8] { try readFixture(url) }

/// A CSV of numbers with a header line: the header and the rows.
struct NumberTable {
    var header: [String]
    var rows: [[Double]]

    init(_ url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        header = lines.removeFirst().split(separator: ",").map(String.init)
        rows = try lines.map { line in
            try line.split(separator: ",", omittingEmptySubsequences: false).map { cell in
                guard let v = Double(cell) else { throw FixtureError.badNumber(String(cell)) }
                return v
            }
        }
    }
}

/// The shared test rows as float32 (`%.9g` text parses back to the exact float32).
func testRows(_ folder: URL) throws -> [[Float]] {
    let text = try String(contentsOf: folder.appendingPathComponent("data_test.csv"), encoding: .utf8)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
    lines.removeFirst()
    return try lines.map { line in
        try line.split(separator: ",", omittingEmptySubsequences: false).map { cell in
            guard let v = Float(cell) else { throw FixtureError.badNumber(String(cell)) }
            return v
        }
    }
}

enum FixtureError: Error { case badNumber(String) }

/// Distance in units in the last place, in the given precision.
func ulps(_ a: Double, _ b: Double, float32: Bool) -> UInt64 {
    if a == b { return 0 }
    if float32 {
        let x = Float(a).bitPattern
        let y = Float(b).bitPattern
        func ordered(_ v: UInt32) -> Int64 { v & 0x8000_0000 != 0 ? -Int64(v & 0x7FFF_FFFF) : Int64(v) }
        return UInt64(abs(ordered(x) - ordered(y)))
    }
    func ordered(_ v: UInt64) -> Int64 {
        v & 0x8000_0000_0000_0000 != 0 ? -Int64(v & 0x7FFF_FFFF_FFFF_FFFF) : Int64(v)
    }
    let d = ordered(a.bitPattern).subtractingReportingOverflow(ordered(b.bitPattern))
    return d.overflow ? .max : d.partialValue.magnitude
}

extension QuantizedForest {
    /// Test convenience: margins and predictions of one row.
    func evaluate(_ row: [Float], scratch: borrowing ForestScratch) -> (margins: [Double], predictions: [Double], leaves: [Int32]) {
        var margins = [Double](repeating: 0, count: outputCount)
        var predictions = [Double](repeating: 0, count: outputCount)
        var leaves = [Int32](repeating: 0, count: treeCount)
        row.withUnsafeBufferPointer { r in
            margins.withUnsafeMutableBufferPointer { predictMargins(r.baseAddress!, scratch: scratch, into: $0.baseAddress!) }
            leaves.withUnsafeMutableBufferPointer { leafIDs(scratch: scratch, into: $0.baseAddress!) }
            predictions.withUnsafeMutableBufferPointer { predict(r.baseAddress!, scratch: scratch, into: $0.baseAddress!) }
        }
        return (margins, predictions, leaves)
    }
}
