public import TernCore

// Databento Binary Encoding (DBN), versions 1 to 3: a metadata header, then fixed-size
// little-endian records, each starting with a 16-byte header whose first byte is the record's
// length in 4-byte words.
//
//     metadata   "DBN" version:u8  length:u32  dataset[16] schema:u16 start:u64 end:u64 limit:u64
//                v1: record_count:u64 stype_in:u8 stype_out:u8 ts_out:u8 reserved[47]
//                v2/v3: stype_in:u8 stype_out:u8 ts_out:u8 symbol_cstr_len:u16 reserved[53]
//                schema_definition_length:u32 (+ bytes), then symbols, partial, not_found (each
//                count:u32 + count × symbol_cstr_len) and mappings (raw symbol, count:u32 of
//                intervals of start_date:u32 end_date:u32 symbol). v1's symbol_cstr_len is 22.
//     record     length:u8 rtype:u8 publisher_id:u16 instrument_id:u32 ts_event:u64 | body
//
// Bodies read here (offsets from the record start; unchanged from version 1 to 3):
//
//     MBO (rtype 0xA0, 56 B)    order_id:u64 @16  price:i64 @24  size:u32 @32  flags:u8 @36
//                               channel_id:u8 @37  action:c @38  side:c @39  ts_recv:u64 @40
//                               ts_in_delta:i32 @48  sequence:u32 @52
//     MBP-1 (rtype 0x01, 80 B)  price:i64 @16  size:u32 @24  action:c @28  side:c @29  flags:u8 @30
//                               depth:u8 @31  ts_recv:u64 @32  ts_in_delta:i32 @40  sequence:u32 @44
//                               bid_px:i64 @48  ask_px:i64 @56  bid_sz:u32 @64  ask_sz:u32 @68
//                               bid_ct:u32 @72  ask_ct:u32 @76
//     trades (rtype 0x00, 48 B) the MBP-1 record without its level
//
// Prices are int64 in units of 1e-9, the same scale as TernCore's `Price`; `undefinedPrice`
// (INT64_MAX) means "no price".

/// A DBN file's schema (the `schema` field of its metadata).
@frozen
public enum DBNSchema: UInt16, Sendable {
    case mbo = 0, mbp1 = 1, mbp10 = 2, tbbo = 3, trades = 4
    case ohlcv1s = 5, ohlcv1m = 6, ohlcv1h = 7, ohlcv1d = 8, definition = 9, statistics = 10, status = 11
    case imbalance = 12, ohlcvEod = 13, cmbp1 = 14, cbbo1s = 15, cbbo1m = 16, tcbbo = 17, bbo1s = 18, bbo1m = 19

    /// Databento's name for the schema (`mbo`, `mbp-1`, `trades`, …).
    public var name: String {
        switch self {
        case .mbo: "mbo"
        case .mbp1: "mbp-1"
        case .mbp10: "mbp-10"
        case .tbbo: "tbbo"
        case .trades: "trades"
        case .ohlcv1s: "ohlcv-1s"
        case .ohlcv1m: "ohlcv-1m"
        case .ohlcv1h: "ohlcv-1h"
        case .ohlcv1d: "ohlcv-1d"
        case .definition: "definition"
        case .statistics: "statistics"
        case .status: "status"
        case .imbalance: "imbalance"
        case .ohlcvEod: "ohlcv-eod"
        case .cmbp1: "cmbp-1"
        case .cbbo1s: "cbbo-1s"
        case .cbbo1m: "cbbo-1m"
        case .tcbbo: "tcbbo"
        case .bbo1s: "bbo-1s"
        case .bbo1m: "bbo-1m"
        }
    }
}

/// A DBN file's metadata header.
public struct DBNMetadata: Sendable {
    /// One symbol mapping interval: `rawSymbol` meant `symbol` (for `stype_out` instrument id, the
    /// numeric id as text) from `startDate` to `endDate` (YYYYMMDD).
    public struct Interval: Sendable, Equatable {
        public var startDate: UInt32
        public var endDate: UInt32
        public var symbol: String
    }

    public var version: UInt8
    public var dataset: String
    /// The schema, or nil for a file of mixed schemas (`schema` u16::MAX).
    public var schema: DBNSchema?
    public var start: UInt64
    public var end: UInt64
    public var limit: UInt64
    public var stypeIn: UInt8
    public var stypeOut: UInt8
    /// Whether each record carries a trailing `ts_out` (its length includes it).
    public var tsOut: Bool
    public var symbols: [String]
    public var partial: [String]
    public var notFound: [String]
    public var mappings: [(rawSymbol: String, intervals: [Interval])]
    /// Where the records start.
    public var recordsOffset: Int

    /// Instrument id → raw symbol, from the mappings whose intervals name numeric ids.
    public var symbolsByInstrumentID: [UInt32: String] {
        var result: [UInt32: String] = [:]
        for mapping in mappings {
            for interval in mapping.intervals {
                if let id = UInt32(interval.symbol) { result[id] = mapping.rawSymbol }
            }
        }
        return result
    }

    /// The price Databento uses for "undefined": INT64_MAX.
    public static let undefinedPrice = Int64.max

    /// Parses the metadata at the start of `bytes`.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(FeedError) -> DBNMetadata {
        guard bytes.count >= 8 else { throw FeedError(.truncated, at: bytes.count, "DBN: the metadata prelude needs 8 bytes") }
        guard bytes[0] == 0x44, bytes[1] == 0x42, bytes[2] == 0x4E else {
            throw FeedError(.badMagic, at: 0, "DBN: the file does not start with \"DBN\"")
        }
        let version = bytes[3]
        guard (1...3).contains(version) else { throw FeedError(.unsupported, at: 3, "DBN: version \(version) (versions 1 to 3 are read)") }
        let length = Int(bytes.le(4, as: UInt32.self))
        let end = 8 + length
        guard end <= bytes.count else {
            throw FeedError(.truncated, at: bytes.count, "DBN: the metadata says \(length) bytes, the input holds \(bytes.count - 8)")
        }
        guard length >= 100 else { throw FeedError(.malformed, at: 4, "DBN: metadata length \(length) is below the fixed 100 bytes") }
        var cursor = 8
        let dataset = fixedText(bytes, cursor, 16)
        cursor += 16
        let schemaRaw = bytes.le(cursor, as: UInt16.self)
        let schema: DBNSchema?
        if schemaRaw == UInt16.max {
            schema = nil
        } else if let known = DBNSchema(rawValue: schemaRaw) {
            schema = known
        } else {
            throw FeedError(.unsupported, at: cursor, "DBN: schema \(schemaRaw)")
        }
        let start = bytes.le(cursor + 2, as: UInt64.self)
        let endTime = bytes.le(cursor + 10, as: UInt64.self)
        let limit = bytes.le(cursor + 18, as: UInt64.self)
        cursor += 26
        let symbolLength: Int
        let stypeIn: UInt8, stypeOut: UInt8, tsOut: UInt8
        if version == 1 {
            cursor += 8  // record_count, unused
            stypeIn = bytes[cursor]
            stypeOut = bytes[cursor + 1]
            tsOut = bytes[cursor + 2]
            cursor += 3 + 47
            symbolLength = 22
        } else {
            stypeIn = bytes[cursor]
            stypeOut = bytes[cursor + 1]
            tsOut = bytes[cursor + 2]
            symbolLength = Int(bytes.le(cursor + 3, as: UInt16.self))
            cursor += 5 + 53
            guard symbolLength > 0 else { throw FeedError(.malformed, at: cursor - 55, "DBN: symbol_cstr_len is 0") }
        }
        guard tsOut <= 1 else { throw FeedError(.malformed, at: cursor - 1, "DBN: ts_out is \(tsOut), not 0 or 1") }

        func need(_ count: Int, _ what: String) throws(FeedError) {
            guard count >= 0, cursor + count <= end else {
                throw FeedError(.malformed, at: cursor, "DBN: \(what) runs past the end of the metadata")
            }
        }
        func u32(_ what: String) throws(FeedError) -> Int {
            try need(4, what)
            defer { cursor += 4 }
            return Int(bytes.le(cursor, as: UInt32.self))
        }
        func symbol(_ what: String) throws(FeedError) -> String {
            try need(symbolLength, what)
            defer { cursor += symbolLength }
            return fixedText(bytes, cursor, symbolLength)
        }
        func list(_ what: String) throws(FeedError) -> [String] {
            let count = try u32("\(what) count")
            // Each entry needs symbolLength bytes; checking up front refuses absurd counts.
            try need(count * symbolLength, what)
            var result: [String] = []
            for _ in 0..<count { result.append(try symbol(what)) }
            return result
        }
        let definitionLength = try u32("schema_definition_length")
        try need(definitionLength, "schema_definition")
        cursor += definitionLength
        let symbols = try list("symbols")
        let partial = try list("partial")
        let notFound = try list("not_found")
        let mappingCount = try u32("mappings count")
        try need(mappingCount * (symbolLength + 4), "mappings")
        var mappings: [(rawSymbol: String, intervals: [Interval])] = []
        for _ in 0..<mappingCount {
            let raw = try symbol("mapping raw symbol")
            let intervalCount = try u32("mapping interval count")
            try need(intervalCount * (8 + symbolLength), "mapping intervals")
            var intervals: [Interval] = []
            for _ in 0..<intervalCount {
                try need(8, "mapping interval dates")
                let startDate = bytes.le(cursor, as: UInt32.self)
                let endDate = bytes.le(cursor + 4, as: UInt32.self)
                cursor += 8
                intervals.append(Interval(startDate: startDate, endDate: endDate, symbol: try symbol("mapping interval symbol")))
            }
            mappings.append((raw, intervals))
        }
        return DBNMetadata(
            version: version, dataset: dataset, schema: schema, start: start, end: endTime, limit: limit,
            stypeIn: stypeIn, stypeOut: stypeOut, tsOut: tsOut == 1, symbols: symbols, partial: partial,
            notFound: notFound, mappings: mappings, recordsOffset: end)
    }
}

/// DBN record types (`rtype`) this decoder reads.
@frozen
public enum DBNRecordType: UInt8, Sendable {
    case trade = 0x00
    case mbp1 = 0x01
    case mbo = 0xA0
}

/// A market-by-order record: one event on one order.
@frozen
public struct DBNMBO: Sendable, BitwiseCopyable, Equatable {
    public var instrumentID: UInt32
    public var publisherID: UInt16
    public var tsEvent: UInt64
    public var tsRecv: UInt64
    public var orderID: UInt64
    /// The price in units of 1e-9 (`DBNMetadata.undefinedPrice` when there is none).
    public var price: Int64
    public var size: UInt32
    public var flags: UInt8
    public var channelID: UInt8
    /// `A` add, `C` cancel, `M` modify, `R` clear book, `T` trade, `F` fill, `N` none (ASCII).
    public var action: UInt8
    /// `B` bid, `A` ask, `N` none (ASCII).
    public var side: UInt8
    public var tsInDelta: Int32
    public var sequence: UInt32

    /// `flags` bits: the last record of an event (`LAST`), top of book (`TOB`), from a snapshot
    /// (`SNAPSHOT`), from the consolidated book (`MBP`), `ts_recv` inaccurate (`BAD_TS_RECV`), a gap
    /// in the source (`MAYBE_BAD_BOOK`).
    public static let flagLast: UInt8 = 0x80
    public static let flagTopOfBook: UInt8 = 0x40
    public static let flagSnapshot: UInt8 = 0x20
    public static let flagMBP: UInt8 = 0x10
    public static let flagBadTsRecv: UInt8 = 0x08
    public static let flagMaybeBadBook: UInt8 = 0x04

    @inlinable
    public init(instrumentID: UInt32, publisherID: UInt16, tsEvent: UInt64, tsRecv: UInt64, orderID: UInt64, price: Int64, size: UInt32, flags: UInt8, channelID: UInt8, action: UInt8, side: UInt8, tsInDelta: Int32, sequence: UInt32) {
        self.instrumentID = instrumentID
        self.publisherID = publisherID
        self.tsEvent = tsEvent
        self.tsRecv = tsRecv
        self.orderID = orderID
        self.price = price
        self.size = size
        self.flags = flags
        self.channelID = channelID
        self.action = action
        self.side = side
        self.tsInDelta = tsInDelta
        self.sequence = sequence
    }
}

/// A top-of-book (MBP-1) record, or with `hasLevel` false a trades record.
@frozen
public struct DBNMBP1: Sendable, BitwiseCopyable, Equatable {
    public var instrumentID: UInt32
    public var publisherID: UInt16
    public var tsEvent: UInt64
    public var tsRecv: UInt64
    public var price: Int64
    public var size: UInt32
    public var action: UInt8
    public var side: UInt8
    public var flags: UInt8
    public var depth: UInt8
    public var tsInDelta: Int32
    public var sequence: UInt32
    public var bidPrice: Int64
    public var askPrice: Int64
    public var bidSize: UInt32
    public var askSize: UInt32
    public var bidCount: UInt32
    public var askCount: UInt32

    @inlinable
    public init(instrumentID: UInt32, publisherID: UInt16, tsEvent: UInt64, tsRecv: UInt64, price: Int64, size: UInt32, action: UInt8, side: UInt8, flags: UInt8, depth: UInt8, tsInDelta: Int32, sequence: UInt32, bidPrice: Int64, askPrice: Int64, bidSize: UInt32, askSize: UInt32, bidCount: UInt32, askCount: UInt32) {
        self.instrumentID = instrumentID
        self.publisherID = publisherID
        self.tsEvent = tsEvent
        self.tsRecv = tsRecv
        self.price = price
        self.size = size
        self.action = action
        self.side = side
        self.flags = flags
        self.depth = depth
        self.tsInDelta = tsInDelta
        self.sequence = sequence
        self.bidPrice = bidPrice
        self.askPrice = askPrice
        self.bidSize = bidSize
        self.askSize = askSize
        self.bidCount = bidCount
        self.askCount = askCount
    }
}

/// One decoded DBN record.
@frozen
public enum DBNRecord: Sendable, BitwiseCopyable {
    case mbo(DBNMBO)
    case mbp1(DBNMBP1)
    /// A trades record (the MBP-1 fields without the level; those read as undefined / zero).
    case trade(DBNMBP1)
    /// A record of a type this decoder does not read; skipped by its length.
    case other(rtype: UInt8, instrumentID: UInt32)
}

/// A zero-copy DBN record decoder over decompressed bytes (use `FeedFile.read` for `.dbn.zst`).
///
/// - Important: the decoder reads `bytes` in place; the caller keeps them alive and unchanged.
/// - Errors: a record whose length byte is below 16 bytes, runs past the end, or is shorter than
///   its type's layout throws `FeedError` with the record's offset. Nothing traps.
public struct DBNDecoder {
    public let metadata: DBNMetadata
    @usableFromInline let bytes: UnsafeRawBufferPointer
    @usableFromInline var cursor: Int
    /// The offset of the next record.
    public var offset: Int { cursor }

    /// Parses the metadata and positions the decoder at the first record.
    public init(bytes: UnsafeRawBufferPointer) throws(FeedError) {
        metadata = try DBNMetadata.parse(bytes)
        self.bytes = bytes
        cursor = metadata.recordsOffset
    }

    /// The next record, or nil at the end of the input.
    @inlinable
    public mutating func next() throws(FeedError) -> DBNRecord? {
        let at = cursor
        if at == bytes.count { return nil }
        guard bytes.count - at >= 16 else { throw Self.coldError(.truncated, at, bytes.count - at, 0) }
        let length = Int(bytes[at]) &* 4
        guard length >= 16 else { throw Self.coldError(.malformed, at, length, 0) }
        guard length <= bytes.count - at else { throw Self.coldError(.truncated, at, bytes.count - at, length) }
        cursor = at &+ length
        let rtype = bytes[at &+ 1]
        let instrumentID = bytes.le(at &+ 4, as: UInt32.self)
        switch rtype {
        case DBNRecordType.mbo.rawValue:
            guard length >= 56 else { throw Self.coldShort(at, length, 56, "MBO") }
            return .mbo(
                DBNMBO(
                    instrumentID: instrumentID, publisherID: bytes.le(at &+ 2, as: UInt16.self),
                    tsEvent: bytes.le(at &+ 8, as: UInt64.self), tsRecv: bytes.le(at &+ 40, as: UInt64.self),
                    orderID: bytes.le(at &+ 16, as: UInt64.self), price: bytes.le(at &+ 24, as: Int64.self),
                    size: bytes.le(at &+ 32, as: UInt32.self), flags: bytes[at &+ 36], channelID: bytes[at &+ 37],
                    action: bytes[at &+ 38], side: bytes[at &+ 39], tsInDelta: bytes.le(at &+ 48, as: Int32.self),
                    sequence: bytes.le(at &+ 52, as: UInt32.self)))
        case DBNRecordType.mbp1.rawValue, DBNRecordType.trade.rawValue:
            let hasLevel = rtype == DBNRecordType.mbp1.rawValue
            guard length >= (hasLevel ? 80 : 48) else { throw Self.coldShort(at, length, hasLevel ? 80 : 48, hasLevel ? "MBP-1" : "trades") }
            var record = DBNMBP1(
                instrumentID: instrumentID, publisherID: bytes.le(at &+ 2, as: UInt16.self),
                tsEvent: bytes.le(at &+ 8, as: UInt64.self), tsRecv: bytes.le(at &+ 32, as: UInt64.self),
                price: bytes.le(at &+ 16, as: Int64.self), size: bytes.le(at &+ 24, as: UInt32.self),
                action: bytes[at &+ 28], side: bytes[at &+ 29], flags: bytes[at &+ 30], depth: bytes[at &+ 31],
                tsInDelta: bytes.le(at &+ 40, as: Int32.self), sequence: bytes.le(at &+ 44, as: UInt32.self),
                bidPrice: DBNMetadata.undefinedPrice, askPrice: DBNMetadata.undefinedPrice,
                bidSize: 0, askSize: 0, bidCount: 0, askCount: 0)
            if !hasLevel { return .trade(record) }
            record.bidPrice = bytes.le(at &+ 48, as: Int64.self)
            record.askPrice = bytes.le(at &+ 56, as: Int64.self)
            record.bidSize = bytes.le(at &+ 64, as: UInt32.self)
            record.askSize = bytes.le(at &+ 68, as: UInt32.self)
            record.bidCount = bytes.le(at &+ 72, as: UInt32.self)
            record.askCount = bytes.le(at &+ 76, as: UInt32.self)
            return .mbp1(record)
        default:
            return .other(rtype: rtype, instrumentID: instrumentID)
        }
    }

    // Errors are built out of line (their messages allocate); the hot-path check skips `cold…`.
    @usableFromInline @inline(never)
    static func coldShort(_ at: Int, _ length: Int, _ needed: Int, _ name: StaticString) -> FeedError {
        FeedError(.malformed, at: at, "DBN: a \(name) record needs \(needed) bytes, its length says \(length)")
    }

    @usableFromInline @inline(never)
    static func coldError(_ kind: FeedError.Kind, _ at: Int, _ value: Int, _ length: Int) -> FeedError {
        switch (kind, length) {
        case (.truncated, 0): FeedError(.truncated, at: at, "DBN: \(value) bytes left, a record header needs 16")
        case (.truncated, _): FeedError(.truncated, at: at, "DBN: the record needs \(length) bytes, \(value) are left")
        default: FeedError(.malformed, at: at, "DBN: record length \(value) is below the 16-byte header")
        }
    }
}

/// Databento's book semantics for MBO records, applied to an `L3Book`.
public enum DBNBook {
    /// What applying one MBO record did.
    @frozen
    public enum Outcome: UInt8, Sendable, BitwiseCopyable {
        /// The book changed (add, cancel, modify, clear).
        case applied = 0
        /// A trade, fill or none record: Databento's books do not change on them (the resting
        /// order's own cancel or modify follows).
        case noBookChange = 1
        /// A cancel named an order not in the book.
        case unknownOrder = 2
        /// An add or modify without a usable side or price (side `N`, undefined price, zero size).
        case unusable = 3
        /// An add named an order already resting.
        case duplicateOrder = 4
        /// The book's pools are full.
        case capacity = 5
        /// An action byte this decoder does not know.
        case unknownAction = 6
    }

    /// Applies `record` to `book`: `A` adds, `C` takes the record's size off the order, `M` moves
    /// or resizes it (an unknown order is added, as Databento's reference book does), `R` clears;
    /// `T`, `F` and `N` leave the book alone.
    @inlinable
    public static func apply(_ record: DBNMBO, to book: L3Book) -> Outcome {
        switch record.action {
        case 0x41:  // A
            guard let side = side(record.side), record.price != DBNMetadata.undefinedPrice else { return .unusable }
            return outcome(book.add(id: record.orderID, side: side, price: Price(rawValue: record.price), size: Quantity(Int64(record.size))))
        case 0x43:  // C
            return outcome(book.cancel(id: record.orderID, size: Quantity(Int64(record.size))))
        case 0x4D:  // M
            guard record.price != DBNMetadata.undefinedPrice else { return .unusable }
            let result = book.modify(id: record.orderID, price: Price(rawValue: record.price), size: Quantity(Int64(record.size)))
            if result != .unknownOrder { return outcome(result) }
            guard let side = side(record.side) else { return .unusable }
            return outcome(book.add(id: record.orderID, side: side, price: Price(rawValue: record.price), size: Quantity(Int64(record.size))))
        case 0x52:  // R
            book.clear()
            return .applied
        case 0x54, 0x46, 0x4E:  // T, F, N
            return .noBookChange
        default:
            return .unknownAction
        }
    }

    @inlinable @inline(__always)
    static func side(_ byte: UInt8) -> BookSide? {
        byte == 0x42 ? .bid : (byte == 0x41 ? .ask : nil)
    }

    @inlinable @inline(__always)
    static func outcome(_ result: L3UpdateResult) -> Outcome {
        switch result {
        case .applied: .applied
        case .unknownOrder: .unknownOrder
        case .duplicateOrder: .duplicateOrder
        case .orderPoolFull, .levelPoolFull: .capacity
        case .invalidSize: .unusable
        }
    }

    /// Sets an L2 book to an MBP-1 record's top of book (the record carries the whole depth-1
    /// book after the event, so both sides are replaced).
    @inlinable
    public static func apply(_ record: DBNMBP1, to book: L2Book) {
        book.clear()
        if record.bidPrice != DBNMetadata.undefinedPrice && record.bidSize > 0 {
            _ = book.set(.bid, price: Price(rawValue: record.bidPrice), size: Quantity(Int64(record.bidSize)), orders: Int32(clamping: record.bidCount))
        }
        if record.askPrice != DBNMetadata.undefinedPrice && record.askSize > 0 {
            _ = book.set(.ask, price: Price(rawValue: record.askPrice), size: Quantity(Int64(record.askSize)), orders: Int32(clamping: record.askCount))
        }
    }
}
