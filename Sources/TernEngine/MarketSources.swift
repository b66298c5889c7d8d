public import TernCore
public import TernMarketData

/// Where the engine's market data comes from: a replayed capture here, a live adapter later.
///
/// A source runs on the feed thread. Each `next(into:)` call appends the events of one venue
/// message (with `MarketEvent.Flags.endOfBatch` on the last) and returns false at the end of the
/// data. Instruments are the engine's dense indexes: the position of their symbol in the list the
/// source was opened with; events for other instruments are skipped.
public protocol MarketDataSource: AnyObject {
    /// What the source reads, for logs and summaries ("dbn esh4-glbx-mdp3-20231225.mbo.dbn.zst").
    var name: String { get }
    /// Appends the next message's events to `batch`; false at the end of the data.
    func next(into batch: inout MarketEventBatch) throws(FeedError) -> Bool
    /// Venue records read so far (including those for other instruments).
    var recordsRead: Int { get }
    /// Things a user should know about the data (gaps, resynchronizations, skipped records).
    var notes: [String] { get }
}

/// Bytes a replay source reads from, copied into memory the source owns so decoders can hold
/// raw pointers into it for the source's lifetime.
final class OwnedBytes {
    let buffer: UnsafeMutableRawBufferPointer
    init(_ bytes: [UInt8]) {
        let b = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { b.copyMemory(from: $0) }
        buffer = b
        count = bytes.count
    }
    let count: Int
    var raw: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: buffer.baseAddress, count: count) }
    deinit { buffer.deallocate() }
}

// MARK: - Databento DBN (MBO)

/// Replays a Databento DBN file of the MBO schema (zstd-compressed or not): every add, cancel,
/// modify, clear and trade of the configured instruments, batched by Databento's `F_LAST` flag.
public final class DBNSource: MarketDataSource {
    public let name: String
    public private(set) var recordsRead = 0
    public var notes: [String] {
        var out: [String] = []
        if otherSchemas > 0 { out.append("\(otherSchemas) non-MBO record(s) skipped (the engine replays the MBO schema)") }
        if fills > 0 { out.append("\(fills) fill record(s) skipped (their trade records carry the prints)") }
        return out
    }
    let bytes: OwnedBytes
    var decoder: DBNDecoder
    /// Databento instrument ID → the engine's instrument (a small open map: few instruments).
    var ids: [(UInt32, InstrumentID)] = []
    var otherSchemas = 0
    var fills = 0
    var last: (UInt32, InstrumentID)? = nil

    /// Opens `bytes` (a whole DBN file, compressed or not) for the instruments `symbols`.
    public init(bytes data: [UInt8], name: String, symbols: [String]) throws(FeedError) {
        bytes = OwnedBytes(try FeedFile.decompress(data))
        decoder = try DBNDecoder(bytes: bytes.raw)
        self.name = name
        for (id, symbol) in decoder.metadata.symbolsByInstrumentID {
            if let i = symbols.firstIndex(of: symbol) { ids.append((id, InstrumentID(rawValue: UInt32(i)))) }
        }
        guard !ids.isEmpty else {
            let known = decoder.metadata.symbolsByInstrumentID.values.sorted().prefix(8).joined(separator: ", ")
            throw FeedError(.unsupported, at: 0, "none of the instruments \(symbols) is in the file's symbol mappings (it has \(known))")
        }
    }

    @inline(__always)
    func instrument(_ id: UInt32) -> InstrumentID? {
        if let last, last.0 == id { return last.1 }
        for pair in ids where pair.0 == id {
            last = pair
            return pair.1
        }
        return nil
    }

    public func next(into batch: inout MarketEventBatch) throws(FeedError) -> Bool {
        while let record = try decoder.next() {
            recordsRead += 1
            guard case .mbo(let m) = record else {
                otherSchemas += 1
                continue
            }
            let end = m.flags & 0x80 != 0
            if let instrument = instrument(m.instrumentID), let event = Self.event(m, instrument) {
                batch.append(event)
            } else if m.action == 0x46 {
                fills += 1
            }
            if end, batch.count > 0 {
                batch.markEnd()
                return true
            }
        }
        batch.markEnd()
        return batch.count > 0
    }

    /// The engine event for an MBO record, or nil for records that carry nothing for the book
    /// (fills, `N`, unknown actions).
    @inline(__always)
    static func event(_ m: DBNMBO, _ instrument: InstrumentID) -> MarketEvent? {
        let side: BookSide? = m.side == 0x42 ? .bid : (m.side == 0x41 ? .ask : nil)
        let action: MarketAction
        switch m.action {
        case 0x41: action = .add
        case 0x43: action = .cancel
        case 0x4D: action = .modify
        case 0x52: action = .clear
        case 0x54: action = .trade
        default: return nil
        }
        let price = m.price == DBNMetadata.undefinedPrice ? Price(rawValue: 0) : Price(rawValue: m.price)
        return MarketEvent(
            action, instrument: instrument, side: side, orderID: m.orderID, price: price, size: Quantity(rawValue: Int64(m.size) * 1_000_000_000),
            exchangeTime: Timestamp(rawValue: Int64(truncatingIfNeeded: m.tsRecv)))
    }
}

// MARK: - Binance

/// Replays a Binance capture (JSON lines: depth diffs, REST snapshots, trades). The feed thread
/// runs Binance's documented snapshot/diff synchronization (`BinanceDepthBook`); the engine gets
/// the levels of every applied diff, the whole book after each synchronization, and a stale
/// `.clear` when a gap forces a resynchronization.
public final class BinanceSource: MarketDataSource {
    public let name: String
    public private(set) var recordsRead = 0
    public var notes: [String] {
        var out: [String] = []
        if sync.gaps > 0 { out.append("\(sync.gaps) sequence gap(s); the book was cleared and resynchronized") }
        out.append("\(sync.appliedDiffs) depth diffs applied, \(sync.droppedDiffs) older than the snapshot dropped")
        return out
    }
    let bytes: OwnedBytes
    var cursor = 0
    var decoder = BinanceDecoder()
    let sync = BinanceDepthBook()
    let symbol: [UInt8]
    let instrument: InstrumentID

    /// Opens `bytes` (a capture, gzip or plain) for one instrument, `symbol` as Binance spells it
    /// in the streams (`BTCUSDT`).
    public init(bytes data: [UInt8], name: String, symbol: String, instrument: InstrumentID = InstrumentID(rawValue: 0)) throws(FeedError) {
        bytes = OwnedBytes(try FeedFile.decompress(data))
        self.name = name
        self.symbol = Array(symbol.utf8)
        self.instrument = instrument
    }

    public func next(into batch: inout MarketEventBatch) throws(FeedError) -> Bool {
        while let (line, start) = FeedReplay.nextLine(bytes.raw, from: &cursor) {
            let message = try decoder.decode(line: line, offset: start)
            recordsRead += 1
            let range = decoder.symbolRange
            if !range.isEmpty && !line[range].elementsEqual(symbol) { continue }
            switch message {
            case .trade(let t):
                batch.append(
                    MarketEvent(
                        .trade, instrument: instrument, side: t.buyerIsMaker ? .ask : .bid, price: t.price, size: t.quantity,
                        exchangeTime: Timestamp(rawValue: Int64(truncatingIfNeeded: t.tradeTime &* 1_000_000))))
            case .depthUpdate(let u):
                let time = Timestamp(rawValue: Int64(truncatingIfNeeded: u.eventTime &* 1_000_000))
                let (applied, syncs, state) = (sync.appliedDiffs, sync.syncs, sync.state)
                sync.apply(u, bids: decoder.bids, asks: decoder.asks)
                if sync.syncs != syncs || (state != .synced && sync.state == .synced) {
                    wholeBook(into: &batch, time)
                } else if sync.appliedDiffs != applied {
                    for l in decoder.bids { batch.append(level(.bid, l, time)) }
                    for l in decoder.asks { batch.append(level(.ask, l, time)) }
                } else if state == .synced && sync.state != .synced {
                    batch.append(MarketEvent(.clear, instrument: instrument, exchangeTime: time, flags: MarketEvent.Flags.stale))
                }
            case .snapshot(let id):
                let syncs = sync.syncs
                sync.applySnapshot(lastUpdateID: id, bids: decoder.bids, asks: decoder.asks)
                if sync.syncs != syncs || sync.state == .synced { wholeBook(into: &batch, Timestamp(rawValue: Int64(truncatingIfNeeded: decoder.localTimestamp))) }
            case .bookTicker, .other:
                continue
            }
            if batch.count > 0 {
                batch.markEnd()
                return true
            }
        }
        return false
    }

    @inline(__always)
    func level(_ side: BookSide, _ l: PriceSize, _ time: Timestamp) -> MarketEvent {
        MarketEvent(.level, instrument: instrument, side: side, price: l.price, size: l.size, exchangeTime: time)
    }

    /// A clear, then every level of the synchronized book (after a snapshot or a resync).
    func wholeBook(into batch: inout MarketEventBatch, _ time: Timestamp) {
        batch.append(MarketEvent(.clear, instrument: instrument, exchangeTime: time))
        for side in [BookSide.bid, .ask] {
            for depth in 0..<sync.book.levelCount(side) {
                let l = sync.book.level(side, depth: depth)!
                batch.append(MarketEvent(.level, instrument: instrument, side: side, price: l.price, size: l.size, exchangeTime: time))
            }
        }
    }
}
