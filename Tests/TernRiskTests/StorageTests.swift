import Testing
import TernTestSupport
@testable import TernRisk

/// The content-duplicate table against a slow reference (a dictionary of every key's stamps): the
/// same decisions, the same live count once expired entries are ignored, and `undo` restoring
/// exactly what `record` changed, under keys chosen to collide on their home slot.
@Suite struct DuplicateTableTests {
    /// What the table must answer: at most `limit` stamps of `key` in `(now − window, now]`.
    struct Reference {
        var stamps: [UInt64: [Int64]] = [:]
        let limit: Int
        let window: Int64

        func allows(_ key: UInt64, _ now: Int64) -> Bool {
            let recent = (stamps[key] ?? []).filter { $0 > now - window }
            return recent.count < limit
        }

        func live(_ now: Int64) -> Int { stamps.values.filter { $0.contains { $0 > now - window } }.count }
    }

    /// Keys in few home slots, so probe runs, wrap-around and backward shifts all happen.
    static func key(_ rng: inout SplitMix64, slots: Int) -> UInt64 {
        let home = UInt64.random(in: 0..<8, using: &rng) * UInt64(slots / 8) + UInt64.random(in: 0..<2, using: &rng)
        let high = UInt64.random(in: 1..<40, using: &rng) << 32
        return (high | ((home ^ (high >> 32)) & 0xFFFF_FFFF)) | (UInt64.random(in: 0..<3, using: &rng) << 48)
    }

    /// Every slot's tag, stamp and entry, and the count: what a replay's state digest sees.
    static func layout(_ t: DuplicateTable) -> [Int64] {
        var out = [Int64(t.count), Int64(t.cursor)]
        for i in 0...t.mask where t.tags![i] != 0 {
            let e = t.table![i]
            out += [Int64(i), Int64(t.tags![i]), t.newest![i], Int64(bitPattern: e.key), Int64(e.pushes)]
            out += withUnsafeBytes(of: e.stamps) { Array($0.bindMemory(to: Int64.self)) }
        }
        return out
    }

    @Test(arguments: 0..<6)
    func matchesTheSlowReference(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9 &+ 1)
        let limit = Int.random(in: 1...8, using: &rng)
        let window: Int64 = 1_000
        var table = DuplicateTable(RateLimit(count: limit, windowNanoseconds: window), entries: 64)
        defer { table.deallocate() }
        var reference = Reference(limit: limit, window: window)
        var now: Int64 = 1_000_000
        for step in 0..<20_000 {
            now += Int64.random(in: 0...40, using: &rng)
            let key = Self.key(&rng, slots: 128)
            let live = reference.live(now)
            let answer = table.allows(key, now)
            let expected = reference.allows(key, now)
            // The table may hold expired entries the sweep has not reached, so it can run out of
            // room early, but never late, and never while fewer than half its capacity is in use.
            if answer == nil {
                #expect(table.count >= table.capacity, "step \(step): refused with \(table.count) entries")
                #expect(!(reference.stamps[key] ?? []).contains { $0 > now - window }, "step \(step): a live key refused")
                continue
            }
            #expect(answer == expected, "step \(step): key \(key) at \(now)")
            guard answer == true else { continue }
            let before = Self.layout(table)
            let change = table.record(key, now)
            #expect(change != nil)
            if Bool.random(using: &rng), Int.random(in: 0..<4, using: &rng) == 0, let change {
                table.undo(change)  // an order list that failed later
                #expect(Self.layout(table) == before, "step \(step): undo did not restore the table")
            } else {
                reference.stamps[key, default: []].append(now)
                table.sweep(now)  // as the engine does once an order is committed for good
            }
            #expect(table.count <= table.capacity)
            #expect(table.count >= live, "step \(step): \(table.count) entries for \(live) live keys")
        }
    }

    @Test func sustainedDistinctOrdersAreNotRefused() {
        // 64 entries; 16 distinct orders per window, for 2,000 windows: the sweep keeps up.
        var table = DuplicateTable(RateLimit(count: 1, windowNanoseconds: 1_600), entries: 64)
        defer { table.deallocate() }
        var rng = SplitMix64(seed: 7)
        for n in 0..<32_000 {
            let now = Int64(n) * 100
            let key = rng.next() | 1
            #expect(table.allows(key, now) == true, "order \(n)")
            _ = table.record(key, now)
            table.sweep(now)
        }
        #expect(table.count <= 64)
    }
}

