import ArgumentParser
import Foundation
import Tern

/// `tern demo`: the whole pipeline on the built-in synthetic market.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole pipeline on a built-in synthetic market: feed → book → features → model → strategy → risk → simulated venue, journaled.",
        discussion: """
            Deterministic: the same --seed and --messages give the same orders, fills and journal digest on every \
            machine. The journal goes to a new temporary directory (or --journal), and is read back and replayed \
            at the end. The tick-to-order latency picture is written as SVG (--picture).
            """)

    @Option(help: "Venue messages to generate.")
    var messages = 1_000_000
    @Option(help: "Seed of the synthetic market.")
    var seed: UInt64 = 20_260_105
    @Option(help: "Threads: auto, single or threaded.")
    var threads = "auto"
    @Option(help: "Journal directory (default: a new temporary directory).")
    var journal: String? = nil
    @Option(help: "Where to write the latency picture (SVG).")
    var picture: String? = nil
    @Option(help: "Serve the admin interface on this loopback HOST:PORT (token from $TERN_ADMIN_TOKEN).")
    var admin: String? = nil
    @Option(help: "Keep the admin interface up this many seconds after the run.")
    var adminHold: Double = 0

    mutating func run() throws {
        var config = HostConfiguration()
        if let admin {
            guard HostConfiguration.listenAddress(admin) != nil else { throw ValidationError("--admin: expected HOST:PORT on a loopback address (127.0.0.1:9464)") }
            config.adminListen = admin
            config.adminHoldSeconds = adminHold
        }
        config.syntheticMessages = messages
        config.seed = seed
        guard let mode = HostConfiguration.ThreadMode(rawValue: threads) else { throw ValidationError("--threads: expected auto, single or threaded") }
        config.threads = mode
        config.journal = journal
        try runHost(config, base: FileManager.default.currentDirectoryPath, picture: picture ?? NSTemporaryDirectory() + "tern-demo-latency.svg", expected: messages)
    }
}

/// `tern run --config FILE`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the pipeline from a configuration file (data, instruments, limits, model, strategy, venue, journal, threads, admin).",
        discussion: "The format is in docs/engine.md#configuration; examples/engine/ has configurations for the real data in ../shared/data.")

    @Option(help: "The configuration file.")
    var config: String
    @Option(help: "Where to write the latency picture (SVG; default: beside the journal).")
    var picture: String? = nil

    mutating func run() throws {
        let (parsed, base): (HostConfiguration, String)
        do {
            (parsed, base) = try HostConfiguration.load(file: config)
        } catch {
            throw ValidationError(error.description)
        }
        try runHost(parsed, base: base, picture: picture, expected: parsed.format == .synthetic ? parsed.syntheticMessages : nil)
    }
}

/// Builds, runs and reports; shared by `demo` and `run`.
func runHost(_ config: HostConfiguration, base: String, picture: String?, expected: Int?) throws {
    let pipeline = try Pipeline(config, base: base)
    print("tern \(TernVersion.string): \(pipeline.source.name)")
    print("model       \(pipeline.modelName)")
    let admin = try AdminHost.start(config, pipeline: pipeline)
    if let admin { print("admin       http://\(admin.address)/ (changes need the token: Authorization: Bearer …)") }
    let outcome: Pipeline.Outcome
    do {
        outcome = try pipeline.run(progress: progressPrinter(total: expected))
    } catch {
        admin?.stop(after: 0)
        throw error
    }
    let svgPath = picture ?? pipeline.journalDirectory + "/tick-to-order.svg"
    let h = outcome.report.tickToOrder
    let svg = LatencyPlot.svg(
        h, title: "Tick-to-order: \(pipeline.source.name)",
        goals: [("goal p50 ≤ 2 µs", 50, 2_000), ("goal p99 ≤ 10 µs", 99, 10_000)])
    let wrote = FileManager.default.createFile(atPath: svgPath, contents: Data(svg.utf8))
    print(pipeline.summary(outcome, picture: wrote ? svgPath : nil))
    admin?.stop(after: config.adminHoldSeconds)
    if !outcome.replay.isExact { throw ExitCode(1) }
}

/// `tern features`: the sample strategy's features per book update, for training.
struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Write the sample strategy's features (and the mid price) for every book update of a replay, as CSV.",
        discussion: "scripts/train-sample-model.py reads this to train the sample model; the same code computes the features when trading.")

    @Option(help: "dbn, binance or synthetic.")
    var format = "synthetic"
    @Option(help: "The data file (dbn, binance).")
    var file: String? = nil
    @Option(help: "The instrument, as the feed spells it.")
    var symbol = SyntheticMarket.symbol
    @Option(help: "Tick size of the instrument.")
    var tick = "0.01"
    @Option(help: "Synthetic messages.")
    var messages = 1_000_000
    @Option(help: "Synthetic seed.")
    var seed: UInt64 = 20_260_105
    @Option(help: "Output CSV path.")
    var output: String

    mutating func run() throws {
        let source: any MarketDataSource
        var kind = BookKind.l3
        switch format {
        case "synthetic": source = SyntheticMarket(messages: messages, seed: seed)
        case "dbn":
            guard let file else { throw ValidationError("--file is required") }
            source = try DBNSource(bytes: FeedFile.readRaw(path: file), name: file, symbols: [symbol])
        case "binance":
            guard let file else { throw ValidationError("--file is required") }
            source = try BinanceSource(bytes: FeedFile.readRaw(path: file), name: file, symbol: symbol)
            kind = .l2
        default: throw ValidationError("--format: expected dbn, binance or synthetic")
        }
        let recorder = FeatureRecorder(tick: try Price.parse(tick))
        let risk = try RiskEngine(RiskSetup.parse(limits: Array(SyntheticMarket.limits.utf8), instruments: Array(SyntheticMarket.instruments.utf8)).configuration)
        let venue = try SimulatedVenue(instruments: [SyntheticMarket.spec()])
        let engine = Engine(risk: risk, instruments: 1, bookKind: kind, gateway: venue, strategy: recorder)
        _ = try EngineRunner.run(source: source, engine: engine, plan: ThreadPlan(threaded: false))
        try writeFile(output, recorder.csv)
        print("\(output): \(recorder.rows) rows of \(MarketFeatures.count) features")
    }
}

/// A strategy that trades nothing and writes down the features and mid of every update.
final class FeatureRecorder: Strategy {
    var features: MarketFeatures
    var csv = "time," + MarketFeatures.names.joined(separator: ",") + ",mid\n"
    var rows = 0
    init(tick: Price) { features = MarketFeatures(tickSize: tick) }
    func onTrade(_ book: MarketBook, aggressor: BookSide?, price: Price, size: Quantity, engine: Engine) {
        features.trade(aggressor: aggressor, size: size)
    }
    func onMarket(_ book: MarketBook, engine: Engine) {
        guard features.update(book), features.isReady else { return }
        csv += "\(engine.now.rawValue)," + features.values.map { "\($0)" }.joined(separator: ",") + ",\(features.mid)\n"
        rows += 1
    }
}
