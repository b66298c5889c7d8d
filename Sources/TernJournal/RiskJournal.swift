public import TernCore
public import TernRisk
import TernSystem

/// Journals a `RiskEngine`: every input it acts on and every event it produces, as records in a
/// `JournalWriter`, on the engine's thread, without blocking or allocating (records with strings,
/// which only kill-switch and operator events carry, are encoded on the stack too).
///
/// ```swift
/// let (engine, journal, report) = try RiskJournal.recover(directory: "/var/lib/tern/journal", configuration: config)
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
        write(.start(fingerprint: engine.configuration.fingerprint, version: TernVersion.string, limits: limits, instruments: instruments))
        engine.recorder = self
    }

    /// A session marker at the engine's time.
    func write(_ marker: RiskSessionMarker) {
        withUnsafeTemporaryAllocation(byteCount: RiskPayload.size(marker), alignment: 16) { raw in
            let (type, n) = RiskPayload.encode(marker, into: raw.baseAddress!)
            append(type, Timestamp(rawValue: max(0, engine.latest.rawValue)), UnsafeRawBufferPointer(start: raw.baseAddress, count: n))
        }
    }

    /// Records without strings (orders, venue events, quotes: the stream) are encoded into a
    /// fixed stack buffer; the rest (operator and kill events, which carry who and why) take the
    /// cold path.
    public func record(_ record: RiskRecord, at now: Timestamp) {
        withUnsafeTemporaryAllocation(byteCount: 128, alignment: 16) { raw in
            var w = PayloadEncoder(base: raw.baseAddress!)
            if let type = RiskPayload.encodeFixed(record, &w) {
                append(type, now, UnsafeRawBufferPointer(start: raw.baseAddress, count: w.count))
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
            engine.killSwitch.trip(.firm, cause: .journalFailure, actor: "journal", reason: "\(type) record not journaled: \(why)", at: now)
        }
    }

    /// Stops journaling: handles pending kill requests, writes the session end (the engine's state
    /// digest, last approval sequence and event count) and closes the writer, which syncs
    /// everything appended.
    public func close() throws(JournalError) {
        // Trips other threads made since the engine's last call are handled (and journaled) first.
        engine.processKillRequests(at: engine.latest)
        engine.recorder = nil
        write(.end(digest: engine.stateDigest, lastSequence: engine.lastSequence, events: engine.events.count))
        try writer.close()
    }

    /// Crash recovery: opens the journal in `directory` (creating it if needed; a torn tail is
    /// cut), replays it into a fresh engine with `configuration` (so positions, working orders,
    /// rate logs, client order IDs and kill state are what they were at the last durable record),
    /// then continues the journal from there with that engine. The files are read once.
    ///
    /// - Throws: `JournalError` if a record cannot be read or decoded, or the journal was
    ///   written with another configuration (`.replayMismatch`).
    public static func recover(
        directory: String, options: JournalOptions = JournalOptions(), onFailure: (@Sendable (JournalError) -> Void)? = nil,
        configuration: RiskConfiguration, limits: String? = nil, instruments: String? = nil, lossPolicy: LossPolicy = .tripFirm
    ) throws(JournalError) -> (RiskEngine, RiskJournal, RiskReplayReport) {
        let engine: RiskEngine
        do { engine = try RiskEngine(configuration) } catch { throw JournalError(.misuse, "\(error)") }
        try JournalWriter.check(options)
        try Files.makeDirectory(directory)
        let reader = try JournalReader(directory: directory, writable: true)
        let report = try RiskReplay.replay(reader, into: engine)
        let writer = try JournalWriter(continuing: reader, options: options, onFailure: onFailure)
        let journal = RiskJournal(writer: writer, engine: engine, limits: limits, instruments: instruments, lossPolicy: lossPolicy)
        return (engine, journal, report)
    }
}

