import CNuma

#if canImport(Glibc)
    import Glibc
#endif

/// A block of raw memory with a chosen alignment, its pages faulted in before first use, optionally
/// placed on a NUMA node and locked in RAM. The storage of rings, pools and tables.
///
/// Page faults cost microseconds; taking them at start-up instead of on the first message is the
/// point of this type. The memory comes from `mmap` (anonymous, private), so it starts zeroed.
///
/// `~Copyable`: one owner, and the mapping is released when the owner goes away.
///
/// ```swift
/// let block = try AlignedMemory(byteCount: 1 << 20, alignment: 128, node: 0)
/// let slots = block.base.bindMemory(to: UInt64.self, capacity: 1 << 17)
/// ```
public struct AlignedMemory: ~Copyable, @unchecked Sendable {
    /// The start of the usable memory, aligned to `alignment`.
    public let base: UnsafeMutableRawPointer
    /// The usable size in bytes.
    public let byteCount: Int
    /// The alignment of `base`.
    public let alignment: Int
    /// Whether `mlock` holds the pages in RAM.
    public let isLocked: Bool

    let mappingStart: UnsafeMutableRawPointer
    let mappingLength: Int

    /// The system page size.
    public static var pageSize: Int { Int(sysconf(Int32(_SC_PAGESIZE))) }

    /// Maps `byteCount` bytes aligned to `alignment`.
    ///
    /// - Parameters:
    ///   - alignment: a power of two; 128 keeps independent hot words off each other's cache-line
    ///     pair (the adjacent-line prefetcher pulls 128-byte pairs on x86).
    ///   - node: a NUMA node to bind the pages to, or `nil` for the calling thread's policy.
    ///   - prefault: write one byte of every page now, so no page fault happens later.
    ///   - lock: `mlock` the pages (needs `RLIMIT_MEMLOCK` or `CAP_IPC_LOCK`; fails with a message
    ///     otherwise).
    ///   - hugePages: advise the kernel to back the block with transparent huge pages.
    /// - Throws: `SystemError` for a bad argument or a failed system call, naming which.
    public init(
        byteCount: Int, alignment: Int = 128, node: Int? = nil, prefault: Bool = true, lock: Bool = false,
        hugePages: Bool = false
    ) throws(SystemError) {
        guard byteCount > 0 else {
            throw SystemError(
                operation: "allocate \(byteCount) bytes", errno: EINVAL, detail: "the size must be positive")
        }
        guard alignment > 0, alignment & (alignment - 1) == 0 else {
            throw SystemError(
                operation: "allocate with alignment \(alignment)", errno: EINVAL,
                detail: "the alignment must be a power of two")
        }
        let page = Self.pageSize
        let (padded, overflow) = byteCount.addingReportingOverflow(Swift.max(alignment, page))
        guard !overflow else {
            throw SystemError(operation: "allocate \(byteCount) bytes", errno: ENOMEM, detail: "the size is too large")
        }
        let length = (padded + page - 1) / page * page
        guard let start = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
            start != MAP_FAILED
        else {
            throw SystemError(operation: "map \(byteCount) bytes", errno: errno)
        }
        let aligned = UnsafeMutableRawPointer(
            bitPattern: (Int(bitPattern: start) + alignment - 1) & ~(alignment - 1))!
        func fail(_ operation: String, _ code: Int32, _ detail: String = "") -> SystemError {
            munmap(start, length)
            return SystemError(operation: operation, errno: code, detail: detail)
        }
        if hugePages { _ = madvise(start, length, MADV_HUGEPAGE) }
        if let node {
            guard node >= 0, node < NUMA.nodeCount else {
                throw fail(
                    "place memory on NUMA node \(node)", EINVAL,
                    "this machine has \(NUMA.nodesDescription)")
            }
            if NUMA.isAvailable {
                var mask = [UInt](repeating: 0, count: node / UInt.bitWidth + 1)
                mask[node / UInt.bitWidth] = 1 << UInt(node % UInt.bitWidth)
                let rc = mask.withUnsafeBufferPointer {
                    mbind(start, UInt(length), Int32(MPOL_BIND), $0.baseAddress, UInt(node + 2), 0)
                }
                if rc != 0 { throw fail("bind memory to NUMA node \(node)", errno) }
            }
        }
        if prefault {
            // Safe: every written address lies inside the mapping [start, start + length).
            var offset = 0
            while offset < length {
                start.storeBytes(of: 0, toByteOffset: offset, as: UInt8.self)
                offset += page
            }
        }
        if lock && mlock(start, length) != 0 {
            let code = errno
            throw fail(
                "lock \(length) bytes in memory", code,
                code == ENOMEM || code == EPERM ? "raise RLIMIT_MEMLOCK (ulimit -l) or grant CAP_IPC_LOCK" : "")
        }
        self.base = aligned
        self.byteCount = byteCount
        self.alignment = alignment
        self.isLocked = lock
        self.mappingStart = start
        self.mappingLength = length
    }

    deinit {
        if isLocked { munlock(mappingStart, mappingLength) }
        munmap(mappingStart, mappingLength)
    }

    /// The usable memory as a raw buffer.
    public var buffer: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(start: base, count: byteCount) }

    /// The NUMA node that holds the first page, or `nil` if the kernel won't say.
    public var residentNode: Int? {
        guard NUMA.isAvailable else { return 0 }
        var status: Int32 = -1
        var page: UnsafeMutableRawPointer? = base
        let rc = move_pages(0, 1, &page, nil, &status, 0)
        return rc == 0 && status >= 0 ? Int(status) : nil
    }
}
