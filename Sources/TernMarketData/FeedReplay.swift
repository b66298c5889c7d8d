import TernCore

#if canImport(Glibc)
    internal import Glibc
#endif

/// The feed formats `FeedReplay` reads.
public enum FeedFormat: String, CaseIterable, Sendable {
    /// Databento DBN (MBO into L3 books, MBP-1 into depth-1 L2 books, trades counted).
    case dbn
    /// Binance capture lines (depth diffs and the REST snapshot into L2 books).
    case binance
    /// NASDAQ ITCH 5.0 BinaryFILE (one L3 book per stock locate).
    case itch
    /// Bybit `orderbook.<depth>` lines (L2 books).
    case bybit
}

/// What a replay found: counts, the books at the end, and how fast it went.
public struct ReplaySummary: Sendable {
    /// One instrument's book at the end of the replay.
    public struct Instrument: Sendable {
        public var symbol: String
        /// `L3` (order by order) or `L2` (price levels).
        public var bookType: String
        public var bestBid: BookLevel?
        public var bestAsk: BookLevel?
        public var bidLevels: Int
        public var askLevels: Int
        /// Resting orders (L3 books only).
        public var orders: Int?
        /// Whether the levels' order counts are known (always for L3; for L2 when the feed says).
        public var orderCountsKnown: Bool
        public var topBids: [BookLevel]
        public var topAsks: [BookLevel]
        /// The book's synchronization state where the feed has one (`synced`, `resyncing`, …).
        public var state: String?
        public var crossed: Bool
    }

    public var format: FeedFormat
    /// Records read (DBN records, ITCH messages, JSON lines), metadata excluded.
    public var records = 0
    /// Records by type: DBN `mbo.A`, `mbp-1.C`, `trades`…; Binance `trade`, `bookTicker`,
    /// `depthUpdate`, `snapshot`; ITCH the message type letter; Bybit `snapshot`, `delta`.
    public var recordsByType: [String: Int] = [:]
    public var instruments: [Instrument] = []
    /// Sequence breaks (Binance and Bybit update-id chains).
    public var gaps = 0
    /// Times a book had to wait for a new snapshot (after a gap, or a snapshot too old to chain).
    public var resyncs = 0
    /// Order-level messages that named an order the book does not hold (ITCH samples; DBN cancels).
    public var unknownOrderReferences = 0
    /// Adds the books refused (duplicate ids, unusable side or price, full pools).
    public var refusedAdds = 0
    /// Notes worth a reader's attention (stale snapshots, dropped diffs, truncated levels).
    public var notes: [String] = []
    /// Wall time of a decode-only pass and of the decode-and-apply pass over the same records.
    public var decodeSeconds = 0.0
    public var replaySeconds = 0.0

    /// Records per second decoded and applied.
    public var eventsPerSecond: Double { replaySeconds > 0 ? Double(records) / replaySeconds : 0 }
    /// Records per second decoded alone.
    public var decodeEventsPerSecond: Double { decodeSeconds > 0 ? Double(records) / decodeSeconds : 0 }
}

/// Replays a whole feed file into books and summarizes it (`tern replay`).
public enum FeedReplay {
    /// Replays `bytes` (already decompressed) as `format`.
    ///
    /// - Parameters:
    ///   - instrument: only this symbol's book is built (all records are still read and counted).
    ///   - stopAfter: stop after exactly this many records of the file.
    ///   - depth: levels per side in `topBids` / `topAsks`.
    public static func run(
        format: FeedFormat, bytes: [UInt8], instrument: String? = nil, stopAfter: Int? = nil, depth: Int = 5
    ) throws(FeedError) -> ReplaySummary {
        let limit = stopAfter ?? .max
        let clock = ContinuousClock()
        var summary = ReplaySummary(format: format)
        let decodeStart = clock.now
        let decoded = try decodeOnly(format: format, bytes: bytes, limit: limit)
        summary.decodeSeconds = seconds(clock.now - decodeStart)
        let start = clock.now
        switch format {
        case .dbn: try replayDBN(bytes, instrument, limit, depth, &summary)
        case .binance: try replayBinance(bytes, instrument, limit, depth, &summary)
        case .itch: try replayITCH(bytes, instrument, limit, depth, &summary)
        case .bybit: try replayBybit(bytes, instrument, limit, depth, &summary)
        }
        summary.replaySeconds = seconds(clock.now - start)
        assert(decoded == summary.records, "the decode-only pass read \(decoded) records, the replay \(summary.records)")
        summary.instruments.sort { $0.symbol < $1.symbol }
        return summary
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// Decodes up to `limit` records without touching a book; returns how many it read.
    public static func decodeOnly(format: FeedFormat, bytes: [UInt8], limit: Int = .max) throws(FeedError) -> Int {
        var count = 0
        try withFeedBytes(bytes) { (raw) throws(FeedError) in
            switch format {
            case .dbn:
                var decoder = try DBNDecoder(bytes: raw)
                while count < limit, try decoder.next() != nil { count += 1 }
            case .itch:
                var decoder = ITCHDecoder(bytes: raw)
                while count < limit, try decoder.next() != nil { count += 1 }
            case .binance:
                var decoder = BinanceDecoder()
                try forEachLine(raw, limit: limit) { (line, offset) throws(FeedError) in
                    _ = try decoder.decode(line: line, offset: offset)
                    count += 1
                }
            case .bybit:
                var decoder = BybitDecoder()
                try forEachLine(raw, limit: limit) { (line, offset) throws(FeedError) in
                    _ = try decoder.decode(line: line, offset: offset)
                    count += 1
                }
            }
        }
        return count
    }

    /// Calls `body` with each non-empty line (without its `\n` or `\r\n`) and its offset, up to
    /// `limit` lines.
    public static func forEachLine(
        _ bytes: UnsafeRawBufferPointer, limit: Int = .max,
        _ body: (UnsafeRawBufferPointer, Int) throws(FeedError) -> Void
    ) throws(FeedError) {
        var cursor = 0
        var lines = 0
        while lines < limit, let (line, offset) = nextLine(bytes, from: &cursor) {
            try body(line, offset)
            lines += 1
        }
    }

    /// The next non-empty line at or after `cursor` (without its `\n` or `\r\n`) and its offset,
    /// or nil at the end; `cursor` moves past it. For readers that stop between lines.
    public static func nextLine(_ bytes: UnsafeRawBufferPointer, from cursor: inout Int) -> (UnsafeRawBufferPointer, Int)? {
        guard let base = bytes.baseAddress else { return nil }
        while cursor < bytes.count {
            let start = cursor
            let newline = memchr(base + start, 0x0A, bytes.count - start)
            var end = newline.map { UnsafeRawPointer($0) - base } ?? bytes.count
            cursor = end + 1
            if end > start && bytes[end - 1] == 0x0D { end -= 1 }
            if end > start { return (UnsafeRawBufferPointer(rebasing: bytes[start..<end]), start) }
        }
        return nil
    }

    // MARK: Books to summaries

    static func summarize(
        _ symbol: String, _ book: some PriceLevelBook, depth: Int, orders: Int? = nil, countsKnown: Bool, state: DepthSyncState? = nil
    ) -> ReplaySummary.Instrument {
        ReplaySummary.Instrument(
            symbol: symbol, bookType: orders == nil ? "L2" : "L3", bestBid: book.bestBid, bestAsk: book.bestAsk,
            bidLevels: book.levelCount(.bid), askLevels: book.levelCount(.ask), orders: orders,
            orderCountsKnown: countsKnown, topBids: book.levels(.bid, limit: depth), topAsks: book.levels(.ask, limit: depth),
            state: state?.rawValue, crossed: book.isCrossed)
    }

    static func summarize(_ symbol: String, _ book: L3Book, depth: Int) -> ReplaySummary.Instrument {
        summarize(symbol, book, depth: depth, orders: book.orderCount, countsKnown: true)
    }

    // MARK: DBN

    static func replayDBN(_ bytes: [UInt8], _ instrument: String?, _ limit: Int, _ depth: Int, _ summary: inout ReplaySummary) throws(FeedError) {
        var mbo: [UInt32: L3Book] = [:]
        var mbp: [UInt32: L2Book] = [:]
        var seen: Set<UInt32> = []
        var counts = [Int](repeating: 0, count: 3 * 256)  // schema × action byte
        var other: [UInt8: Int] = [:]
        var symbols: [UInt32: String] = [:]
        var outcomes = [Int](repeating: 0, count: 8)
        try withFeedBytes(bytes) { (raw) throws(FeedError) in
            var decoder = try DBNDecoder(bytes: raw)
            symbols = decoder.metadata.symbolsByInstrumentID
            let wanted: UInt32? = instrument.flatMap { name in symbols.first(where: { $0.value == name })?.key }
            if instrument != nil && wanted == nil {
                summary.notes.append("no instrument \(instrument!) in the file's symbol mappings")
            }
            // The last instrument's book, so a run of one instrument's records skips the lookup.
            var last: (id: UInt32, book: L3Book)? = nil
            while summary.records < limit, let record = try decoder.next() {
                summary.records += 1
                switch record {
                case .mbo(let m):
                    counts[Int(m.action)] += 1
                    if instrument != nil && m.instrumentID != wanted { continue }
                    let book: L3Book
                    if let last, last.id == m.instrumentID {
                        book = last.book
                    } else {
                        seen.insert(m.instrumentID)
                        book = mbo[m.instrumentID] ?? L3Book()
                        mbo[m.instrumentID] = book
                        last = (m.instrumentID, book)
                    }
                    outcomes[Int(DBNBook.apply(m, to: book).rawValue)] += 1
                case .mbp1(let m):
                    counts[256 + Int(m.action)] += 1
                    if instrument != nil && m.instrumentID != wanted { continue }
                    seen.insert(m.instrumentID)
                    let book = mbp[m.instrumentID] ?? L2Book(capacity: 1)
                    mbp[m.instrumentID] = book
                    DBNBook.apply(m, to: book)
                case .trade(let m):
                    counts[512 + Int(m.action)] += 1
                    if instrument != nil && m.instrumentID != wanted { continue }
                    seen.insert(m.instrumentID)
                case .other(let rtype, _):
                    other[rtype, default: 0] += 1
                }
            }
        }
        for (i, n) in counts.enumerated() where n > 0 {
            let schema = ["mbo", "mbp-1", "trades"][i / 256]
            summary.recordsByType[schema == "trades" ? "trades" : "\(schema).\(Character(Unicode.Scalar(UInt8(i % 256))))"] = n
        }
        for (rtype, n) in other { summary.recordsByType["rtype.0x\(String(rtype, radix: 16))"] = n }
        summary.unknownOrderReferences = outcomes[Int(DBNBook.Outcome.unknownOrder.rawValue)]
        summary.refusedAdds = outcomes[Int(DBNBook.Outcome.duplicateOrder.rawValue)] + outcomes[Int(DBNBook.Outcome.unusable.rawValue)]
            + outcomes[Int(DBNBook.Outcome.capacity.rawValue)]
        if outcomes[Int(DBNBook.Outcome.unknownAction.rawValue)] > 0 {
            summary.notes.append("\(outcomes[Int(DBNBook.Outcome.unknownAction.rawValue)]) MBO records with an unknown action were skipped")
        }
        for id in seen {
            let symbol = symbols[id] ?? String(id)
            if let book = mbo[id] {
                summary.instruments.append(summarize(symbol, book, depth: depth))
            } else if let book = mbp[id] {
                summary.instruments.append(summarize(symbol, book, depth: depth, countsKnown: true))
            } else {
                summary.instruments.append(
                    ReplaySummary.Instrument(
                        symbol: symbol, bookType: "none", bestBid: nil, bestAsk: nil, bidLevels: 0, askLevels: 0, orders: nil,
                        orderCountsKnown: false, topBids: [], topAsks: [], state: nil, crossed: false))
            }
        }
    }

    // MARK: Binance

    static func replayBinance(_ bytes: [UInt8], _ instrument: String?, _ limit: Int, _ depth: Int, _ summary: inout ReplaySummary) throws(FeedError) {
        var books: [String: BinanceDepthBook] = [:]
        var symbols = SymbolCache()
        var counts = [Int](repeating: 0, count: 5)
        var decoder = BinanceDecoder()
        try withFeedBytes(bytes) { (raw) throws(FeedError) in
            try forEachLine(raw, limit: limit) { (line, offset) throws(FeedError) in
                let message = try decoder.decode(line: line, offset: offset)
                summary.records += 1
                // A REST snapshot carries no symbol: it belongs to the capture's stream.
                let symbol = symbols.symbol(for: UnsafeRawBufferPointer(rebasing: line[decoder.symbolRange])) ?? "UNKNOWN"
                switch message {
                case .trade: counts[0] += 1
                case .bookTicker: counts[1] += 1
                case .other: counts[4] += 1
                case .depthUpdate(let update):
                    counts[2] += 1
                    if let instrument, instrument != symbol { return }
                    let book = books[symbol] ?? BinanceDepthBook()
                    books[symbol] = book
                    book.apply(update, bids: decoder.bids, asks: decoder.asks)
                case .snapshot(let id):
                    counts[3] += 1
                    if let instrument, instrument != symbol { return }
                    let book = books[symbol] ?? BinanceDepthBook()
                    books[symbol] = book
                    book.applySnapshot(lastUpdateID: id, bids: decoder.bids, asks: decoder.asks)
                }
            }
        }
        for (name, n) in zip(["trade", "bookTicker", "depthUpdate", "snapshot", "other"], counts) where n > 0 {
            summary.recordsByType[name] = n
        }
        for (symbol, book) in books {
            summary.gaps += book.gaps
            summary.resyncs += book.gaps + book.staleSnapshots
            summary.instruments.append(summarize(symbol, book.book, depth: depth, countsKnown: false, state: book.state))
            if book.staleSnapshots > 0 { summary.notes.append("\(symbol): \(book.staleSnapshots) snapshot(s) older than the buffered diffs") }
            if book.overflowedDiffs > 0 { summary.notes.append("\(symbol): \(book.overflowedDiffs) buffered diff(s) lost to a full buffer") }
            if book.state == .awaitingSnapshot { summary.notes.append("\(symbol): no depth snapshot yet; the book is empty") }
            if book.book.truncatedLevels > 0 { summary.notes.append("\(symbol): \(book.book.truncatedLevels) level(s) beyond capacity dropped") }
            summary.notes.append("\(symbol): \(book.appliedDiffs) diffs applied, \(book.droppedDiffs) older than the snapshot dropped")
        }
    }

    // MARK: Bybit

    static func replayBybit(_ bytes: [UInt8], _ instrument: String?, _ limit: Int, _ depth: Int, _ summary: inout ReplaySummary) throws(FeedError) {
        var books: [String: BybitDepthBook] = [:]
        var snapshots = 0
        var deltas = 0
        var symbols = SymbolCache()
        var decoder = BybitDecoder()
        try withFeedBytes(bytes) { (raw) throws(FeedError) in
            try forEachLine(raw, limit: limit) { (line, offset) throws(FeedError) in
                let message = try decoder.decode(line: line, offset: offset)
                summary.records += 1
                if message.isSnapshot { snapshots += 1 } else { deltas += 1 }
                let symbol = symbols.symbol(for: UnsafeRawBufferPointer(rebasing: line[decoder.symbolRange])) ?? ""
                if let instrument, instrument != symbol { return }
                let book = books[symbol] ?? BybitDepthBook()
                books[symbol] = book
                book.apply(message, bids: decoder.bids, asks: decoder.asks)
            }
        }
        if snapshots > 0 { summary.recordsByType["snapshot"] = snapshots }
        if deltas > 0 { summary.recordsByType["delta"] = deltas }
        for (symbol, book) in books {
            summary.gaps += book.gaps
            summary.resyncs += book.gaps
            summary.instruments.append(summarize(symbol, book.book, depth: depth, countsKnown: false, state: book.state))
            if book.skippedDeltas > 0 { summary.notes.append("\(symbol): \(book.skippedDeltas) delta(s) skipped while out of sync") }
        }
    }

    // MARK: ITCH

    static func replayITCH(_ bytes: [UInt8], _ instrument: String?, _ limit: Int, _ depth: Int, _ summary: inout ReplaySummary) throws(FeedError) {
        let books = ITCHBooks()
        var counts = [Int](repeating: 0, count: 256)
        var excluded: Set<UInt16> = []
        try withFeedBytes(bytes) { (raw) throws(FeedError) in
            var decoder = ITCHDecoder(bytes: raw)
            while summary.records < limit, let message = try decoder.next() {
                summary.records += 1
                counts[Int(decoder.lastType)] += 1
                if let instrument, let locate = message.locate {
                    // A directory message, or the first add of a locate without one, names the symbol.
                    let names: Bool
                    if case .stockDirectory = message { names = true } else if case .addOrder = message { names = books.symbols[locate] == nil } else { names = false }
                    if names && decoder.lastSymbol != instrument { excluded.insert(locate) }
                    if excluded.contains(locate) { continue }
                }
                books.apply(message, decoder: decoder)
            }
        }
        for (type, n) in counts.enumerated() where n > 0 {
            summary.recordsByType[String(Character(Unicode.Scalar(UInt8(type))))] = n
        }
        summary.unknownOrderReferences = books.unknownReferences
        summary.refusedAdds = books.refusedAdds
        for (locate, book) in books.books where !excluded.contains(locate) {
            let symbol = books.symbols[locate] ?? "locate \(locate)"
            summary.instruments.append(summarize(symbol, book, depth: depth))
        }
        if books.unknownReferences > 0 {
            summary.notes.append("\(books.unknownReferences) order message(s) named orders never added (a sampled file); skipped")
        }
    }
}
