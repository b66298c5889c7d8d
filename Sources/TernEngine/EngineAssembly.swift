import Glibc
public import TernCore
public import TernInference
public import TernJournal
import TernMarketData
import TernQueues
public import TernRisk

/// Everything a run needs, built from a `HostConfiguration`: the risk setup and engine, the
/// market-data source, the thread plan, the risk journal and the model. The reference host and
/// the C ABI (`tern_engine_create`) both start here, so a configuration file means the same to
/// each; they differ only in the strategy and gateway they plug in (`makeEngine`).
///
/// Foundation-free: files are read with `FeedFile`, the journal folder is made by the writer.
public final class EngineAssembly {
    public let configuration: HostConfiguration
    public let setup: RiskSetup
    public let risk: RiskEngine
    /// The instrument `[data] symbol` names.
    public let instrument: InstrumentID
    public let spec: InstrumentSpec
    public let account: AccountID
    public let strategyID: StrategyID
    public let source: any MarketDataSource
    /// Stops the run from any thread: a waiting source notices at once, the C ABI's replay loop
    /// before the next venue message.
    public let stop = StopSignal()
    public let plan: ThreadPlan
    public let journalDirectory: String
    public let journal: RiskJournal
    /// The text of the limits and instruments files (journaled with the session).
    public let limitsText: String
    public let instrumentsText: String
    /// The configured model (`[model] file`, or the built-in sample model) and its name.
    public let model: QuantizedForest
    public let modelName: String

    /// Builds everything but the engine. `base` is the folder relative paths are read from;
    /// `journalDirectory` overrides `[journal] directory` (default: a fresh folder under $TMPDIR).
    ///
    /// - Throws: `EngineError` naming the section and key at fault.
    public init(_ config: HostConfiguration, base: String, journalDirectory override: String? = nil) throws(EngineError) {
        configuration = config
        func resolve(_ p: String) -> String { p.hasPrefix("/") || base.isEmpty ? p : base + "/" + p }
        func read(_ path: String, _ what: String) throws(EngineError) -> [UInt8] {
            do throws(FeedError) { return try FeedFile.readRaw(path: resolve(path)) } catch { throw EngineError("\(what): \(error)") }
        }
        limitsText = try config.limits.map { p throws(EngineError) in String(decoding: try read(p, "[risk] limits"), as: UTF8.self) } ?? SyntheticMarket.limits
        instrumentsText =
            try config.instruments.map { p throws(EngineError) in String(decoding: try read(p, "[risk] instruments"), as: UTF8.self) } ?? SyntheticMarket.instruments
        do throws(RiskConfigError) {
            setup = try RiskSetup.parse(
                limits: Array(limitsText.utf8), limitsName: config.limits ?? "built-in limits", instruments: Array(instrumentsText.utf8),
                instrumentsName: config.instruments ?? "built-in instruments")
            risk = try RiskEngine(setup.configuration)
        } catch {
            throw EngineError("\(error)")
        }
        guard let id = setup.instrument(config.symbol) else {
            throw EngineError("[data] symbol: \(config.symbol) is not in the instruments table (\(setup.instrumentNames.joined(separator: ", ")))")
        }
        guard let account = setup.account(config.account) else { throw EngineError("[risk] account: no [account \(config.account)] section in the limits") }
        guard let strategyID = setup.strategy(config.strategyName) else {
            throw EngineError("[risk] strategy: no [strategy \(config.strategyName)] section in the limits")
        }
        instrument = id
        self.account = account
        self.strategyID = strategyID
        spec = setup.configuration.instruments[Int(id.rawValue)].spec

        // Model.
        let modelBytes: [UInt8]
        if let path = config.model {
            modelBytes = try read(path, "[model] file")
            modelName = path
        } else {
            modelBytes = Array(SampleModel.json.utf8)
            modelName = "built-in sample model (examples/models/sample-strategy.json)"
        }
        do throws(ModelError) {
            model = try QuantizedForest(TreeEnsemble.load(bytes: modelBytes))
        } catch {
            throw EngineError("[model] file: \(error)")
        }

        // Source.
        let symbols = setup.instrumentNames
        func fileName(_ p: String) -> Substring { p.split(separator: "/").last ?? Substring(p) }
        do throws(FeedError) {
            switch config.format {
            case .synthetic:
                source = SyntheticMarket(messages: config.syntheticMessages, seed: config.seed, instrument: id)
            case .dbn:
                let path = resolve(config.file!)
                source = try DBNSource(bytes: FeedFile.readRaw(path: path), name: "dbn \(fileName(path))", symbols: symbols)
            case .binance:
                let path = resolve(config.file!)
                source = try BinanceSource(bytes: FeedFile.readRaw(path: path), name: "binance \(fileName(path))", symbol: config.symbol, instrument: id)
            case .bybit:
                let path = resolve(config.file!)
                source = try BybitSource(bytes: FeedFile.readRaw(path: path), name: "bybit \(fileName(path))", symbol: config.symbol, instrument: id)
            case .itch:
                let path = resolve(config.file!)
                source = try ITCHSource(bytes: FeedFile.readRaw(path: path), name: "itch \(fileName(path))", symbols: symbols, sessionDate: config.sessionDate)
            case .ring:
                source = try RingSource(
                    path: resolve(config.file!), bookKind: config.ringBook, instruments: symbols.count, waitNanoseconds: config.ringWaitNanoseconds, stop: stop)
            }
        } catch {
            throw EngineError("[data] file: \(error)")
        }

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
            let temporary = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
            journalDirectory = temporary + "/tern-journal-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        }
        do throws(JournalError) {
            var options = JournalOptions()
            options.cpu = plan.journalCPU
            options.segmentCapacity = 16 << 20  // a demo run journals a few MB; segments are pre-allocated
            journal = RiskJournal(
                writer: try JournalWriter(directory: journalDirectory, options: options), engine: risk, limits: limitsText, instruments: instrumentsText,
                lossPolicy: .wait)
        } catch {
            throw EngineError("[journal] directory: \(error)")
        }
    }

    /// Reads and parses a configuration file; relative paths in it are read from its folder.
    public static func load(configurationFile path: String, journalDirectory: String? = nil) throws(EngineError) -> EngineAssembly {
        let (config, base) = try HostConfiguration.load(file: path)
        return try EngineAssembly(config, base: base, journalDirectory: journalDirectory)
    }

    /// The sample strategy with the configured model and parameters.
    public func makeSampleStrategy() throws(EngineError) -> SampleStrategy {
        var parameters = configuration.strategy
        parameters.instrument = instrument
        return try SampleStrategy(model: model, spec: spec, parameters: parameters)
    }

    /// The simulated venue with the configured options.
    public func makeSimulatedVenue() throws(EngineError) -> SimulatedVenue {
        do throws(RingError) { return try SimulatedVenue(options: configuration.venue, instruments: setup.configuration.instruments.map(\.spec)) } catch {
            throw EngineError("[venue]: \(error)")
        }
    }

    /// The engine over this risk, the source's book kind and the thread plan, trading for the
    /// configured account and strategy. `threaded` false makes an engine that calls the gateway
    /// inline (the caller drives it with `handle`, on one thread), whatever the plan says.
    public func makeEngine(strategy: any Strategy, gateway: any OrderGateway, threaded: Bool? = nil) throws(EngineError) -> Engine {
        var options = EngineOptions()
        options.account = account
        options.strategy = strategyID
        let ring: SPSCRing<OrderRequest>?
        do throws(RingError) { ring = (threaded ?? plan.threaded) && plan.gatewayThread ? try EngineRunner.makeGatewayRing() : nil } catch { throw EngineError("gateway ring: \(error)") }
        return Engine(
            risk: risk, instruments: setup.instrumentNames.count, bookKind: source.bookKind, gateway: gateway, strategy: strategy, toGateway: ring,
            options: options)
    }

    /// What `closeAndVerify` found.
    public struct Verification: Sendable {
        public var journalRecords: Int
        public var journalDigest: UInt64
        public var replay: RiskReplayReport
        public var stateDigest: UInt64
    }

    /// Closes the journal, reads it back and replays it into a fresh risk engine: the run's proof
    /// that the journal alone rebuilds the risk state.
    public func closeAndVerify() throws(EngineError) -> Verification {
        do {
            try journal.close()
            let reader = try JournalReader(directory: journalDirectory)
            let (records, digest) = JournalDigest.of(reader)
            let fresh = try RiskEngine(setup.configuration)
            let replay = try RiskReplay.replay(reader, into: fresh)
            return Verification(journalRecords: records, journalDigest: digest, replay: replay, stateDigest: risk.stateDigest)
        } catch {
            throw EngineError("journal \(journalDirectory): \(error)")
        }
    }
}

extension HostConfiguration {
    /// Reads and parses the configuration file at `path`, and the folder its relative paths are
    /// read from ("." for a bare file name).
    public static func load(file path: String) throws(EngineError) -> (configuration: HostConfiguration, base: String) {
        let bytes: [UInt8]
        do throws(FeedError) { bytes = try FeedFile.readRaw(path: path) } catch { throw EngineError("\(error)") }
        do throws(ConfigError) {
            let config = try HostConfiguration.parse(String(decoding: bytes, as: UTF8.self), name: path)
            let base = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
            return (config, base.isEmpty ? "/" : base)
        } catch {
            throw EngineError("\(error)")
        }
    }
}
