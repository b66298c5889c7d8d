import Foundation
import TernCore

/// The decimal texts the price benchmarks parse and format.
///
/// Real first: every distinct price and quantity string of the Binance BTCUSDT spot capture in
/// ../shared/data (`"61737.63000000"`, `"0.02000000"`), up to `limit`. If that file is missing, a
/// generated corpus with the same shapes is used, and `source` says so.
public struct Corpus: Sendable {
    public let texts: [String]
    public let source: String

    /// Each text as UTF-8 bytes followed by a NUL (for strtod), in one contiguous buffer.
    public let bytes: [UInt8]
    /// Offset and length (without the NUL) of each text in `bytes`.
    public let spans: [(offset: Int, count: Int)]

    public static func load(limit: Int = 4096) -> Corpus {
        var here = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { here.deleteLastPathComponent() }  // Benchmarks/BenchSupport/Corpus.swift → root
        let file = here.deletingLastPathComponent()
            .appendingPathComponent("shared/data/binance-btcusdt-20240808/spot_btcusdt_20240808.jsonl.gz")
        if let texts = try? realTexts(file, limit: limit), texts.count >= 256 {
            return Corpus(texts: texts, source: "\(texts.count) distinct decimals from Binance spot BTCUSDT 2024-08-08")
        }
        var rng = SystemRandomNumberGenerator()
        let generated = (0..<limit).map { i -> String in
            i % 2 == 0
                ? String(format: "%.8f", Double.random(in: 55_000...65_000, using: &rng))
                : String(format: "%.8f", Double.random(in: 0...3, using: &rng))
        }
        return Corpus(texts: generated, source: "\(limit) generated decimals (../shared/data not found)")
    }

    init(texts: [String], source: String) {
        self.texts = texts
        self.source = source
        var bytes: [UInt8] = []
        var spans: [(Int, Int)] = []
        for text in texts {
            spans.append((bytes.count, text.utf8.count))
            bytes += text.utf8
            bytes.append(0)
        }
        self.bytes = bytes
        self.spans = spans
    }

    static func realTexts(_ file: URL, limit: Int) throws -> [String] {
        guard FileManager.default.fileExists(atPath: file.path) else { return [] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let regex = try NSRegularExpression(pattern: #""([0-9]+\.[0-9]+)""#)
        var seen = Set<String>()
        var texts: [String] = []
        let ns = text as NSString
        for match in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            let s = ns.substring(with: match.range(at: 1))
            if seen.insert(s).inserted { texts.append(s) }
            if texts.count == limit { break }
        }
        return texts
    }

    /// The prices of the corpus, parsed (for the formatting benchmarks).
    public var prices: [Price] { texts.map { try! Price.parse($0) } }
}
