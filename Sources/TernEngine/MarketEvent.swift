public import TernCore
public import TernMarketData

/// What one normalized market-data event does. The engine applies it to the instrument's book;
/// the actions mirror the union of the feeds Tern decodes (Databento MBO, ITCH 5.0, Binance and
/// Bybit depth).
@frozen
public enum MarketAction: UInt8, Sendable, BitwiseCopyable, CustomStringConvertible {
    /// A new resting order (`orderID`, `side`, `price`, `size`).
    case add = 0
    /// `size` comes off resting order `orderID` (a cancel that is not an execution).
    case cancel = 1
    /// Resting order `orderID` moves to `price` with `size` (priority rules of `L3Book.modify`;
    /// an unknown order is added, as Databento's reference book does).
    case modify = 2
    /// Resting order `orderID` leaves the book.
    case delete = 3
    /// `size` of resting order `orderID` executes: the book shrinks and a trade prints at the
    /// order's price (ITCH's E and C messages).
    case execute = 4
    /// The book of the instrument is emptied (a Databento `R`, a depth resynchronization).
    case clear = 5
    /// An aggregated level: `side` at `price` now has `size` (zero removes it).
    case level = 6
    /// A trade print that does not itself change the book (the resting order's own cancel or
    /// execute follows, as in Databento's MBO). `side` is the aggressor's.
    case trade = 7

    public var description: String {
        switch self {
        case .add: "add"
        case .cancel: "cancel"
        case .modify: "modify"
        case .delete: "delete"
        case .execute: "execute"
        case .clear: "clear"
        case .level: "level"
        case .trade: "trade"
        }
    }
}

/// One normalized market-data event: 48 bytes, `BitwiseCopyable`, what the feed thread hands the
/// engine thread through an `SPSCRing`.
@frozen
public struct MarketEvent: Sendable, BitwiseCopyable, Equatable {
    /// The action.
    public var action: MarketAction
    /// The book side the event is about: the resting order's or level's side for book events;
    /// for `.trade`, the aggressor's side (`.bid` a buyer lifted offers, `.ask` a seller hit
    /// bids), or nil when the venue does not say.
    public var side: BookSide?
    /// `MarketEvent.Flags` bits.
    public var flags: UInt8
    /// The engine's dense instrument index (the configured instrument list's order).
    public var instrument: InstrumentID
    /// The venue's order ID (L3 events), or 0.
    public var orderID: UInt64
    public var price: Price
    public var size: Quantity
    /// The venue's time of the event (nanoseconds since the Unix epoch): the engine's clock in
    /// replay, so a replay is deterministic.
    public var exchangeTime: Timestamp
    /// When the feed thread handed the event on (monotonic nanoseconds; 0 when not measured):
    /// the start of the tick-to-order latency of any order this event causes.
    public var receivedAt: Int64

    /// Flag bits.
    public enum Flags {
        /// The last event of a venue message or packet: the book is consistent after it, and the
        /// strategy runs.
        public static let endOfBatch: UInt8 = 1 << 0
        /// The book may be incomplete (awaiting a snapshot, after a gap).
        public static let stale: UInt8 = 1 << 1
        /// On a `.delete`: an `.add` of the same order's side follows (an ITCH replace: new
        /// reference, price and size, priority lost); that add may leave its side nil.
        public static let replacing: UInt8 = 1 << 2
    }

    @inlinable
    public init(
        _ action: MarketAction, instrument: InstrumentID, side: BookSide? = nil, orderID: UInt64 = 0, price: Price = Price(rawValue: 0),
        size: Quantity = Quantity(rawValue: 0), exchangeTime: Timestamp, flags: UInt8 = 0, receivedAt: Int64 = 0
    ) {
        self.action = action
        self.side = side
        self.flags = flags
        self.instrument = instrument
        self.orderID = orderID
        self.price = price
        self.size = size
        self.exchangeTime = exchangeTime
        self.receivedAt = receivedAt
    }

    /// Whether the book is consistent after this event (the strategy runs).
    @inlinable public var isEndOfBatch: Bool { flags & Flags.endOfBatch != 0 }
}

/// The events of one venue message, gathered by a `MarketDataSource` on the feed thread. Storage
/// grows only when a message holds more events than any before (a large depth snapshot).
public struct MarketEventBatch: ~Copyable {
    @usableFromInline var storage: UnsafeMutablePointer<MarketEvent>
    @usableFromInline var capacity: Int
    /// The number of events gathered.
    @usableFromInline var _count = 0
    public var count: Int { _count }

    public init(capacity: Int = 4096) {
        self.capacity = max(capacity, 16)
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    /// Removes every event (keeps the storage).
    @inlinable public mutating func removeAll() { _count = 0 }

    /// Appends `event`.
    @inlinable
    public mutating func append(_ event: MarketEvent) {
        if _count == capacity { grow() }
        (storage + _count).initialize(to: event)
        _count &+= 1
    }

    @usableFromInline
    mutating func grow() {
        let bigger = UnsafeMutablePointer<MarketEvent>.allocate(capacity: capacity * 2)
        bigger.initialize(from: storage, count: count)
        storage.deallocate()
        storage = bigger
        capacity *= 2
    }

    /// The events, in order. Valid until the next mutation.
    public var events: UnsafeBufferPointer<MarketEvent> { UnsafeBufferPointer(start: storage, count: count) }

    /// Stamps every event with the time it is handed on (`MarketEvent.receivedAt`).
    @inlinable
    public mutating func stamp(_ receivedAt: Int64) {
        for i in 0..<_count { storage[i].receivedAt = receivedAt }
    }

    /// Marks the last event as the end of its batch (the sources call this once a message is done).
    @inlinable
    public mutating func markEnd() {
        if _count > 0 { storage[_count - 1].flags |= MarketEvent.Flags.endOfBatch }
    }
}
