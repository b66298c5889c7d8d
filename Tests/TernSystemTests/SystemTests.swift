import TernCore
import TernSystem
import Testing

@Suite("TernSystem on this machine")
struct SystemTests {
    @Test("device interrupts: numbered lines only, per CPU column; malformed text is skipped")
    func deviceInterrupts() {
        let text = """
                       CPU0       CPU1
              1:          9          0   IO-APIC   1-edge      i8042
             36:          0       1098   PCI-MSIX-0000:00:02.0   1-edge      virtio1-req.0
             42:          7          2   PCI-MSIX-0000:00:04.0   2-edge      virtio3-tx
            LOC:    2183000     135000   Local timer interrupts
            RES:       1037          1   Rescheduling interrupts
            ERR:          0
            """
        #expect(CPU.parseDeviceInterrupts(text) == [0: 16, 1: 1100])
        #expect(CPU.parseDeviceInterrupts("") == [:])
        #expect(CPU.parseDeviceInterrupts("garbage\n1: 2 3") == [:])
        #expect(CPU.parseDeviceInterrupts("CPU0 CPU1\n 5: 12\n 6: x 4\n7: 1 99999999999999999999999\n") == [0: 13])
        // This machine's own file parses into counts for CPUs it has (or nothing, if unreadable).
        let live = CPU.deviceInterrupts()
        #expect(live.keys.allSatisfy { $0 >= 0 && $0 < 4096 })
    }

    @Test("the monotonic clock never goes backwards and the wall clock is after 2024")
    func clocks() {
        var previous = MonotonicClock.now()
        for _ in 0..<10_000 {
            let now = MonotonicClock.now()
            #expect(now >= previous)
            previous = now
        }
        #expect(WallClock.now() > Timestamp(rawValue: 1_704_067_200_000_000_000))
    }

    @Test("TSC calibration agrees with the monotonic clock")
    func tsc() throws {
        let calibration = try TSCCalibration.measure(nanoseconds: 20_000_000)
        #expect(calibration.ticksPerSecond > 100_000_000, "\(calibration)")
        // Convert a 50 ms interval measured by both clocks; allow 2% for a noisy shared VM.
        let t0 = TSC.read()
        let m0 = MonotonicClock.now()
        while MonotonicClock.now().nanoseconds(since: m0) < 50_000_000 { spinPause() }
        let elapsedTSC = calibration.nanoseconds(forTicks: TSC.readOrdered() &- t0)
        let elapsed = MonotonicClock.now().nanoseconds(since: m0)
        #expect(abs(Double(elapsedTSC - elapsed)) < 0.02 * Double(elapsed), "TSC \(elapsedTSC) ns, clock \(elapsed) ns")
        let stamp = calibration.timestamp(forTicks: TSC.read())
        #expect(abs(stamp.nanoseconds(since: MonotonicClock.now())) < 5_000_000)
    }

    @Test("a known rate converts ticks exactly")
    func tscConversion() {
        let c = TSCCalibration(ticksPerSecond: 2_000_000_000, originTicks: 0, originTime: .zero)
        #expect(c.nanoseconds(forTicks: 2_000_000_000) == 1_000_000_000)
        #expect(c.nanoseconds(forTicks: 2) == 1)
        #expect(c.nanoseconds(forTicks: UInt64(1) << 62) == Int64((UInt64(1) << 62) / 2))
    }

    @Test("pinning the calling thread to each allowed CPU, then restoring")
    func pinning() throws {
        let allowed = CPU.allowed()
        #expect(!allowed.isEmpty && allowed.count <= CPU.onlineCount)
        let result = Box()
        // Pin inside a fresh thread so the test runner's own threads keep their affinity.
        let thread = try PinnedThread(name: "pin-test") {
            for cpu in allowed {
                do {
                    try CPU.pinCurrentThread(to: cpu)
                    result.ok = result.ok && CPU.allowed() == [cpu] && CPU.current() == cpu
                } catch {
                    result.ok = false
                }
            }
            try? CPU.setCurrentThreadAffinity(allowed)
            result.restored = CPU.allowed() == allowed
        }
        thread.join()
        #expect(result.ok && result.restored)
    }

    @Test("pinning to a CPU that does not exist fails with a message naming the usable CPUs")
    func pinning_badCPU() {
        #expect {
            try CPU.pinCurrentThread(to: 100_000)
        } throws: { error in
            "\(error)".contains("this process may run on CPUs \(CPU.describe(CPU.available()))")
        }
        #expect(throws: SystemError.self) { _ = try PinnedThread(name: "bad", cpu: -1) {} }
        #expect {
            _ = try PinnedThread(name: "bad", cpu: CPU.onlineCount + 64) {}
        } throws: { error in
            "\(error)".contains("this process may run on CPUs")
        }
    }

    @Test("a pinned thread runs its body on its CPU")
    func pinnedThread() throws {
        let cpu = CPU.allowed().last!
        let seen = Box()
        let thread = try PinnedThread(name: "tern-test", cpu: cpu) { seen.cpu = CPU.current() ?? -1 }
        #expect(thread.cpu == cpu)
        thread.join()
        #expect(seen.cpu == cpu)
    }

    @Test("NUMA answers on a one-node machine too")
    func numa() throws {
        #expect(NUMA.nodeCount >= 1)
        #expect(NUMA.node(ofCPU: 0) == 0 || NUMA.nodeCount > 1)
        #expect(!NUMA.cpus(ofNode: 0).isEmpty)
        #expect {
            try NUMA.runCurrentThread(onNode: NUMA.nodeCount)
        } throws: { error in
            "\(error)".contains("this machine has")
        }
    }

    @Test("aligned memory: alignment, zeroed, pre-faulted, NUMA placement, bad arguments")
    func alignedMemory() throws {
        for alignment in [8, 64, 128, 4096, 1 << 16] {
            let block = try AlignedMemory(byteCount: 100_000, alignment: alignment)
            #expect(Int(bitPattern: block.base) % alignment == 0)
            #expect(block.buffer.allSatisfy { $0 == 0 })
            block.buffer.storeBytes(of: 0xFF, toByteOffset: block.byteCount - 1, as: UInt8.self)
        }
        let placed = try AlignedMemory(byteCount: 1 << 16, node: 0)
        #expect(placed.residentNode == 0)
        #expect(throws: SystemError.self) { _ = try AlignedMemory(byteCount: 0) }
        #expect(throws: SystemError.self) { _ = try AlignedMemory(byteCount: 64, alignment: 48) }
        #expect(throws: SystemError.self) { _ = try AlignedMemory(byteCount: 64, node: NUMA.nodeCount) }
        #expect(throws: SystemError.self) { _ = try AlignedMemory(byteCount: .max) }
    }

    @Test("CPU lists print compactly")
    func describeCPUs() {
        #expect(CPU.describe([0, 1, 2, 3, 6, 8, 9]) == "0-3,6,8-9")
        #expect(CPU.describe([5]) == "5")
        #expect(CPU.describe([]) == "(none)")
    }
}

private final class Box: @unchecked Sendable {
    var cpu = -1
    var ok = true
    var restored = false
}
