import CNuma
import CTernShims

#if canImport(Glibc)
    import Glibc
#endif

/// The CPUs of this machine and this thread's place on them.
public enum CPU {
    /// The number of CPUs online.
    public static var onlineCount: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// The CPUs the calling thread may run on (its affinity mask: cgroups, `taskset`, an earlier pin).
    public static func allowed() -> [Int] {
        var words = [UInt64](repeating: 0, count: 16)  // 1024 CPUs, glibc's CPU_SETSIZE
        let count = words.withUnsafeMutableBufferPointer {
            ctern_current_thread_affinity($0.baseAddress!, Int32($0.count))
        }
        guard count > 0 else { return [] }
        var cpus: [Int] = []
        for (w, word) in words.enumerated() where word != 0 {
            for bit in 0..<64 where word & (1 << UInt64(bit)) != 0 { cpus.append(w * 64 + bit) }
        }
        return cpus
    }

    /// The CPU the calling thread is running on at this instant, or `nil` if the kernel won't say.
    public static func current() -> Int? {
        let cpu = ctern_current_cpu()
        return cpu >= 0 ? Int(cpu) : nil
    }

    /// The CPUs this process may use (the affinity it started with, which cgroups and `taskset`
    /// set), as libnuma read it at start-up. A thread pinned earlier still gets the whole list.
    public static func available() -> [Int] {
        guard NUMA.isAvailable else { return allowed() }
        guard let mask = tern_numa_all_cpus() else { return allowed() }
        let possible = Int(numa_num_possible_cpus())
        return (0..<possible).filter { numa_bitmask_isbitset(mask, UInt32($0)) != 0 }
    }

    /// Pins the calling thread to `cpu`: the kernel then runs it only there.
    ///
    /// - Throws: `SystemError` naming the CPUs this process may use, if `cpu` is not one of them.
    public static func pinCurrentThread(to cpu: Int) throws(SystemError) {
        let rc = index(cpu).map(ctern_pin_current_thread) ?? EINVAL
        guard rc == 0 else {
            throw SystemError(operation: "pin thread to CPU \(cpu)", errno: rc, detail: usableDescription)
        }
    }

    /// `cpu` as the C shims take it, or `nil` if it cannot be a CPU number (the shims then
    /// reject anything at or beyond `CPU_SETSIZE` themselves).
    static func index(_ cpu: Int) -> Int32? { cpu >= 0 && cpu <= Int(Int32.max) ? Int32(cpu) : nil }

    /// What a refused pin tells the caller: `this process may run on CPUs 0-1 (2 online)`.
    static var usableDescription: String {
        "this process may run on CPUs \(describe(available())) (\(onlineCount) online)"
    }

    /// Restores the calling thread's affinity to `cpus` (for instance what `allowed()` returned
    /// before a pin).
    public static func setCurrentThreadAffinity(_ cpus: [Int]) throws(SystemError) {
        var words = [UInt64](repeating: 0, count: 16)
        for cpu in cpus where cpu >= 0 && cpu / 64 < words.count { words[cpu / 64] |= 1 << UInt64(cpu % 64) }
        let rc = words.withUnsafeBufferPointer { ctern_set_current_thread_affinity($0.baseAddress!, Int32($0.count)) }
        guard rc == 0 else {
            throw SystemError(operation: "set thread affinity to CPUs \(describe(cpus))", errno: rc)
        }
    }

    /// Device interrupts each CPU has taken since boot (the numbered lines of `/proc/interrupts`:
    /// disks, network cards; not timers or IPIs), or an empty dictionary where the file cannot be
    /// read. A latency-critical thread belongs on the CPU with the fewest: an interrupt is taken
    /// on the CPU it is routed to, and on a VM each one costs tens of microseconds.
    public static func deviceInterrupts() -> [Int: UInt64] {
        let fd = open("/proc/interrupts", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [:] }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while bytes.count < 16 << 20 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return parseDeviceInterrupts(String(decoding: bytes, as: UTF8.self))
    }

    /// Per-CPU device interrupt counts from the text of `/proc/interrupts`: a header of `CPUn`
    /// columns, then one line per interrupt. Only lines named by a number count. Malformed lines
    /// and fields are skipped, never trapped on.
    public static func parseDeviceInterrupts(_ text: String) -> [Int: UInt64] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).makeIterator()
        guard let header = lines.next() else { return [:] }
        let columns = header.split(separator: " ", omittingEmptySubsequences: true).map { field -> Int? in
            field.hasPrefix("CPU") ? Int(field.dropFirst(3)) : nil
        }
        guard !columns.isEmpty, columns.allSatisfy({ $0 != nil }) else { return [:] }
        var counts: [Int: UInt64] = [:]
        while let line = lines.next() {
            var fields = line.split(separator: " ", omittingEmptySubsequences: true).makeIterator()
            guard let name = fields.next(), name.count > 1, name.last == ":", UInt32(name.dropLast()) != nil else { continue }
            for cpu in columns {
                guard let field = fields.next(), let n = UInt64(field), let cpu else { break }
                counts[cpu, default: 0] &+= n
            }
        }
        return counts
    }

    /// `0-3,6,8-9` for a list of CPU numbers.
    public static func describe(_ cpus: [Int]) -> String {
        guard !cpus.isEmpty else { return "(none)" }
        var parts: [String] = []
        var runStart = cpus[0]
        var previous = cpus[0]
        for cpu in cpus.dropFirst() + [Int.min] {
            if cpu == previous + 1 {
                previous = cpu
                continue
            }
            parts.append(runStart == previous ? "\(runStart)" : "\(runStart)-\(previous)")
            runStart = cpu
            previous = cpu
        }
        return parts.joined(separator: ",")
    }
}

/// NUMA nodes through libnuma: which node a CPU belongs to, running a thread on a node.
///
/// Every call works on a machine without NUMA support (or with one node): `isAvailable` is then
/// false and the machine counts as node 0 holding every CPU.
public enum NUMA {
    /// Whether the kernel supports the NUMA policy API (`numa_available()`).
    public static var isAvailable: Bool { numa_available() >= 0 }

    /// The number of memory nodes (1 on a machine without NUMA).
    public static var nodeCount: Int { isAvailable ? Int(numa_max_node()) + 1 : 1 }

    /// `one node (0)` or `nodes 0-3`: what error messages say exists.
    static var nodesDescription: String { nodeCount == 1 ? "one node (0)" : "nodes 0-\(nodeCount - 1)" }

    /// The node of `cpu`, or `nil` if the CPU does not exist.
    public static func node(ofCPU cpu: Int) -> Int? {
        guard cpu >= 0, cpu < CPU.onlineCount || isAvailable else { return nil }
        guard isAvailable else { return 0 }
        let node = numa_node_of_cpu(Int32(cpu))
        return node >= 0 ? Int(node) : nil
    }

    /// The CPUs of `node`.
    public static func cpus(ofNode node: Int) -> [Int] {
        guard isAvailable else { return node == 0 ? Array(0..<CPU.onlineCount) : [] }
        return (0..<CPU.onlineCount).filter { numa_node_of_cpu(Int32($0)) == Int32(node) }
    }

    /// Restricts the calling thread to the CPUs of `node` and prefers that node's memory for its
    /// allocations.
    ///
    /// - Throws: `SystemError` naming the nodes that exist, if `node` is not one of them.
    public static func runCurrentThread(onNode node: Int) throws(SystemError) {
        guard node >= 0, node < nodeCount else {
            throw SystemError(
                operation: "run on NUMA node \(node)", errno: EINVAL,
                detail: "this machine has \(nodesDescription)"
                    + (isAvailable ? "" : "; the kernel reports no NUMA support"))
        }
        guard isAvailable else { return }  // one node: every thread already runs on it
        if numa_run_on_node(Int32(node)) != 0 {
            throw SystemError(operation: "run on NUMA node \(node)", errno: errno)
        }
        numa_set_preferred(Int32(node))
    }
}
