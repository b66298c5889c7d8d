import ArgumentParser
import Foundation
import Histogram
import Tern

/// A run of the host: the library's `EngineAssembly` (risk, journal, model, source, threads) with
/// the sample strategy and the simulated venue plugged in.
final class Pipeline {
    let assembly: EngineAssembly
    let strategy: SampleStrategy
    let venue: SimulatedVenue
    let engine: Engine

    var config: HostConfiguration { assembly.configuration }
    var setup: RiskSetup { assembly.setup }
    var risk: RiskEngine { assembly.risk }
    var instrument: InstrumentID { assembly.instrument }
    var spec: InstrumentSpec { assembly.spec }
    var source: any MarketDataSource { assembly.source }
    var plan: ThreadPlan { assembly.plan }
    var journalDirectory: String { assembly.journalDirectory }
    var limitsText: String { assembly.limitsText }
    var instrumentsText: String { assembly.instrumentsText }
    var modelName: String { assembly.modelName }

    /// `base` is the folder relative paths in the configuration are read from.
    init(_ config: HostConfiguration, base: String, journalDirectory override: String? = nil) throws {
        do {
            assembly = try EngineAssembly(config, base: base, journalDirectory: override)
            strategy = try assembly.makeSampleStrategy()
            venue = try assembly.makeSimulatedVenue()
            engine = try assembly.makeEngine(strategy: strategy, gateway: venue)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    struct Outcome {
        var report: RunReport
        var journalRecords: Int
        var journalDigest: UInt64
        var replay: RiskReplayReport
        var stateDigest: UInt64
    }

    /// Runs, closes the journal, then reads it back and replays it into a fresh risk engine.
    func run(progress: ((RunProgress) -> Void)?) throws -> Outcome {
        let report = try EngineRunner.run(source: source, engine: engine, plan: plan, maxEvents: config.maxEvents > 0 ? config.maxEvents : .max, progress: progress)
        do {
            let v = try assembly.closeAndVerify()
            return Outcome(report: report, journalRecords: v.journalRecords, journalDigest: v.journalDigest, replay: v.replay, stateDigest: v.stateDigest)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The human summary.
    func summary(_ o: Outcome, picture: String?) -> String {
        let r = o.report
        let h = r.tickToOrder
        func us(_ p: Double) -> String { LatencyPlot.label(Double(h.valueAtPercentile(p))) }
        var lines: [String] = []
        lines.append("data        \(source.name): \(r.records) records, \(r.events) events in \(r.batches) updates")
        lines.append("threads     \(plan)")
        lines.append("speed       \(Int(r.eventsPerSecond).formatted()) events/s (\(String(format: "%.2f", r.seconds)) s wall)")
        if h.totalCount > 0 {
            lines.append("tick→order  p50 \(us(50))  p99 \(us(99))  p99.9 \(us(99.9))  max \(LatencyPlot.label(Double(h.max)))  (\(h.totalCount) requests)")
        } else {
            lines.append("tick→order  no requests sent")
        }
        let c = r.counters
        lines.append("orders      \(c.ordersSent) sent, \(c.cancelsSent) cancels, \(c.replacesSent) replaces, \(c.killCancelsSent) kill-switch cancels")
        lines.append("fills       \(c.fills) (maker \(venue.fills.maker), taker \(venue.fills.taker)); venue rejects \(c.venueRejects)")
        if c.denied.isEmpty {
            lines.append("rejections  none")
        } else {
            let reasons = c.denied.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            lines.append("rejections  \(c.deniedTotal) by risk: \(reasons)")
        }
        let position = Quantity(rawValue: engine.position(instrument))
        if let totals = risk.totals(account: engine.options.account) {
            let pnl = Money(rawValue: totals.dailyPnL)
            lines.append("P&L         \(pnl) \(spec.currency) (realized \(Money(rawValue: totals.realized)), fees \(Money(rawValue: totals.fees))); position \(position) \(config.symbol)")
        }
        let kills = risk.events.filter { if case .tripped = $0 { return true } else { return false } }
        lines.append("kill switch \(kills.isEmpty ? "no trips" : kills.map { "\($0)" }.joined(separator: "; "))")
        lines.append(
            "journal     \(journalDirectory): \(o.journalRecords) records, digest \(String(o.journalDigest, radix: 16)); replay \(o.replay.isExact ? "exact" : "DIFFERS: \(o.replay)"), risk state digest \(String(o.stateDigest, radix: 16))"
        )
        for note in r.notes { lines.append("note        \(note)") }
        if let e = r.feedError { lines.append("feed error  \(e) (the run stopped there and finished cleanly)") }
        if let picture { lines.append("picture     \(picture)") }
        return lines.joined(separator: "\n")
    }
}

func progressPrinter(total: Int?) -> (RunProgress) -> Void {
    { p in
        let share = total.map { " (\(min(100, p.events * 100 / max($0, 1)))% of messages)" } ?? ""
        printError("  … \(p.events.formatted()) events in \(String(format: "%.1f", p.seconds)) s\(share), \(p.ordersSent) orders, \(p.fills) fills")
    }
}
