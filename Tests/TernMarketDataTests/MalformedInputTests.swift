import Foundation
import Testing
import TernCore
import TernTestSupport
@testable import TernMarketData

/// Malformed input gets a `FeedError` naming the offset, never a trap.
@Suite("Malformed feed input")
struct MalformedInputTests {
    func decodeAll(_ format: FeedFormat, _ bytes: [UInt8]) -> FeedError? {
        do {
            _ = try FeedReplay.run(format: format, bytes: bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func dbn_badMagicVersionAndLengths() throws {
        var dbn = try sharedFeed("cme-es-databento/esu4-glbx-mdp3-20240701T2358-0002.trades.dbn.zst")
        let recordsAt = 8 + 198
        var e = decodeAll(.dbn, Array("DBX".utf8) + dbn[3...])
        #expect(e?.kind == .badMagic && e?.offset == 0)
        var v4 = dbn
        v4[3] = 4
        e = decodeAll(.dbn, v4)
        #expect(e?.kind == .unsupported && e?.offset == 3)
        e = decodeAll(.dbn, Array(dbn[0..<100]))
        #expect(e?.kind == .truncated)
        var zeroLength = dbn
        zeroLength[recordsAt + 48 * 5] = 0  // the sixth record's length byte
        e = decodeAll(.dbn, zeroLength)
        #expect(e?.kind == .malformed && e?.offset == recordsAt + 48 * 5, "\(String(describing: e))")
        var short = dbn
        short[recordsAt] = 8  // a trades record claiming 32 bytes
        e = decodeAll(.dbn, short)
        #expect(e?.kind == .malformed && e?.offset == recordsAt)
        dbn.removeLast(7)
        e = decodeAll(.dbn, dbn)
        #expect(e?.kind == .truncated && e?.offset == dbn.count + 7 - 48, "\(String(describing: e))")
    }

    /// Found by the fuzzer: the replay's last-book cache started at instrument id UInt32.max, so an
    /// MBO record for that id found no book and trapped.
    @Test func dbn_instrumentIDMaxReplays() throws {
        var mbo = try sharedFeed("cme-es-databento/esh4-glbx-mdp3-20231225.mbo.dbn.zst")
        let first = 8 + Int(mbo.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 4, as: UInt32.self) })
        for k in 4..<8 { mbo[first + k] = 0xFF }
        let summary = try FeedReplay.run(format: .dbn, bytes: mbo, stopAfter: 100)
        #expect(summary.records == 100)
        #expect(summary.instruments.map(\.symbol).sorted() == ["4294967295", "ESH4"])
    }

    @Test func itch_unknownTypeWrongPrefixAndCutMessage() throws {
        let itch = try sharedFeed("itch50-ritch-sample/ex20101224.TEST_ITCH_50.gz")
        var unknown = itch
        unknown[2] = 0x7A  // 'z' is no ITCH type
        var e = decodeAll(.itch, unknown)
        #expect(e?.kind == .malformed && e?.offset == 2)
        var prefix = itch
        prefix[1] = 30  // the first message is an S (12 bytes)
        e = decodeAll(.itch, prefix)
        #expect(e?.kind == .malformed && e?.offset == 0)
        e = decodeAll(.itch, Array(itch.dropLast(3)))
        #expect(e?.kind == .truncated)
        // The correct prefix is accepted, as NASDAQ writes it.
        var correct = itch
        correct[1] = 12
        #expect(decodeAll(.itch, correct) == nil)
    }

    @Test("JSON lines: each defect is named with its file offset", arguments: [
        ("1 {\"stream\":\"btcusdt@trade\",\"data\":{\"t\":1,\"p\":\"1.5\",\"q\":\"x\"}}", FeedError.Kind.badNumber, 57),
        ("1 {\"stream\":\"btcusdt@trade\",\"data\":{\"t\":1,\"p\":\"1.5\"}}", .malformed, 35),
        ("1 {\"stream\":\"btcusdt@trade\",\"data\":{\"t\":1,\"p\":\"1.5\",\"q\":\"2\"", .truncated, 59),
        ("1 {\"stream\":\"btcusdt@depth\",\"data\":{\"U\":5,\"u\":4,\"b\":[],\"a\":[]}}", .malformed, 35),
        ("x {}", .malformed, 0),
        ("1 {\"lastUpdateId\":1,\"bids\":[[\"1\",\"2\",\"3\"]],\"asks\":[]}", .malformed, 36),
        ("1 {\"lastUpdateId\":99999999999999999999999,\"bids\":[],\"asks\":[]}", .badNumber, 18),
        ("1 [1,2]", .malformed, 2),
    ])
    func binance(_ line: String, _ kind: FeedError.Kind, _ offset: Int) {
        let text = "1 {\"stream\":\"btcusdt@bookTicker\",\"data\":{\"u\":1,\"b\":\"1\",\"B\":\"1\",\"a\":\"2\",\"A\":\"1\"}}\n" + line
        let e = decodeAll(.binance, Array(text.utf8))
        let lineStart = text.utf8.count - line.utf8.count
        #expect(e?.kind == kind, "\(String(describing: e))")
        #expect(e?.offset == lineStart + offset, "\(String(describing: e))")
    }

    @Test func bybit_missingFieldsAndWrongTopic() {
        var e = decodeAll(.bybit, Array("{\"topic\":\"orderbook.50.X\",\"type\":\"delta\",\"data\":{\"b\":[],\"a\":[]}}".utf8))
        #expect(e?.kind == .malformed && e?.offset == 0)
        e = decodeAll(.bybit, Array("{\"topic\":\"tickers.X\",\"type\":\"delta\"}".utf8))
        #expect(e?.kind == .unsupported)
        e = decodeAll(.bybit, Array("{\"topic\":\"orderbook.50.X\",\"type\":\"snapshot\",\"data\":{\"b\":[[\"1\",\"-\"]],\"a\":[],\"u\":1}}".utf8))
        #expect(e?.kind == .badNumber)
    }

    @Test func containers_damagedInputIsAnError() throws {
        guard let folder = sharedDataFolder() else {
            Issue.record("../shared/data is missing")
            return
        }
        for name in ["cme-es-databento/esu4-glbx-mdp3-20240701T2358-0002.trades.dbn.zst", "itch50-ritch-sample/ex20101224.TEST_ITCH_50.gz",
                     "bybit-xrpusdt-ob500-20241201/xrpusdt-ob500.data.zip"] {
            let raw = try FeedFile.readRaw(path: folder.appendingPathComponent(name).path)
            #expect(throws: FeedError.self, "\(name) cut short") { try FeedFile.decompress(Array(raw.prefix(raw.count / 2))) }
            var flipped = raw
            flipped[raw.count / 2] ^= 0xFF
            #expect(throws: FeedError.self, "\(name) with a flipped byte") { try FeedFile.decompress(flipped) }
        }
        #expect(throws: FeedError.self) { try FeedFile.read(path: "/nonexistent/file") }
    }

    /// Random byte damage in every real file: decoding may fail, never trap.
    @Test("damaged real files never trap", arguments: realFeeds.map(\.name))
    func mutations(_ name: String) throws {
        let format = realFeeds.first { $0.name == name }!.format
        let bytes = try sharedFeed(name)
        var rng = SplitMix64(seed: UInt64(name.utf8.count))
        let rounds = format == .binance ? 6 : 40
        for _ in 0..<rounds {
            var damaged = Array(bytes.prefix(format == .binance ? 200_000 : bytes.count))
            for _ in 0..<(1 + rng.next() % 8) {
                let at = Int(rng.next() % UInt64(damaged.count))
                switch rng.next() % 3 {
                case 0: damaged[at] = UInt8(truncatingIfNeeded: rng.next())
                case 1: damaged.removeSubrange(at..<min(damaged.count, at + Int(rng.next() % 64)))
                default: damaged.insert(contentsOf: [0x22, 0x5B, 0x7B, 0x00, 0xFF].shuffled(using: &rng).prefix(Int(rng.next() % 4)), at: at)
                }
                if damaged.isEmpty { break }
            }
            if let e = decodeAll(format, damaged) { #expect(e.offset >= 0 && e.offset <= damaged.count, "\(e)") }
        }
    }
}
