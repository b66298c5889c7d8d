// Ring probes: each hot ring operation, specialized for a 64-byte message exactly as a client
// module gets it.

public import TernQueues

/// A 64-byte, one-cache-line message.
@frozen
public struct ProbeMessage: BitwiseCopyable {
    public var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
}

/// `SPSCRing.tryPush`.
@inline(never)
public func probeSPSCTryPush(_ ring: SPSCRing<ProbeMessage>, _ message: ProbeMessage) -> PushResult {
    ring.tryPush(message)
}

/// `SPSCRing.tryPop`.
@inline(never)
public func probeSPSCTryPop(_ ring: SPSCRing<ProbeMessage>) -> ProbeMessage? {
    ring.tryPop()
}

/// `SPSCRing.claim` followed by an in-place write.
@inline(never)
public func probeSPSCClaim(_ ring: SPSCRing<ProbeMessage>, _ first: UInt64) -> Bool {
    guard let slot = ring.claim() else { return false }
    slot.pointee.words.0 = first
    return true
}

/// `SPSCRing.commit`.
@inline(never)
public func probeSPSCCommit(_ ring: SPSCRing<ProbeMessage>) {
    ring.commit()
}

/// `SPSCRing.claim(upTo:)` + `commit(count:)`: the batched producer.
@inline(never)
public func probeSPSCClaimBatch(_ ring: SPSCRing<ProbeMessage>, _ first: UInt64) -> Int {
    let batch = ring.claim(upTo: 32)
    for i in batch.indices { batch[i].words.0 = first &+ UInt64(i) }
    ring.commit(count: batch.count)
    return batch.count
}

/// `SPSCRing.drain` with a closure that sums the first word.
@inline(never)
public func probeSPSCDrain(_ ring: SPSCRing<ProbeMessage>) -> UInt64 {
    var sum: UInt64 = 0
    _ = ring.drain(maxCount: 256) { sum &+= $0.words.0 }
    return sum
}

/// `SPSCRing.pop(waiting: .busySpin)`: the blocking consumer loop of a pinned thread.
@inline(never)
public func probeSPSCPopBusySpin(_ ring: SPSCRing<ProbeMessage>) -> ProbeMessage? {
    ring.pop(waiting: .busySpin)
}

/// `MPSCRing.Producer.tryPush`.
@inline(never)
public func probeMPSCTryPush(_ producer: MPSCRing<ProbeMessage>.Producer, _ message: ProbeMessage) -> PushResult {
    producer.tryPush(message)
}

/// `MPSCRing.tryPop`.
@inline(never)
public func probeMPSCTryPop(_ ring: MPSCRing<ProbeMessage>) -> ProbeMessage? {
    ring.tryPop()
}

/// `MPSCRing.drain`.
@inline(never)
public func probeMPSCDrain(_ ring: MPSCRing<ProbeMessage>) -> UInt64 {
    var sum: UInt64 = 0
    _ = ring.drain(maxCount: 256) { sum &+= $0.words.0 }
    return sum
}

/// `BroadcastRing.tryPush` (both modes).
@inline(never)
public func probeBroadcastTryPush(_ ring: BroadcastRing<ProbeMessage>, _ message: ProbeMessage) -> PushResult {
    ring.tryPush(message)
}

/// `BroadcastRing.Consumer.tryPop` (both modes).
@inline(never)
public func probeBroadcastTryPop(_ consumer: BroadcastRing<ProbeMessage>.Consumer) -> ProbeMessage? {
    consumer.tryPop()
}

/// `BroadcastRing.Consumer.drain`.
@inline(never)
public func probeBroadcastDrain(_ consumer: BroadcastRing<ProbeMessage>.Consumer) -> UInt64 {
    var sum: UInt64 = 0
    _ = consumer.drain(maxCount: 256) { sum &+= $0.words.0 }
    return sum
}

/// `ByteRing.tryClaim` + a body write + `commit`.
@inline(never)
public func probeByteRingClaimCommit(_ ring: ByteRing, _ value: UInt64) -> Bool {
    guard case .claimed(let claim) = ring.tryClaim(type: 1, length: 8) else { return false }
    claim.body.storeBytes(of: value, as: UInt64.self)
    ring.commit(claim)
    return true
}

/// `ByteRing.read`.
@inline(never)
public func probeByteRingRead(_ ring: ByteRing) -> Int {
    var bytes = 0
    do {
        _ = try ring.read(limit: 64) { _, body in bytes &+= body.count }
    } catch {
        return -1
    }
    return bytes
}
