import Foundation
import Testing
import TernCore
import TernMarketData

/// ../shared/data beside the project root, or nil (tests then record an issue: they never pass
/// silently without their data).
func sharedDataFolder() -> URL? {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/TernMarketDataTests/Support.swift → root
    let data = url.deletingLastPathComponent().appendingPathComponent("shared/data")
    return FileManager.default.fileExists(atPath: data.path) ? data : nil
}

/// A file of ../shared/data, decompressed by TernMarketData's own reader.
func sharedFeed(_ name: String) throws -> [UInt8] {
    guard let folder = sharedDataFolder() else {
        Issue.record("../shared/data is missing: the real-data tests need it beside the project")
        throw CancellationError()
    }
    return try FeedFile.read(path: folder.appendingPathComponent(name).path)
}

/// The real files, with the format each is in.
let realFeeds: [(name: String, format: FeedFormat)] = [
    ("cme-es-databento/esh4-glbx-mdp3-20231225.mbo.dbn.zst", .dbn),
    ("cme-es-databento/esu4-glbx-mdp3-20240701T2358-0002.mbp-1.dbn.zst", .dbn),
    ("cme-es-databento/esu4-glbx-mdp3-20240701T2358-0002.trades.dbn.zst", .dbn),
    ("binance-btcusdt-20240808/spot_btcusdt_20240808.jsonl.gz", .binance),
    ("binance-btcusdt-20240808/usdm_btcusdt_20240808.jsonl.gz", .binance),
    ("itch50-ritch-sample/ex20101224.TEST_ITCH_50.gz", .itch),
    ("bybit-xrpusdt-ob500-20241201/xrpusdt-ob500.data.zip", .bybit),
]

/// What scripts/feed-references.py wrote for one file.
struct FeedReference: Decodable {
    struct Book: Decodable {
        var orders: Int?
        var bid_levels: Int
        var ask_levels: Int
        var bids: [[Cell]]
        var asks: [[Cell]]
        var bids_queues: [[String]]?
        var asks_queues: [[String]]?
        var state: String?
    }

    /// A level cell: a decimal string, an order count, or null.
    enum Cell: Decodable, Equatable {
        case text(String), number(Int), null
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null } else if let n = try? c.decode(Int.self) { self = .number(n) } else { self = .text(try c.decode(String.self)) }
        }
    }

    var format: String
    var records: Int
    var by_type: [String: Int]
    var unknown_order_references: Int?
    var gaps: Int?
    var checkpoints: [String: [String: Book]]

    /// The references for every file, when TERN_FEED_REFERENCES names them.
    static let all: [String: FeedReference]? = {
        guard let path = ProcessInfo.processInfo.environment["TERN_FEED_REFERENCES"],
            let data = FileManager.default.contents(atPath: path)
        else { return nil }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        var result: [String: FeedReference] = [:]
        for (name, value) in object where !name.hasPrefix("_") {
            guard let entry = try? JSONSerialization.data(withJSONObject: value),
                let reference = try? JSONDecoder().decode(FeedReference.self, from: entry)
            else { continue }
            result[name] = reference
        }
        return result
    }()
}

/// Compares a book level list with the reference's cells ([price, size, orders-or-null]).
func expectLevels(_ levels: [BookLevel], _ cells: [[FeedReference.Cell]], countsKnown: Bool, _ context: String) {
    #expect(levels.count == cells.count, "\(context): \(levels.count) levels, reference \(cells.count)")
    for (level, cell) in zip(levels, cells) {
        guard case .text(let p) = cell[0], case .text(let s) = cell[1], let price = Price(p), let size = Quantity(s) else {
            Issue.record("\(context): unreadable reference cell \(cell)")
            return
        }
        #expect(level.price == price && level.size == size, "\(context): \(level.size) @ \(level.price), reference \(s) @ \(p)")
        if countsKnown, case .number(let n) = cell[2] {
            #expect(level.orders == n, "\(context): \(level.orders) orders at \(level.price), reference \(n)")
        }
    }
}
