public import CTern
import TernQueues

// Rings over caller-provided or shared memory: `tern_spsc_ring_t` is TernQueues.SlotRing,
// `tern_byte_ring_t` is TernQueues.ByteRing. A handle is a small local view of the memory.

final class SlotRingHandle: Handle {
    let ring: SlotRing
    init(_ ring: SlotRing) {
        self.ring = ring
        super.init(.spscRing)
    }
}

final class ByteRingHandle: Handle {
    let ring: ByteRing
    /// The claim `tern_byte_ring_claim` handed out and not yet committed or aborted.
    var pending: ByteRing.Claim?
    init(_ ring: ByteRing) {
        self.ring = ring
        super.init(.byteRing)
    }
}

@inline(__always)
func withSlotRing(_ pointer: OpaquePointer?, _ function: StaticString = #function, _ body: (SlotRingHandle) -> tern_status_t) -> tern_status_t {
    withHandle(pointer, .spscRing, SlotRingHandle.self, "ring", function, body)
}

@inline(__always)
func withByteRing(_ pointer: OpaquePointer?, _ function: StaticString = #function, _ body: (ByteRingHandle) -> tern_status_t) -> tern_status_t {
    withHandle(pointer, .byteRing, ByteRingHandle.self, "ring", function, body)
}

// MARK: SPSC slot ring

@c @implementation
public func tern_spsc_ring_memory_size(_ slot_size: UInt32, _ capacity: UInt64, _ out_bytes: UnsafeMutablePointer<Int>?) -> tern_status_t {
    guard let out_bytes else { return null("out_bytes") }
    guard capacity <= UInt64(SlotRing.maximumCapacity), let n = SlotRing.byteCount(slotSize: Int(slot_size), capacity: Int(capacity)) else {
        return fail(TERN_E_INVALID, "tern_spsc_ring_memory_size: \(SlotRingError.invalidSize(slotSize: Int(slot_size), capacity: Int(clamping: capacity)))")
    }
    return ok(out_bytes, n)
}

@c @implementation
public func tern_spsc_ring_format(
    _ memory: UnsafeMutableRawPointer?, _ memory_length: Int, _ slot_size: UInt32, _ capacity: UInt64, _ out_ring: UnsafeMutablePointer<OpaquePointer?>?
) -> tern_status_t {
    guard let memory else { return null("memory") }
    guard let out_ring else { return null("out_ring") }
    do throws(SlotRingError) {
        let ring = try SlotRing(
            formatting: UnsafeMutableRawBufferPointer(start: memory, count: memory_length), slotSize: Int(slot_size), capacity: Int(clamping: capacity))
        return ok(out_ring, retained(SlotRingHandle(ring)))
    } catch {
        return fail(TERN_E_INVALID, "tern_spsc_ring_format: \(error)")
    }
}

@c @implementation
public func tern_spsc_ring_attach(_ memory: UnsafeMutableRawPointer?, _ memory_length: Int, _ out_ring: UnsafeMutablePointer<OpaquePointer?>?) -> tern_status_t {
    guard let memory else { return null("memory") }
    guard let out_ring else { return null("out_ring") }
    do throws(SlotRingError) {
        let ring = try SlotRing(attaching: UnsafeMutableRawBufferPointer(start: memory, count: memory_length))
        return ok(out_ring, retained(SlotRingHandle(ring)))
    } catch {
        return fail(TERN_E_INVALID, "tern_spsc_ring_attach: \(error)")
    }
}

@c @implementation
public func tern_spsc_ring_push(_ ring: OpaquePointer?, _ message: UnsafeRawPointer?, _ length: Int) -> tern_status_t {
    withSlotRing(ring) { h in
        guard message != nil || length == 0 else { return null("message") }
        guard length <= h.ring.slotSize else {
            return fail(TERN_E_INVALID, "tern_spsc_ring_push: a \(length)-byte message does not fit a \(h.ring.slotSize)-byte slot")
        }
        return h.ring.tryWrite(UnsafeRawBufferPointer(start: message, count: length)) ? TERN_OK : TERN_E_FULL
    }
}

@c @implementation
public func tern_spsc_ring_pop(_ ring: OpaquePointer?, _ buffer: UnsafeMutableRawPointer?, _ capacity: Int, _ out_length: UnsafeMutablePointer<Int>?) -> tern_status_t {
    withSlotRing(ring) { h in
        guard let buffer else { return null("buffer") }
        guard capacity >= h.ring.slotSize else {
            return fail(TERN_E_TOO_SMALL, "tern_spsc_ring_pop: the buffer has \(capacity) bytes; a slot holds up to \(h.ring.slotSize)")
        }
        guard let n = h.ring.tryRead(into: UnsafeMutableRawBufferPointer(start: buffer, count: capacity)) else { return TERN_E_EMPTY }
        out_length?.pointee = n
        return TERN_OK
    }
}

@c @implementation
public func tern_spsc_ring_count(_ ring: OpaquePointer?, _ out_count: UnsafeMutablePointer<UInt64>?) -> tern_status_t {
    withSlotRing(ring) { h in
        guard let out_count else { return null("out_count") }
        return ok(out_count, UInt64(h.ring.count))
    }
}

@c @implementation
public func tern_spsc_ring_free(_ ring: OpaquePointer?) {
    guard let ring else { return }
    release(ring, .spscRing)
}

// MARK: Byte ring

@c @implementation
public func tern_byte_ring_memory_size(_ capacity: UInt64, _ out_bytes: UnsafeMutablePointer<Int>?) -> tern_status_t {
    guard let out_bytes else { return null("out_bytes") }
    guard capacity >= 64, capacity <= UInt64(ByteRing.maximumCapacity), capacity & (capacity - 1) == 0 else {
        return fail(TERN_E_INVALID, "tern_byte_ring_memory_size: capacity \(capacity) is not a power of two in 64...\(ByteRing.maximumCapacity)")
    }
    return ok(out_bytes, ByteRing.byteCount(capacity: Int(capacity)))
}

@c @implementation
public func tern_byte_ring_format(
    _ memory: UnsafeMutableRawPointer?, _ memory_length: Int, _ max_message_length: UInt32, _ out_ring: UnsafeMutablePointer<OpaquePointer?>?
) -> tern_status_t {
    guard let memory else { return null("memory") }
    guard let out_ring else { return null("out_ring") }
    do throws(ByteRingError) {
        let ring = try ByteRing(
            formatting: UnsafeMutableRawBufferPointer(start: memory, count: memory_length), maxMessageLength: max_message_length == 0 ? nil : Int(max_message_length))
        return ok(out_ring, retained(ByteRingHandle(ring)))
    } catch {
        return fail(TERN_E_INVALID, "tern_byte_ring_format: \(error)")
    }
}

@c @implementation
public func tern_byte_ring_attach(_ memory: UnsafeMutableRawPointer?, _ memory_length: Int, _ out_ring: UnsafeMutablePointer<OpaquePointer?>?) -> tern_status_t {
    guard let memory else { return null("memory") }
    guard let out_ring else { return null("out_ring") }
    do throws(ByteRingError) {
        let ring = try ByteRing(attaching: UnsafeMutableRawBufferPointer(start: memory, count: memory_length))
        return ok(out_ring, retained(ByteRingHandle(ring)))
    } catch {
        return fail(TERN_E_INVALID, "tern_byte_ring_attach: \(error)")
    }
}

/// The status for a claim that did not succeed.
func claimFailure(_ result: ByteRing.ClaimResult, _ ring: ByteRing, _ type: Int32, _ length: Int, _ function: StaticString = #function) -> tern_status_t {
    switch result {
    case .claimed: TERN_OK
    case .full: TERN_E_FULL
    case .tooLong: fail(TERN_E_INVALID, "\(name(function)): a \(length)-byte record is longer than the ring's limit of \(ring.maxMessageLength)")
    case .invalidType: fail(TERN_E_INVALID, "\(name(function)): record type \(type) is not positive")
    }
}

@c @implementation
public func tern_byte_ring_write(_ ring: OpaquePointer?, _ type: Int32, _ body: UnsafeRawPointer?, _ length: Int) -> tern_status_t {
    withByteRing(ring) { h in
        guard body != nil || length == 0 else { return null("body") }
        guard h.pending == nil else { return fail(TERN_E_STATE, "tern_byte_ring_write: a claim is open; commit or abort it first") }
        let result = h.ring.tryWrite(type: type, UnsafeRawBufferPointer(start: body, count: length))
        if case .claimed = result { return TERN_OK }
        return claimFailure(result, h.ring, type, length)
    }
}

@c @implementation
public func tern_byte_ring_claim(_ ring: OpaquePointer?, _ type: Int32, _ length: Int, _ out_body: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> tern_status_t {
    withByteRing(ring) { h in
        guard let out_body else { return null("out_body") }
        guard h.pending == nil else { return fail(TERN_E_STATE, "tern_byte_ring_claim: a claim is open; commit or abort it first") }
        let result = h.ring.tryClaim(type: type, length: length)
        guard case .claimed(let claim) = result else { return claimFailure(result, h.ring, type, length) }
        h.pending = claim
        // A zero-length body has no address of its own: hand out the record's end.
        return ok(out_body, claim.body.baseAddress)
    }
}

@c @implementation
public func tern_byte_ring_commit(_ ring: OpaquePointer?) -> tern_status_t {
    withByteRing(ring) { h in
        guard let claim = h.pending else { return fail(TERN_E_STATE, "tern_byte_ring_commit: no claim is open") }
        h.ring.commit(claim)
        h.pending = nil
        return TERN_OK
    }
}

@c @implementation
public func tern_byte_ring_abort(_ ring: OpaquePointer?) -> tern_status_t {
    withByteRing(ring) { h in
        guard let claim = h.pending else { return fail(TERN_E_STATE, "tern_byte_ring_abort: no claim is open") }
        h.ring.abort(claim)
        h.pending = nil
        return TERN_OK
    }
}

@c @implementation
public func tern_byte_ring_read(
    _ ring: OpaquePointer?, _ limit: UInt32, _ fn: tern_record_fn?, _ user_data: UnsafeMutableRawPointer?, _ out_count: UnsafeMutablePointer<UInt32>?
) -> tern_status_t {
    withByteRing(ring) { h in
        guard let fn else { return null("fn") }
        var count: UInt32 = 0
        var stop = false
        // One record per read, so a callback that asks to stop leaves the rest in the ring.
        while !stop && (limit == 0 || count < limit) {
            let n: Int
            do throws(ByteRingError) {
                n = try h.ring.read(limit: 1) { type, body in
                    stop = fn(user_data, type, body.baseAddress, body.count) != 0
                }
            } catch {
                out_count?.pointee = count
                return fail(TERN_E_PARSE, "tern_byte_ring_read: \(error)")
            }
            if n == 0 { break }
            count += 1
        }
        out_count?.pointee = count
        return count == 0 ? TERN_E_EMPTY : TERN_OK
    }
}

@c @implementation
public func tern_byte_ring_free(_ ring: OpaquePointer?) {
    guard let ring else { return }
    release(ring, .byteRing)
}
