public import TernCore

// Binance capture lines, as hftbacktest's collector writes them: `<local_ts_ns> <json>`, where the
// JSON is a combined-stream envelope `{"stream":"btcusdt@trade","data":{…}}` or, once per
// capture, a REST depth snapshot `{"lastUpdateId":…,"bids":[…],"asks":[…]}` without envelope.
//
//     @trade        e E T s t p q m (M)          price and quantity are decimal strings
//     @bookTicker   u s b B a A (e T E on USD-M)
//     @depth…       e E s U u (pu T on USD-M) b a   levels are [price, quantity] string pairs;
//                                                    quantity 0 deletes the level
//
// Prices and sizes parse exactly into TernCore's `Price` and `Quantity` (nine fraction digits;
// Binance sends at most eight).

/// One decoded Binance capture line. Depth levels are not in the value: the decoder keeps them in
/// its reusable `bids` and `asks` buffers until the next line.
@frozen
public enum BinanceMessage: Sendable, BitwiseCopyable {
    case trade(BinanceTrade)
    case bookTicker(BinanceBookTicker)
    /// A depth diff; its levels are in the decoder's `bids` and `asks`.
    case depthUpdate(BinanceDepthUpdate)
    /// The REST depth snapshot; its levels are in the decoder's `bids` and `asks`.
    case snapshot(lastUpdateID: UInt64)
    /// A stream this decoder does not read (kept so counts stay complete).
    case other
}

@frozen
public struct BinanceTrade: Sendable, BitwiseCopyable, Equatable {
    public var tradeID: UInt64
    public var price: Price
    public var quantity: Quantity
    /// Event and trade time, ms since the epoch.
    public var eventTime: UInt64
    public var tradeTime: UInt64
    public var buyerIsMaker: Bool
}

@frozen
public struct BinanceBookTicker: Sendable, BitwiseCopyable, Equatable {
    public var updateID: UInt64
    public var bidPrice: Price
    public var bidSize: Quantity
    public var askPrice: Price
    public var askSize: Quantity
}

@frozen
public struct BinanceDepthUpdate: Sendable, BitwiseCopyable, Equatable {
    /// `U`: the first update id in the event.
    public var firstUpdateID: UInt64
    /// `u`: the final update id in the event.
    public var finalUpdateID: UInt64
    /// `pu` (USD-M futures only): the previous event's final update id; nil on spot.
    public var previousFinalUpdateID: UInt64?
    public var eventTime: UInt64
}

/// Decodes Binance capture lines in place.
///
/// - Performance: no allocation per line once `bids` and `asks` have grown to the largest depth
///   message (the 1,000-level snapshot); they keep their capacity.
public struct BinanceDecoder {
    /// The last depth message's or snapshot's bid and ask levels.
    public private(set) var bids: [PriceSize] = []
    public private(set) var asks: [PriceSize] = []
    /// The receive timestamp (ns) at the start of the last line.
    public private(set) var localTimestamp: UInt64 = 0
    /// The byte range of the last stream's symbol (`s`) within the last line, empty if absent.
    public private(set) var symbolRange: Range<Int> = 0..<0

    public init() {
        bids.reserveCapacity(1024)
        asks.reserveCapacity(1024)
    }

    /// Decodes one line (without its newline); `offset` is the line's position in the file.
    public mutating func decode(line: UnsafeRawBufferPointer, offset: Int) throws(FeedError) -> BinanceMessage {
        var s = JSONScanner(line, base: offset)
        localTimestamp = try s.unsigned()
        guard s.index < line.count, line[s.index] == 0x20 else { throw s.error("expected a space after the timestamp") }
        bids.removeAll(keepingCapacity: true)
        asks.removeAll(keepingCapacity: true)
        symbolRange = 0..<0
        try s.expect(0x7B, "'{'")
        var first = true
        var kind: UInt8 = 0  // 1 trade, 2 bookTicker, 3 depth, 4 other
        var message = BinanceMessage.other
        var snapshotID: UInt64? = nil
        var deferredData: Int? = nil
        while let key = try s.nextKey(first: &first) {
            if s.key(key, is: "stream") {
                let name = try s.string()
                kind = Self.streamKind(line, name)
            } else if s.key(key, is: "data") {
                if kind == 0 {
                    // `data` before `stream`: remember where it starts and read it once the kind is known.
                    deferredData = s.index
                    try s.skipValue()
                } else {
                    message = try decodeData(&s, kind: kind)
                }
            } else if s.key(key, is: "lastUpdateId") {
                snapshotID = try s.unsigned()
            } else if s.key(key, is: "bids") {
                try s.levels(into: &bids)
            } else if s.key(key, is: "asks") {
                try s.levels(into: &asks)
            } else {
                try s.skipValue()
            }
        }
        if !s.atEnd() { throw s.error("expected the end of the line after the object") }
        if let deferredData {
            var inner = JSONScanner(line, base: offset)
            inner.index = deferredData
            message = try decodeData(&inner, kind: kind)
        }
        if let snapshotID {
            guard kind == 0 else { throw FeedError(.malformed, at: offset, "Binance: a line with both a stream and a lastUpdateId") }
            return .snapshot(lastUpdateID: snapshotID)
        }
        if kind == 0 { throw FeedError(.malformed, at: offset, "Binance: neither a stream envelope nor a depth snapshot") }
        return message
    }

    /// The stream kind from its name's suffix: `…@trade`, `…@bookTicker`, `…@depth…`.
    static func streamKind(_ line: UnsafeRawBufferPointer, _ name: Range<Int>) -> UInt8 {
        guard let at = name.firstIndex(where: { line[$0] == 0x40 }) else { return 4 }
        let rest = (at + 1)..<name.upperBound
        func starts(_ word: StaticString) -> Bool {
            let n = word.utf8CodeUnitCount
            guard rest.count >= n else { return false }
            for i in 0..<n where line[rest.lowerBound + i] != word.utf8Start[i] { return false }
            return true
        }
        if starts("trade") && rest.count == 5 { return 1 }
        if starts("bookTicker") && rest.count == 10 { return 2 }
        if starts("depth") { return 3 }
        return 4
    }

    mutating func decodeData(_ s: inout JSONScanner, kind: UInt8) throws(FeedError) -> BinanceMessage {
        if kind == 4 {
            try s.skipValue()
            return .other
        }
        let start = s.index
        try s.expect(0x7B, "'{' of the stream data")
        var first = true
        var trade = BinanceTrade(tradeID: 0, price: .zero, quantity: .zero, eventTime: 0, tradeTime: 0, buyerIsMaker: false)
        var ticker = BinanceBookTicker(updateID: 0, bidPrice: .zero, bidSize: .zero, askPrice: .zero, askSize: .zero)
        var depth = BinanceDepthUpdate(firstUpdateID: 0, finalUpdateID: 0, previousFinalUpdateID: nil, eventTime: 0)
        var seen: UInt32 = 0
        while let key = try s.nextKey(first: &first) {
            guard key.count == 1 || key.count == 2 else {
                try s.skipValue()
                continue
            }
            let c = s.bytes[key.lowerBound]
            if key.count == 2 {
                if kind == 3 && c == 0x70 && s.bytes[key.lowerBound + 1] == 0x75 {  // pu
                    depth.previousFinalUpdateID = try s.unsigned()
                } else {
                    try s.skipValue()
                }
                continue
            }
            switch (kind, c) {
            case (_, 0x73):  // s
                symbolRange = try s.string()
            case (1, 0x74): trade.tradeID = try s.unsigned(); seen |= 1
            case (1, 0x70): trade.price = try s.decimal(Price.self); seen |= 2
            case (1, 0x71): trade.quantity = try s.decimal(Quantity.self); seen |= 4
            case (1, 0x45): trade.eventTime = try s.unsigned()
            case (1, 0x54): trade.tradeTime = try s.unsigned()
            case (1, 0x6D): trade.buyerIsMaker = try s.bool()
            case (2, 0x75): ticker.updateID = try s.unsigned(); seen |= 1
            case (2, 0x62): ticker.bidPrice = try s.decimal(Price.self); seen |= 2
            case (2, 0x42): ticker.bidSize = try s.decimal(Quantity.self); seen |= 4
            case (2, 0x61): ticker.askPrice = try s.decimal(Price.self); seen |= 8
            case (2, 0x41): ticker.askSize = try s.decimal(Quantity.self); seen |= 16
            case (3, 0x55): depth.firstUpdateID = try s.unsigned(); seen |= 1
            case (3, 0x75): depth.finalUpdateID = try s.unsigned(); seen |= 2
            case (3, 0x45): depth.eventTime = try s.unsigned()
            case (3, 0x62):
                try s.levels(into: &bids)
                seen |= 4
            case (3, 0x61):
                try s.levels(into: &asks)
                seen |= 8
            default:
                try s.skipValue()
            }
        }
        switch kind {
        case 1:
            guard seen == 7 else { throw FeedError(.malformed, at: s.base + start, "Binance: a trade without t, p and q") }
            return .trade(trade)
        case 2:
            guard seen == 31 else { throw FeedError(.malformed, at: s.base + start, "Binance: a bookTicker without u, b, B, a and A") }
            return .bookTicker(ticker)
        default:
            guard seen == 15 else { throw FeedError(.malformed, at: s.base + start, "Binance: a depth update without U, u, b and a") }
            guard depth.firstUpdateID <= depth.finalUpdateID else {
                throw FeedError(.malformed, at: s.base + start, "Binance: depth update U \(depth.firstUpdateID) is after u \(depth.finalUpdateID)")
            }
            return .depthUpdate(depth)
        }
    }
}

/// An L2 book kept in step with a Binance depth stream by Binance's documented procedure.
///
/// Diffs that arrive before the REST snapshot are buffered. When the snapshot (last update id L)
/// comes, buffered diffs with `u` below L (spot: `u ≤ L`) are dropped; the first one applied must
/// straddle it (spot: `U ≤ L+1 ≤ u`; USD-M: `U ≤ L ≤ u`); after that every diff must chain (spot:
/// `U == previous u + 1`; USD-M: `pu == previous u`). A break is a gap: the book is marked
/// `.resyncing`, keeps its (now stale) levels for inspection, and buffers diffs until a new
/// snapshot arrives, from which it synchronizes again.
public final class BinanceDepthBook {
    public let book: L2Book
    public private(set) var state = DepthSyncState.awaitingSnapshot
    /// The last applied update id.
    public private(set) var lastUpdateID: UInt64 = 0
    /// Chain breaks seen after a sync (each starts a resync).
    public private(set) var gaps = 0
    /// Snapshots that (re)synchronized the book.
    public private(set) var syncs = 0
    /// Snapshots that could not synchronize (the buffered diffs started after them).
    public private(set) var staleSnapshots = 0
    /// Diffs applied, and diffs dropped as older than the snapshot.
    public private(set) var appliedDiffs = 0
    public private(set) var droppedDiffs = 0
    /// Buffered diffs lost because the buffer was full.
    public private(set) var overflowedDiffs = 0
    /// Whether the stream is USD-M (its diffs carry `pu`); nil until the first diff.
    public private(set) var isFutures: Bool? = nil

    var pending: [(update: BinanceDepthUpdate, start: Int, bidCount: Int, askCount: Int)] = []
    var pendingLevels: [PriceSize] = []
    let pendingCapacity: Int

    /// - Parameters:
    ///   - levelCapacity: levels per side of the book.
    ///   - pendingLevelCapacity: levels the pre-snapshot buffer holds.
    public init(levelCapacity: Int = 8192, pendingLevelCapacity: Int = 1 << 18) {
        book = L2Book(capacity: levelCapacity)
        pendingCapacity = pendingLevelCapacity
        pending.reserveCapacity(1024)
        pendingLevels.reserveCapacity(pendingLevelCapacity)
    }

    /// Applies one diff whose levels are `bids` and `asks`.
    public func apply(_ update: BinanceDepthUpdate, bids: [PriceSize], asks: [PriceSize]) {
        if isFutures == nil { isFutures = update.previousFinalUpdateID != nil }
        switch state {
        case .awaitingSnapshot, .resyncing:
            buffer(update, bids: bids, asks: asks)
        case .synced:
            if update.finalUpdateID <= lastUpdateID && update.previousFinalUpdateID == nil {
                droppedDiffs += 1  // an old diff repeated: spot says ignore it
                return
            }
            guard chains(update) else {
                gaps += 1
                state = .resyncing
                pending.removeAll(keepingCapacity: true)
                pendingLevels.removeAll(keepingCapacity: true)
                buffer(update, bids: bids, asks: asks)
                return
            }
            write(update, bids: bids[...], asks: asks[...])
        }
    }

    /// Whether `update` continues the last applied one (USD-M: `pu` is its `u`; spot: `U` is `u + 1`).
    func chains(_ update: BinanceDepthUpdate) -> Bool {
        update.previousFinalUpdateID.map { $0 == lastUpdateID } ?? (update.firstUpdateID == lastUpdateID &+ 1)
    }

    /// Applies the REST snapshot and the buffered diffs after it.
    public func applySnapshot(lastUpdateID snapshotID: UInt64, bids: [PriceSize], asks: [PriceSize]) {
        book.clear()
        book.set(.bid, levels: bids)
        book.set(.ask, levels: asks)
        lastUpdateID = snapshotID
        let futures = isFutures ?? false
        var synced = false
        var stale = false
        for entry in pending {
            let u = entry.update
            let tooOld = futures ? u.finalUpdateID < snapshotID : u.finalUpdateID <= snapshotID
            if tooOld {
                droppedDiffs += 1
                continue
            }
            if !synced {
                let straddles = futures
                    ? (u.firstUpdateID <= snapshotID && u.finalUpdateID >= snapshotID)
                    : (u.firstUpdateID <= snapshotID &+ 1 && u.finalUpdateID >= snapshotID &+ 1)
                if !straddles {
                    stale = true
                    break
                }
                synced = true
            } else if !chains(u) {
                stale = true
                break
            }
            write(
                u, bids: pendingLevels[entry.start..<(entry.start + entry.bidCount)],
                asks: pendingLevels[(entry.start + entry.bidCount)..<(entry.start + entry.bidCount + entry.askCount)])
        }
        pending.removeAll(keepingCapacity: true)
        pendingLevels.removeAll(keepingCapacity: true)
        if stale {
            staleSnapshots += 1
            state = .resyncing
        } else {
            syncs += 1
            state = .synced
        }
    }

    func buffer(_ update: BinanceDepthUpdate, bids: [PriceSize], asks: [PriceSize]) {
        if pendingLevels.count + bids.count + asks.count > pendingCapacity {
            overflowedDiffs += pending.count
            pending.removeAll(keepingCapacity: true)
            pendingLevels.removeAll(keepingCapacity: true)
            guard bids.count + asks.count <= pendingCapacity else {
                overflowedDiffs += 1
                return
            }
        }
        pending.append((update, pendingLevels.count, bids.count, asks.count))
        pendingLevels.append(contentsOf: bids)
        pendingLevels.append(contentsOf: asks)
    }

    func write(_ update: BinanceDepthUpdate, bids: ArraySlice<PriceSize>, asks: ArraySlice<PriceSize>) {
        book.set(.bid, levels: bids)
        book.set(.ask, levels: asks)
        lastUpdateID = update.finalUpdateID
        appliedDiffs += 1
    }
}
