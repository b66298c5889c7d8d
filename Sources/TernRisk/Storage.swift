// Fixed-size tables the engine allocates once. Each is a struct of raw pointers owned by the
// `RiskEngine` (which frees them in `deinit`), so the check path touches no array, no reference
// count and no exclusivity check. Only the engine's thread uses them.

import CTernShims

#if canImport(Glibc)
    import Glibc
#endif

/// Memory for a table the check path reads at random: from 1 MiB up, rounded up to and aligned on
/// 2 MiB and advised for transparent huge pages (`madvise(MADV_HUGEPAGE)`; with the common
/// `madvise` setting nothing else gets them). With 4 KiB pages every random line in a table of
/// megabytes also misses the TLB, and on a virtual machine the nested page walk costs more than
/// the cache miss. Freed with `deallocate()` like any other allocation; smaller tables are plain
/// allocations.
func allocateTable<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
    let huge = 1 << 21
    let bytes = max(count, 1) * MemoryLayout<T>.stride
    guard bytes >= huge / 2 else { return .allocate(capacity: max(count, 1)) }
    let rounded = (bytes + huge - 1) & ~(huge - 1)
    let raw = UnsafeMutableRawPointer.allocate(byteCount: rounded, alignment: huge)
    #if canImport(Glibc)
        _ = madvise(raw, rounded, MADV_HUGEPAGE)  // advice only: a kernel without THP ignores it
    #endif
    return raw.bindMemory(to: T.self, capacity: count)
}

/// One sliding log: "at most `limit` events in any window `(now - window, now]`", exact.
///
/// Stamps live in a ring indexed by the running push count; the ring keeps `limit + undoDepth`
/// stamps so up to `undoDepth` pushes can be taken back exactly (an order list that fails after
/// some children were committed). An event at `now` is allowed iff fewer than `limit` events were
/// ever pushed or the `limit`-th most recent stamp is at or before `now - window` (so the event
/// exactly one window after the first of `limit` is allowed).
struct SlidingLog {
    static let undoDepth = 64
    let stamps: UnsafeMutablePointer<Int64>?
    /// The ring's size − 1: the size is the next power of two ≥ `limit + undoDepth`, so indexing
    /// is a mask rather than a division on the check path.
    let mask: Int
    let limit: Int
    let window: Int64
    var pushes: Int = 0

    init(_ rate: RateLimit) {
        if rate.isUnlimited {
            stamps = nil
            mask = 0
        } else {
            var size = 1
            while size < rate.count + Self.undoDepth { size <<= 1 }
            mask = size - 1
            let p = allocateTable(Int64.self, count: size)
            p.initialize(repeating: Int64.min, count: size)
            stamps = p
        }
        limit = rate.isUnlimited ? Int.max : rate.count
        window = rate.windowNanoseconds
    }

    func deallocate() { stamps?.deallocate() }

    @inline(__always)
    func allows(_ now: Int64) -> Bool { allows(now, adding: 1) }

    /// Whether `k` more events at `now` keep the log within its limit.
    @inline(__always)
    func allows(_ now: Int64, adding k: Int) -> Bool {
        guard let stamps else { return true }
        if k > limit { return false }
        let index = pushes &- limit &+ k &- 1  // the stamp that would become the limit-th newest
        if index < 0 { return true }
        return stamps[index & mask] <= now &- window
    }

    @inline(__always)
    mutating func push(_ now: Int64) {
        guard let stamps else { return }
        stamps[pushes & mask] = now
        pushes &+= 1
    }

    /// Takes back the most recent push (at most `undoDepth` in a row).
    @inline(__always)
    mutating func pop() {
        if stamps != nil, pushes > 0 { pushes &-= 1 }
    }

    /// Forgets every event (a new trading day).
    mutating func clear() { pushes = 0 }
}

/// Open addressing over nonzero `UInt64` keys with linear probing and backward-shift deletion (no
/// tombstones), optionally with an `Int32` value per key. `IDSet` and `IDMap` are its two uses;
/// callers keep it at most half full.
struct HashSlots {
    let keys: UnsafeMutablePointer<UInt64>
    let values: UnsafeMutablePointer<Int32>?
    let mask: Int

    init(capacity: Int, withValues: Bool) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = allocateTable(UInt64.self, count: size)
        keys.initialize(repeating: 0, count: size)
        if withValues {
            let v = allocateTable(Int32.self, count: size)
            v.initialize(repeating: -1, count: size)
            values = v
        } else {
            values = nil
        }
        mask = size - 1
    }

    func deallocate() {
        keys.deallocate()
        values?.deallocate()
    }

    /// A block hash: keys that differ only in their low three bits keep their order in one
    /// 8-slot block (one cache line of keys), and blocks are scattered. Client order IDs are mostly
    /// consecutive, so a check usually finds its line already cached by the previous insert, where a
    /// full mix would miss to memory on every order in a multi-megabyte table.
    @inline(__always)
    static func hash(_ key: UInt64) -> Int {
        var x = (key >> 3) &* 0x9E37_79B9_7F4A_7C15
        x ^= x >> 29
        return Int(truncatingIfNeeded: (x << 3) | (key & 7))
    }

    /// Starts loading the line `key`'s probe begins at (a hint; see `RiskCore.prefetch`).
    @inline(__always)
    func prefetch(_ key: UInt64) { ctern_prefetch(keys + (Self.hash(key) & mask)) }

    /// The slot holding `key`, or the empty slot where it would go (`found` false).
    @inline(__always)
    func probe(_ key: UInt64) -> (slot: Int, found: Bool) {
        var i = Self.hash(key) & mask
        while true {
            let k = keys[i]
            if k == key { return (i, true) }
            if k == 0 { return (i, false) }
            i = (i &+ 1) & mask
        }
    }

    /// Backward-shift deletion: whether the member at slot `j`, whose home slot is `home`, must stay
    /// where it is when slot `hole` (before it in its probe run) empties: its home lies cyclically
    /// in `(hole, j]`. Otherwise it moves into the hole.
    @inline(__always)
    static func staysAfter(_ hole: Int, home: Int, at j: Int) -> Bool {
        hole <= j ? (home > hole && home <= j) : (home > hole || home <= j)
    }

    /// Removes `key`; false if it was absent.
    @discardableResult
    func remove(_ key: UInt64) -> Bool {
        let (i, found) = probe(key)
        guard found else { return false }
        // Backward shift: move later members of the probe run into the hole when their home
        // position is not between the hole and themselves.
        var hole = i
        var j = (i &+ 1) & mask
        while keys[j] != 0 {
            if !Self.staysAfter(hole, home: Self.hash(keys[j]) & mask, at: j) {
                keys[hole] = keys[j]
                values?[hole] = values![j]
                hole = j
            }
            j = (j &+ 1) & mask
        }
        keys[hole] = 0
        values?[hole] = -1
        return true
    }

    func clear() {
        keys.update(repeating: 0, count: mask + 1)
        values?.update(repeating: -1, count: mask + 1)
    }
}

/// A set of nonzero `UInt64` keys with a fixed capacity (at most half full).
struct IDSet {
    let slots: HashSlots
    let capacity: Int
    var count = 0

    init(capacity: Int) {
        slots = HashSlots(capacity: capacity, withValues: false)
        self.capacity = capacity
    }

    func deallocate() { slots.deallocate() }

    @inline(__always)
    func contains(_ key: UInt64) -> Bool { slots.probe(key).found }

    var isFull: Bool { count >= capacity }

    /// Inserts `key`; false if it was present or the set is full.
    @inline(__always)
    mutating func insert(_ key: UInt64) -> Bool {
        if count >= capacity { return false }
        let (i, found) = slots.probe(key)
        if found { return false }
        slots.keys[i] = key
        count &+= 1
        return true
    }

    mutating func remove(_ key: UInt64) {
        if slots.remove(key) { count &-= 1 }
    }

    mutating func clear() {
        slots.clear()
        count = 0
    }
}

/// A map from nonzero `UInt64` keys to `Int32` values (client order ID → order slot).
struct IDMap {
    let slots: HashSlots

    init(capacity: Int) { slots = HashSlots(capacity: capacity, withValues: true) }

    func deallocate() { slots.deallocate() }

    /// The value for `key`, or -1.
    @inline(__always)
    func find(_ key: UInt64) -> Int32 {
        let (i, found) = slots.probe(key)
        return found ? slots.values![i] : -1
    }

    /// Sets `key` to `value` (the caller keeps the map at most half full).
    @inline(__always)
    func set(_ key: UInt64, _ value: Int32) {
        let i = slots.probe(key).slot
        slots.keys[i] = key
        slots.values![i] = value
    }

    func remove(_ key: UInt64) { slots.remove(key) }
}

/// Which of an account's four sliding logs (`RiskCore.accountLog`).
enum AccountLog: Int {
    case submit, modify, cancel, reject
}

/// Which of a strategy's four sliding logs (`RiskCore.strategyLog`).
enum StrategyLog: Int {
    case submit, modify, execution, attempt
}

/// Identical-order detection: per content key the last few acceptance stamps.
///
/// Open addressing with linear probing over `2 × capacity` slots, at most `capacity` of them live
/// (so probe runs stay short), and backward-shift deletion (no tombstones: an empty slot ends every
/// search). The check path reads `tags`, two bytes per slot and small enough to stay in L2; an
/// entry (80 bytes, in a table of megabytes) is read only when its tag matches, so an order whose
/// content is new touches one line instead of missing to memory.
///
/// An entry whose newest stamp has left the window is the same as no entry. Each committed order
/// sweeps `sweepPerRecord` slots onward from a cursor and deletes such entries, so the table holds the
/// orders of the current window plus those expired since the cursor last passed (about
/// `capacity / sweepPerRecord` orders on average). At `capacity` entries a new content
/// takes over an expired entry on its probe path; if there is none the order is refused
/// (`duplicate_capacity`; fail closed under a flood of distinct orders).
struct DuplicateTable {
    static let stampsPerEntry = 8
    static let sweepPerRecord = 4
    struct Entry {
        var key: UInt64 = 0
        var pushes: Int = 0
        var stamps: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64) = (0, 0, 0, 0, 0, 0, 0, 0)
    }
    /// What `record` changed, for `undo`: the slot, and what the slot held before (`tag` 0: empty).
    struct Change {
        var slot: Int
        var tag: UInt16
        var newest: Int64
        var entry: Entry
    }
    /// Per slot: 0 when empty (`newest` and the entry are then stale and never read), else `tag(key)`.
    let tags: UnsafeMutablePointer<UInt16>?
    /// Per slot: the entry's newest stamp (what the sweep reads).
    let newest: UnsafeMutablePointer<Int64>?
    let table: UnsafeMutablePointer<Entry>?
    /// Slots − 1 (the slot count is a power of two).
    let mask: Int
    /// Live entries at most (`RiskCapacity.duplicateEntries`).
    let capacity: Int
    let limit: Int
    let window: Int64
    var count = 0
    var cursor = 0

    init(_ rate: RateLimit, entries: Int) {
        limit = rate.count
        window = rate.windowNanoseconds
        capacity = entries
        mask = 2 * entries - 1
        if rate.isUnlimited {
            tags = nil
            newest = nil
            table = nil
        } else {
            let t = allocateTable(UInt16.self, count: 2 * entries)
            t.initialize(repeating: 0, count: 2 * entries)
            let n = allocateTable(Int64.self, count: 2 * entries)
            n.initialize(repeating: 0, count: 2 * entries)
            let p = allocateTable(Entry.self, count: 2 * entries)
            p.initialize(repeating: Entry(), count: 2 * entries)
            tags = t
            newest = n
            table = p
        }
    }

    func deallocate() {
        tags?.deallocate()
        newest?.deallocate()
        table?.deallocate()
    }

    @inline(__always)
    static func stamp(_ e: Entry, _ i: Int) -> Int64 {
        withUnsafeBytes(of: e.stamps) { $0.load(fromByteOffset: (i & 7) * 8, as: Int64.self) }
    }

    /// Content keys are already mixed; unlike client order IDs they have no runs to keep together.
    @inline(__always)
    static func home(_ key: UInt64) -> Int { Int(truncatingIfNeeded: key ^ (key >> 32)) }

    /// Sixteen bits of the key the home slot does not use; never 0.
    @inline(__always)
    static func tag(_ key: UInt64) -> UInt16 { UInt16(truncatingIfNeeded: key >> 48) | 1 }

    /// The slot holding `key`, or the empty slot where it would go (`found` false). Call only
    /// when the table exists.
    @inline(__always)
    func probe(_ key: UInt64) -> (slot: Int, found: Bool) {
        let tags = tags.unsafelyUnwrapped
        let table = table.unsafelyUnwrapped
        let t = Self.tag(key)
        var i = Self.home(key) & mask
        while true {
            let g = tags[i]
            if g == 0 { return (i, false) }
            if g == t, table[i].key == key { return (i, true) }
            i = (i &+ 1) & mask
        }
    }

    /// Starts loading the line of `key`'s home tag (see `RiskCore.prefetch`).
    @inline(__always)
    func prefetch(_ key: UInt64) {
        guard let tags else { return }
        ctern_prefetch(tags + (Self.home(key) & mask))
    }

    /// Whether one more order with `key` at `now` stays within the limit.
    /// `nil` when the table has no room for a new key (refuse).
    @inline(__always)
    func allows(_ key: UInt64, _ now: Int64) -> Bool? {
        guard let table else { return true }
        let (i, found) = probe(key)
        if !found { return count < capacity || expiredSlot(key, now) >= 0 ? limit > 0 : nil }
        let e = table[i]
        let kth = e.pushes &- limit  // the limit-th newest stamp
        if kth < 0 { return limit > 0 }  // fewer than `limit` recorded (the limit is at most 8)
        return Self.stamp(e, kth) <= now &- window
    }

    /// With the table at capacity, the first slot on `key`'s probe path whose entry has expired
    /// (a new key may take it over: it stays reachable from its home); -1 if none.
    func expiredSlot(_ key: UInt64, _ now: Int64) -> Int {
        let (tags, newest) = (tags.unsafelyUnwrapped, newest.unsafelyUnwrapped)
        var i = Self.home(key) & mask
        while tags[i] != 0 {
            if newest[i] <= now &- window { return i }
            i = (i &+ 1) & mask
        }
        return -1
    }

    /// Records an order (after `allows` said yes); returns what changed, for `undo`. Nothing
    /// moves: deletion happens only in `sweep`, which runs once an order or a whole list is
    /// committed for good, so `undo` (most recent first) restores exactly the earlier layout.
    @inline(__always)
    mutating func record(_ key: UInt64, _ now: Int64) -> Change? {
        guard let table, let tags, let newest else { return nil }
        var (i, found) = probe(key)
        if !found {
            if count < capacity {
                count &+= 1
            } else {
                // Full: take over an expired entry on the probe path (`allows` found one).
                i = expiredSlot(key, now)
                if i < 0 { return nil }
            }
        }
        let change = Change(slot: i, tag: tags[i], newest: newest[i], entry: table[i])
        var e = found ? table[i] : Entry(key: key)
        withUnsafeMutableBytes(of: &e.stamps) { $0.storeBytes(of: now, toByteOffset: (e.pushes & 7) * 8, as: Int64.self) }
        e.pushes &+= 1
        table[i] = e
        tags[i] = Self.tag(key)
        newest[i] = now
        return change
    }

    /// Takes back a `record` (the most recent first): the slot gets back what it held.
    mutating func undo(_ change: Change) {
        guard let table, let tags, let newest else { return }
        if change.tag == 0 { count &-= 1 }
        tags[change.slot] = change.tag
        newest[change.slot] = change.newest
        table[change.slot] = change.entry
    }

    /// Deletes the expired entries among the next `sweepPerRecord` slots per order committed.
    /// Called after a commit that will not be taken back (a single order, or a whole list), so
    /// a replay sweeps at the same points.
    @inline(__always)
    mutating func sweep(_ now: Int64, orders: Int = 1) {
        guard let tags, let newest else { return }
        let expired = now &- window
        for _ in 0..<(Self.sweepPerRecord &* orders) {
            let i = cursor
            cursor = (cursor &+ 1) & mask
            if tags[i] != 0, newest[i] <= expired { delete(i) }
        }
    }

    /// Empties slot `i`: later members of its probe run move back into the hole when their home
    /// is not between the hole and themselves.
    mutating func delete(_ i: Int) {
        let (tags, newest, table) = (tags.unsafelyUnwrapped, newest.unsafelyUnwrapped, table.unsafelyUnwrapped)
        var hole = i
        var j = (i &+ 1) & mask
        while tags[j] != 0 {
            if !HashSlots.staysAfter(hole, home: Self.home(table[j].key) & mask, at: j) {
                tags[hole] = tags[j]
                newest[hole] = newest[j]
                table[hole] = table[j]
                hole = j
            }
            j = (j &+ 1) & mask
        }
        tags[hole] = 0  // the entry and stamp are left as they were: unread while the tag is 0
        count &-= 1
    }
}

/// A 64-bit content key for duplicate detection.
@inline(__always)
func mixKey(_ words: (UInt64, UInt64, UInt64, UInt64)) -> UInt64 {
    @inline(__always) func round(_ h: UInt64, _ w: UInt64) -> UInt64 {
        let x = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
        return x ^ (x >> 33)
    }
    let h = round(round(round(round(0x243F_6A88_85A3_08D3, words.0), words.1), words.2), words.3)
    return h == 0 ? 1 : h
}
