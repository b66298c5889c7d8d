// Journal probes: the engine thread's side of `TernJournal`, called as a client does.

public import TernCore
public import TernJournal
public import TernRisk

/// `JournalWriter.append` (one record into the ring; the journal thread does the rest).
@inline(never)
public func probeJournalAppend(_ writer: JournalWriter, _ type: UInt16, _ timestamp: Int64, _ payload: UnsafeRawBufferPointer) -> UInt64 {
    writer.append(type: type, timestamp: timestamp, payload: payload)
}

/// `RiskJournal.record` of an order and its decision (what a journaled `submit` adds: encode on
/// the stack, append).
@inline(never)
public func probeRiskJournalOrder(_ journal: RiskJournal, _ order: NewOrder, _ decision: RiskDecision, _ now: Timestamp) {
    journal.record(.order(order, decision, index: 0, count: 1), at: now)
}

/// `RiskJournal.record` of a fill (the most frequent venue event).
@inline(never)
public func probeRiskJournalFill(_ journal: RiskJournal, _ fill: Fill, _ now: Timestamp) {
    journal.record(.venue(.filled(fill)), at: now)
}
