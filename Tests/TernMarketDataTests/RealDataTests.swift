import Foundation
import Testing
import TernCore
@testable import TernMarketData

/// Every file in ../shared/data, decoded end to end and compared with independent decoders
/// (scripts/feed-references.py: databento-dbn, itchfeed, Python json + decimal) at checkpoints.
@Suite("Real feeds (../shared/data) against independent decoders")
struct RealDataTests {
    @Test("the references are present when CI asks for them")
    func present() {
        if ProcessInfo.processInfo.environment["CI"] != nil || ProcessInfo.processInfo.environment["TERN_FEED_REFERENCES"] != nil {
            #expect(FeedReference.all?.count == realFeeds.count, "TERN_FEED_REFERENCES must name the JSON scripts/feed-references.sh makes")
        }
    }

    @Test("each file decodes end to end with the reference's record counts", arguments: realFeeds.map(\.name))
    func counts(_ name: String) throws {
        let format = realFeeds.first { $0.name == name }!.format
        let bytes = try sharedFeed(name)
        let summary = try FeedReplay.run(format: format, bytes: bytes, depth: 10)
        #expect(summary.records > 0)
        #expect(summary.gaps == 0, "the captures chain without a break")
        guard let reference = FeedReference.all?[name] else { return }
        #expect(summary.records == reference.records)
        #expect(summary.recordsByType == reference.by_type)
        if let unknown = reference.unknown_order_references { #expect(summary.unknownOrderReferences == unknown) }
        if let gaps = reference.gaps { #expect(summary.gaps == gaps) }
    }

    @Test("books equal the reference books at every checkpoint (tern replay --stop-after)", arguments: realFeeds.map(\.name))
    func checkpoints(_ name: String) throws {
        let format = realFeeds.first { $0.name == name }!.format
        let bytes = try sharedFeed(name)
        guard let reference = FeedReference.all?[name] else { return }
        for (mark, books) in reference.checkpoints.sorted(by: { Int($0.key)! < Int($1.key)! }) {
            let n = Int(mark)!
            let summary = try FeedReplay.run(format: format, bytes: bytes, stopAfter: n, depth: 10)
            #expect(summary.records == n, "--stop-after \(n) reads exactly \(n) records")
            for (symbol, book) in books {
                let context = "\(name) after \(n) records, \(symbol)"
                guard let mine = summary.instruments.first(where: { $0.symbol == symbol }) else {
                    Issue.record("\(context): no book")
                    continue
                }
                #expect(mine.bidLevels == book.bid_levels && mine.askLevels == book.ask_levels, "\(context): levels \(mine.bidLevels)/\(mine.askLevels), reference \(book.bid_levels)/\(book.ask_levels)")
                if let orders = book.orders { #expect(mine.orders == orders, "\(context): orders") }
                if let state = book.state { #expect(mine.state == state, "\(context): state") }
                expectLevels(mine.topBids, book.bids, countsKnown: mine.orderCountsKnown, context + " bids")
                expectLevels(mine.topAsks, book.asks, countsKnown: mine.orderCountsKnown, context + " asks")
            }
        }
    }

    /// The L3 queues (order ids, front first) of the best three levels, through the public
    /// decoder and book APIs, in one pass with the reference's checkpoints.
    @Test("L3 queue priority equals the reference at every checkpoint", arguments: [
        "cme-es-databento/esh4-glbx-mdp3-20231225.mbo.dbn.zst", "itch50-ritch-sample/ex20101224.TEST_ITCH_50.gz",
    ])
    func queues(_ name: String) throws {
        let bytes = try sharedFeed(name)
        guard let reference = FeedReference.all?[name] else { return }
        let marks = Set(reference.checkpoints.keys.compactMap(Int.init))
        func compare(_ n: Int, _ books: [String: L3Book]) {
            for (symbol, expected) in reference.checkpoints[String(n)] ?? [:] {
                guard let book = books[symbol] else { continue }
                for (side, queues) in [(BookSide.bid, expected.bids_queues ?? []), (.ask, expected.asks_queues ?? [])] {
                    for (depth, ids) in queues.enumerated() {
                        #expect(book.queue(side, depth: depth).map { String($0.id) } == ids, "\(name) after \(n), \(symbol) \(side) level \(depth)")
                    }
                }
                #expect(book.invariantViolation() == nil)
            }
        }
        try bytes.withUnsafeBytes { raw in
            if name.hasSuffix(".dbn.zst") {
                var decoder = try DBNDecoder(bytes: raw)
                let symbols = decoder.metadata.symbolsByInstrumentID
                var books: [String: L3Book] = [:]
                var n = 0
                while let record = try decoder.next() {
                    n += 1
                    if case .mbo(let m) = record {
                        let symbol = symbols[m.instrumentID]!
                        let book = books[symbol] ?? L3Book()
                        books[symbol] = book
                        _ = DBNBook.apply(m, to: book)
                    }
                    if marks.contains(n) { compare(n, books) }
                }
            } else {
                var decoder = ITCHDecoder(bytes: raw)
                let books = ITCHBooks()
                var n = 0
                while let message = try decoder.next() {
                    n += 1
                    books.apply(message, decoder: decoder)
                    if marks.contains(n) {
                        var bySymbol: [String: L3Book] = [:]
                        for (locate, book) in books.books { bySymbol[books.symbols[locate] ?? ""] = book }
                        compare(n, bySymbol)
                    }
                }
            }
        }
    }

    @Test("DBN metadata: version 1, GLBX.MDP3, the symbol mapping")
    func dbnMetadata() throws {
        let bytes = try sharedFeed("cme-es-databento/esh4-glbx-mdp3-20231225.mbo.dbn.zst")
        try bytes.withUnsafeBytes { raw in
            let metadata = try DBNMetadata.parse(raw)
            #expect(metadata.version == 1)
            #expect(metadata.dataset == "GLBX.MDP3")
            #expect(metadata.schema == .mbo)
            #expect(metadata.symbols == ["ESH4"])
            #expect(metadata.symbolsByInstrumentID == [17077: "ESH4"])
            #expect(!metadata.tsOut)
        }
    }

    @Test("Binance: after the snapshot every diff chains (spot U = u+1, USD-M pu = u)")
    func binanceChains() throws {
        for name in ["binance-btcusdt-20240808/spot_btcusdt_20240808.jsonl.gz", "binance-btcusdt-20240808/usdm_btcusdt_20240808.jsonl.gz"] {
            let bytes = try sharedFeed(name)
            let book = BinanceDepthBook()
            var decoder = BinanceDecoder()
            var depthLines = 0
            try bytes.withUnsafeBytes { raw in
                try FeedReplay.forEachLine(raw) { (line, offset) throws(FeedError) in
                    switch try decoder.decode(line: line, offset: offset) {
                    case .depthUpdate(let u):
                        depthLines += 1
                        book.apply(u, bids: decoder.bids, asks: decoder.asks)
                    case .snapshot(let id):
                        book.applySnapshot(lastUpdateID: id, bids: decoder.bids, asks: decoder.asks)
                    default: break
                    }
                }
            }
            #expect(book.state == .synced && book.gaps == 0 && book.syncs == 1 && book.staleSnapshots == 0, "\(name)")
            #expect(book.appliedDiffs + book.droppedDiffs == depthLines, "\(name): every diff is applied or older than the snapshot")
            #expect(book.isFutures == name.contains("usdm"))
            #expect(!book.book.isCrossed)
            #expect(book.book.invariantViolation() == nil)
        }
    }

    @Test("Binance: a missing diff is a gap, and the book resyncs from the next snapshot")
    func binanceGap() throws {
        let bytes = try sharedFeed("binance-btcusdt-20240808/spot_btcusdt_20240808.jsonl.gz")
        var lines: [[UInt8]] = []
        try bytes.withUnsafeBytes { raw in
            try FeedReplay.forEachLine(raw) { (line, _) throws(FeedError) in lines.append(Array(line)) }
        }
        let depth = lines.indices.filter { lines[$0].contains(0x40) && String(decoding: lines[$0].prefix(80), as: UTF8.self).contains("@depth") }
        let snapshot = lines.firstIndex { String(decoding: $0.prefix(60), as: UTF8.self).contains("lastUpdateId") }!
        // Drop the 100th depth diff after the snapshot, then replay the snapshot again at the end.
        let dropped = depth.filter { $0 > snapshot }[100]
        var edited = lines
        edited.remove(at: dropped)
        edited.append(lines[snapshot])
        let text = edited.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
        let summary = try FeedReplay.run(format: .binance, bytes: Array(text.utf8))
        #expect(summary.gaps == 1)
        #expect(summary.resyncs >= 1)
        // The old snapshot cannot resync the stream: its id is behind the buffered diffs.
        #expect(summary.instruments.first?.state == "resyncing")
        #expect(summary.notes.contains { $0.contains("older than the buffered diffs") })
    }

    @Test("Bybit: a skipped update id is a gap until the next snapshot")
    func bybitGap() throws {
        let bytes = try sharedFeed("bybit-xrpusdt-ob500-20241201/xrpusdt-ob500.data.zip")
        // Split on bytes: the file's lines end in CRLF, which Swift's String treats as one Character.
        var lines = bytes.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
        lines.remove(at: 10)
        let summary = try FeedReplay.run(format: .bybit, bytes: Array(lines.joined(separator: "\n").utf8))
        #expect(summary.gaps == 1)
        #expect(summary.instruments.first?.state == "resyncing")
        lines.append(lines[0])  // a fresh snapshot
        let again = try FeedReplay.run(format: .bybit, bytes: Array(lines.joined(separator: "\n").utf8))
        #expect(again.instruments.first?.state == "synced")
    }

    @Test("--instrument builds one book; --stop-after 0 reads nothing")
    func instrumentFilter() throws {
        let bytes = try sharedFeed("itch50-ritch-sample/ex20101224.TEST_ITCH_50.gz")
        let one = try FeedReplay.run(format: .itch, bytes: bytes, instrument: "BOB")
        #expect(one.instruments.map(\.symbol) == ["BOB"])
        #expect(one.records == 12012)
        let all = try FeedReplay.run(format: .itch, bytes: bytes)
        #expect(all.instruments.first { $0.symbol == "BOB" }?.orders == one.instruments[0].orders)
        let none = try FeedReplay.run(format: .itch, bytes: bytes, stopAfter: 0)
        #expect(none.records == 0 && none.instruments.isEmpty)
    }
}

/// DBN versions 2 and 3 keep the record layouts this decoder reads and change the metadata: no
/// record_count, a symbol_cstr_len field (71 in practice) and 53 reserved bytes. The real files are
/// version 1, so these tests re-encode one's metadata as version 2 and 3 and expect the same records.
@Suite("DBN metadata versions")
struct DBNVersionTests {
    static func reencode(_ v1: [UInt8], version: UInt8, symbolLength: Int = 71) throws -> [UInt8] {
        let metadata = try v1.withUnsafeBytes { try DBNMetadata.parse($0) }
        var body: [UInt8] = []
        func le<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { body += $0 } }
        func text(_ s: String, _ n: Int) {
            guard n > 0 else { return }
            body += Array(s.utf8.prefix(n - 1)) + [UInt8](repeating: 0, count: n - min(s.utf8.count, n - 1))
        }
        text(metadata.dataset, 16)
        le(metadata.schema!.rawValue)
        le(metadata.start)
        le(metadata.end)
        le(metadata.limit)
        body += [metadata.stypeIn, metadata.stypeOut, metadata.tsOut ? 1 : 0]
        le(UInt16(symbolLength))
        body += [UInt8](repeating: 0, count: 53)
        le(UInt32(0))  // schema_definition_length
        for list in [metadata.symbols, metadata.partial, metadata.notFound] {
            le(UInt32(list.count))
            for s in list { text(s, symbolLength) }
        }
        le(UInt32(metadata.mappings.count))
        for m in metadata.mappings {
            text(m.rawSymbol, symbolLength)
            le(UInt32(m.intervals.count))
            for i in m.intervals {
                le(i.startDate)
                le(i.endDate)
                text(i.symbol, symbolLength)
            }
        }
        var out: [UInt8] = Array("DBN".utf8) + [version]
        withUnsafeBytes(of: UInt32(body.count).littleEndian) { out += $0 }
        return out + body + v1[metadata.recordsOffset...]
    }

    @Test("versions 2 and 3 decode to the same metadata and records as version 1", arguments: [UInt8(2), 3])
    func sameRecords(version: UInt8) throws {
        let v1 = try sharedFeed("cme-es-databento/esu4-glbx-mdp3-20240701T2358-0002.mbp-1.dbn.zst")
        let other = try Self.reencode(v1, version: version)
        func all(_ bytes: [UInt8]) throws -> (DBNMetadata, [DBNMBP1]) {
            try bytes.withUnsafeBytes { raw in
                var decoder = try DBNDecoder(bytes: raw)
                var list: [DBNMBP1] = []
                while let r = try decoder.next() { if case .mbp1(let m) = r { list.append(m) } }
                return (decoder.metadata, list)
            }
        }
        let (m1, r1) = try all(v1)
        let (m2, r2) = try all(other)
        #expect(m2.version == version)
        #expect(m2.dataset == m1.dataset && m2.schema == m1.schema && m2.symbols == m1.symbols)
        #expect(m2.symbolsByInstrumentID == m1.symbolsByInstrumentID)
        #expect(r1.count == 2288 && r1 == r2)
        // A symbol_cstr_len of zero cannot be read.
        let broken = try Self.reencode(v1, version: version, symbolLength: 0)
        #expect(throws: FeedError.self) { _ = try broken.withUnsafeBytes { try DBNMetadata.parse($0) } }
    }
}
