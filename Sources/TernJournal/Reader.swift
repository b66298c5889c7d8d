#if canImport(Glibc)
    import Glibc
#endif

/// One record as the reader hands it out. `payload` is valid only inside the callback.
public struct JournalRecord {
    public var type: UInt16
    public var sequence: UInt64
    public var timestamp: Int64
    public var payload: UnsafeRawBufferPointer
    /// The segment file and the record's offset in it.
    public var segment: UInt64
    public var offset: Int
}

/// A segment as found on open.
public struct SegmentInfo: Hashable, Sendable {
    public var path: String
    public var header: SegmentHeader
    /// Where its records end (the next record would go here).
    public var end: Int
    public var records: Int
    /// Sequence range, or nil if the segment holds no record.
    public var firstSequence: UInt64?
    public var lastSequence: UInt64?
    public var firstTimestamp: Int64?
    public var lastTimestamp: Int64?
}

/// What opening did to make the journal consistent.
public struct RecoveryReport: Hashable, Sendable, CustomStringConvertible {
    /// A torn or partial tail that was cut (or would be, when opened read-only).
    public struct TornTail: Hashable, Sendable {
        public var file: String
        public var offset: Int
        /// Nonzero bytes from `offset` on.
        public var bytes: Int
        public var reason: String
    }
    public var tornTail: TornTail?
    /// An empty segment whose header was never completely written, removed.
    public var removedSegments: [String] = []
    /// With `repair`: the corruption that was cut, and how many segments after it were dropped.
    public var repairedCorruption: JournalError?
    public var droppedSegments: [String] = []
    /// Whether the files were changed (false when opened read-only).
    public var applied = false

    public var isClean: Bool { tornTail == nil && removedSegments.isEmpty && repairedCorruption == nil }

    public var description: String {
        var parts: [String] = []
        if let t = tornTail { parts.append("torn tail in \(t.file) at offset \(t.offset): \(t.bytes) bytes \(applied ? "cut" : "to cut") (\(t.reason))") }
        for s in removedSegments { parts.append("incomplete segment \(s) \(applied ? "removed" : "to remove")") }
        if let c = repairedCorruption { parts.append("repaired: \(c); \(droppedSegments.count) later segment(s) dropped") }
        return parts.isEmpty ? "clean" : parts.joined(separator: "; ")
    }

}

/// Opens a journal directory, checks every record (CRC-32C, framing, sequence continuity), and
/// recovers from a crash: a torn or partial last record is cut and reported; damage anywhere
/// before the tail is refused with the file and offset, unless `repair` is asked for.
///
/// How the tail is told from corruption: the first bad record is the tail when it is in the last
/// segment and no intact record follows it there. A process crash (kill -9) can only leave such a
/// tail; so can a power cut, unless the disk persisted a later page of an unsynced batch before
/// an earlier one, which this rule refuses (open with `repair` after checking what was lost).
public final class JournalReader {
    public let directory: String
    public private(set) var segments: [SegmentInfo] = []
    public private(set) var recovery = RecoveryReport()
    /// Whether this open applied recovery on disk (what a writer continuing the journal needs).
    public let isWritable: Bool
    private var contents: [[UInt8]] = []

    /// - Parameters:
    ///   - writable: cut a torn tail and remove an incomplete last segment on disk (the writer opens
    ///     this way); read-only opens report what they would do and read up to the tail.
    ///   - repair: cut the journal at the first damaged record even before the tail.
    public init(directory: String, writable: Bool = false, repair: Bool = false) throws(JournalError) {
        self.directory = directory
        isWritable = writable
        var indices: [UInt64] = []
        for name in try Files.list(directory) {
            if let i = JournalFormat.segmentIndex(name) { indices.append(i) }
        }
        indices.sort()
        for (k, i) in indices.enumerated() where i != UInt64(k + 1) {
            throw JournalError(.corruption, file: path(i), "segment \(k + 1) is missing (found \(indices.map(String.init).joined(separator: ", ")))")
        }
        var expected: UInt64? = nil
        var k = 0
        while k < indices.count {
            let index = indices[k]
            let file = path(index)
            let isLast = k == indices.count - 1
            let bytes = try Files.readAll(file)
            let header: SegmentHeader
            do throws(JournalError) {
                header = try withBytes(bytes) { raw throws(JournalError) in try SegmentHeader.parse(raw, file: file) }
            } catch {
                // A crash between creating a segment and syncing its header leaves a last segment
                // whose header is zeros or partial and which holds nothing: remove it.
                if isLast, Self.holdsNoRecord(bytes) {
                    recovery.removedSegments.append(file)
                    if writable {
                        unlink(file)
                        try Files.syncDirectory(directory)
                        recovery.applied = true
                    }
                    break
                }
                throw error
            }
            guard header.index == index else {
                throw JournalError(.badHeader, file: file, offset: 16, "header says segment \(header.index), the name says \(index)")
            }
            if let e = expected, header.firstSequence != e {
                throw JournalError(.sequenceGap, file: file, offset: 24, "segment starts at sequence \(header.firstSequence), expected \(e)")
            }
            var info = SegmentInfo(path: file, header: header, end: JournalFormat.headerSize, records: 0)
            var next = header.firstSequence
            var offset = JournalFormat.headerSize
            var damage: (offset: Int, reason: String)? = nil
            bytes.withUnsafeBytes { raw in
                let limit = min(raw.count, Int(clamping: header.capacity))
                while offset + 4 <= limit {
                    let length = Int(raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian)
                    if length == 0 {
                        if !Self.allZero(raw, from: offset, to: limit) { damage = (offset, "nonzero bytes after the last record") }
                        return
                    }
                    if let why = Self.check(raw, at: offset, limit: limit, expecting: next) {
                        damage = (offset, why)
                        return
                    }
                    let r = Self.record(raw, at: offset, segment: index)
                    if info.firstSequence == nil { info.firstSequence = r.sequence; info.firstTimestamp = r.timestamp }
                    info.lastSequence = r.sequence
                    info.lastTimestamp = r.timestamp
                    info.records += 1
                    next = r.sequence &+ 1
                    offset += JournalFormat.span(payload: length - 32)
                }
                if offset < limit, !Self.allZero(raw, from: offset, to: limit) { damage = (offset, "a partial record header") }
            }
            info.end = offset
            contents.append(bytes)
            segments.append(info)
            if let damage {
                // The journal ends at the damaged record: cut it there (a torn tail, or a repair,
                // which also drops the later segments), or refuse.
                let tornTail = isLast && !Self.intactRecordFollows(bytes, after: damage.offset, limit: Int(clamping: header.capacity))
                guard tornTail || repair else {
                    throw JournalError(
                        .corruption, file: file, offset: damage.offset, sequence: next,
                        "\(damage.reason), before the journal's tail (open with repair to cut the journal here)")
                }
                let dirty = Self.lastNonzero(bytes, from: damage.offset) - damage.offset
                let later = indices[(k + 1)...].map { path($0) }
                if tornTail {
                    recovery.tornTail = .init(file: file, offset: damage.offset, bytes: dirty, reason: damage.reason)
                } else {
                    recovery.repairedCorruption = JournalError(.corruption, file: file, offset: damage.offset, sequence: next, damage.reason)
                    recovery.droppedSegments = later
                }
                if writable {
                    try Self.zero(file, from: damage.offset, count: dirty)
                    for f in later { unlink(f) }
                    if !later.isEmpty { try Files.syncDirectory(directory) }
                    recovery.applied = true
                }
                break
            }
            expected = next
            k += 1
        }
    }

    func path(_ index: UInt64) -> String { directory + "/" + JournalFormat.segmentName(index) }

    /// The sequence the next record gets (1 for an empty journal).
    public var nextSequence: UInt64 {
        guard let s = segments.last else { return 1 }
        return s.lastSequence.map { $0 &+ 1 } ?? s.header.firstSequence
    }

    /// Records in the journal (after recovery).
    public var recordCount: Int { segments.reduce(0) { $0 + $1.records } }

    /// Calls `body` for every record in sequence order.
    public func forEach<E: Error>(_ body: (JournalRecord) throws(E) -> Void) throws(E) {
        for (k, info) in segments.enumerated() {
            try withBytes(contents[k]) { raw throws(E) in
                var offset = JournalFormat.headerSize
                while offset < info.end {
                    let r = Self.record(raw, at: offset, segment: info.header.index)
                    try body(r)
                    offset += JournalFormat.span(payload: r.payload.count)
                }
            }
        }
    }

    // MARK: - Checks

    /// Why the record at `offset` is not an intact record with sequence `expected`, or nil.
    static func check(_ raw: UnsafeRawBufferPointer, at offset: Int, limit: Int, expecting expected: UInt64?) -> String? {
        guard offset + JournalFormat.recordHeaderSize <= limit else { return "a record header that runs past the end of the file" }
        let length = Int(raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian)
        guard length >= JournalFormat.recordHeaderSize else { return "record length \(length), shorter than its 32-byte header" }
        guard length - JournalFormat.recordHeaderSize <= JournalFormat.maxPayload else { return "record length \(length), over the 64 KiB payload limit" }
        guard offset + length <= limit else { return "record length \(length) runs past the end of the file (\(limit - offset) bytes left)" }
        let stored = raw.loadUnaligned(fromByteOffset: offset + 24, as: UInt32.self).littleEndian
        let actual = JournalFormat.recordCRC(raw.baseAddress! + offset, length: length)
        guard stored == actual else { return "record checksum \(hex(stored)), computed \(hex(actual))" }
        // Padding is not under the CRC; it must be zeros (a cut file may end inside it).
        let padded = min(offset + JournalFormat.span(payload: length - 32), limit)
        if !allZero(raw, from: offset + length, to: padded) { return "nonzero padding after the record" }
        let type = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self).littleEndian
        guard type != 0 else { return "record type 0" }
        let sequence = raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self).littleEndian
        if let expected, sequence != expected { return "sequence \(sequence), expected \(expected)" }
        return nil
    }

    static func record(_ raw: UnsafeRawBufferPointer, at offset: Int, segment: UInt64) -> JournalRecord {
        let length = Int(raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian)
        return JournalRecord(
            type: raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self).littleEndian,
            sequence: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self).littleEndian,
            timestamp: raw.loadUnaligned(fromByteOffset: offset + 16, as: Int64.self).littleEndian,
            payload: UnsafeRawBufferPointer(rebasing: raw[(offset + 32)..<(offset + length)]),
            segment: segment, offset: offset)
    }

    /// Whether an intact record (any sequence) starts at an 8-byte boundary after `offset`.
    static func intactRecordFollows(_ bytes: [UInt8], after offset: Int, limit: Int) -> Bool {
        bytes.withUnsafeBytes { raw in
            let end = min(raw.count, limit)
            var o = offset + JournalFormat.alignment
            while o + JournalFormat.recordHeaderSize <= end {
                if raw.loadUnaligned(fromByteOffset: o, as: UInt32.self) != 0, check(raw, at: o, limit: end, expecting: nil) == nil { return true }
                o += JournalFormat.alignment
            }
            return false
        }
    }

    static func allZero(_ raw: UnsafeRawBufferPointer, from: Int, to: Int) -> Bool {
        var k = from
        while k < to {
            if raw[k] != 0 { return false }
            k += 1
        }
        return true
    }

    /// One past the last nonzero byte at or after `from` (`from` if there is none).
    static func lastNonzero(_ bytes: [UInt8], from: Int) -> Int {
        var k = bytes.count
        while k > from, bytes[k - 1] == 0 { k -= 1 }
        return k
    }

    static func holdsNoRecord(_ bytes: [UInt8]) -> Bool { lastNonzero(bytes, from: JournalFormat.headerSize) <= JournalFormat.headerSize }

    /// Zeros `count` bytes at `offset` (keeping the pre-allocation) and syncs.
    static func zero(_ file: String, from offset: Int, count: Int) throws(JournalError) {
        guard count > 0 else { return }
        let fd = try Files.open(file, O_WRONLY)
        defer { close(fd) }
        let zeros = [UInt8](repeating: 0, count: count)
        try withBytes(zeros) { raw throws(JournalError) in try Files.pwriteAll(fd, raw.baseAddress!, count, offset, path: file) }
        try Files.datasync(fd, path: file)
    }
}
