import ArgumentParser
import Foundation
import Histogram
import Tern

/// Everything a run needs, built from a `HostConfiguration`: risk, journal, model, strategy,
/// venue, engine and source.
final class Pipeline {
    let config: HostConfiguration
    let setup: RiskSetup
    let risk: RiskEngine
    let instrument: InstrumentID
    let spec: InstrumentSpec
    let strategy: SampleStrategy
    let venue: SimulatedVenue
    let engine: Engine
    let source: any MarketDataSource
    let plan: ThreadPlan
    let journalDirectory: String
    let journal: RiskJournal
    let limitsText: String
    let instrumentsText: String
    let modelName: String

    /// `base` is the folder relative paths in the configuration are read from.
    init(_ config: HostConfiguration, base: String, journalDirectory override: String? = nil) throws {
        self.config = config
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : (base as NSString).appendingPathComponent(p) }
        limitsText = try config.limits.map { String(decoding: try readFile(resolve($0)), as: UTF8.self) } ?? BuiltIn.limits
        instrumentsText = try config.instruments.map { String(decoding: try readFile(resolve($0)), as: UTF8.self) } ?? BuiltIn.instruments
        do {
            setup = try RiskSetup.parse(
                limits: Array(limitsText.utf8), limitsName: config.limits ?? "built-in limits", instruments: Array(instrumentsText.utf8),
                instrumentsName: config.instruments ?? "built-in instruments")
            risk = try RiskEngine(setup.configuration)
        } catch {
            throw ValidationError("\(error)")
        }
        guard let id = setup.instrument(config.symbol) else {
            throw ValidationError("[data] symbol: \(config.symbol) is not in the instruments table (\(setup.instrumentNames.joined(separator: ", ")))")
        }
        guard let account = setup.account(config.account) else {
            throw ValidationError("[risk] account: no [account \(config.account)] section in the limits")
        }
        guard let strategyID = setup.strategy(config.strategyName) else {
            throw ValidationError("[risk] strategy: no [strategy \(config.strategyName)] section in the limits")
        }
        instrument = id
        spec = setup.configuration.instruments[Int(id.rawValue)].spec

        // Model.
        let modelBytes: [UInt8]
        if let path = config.model {
            modelBytes = try readFile(resolve(path))
            modelName = path
        } else {
            modelBytes = Array(BuiltInModel.json.utf8)
            modelName = "built-in sample model (examples/models/sample-strategy.json)"
        }
        do {
            let forest = try QuantizedForest(TreeEnsemble.load(bytes: modelBytes))
            var parameters = config.strategy
            parameters.instrument = id
            strategy = try SampleStrategy(model: forest, spec: spec, parameters: parameters)
        } catch {
            throw ValidationError("[model] file: \(error)")
        }

        // Source.
        let symbols = setup.instrumentNames
        do {
            switch config.format {
            case .synthetic:
                source = SyntheticMarket(messages: config.syntheticMessages, seed: config.seed, instrument: id)
            case .dbn:
                let path = resolve(config.file!)
                source = try DBNSource(bytes: FeedFile.readRaw(path: path), name: "dbn \((path as NSString).lastPathComponent)", symbols: symbols)
            case .binance:
                let path = resolve(config.file!)
                source = try BinanceSource(bytes: FeedFile.readRaw(path: path), name: "binance \((path as NSString).lastPathComponent)", symbol: config.symbol, instrument: id)
            case .bybit:
                let path = resolve(config.file!)
                source = try BybitSource(bytes: FeedFile.readRaw(path: path), name: "bybit \((path as NSString).lastPathComponent)", symbol: config.symbol, instrument: id)
            case .itch:
                let path = resolve(config.file!)
                source = try ITCHSource(bytes: FeedFile.readRaw(path: path), name: "itch \((path as NSString).lastPathComponent)", symbols: symbols, sessionDate: config.sessionDate)
            }
        } catch {
            throw ValidationError("[data] file: \(error)")
        }
        let kind = source.bookKind

        // Threads.
        switch config.threads {
        case .single: plan = ThreadPlan(threaded: false)
        case .threaded, .auto:
            var p = ThreadPlan.automatic()
            if let c = config.feedCPU { p.feedCPU = c }
            if let c = config.engineCPU { p.engineCPU = c }
            if let c = config.gatewayCPU { p.gatewayCPU = c }
            if let c = config.journalCPU { p.journalCPU = c }
            p.lockstep = config.lockstep
            plan = p
        }

        // Journal.
        if let dir = override ?? config.journal.map(resolve) {
            journalDirectory = dir
        } else {
            journalDirectory = NSTemporaryDirectory() + "tern-journal-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        }
        try? FileManager.default.createDirectory(atPath: journalDirectory, withIntermediateDirectories: true)
        do {
            var options = JournalOptions()
            options.cpu = plan.journalCPU
            options.segmentCapacity = 16 << 20  // a demo run journals a few MB; segments are pre-allocated
            journal = RiskJournal(
                writer: try JournalWriter(directory: journalDirectory, options: options), engine: risk, limits: limitsText, instruments: instrumentsText,
                lossPolicy: .wait)
        } catch {
            throw ValidationError("[journal] directory: \(error)")
        }

        venue = try SimulatedVenue(options: config.venue, instruments: setup.configuration.instruments.map(\.spec))
        var options = EngineOptions()
        options.account = account
        options.strategy = strategyID
        engine = Engine(
            risk: risk, instruments: symbols.count, bookKind: kind, gateway: venue, strategy: strategy,
            toGateway: plan.threaded ? try EngineRunner.makeGatewayRing() : nil, options: options)
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
            try journal.close()
            let reader = try JournalReader(directory: journalDirectory)
            let (records, digest) = JournalDigest.of(reader)
            let fresh = try RiskEngine(setup.configuration)
            let replay = try RiskReplay.replay(reader, into: fresh)
            return Outcome(report: report, journalRecords: records, journalDigest: digest, replay: replay, stateDigest: risk.stateDigest)
        } catch {
            throw ValidationError("journal \(journalDirectory): \(error)")
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
