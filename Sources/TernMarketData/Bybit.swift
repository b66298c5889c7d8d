import TernCore

// Bybit v5 public order book lines (`orderbook.<depth>.<symbol>`), one JSON object per line:
//
//     {"topic":"orderbook.500.XRPUSDT","type":"snapshot"|"delta","ts":<ms>,
//      "data":{"s":"XRPUSDT","b":[["1.9531","6203"],…],"a":[…],"u":<update id>,"seq":<cross seq>},
//      "cts":<ms>}
//
// A snapshot replaces the book; a delta sets each level (size "0" deletes). `u` rises by one per
// message; a snapshot with `u` 1 follows a service restart.

/// One decoded Bybit order book line; its levels are in the decoder's `bids` and `asks`.
@frozen
public struct BybitBookMessage: Sendable, BitwiseCopyable, Equatable {
    public var isSnapshot: Bool
    public var updateID: UInt64
    public var sequence: UInt64
    /// The system time the message was generated, ms since the epoch.
    public var timestamp: UInt64
}

/// Decodes Bybit order book lines in place.
public struct BybitDecoder {
    public private(set) var bids: [PriceSize] = []
    public private(set) var asks: [PriceSize] = []
    /// The byte range of the topic's symbol (after the last `.`) within the last line.
    public private(set) var symbolRange: Range<Int> = 0..<0

    public init() {
        bids.reserveCapacity(1024)
        asks.reserveCapacity(1024)
    }

    /// Decodes one line (without its newline); `offset` is the line's position in the file.
    public mutating func decode(line: UnsafeRawBufferPointer, offset: Int) throws(FeedError) -> BybitBookMessage {
        var s = JSONScanner(line, base: offset)
        bids.removeAll(keepingCapacity: true)
        asks.removeAll(keepingCapacity: true)
        symbolRange = 0..<0
        var message = BybitBookMessage(isSnapshot: false, updateID: 0, sequence: 0, timestamp: 0)
        var seen: UInt8 = 0
        try s.expect(0x7B, "'{'")
        var first = true
        while let key = try s.nextKey(first: &first) {
            if s.key(key, is: "topic") {
                let topic = try s.string()
                guard topic.count > 10, s.key(topic.lowerBound..<(topic.lowerBound + 10), is: "orderbook.") else {
                    throw FeedError(.unsupported, at: offset + topic.lowerBound, "Bybit: topic is not orderbook.<depth>.<symbol>")
                }
                if let dot = topic.lastIndex(where: { line[$0] == 0x2E }) { symbolRange = (dot + 1)..<topic.upperBound }
                seen |= 1
            } else if s.key(key, is: "type") {
                let type = try s.string()
                if s.key(type, is: "snapshot") {
                    message.isSnapshot = true
                } else if !s.key(type, is: "delta") {
                    throw FeedError(.unsupported, at: offset + type.lowerBound, "Bybit: type is neither snapshot nor delta")
                }
                seen |= 2
            } else if s.key(key, is: "ts") {
                message.timestamp = try s.unsigned()
            } else if s.key(key, is: "data") {
                try s.expect(0x7B, "'{' of data")
                var inner = true
                while let field = try s.nextKey(first: &inner) {
                    if s.key(field, is: "b") {
                        try s.levels(into: &bids)
                    } else if s.key(field, is: "a") {
                        try s.levels(into: &asks)
                    } else if s.key(field, is: "u") {
                        message.updateID = try s.unsigned()
                        seen |= 4
                    } else if s.key(field, is: "seq") {
                        message.sequence = try s.unsigned()
                    } else {
                        try s.skipValue()
                    }
                }
                seen |= 8
            } else {
                try s.skipValue()
            }
        }
        if !s.atEnd() { throw s.error("expected the end of the line after the object") }
        guard seen == 15 else { throw FeedError(.malformed, at: offset, "Bybit: a line without topic, type, data and data.u") }
        return message
    }
}

/// An L2 book kept by Bybit's rules: a snapshot replaces it; deltas must continue `u` by one, else
/// the book is marked out of sync (a gap) until the next snapshot.
public final class BybitDepthBook {
    public let book: L2Book
    public private(set) var lastUpdateID: UInt64 = 0
    public private(set) var synced = false
    public private(set) var gaps = 0
    public private(set) var snapshots = 0
    /// Deltas ignored while out of sync.
    public private(set) var skippedDeltas = 0

    /// `synced`, or `awaitingSnapshot` before the first snapshot, or `resyncing` after a gap.
    public var state: DepthSyncState { synced ? .synced : (snapshots == 0 ? .awaitingSnapshot : .resyncing) }

    public init(levelCapacity: Int = 8192) { book = L2Book(capacity: levelCapacity) }

    public func apply(_ message: BybitBookMessage, bids: [PriceSize], asks: [PriceSize]) {
        if message.isSnapshot {
            book.clear()
            snapshots += 1
            synced = true
        } else {
            guard synced else {
                skippedDeltas += 1
                return
            }
            guard message.updateID == lastUpdateID &+ 1 else {
                gaps += 1
                synced = false
                skippedDeltas += 1
                return
            }
        }
        book.set(.bid, levels: bids)
        book.set(.ask, levels: asks)
        lastUpdateID = message.updateID
    }
}
