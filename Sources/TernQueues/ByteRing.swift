public import Synchronization

/// A single-producer single-consumer ring of variable-length records over caller-provided memory.
///
/// The memory can be a private buffer, a `MAP_SHARED` file or a shared-memory segment: everything the
/// ring needs, including its positions, lives inside it, in a fixed layout a C program can produce
/// into (the C ABI exports it; the layout below is the contract and `ByteRingTests` asserts every
/// offset). The caller keeps the memory alive and mapped while any `ByteRing` value refers to it.
///
/// ```
///  offset   0 ┌─ header (written once by init(formatting:)) ─────────────────────────────┐
///             │ +0 magic "TRNB" (UInt32 0x424E5254 LE)  +4 version UInt16 (1)           │
///             │ +6 header size UInt16 (512)  +8 capacity UInt64 (bytes, power of two)   │
///             │ +16 max message length UInt32  +20 reserved (zero)                      │
///  offset 128 ├─ producer block ─────────────────────────────────────────────────────────┤
///             │ +0 tail Atomic<UInt64> (bytes written; published)  +8 cached head       │
///  offset 256 ├─ consumer block ─────────────────────────────────────────────────────────┤
///             │ +0 head Atomic<UInt64> (bytes read; published)     +8 cached tail       │
///  offset 384 ├─ halt block ─────────────────────────────────────────────────────────────┤
///             │ +0 halt Atomic<UInt32>                                                  │
///  offset 512 ├─ data: capacity bytes of records ────────────────────────────────────────┤
///             │ record: +0 length Int32 (8 + body bytes)  +4 type Int32  +8 body …      │
///             │         next record at the next multiple of 8                            │
///             │ padding record (type -1) fills the end when a record would not fit       │
///             └──────────────────────────────────────────────────────────────────────────┘
/// ```
///
/// Records never split at the end of the data area: when one would, the producer writes a padding
/// record over the rest and puts the record at offset 0, and the consumer skips padding silently.
/// Positions are byte counts since formatting and never wrap. A record becomes visible when the
/// producer's releasing store of `tail` passes it.
///
/// Full-ring policy: `tryClaim` returns `.full` and writes nothing visible. Records longer than
/// `maxMessageLength` are refused with `.tooLong`.
///
/// Thread safety: one producer thread (`tryClaim`, `commit`, `abort`, `tryWrite`), one consumer
/// thread (`read`, `waitForData`); `halt`, `resume`, `isHalted` and `count` from any thread.
@frozen
public struct ByteRing: @unchecked Sendable {
    // Safe (@unchecked Sendable): a value of pointers into memory whose shared words are atomics.

    /// Byte offsets of the layout above.
    public enum Layout {
        public static let magicOffset = 0
        public static let versionOffset = 4
        public static let headerSizeOffset = 6
        public static let capacityOffset = 8
        public static let maxMessageLengthOffset = 16
        public static let tailOffset = 128
        public static let cachedHeadOffset = 136
        public static let headOffset = 256
        public static let cachedTailOffset = 264
        public static let haltOffset = 384
        /// The data area starts here; the header takes this many bytes.
        public static let dataOffset = 512
        /// Every record starts with this many bytes: length (Int32), then type (Int32).
        public static let recordHeaderSize = 8
        /// Records start at multiples of this.
        public static let recordAlignment = 8
        /// "TRNB" read as a little-endian UInt32.
        public static let magic: UInt32 = 0x424E_5254
        public static let version: UInt16 = 1
        /// The type of padding records. Application types are 1...Int32.max.
        public static let paddingType: Int32 = -1
    }

    @usableFromInline let base: UnsafeMutableRawPointer
    @usableFromInline let data: UnsafeMutableRawPointer
    @usableFromInline let capacityBytes: UInt64
    @usableFromInline let maxLength: Int

    /// The memory needed for a ring with `capacity` data bytes.
    public static func byteCount(capacity: Int) -> Int { Layout.dataOffset + capacity }

    /// Formats `memory` as an empty ring, using the largest power-of-two data area that fits.
    ///
    /// - Parameters:
    ///   - memory: at least `byteCount(capacity: 64)` bytes (data areas above `maximumCapacity` are
    ///     capped), 8-byte aligned (128-byte aligned keeps the
    ///     control blocks on their own cache-line pairs).
    ///   - maxMessageLength: the longest body `tryClaim` accepts; default and upper limit: capacity / 8
    ///     rounded down to a multiple of 8, minus the record header (as Agrona), so a maximal record
    ///     always fits in an empty ring even after a padding record.
    /// - Throws: `ByteRingError` naming what is wrong with the memory or the limit.
    public init(formatting memory: UnsafeMutableRawBufferPointer, maxMessageLength: Int? = nil) throws(ByteRingError) {
        guard let start = memory.baseAddress else {
            throw .memoryTooSmall(byteCount: 0, required: Self.byteCount(capacity: 64))
        }
        guard Int(bitPattern: start) & 7 == 0 else { throw .misaligned(address: UInt(bitPattern: start)) }
        guard memory.count >= Self.byteCount(capacity: 64) else {
            throw .memoryTooSmall(byteCount: memory.count, required: Self.byteCount(capacity: 64))
        }
        let available = Swift.min(memory.count - Layout.dataOffset, Self.maximumCapacity)
        let capacity = 1 << (Int.bitWidth - 1 - available.leadingZeroBitCount)
        let limit = Self.maximumMessageLength(capacity: capacity)
        let chosen = maxMessageLength ?? limit
        guard chosen >= 0, chosen <= limit else {
            throw .invalidMaxMessageLength(requested: chosen, maximum: limit)
        }
        // Safe: every write below lies in the first `dataOffset` bytes, which `memory` holds.
        memory.initializeMemory(as: UInt8.self, repeating: 0)
        start.storeBytes(of: Layout.magic.littleEndian, toByteOffset: Layout.magicOffset, as: UInt32.self)
        start.storeBytes(of: Layout.version.littleEndian, toByteOffset: Layout.versionOffset, as: UInt16.self)
        start.storeBytes(
            of: UInt16(Layout.dataOffset).littleEndian, toByteOffset: Layout.headerSizeOffset, as: UInt16.self)
        start.storeBytes(of: UInt64(capacity).littleEndian, toByteOffset: Layout.capacityOffset, as: UInt64.self)
        start.storeBytes(of: UInt32(chosen).littleEndian, toByteOffset: Layout.maxMessageLengthOffset, as: UInt32.self)
        for offset in [Layout.tailOffset, Layout.headOffset] {
            (start + offset).bindMemory(to: Atomic<UInt64>.self, capacity: 1).initialize(to: Atomic(0))
        }
        _ = _HaltFlag(initializingAt: start + Layout.haltOffset)
        self.init(base: start, capacity: capacity, maxLength: chosen)
    }

    /// Attaches to a ring that `init(formatting:)` (here or in another process) laid out in `memory`,
    /// validating the header and positions.
    ///
    /// - Throws: `ByteRingError` with the offset and value of the first inconsistency.
    public init(attaching memory: UnsafeMutableRawBufferPointer) throws(ByteRingError) {
        guard let start = memory.baseAddress, memory.count >= Self.byteCount(capacity: 64) else {
            throw .memoryTooSmall(byteCount: memory.count, required: Self.byteCount(capacity: 64))
        }
        guard Int(bitPattern: start) & 7 == 0 else { throw .misaligned(address: UInt(bitPattern: start)) }
        let magic = UInt32(littleEndian: start.load(fromByteOffset: Layout.magicOffset, as: UInt32.self))
        guard magic == Layout.magic else {
            throw .badHeader(offset: Layout.magicOffset, field: .magic, value: UInt64(magic))
        }
        let version = UInt16(littleEndian: start.load(fromByteOffset: Layout.versionOffset, as: UInt16.self))
        guard version == Layout.version else {
            throw .badHeader(offset: Layout.versionOffset, field: .version, value: UInt64(version))
        }
        let headerSize = UInt16(littleEndian: start.load(fromByteOffset: Layout.headerSizeOffset, as: UInt16.self))
        guard headerSize == Layout.dataOffset else {
            throw .badHeader(offset: Layout.headerSizeOffset, field: .headerSize, value: UInt64(headerSize))
        }
        let capacity = UInt64(littleEndian: start.load(fromByteOffset: Layout.capacityOffset, as: UInt64.self))
        guard capacity >= 64, capacity & (capacity &- 1) == 0, capacity <= UInt64(memory.count - Layout.dataOffset),
            capacity <= UInt64(Self.maximumCapacity)
        else {
            throw .badHeader(offset: Layout.capacityOffset, field: .capacity, value: capacity)
        }
        let maxLength = UInt32(littleEndian: start.load(fromByteOffset: Layout.maxMessageLengthOffset, as: UInt32.self))
        guard Int(maxLength) <= Self.maximumMessageLength(capacity: Int(capacity)) else {
            throw .badHeader(offset: Layout.maxMessageLengthOffset, field: .maxMessageLength, value: UInt64(maxLength))
        }
        let ring = ByteRing(base: start, capacity: Int(capacity), maxLength: Int(maxLength))
        let head = ring.head.pointee.load(ordering: .acquiring)
        let tail = ring.tail.pointee.load(ordering: .acquiring)
        guard head & 7 == 0 else { throw .badHeader(offset: Layout.headOffset, field: .head, value: head) }
        guard tail & 7 == 0, tail >= head, tail - head <= capacity else {
            throw .badHeader(offset: Layout.tailOffset, field: .tail, value: tail)
        }
        self = ring
    }

    @usableFromInline
    init(base: UnsafeMutableRawPointer, capacity: Int, maxLength: Int) {
        self.base = base
        data = base + Layout.dataOffset
        capacityBytes = UInt64(capacity)
        self.maxLength = maxLength
    }

    /// The largest data area (1 GiB): record and padding lengths are 32-bit.
    public static var maximumCapacity: Int { 1 << 30 }

    /// The largest `maxMessageLength` for a data area of `capacity` bytes.
    public static func maximumMessageLength(capacity: Int) -> Int {
        (capacity / 8) & ~7 - Layout.recordHeaderSize
    }

    /// The size of the data area in bytes (a power of two).
    @inlinable public var capacity: Int { Int(truncatingIfNeeded: capacityBytes) }

    /// The longest record body `tryClaim` accepts.
    @inlinable public var maxMessageLength: Int { maxLength }

    // Safe (all five): bound by `init(formatting:)` (here or by a C producer using the same layout).
    @inlinable var tail: UnsafeMutablePointer<Atomic<UInt64>> {
        (base + Layout.tailOffset).assumingMemoryBound(to: Atomic<UInt64>.self)
    }
    @inlinable var cachedHead: UnsafeMutablePointer<UInt64> {
        (base + Layout.cachedHeadOffset).assumingMemoryBound(to: UInt64.self)
    }
    @inlinable var head: UnsafeMutablePointer<Atomic<UInt64>> {
        (base + Layout.headOffset).assumingMemoryBound(to: Atomic<UInt64>.self)
    }
    @inlinable var cachedTail: UnsafeMutablePointer<UInt64> {
        (base + Layout.cachedTailOffset).assumingMemoryBound(to: UInt64.self)
    }
    @inlinable var haltFlag: _HaltFlag { _HaltFlag(attachingAt: base + Layout.haltOffset) }

    // MARK: Producer

    /// A record being written: fill `body`, then `commit` or `abort` it.
    @frozen
    public struct Claim: @unchecked Sendable {
        /// The record's body, exactly as long as requested.
        public let body: UnsafeMutableRawBufferPointer
        /// The record's type.
        public let type: Int32
        /// The tail after this record (and any padding before it).
        @usableFromInline let end: UInt64

        @inlinable
        init(body: UnsafeMutableRawBufferPointer, type: Int32, end: UInt64) {
            self.body = body
            self.type = type
            self.end = end
        }
    }

    /// The outcome of `tryClaim`.
    @frozen
    public enum ClaimResult: @unchecked Sendable {
        /// Space is reserved; write the body, then `commit` (or `abort`).
        case claimed(Claim)
        /// Not enough free bytes now; nothing written.
        case full
        /// `length` is negative or above `maxMessageLength`.
        case tooLong
        /// `type` is not in 1...Int32.max.
        case invalidType
    }

    /// Reserves a record of `type` with a `length`-byte body. Never blocks.
    ///
    /// At most one claim is outstanding: a new `tryClaim` before `commit` abandons the previous one.
    @inlinable
    public func tryClaim(type: Int32, length: Int) -> ClaimResult {
        guard type > 0 else { return .invalidType }
        guard length >= 0, length <= maxLength else { return .tooLong }
        let recordLength = UInt64(truncatingIfNeeded: _roundUp(Layout.recordHeaderSize + length, to: Layout.recordAlignment))
        // Relaxed: only this thread stores `tail`.
        let position = tail.pointee.load(ordering: .relaxed)
        let offset = position & (capacityBytes &- 1)
        let toEnd = capacityBytes &- offset
        let padding = toEnd < recordLength ? toEnd : 0
        let needed = padding &+ recordLength
        if capacityBytes &- (position &- cachedHead.pointee) < needed {
            // Acquiring load of `head`; pairs with the releasing store of `head` in `read`, so the
            // consumer is done with the bytes we are about to overwrite.
            let head = head.pointee.load(ordering: .acquiring)
            cachedHead.pointee = head
            if capacityBytes &- (position &- head) < needed { return .full }
        }
        var recordOffset = offset
        if padding != 0 {
            // Safe: [offset, capacity) lies in the data area and is free.
            let pad = data + Int(truncatingIfNeeded: offset)
            pad.storeBytes(of: Int32(truncatingIfNeeded: padding).littleEndian, as: Int32.self)
            pad.storeBytes(of: Layout.paddingType.littleEndian, toByteOffset: 4, as: Int32.self)
            recordOffset = 0
        }
        // Safe: [recordOffset, recordOffset + recordLength) lies in the data area and is free.
        let record = data + Int(truncatingIfNeeded: recordOffset)
        record.storeBytes(of: Int32(truncatingIfNeeded: Layout.recordHeaderSize + length).littleEndian, as: Int32.self)
        record.storeBytes(of: type.littleEndian, toByteOffset: 4, as: Int32.self)
        return .claimed(
            Claim(
                body: UnsafeMutableRawBufferPointer(start: record + Layout.recordHeaderSize, count: length), type: type,
                end: position &+ needed))
    }

    /// Publishes a claimed record (and the padding before it, if any) to the consumer.
    @inlinable @inline(__always)
    public func commit(_ claim: Claim) {
        // Releasing store of `tail`; pairs with the acquiring load of `tail` in `read`.
        tail.pointee.store(claim.end, ordering: .releasing)
    }

    /// Drops a claimed record: nothing is published and the space is reused by the next claim.
    @inlinable @inline(__always)
    public func abort(_ claim: Claim) {}

    /// Copies `body` into a new record of `type` and publishes it. Never blocks.
    ///
    /// - Returns: what `tryClaim` returned; `.claimed` means the record is already published.
    @inlinable
    public func tryWrite(type: Int32, _ body: UnsafeRawBufferPointer) -> ClaimResult {
        let result = tryClaim(type: type, length: body.count)
        if case .claimed(let claim) = result {
            if let source = body.baseAddress, body.count > 0 {
                // Safe: the claim's body is exactly `body.count` bytes.
                claim.body.baseAddress!.copyMemory(from: source, byteCount: body.count)
            }
            commit(claim)
        }
        return result
    }

    // MARK: Consumer

    /// Calls `handler(type, body)` on up to `limit` records in order, skipping padding, then frees
    /// their bytes with one releasing store of `head`. Never blocks.
    ///
    /// The body is valid only inside `handler`. A record whose header is impossible (a producer bug or
    /// corrupted shared memory) stops the read: the records before it are delivered and freed, and
    /// the error names its position; the ring is left unchanged from there, so nothing is lost.
    ///
    /// - Returns: the number of records delivered.
    @inlinable
    public func read(
        limit: Int, _ handler: (_ type: Int32, _ body: UnsafeRawBufferPointer) -> Void
    ) throws(ByteRingError) -> Int {
        let start = head.pointee.load(ordering: .relaxed)
        var end = cachedTail.pointee
        var refreshed = false
        if end == start {
            refreshed = true
            // Acquiring load of `tail`; pairs with the releasing store in `commit`, so the records
            // before it are completely written.
            end = tail.pointee.load(ordering: .acquiring)
            cachedTail.pointee = end
            if end == start { return 0 }
        }
        var position = start
        var delivered = 0
        var failure: ByteRingError? = nil
        while delivered < limit {
            if position == end {
                // The cached tail is used up: look once more (acquiring; pairs with `commit`).
                if refreshed { break }
                refreshed = true
                end = tail.pointee.load(ordering: .acquiring)
                cachedTail.pointee = end
                if position == end { break }
            }
            let offset = position & (capacityBytes &- 1)
            // Safe: offset is 8-aligned and below capacity, so the 8-byte header is inside the area.
            let record = data + Int(truncatingIfNeeded: offset)
            let length = Int32(littleEndian: record.load(as: Int32.self))
            let type = Int32(littleEndian: record.load(fromByteOffset: 4, as: Int32.self))
            let span = UInt64(truncatingIfNeeded: _roundUp(Int(length), to: Layout.recordAlignment))
            let isPadding = type == Layout.paddingType
            let valid =
                length >= Int32(Layout.recordHeaderSize) && (type > 0 || isPadding)
                && span <= end &- position && span <= capacityBytes &- offset
                && (isPadding || Int(length) - Layout.recordHeaderSize <= maxLength)
            guard valid else {
                failure = .corruptRecord(position: position, length: length, type: type)
                break
            }
            if !isPadding {
                // Safe: the body lies inside the data area (checked above).
                handler(
                    type,
                    UnsafeRawBufferPointer(
                        start: record + Layout.recordHeaderSize, count: Int(length) - Layout.recordHeaderSize))
                delivered += 1
            }
            position &+= span
        }
        if position != start {
            // Releasing store of `head`; pairs with the acquiring load of `head` in `tryClaim`.
            head.pointee.store(position, ordering: .releasing)
        }
        if let failure { throw failure }
        return delivered
    }

    /// Waits with `strategy` until a record is ready or the ring is halted. Consumer thread only.
    @inlinable
    public func waitForData<W: WaitStrategy>(waiting strategy: W = BusySpinWait()) -> WaitResult {
        haltFlag.wait(strategy) {
            let position = head.pointee.load(ordering: .relaxed)
            if cachedTail.pointee != position { return true }
            // Acquiring load; pairs with the releasing store in `commit`.
            let tail = tail.pointee.load(ordering: .acquiring)
            cachedTail.pointee = tail
            return tail != position
        } ? .ready : .halted
    }

    // MARK: Any thread

    /// Stops every current and future wait on this ring until `resume()`; keeps every record.
    @inlinable public func halt() { haltFlag.raise() }

    /// Clears a `halt()`.
    @inlinable public func resume() { haltFlag.clear() }

    /// Whether the ring is halted.
    @inlinable public var isHalted: Bool { haltFlag.isRaised }

    /// Bytes of records (and padding) waiting to be read, at some instant during the call.
    @inlinable
    public var count: Int {
        let head = head.pointee.load(ordering: .acquiring)
        let tail = tail.pointee.load(ordering: .acquiring)
        return Int(truncatingIfNeeded: tail &- Swift.min(head, tail))
    }
}

/// A field of the byte ring header (for `ByteRingError.badHeader`).
public enum ByteRingHeaderField: Sendable, Equatable, CustomStringConvertible {
    case magic, version, headerSize, capacity, maxMessageLength, head, tail

    public var description: String {
        switch self {
        case .magic: "magic"
        case .version: "version"
        case .headerSize: "header size"
        case .capacity: "capacity"
        case .maxMessageLength: "max message length"
        case .head: "head"
        case .tail: "tail"
        }
    }
}

/// A byte ring could not be formatted or attached, or a record in it is impossible.
public enum ByteRingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The memory is smaller than the header plus a 64-byte data area.
    case memoryTooSmall(byteCount: Int, required: Int)
    /// The memory does not start at a multiple of 8.
    case misaligned(address: UInt)
    /// The requested maximum message length is negative or above the ring's limit.
    case invalidMaxMessageLength(requested: Int, maximum: Int)
    /// A header field of attached memory is not what `init(formatting:)` writes.
    case badHeader(offset: Int, field: ByteRingHeaderField, value: UInt64)
    /// A record header in the data area is impossible; `position` is its byte position.
    case corruptRecord(position: UInt64, length: Int32, type: Int32)

    public var description: String {
        switch self {
        case .memoryTooSmall(let byteCount, let required):
            "byte ring memory is \(byteCount) bytes; at least \(required) are needed (512-byte header + 64 data bytes)"
        case .misaligned(let address):
            "byte ring memory at 0x\(String(address, radix: 16)) is not 8-byte aligned"
        case .invalidMaxMessageLength(let requested, let maximum):
            "maximum message length \(requested) is not in 0...\(maximum) (capacity / 8 minus the 8-byte record header)"
        case .badHeader(let offset, let field, let value):
            "byte ring header: \(field) at offset \(offset) has an impossible value \(value)"
        case .corruptRecord(let position, let length, let type):
            "byte ring record at position \(position) has length \(length) and type \(type), which no producer writes"
        }
    }
}
