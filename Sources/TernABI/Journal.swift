public import CTern
import TernJournal

// The event journal (TernJournal.JournalWriter, JournalReader) behind `tern_journal_t`.

final class JournalHandle: Handle {
    let writer: JournalWriter
    init(_ writer: JournalWriter) {
        self.writer = writer
        super.init(.journal)
    }
}

@inline(__always)
func withJournal(_ pointer: OpaquePointer?, _ function: StaticString = #function, _ body: (JournalHandle) -> tern_status_t) -> tern_status_t {
    withHandle(pointer, .journal, JournalHandle.self, "journal", function, body)
}

/// Journal options from the C struct (NULL: defaults), or a message naming the bad field.
func journalOptions(_ c: UnsafePointer<tern_journal_options_t>?) -> Result<JournalOptions, JournalError> {
    var options = JournalOptions()
    guard let c = c?.pointee else { return .success(options) }
    func bad(_ message: String) -> Result<JournalOptions, JournalError> { .failure(JournalError(.misuse, "tern_journal_options_t: \(message)")) }
    if let mismatch = sizeMismatch(c.struct_size, tern_journal_options_t.self) { return bad(mismatch) }
    switch c.sync {
    case TERN_SYNC_NONE: options.sync = .none
    case TERN_SYNC_INTERVAL: options.sync = .interval(nanoseconds: c.sync_interval_ns == 0 ? 1_000_000 : c.sync_interval_ns)
    case TERN_SYNC_EVERY_BATCH: options.sync = .everyBatch
    default: return bad("sync \(c.sync) is not a TERN_SYNC_* code")
    }
    if c.segment_bytes != 0 {
        guard let n = Int(exactly: c.segment_bytes) else { return bad("segment_bytes \(c.segment_bytes) is too large") }
        options.segmentCapacity = n
    }
    if c.ring_bytes != 0 {
        guard let n = Int(exactly: c.ring_bytes) else { return bad("ring_bytes \(c.ring_bytes) is too large") }
        options.ringCapacity = n
    }
    if c.writer_cpu >= 0 { options.cpu = Int(c.writer_cpu) }
    return .success(options)
}

@c @implementation
public func tern_journal_open(
    _ directory: UnsafePointer<CChar>?, _ options: UnsafePointer<tern_journal_options_t>?, _ out_journal: UnsafeMutablePointer<OpaquePointer?>?
) -> tern_status_t {
    guard let path = string(directory) else { return null("directory") }
    guard let out_journal else { return null("out_journal") }
    let chosen: JournalOptions
    switch journalOptions(options) {
    case .success(let o): chosen = o
    case .failure(let e): return fail(TERN_E_INVALID, "tern_journal_open: \(e)")
    }
    do throws(JournalError) {
        return ok(out_journal, retained(JournalHandle(try JournalWriter(directory: path, options: chosen))))
    } catch {
        return fail(error.kind == .misuse ? TERN_E_INVALID : TERN_E_IO, "tern_journal_open: \(path): \(error)")
    }
}

@c @implementation
public func tern_journal_append(
    _ journal: OpaquePointer?, _ type: UInt16, _ timestamp_ns: Int64, _ payload: UnsafeRawPointer?, _ length: Int, _ out_sequence: UnsafeMutablePointer<UInt64>?
) -> tern_status_t {
    withJournal(journal) { h in
        guard payload != nil || length == 0 else { return null("payload") }
        guard type >= TERN_JOURNAL_USER_TYPE_MIN && type <= TERN_JOURNAL_USER_TYPE_MAX else {
            return fail(TERN_E_INVALID, "tern_journal_append: type 0x\(String(type, radix: 16)) is not a user type (0x8000...0xefff)")
        }
        let sequence = h.writer.append(type: type, timestamp: timestamp_ns, payload: UnsafeRawBufferPointer(start: payload, count: length))
        if sequence != 0 {
            out_sequence?.pointee = sequence
            return TERN_OK
        }
        return appendFailure(h.writer, length)
    }
}

@inline(never)
func appendFailure(_ writer: JournalWriter, _ length: Int) -> tern_status_t {
    if length > JournalFormat.maxPayload {
        return fail(TERN_E_INVALID, "tern_journal_append: a \(length)-byte payload is over the limit of \(JournalFormat.maxPayload)")
    }
    switch writer.health {
    case .running: return TERN_E_FULL
    case .failed: return fail(TERN_E_IO, "tern_journal_append: the writer failed: \(writer.failure.map { "\($0)" } ?? "unknown error")")
    default: return fail(TERN_E_STATE, "tern_journal_append: the journal is closed")
    }
}

@c @implementation
public func tern_journal_wait_durable(_ journal: OpaquePointer?, _ sequence: UInt64) -> tern_status_t {
    withJournal(journal) { h in
        guard sequence < h.writer.sequenceOfNextAppend else {
            return fail(TERN_E_INVALID, "tern_journal_wait_durable: sequence \(sequence) has not been appended (next is \(h.writer.sequenceOfNextAppend))")
        }
        if h.writer.waitUntilDurable(sequence) { return TERN_OK }
        return fail(TERN_E_IO, "tern_journal_wait_durable: the writer stopped: \(h.writer.failure.map { "\($0)" } ?? "closed")")
    }
}

@c @implementation
public func tern_journal_close(_ journal: OpaquePointer?) -> tern_status_t {
    guard let journal else { return TERN_OK }
    guard let h = object(journal, .journal, as: JournalHandle.self) else { return badHandle("journal") }
    let status: tern_status_t
    do throws(JournalError) {
        try h.writer.close()
        status = TERN_OK
    } catch {
        status = fail(TERN_E_IO, "tern_journal_close: \(error)")
    }
    release(journal, .journal)
    return status
}

@c @implementation
public func tern_journal_verify(_ directory: UnsafePointer<CChar>?, _ out_report: UnsafeMutablePointer<tern_journal_report_t>?) -> tern_status_t {
    guard let path = string(directory) else { return null("directory") }
    guard let out_report else { return null("out_report") }
    do throws(JournalError) {
        // Read-only: every header and checksum is checked; a torn tail is reported, not cut.
        let reader = try JournalReader(directory: path)
        var report = tern_journal_report_t()
        report.records = UInt64(reader.recordCount)
        report.segments = UInt64(reader.segments.count)
        report.first_sequence = reader.segments.lazy.compactMap(\.firstSequence).first ?? 0
        report.last_sequence = reader.segments.reversed().lazy.compactMap(\.lastSequence).first ?? 0
        report.first_timestamp_ns = reader.segments.lazy.compactMap(\.firstTimestamp).first ?? 0
        report.last_timestamp_ns = reader.segments.reversed().lazy.compactMap(\.lastTimestamp).first ?? 0
        report.torn_tail_bytes = UInt64(reader.recovery.tornTail?.bytes ?? 0)
        report.clean = reader.recovery.isClean ? 1 : 0
        return ok(out_report, report)
    } catch {
        return fail(error.kind == .io ? TERN_E_IO : TERN_E_PARSE, "tern_journal_verify: \(path): \(error)")
    }
}

/// Stops `JournalReader.forEach` when the C callback asks to.
struct StopIteration: Error {}

@c @implementation
public func tern_journal_iterate(_ directory: UnsafePointer<CChar>?, _ fn: tern_journal_record_fn?, _ user_data: UnsafeMutableRawPointer?) -> tern_status_t {
    guard let path = string(directory) else { return null("directory") }
    guard let fn else { return null("fn") }
    let reader: JournalReader
    do throws(JournalError) { reader = try JournalReader(directory: path) } catch {
        return fail(error.kind == .io ? TERN_E_IO : TERN_E_PARSE, "tern_journal_iterate: \(path): \(error)")
    }
    do throws(StopIteration) {
        try reader.forEach { (r: JournalRecord) throws(StopIteration) in
            var record = tern_journal_record_t()
            record.sequence = r.sequence
            record.timestamp_ns = r.timestamp
            record.type = r.type
            record.payload = r.payload.baseAddress.map { UnsafeRawPointer($0) }
            record.length = r.payload.count
            if fn(user_data, &record) != 0 { throw StopIteration() }
        }
    } catch {}
    return TERN_OK
}
