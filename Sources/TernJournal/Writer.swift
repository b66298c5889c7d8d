import CLiburing
import Synchronization
import TernCore
import TernQueues
import TernSystem

#if canImport(Glibc)
    import Glibc
#endif

/// When the journal thread calls `fdatasync`.
public enum SyncPolicy: Hashable, Sendable, CustomStringConvertible {
    /// After every batch it writes.
    case everyBatch
    /// When at least this long has passed since the last sync and something is unsynced (group
    /// commit). A quiet journal syncs at its next batch or at once when it goes idle.
    case interval(nanoseconds: Int64)
    /// Never (the OS writes back when it likes). `durableSequence` then means "handed to the OS":
    /// it survives a process crash, not a power cut.
    case none

    public var description: String {
        switch self {
        case .everyBatch: "every batch"
        case .interval(let ns): "every \(ns / 1000) µs"
        case .none: "no sync"
        }
    }
}

/// How the journal thread writes.
public enum JournalBackendChoice: Hashable, Sendable {
    /// io_uring, falling back to `pwrite` when the kernel refuses io_uring.
    case automatic
    /// io_uring or fail.
    case ioUring
    /// `pwrite` + `fdatasync`.
    case pwrite
}

public struct JournalOptions: Sendable {
    /// Bytes per segment file, pre-allocated, header included.
    public var segmentCapacity: Int = 64 << 20
    /// The byte ring between the engine thread and the journal thread (a power of two).
    public var ringCapacity: Int = 16 << 20
    public var sync: SyncPolicy = .interval(nanoseconds: 1_000_000)
    public var backend: JournalBackendChoice = .automatic
    /// The most bytes one write carries.
    public var batchBytes: Int = 1 << 20
    /// The journal thread's CPU, if it should be pinned.
    public var cpu: Int? = nil
    /// How long the idle journal thread sleeps between looks at the ring.
    public var idleSleepNanoseconds: Int = 20_000

    public init() {}
}

/// The journal's health, readable from any thread.
public enum JournalHealth: UInt8, Sendable {
    case running = 0
    /// A write or sync failed: nothing after `durableSequence` is durable, and the writer stopped.
    case failed = 1
    case closed = 2
}

/// An append-only journal written off the engine thread.
///
/// The engine thread calls `append`, which copies the record into an in-memory byte ring
/// (`TernQueues.ByteRing`) and never blocks or touches a file. A journal thread drains the ring
/// in batches, frames each record (length, type, sequence, timestamp, CRC-32C), writes the batch
/// through io_uring (or `pwrite`), calls `fdatasync` by the `SyncPolicy`, and then publishes the
/// durable-sequence watermark the engine reads with `durableSequence`. With io_uring the thread
/// frames the next batch into a second buffer while the kernel writes and syncs the previous one
/// (one batch in flight), so the CPU work and the disk wait overlap.
///
/// On a write or sync error (disk full, EIO) the writer stops, `health` becomes `.failed`,
/// `failure` names the error and the first sequence it affects, and `onFailure` (if set) runs on
/// the journal thread: the engine trips its kill switch by policy. Records up to
/// `durableSequence` stay durable; later ones are refused from then on (`append` returns 0).
///
/// Opening an existing journal recovers it first (`JournalReader(writable: true)`): a torn tail is
/// cut and reported in `recovery`, and numbering continues after the last record.
public final class JournalWriter: @unchecked Sendable {
    public let directory: String
    public let options: JournalOptions
    /// What opening found and repaired.
    public let recovery: RecoveryReport
    /// "io_uring" or "pwrite", and why pwrite when io_uring was asked for automatically.
    public private(set) var backendDescription: String = ""
    public var usesIoUring: Bool { ring != nil }

    // Engine thread.
    private let queue: ByteRing
    /// The ring's memory, pre-faulted so the first appends take no page fault.
    private let queueMemory: AlignedMemory
    private var nextSequence: UInt64

    // Shared.
    private let durable = Atomic<UInt64>(0)
    private let written = Atomic<UInt64>(0)
    private let state = Atomic<UInt8>(JournalHealth.running.rawValue)
    private let stopRequested = Atomic<Bool>(false)
    private let failureBox = Mutex<JournalError?>(nil)
    /// Called once, on the journal thread, when the writer fails.
    public let onFailure: (@Sendable (JournalError) -> Void)?

    // Journal thread.
    private var ring: UnsafeMutablePointer<io_uring>?
    private var fd: Int32 = -1
    private var segmentIndex: UInt64
    private var segmentPath = ""
    private var offset = 0
    /// Framed records on their way to the file: two buffers, each one batch plus room for one more
    /// largest record. The thread frames into `staging` while the other may be in flight.
    private let stagingMemory: AlignedMemory
    private var stagingIndex = 0
    private var staging: UnsafeMutableRawPointer { stagingMemory.base + stagingIndex &* stagingBytes }
    private var stagingBytes: Int { options.batchBytes + JournalFormat.span(payload: JournalFormat.maxPayload) }
    /// The batch io_uring is writing (and syncing, if `sync`) while the next one is framed.
    private var inFlight: InFlight?
    private struct InFlight {
        var buffer: UnsafeMutableRawPointer
        var count: Int
        var offset: Int
        var sync: Bool
        var first: UInt64
        var last: UInt64
    }
    private var thread: PinnedThread?

    /// Opens (creating if needed) the journal in `directory` and starts its thread.
    public convenience init(directory: String, options: JournalOptions = JournalOptions(), onFailure: (@Sendable (JournalError) -> Void)? = nil) throws(JournalError) {
        try Self.check(options)
        try Files.makeDirectory(directory)
        try self.init(continuing: JournalReader(directory: directory, writable: true), options: options, onFailure: onFailure)
    }

    /// Continues the journal `reader` opened (writable, so recovery is applied on disk) and starts
    /// the journal thread: for a caller that reads the journal first (a replay at start-up), so the
    /// files are read once.
    public init(continuing reader: JournalReader, options: JournalOptions = JournalOptions(), onFailure: (@Sendable (JournalError) -> Void)? = nil) throws(JournalError) {
        try Self.check(options)
        guard reader.isWritable else { throw JournalError(.misuse, "a writer continues a journal opened writable, so its torn tail is cut") }
        self.directory = reader.directory
        self.options = options
        self.onFailure = onFailure
        recovery = reader.recovery
        nextSequence = reader.nextSequence
        durable.store(nextSequence &- 1, ordering: .relaxed)
        written.store(nextSequence &- 1, ordering: .relaxed)
        do {
            stagingMemory = try AlignedMemory(
                byteCount: 2 * (options.batchBytes + JournalFormat.span(payload: JournalFormat.maxPayload)), alignment: 4096)
            queueMemory = try AlignedMemory(byteCount: ByteRing.byteCount(capacity: options.ringCapacity), alignment: 4096)
        } catch {
            throw JournalError(.io, errno: error.errno, "journal buffers: \(error)")
        }
        do {
            queue = try ByteRing(formatting: queueMemory.buffer, maxMessageLength: 16 + JournalFormat.maxPayload)
        } catch {
            throw JournalError(.misuse, "byte ring: \(error)")
        }
        if let last = reader.segments.last {
            segmentIndex = last.header.index
            segmentPath = last.path
            offset = last.end
        } else {
            segmentIndex = 0
        }
        do {
            try openBackend()
            if segmentIndex == 0 {
                try startSegment(firstSequence: nextSequence)
            } else {
                fd = try Files.open(segmentPath, O_WRONLY)
            }
        } catch {
            cleanUp()
            throw error
        }
        do {
            thread = try PinnedThread(name: "tern-journal", cpu: options.cpu) { [self] in run() }
        } catch {
            cleanUp()
            throw JournalError(.io, "start the journal thread: \(error)")
        }
    }

    static func check(_ options: JournalOptions) throws(JournalError) {
        guard options.ringCapacity > 0, options.ringCapacity & (options.ringCapacity - 1) == 0 else {
            throw JournalError(.misuse, "ringCapacity \(options.ringCapacity) is not a power of two")
        }
        guard options.segmentCapacity >= JournalFormat.headerSize + JournalFormat.span(payload: JournalFormat.maxPayload) else {
            throw JournalError(.misuse, "segmentCapacity \(options.segmentCapacity) cannot hold the largest record")
        }
    }

    deinit {
        if thread != nil { try? close() }
        cleanUp()
    }

    private func cleanUp() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
        if let ring {
            io_uring_queue_exit(ring)
            ring.deallocate()
            self.ring = nil
        }
    }

    // MARK: - Engine thread

    /// Appends one record; returns its sequence number, or 0 if the ring is full (the journal
    /// thread is behind), the payload is over `JournalFormat.maxPayload`, or the writer has failed
    /// or closed. Engine thread only; never blocks, never allocates.
    @inline(__always)
    public func append(type: UInt16, timestamp: Int64, payload: UnsafeRawBufferPointer) -> UInt64 {
        guard type != 0, state.load(ordering: .relaxed) == JournalHealth.running.rawValue else { return 0 }
        let sequence = nextSequence
        switch queue.tryClaim(type: Int32(type), length: 16 &+ payload.count) {
        case .claimed(let claim):
            let body = claim.body.baseAddress!
            body.storeBytes(of: sequence.littleEndian, as: UInt64.self)
            body.storeBytes(of: timestamp.littleEndian, toByteOffset: 8, as: Int64.self)
            if let src = payload.baseAddress, payload.count > 0 { (body + 16).copyMemory(from: src, byteCount: payload.count) }
            queue.commit(claim)
            nextSequence = sequence &+ 1
            return sequence
        default:
            return 0
        }
    }

    /// The sequence the next `append` will get.
    public var sequenceOfNextAppend: UInt64 { nextSequence }

    /// Every record up to this sequence is durable (by the `SyncPolicy`). Any thread.
    @inline(__always)
    public var durableSequence: UInt64 { durable.load(ordering: .acquiring) }

    /// Every record up to this sequence has been written to the file (perhaps not yet synced).
    public var writtenSequence: UInt64 { written.load(ordering: .acquiring) }

    public var health: JournalHealth { JournalHealth(rawValue: state.load(ordering: .acquiring)) ?? .failed }

    /// The error that stopped the writer, if any.
    public var failure: JournalError? { failureBox.withLock { $0 } }

    /// Waits (sleeping) until `sequence` is durable or the writer fails; true if durable.
    public func waitUntilDurable(_ sequence: UInt64) -> Bool {
        while durableSequence < sequence {
            if health != .running { return durableSequence >= sequence }
            usleep(50)
        }
        return true
    }

    /// Drains everything appended, syncs, stops the thread and closes the file. Throws the failure
    /// if the writer failed.
    public func close() throws(JournalError) {
        stopRequested.store(true, ordering: .releasing)
        if let t = thread.take() { t.join() }
        if let f = failure { throw f }
        state.store(JournalHealth.closed.rawValue, ordering: .releasing)
    }

    // MARK: - Journal thread

    /// Syncs what is written but not yet durable, and publishes it as durable.
    private func syncWritten() throws(JournalError) {
        let target = written.load(ordering: .relaxed)
        guard target != durable.load(ordering: .relaxed) else { return }
        try syncNow(first: durable.load(ordering: .relaxed) &+ 1)
        durable.store(target, ordering: .releasing)
    }

    private func run() {
        var lastSync = MonotonicClock.now().rawValue
        var staged = 0
        while true {
            let stopping = stopRequested.load(ordering: .acquiring)
            // 1. Frame records from the ring into the staging buffer, up to one batch. Each read
            //    takes one record so the batch stops at its size (staging has room for one more
            //    record of the largest size beyond `batchBytes`).
            do {
                while staged < options.batchBytes {
                    let n = try queue.read(limit: 1) { type, body in
                        let payload = body.count - 16
                        let p = staging + staged
                        (p + 32).copyMemory(from: body.baseAddress! + 16, byteCount: payload)
                        JournalFormat.frame(
                            p, type: UInt16(truncatingIfNeeded: type),
                            sequence: UInt64(littleEndian: body.loadUnaligned(as: UInt64.self)),
                            timestamp: Int64(littleEndian: body.loadUnaligned(fromByteOffset: 8, as: Int64.self)), payload: payload)
                        staged += JournalFormat.span(payload: payload)
                    }
                    if n == 0 { break }
                }
            } catch {
                fail(JournalError(.corruption, sequence: written.load(ordering: .relaxed) &+ 1, "journal ring: \(error)"))
                return
            }
            let now = MonotonicClock.now().rawValue
            do {
                if staged > 0 {
                    // 2. The whole records that fit in this segment.
                    let room = options.segmentCapacity - offset
                    var cut = 0
                    var lastSequence: UInt64 = 0
                    while cut < staged {
                        let length = Int(UInt32(littleEndian: (staging + cut).load(as: UInt32.self)))
                        let span = JournalFormat.span(payload: length - 32)
                        if cut + span > room { break }
                        lastSequence = UInt64(littleEndian: (staging + cut + 8).load(as: UInt64.self))
                        cut += span
                    }
                    let rollNeeded = cut < staged
                    let source = staging
                    if cut > 0 {
                        let first = UInt64(littleEndian: (staging + 8).load(as: UInt64.self))
                        let sync: Bool
                        switch options.sync {
                        case .everyBatch: sync = true
                        case .interval(let ns): sync = now &- lastSync >= ns || rollNeeded
                        case .none: sync = false
                        }
                        let batch = InFlight(buffer: staging, count: cut, offset: offset, sync: sync, first: first, last: lastSequence)
                        // One batch in flight: the previous one completes before this one starts,
                        // so `written` and `durable` advance in order.
                        try finishInFlight()
                        offset += cut
                        if ring != nil {
                            try queue(batch)
                            stagingIndex ^= 1
                        } else {
                            try Files.pwriteAll(fd, batch.buffer, cut, batch.offset, path: segmentPath, sequence: first)
                            if sync { try Files.datasync(fd, path: segmentPath, sequence: first) }
                            publish(batch)
                        }
                        if sync { lastSync = now }
                    }
                    if rollNeeded {
                        try finishInFlight()
                        try syncWritten()
                        let next = UInt64(littleEndian: (source + cut + 8).load(as: UInt64.self))
                        try startSegment(firstSequence: next)
                    }
                    // Keep what did not fit for the next segment, at the start of the buffer
                    // framed next (the other one when this one went out).
                    if cut < staged { staging.copyMemory(from: source + cut, byteCount: staged - cut) }
                    staged -= cut
                    continue
                }
                // Nothing new: let the batch in flight complete before sleeping.
                try finishInFlight()
                if written.load(ordering: .relaxed) != durable.load(ordering: .relaxed) {
                    // Idle with unsynced records: sync now rather than wait for more.
                    try syncWritten()
                    lastSync = now
                }
                if stopping { break }
                usleep(UInt32(max(1, options.idleSleepNanoseconds / 1000)))
            } catch {
                abandonInFlight()
                fail(error)
                return
            }
        }
    }

    /// Records a completed batch: written, and durable if it was synced (or syncing is off).
    private func publish(_ batch: InFlight) {
        written.store(batch.last, ordering: .releasing)
        if batch.sync || options.sync == .none { durable.store(batch.last, ordering: .releasing) }
    }

    /// Queues `batch`'s write (and its linked `fdatasync`) and returns without waiting.
    private func queue(_ batch: InFlight) throws(JournalError) {
        let ring = ring!
        let sqe = io_uring_get_sqe(ring)!
        io_uring_prep_write(sqe, fd, batch.buffer, UInt32(batch.count), UInt64(batch.offset))
        io_uring_sqe_set_data64(sqe, 1)
        if batch.sync {
            tern_sqe_link(sqe)
            prepareSync(ring)
        }
        let submitted = io_uring_submit(ring)
        guard submitted >= 0 else { throw Files.fail("io_uring_submit", segmentPath, -submitted, offset: batch.offset, sequence: batch.first) }
        inFlight = batch
    }

    /// Waits for the batch in flight and publishes it. A short write breaks the link (the sync
    /// completes with -ECANCELED), so the rest is queued again with its own linked sync and
    /// awaited: the sync that counts always follows the last byte.
    private func finishInFlight() throws(JournalError) {
        guard var batch = inFlight else { return }
        var synced: Int32 = 0
        while true {
            inFlight = nil
            let wrote: Int32
            (wrote, synced) = try reap(ring!, batch.sync ? 2 : 1, offset: batch.offset, first: batch.first)
            if wrote < 0 { throw Files.fail("write", segmentPath, -wrote, offset: batch.offset, sequence: batch.first) }
            if wrote == 0 { throw Files.fail("write", segmentPath, ENOSPC, offset: batch.offset, sequence: batch.first) }
            guard Int(wrote) < batch.count else { break }
            batch.buffer += Int(wrote)
            batch.count -= Int(wrote)
            batch.offset += Int(wrote)
            try queue(batch)
        }
        if batch.sync, synced < 0 { throw Files.fail("fdatasync", segmentPath, -synced, offset: batch.offset, sequence: batch.first) }
        publish(batch)
    }

    /// On failure: wait for the kernel to let go of the buffer in flight, ignoring its result.
    private func abandonInFlight() {
        guard let batch = inFlight, let ring else { return }
        inFlight = nil
        _ = try? reap(ring, batch.sync ? 2 : 1, offset: batch.offset, first: batch.first)
    }

    private func fail(_ error: JournalError) {
        failureBox.withLock { if $0 == nil { $0 = error } }
        state.store(JournalHealth.failed.rawValue, ordering: .releasing)
        onFailure?(error)
    }

    private func syncNow(first: UInt64) throws(JournalError) {
        guard let ring else { return try Files.datasync(fd, path: segmentPath, sequence: first) }
        prepareSync(ring)
        let (_, synced) = try complete(ring, 1, offset: -1, first: first)
        if synced < 0 { throw Files.fail("fdatasync", segmentPath, -synced, sequence: first) }
    }

    /// Queues an `fdatasync` of the segment (user data 2).
    private func prepareSync(_ ring: UnsafeMutablePointer<io_uring>) {
        let s = io_uring_get_sqe(ring)!
        io_uring_prep_fsync(s, fd, UInt32(IORING_FSYNC_DATASYNC))
        io_uring_sqe_set_data64(s, 2)
    }

    /// Submits what is queued, waits for `count` completions, and returns the write's and the
    /// sync's results (0 for the one not queued; negative: -errno).
    private func complete(_ ring: UnsafeMutablePointer<io_uring>, _ count: UInt32, offset: Int, first: UInt64) throws(JournalError) -> (write: Int32, sync: Int32) {
        let submitted = io_uring_submit_and_wait(ring, count)
        guard submitted >= 0 else { throw Files.fail("io_uring_submit", segmentPath, -submitted, offset: offset, sequence: first) }
        return try reap(ring, count, offset: offset, first: first)
    }

    /// Waits for `count` completions already submitted (user data 1: the write, 2: the sync).
    private func reap(_ ring: UnsafeMutablePointer<io_uring>, _ count: UInt32, offset: Int, first: UInt64) throws(JournalError) -> (write: Int32, sync: Int32) {
        var result: (write: Int32, sync: Int32) = (0, 0)
        for _ in 0..<count {
            var cqe: UnsafeMutablePointer<io_uring_cqe>? = nil
            let rc = io_uring_wait_cqe(ring, &cqe)
            guard rc == 0, let c = cqe else { throw Files.fail("io_uring_wait_cqe", segmentPath, -rc, offset: offset, sequence: first) }
            if c.pointee.user_data == 1 { result.write = c.pointee.res } else { result.sync = c.pointee.res }
            io_uring_cqe_seen(ring, c)
        }
        return result
    }

    private func openBackend() throws(JournalError) {
        if options.backend == .pwrite {
            backendDescription = "pwrite + fdatasync"
            return
        }
        let r = UnsafeMutablePointer<io_uring>.allocate(capacity: 1)
        let rc = io_uring_queue_init(8, r, 0)
        if rc == 0 {
            ring = r
            backendDescription = "io_uring"
            return
        }
        r.deallocate()
        if options.backend == .ioUring { throw Files.fail("io_uring_queue_init", directory, -rc) }
        backendDescription = "pwrite + fdatasync (io_uring unavailable: \(SystemError.text(errno: -rc)))"
    }

    /// Creates, pre-allocates and syncs the next segment, whose first record is `firstSequence`.
    private func startSegment(firstSequence: UInt64) throws(JournalError) {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
        segmentIndex += 1
        segmentPath = directory + "/" + JournalFormat.segmentName(segmentIndex)
        let newFD = try Files.open(segmentPath, O_RDWR | O_CREAT | O_EXCL)
        fd = newFD
        let rc = posix_fallocate(newFD, 0, off_t(options.segmentCapacity))
        if rc != 0 {
            // Leave no half-made segment behind: the reader would take it for the tail.
            Glibc.close(newFD)
            fd = -1
            unlink(segmentPath)
            throw Files.fail("fallocate \(options.segmentCapacity) bytes", segmentPath, rc, sequence: firstSequence)
        }
        var header = [UInt8](repeating: 0, count: JournalFormat.headerSize)
        header.withUnsafeMutableBytes {
            JournalFormat.writeHeader(
                $0.baseAddress!, index: segmentIndex, firstSequence: firstSequence, created: WallClock.now().rawValue,
                capacity: UInt64(options.segmentCapacity))
        }
        try withBytes(header) { raw throws(JournalError) in
            try Files.pwriteAll(newFD, raw.baseAddress!, raw.count, 0, path: segmentPath, sequence: firstSequence)
        }
        try Files.datasync(newFD, path: segmentPath, sequence: firstSequence)
        try Files.syncDirectory(directory)
        offset = JournalFormat.headerSize
    }
}
