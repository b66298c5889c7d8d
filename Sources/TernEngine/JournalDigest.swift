public import TernJournal

/// A digest of a journal's records (type, sequence, timestamp and payload of each, FNV-1a 64):
/// two runs that journaled the same events in the same order agree on it.
public enum JournalDigest {
    public static func of(_ reader: JournalReader) -> (records: Int, digest: UInt64) {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        var n = 0
        @inline(__always) func add(_ byte: UInt8) { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        @inline(__always) func add64(_ v: UInt64) { for k in 0..<8 { add(UInt8(truncatingIfNeeded: v >> (8 * k))) } }
        reader.forEach { (r: JournalRecord) in
            n += 1
            add64(UInt64(r.type))
            add64(r.sequence)
            add64(UInt64(bitPattern: r.timestamp))
            add64(UInt64(r.payload.count))
            for b in r.payload { add(b) }
        }
        return (n, h)
    }
}
