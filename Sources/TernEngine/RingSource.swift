import Glibc
import Synchronization
public import TernCore
public import TernMarketData
public import TernQueues
import TernSystem

/// Asks a run to stop, from any thread: the sources that wait (`RingSource`) and the C ABI's
/// `tern_engine_stop` share one per assembly (`EngineAssembly.stop`).
public final class StopSignal: Sendable {
    let raised = Atomic<Bool>(false)
    public init() {}
    /// Raises the signal. Any thread.
    public func callAsFunction() { raised.store(true, ordering: .releasing) }
    /// Whether it has been raised. Any thread.
    public var isRaised: Bool { raised.load(ordering: .acquiring) }
}

/// Market events another process (or thread) writes into a shared `SlotRing`, one
/// `tern_market_event_t` record per slot (include/tern.h): the way a C or C++ feed handler
/// feeds a Tern engine without Swift in its code (`[data] format = ring`, docs/engine.md).
///
/// The producer formats the ring in a shared file (`/dev/shm/...`, or any file both processes
/// can map) with `tern_spsc_ring_format` and pushes 40-byte records; this source maps the same
/// file, attaches, and busy-polls it. A record whose action is `TERN_MARKET_END_OF_STREAM` (255)
/// ends the run. Every record is checked (length, action, side, flags, instrument); the first bad
/// one ends the run with a `FeedError` naming the record, and everything before it has been handled.
///
/// One consumer: this source. Waiting polls with a pause instruction and yields the CPU after a
/// short spin (`YieldingWait`), so an unpinned run does not starve the producer on a small
/// machine; the run's `StopSignal` (any thread) ends a wait.
public final class RingSource: MarketDataSource {
    /// The bytes of one record (`sizeof(tern_market_event_t)`).
    public static let recordSize = 40
    /// The action code that ends the stream (`TERN_MARKET_END_OF_STREAM`).
    public static let endOfStream: UInt8 = 255
    /// An empty ring: `pause` for 256 polls, then yield the CPU between polls.
    static let wait = YieldingWait(spins: 256)

    public let name: String
    public let bookKind: BookKind
    @exclusivity(unchecked) public private(set) var recordsRead = 0
    public var notes: [String] {
        ended ? [] : ["the ring's producer did not send TERN_MARKET_END_OF_STREAM (the run was stopped or hit max_events)"]
    }

    let ring: SlotRing
    let mapping: UnsafeMutableRawBufferPointer
    let instruments: Int
    /// Ends a wait for records from any thread (the source itself belongs to the feed thread):
    /// `source.stop()`.
    public let stop: StopSignal
    let scratch: UnsafeMutableRawBufferPointer
    @exclusivity(unchecked) var ended = false

    /// Maps the ring in `path` and attaches to it. `waitNanoseconds` > 0: if the file does not
    /// exist yet or holds no formatted ring, keep trying that long (the producer may start after
    /// the engine). `instruments`: the engine's instrument count; a record for another instrument
    /// is an error. `stop`: the run's stop signal (EngineAssembly's), which also ends this wait.
    public init(
        path: String, bookKind: BookKind, instruments: Int, waitNanoseconds: Int64 = 0, name: String? = nil, stop: StopSignal = StopSignal()
    ) throws(FeedError) {
        self.bookKind = bookKind
        self.instruments = instruments
        self.name = name ?? "ring \(path)"
        self.stop = stop
        (ring, mapping) = try Self.attach(path, waitingUntil: MonotonicClock.now().rawValue &+ max(waitNanoseconds, 0), stop: stop)
        guard ring.slotSize >= Self.recordSize else {
            munmap(mapping.baseAddress, mapping.count)
            throw FeedError(
                .unsupported, at: SlotRing.Layout.slotSizeOffset,
                "\(path): the ring's slots hold \(ring.slotSize) bytes; a tern_market_event_t needs \(Self.recordSize)")
        }
        scratch = .allocate(byteCount: ring.slotSize, alignment: 16)
    }

    deinit {
        munmap(mapping.baseAddress, mapping.count)
        scratch.deallocate()
    }

    /// `attach(_:)`, tried every millisecond until it succeeds, `deadline` passes or `stop`.
    static func attach(_ path: String, waitingUntil deadline: Int64, stop: StopSignal) throws(FeedError) -> (SlotRing, UnsafeMutableRawBufferPointer) {
        while true {
            do throws(FeedError) {
                return try attach(path)
            } catch {
                if MonotonicClock.now().rawValue >= deadline || stop.isRaised { throw error }
                usleep(1_000)
            }
        }
    }

    /// Maps `path` shared and read-write (the consumer writes the ring's head) and attaches.
    static func attach(_ path: String) throws(FeedError) -> (SlotRing, UnsafeMutableRawBufferPointer) {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw FeedError(.io, at: 0, "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FeedError(.io, at: 0, "cannot stat \(path): \(String(cString: strerror(errno)))") }
        let size = Int(st.st_size)
        guard size >= SlotRing.Layout.dataOffset else {
            throw FeedError(.truncated, at: size, "\(path): \(size) bytes, shorter than a ring header (\(SlotRing.Layout.dataOffset)); has the producer formatted it?")
        }
        guard let base = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), base != MAP_FAILED else {
            throw FeedError(.io, at: 0, "cannot map \(path): \(String(cString: strerror(errno)))")
        }
        let memory = UnsafeMutableRawBufferPointer(start: base, count: size)
        do throws(SlotRingError) {
            return (try SlotRing(attaching: memory), memory)
        } catch {
            munmap(base, size)
            throw FeedError(.badMagic, at: 0, "\(path): \(error)")
        }
    }

    /// Appends one venue message's events: records up to one flagged TERN_MARKET_END_OF_BATCH.
    /// Waits for the producer when the ring is empty.
    public func next(into batch: inout MarketEventBatch) throws(FeedError) -> Bool {
        if ended { return false }
        var idle = 0
        while true {
            guard let length = ring.tryRead(into: scratch) else {
                if stop.isRaised { return false }
                Self.wait.idle(idle)
                idle &+= 1
                continue
            }
            idle = 0
            let index = recordsRead
            recordsRead += 1
            guard length == Self.recordSize else {
                throw FeedError(.malformed, at: index, "record \(index): \(length) bytes; a tern_market_event_t has \(Self.recordSize)")
            }
            let p = UnsafeRawPointer(scratch.baseAddress!)
            let code = p.load(fromByteOffset: 0, as: UInt8.self)
            if code == Self.endOfStream {
                ended = true
                return batch.count > 0
            }
            guard let action = MarketAction(rawValue: code) else {
                throw FeedError(.malformed, at: index, "record \(index): action \(code) is not a TERN_MARKET_* code")
            }
            let sideCode = p.load(fromByteOffset: 1, as: UInt8.self)
            let side = BookSide(rawValue: sideCode)
            guard side != nil || sideCode == 255 else {
                throw FeedError(.malformed, at: index, "record \(index): side \(sideCode) is not TERN_BOOK_BID (0), TERN_BOOK_ASK (1) or TERN_BOOK_NONE (255)")
            }
            let flags = p.load(fromByteOffset: 2, as: UInt8.self)
            guard flags & ~MarketEvent.Flags.endOfBatch == 0 else {
                throw FeedError(.malformed, at: index, "record \(index): flags 0x\(String(flags, radix: 16)) has bits other than TERN_MARKET_END_OF_BATCH")
            }
            let instrument = p.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
            guard Int(instrument) < instruments else {
                throw FeedError(.malformed, at: index, "record \(index): instrument_id \(instrument) is not in the instruments table (0..<\(instruments))")
            }
            batch.append(
                MarketEvent(
                    action, instrument: InstrumentID(rawValue: instrument), side: side, orderID: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                    price: Price(rawValue: p.loadUnaligned(fromByteOffset: 16, as: Int64.self)),
                    size: Quantity(rawValue: p.loadUnaligned(fromByteOffset: 24, as: Int64.self)),
                    exchangeTime: Timestamp(rawValue: p.loadUnaligned(fromByteOffset: 32, as: Int64.self)), flags: flags))
            if flags & MarketEvent.Flags.endOfBatch != 0 { return true }
        }
    }
}
