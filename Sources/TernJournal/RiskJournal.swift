public import TernCore
public import TernRisk
import TernSystem

/// Journals a `RiskEngine`: every input it acts on and every event it produces, as records in a
/// `JournalWriter`, on the engine's thread, without blocking or allocating (records with strings,
/// which only kill-switch and operator events carry, are encoded on the stack too).
///
/// ```swift
/// let writer = try JournalWriter(directory: "/var/lib/tern/journal")
/// let (engine, journal, report) = try RiskJournal.recover(writer: writer, configuration: config)
/// // ... trade with `engine`; everything it does is journaled ...
/// try journal.close()   // writes the session end with the state digest, then closes the writer
/// ```
///
/// ## When the journal cannot take a record
/// `append` fails when the ring is full (the disk is behind) or the writer has failed (disk full,
/// I/O error). The engine must not trade on without its audit trail, so by default (`.tripFirm`)
/// the first lost record trips the firm kill switch (cause `journal_failure`); `lost` counts the
/// records lost. `.wait` spins until the ring has room instead (the engine thread stalls while
/// the disk catches up) and still trips if the writer has failed.
public final class RiskJournal: RiskRecorder {
    public enum LossPolicy: Sendable, Hashable {
        case tripFirm
        case wait
    }

    public let writer: JournalWriter
    public let lossPolicy: LossPolicy
    let killSwitch: KillSwitch
    unowned(unsafe) let engine: RiskEngine
    /// Records that could not be appended.
    public private(set) var lost = 0
    /// The type and time of the first record lost, if any.
    public private(set) var firstLost: (type: JournalEventType, time: Timestamp)?

    /// Starts journaling `engine` into `writer`: writes a session start (the configuration's
    /// fingerprint, and its files' text when given, so `tern journal replay` needs nothing else)
    /// and becomes the engine's recorder.
    public init(writer: JournalWriter, engine: RiskEngine, limits: String? = nil, instruments: String? = nil, lossPolicy: LossPolicy = .tripFirm) {
        self.writer = writer
        self.engine = engine
        self.lossPolicy = lossPolicy
        killSwitch = engine.killSwitch
        let (type, bytes) = RiskPayload.encode(
            RiskSessionMarker.start(fingerprint: engine.configuration.fingerprint, version: TernVersion.string, limits: limits, instruments: instruments))
        withBytes(bytes) { raw in append(type, Timestamp(rawValue: max(0, engine.latest.rawValue)), raw) }
        engine.recorder = self
    }

    /// Records without strings (orders, venue events, quotes: the stream) are encoded into a
    /// fixed stack buffer; the rest (operator and kill events, which carry who and why) take the
    /// cold path.
    public func record(_ record: RiskRecord, at now: Timestamp) {
        withUnsafeTemporaryAllocation(byteCount: 128, alignment: 16) { raw in
            var w = PayloadEncoder(base: raw.baseAddress!)
            if RiskPayload.encodeFixed(record, &w) {
                append(RiskPayload.type(record), now, UnsafeRawBufferPointer(start: raw.baseAddress, count: w.count))
            } else {
                coldRecord(record, now)
            }
        }
    }

    /// Records with strings, sized to fit (cold: operator and kill-switch events).
    @inline(never)
    func coldRecord(_ record: RiskRecord, _ now: Timestamp) {
        let type = RiskPayload.type(record)
        withUnsafeTemporaryAllocation(byteCount: RiskPayload.size(record), alignment: 16) { raw in
            let n = RiskPayload.encode(record, into: raw.baseAddress!)
            append(type, now, UnsafeRawBufferPointer(start: raw.baseAddress, count: n))
        }
    }

    @inline(__always)
    func append(_ type: JournalEventType, _ now: Timestamp, _ payload: UnsafeRawBufferPointer) {
        if writer.append(type: type.rawValue, timestamp: now.rawValue, payload: payload) == 0 { coldAppendFailed(type, now, payload) }
    }

    @inline(never)
    func coldAppendFailed(_ type: JournalEventType, _ now: Timestamp, _ payload: UnsafeRawBufferPointer) {
        if lossPolicy == .wait {
            while writer.health == .running, payload.count <= JournalFormat.maxPayload {
                if writer.append(type: type.rawValue, timestamp: now.rawValue, payload: payload) != 0 { return }
                spinPause()
            }
        }
        lost += 1
        if lost == 1 {
            firstLost = (type, now)
            let why = writer.failure.map { "\($0)" } ?? (writer.health == .running ? "the journal ring is full" : "the journal is \(writer.health)")
            killSwitch.trip(.firm, cause: .journalFailure, actor: "journal", reason: "\(type) record not journaled: \(why)", at: now)
        }
    }

    /// Stops journaling: handles pending kill requests, writes the session end (the engine's state
    /// digest, last approval sequence and event count) and closes the writer, which syncs
    /// everything appended.
    public func close() throws(JournalError) {
        // Trips other threads made since the engine's last call are handled (and journaled) first.
        engine.processKillRequests(at: engine.latest)
        let (type, bytes) = RiskPayload.encode(
            RiskSessionMarker.end(digest: engine.stateDigest, lastSequence: engine.lastSequence, events: engine.events.count))
        engine.recorder = nil
        withBytes(bytes) { raw in append(type, engine.latest, raw) }
        try writer.close()
    }

    /// Crash recovery: replays the journal in `writer`'s directory into a fresh engine with
    /// `configuration` (so positions, working orders, rate logs, client order IDs and kill state
    /// are what they were at the last durable record), then journals the engine from there.
    ///
    /// - Throws: `JournalError` if a record cannot be read or decoded, or the journal was
    ///   written with another configuration (`.replayMismatch`).
    public static func recover(
        writer: JournalWriter, configuration: RiskConfiguration, limits: String? = nil, instruments: String? = nil,
        lossPolicy: LossPolicy = .tripFirm
    ) throws(JournalError) -> (RiskEngine, RiskJournal, RiskReplayReport) {
        let engine: RiskEngine
        do { engine = try RiskEngine(configuration) } catch { throw JournalError(.misuse, "\(error)") }
        let reader = try JournalReader(directory: writer.directory)
        let report = try RiskReplay.replay(reader, into: engine)
        let journal = RiskJournal(writer: writer, engine: engine, limits: limits, instruments: instruments, lossPolicy: lossPolicy)
        return (engine, journal, report)
    }
}

