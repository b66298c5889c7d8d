public import TernSystem

/// What a thread does while a ring is empty (consumer) or full (producer).
///
/// A blocking call (`push(_:waiting:)`, `pop(waiting:)`, `waitForData(waiting:)`) polls the ring, and
/// after each unsuccessful poll calls `idle(_:)` with the number of polls so far in this wait,
/// starting at 0. Between polls it also checks the ring's halt flag, so every strategy stops promptly
/// when the ring is halted: at once for the spinning ones, within one park period for `ParkingWait`.
///
/// Strategies are values of a generic parameter, so a blocking call is specialized for its strategy
/// and a busy-spin wait compiles to a bare polling loop. The ladder follows the LMAX Disruptor's
/// (`BusySpinWaitStrategy` → `YieldingWaitStrategy` → `SleepingWaitStrategy`) and Agrona's
/// `BackoffIdleStrategy`:
///
/// | strategy | wake-up latency | CPU while waiting | use for |
/// |---|---|---|---|
/// | `.busySpin` | one cache-line transfer | 100% of a core | pinned hot threads (the default) |
/// | `.spinPause` | + ~50 ns (`pause` on Zen 4) | 100%, kinder to an SMT sibling | hot threads sharing a core with a sibling |
/// | `.yielding()` | + a scheduler pass | 100% unless others are runnable | threads that share a CPU |
/// | `.parking()` | up to the maximum park period | near zero | cold threads: monitors, recorders, loggers |
///
/// Thread safety: strategies are immutable values; share them freely.
public protocol WaitStrategy: Sendable {
    /// Called after the `iteration`-th unsuccessful poll of one wait (0, 1, 2, …).
    func idle(_ iteration: Int)
}

/// Polls again immediately: the lowest wake-up latency, a whole core while waiting, no `pause`.
@frozen
public struct BusySpinWait: WaitStrategy {
    @inlinable public init() {}

    @inlinable @inline(__always)
    public func idle(_ iteration: Int) {}
}

/// Executes one `pause` instruction between polls (about 50 ns on AMD Zen 4, 140 cycles on Skylake).
@frozen
public struct SpinPauseWait: WaitStrategy {
    @inlinable public init() {}

    @inlinable @inline(__always)
    public func idle(_ iteration: Int) { TernSystem.spinPause() }
}

/// Spins with `pause` for `spins` polls, then calls `sched_yield` between polls.
@frozen
public struct YieldingWait: WaitStrategy {
    /// Polls spent spinning before the first yield.
    public let spins: Int

    @inlinable public init(spins: Int = 100) { self.spins = spins }

    @inlinable
    public func idle(_ iteration: Int) {
        if iteration < spins { TernSystem.spinPause() } else { yieldThread() }
    }
}

/// Spins, then yields, then sleeps for periods that double from `minimumPark` up to `maximumPark`.
///
/// The producer does not wake a parked consumer (that would put a fence on every push); the
/// consumer notices new data, or a halt, at its next poll. The worst-case added latency is therefore
/// `maximumPark` plus the kernel's timer slack (50 µs by default). For cold threads only.
@frozen
public struct ParkingWait: WaitStrategy {
    /// Polls spent spinning with `pause`.
    public let spins: Int
    /// Polls spent yielding after the spins.
    public let yields: Int
    /// The first sleep, in nanoseconds.
    public let minimumPark: Int64
    /// The longest sleep, in nanoseconds.
    public let maximumPark: Int64

    /// - Precondition: `0 < minimumPark <= maximumPark`; `spins` and `yields` are not negative.
    @inlinable
    public init(spins: Int = 100, yields: Int = 10, minimumPark: Int64 = 1_000, maximumPark: Int64 = 1_000_000) {
        precondition(spins >= 0 && yields >= 0, "ParkingWait: spins and yields must not be negative")
        precondition(minimumPark > 0 && minimumPark <= maximumPark, "ParkingWait: need 0 < minimumPark <= maximumPark")
        self.spins = spins
        self.yields = yields
        self.minimumPark = minimumPark
        self.maximumPark = maximumPark
    }

    /// The sleep after the `iteration`-th poll, or 0 while still spinning or yielding.
    @inlinable
    public func parkPeriod(after iteration: Int) -> Int64 {
        let parked = iteration - spins - yields
        guard parked >= 0 else { return 0 }
        // Doubling 63 times overflows; the cap is reached long before.
        let period =
            parked >= 62
            ? Int64.max
            : minimumPark.multipliedReportingOverflow(by: 1 << Int64(parked))
                .partialValue
        return period <= 0 || period > maximumPark ? maximumPark : period
    }

    @inlinable
    public func idle(_ iteration: Int) {
        if iteration < spins {
            TernSystem.spinPause()
        } else if iteration < spins + yields {
            yieldThread()
        } else {
            sleepThread(nanoseconds: parkPeriod(after: iteration))
        }
    }
}

extension WaitStrategy where Self == BusySpinWait {
    /// Busy-spin: the default for pinned hot threads.
    @inlinable public static var busySpin: BusySpinWait { BusySpinWait() }
}

extension WaitStrategy where Self == SpinPauseWait {
    /// Spin with one `pause` per poll.
    @inlinable public static var spinPause: SpinPauseWait { SpinPauseWait() }
}

extension WaitStrategy where Self == YieldingWait {
    /// Spin with `pause`, then `sched_yield`.
    @inlinable public static func yielding(spins: Int = 100) -> YieldingWait { YieldingWait(spins: spins) }
}

extension WaitStrategy where Self == ParkingWait {
    /// Spin, yield, then sleep with exponential back-off (cold threads only).
    @inlinable
    public static func parking(
        spins: Int = 100, yields: Int = 10, minimumPark: Int64 = 1_000, maximumPark: Int64 = 1_000_000
    ) -> ParkingWait {
        ParkingWait(spins: spins, yields: yields, minimumPark: minimumPark, maximumPark: maximumPark)
    }
}
