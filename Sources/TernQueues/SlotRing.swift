public import Synchronization

/// A single-producer single-consumer ring of fixed-size slots over memory you provide (a
/// shared mapping, a file, a C buffer), so a C process can produce into it and a Swift engine
/// consume, or the reverse. The C ABI's `tern_spsc_ring_*` functions are this type.
///
/// ```
///  offset   0 ┌─ header (written once by init(formatting:)) ─────────────────────────────┐
///             │ +0 magic "TRNS" UInt32 LE   +4 version UInt16 = 1   +6 header size = 512   │
///             │ +8 slot size UInt32 (bytes, multiple of 8)   +16 capacity UInt64 (slots)   │
///             │ +24 slot count UInt64 (a power of two ≥ capacity)                          │
///  offset 128 ├─ producer block: +0 tail Atomic<UInt64> (next position), +8 cached head ──┤
///  offset 256 ├─ consumer block: +0 head Atomic<UInt64> (next position), +8 cached tail ──┤
///  offset 384 ├─ reserved ─────────────────────────────────────────────────────────────────┤
///  offset 512 ├─ slots: slot count × (8 + slot size) bytes ────────────────────────────────┤
///             │   each: +0 length UInt32 LE, +4 reserved, +8 the message (slot size bytes) │
///             └────────────────────────────────────────────────────────────────────────────┘
/// ```
///
/// Positions are 64-bit and never wrap; position `p` lives in slot `p & (slot count − 1)`. The ring
/// is empty when tail == head and full when tail − head == capacity (exact: no slot is sacrificed).
/// Each side re-reads the other's position only when its cached copy says full (producer) or
/// empty (consumer). One producer thread and one consumer thread, in any processes.
public struct SlotRing: @unchecked Sendable {
    // Safe (@unchecked Sendable): the value holds raw pointers into memory the caller keeps alive;
    // the shared words are atomics, and each plain word has a single writer (the side it belongs to).

    /// Byte offsets of the layout above.
    public enum Layout {
        public static let magicOffset = 0
        public static let versionOffset = 4
        public static let headerSizeOffset = 6
        public static let slotSizeOffset = 8
        public static let capacityOffset = 16
        public static let slotCountOffset = 24
        public static let tailOffset = 128
        public static let cachedHeadOffset = 136
        public static let headOffset = 256
        public static let cachedTailOffset = 264
        public static let dataOffset = 512
        /// The length word before each message.
        public static let slotHeaderSize = 8
        /// "TRNS" read as a little-endian UInt32.
        public static let magic: UInt32 = 0x534E_5254
        public static let version: UInt16 = 1
    }

    /// The largest slot (64 KiB) and the most slots (2^30).
    public static var maximumSlotSize: Int { 1 << 16 }
    public static var maximumCapacity: Int { 1 << 30 }

    @usableFromInline let base: UnsafeMutableRawPointer
    @usableFromInline let slots: UnsafeMutableRawPointer
    /// Bytes of one message at most.
    public let slotSize: Int
    /// Messages the ring holds when full.
    public let capacity: Int
    @usableFromInline let mask: UInt64
    @usableFromInline let stride: Int

    /// Bytes of memory a ring of `capacity` slots of `slotSize` bytes needs, or nil if either is
    /// out of range (slot size 8...64 KiB, a multiple of 8; capacity 1...2^30).
    public static func byteCount(slotSize: Int, capacity: Int) -> Int? {
        guard slotSize >= 8, slotSize <= maximumSlotSize, slotSize & 7 == 0, capacity >= 1, capacity <= maximumCapacity else { return nil }
        return Layout.dataOffset + _powerOfTwo(atLeast: capacity) * (Layout.slotHeaderSize + slotSize)
    }

    /// Formats `memory` as an empty ring.
    ///
    /// - Throws: `SlotRingError` if the sizes are out of range, the memory is too small or not
    ///   8-byte aligned (128-byte alignment keeps the two sides' words on separate cache lines).
    public init(formatting memory: UnsafeMutableRawBufferPointer, slotSize: Int, capacity: Int) throws(SlotRingError) {
        guard let needed = Self.byteCount(slotSize: slotSize, capacity: capacity) else {
            throw .invalidSize(slotSize: slotSize, capacity: capacity)
        }
        guard let start = memory.baseAddress, memory.count >= needed else { throw .memoryTooSmall(byteCount: memory.count, required: needed) }
        guard Int(bitPattern: start) & 7 == 0 else { throw .misaligned(address: UInt(bitPattern: start)) }
        // Safe: every write below lies in the first `dataOffset` bytes, which `memory` holds.
        UnsafeMutableRawBufferPointer(start: start, count: Layout.dataOffset).initializeMemory(as: UInt8.self, repeating: 0)
        let slotCount = _powerOfTwo(atLeast: capacity)
        start.storeBytes(of: Layout.version.littleEndian, toByteOffset: Layout.versionOffset, as: UInt16.self)
        start.storeBytes(of: UInt16(Layout.dataOffset).littleEndian, toByteOffset: Layout.headerSizeOffset, as: UInt16.self)
        start.storeBytes(of: UInt32(slotSize).littleEndian, toByteOffset: Layout.slotSizeOffset, as: UInt32.self)
        start.storeBytes(of: UInt64(capacity).littleEndian, toByteOffset: Layout.capacityOffset, as: UInt64.self)
        start.storeBytes(of: UInt64(slotCount).littleEndian, toByteOffset: Layout.slotCountOffset, as: UInt64.self)
        for offset in [Layout.tailOffset, Layout.headOffset] {
            (start + offset).bindMemory(to: Atomic<UInt64>.self, capacity: 1).initialize(to: Atomic(0))
        }
        // The magic goes last, after a release fence: a process attaching while another formats
        // sees either no magic (and retries) or a whole header.
        atomicMemoryFence(ordering: .releasing)
        start.storeBytes(of: Layout.magic.littleEndian, toByteOffset: Layout.magicOffset, as: UInt32.self)
        self.init(base: start, slotSize: slotSize, capacity: capacity, slotCount: slotCount)
    }

    /// Attaches to a ring `init(formatting:)` laid out in `memory` (here or in another process).
    ///
    /// - Throws: `SlotRingError.badHeader` naming the first field that is impossible.
    public init(attaching memory: UnsafeMutableRawBufferPointer) throws(SlotRingError) {
        guard let start = memory.baseAddress, memory.count >= Layout.dataOffset else {
            throw .memoryTooSmall(byteCount: memory.count, required: Layout.dataOffset)
        }
        guard Int(bitPattern: start) & 7 == 0 else { throw .misaligned(address: UInt(bitPattern: start)) }
        func field<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T { T(littleEndian: start.load(fromByteOffset: offset, as: T.self)) }
        let magic = field(Layout.magicOffset, UInt32.self)
        guard magic == Layout.magic else { throw .badHeader(field: "magic", offset: Layout.magicOffset, value: UInt64(magic)) }
        atomicMemoryFence(ordering: .acquiring)  // pairs with the formatter's fence before the magic
        let version = field(Layout.versionOffset, UInt16.self)
        guard version == Layout.version else { throw .badHeader(field: "version", offset: Layout.versionOffset, value: UInt64(version)) }
        let headerSize = field(Layout.headerSizeOffset, UInt16.self)
        guard headerSize == Layout.dataOffset else {
            throw .badHeader(field: "header size", offset: Layout.headerSizeOffset, value: UInt64(headerSize))
        }
        let slotSize = Int(field(Layout.slotSizeOffset, UInt32.self))
        let capacity = field(Layout.capacityOffset, UInt64.self)
        let slotCount = field(Layout.slotCountOffset, UInt64.self)
        guard capacity >= 1, capacity <= UInt64(Self.maximumCapacity),
            let needed = Self.byteCount(slotSize: slotSize, capacity: Int(capacity))
        else { throw .badHeader(field: "slot size or capacity", offset: Layout.slotSizeOffset, value: UInt64(slotSize)) }
        guard slotCount == UInt64(_powerOfTwo(atLeast: Int(capacity))) else {
            throw .badHeader(field: "slot count", offset: Layout.slotCountOffset, value: slotCount)
        }
        guard memory.count >= needed else { throw .memoryTooSmall(byteCount: memory.count, required: needed) }
        let ring = SlotRing(base: start, slotSize: slotSize, capacity: Int(capacity), slotCount: Int(slotCount))
        let head = ring.head.pointee.load(ordering: .acquiring)
        let tail = ring.tail.pointee.load(ordering: .acquiring)
        guard tail >= head, tail - head <= capacity else { throw .badHeader(field: "tail", offset: Layout.tailOffset, value: tail) }
        self = ring
    }

    init(base: UnsafeMutableRawPointer, slotSize: Int, capacity: Int, slotCount: Int) {
        self.base = base
        slots = base + Layout.dataOffset
        self.slotSize = slotSize
        self.capacity = capacity
        mask = UInt64(slotCount - 1)
        stride = Layout.slotHeaderSize + slotSize
    }

    // Safe (all four): `init` bound these words (formatting) or found them bound by the formatter.
    @inlinable var tail: UnsafeMutablePointer<Atomic<UInt64>> { (base + Layout.tailOffset).assumingMemoryBound(to: Atomic<UInt64>.self) }
    @inlinable var cachedHead: UnsafeMutablePointer<UInt64> { (base + Layout.cachedHeadOffset).assumingMemoryBound(to: UInt64.self) }
    @inlinable var head: UnsafeMutablePointer<Atomic<UInt64>> { (base + Layout.headOffset).assumingMemoryBound(to: Atomic<UInt64>.self) }
    @inlinable var cachedTail: UnsafeMutablePointer<UInt64> { (base + Layout.cachedTailOffset).assumingMemoryBound(to: UInt64.self) }

    @inlinable @inline(__always)
    func slot(_ position: UInt64) -> UnsafeMutableRawPointer { slots + Int(truncatingIfNeeded: position & mask) &* stride }

    // MARK: Producer (one thread)

    /// Copies `message` (at most `slotSize` bytes) into the next slot. False if the ring is full
    /// or the message is longer than a slot.
    @inlinable
    public func tryWrite(_ message: UnsafeRawBufferPointer) -> Bool {
        guard message.count <= slotSize else { return false }
        // Relaxed: only this thread stores `tail`.
        let position = tail.pointee.load(ordering: .relaxed)
        if position &- cachedHead.pointee >= UInt64(truncatingIfNeeded: capacity) {
            // Acquiring load of `head`; pairs with the releasing store in `tryRead`, so the
            // consumer's copy out of the slot happens before we overwrite it.
            let head = head.pointee.load(ordering: .acquiring)
            cachedHead.pointee = head
            if position &- head >= UInt64(truncatingIfNeeded: capacity) { return false }
        }
        let s = slot(position)
        s.storeBytes(of: UInt32(truncatingIfNeeded: message.count).littleEndian, as: UInt32.self)
        if let source = message.baseAddress, message.count > 0 {
            (s + Layout.slotHeaderSize).copyMemory(from: source, byteCount: message.count)
        }
        // Releasing store of `tail`; pairs with the acquiring load in `tryRead`: the message is
        // visible before the position that publishes it.
        tail.pointee.store(position &+ 1, ordering: .releasing)
        return true
    }

    /// Writes the bytes of `value` (at most `slotSize`).
    @inlinable
    public func tryPush<T: BitwiseCopyable>(_ value: T) -> Bool {
        withUnsafeBytes(of: value) { tryWrite($0) }
    }

    // MARK: Consumer (one thread)

    /// Copies the oldest message into `buffer` and frees its slot; its length, or nil if the ring
    /// is empty. A message longer than `buffer` is truncated to it (the length says so).
    @inlinable
    public func tryRead(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        // Relaxed: only this thread stores `head`.
        let position = head.pointee.load(ordering: .relaxed)
        if position == cachedTail.pointee {
            // Acquiring load of `tail`; pairs with the releasing store in `tryWrite`.
            let tail = tail.pointee.load(ordering: .acquiring)
            cachedTail.pointee = tail
            if position == tail { return nil }
        }
        let s = slot(position)
        // A length beyond the slot can only come from a broken producer: clamp, never overread.
        let length = Swift.min(Int(UInt32(littleEndian: s.load(as: UInt32.self))), slotSize)
        if let target = buffer.baseAddress {
            target.copyMemory(from: s + Layout.slotHeaderSize, byteCount: Swift.min(length, buffer.count))
        }
        // Releasing store of `head`; pairs with the acquiring load in `tryWrite`.
        head.pointee.store(position &+ 1, ordering: .releasing)
        return length
    }

    /// The oldest message as a `T` (its first `MemoryLayout<T>.size` bytes), or nil if empty.
    @inlinable
    public func tryPop<T: BitwiseCopyable>(as type: T.Type = T.self) -> T? {
        withUnsafeTemporaryAllocation(of: T.self, capacity: 1) { buffer -> T? in
            guard tryRead(into: UnsafeMutableRawBufferPointer(buffer)) != nil else { return nil }
            return UnsafeRawPointer(buffer.baseAddress!).loadUnaligned(as: T.self)
        }
    }

    /// Messages in the ring now (a snapshot; any thread).
    public var count: Int {
        let head = head.pointee.load(ordering: .acquiring)
        let tail = tail.pointee.load(ordering: .acquiring)
        return Int(truncatingIfNeeded: tail &- head)
    }
}

/// A slot ring could not be formatted or attached.
public enum SlotRingError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidSize(slotSize: Int, capacity: Int)
    case memoryTooSmall(byteCount: Int, required: Int)
    case misaligned(address: UInt)
    case badHeader(field: String, offset: Int, value: UInt64)

    public var description: String {
        switch self {
        case .invalidSize(let slotSize, let capacity):
            "slot size \(slotSize) must be 8...65536 and a multiple of 8, capacity \(capacity) must be 1...2^30"
        case .memoryTooSmall(let byteCount, let required): "slot ring memory is \(byteCount) bytes; \(required) are needed"
        case .misaligned(let address): "slot ring memory at 0x\(String(address, radix: 16)) is not 8-byte aligned"
        case .badHeader(let field, let offset, let value): "slot ring header: \(field) at offset \(offset) has an impossible value \(value)"
        }
    }
}
