import TernCore
public import TernRisk

/// What a replay found.
public struct RiskReplayReport: Sendable, Hashable, CustomStringConvertible {
    /// Journal records read, and the risk records among them applied to the engine.
    public var recordsRead = 0
    public var recordsApplied = 0
    public var sessions = 0
    /// The last journal sequence read.
    public var lastSequence: UInt64 = 0
    /// Recorded decisions the replayed engine did not reproduce exactly, and the first of them.
    public var decisionMismatches = 0
    public var firstDecisionMismatch: String?
    /// Recorded events (trips, resets, anomalies…) the replayed engine did not produce the same.
    public var eventMismatches = 0
    public var firstEventMismatch: String?
    /// Session ends whose recorded state digest was checked, and those that differed.
    public var digestsChecked = 0
    public var digestMismatches = 0
    /// The replayed engine's state digest at the end.
    public var digest: UInt64 = 0

    /// True if every decision, event and checked digest matched.
    public var isExact: Bool { decisionMismatches == 0 && eventMismatches == 0 && digestMismatches == 0 }

    public var description: String {
        var s = "\(recordsApplied) risk records of \(recordsRead) replayed over \(sessions) session(s), last sequence \(lastSequence); "
        s += "digest \(StableDigest.hex(digest)); \(digestsChecked) session-end digest(s) checked, \(digestMismatches) differ; "
        s += "\(decisionMismatches) decision and \(eventMismatches) event mismatch(es)"
        if let m = firstDecisionMismatch { s += "; first decision mismatch: \(m)" }
        if let m = firstEventMismatch { s += "; first event mismatch: \(m)" }
        return s
    }
}

/// Rebuilds a `RiskEngine`'s state from a journal `RiskJournal` wrote: every input is fed to the
/// engine again, in order, through the same calls with the same times, and every recorded
/// decision, event and session-end digest is compared with what the engine produces.
public enum RiskReplay {
    /// The configuration files the journal's first session start carries, if it carries them.
    public static func configurationText(_ reader: JournalReader) throws(JournalError) -> (limits: String, instruments: String)? {
        var found: (String, String)?
        var seen = false
        try reader.forEach { (record) throws(JournalError) in
            guard !seen, record.type == JournalEventType.sessionStart.rawValue else { return }
            seen = true
            if case .marker(.start(_, _, let l?, let i?)) = try RiskPayload.decode(record) { found = (l, i) }
        }
        return found
    }

    /// Feeds every risk record of `reader` to `engine`, which must be fresh, have no recorder and
    /// have the configuration the journal was written with.
    public static func replay(_ reader: JournalReader, into engine: RiskEngine) throws(JournalError) -> RiskReplayReport {
        guard engine.recorder == nil else { throw JournalError(.misuse, "replay into an engine that has a recorder would journal the replay") }
        var state = Replayer(engine: engine)
        try reader.forEach { (record) throws(JournalError) in try state.apply(record) }
        try state.finishList()
        state.report.digest = engine.stateDigest
        return state.report
    }

    struct Replayer {
        let engine: RiskEngine
        var report = RiskReplayReport()
        /// Events of `engine.events` already compared with records.
        var cursor = 0
        var list: [NewOrder] = []
        var listDecisions: [RiskDecision] = []
        var listTime = Timestamp.zero

        init(engine: RiskEngine) {
            self.engine = engine
            cursor = engine.events.count
        }

        mutating func apply(_ record: JournalRecord) throws(JournalError) {
            report.recordsRead += 1
            report.lastSequence = record.sequence
            guard let entry = try RiskPayload.decode(record) else { return }
            let now = Timestamp(rawValue: record.timestamp)
            // A list's items arrive together; anything else ends a list still being collected.
            var continuesList = false
            if case .record(.order(_, _, let index, let count)) = entry { continuesList = count > 1 && index > 0 }
            if !continuesList { try finishList() }
            switch entry {
            case .marker(.start(let fingerprint, _, _, _)):
                report.sessions += 1
                let mine = engine.configuration.fingerprint
                guard fingerprint == mine else {
                    throw JournalError(
                        .replayMismatch, file: JournalFormat.segmentName(record.segment), offset: record.offset, sequence: record.sequence,
                        "the journal was written with configuration \(StableDigest.hex(fingerprint)); replaying with \(StableDigest.hex(mine))")
                }
            case .marker(.end(let digest, _, _)):
                report.digestsChecked += 1
                if engine.stateDigest != digest { report.digestMismatches += 1 }
            case .record(let r):
                report.recordsApplied += 1
                try apply(r, now, record)
            }
        }

        mutating func apply(_ r: RiskRecord, _ now: Timestamp, _ record: JournalRecord) throws(JournalError) {
            switch r {
            case .order(let o, let d, let index, let count):
                if count == 1 {
                    check(d, engine.submit(o, at: now), record)
                } else {
                    if index != list.count {
                        throw JournalError(
                            .badPayload, file: JournalFormat.segmentName(record.segment), offset: record.offset, sequence: record.sequence,
                            "order list item \(index) follows \(list.count) items")
                    }
                    list.append(o)
                    listDecisions.append(d)
                    listTime = now
                    if list.count == count { try finishList() }
                }
            case .replace(let rep, let d): check(d, engine.submitReplace(rep, at: now), record)
            case .cancel(let c, let d): check(d, engine.submitCancel(c, at: now), record)
            case .venue(let e): engine.apply(e, at: now)
            case .externalFill(let a, let f): engine.applyExternalFill(account: a, f, at: now)
            case .quote(let i, let bid, let ask, let last): engine.updateQuote(i, bid: bid, ask: ask, last: last, at: now)
            case .fx(let currency, let rate): engine.updateFX(currency, rate: rate, at: now)
            case .session(let i, let s): engine.setSession(i, s)
            case .reconciling(let on): engine.isReconciling = on
            case .tradingDay: engine.beginTradingDay()
            case .enabled(let s, let on, let op):
                do { try engine.setEnabled(s, on, operator: op) } catch { eventMismatch("\(error)", record) }
            case .event(let e, let origin):
                switch (origin, e) {
                case (.external, .tripped(let scope, let cause, let actor, let reason, let at, _, _)):
                    engine.killSwitch.trip(scope, cause: cause, actor: actor, reason: reason, at: at)
                    engine.processKillRequests(at: now)
                case (.operator, .tripped(let scope, let cause, let actor, let reason, _, _, _)):
                    engine.trip(scope, cause: cause, actor: actor, reason: reason, at: now)
                case (.operator, .reset(let scope, let op, let reason, _)):
                    do { try engine.reset(scope, operator: op, reason: reason, at: now) } catch { eventMismatch("\(error)", record) }
                case (.operator, .reducing(let scope, let op, let reason, _)):
                    do { try engine.enterReducing(scope, operator: op, reason: reason, at: now) } catch { eventMismatch("\(error)", record) }
                case (.restored, _):
                    engine.restoreKillState(from: [e])
                default:
                    break  // derived: the engine produced it again from the input before
                }
                compareEvent(e, record)
            }
        }

        /// Submits a collected order list and compares its decisions.
        mutating func finishList() throws(JournalError) {
            guard !list.isEmpty else { return }
            let decisions = engine.submitList(list, at: listTime)
            // A list refused live because of a racing trip is refused whole on replay too, maybe
            // at an earlier item (which changes every item's reason).
            let raced = listDecisions.contains { $0.isKillDenial } && decisions.allSatisfy { !$0.isAccepted }
            for (recorded, replayed) in zip(listDecisions, decisions) where !raced && !Self.matches(recorded, replayed) {
                report.decisionMismatches += 1
                if report.firstDecisionMismatch == nil { report.firstDecisionMismatch = "order list at \(listTime.rawValue): recorded \(recorded), replayed \(replayed)" }
            }
            list.removeAll()
            listDecisions.removeAll()
        }

        /// A recorded kill-gate denial matches any replayed denial. It is the one decision a trip
        /// on another thread can race: the live gate saw the trip's flag before the engine handled
        /// it, so the trip is journaled just before the order and the replay handles it (and its
        /// cancel-all) before the check. The replayed check may then name another tripped scope, or
        /// stop earlier (a replace of an order the cancel-all just cancelled); every denial leaves
        /// the same state, which the digest confirms.
        static func matches(_ recorded: RiskDecision, _ replayed: RiskDecision) -> Bool {
            recorded == replayed || (recorded.isKillDenial && !replayed.isAccepted)
        }

        mutating func check(_ recorded: RiskDecision, _ replayed: RiskDecision, _ record: JournalRecord) {
            guard !Self.matches(recorded, replayed) else { return }
            report.decisionMismatches += 1
            if report.firstDecisionMismatch == nil {
                report.firstDecisionMismatch = "sequence \(record.sequence): recorded \(recorded), replayed \(replayed)"
            }
        }

        mutating func compareEvent(_ e: RiskEvent, _ record: JournalRecord) {
            let events = engine.events
            if cursor < events.count, events[cursor] == e {
                cursor += 1
                return
            }
            eventMismatch("recorded \(e), replayed \(cursor < events.count ? "\(events[cursor])" : "nothing")", record)
            if cursor < events.count { cursor += 1 }
        }

        mutating func eventMismatch(_ what: String, _ record: JournalRecord) {
            report.eventMismatches += 1
            if report.firstEventMismatch == nil { report.firstEventMismatch = "sequence \(record.sequence): \(what)" }
        }
    }
}
