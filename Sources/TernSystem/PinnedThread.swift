import CTernShims

#if canImport(Glibc)
    import Glibc
#endif

/// An OS thread started to run one closure, optionally pinned to a CPU from its first instruction.
///
/// The pin is set on the thread's creation attributes, so the body never runs on another CPU and a
/// bad CPU fails `init` synchronously with a message naming the CPUs that exist.
///
/// `~Copyable`: join it once with `join()`; if the handle goes away unjoined, its `deinit` joins
/// (a thread is never leaked detached).
///
/// ```swift
/// let consumer = try PinnedThread(name: "tern-engine", cpu: 1) { runEngineLoop() }
/// consumer.join()
/// ```
public struct PinnedThread: ~Copyable, @unchecked Sendable {
    private var thread: pthread_t
    /// The CPU the thread is pinned to, or `nil` if it may run anywhere.
    public let cpu: Int?
    private var joined = false

    /// Starts a thread named `name` (15 bytes are kept) running `body`, pinned to `cpu` if given.
    ///
    /// - Throws: `SystemError` if `cpu` is not a CPU this process may use, or the thread cannot start.
    public init(name: String, cpu: Int? = nil, _ body: @escaping @Sendable () -> Void) throws(SystemError) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        if let cpu {
            let rc = CPU.index(cpu).map { ctern_attr_set_cpu(&attributes, $0) } ?? EINVAL
            guard rc == 0 else { throw Self.badCPU(name, cpu, rc) }
        }
        // A non-generic trampoline and a boxed closure: forming a C function pointer inside generic
        // code crashes the 6.3.1 compiler (docs/decisions/0001, pitfall P8).
        let box = Unmanaged.passRetained(ThreadBody(name: name, body: body))
        var handle = pthread_t()
        let rc = pthread_create(
            &handle, &attributes,
            { context in
                let body = Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue()
                _ = body.name.withCString { ctern_set_current_thread_name($0) }
                body.body()
                return nil
            }, box.toOpaque())
        guard rc == 0 else {
            box.release()
            if let cpu, rc == EINVAL { throw Self.badCPU(name, cpu, rc) }
            throw SystemError(operation: "start thread \(name)" + (cpu.map { " on CPU \($0)" } ?? ""), errno: rc)
        }
        self.thread = handle
        self.cpu = cpu
    }

    private static func badCPU(_ name: String, _ cpu: Int, _ rc: Int32) -> SystemError {
        SystemError(
            operation: "start thread \(name) on CPU \(cpu)", errno: rc,
            detail: CPU.usableDescription)
    }

    /// Waits for the thread's body to return.
    public consuming func join() {
        pthread_join(thread, nil)
        joined = true
    }

    deinit {
        if !joined { pthread_join(thread, nil) }
    }
}

private final class ThreadBody {
    let name: String
    let body: @Sendable () -> Void
    init(name: String, body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }
}

/// Gives up the rest of the calling thread's time slice (`sched_yield`).
///
/// Useful in the third stage of a wait ladder: another runnable thread on this CPU gets to run, and
/// the caller returns as soon as the scheduler picks it again (usually within microseconds).
public func yieldThread() { _ = sched_yield() }

/// Sleeps the calling thread for about `nanoseconds` (`nanosleep`; resumes after a signal).
///
/// The kernel rounds the period up to its timer slack (50 µs by default for normal threads), so
/// this is for cold threads only.
public func sleepThread(nanoseconds: Int64) {
    guard nanoseconds > 0 else { return }
    var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}
