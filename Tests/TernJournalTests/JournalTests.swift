import CTernShims
import Synchronization
import Testing
import TernCore
import TernJournal

#if canImport(Glibc)
    import Glibc
#endif

/// A fresh directory under /tmp, removed by `remove()`.
struct Scratch {
    let path: String
    static let counter = Atomic<Int>(0)

    init(_ name: String) {
        path = "/tmp/tern-journal-test-\(getpid())-\(name)-\(Self.counter.add(1, ordering: .relaxed).newValue)"
        remove()
        mkdir(path, 0o755)
    }

    func remove() { _ = system("rm -rf '\(path)'") }

    func segment(_ index: UInt64) -> String { path + "/" + JournalFormat.segmentName(index) }
}

enum J {
    /// Writes `count` test records through a writer and closes it.
    static func write(_ dir: String, count: Int, options: JournalOptions = small()) throws -> JournalWriter {
        let w = try JournalWriter(directory: dir, options: options)
        var done = 0
        while done < count {
            if JournalTestPattern.append(to: w) == 0 { usleep(50) } else { done += 1 }
        }
        try w.close()
        return w
    }

    static func small() -> JournalOptions {
        var o = JournalOptions()
        o.segmentCapacity = 128 << 10
        o.ringCapacity = 1 << 20
        o.idleSleepNanoseconds = 5_000
        return o
    }

    /// Every record, checked against the test pattern and numbered 1...; returns the count.
    static func readBack(_ dir: String, writable: Bool = false) throws -> (count: Int, reader: JournalReader) {
        let r = try JournalReader(directory: dir, writable: writable)
        var expected: UInt64 = 1
        var bad = 0
        r.forEach { rec in
            if rec.sequence != expected || !JournalTestPattern.matches(rec) { bad += 1 }
            expected += 1
        }
        #expect(bad == 0)
        return (Int(expected - 1), r)
    }

    static func run(_ command: String) -> Int32 {
        let status = system(command)
        return (status >> 8) & 0xFF
    }
}

@Suite struct CRCTests {
    @Test func rfc3720CheckValues() {
        #expect(ctern_crc32c(0, "123456789", 9) == 0xE306_9283)
        let zeros = [UInt8](repeating: 0, count: 32)
        #expect(ctern_crc32c(0, zeros, 32) == 0x8A91_36AA)  // RFC 3720 B.4: 32 bytes of zeros
        let ones = [UInt8](repeating: 0xFF, count: 32)
        #expect(ctern_crc32c(0, ones, 32) == 0x62A8_AB43)
        let inc = (0..<32).map { UInt8($0) }
        #expect(ctern_crc32c(0, inc, 32) == 0x46DD_794E)
    }

    @Test func instructionAndTableAgree() {
        var g = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let n = Int.random(in: 0..<300, using: &g)
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &g) }
            let split = Int.random(in: 0...n, using: &g)
            let whole = ctern_crc32c(0, bytes, n)
            #expect(whole == ctern_crc32c_software(0, bytes, n))
            let parts = bytes.withUnsafeBytes { raw in ctern_crc32c(ctern_crc32c(0, raw.baseAddress!, split), raw.baseAddress! + split, n - split) }
            #expect(whole == parts)
        }
    }
}

@Suite struct WriterTests {
    @Test(arguments: [JournalBackendChoice.ioUring, .pwrite], [SyncPolicy.everyBatch, .interval(nanoseconds: 100_000), .none])
    func everyRecordComesBack(_ backend: JournalBackendChoice, _ sync: SyncPolicy) throws {
        let dir = Scratch("roundtrip")
        defer { dir.remove() }
        var o = J.small()
        o.backend = backend
        o.sync = sync
        let w = try J.write(dir.path, count: 5_000, options: o)
        #expect(w.durableSequence == 5_000)
        #expect(w.writtenSequence == 5_000)
        #expect(w.usesIoUring == (backend == .ioUring))
        let (count, r) = try J.readBack(dir.path)
        #expect(count == 5_000)
        #expect(r.recovery.isClean)
        // 5,000 records of 40–240 bytes do not fit one 128 KiB segment.
        #expect(r.segments.count > 1)
        for (k, s) in r.segments.enumerated() {
            #expect(s.header.index == UInt64(k + 1))
            #expect(s.header.capacity == UInt64(o.segmentCapacity))
        }
    }

    @Test func reopeningContinuesTheSequence() throws {
        let dir = Scratch("reopen")
        defer { dir.remove() }
        _ = try J.write(dir.path, count: 700)
        let w = try JournalWriter(directory: dir.path, options: J.small())
        #expect(w.sequenceOfNextAppend == 701)
        #expect(w.recovery.isClean)
        try w.close()
        // A writer appends 300 more: 1...1000 in order.
        let more = try JournalWriter(directory: dir.path, options: J.small())
        for _ in 0..<300 {
            let s = more.sequenceOfNextAppend
            #expect(JournalTestPattern.append(to: more) == s)
        }
        try more.close()
        #expect(try J.readBack(dir.path).count == 1000)
    }

    @Test func oversizedAndZeroTypeRecordsAreRefused() throws {
        let dir = Scratch("refuse")
        defer { dir.remove() }
        let w = try JournalWriter(directory: dir.path, options: J.small())
        let big = [UInt8](repeating: 1, count: JournalFormat.maxPayload + 1)
        #expect(big.withUnsafeBytes { w.append(type: 5, timestamp: 0, payload: $0) } == 0)
        #expect(big.withUnsafeBytes { w.append(type: 0, timestamp: 0, payload: UnsafeRawBufferPointer(rebasing: $0[0..<4])) } == 0)
        #expect(big.withUnsafeBytes { w.append(type: 5, timestamp: 0, payload: UnsafeRawBufferPointer(rebasing: $0[0..<JournalFormat.maxPayload])) } == 1)
        try w.close()
        let r = try JournalReader(directory: dir.path)
        #expect(r.recordCount == 1)
    }

    @Test func badOptionsAndPathsNameTheProblem() {
        var o = J.small()
        o.ringCapacity = 1000
        #expect(throws: JournalError.self) { try JournalWriter(directory: "/tmp/never-created-\(getpid())", options: o) }
        // A directory path that is a file.
        #expect { try JournalWriter(directory: "/etc/hostname", options: J.small()) } throws: { e in
            (e as? JournalError)?.description.contains("/etc/hostname") == true
        }
    }
}

@Suite struct RecoveryTests {
    /// Cutting the last segment at every byte offset of its last three records: the torn record
    /// is cut and reported, every record before it reads back, and a writer continues after it.
    @Test func truncationAtEveryOffsetOfTheTail() throws {
        let dir = Scratch("truncate")
        defer { dir.remove() }
        _ = try J.write(dir.path, count: 40)
        let (_, r) = try J.readBack(dir.path)
        let seg = r.segments.last!
        // Offsets where the last three records start.
        var starts: [Int] = []
        r.forEach { rec in starts.append(rec.offset) }
        let from = starts[starts.count - 3]
        let original = try readFile(seg.path)
        let copy = Scratch("truncate-copy")
        defer { copy.remove() }
        for cut in from...seg.end {
            _ = system("rm -f '\(copy.path)'/*")
            try writeFile(copy.segment(1), Array(original[0..<cut]))
            let intact = starts.filter { s in
                let length = Int(original[s]) | Int(original[s + 1]) << 8
                return s + length <= cut
            }.count
            let reader = try JournalReader(directory: copy.path, writable: true)
            #expect(reader.recordCount == intact, "cut at \(cut)")
            // A cut inside a record's padding leaves the record whole.
            let inPadding = starts.contains { s in
                let length = Int(original[s]) | Int(original[s + 1]) << 8
                return cut >= s + length && cut < s + ((length + 7) & ~7)
            }
            let torn = cut != seg.end && !starts.contains(cut) && !inPadding
            #expect((reader.recovery.tornTail != nil) == torn, "cut at \(cut): \(reader.recovery)")
            // After recovery the journal is clean and appendable from the next sequence.
            let again = try JournalReader(directory: copy.path)
            #expect(again.recovery.isClean, "cut at \(cut): \(again.recovery)")
            #expect(again.nextSequence == UInt64(intact + 1))
        }
    }

    /// Every single-bit flip in a record before the tail is caught by its CRC (or framing) and
    /// refused with the file and the record's offset; in the last record it is a torn tail.
    @Test func bitFlipsAreCaught() throws {
        let dir = Scratch("flip")
        defer { dir.remove() }
        _ = try J.write(dir.path, count: 30)
        let (_, r) = try J.readBack(dir.path)
        var starts: [Int] = []
        r.forEach { rec in starts.append(rec.offset) }
        let original = try readFile(dir.segment(1))
        let copy = Scratch("flip-copy")
        defer { copy.remove() }
        let victim = starts[10]
        let victimEnd = starts[11]
        for byte in victim..<victimEnd {
            for bit in 0..<8 {
                var bytes = original
                bytes[byte] ^= UInt8(1 << bit)
                try writeFile(copy.segment(1), bytes)
                #expect { try JournalReader(directory: copy.path) } throws: { e in
                    guard let e = e as? JournalError else { return false }
                    return e.kind == .corruption && e.offset == victim && e.file == copy.segment(1)
                }
            }
        }
        // Repair cuts the journal at the damaged record.
        var bytes = original
        bytes[victim + 40] ^= 0x10
        try writeFile(copy.segment(1), bytes)
        let repaired = try JournalReader(directory: copy.path, writable: true, repair: true)
        #expect(repaired.recordCount == 10)
        #expect(repaired.recovery.repairedCorruption?.offset == victim)
        #expect(try JournalReader(directory: copy.path).recordCount == 10)
        // The last record flipped: a torn tail.
        bytes = original
        bytes[starts.last! + 33] ^= 1
        try writeFile(copy.segment(1), bytes)
        let tail = try JournalReader(directory: copy.path)
        #expect(tail.recordCount == 29)
        #expect(tail.recovery.tornTail?.offset == starts.last!)
    }

    @Test func damagedHeadersAndMissingSegmentsAreRefused() throws {
        let dir = Scratch("headers")
        defer { dir.remove() }
        var o = J.small()
        o.segmentCapacity = 80 << 10
        _ = try J.write(dir.path, count: 2_000, options: o)
        let r = try JournalReader(directory: dir.path)
        #expect(r.segments.count >= 3)
        let first = try readFile(dir.segment(1))
        var bad = first
        bad[3] = 0x21
        try writeFile(dir.segment(1), bad)
        #expect { try JournalReader(directory: dir.path) } throws: { ($0 as? JournalError)?.message.contains("magic") == true }
        bad = first
        bad[20] ^= 4
        try writeFile(dir.segment(1), bad)
        #expect { try JournalReader(directory: dir.path) } throws: { ($0 as? JournalError)?.message.contains("header checksum") == true }
        try writeFile(dir.segment(1), first)
        unlink(dir.segment(2))
        #expect { try JournalReader(directory: dir.path) } throws: { ($0 as? JournalError)?.message.contains("segment 2 is missing") == true }
    }
}

func readFile(_ path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw JournalError(.io, file: path, "open") }
    defer { close(fd) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        if n <= 0 { break }
        out += chunk[0..<n]
    }
    return out
}

func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw JournalError(.io, file: path, "open") }
    defer { close(fd) }
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
}
