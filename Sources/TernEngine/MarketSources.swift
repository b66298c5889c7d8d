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
    /// The book its events build: `.l3` (orders: add, cancel, modify, delete, execute) or `.l2`
    /// (levels).
    var bookKind: BookKind { get }
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
        if otherSchemas > 0 { out.append("\(otherSchemas) record(s) of another schema skipped (the engine replays MBO or MBP-1)") }
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

    /// `.l3` for an MBO file, `.l2` for MBP-1 (top of book: each record replaces the book's one
    /// level a side, and its trade action prints a trade).
    public let bookKind: BookKind

    /// Opens `bytes` (a whole DBN file of the MBO or MBP-1 schema, compressed or not) for the
    /// instruments `symbols`.
    public init(bytes data: [UInt8], name: String, symbols: [String]) throws(FeedError) {
        bytes = OwnedBytes(try FeedFile.decompress(data))
        decoder = try DBNDecoder(bytes: bytes.raw)
        self.name = name
        switch decoder.metadata.schema {
        case .mbo?: bookKind = .l3
        case .mbp1?: bookKind = .l2
        default:
            throw FeedError(
                .unsupported, at: 0, "the engine replays DBN files of the mbo or mbp-1 schema; this one is \(decoder.metadata.schema.map { "\($0)" } ?? "mixed")")
        }
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
            if case .mbp1(let m) = record {
                guard let instrument = instrument(m.instrumentID) else { continue }
                Self.top(m, instrument, into: &batch)
                if m.flags & 0x80 != 0, batch.count > 0 {
                    batch.markEnd()
                    return true
                }
                continue
            }
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
    /// An MBP-1 record: its trade (action `T`), then the top of book as the book's only levels.
    static func top(_ m: DBNMBP1, _ instrument: InstrumentID, into batch: inout MarketEventBatch) {
        let time = Timestamp(rawValue: Int64(truncatingIfNeeded: m.tsRecv))
        if m.action == 0x54, m.price != DBNMetadata.undefinedPrice {
            let side: BookSide? = m.side == 0x42 ? .bid : (m.side == 0x41 ? .ask : nil)
            batch.append(
                MarketEvent(.trade, instrument: instrument, side: side, price: Price(rawValue: m.price), size: units(m.size), exchangeTime: time))
        }
        batch.append(MarketEvent(.clear, instrument: instrument, exchangeTime: time))
        if m.bidPrice != DBNMetadata.undefinedPrice && m.bidSize > 0 {
            batch.append(MarketEvent(.level, instrument: instrument, side: .bid, price: Price(rawValue: m.bidPrice), size: units(m.bidSize), exchangeTime: time))
        }
        if m.askPrice != DBNMetadata.undefinedPrice && m.askSize > 0 {
            batch.append(MarketEvent(.level, instrument: instrument, side: .ask, price: Price(rawValue: m.askPrice), size: units(m.askSize), exchangeTime: time))
        }
    }

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
            action, instrument: instrument, side: side, orderID: m.orderID, price: price, size: units(m.size),
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
    public var bookKind: BookKind { .l2 }
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
                    appendLevels(decoder.bids, decoder.asks, instrument, time, into: &batch)
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

    /// A clear, then every level of the synchronized book (after a snapshot or a resync).
    func wholeBook(into batch: inout MarketEventBatch, _ time: Timestamp) {
        appendWholeBook(sync.book, instrument, time, into: &batch)
    }
}

/// A feed's whole-unit size (contracts, shares) as a quantity.
@inline(__always)
func units(_ n: UInt32) -> Quantity { Quantity(rawValue: Int64(n) &* 1_000_000_000) }

/// A level event for each changed level of a depth message.
@inline(__always)
func appendLevels(_ bids: [PriceSize], _ asks: [PriceSize], _ instrument: InstrumentID, _ time: Timestamp, into batch: inout MarketEventBatch) {
    for l in bids { batch.append(MarketEvent(.level, instrument: instrument, side: .bid, price: l.price, size: l.size, exchangeTime: time)) }
    for l in asks { batch.append(MarketEvent(.level, instrument: instrument, side: .ask, price: l.price, size: l.size, exchangeTime: time)) }
}

/// A clear, then every level of `book`.
func appendWholeBook(_ book: L2Book, _ instrument: InstrumentID, _ time: Timestamp, into batch: inout MarketEventBatch) {
    batch.append(MarketEvent(.clear, instrument: instrument, exchangeTime: time))
    for side in [BookSide.bid, .ask] {
        for depth in 0..<book.levelCount(side) {
            let l = book.level(side, depth: depth)!
            batch.append(MarketEvent(.level, instrument: instrument, side: side, price: l.price, size: l.size, exchangeTime: time))
        }
    }
}

// MARK: - Bybit

/// Replays a Bybit order-book capture (JSON lines of `orderbook.<depth>.<symbol>` snapshots and
/// deltas, plain, gzip or zip). The feed thread keeps Bybit's sequence (`BybitDepthBook`: a delta
/// must follow its predecessor's `u`); the engine gets the whole book after each snapshot, the
/// levels of every applied delta, and a stale `.clear` at a gap (until the next snapshot).
public final class BybitSource: MarketDataSource {
    public let name: String
    public private(set) var recordsRead = 0
    public var bookKind: BookKind { .l2 }
    public var notes: [String] {
        var out = ["\(sync.snapshots) snapshot(s); deltas applied \(applied), skipped \(sync.skippedDeltas)"]
        if sync.gaps > 0 { out.append("\(sync.gaps) sequence gap(s): the book was stale until the next snapshot") }
        return out
    }
    let bytes: OwnedBytes
    var cursor = 0
    var decoder = BybitDecoder()
    let sync = BybitDepthBook()
    var applied = 0
    let symbol: [UInt8]
    let instrument: InstrumentID

    /// Opens `bytes` for one instrument, `symbol` as Bybit spells it in the topic (`XRPUSDT`).
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
            guard line[decoder.symbolRange].elementsEqual(symbol) else { continue }
            let time = Timestamp(rawValue: Int64(truncatingIfNeeded: message.timestamp &* 1_000_000))
            let (wasSynced, last) = (sync.synced, sync.lastUpdateID)
            sync.apply(message, bids: decoder.bids, asks: decoder.asks)
            if message.isSnapshot {
                appendWholeBook(sync.book, instrument, time, into: &batch)
            } else if sync.synced && sync.lastUpdateID != last {
                applied += 1
                appendLevels(decoder.bids, decoder.asks, instrument, time, into: &batch)
            } else if wasSynced && !sync.synced {
                batch.append(MarketEvent(.clear, instrument: instrument, exchangeTime: time, flags: MarketEvent.Flags.stale))
            }
            if batch.count > 0 {
                batch.markEnd()
                return true
            }
        }
        return false
    }
}

// MARK: - NASDAQ ITCH 5.0

/// Replays a NASDAQ TotalView-ITCH 5.0 file (length-prefixed messages, plain or gzip) for the
/// instruments `symbols` (stock symbols, as the Stock Directory spells them). Each message is one
/// update: adds, executions, cancels, deletes, replaces (a delete and an add that loses priority)
/// and non-displayed trades. ITCH times are nanoseconds since midnight; `sessionDate` (nanoseconds
/// since the epoch at that midnight, UTC) places them in time.
public final class ITCHSource: MarketDataSource {
    public let name: String
    public private(set) var recordsRead = 0
    public var bookKind: BookKind { .l3 }
    public var notes: [String] {
        var out: [String] = []
        if locates.isEmpty { out.append("none of the instruments (\(symbols.joined(separator: ", "))) has a Stock Directory or Add Order in the file") }
        if unknownTypes > 0 { out.append("\(unknownTypes) message(s) of types ITCH 5.0 does not define, skipped by their length") }
        return out
    }
    let bytes: OwnedBytes
    var decoder: ITCHDecoder
    let symbols: [String]
    var locates: [UInt16: InstrumentID] = [:]
    let sessionDate: Int64
    var unknownTypes = 0

    public init(bytes data: [UInt8], name: String, symbols: [String], sessionDate: Int64 = 0) throws(FeedError) {
        bytes = OwnedBytes(try FeedFile.decompress(data))
        decoder = ITCHDecoder(bytes: bytes.raw)
        self.name = name
        self.symbols = symbols
        self.sessionDate = sessionDate
    }

    /// The instrument of `locate`, learning it from the directory (or the add) just read.
    @inline(__always)
    func instrument(_ locate: UInt16, learn: Bool) -> InstrumentID? {
        if let id = locates[locate] { return id }
        guard learn, let i = symbols.firstIndex(of: decoder.lastSymbol) else { return nil }
        let id = InstrumentID(rawValue: UInt32(i))
        locates[locate] = id
        return id
    }

    public func next(into batch: inout MarketEventBatch) throws(FeedError) -> Bool {
        while let message = try decoder.next() {
            recordsRead += 1
            let time = Timestamp(rawValue: sessionDate &+ Int64(truncatingIfNeeded: decoder.lastTimestamp))
            switch message {
            case .stockDirectory(let locate):
                _ = instrument(locate, learn: true)
            case .addOrder(let locate, let reference, let side, let n, let price):
                guard let id = instrument(locate, learn: true) else { continue }
                batch.append(MarketEvent(.add, instrument: id, side: side, orderID: reference, price: price, size: units(n), exchangeTime: time))
            case .executed(let locate, let reference, let n), .executedWithPrice(let locate, let reference, let n, _):
                guard let id = instrument(locate, learn: false) else { continue }
                batch.append(MarketEvent(.execute, instrument: id, orderID: reference, size: units(n), exchangeTime: time))
            case .cancel(let locate, let reference, let n):
                guard let id = instrument(locate, learn: false) else { continue }
                batch.append(MarketEvent(.cancel, instrument: id, orderID: reference, size: units(n), exchangeTime: time))
            case .delete(let locate, let reference):
                guard let id = instrument(locate, learn: false) else { continue }
                batch.append(MarketEvent(.delete, instrument: id, orderID: reference, exchangeTime: time))
            case .replace(let locate, let reference, let newReference, let n, let price):
                guard let id = instrument(locate, learn: false) else { continue }
                batch.append(MarketEvent(.delete, instrument: id, orderID: reference, exchangeTime: time, flags: MarketEvent.Flags.replacing))
                batch.append(MarketEvent(.add, instrument: id, orderID: newReference, price: price, size: units(n), exchangeTime: time))
            case .trade(let locate, let n, let price):
                // A non-displayed order executed: a print, no book change.
                guard let id = locates[locate] else { continue }
                batch.append(MarketEvent(.trade, instrument: id, price: price, size: units(n), exchangeTime: time))
            case .other:
                if decoder.lastTimestamp == 0 { unknownTypes += 1 }
            case .systemEvent, .tradingAction:
                break
            }
            if batch.count > 0 {
                batch.markEnd()
                return true
            }
        }
        return false
    }
}
