import TernSystem

/// The median cost in TSC ticks of two back-to-back `TSC.readOrdered()` calls: what the compare
/// tools subtract from every timed call (run it after pinning the thread).
public func timerOverheadTicks(samples count: Int = 10_000) -> UInt64 {
    var samples: [UInt64] = []
    samples.reserveCapacity(count)
    for _ in 0..<count {
        let a = TSC.readOrdered()
        let b = TSC.readOrdered()
        samples.append(b &- a)
    }
    return samples.sorted()[count / 2]
}
