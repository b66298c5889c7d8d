public import CTernShims
public import TernCore

#if canImport(Glibc)
    import Glibc
#endif

/// `CLOCK_MONOTONIC`: nanoseconds since an unspecified start (boot), never going backwards.
///
/// For latency stamps that cross threads or processes. About 20–45 ns per read through the vDSO;
/// `TSCClock` is cheaper for in-thread stamps.
public enum MonotonicClock {
    /// The current monotonic time.
    @inlinable
    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Timestamp(rawValue: Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec))
    }
}

/// `CLOCK_REALTIME`: nanoseconds since the Unix epoch, UTC. Can jump (NTP, operators); use it to
/// stamp events, never to measure intervals.
public enum WallClock {
    /// The current wall-clock time.
    @inlinable
    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(rawValue: Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec))
    }
}

/// A spin-wait hint for busy loops (`pause` on x86, `isb` on aarch64).
///
/// Call it once per iteration of a loop that waits for another thread: it saves power, yields the
/// core's resources to a hyperthread sibling and avoids a pipeline flush when the loop exits.
@inlinable @inline(__always)
public func spinPause() { ctern_cpu_pause() }

/// The CPU time-stamp counter.
public enum TSC {
    /// Reads the counter (`rdtsc`; `cntvct_el0` on aarch64). Not ordered with surrounding
    /// instructions: fine for stamping events, about 20 cycles.
    @inlinable @inline(__always)
    public static func read() -> UInt64 { ctern_read_tsc() }

    /// Reads the counter after all earlier instructions have completed (`rdtscp`): use it to end a
    /// measured interval.
    @inlinable @inline(__always)
    public static func readOrdered() -> UInt64 {
        var aux: UInt32 = 0
        return ctern_read_tscp(&aux)
    }

    /// Whether the CPU reports an invariant TSC (constant rate across frequency and sleep states;
    /// CPUID 0x80000007 EDX bit 8). Without it, TSC intervals are not reliable time.
    public static var isInvariant: Bool { ctern_tsc_is_invariant() != 0 }
}

/// A measured TSC rate, and conversion from TSC ticks to nanoseconds without division.
///
/// Conversion is `ticks × multiplier >> 32` with a 128-bit product, so any interval converts
/// without overflow and the relative error is below 2^-32 on top of the calibration's own.
@frozen
public struct TSCCalibration: Sendable, BitwiseCopyable, Hashable, CustomStringConvertible {
    /// Ticks per second, as measured.
    public let ticksPerSecond: UInt64
    /// `10^9 × 2^32 / ticksPerSecond`.
    public let multiplier: UInt64
    /// A TSC reading and the monotonic time taken together, the origin of `timestamp(forTicks:)`.
    public let originTicks: UInt64
    public let originTime: Timestamp

    /// Measures the TSC rate against `CLOCK_MONOTONIC_RAW`-disciplined `CLOCK_MONOTONIC` by spinning
    /// for `nanoseconds` (default 20 ms). Longer is more precise; 20 ms gives about 1 ppm on an
    /// idle machine. Each end takes the smallest-window pair of several reads, to keep preemption
    /// out of the estimate.
    ///
    /// - Throws: `SystemError` if the counter does not advance (no usable TSC).
    public static func measure(nanoseconds: Int64 = 20_000_000) throws(SystemError) -> TSCCalibration {
        func pair() -> (ticks: UInt64, time: Int64) {
            var best: (ticks: UInt64, time: Int64, window: UInt64) = (0, 0, .max)
            for _ in 0..<5 {
                let t0 = TSC.readOrdered()
                let now = MonotonicClock.now().rawValue
                let t1 = TSC.readOrdered()
                if t1 &- t0 < best.window { best = (t0 &+ (t1 &- t0) / 2, now, t1 &- t0) }
            }
            return (best.ticks, best.time)
        }
        let start = pair()
        while MonotonicClock.now().rawValue &- start.time < nanoseconds { spinPause() }
        let end = pair()
        let ticks = end.ticks &- start.ticks
        let elapsed = end.time &- start.time
        guard ticks > 0, elapsed > 0 else {
            throw SystemError(operation: "calibrate the TSC", errno: 0, detail: "the counter did not advance")
        }
        let hz = UInt64((UInt128(ticks) * 1_000_000_000) / UInt128(elapsed))
        return TSCCalibration(ticksPerSecond: hz, originTicks: end.ticks, originTime: Timestamp(rawValue: end.time))
    }

    /// A calibration from a known rate, with the origin taken now.
    public init(ticksPerSecond: UInt64, originTicks: UInt64 = TSC.read(), originTime: Timestamp = MonotonicClock.now())
    {
        precondition(ticksPerSecond > 0, "ticksPerSecond must be positive")
        self.ticksPerSecond = ticksPerSecond
        self.multiplier = UInt64((UInt128(1_000_000_000) << 32) / UInt128(ticksPerSecond))
        self.originTicks = originTicks
        self.originTime = originTime
    }

    /// The nanoseconds `ticks` TSC ticks take.
    @inlinable @inline(__always)
    public func nanoseconds(forTicks ticks: UInt64) -> Int64 {
        Int64(truncatingIfNeeded: (UInt128(ticks) &* UInt128(multiplier)) >> 32)
    }

    /// The monotonic time of a TSC reading taken on this machine after the calibration.
    @inlinable @inline(__always)
    public func timestamp(forTicks ticks: UInt64) -> Timestamp {
        originTime.advanced(byNanoseconds: nanoseconds(forTicks: ticks &- originTicks))
    }

    public var description: String {
        let mhz = Double(ticksPerSecond) / 1e6
        return "TSC \(Int(mhz.rounded())) MHz (\(TSC.isInvariant ? "invariant" : "NOT invariant"))"
    }
}
