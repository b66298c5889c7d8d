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

    @Test("a malformed line stops the replay with the feed's error and the run still finishes cleanly")
    func malformed() throws {
        let text = "1723161255030314667 {\"stream\":\"btcusdt@depth@0ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1,\"T\":1,\"s\":\"BTCUSDT\",\"U\":1,\"u\":2,\"pu\":0,\"b\":[[\"1.0\",\"x\"]],\"a\":[]}}\n"
        let (_, report) = try replay(BinanceSource(bytes: Array(text.utf8), name: "bad", symbol: "BTCUSDT"), kind: .l2)
        let error = try #require(report.feedError)
        #expect(error.offset > 0)
    }
}
