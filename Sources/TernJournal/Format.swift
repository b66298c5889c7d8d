import CTernShims

/// The journal's on-disk layout (docs/journal.md has the diagram). All integers little-endian.
///
/// A journal is a directory of segment files `segment-NNNNNNNN.tjl` (NNNNNNNN: the segment's index,
/// from 1). Each segment is pre-allocated to its capacity, so its unwritten space reads as zeros.
///
/// ```
/// segment header (64 bytes)
///   +0  magic "TERNJRNL"      +8  format version u16 (1)   +10 record schema version u16 (1)
///   +12 header size u16 (64)  +14 reserved u16 (0)         +16 segment index u64
///   +24 first sequence u64    +32 created (ns since the epoch) i64
///   +40 capacity (bytes, including this header) u64        +48 reserved (0) ×12
///   +60 CRC-32C of bytes 0..<60
/// record (at offset 64, then each at the next multiple of 8)
///   +0  length u32 (32 + payload bytes; 0 = the end of the segment's records)
///   +4  type u16              +6  flags u16 (0)            +8  sequence u64
///   +16 timestamp (ns) i64    +24 CRC-32C u32 of bytes 0..<24 and 28..<length
///   +28 reserved u32 (0)      +32 payload
/// ```
public enum JournalFormat {
    public static let magic: [UInt8] = Array("TERNJRNL".utf8)
    public static let version: UInt16 = 1
    /// The payload schema `JournalEvent` writes; readers refuse a newer one.
    public static let schemaVersion: UInt16 = 1
    public static let headerSize = 64
    public static let recordHeaderSize = 32
    public static let alignment = 8
    /// The largest payload of one record.
    public static let maxPayload = 64 << 10
    public static let segmentPrefix = "segment-"
    public static let segmentSuffix = ".tjl"

    /// The file name of segment `index`.
    public static func segmentName(_ index: UInt64) -> String {
        let digits = String(index)
        return segmentPrefix + String(repeating: "0", count: max(0, 8 - digits.count)) + digits + segmentSuffix
    }

    /// The index in a segment file name, or nil if `name` is not one.
    public static func segmentIndex(_ name: String) -> UInt64? {
        guard name.hasPrefix(segmentPrefix), name.hasSuffix(segmentSuffix) else { return nil }
        let digits = name.dropFirst(segmentPrefix.count).dropLast(segmentSuffix.count)
        guard digits.count >= 8, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let v = UInt64(digits), v > 0 else { return nil }
        return v
    }

    /// Bytes a record with `payload` bytes occupies (header, payload, padding to 8).
    @inlinable
    public static func span(payload: Int) -> Int { (32 &+ payload &+ 7) & ~7 }

    /// The checksum a record stores: over its first 24 header bytes and everything from +28 on.
    @inline(__always)
    static func recordCRC(_ record: UnsafeRawPointer, length: Int) -> UInt32 {
        let head = ctern_crc32c(0, record, 24)
        return ctern_crc32c(head, record + 28, length - 28)
    }

    /// Writes a segment header into the 64 bytes at `p`.
    static func writeHeader(_ p: UnsafeMutableRawPointer, index: UInt64, firstSequence: UInt64, created: Int64, capacity: UInt64) {
        p.initializeMemory(as: UInt8.self, repeating: 0, count: headerSize)
        for (k, b) in magic.enumerated() { p.storeBytes(of: b, toByteOffset: k, as: UInt8.self) }
        p.storeBytes(of: version.littleEndian, toByteOffset: 8, as: UInt16.self)
        p.storeBytes(of: schemaVersion.littleEndian, toByteOffset: 10, as: UInt16.self)
        p.storeBytes(of: UInt16(headerSize).littleEndian, toByteOffset: 12, as: UInt16.self)
        p.storeBytes(of: index.littleEndian, toByteOffset: 16, as: UInt64.self)
        p.storeBytes(of: firstSequence.littleEndian, toByteOffset: 24, as: UInt64.self)
        p.storeBytes(of: created.littleEndian, toByteOffset: 32, as: Int64.self)
        p.storeBytes(of: capacity.littleEndian, toByteOffset: 40, as: UInt64.self)
        p.storeBytes(of: ctern_crc32c(0, p, 60).littleEndian, toByteOffset: 60, as: UInt32.self)
    }

    /// Frames the record whose `payload` bytes are already at `p + 32`: header, CRC-32C, zero
    /// padding to 8. The journal thread's per-record work (public for the benchmark's anchor).
    @inline(__always)
    public static func frame(_ p: UnsafeMutableRawPointer, type: UInt16, sequence: UInt64, timestamp: Int64, payload: Int) {
        let length = 32 &+ payload
        p.storeBytes(of: UInt32(truncatingIfNeeded: length).littleEndian, as: UInt32.self)
        p.storeBytes(of: type.littleEndian, toByteOffset: 4, as: UInt16.self)
        p.storeBytes(of: UInt16(0), toByteOffset: 6, as: UInt16.self)
        p.storeBytes(of: sequence.littleEndian, toByteOffset: 8, as: UInt64.self)
        p.storeBytes(of: timestamp.littleEndian, toByteOffset: 16, as: Int64.self)
        p.storeBytes(of: UInt32(0), toByteOffset: 28, as: UInt32.self)
        p.storeBytes(of: recordCRC(p, length: length).littleEndian, toByteOffset: 24, as: UInt32.self)
        let padded = span(payload: payload)
        if padded > length { (p + length).initializeMemory(as: UInt8.self, repeating: 0, count: padded - length) }
    }
}

/// A segment's header, as read back.
public struct SegmentHeader: Hashable, Sendable {
    public var index: UInt64
    public var firstSequence: UInt64
    public var created: Int64
    public var capacity: UInt64
    public var schemaVersion: UInt16

    /// Parses and checks the 64 header bytes; the error says which field is wrong.
    static func parse(_ p: UnsafeRawBufferPointer, file: String) throws(JournalError) -> SegmentHeader {
        guard p.count >= JournalFormat.headerSize else {
            throw JournalError(.truncatedHeader, file: file, offset: 0, "\(p.count) bytes, a header is 64")
        }
        guard Array(p[0..<8]) == JournalFormat.magic else {
            throw JournalError(.badHeader, file: file, offset: 0, "not a Tern journal segment (magic)")
        }
        let stored = p.loadUnaligned(fromByteOffset: 60, as: UInt32.self).littleEndian
        let actual = ctern_crc32c(0, p.baseAddress!, 60)
        guard stored == actual else {
            throw JournalError(.badHeader, file: file, offset: 60, "header checksum \(hex(stored)), computed \(hex(actual))")
        }
        let version = p.loadUnaligned(fromByteOffset: 8, as: UInt16.self).littleEndian
        guard version == JournalFormat.version else {
            throw JournalError(.unsupportedVersion, file: file, offset: 8, "format version \(version); this build reads \(JournalFormat.version)")
        }
        let schema = p.loadUnaligned(fromByteOffset: 10, as: UInt16.self).littleEndian
        guard schema <= JournalFormat.schemaVersion else {
            throw JournalError(.unsupportedVersion, file: file, offset: 10, "record schema \(schema); this build reads up to \(JournalFormat.schemaVersion)")
        }
        let size = p.loadUnaligned(fromByteOffset: 12, as: UInt16.self).littleEndian
        guard Int(size) == JournalFormat.headerSize else {
            throw JournalError(.badHeader, file: file, offset: 12, "header size \(size), expected 64")
        }
        return SegmentHeader(
            index: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self).littleEndian,
            firstSequence: p.loadUnaligned(fromByteOffset: 24, as: UInt64.self).littleEndian,
            created: p.loadUnaligned(fromByteOffset: 32, as: Int64.self).littleEndian,
            capacity: p.loadUnaligned(fromByteOffset: 40, as: UInt64.self).littleEndian,
            schemaVersion: schema)
    }
}

func hex(_ v: UInt32) -> String {
    let digits = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}

/// What went wrong with a journal, where.
public struct JournalError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case io, noSpace, truncatedHeader, badHeader, unsupportedVersion, sequenceGap, corruption, misuse, badPayload, replayMismatch
    }
    public var kind: Kind
    /// The file concerned (a segment's path), if any.
    public var file: String
    /// The byte offset in `file`, or −1.
    public var offset: Int
    /// The sequence number affected, or 0.
    public var sequence: UInt64
    public var errno: Int32
    public var message: String

    public init(_ kind: Kind, file: String = "", offset: Int = -1, sequence: UInt64 = 0, errno: Int32 = 0, _ message: String) {
        self.kind = kind
        self.file = file
        self.offset = offset
        self.sequence = sequence
        self.errno = errno
        self.message = message
    }

    public var description: String {
        var s = "journal"
        if !file.isEmpty { s += " \(file)" }
        if offset >= 0 { s += " at offset \(offset)" }
        if sequence != 0 { s += " (sequence \(sequence))" }
        return s + ": " + message
    }
}
