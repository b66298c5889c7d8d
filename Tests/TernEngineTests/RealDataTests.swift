import Foundation
import Testing
import TernCore
import TernEngine
import TernMarketData
import TernRisk

/// The replay sources against TernMarketData's own replays of the same files: the engine's books,
/// built from normalized events, must end where the feed's reference books end.
@Suite("Replay sources on real data")
struct RealDataTests {
    final class Null: Strategy {
        var updates = 0
        func onMarket(_ book: MarketBook, engine: Engine) { updates += 1 }
    }

    func replay(_ source: any MarketDataSource, kind: BookKind) throws -> (Engine, RunReport) {
        let setup = try RiskSetup.parse(limits: Array(SyntheticMarket.limits.utf8), instruments: Array(SyntheticMarket.instruments.utf8))
        let engine = Engine(
            risk: try RiskEngine(setup.configuration), instruments: 1, bookKind: kind, gateway: try SimulatedVenue(instruments: [SyntheticMarket.spec()]),
            strategy: Null())
        return (engine, try EngineRunner.run(source: source, engine: engine, plan: ThreadPlan(threaded: false)))
    }

    @Test("CME ES MBO (Databento): the engine's L3 book matches FeedReplay's")
    func dbn() throws {
        guard let path = sharedData("cme-es-databento/esh4-glbx-mdp3-20231225.mbo.dbn.zst") else {
            Issue.record("../shared/data is missing")
            return
        }
        let raw = try FeedFile.readRaw(path: path)
        let (engine, report) = try replay(DBNSource(bytes: raw, name: "es", symbols: ["ESH4"]), kind: .l3)
        let reference = try FeedReplay.run(format: .dbn, bytes: FeedFile.decompress(raw), instrument: "ESH4", depth: 10)
        let ref = try #require(reference.instruments.first)
        let book = engine.books[0]
        #expect(report.records == reference.records)
        #expect(book.bestBid == ref.bestBid)
        #expect(book.bestAsk == ref.bestAsk)
        #expect((0..<10).compactMap { book.level(.bid, depth: $0) } == ref.topBids)
        #expect((0..<10).compactMap { book.level(.ask, depth: $0) } == ref.topAsks)
        #expect(book.l3!.orderCount == ref.orders)
        #expect(report.batches > 40_000)
    }

    @Test("Binance USD-M: the engine's L2 book matches the synchronized depth book")
    func binance() throws {
        guard let path = sharedData("binance-btcusdt-20240808/usdm_btcusdt_20240808.jsonl.gz") else {
            Issue.record("../shared/data is missing")
            return
        }
        let raw = try FeedFile.readRaw(path: path)
        let (engine, report) = try replay(BinanceSource(bytes: raw, name: "usdm", symbol: "BTCUSDT"), kind: .l2)
        let reference = try FeedReplay.run(format: .binance, bytes: FeedFile.decompress(raw), instrument: "BTCUSDT", depth: 20)
        let ref = try #require(reference.instruments.first)
        let book = engine.books[0]
        #expect(report.records == reference.records)
        #expect(book.bestBid?.price == ref.bestBid?.price && book.bestBid?.size == ref.bestBid?.size)
        #expect(book.bestAsk?.price == ref.bestAsk?.price && book.bestAsk?.size == ref.bestAsk?.size)
        #expect((0..<20).compactMap { book.level(.bid, depth: $0)?.price } == ref.topBids.map(\.price))
        #expect((0..<20).compactMap { book.level(.ask, depth: $0)?.size } == ref.topAsks.map(\.size))
        #expect(book.trades > 0)
    }

    @Test("NASDAQ ITCH 5.0: the engine's L3 book matches FeedReplay's, replaces included; times are the session's")
    func itch() throws {
        guard let path = sharedData("itch50-ritch-sample/ex20101224.TEST_ITCH_50.gz") else {
            Issue.record("../shared/data is missing")
            return
        }
        let raw = try FeedFile.readRaw(path: path)
        let day = try #require(HostConfiguration.daysSinceEpoch("2010-12-24")) * 86_400_000_000_000
        for symbol in ["ALC", "BOB", "CHAR"] {
            let source = try ITCHSource(bytes: raw, name: "itch", symbols: [symbol], sessionDate: day)
            #expect(source.bookKind == .l3)
            let (engine, report) = try replay(source, kind: .l3)
            let reference = try FeedReplay.run(format: .itch, bytes: FeedFile.decompress(raw), instrument: symbol, depth: 10)
            let ref = try #require(reference.instruments.first)
            let book = engine.books[0]
            #expect(report.records == reference.records)
            #expect(book.bestBid == ref.bestBid, "\(symbol)")
            #expect(book.bestAsk == ref.bestAsk, "\(symbol)")
            #expect((0..<10).compactMap { book.level(.bid, depth: $0) } == ref.topBids, "\(symbol)")
            #expect((0..<10).compactMap { book.level(.ask, depth: $0) } == ref.topAsks, "\(symbol)")
            #expect(book.l3!.orderCount == ref.orders, "\(symbol)")
            // Market time: the session's midnight plus the ITCH time, within the trading day.
            #expect(engine.now.rawValue > day && engine.now.rawValue < day + 86_400_000_000_000)
        }
    }

    @Test("Bybit order book: the engine's L2 book matches Bybit's sequenced depth book")
    func bybit() throws {
        guard let path = sharedData("bybit-xrpusdt-ob500-20241201/xrpusdt-ob500.data.zip") else {
            Issue.record("../shared/data is missing")
            return
        }
        let raw = try FeedFile.readRaw(path: path)
        let (engine, report) = try replay(BybitSource(bytes: raw, name: "bybit", symbol: "XRPUSDT"), kind: .l2)
        let reference = try FeedReplay.run(format: .bybit, bytes: FeedFile.decompress(raw), instrument: "XRPUSDT", depth: 50)
        let ref = try #require(reference.instruments.first)
        let book = engine.books[0]
        #expect(report.records == reference.records)
        #expect(report.batches == 50, "a snapshot and 49 deltas")
        #expect(book.bestBid?.price == ref.bestBid?.price && book.bestBid?.size == ref.bestBid?.size)
        #expect(book.bestAsk?.price == ref.bestAsk?.price && book.bestAsk?.size == ref.bestAsk?.size)
        #expect((0..<50).compactMap { book.level(.bid, depth: $0)?.size } == ref.topBids.map(\.size))
        #expect((0..<50).compactMap { book.level(.ask, depth: $0)?.price } == ref.topAsks.map(\.price))
        #expect(book.levelCount(.bid) == 500 && book.levelCount(.ask) == 500)
    }

    @Test("CME ES MBP-1 (Databento): the book is the last record's top of book; trades print")
    func mbp1() throws {
        guard let path = sharedData("cme-es-databento/esu4-glbx-mdp3-20240701T2358-0002.mbp-1.dbn.zst") else {
            Issue.record("../shared/data is missing")
            return
        }
        let raw = try FeedFile.readRaw(path: path)
        let source = try DBNSource(bytes: raw, name: "mbp1", symbols: ["ESU4"])
        #expect(source.bookKind == .l2)
        let (engine, report) = try replay(source, kind: .l2)
        let reference = try FeedReplay.run(format: .dbn, bytes: FeedFile.decompress(raw), instrument: "ESU4", depth: 1)
        let ref = try #require(reference.instruments.first)
        let book = engine.books[0]
        #expect(report.records == reference.records)
        #expect(book.bestBid?.price == ref.bestBid?.price && book.bestBid?.size == ref.bestBid?.size)
        #expect(book.bestAsk?.price == ref.bestAsk?.price && book.bestAsk?.size == ref.bestAsk?.size)
        #expect(book.levelCount(.bid) == 1 && book.levelCount(.ask) == 1)
        // Every trade action in the file printed once.
        let bytes = try FeedFile.decompress(raw)
        let trades = try bytes.withUnsafeBytes { buffer in
            var d = try DBNDecoder(bytes: buffer)
            var n = 0
            while let r = try d.next() { if case .mbp1(let m) = r, m.action == 0x54 { n += 1 } }
            return n
        }
        #expect(trades > 0)
        #expect(book.trades == trades)
    }

    @Test("a DBN file of a schema the engine does not replay is refused with the schema's name")
    func dbnSchema() throws {
        guard let path = sharedData("cme-es-databento/esu4-glbx-mdp3-20240701T2358-0002.trades.dbn.zst") else {
            Issue.record("../shared/data is missing")
            return
        }
        #expect(throws: FeedError.self) { try DBNSource(bytes: FeedFile.readRaw(path: path), name: "trades", symbols: ["ESU4"]) }
        do {
            _ = try DBNSource(bytes: FeedFile.readRaw(path: path), name: "trades", symbols: ["ESU4"])
        } catch {
            #expect("\(error)".contains("trades"), "\(error)")
        }
    }

    @Test("a malformed line stops the replay with the feed's error and the run still finishes cleanly")
    func malformed() throws {
        let text = "1723161255030314667 {\"stream\":\"btcusdt@depth@0ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1,\"T\":1,\"s\":\"BTCUSDT\",\"U\":1,\"u\":2,\"pu\":0,\"b\":[[\"1.0\",\"x\"]],\"a\":[]}}\n"
        let (_, report) = try replay(BinanceSource(bytes: Array(text.utf8), name: "bad", symbol: "BTCUSDT"), kind: .l2)
        let error = try #require(report.feedError)
        #expect(error.offset > 0)
    }
}
