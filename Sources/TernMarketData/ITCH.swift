public import TernCore

// NASDAQ TotalView-ITCH 5.0: big-endian messages, each starting with
//
//     type:c  stock_locate:u16  tracking_number:u16  timestamp:u48 (ns since midnight)
//
// In a BinaryFILE each message is preceded by a 2-byte big-endian length. Some writers leave that
// prefix zero (the RITCH sample does), so the decoder sizes messages by type and uses a non-zero
// prefix only as a cross-check (and to step over types it does not know).
//
// Book messages (offsets from the type byte):
//
//     A add              ref:u64 @11  side:c @19  shares:u32 @20  stock[8] @24  price:u32 @32     36 B
//     F add with MPID    as A, then attribution[4] @36                                           40 B
//     E executed         ref @11  shares:u32 @19  match:u64 @23                                  31 B
//     C executed at px   ref @11  shares @19  match @23  printable:c @31  price:u32 @32          36 B
//     X cancel           ref @11  shares:u32 @19                                                 23 B
//     D delete           ref @11                                                                 19 B
//     U replace          ref @11  new_ref:u64 @19  shares:u32 @27  price:u32 @31                 35 B
//
// Prices have four fraction digits (`Price` raw = ITCH price × 100,000).

/// One decoded ITCH message (only the fields book building and reporting use).
@frozen
public enum ITCHMessage: Sendable, BitwiseCopyable {
    case systemEvent(code: UInt8)
    /// Stock Directory: the locate's symbol (in the decoder's `lastSymbol`).
    case stockDirectory(locate: UInt16)
    case tradingAction(locate: UInt16, state: UInt8)
    case addOrder(locate: UInt16, reference: UInt64, side: BookSide, shares: UInt32, price: Price)
    case executed(locate: UInt16, reference: UInt64, shares: UInt32)
    case executedWithPrice(locate: UInt16, reference: UInt64, shares: UInt32, price: Price)
    case cancel(locate: UInt16, reference: UInt64, shares: UInt32)
    case delete(locate: UInt16, reference: UInt64)
    case replace(locate: UInt16, reference: UInt64, newReference: UInt64, shares: UInt32, price: Price)
    /// A non-cross trade (P): it does not change the book.
    case trade(locate: UInt16, shares: UInt32, price: Price)
    /// Any other message of a known type, skipped by its length.
    case other

    /// The stock locate an order-book or directory message names (nil for system events, trades
    /// and others).
    public var locate: UInt16? {
        switch self {
        case .stockDirectory(let l), .tradingAction(let l, _), .addOrder(let l, _, _, _, _), .executed(let l, _, _),
            .executedWithPrice(let l, _, _, _), .cancel(let l, _, _), .delete(let l, _), .replace(let l, _, _, _, _):
            l
        case .systemEvent, .trade, .other:
            nil
        }
    }
}

/// A zero-copy ITCH 5.0 BinaryFILE decoder.
///
/// - Important: the decoder reads `bytes` in place; the caller keeps them alive and unchanged.
/// - Errors: an unknown type with a zero length prefix (it cannot be sized), a prefix that
///   disagrees with the type's length, a side byte other than B/S, or a message cut short throws
///   `FeedError` with the message's offset.
public struct ITCHDecoder {
    @usableFromInline let bytes: UnsafeRawBufferPointer
    @usableFromInline var cursor = 0
    /// The type byte of the last message.
    public private(set) var lastType: UInt8 = 0
    /// The symbol of the last Stock Directory or Add Order message, as raw bytes (8, space padded).
    public private(set) var lastSymbolOffset = 0
    /// The timestamp of the last message read (nanoseconds since midnight; every ITCH 5.0
    /// message carries one at offset 5), or 0 for a message of an unknown type.
    public private(set) var lastTimestamp: UInt64 = 0

    /// The offset of the next message's length prefix.
    public var offset: Int { cursor }

    public init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Each ITCH 5.0 message type's length, 0 for bytes that are not a type.
    @usableFromInline
    static let lengths: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        let known: [(Character, UInt8)] = [
            ("S", 12), ("R", 39), ("H", 25), ("Y", 20), ("L", 26), ("V", 35), ("W", 12), ("K", 28), ("J", 35),
            ("h", 21), ("A", 36), ("F", 40), ("E", 31), ("C", 36), ("X", 23), ("D", 19), ("U", 35), ("P", 44),
            ("Q", 40), ("B", 19), ("I", 50), ("N", 20), ("O", 48),
        ]
        for (type, length) in known { table[Int(type.asciiValue!)] = length }
        return table
    }()

    /// The symbol text of the last Stock Directory message (trailing spaces trimmed).
    public var lastSymbol: String { fixedText(bytes, lastSymbolOffset, 8) }

    /// The next message, or nil at the end of the input.
    public mutating func next() throws(FeedError) -> ITCHMessage? {
        let at = cursor
        if at == bytes.count { return nil }
        guard bytes.count - at >= 3 else {
            throw FeedError(.truncated, at: at, "ITCH: \(bytes.count - at) bytes left, a length prefix and a type need 3")
        }
        let prefix = Int(bytes.be(at, as: UInt16.self))
        let type = bytes[at &+ 2]
        let known = Int(Self.lengths[Int(type)])
        let length: Int
        if known == 0 {
            guard prefix > 0 else {
                throw FeedError(.malformed, at: at + 2, "ITCH: unknown message type 0x\(String(type, radix: 16)) with a zero length prefix")
            }
            length = prefix
        } else {
            guard prefix == 0 || prefix == known else {
                throw FeedError(.malformed, at: at, "ITCH: length prefix \(prefix) does not match the \(known) bytes of a '\(Character(Unicode.Scalar(type)))' message")
            }
            length = known
        }
        let m = at &+ 2
        guard bytes.count - m >= length else {
            throw FeedError(.truncated, at: at, "ITCH: a '\(Character(Unicode.Scalar(type)))' message needs \(length) bytes, \(bytes.count - m) are left")
        }
        cursor = m &+ length
        lastType = type
        if known == 0 {
            lastTimestamp = 0
            return .other
        }
        let locate = bytes.be(m &+ 1, as: UInt16.self)
        lastTimestamp = UInt64(bytes.be(m &+ 5, as: UInt16.self)) << 32 | UInt64(bytes.be(m &+ 7, as: UInt32.self))
        switch type {
        case 0x53:  // S
            return .systemEvent(code: bytes[m &+ 11])
        case 0x52:  // R
            lastSymbolOffset = m &+ 11
            return .stockDirectory(locate: locate)
        case 0x48:  // H
            return .tradingAction(locate: locate, state: bytes[m &+ 19])
        case 0x41, 0x46:  // A, F
            let sideByte = bytes[m &+ 19]
            guard sideByte == 0x42 || sideByte == 0x53 else {
                throw FeedError(.malformed, at: m + 19, "ITCH: side byte 0x\(String(sideByte, radix: 16)) is neither B nor S")
            }
            lastSymbolOffset = m &+ 24
            return .addOrder(
                locate: locate, reference: bytes.be(m &+ 11, as: UInt64.self), side: sideByte == 0x42 ? .bid : .ask,
                shares: bytes.be(m &+ 20, as: UInt32.self), price: Self.price(bytes.be(m &+ 32, as: UInt32.self)))
        case 0x45:  // E
            return .executed(locate: locate, reference: bytes.be(m &+ 11, as: UInt64.self), shares: bytes.be(m &+ 19, as: UInt32.self))
        case 0x43:  // C
            return .executedWithPrice(
                locate: locate, reference: bytes.be(m &+ 11, as: UInt64.self), shares: bytes.be(m &+ 19, as: UInt32.self),
                price: Self.price(bytes.be(m &+ 32, as: UInt32.self)))
        case 0x58:  // X
            return .cancel(locate: locate, reference: bytes.be(m &+ 11, as: UInt64.self), shares: bytes.be(m &+ 19, as: UInt32.self))
        case 0x44:  // D
            return .delete(locate: locate, reference: bytes.be(m &+ 11, as: UInt64.self))
        case 0x55:  // U
            return .replace(
                locate: locate, reference: bytes.be(m &+ 11, as: UInt64.self), newReference: bytes.be(m &+ 19, as: UInt64.self),
                shares: bytes.be(m &+ 27, as: UInt32.self), price: Self.price(bytes.be(m &+ 31, as: UInt32.self)))
        case 0x50:  // P
            return .trade(locate: locate, shares: bytes.be(m &+ 20, as: UInt32.self), price: Self.price(bytes.be(m &+ 32, as: UInt32.self)))
        default:
            return .other
        }
    }

    /// An ITCH price (four fraction digits) as a `Price`.
    @inlinable @inline(__always)
    static func price(_ raw: UInt32) -> Price { Price(rawValue: Int64(raw) &* 100_000) }
}

/// One L3 book per stock locate, built from ITCH order messages.
///
/// The RITCH sample is sampled from a real day, so executions, cancels, deletes and replaces can
/// name orders that were never added: `unknownReferences` counts them and the message is skipped.
public final class ITCHBooks {
    /// The books by stock locate, created by the first Stock Directory or Add Order for a locate.
    public private(set) var books: [UInt16: L3Book] = [:]
    /// Symbols by stock locate, from Stock Directory (or, failing that, Add Order) messages.
    public private(set) var symbols: [UInt16: String] = [:]
    /// Messages that named an order reference no book holds.
    public private(set) var unknownReferences = 0
    /// Adds refused (duplicate reference, zero shares, full pools).
    public private(set) var refusedAdds = 0
    let orderCapacity: Int
    let levelCapacity: Int

    public init(orderCapacity: Int = 1 << 16, levelCapacity: Int = 1 << 12) {
        self.orderCapacity = orderCapacity
        self.levelCapacity = levelCapacity
    }

    /// The book for `locate`, created on first use.
    public func book(_ locate: UInt16) -> L3Book {
        if let book = books[locate] { return book }
        let book = L3Book(orderCapacity: orderCapacity, levelCapacity: levelCapacity)
        books[locate] = book
        return book
    }

    /// Applies one message; `decoder` supplies symbols for directory and add messages.
    public func apply(_ message: ITCHMessage, decoder: ITCHDecoder) {
        switch message {
        case .stockDirectory(let locate):
            symbols[locate] = decoder.lastSymbol
            _ = book(locate)
        case .addOrder(let locate, let reference, let side, let shares, let price):
            if symbols[locate] == nil { symbols[locate] = decoder.lastSymbol }
            let result = book(locate).add(id: reference, side: side, price: price, size: Quantity(Int64(shares)))
            if result != .applied { refusedAdds += 1 }
        case .executed(let locate, let reference, let shares), .executedWithPrice(let locate, let reference, let shares, _):
            count(books[locate]?.execute(id: reference, size: Quantity(Int64(shares))))
        case .cancel(let locate, let reference, let shares):
            count(books[locate]?.cancel(id: reference, size: Quantity(Int64(shares))))
        case .delete(let locate, let reference):
            count(books[locate]?.delete(id: reference))
        case .replace(let locate, let reference, let newReference, let shares, let price):
            let result = books[locate]?.replace(id: reference, newID: newReference, price: price, size: Quantity(Int64(shares)))
            if result == nil || result == .unknownOrder { unknownReferences += 1 } else if result != .applied { refusedAdds += 1 }
        case .systemEvent, .tradingAction, .trade, .other:
            break
        }
    }

    func count(_ result: L3UpdateResult?) {
        if result == nil || result == .unknownOrder { unknownReferences += 1 }
    }
}
