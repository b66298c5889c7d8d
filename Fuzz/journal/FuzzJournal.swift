// libFuzzer target for TernJournal's reader and risk-record decoder: outside bytes a restart reads.
// Compiled with Sources/TernCore, TernSystem, TernQueues, TernRisk and TernJournal into one module
// by scripts/fuzz.sh. The input is written as one or two segment files (split at a 0x00 0xFF 0x00
// marker) into a scratch directory on /dev/shm; then, as properties, not just "no crash":
//
// - opening read-only returns a reader or a JournalError with a message; never traps;
// - every record the reader returns has a valid CRC by construction, a sequence one above the last,
//   and a payload inside its segment; decoding it as a risk record returns an entry, nil or a
//   badPayload error naming the field;
// - opening writable with repair leaves a journal that then opens read-only cleanly (a second
//   open finds nothing to cut) with no more records than the first.

#if canImport(Glibc)
    import Glibc
#endif

let scratch = "/dev/shm/tern-fuzz-journal-\(getpid())"

func write(_ path: String, _ bytes: ArraySlice<UInt8>) {
    let fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0o644)
    guard fd >= 0 else { fatalError("cannot write \(path)") }
    bytes.withUnsafeBytes { raw in _ = Glibc.write(fd, raw.baseAddress, raw.count) }
    close(fd)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJournal(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    mkdir(scratch, 0o755)
    for k in 1...2 { unlink(scratch + "/" + JournalFormat.segmentName(UInt64(k))) }
    var split = bytes.count
    if bytes.count >= 3 {
        for k in 0..<(bytes.count - 2) where bytes[k] == 0 && bytes[k + 1] == 0xFF && bytes[k + 2] == 0 {
            split = k
            break
        }
    }
    write(scratch + "/" + JournalFormat.segmentName(1), bytes[0..<split])
    if split < bytes.count { write(scratch + "/" + JournalFormat.segmentName(2), bytes[(split + 3)...]) }

    var firstCount = -1
    do throws(JournalError) {
        let reader = try JournalReader(directory: scratch)
        var last: UInt64 = 0
        var count = 0
        try reader.forEach { (record) throws(JournalError) in
            if last != 0, record.sequence != last &+ 1 { fatalError("sequence \(record.sequence) after \(last)") }
            last = record.sequence
            count += 1
            do throws(JournalError) {
                _ = try RiskPayload.decode(record)
            } catch {
                if error.kind != .badPayload || error.message.isEmpty { fatalError("decode failed without a payload error: \(error)") }
            }
        }
        firstCount = count
    } catch {
        if error.message.isEmpty { fatalError("a journal error without a message") }
    }
    do throws(JournalError) {
        let repaired = try JournalReader(directory: scratch, writable: true, repair: true)
        let again = try JournalReader(directory: scratch)
        if !again.recovery.isClean { fatalError("a repaired journal still needs recovery: \(again.recovery)") }
        if again.recordCount != repaired.recordCount { fatalError("\(again.recordCount) records after repair, \(repaired.recordCount) before") }
        if firstCount >= 0, again.recordCount > firstCount { fatalError("repair produced records the reader did not see") }
    } catch {
        if error.message.isEmpty { fatalError("a journal error without a message") }
    }
    return 0
}
