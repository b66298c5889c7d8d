import Glibc
import Synchronization
import TernSystem
@_exported import TernTestSupport

/// A 64-byte message (one cache line) whose words are all derived from (producer, sequence), so a
/// torn or misplaced copy is detected by `isIntact`.
struct Message64: BitwiseCopyable {
    var sequence: UInt64
    var producer: UInt64
    var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    init(producer: Int, sequence: UInt64) {
        self.sequence = sequence
        self.producer = UInt64(producer)
        let k = sequence &* 0x9E37_79B9_7F4A_7C15 ^ self.producer
        words = (k, k &+ 1, k &+ 2, k &+ 3, k &+ 4, ~k)
    }

    var isIntact: Bool {
        let k = sequence &* 0x9E37_79B9_7F4A_7C15 ^ producer
        return words.0 == k && words.1 == k &+ 1 && words.2 == k &+ 2 && words.3 == k &+ 3 && words.4 == k &+ 4
            && words.5 == ~k
    }

    /// A contribution to an order-independent checksum of everything received.
    var digest: UInt64 { (sequence &+ 1) &* 0xBF58_476D_1CE4_E5B9 ^ producer &* 0x94D0_49BB_1331_11EB }
}

/// How many messages the stress tests move: `TERN_LONG_TESTS=1` multiplies by 50.
func stressCount(_ normal: Int) -> Int {
    guard let value = getenv("TERN_LONG_TESTS"), String(cString: value) == "1" else { return normal }
    return normal * 50
}

/// A value written by one thread before it ends and read by the test after the join (the join is
/// the happens-before edge).
final class Slot<Value: Sendable>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// Runs every body on its own thread (pinned round-robin over the CPUs this process may use when
/// there are at least as many CPUs as bodies, unpinned otherwise) and waits for all of them.
func runConcurrently(_ bodies: [@Sendable () -> Void]) throws {
    let cpus = CPU.available()
    let pin = cpus.count >= bodies.count
    func start(_ index: Int) throws {
        guard index < bodies.count else { return }
        let thread = try PinnedThread(name: "tern-test-\(index)", cpu: pin ? cpus[index] : nil, bodies[index])
        try start(index + 1)
        thread.join()
    }
    try start(0)
}

/// Gives a thread that is about to block time to reach its wait (20 ms).
func sleepThreadForTests() { sleepThread(nanoseconds: 20_000_000) }

/// A flag one thread raises and others poll.
final class Flag: Sendable {
    private let raised = Atomic<Bool>(false)
    /// Releasing store; pairs with the acquiring load in `isRaised`.
    func raise() { raised.store(true, ordering: .releasing) }
    var isRaised: Bool { raised.load(ordering: .acquiring) }
}
