import Foundation
import Testing
import TernCore
import TernEngine
import TernInference
import TernJournal
import TernRisk

/// The repository root (Tests/TernEngineTests/Support.swift → ../..).
let repositoryRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url
}()

/// ../shared/data beside the project, or nil.
func sharedData(_ name: String) -> String? {
    let path = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data/\(name)").path
    return FileManager.default.fileExists(atPath: path) ? path : nil
}

func sampleModel() throws -> QuantizedForest {
    let bytes = try [UInt8](Data(contentsOf: repositoryRoot.appendingPathComponent("examples/models/sample-strategy.json")))
    return try QuantizedForest(TreeEnsemble.load(bytes: bytes))
}

func temporaryDirectory(_ tag: String) -> String {
    let path = NSTemporaryDirectory() + "tern-engine-test-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The demo's pipeline on the synthetic market, built the way `tern demo` builds it.
final class SyntheticPipeline {
    let setup: RiskSetup
    let risk: RiskEngine
    let journal: RiskJournal
    let directory: String
    let venue: SimulatedVenue
    let engine: Engine
    let strategy: any Strategy
    let source: SyntheticMarket
    /// The engine hands requests to a gateway thread through a ring (made `threaded`).
    let hasGatewayRing: Bool

    init(messages: Int, threaded: Bool, seed: UInt64 = 20_260_105, strategy make: ((InstrumentSpec) throws -> any Strategy)? = nil) throws {
        hasGatewayRing = threaded
        setup = try RiskSetup.parse(limits: Array(SyntheticMarket.limits.utf8), instruments: Array(SyntheticMarket.instruments.utf8))
        risk = try RiskEngine(setup.configuration)
        directory = temporaryDirectory("journal")
        journal = RiskJournal(
            writer: try JournalWriter(directory: directory), engine: risk, limits: SyntheticMarket.limits, instruments: SyntheticMarket.instruments,
            lossPolicy: .wait)
        let spec = SyntheticMarket.spec()
        strategy = try make?(spec) ?? SampleStrategy(model: sampleModel(), spec: spec)
        venue = try SimulatedVenue(options: VenueOptions(latencyNanoseconds: 50_000, makerRate: -10_000, takerRate: 30_000), instruments: [spec])
        var options = EngineOptions()
        options.account = setup.account("main")!
        options.strategy = setup.strategy("sample")!
        engine = Engine(
            risk: risk, instruments: 1, bookKind: .l3, gateway: venue, strategy: strategy, toGateway: threaded ? try EngineRunner.makeGatewayRing() : nil,
            options: options)
        source = SyntheticMarket(messages: messages, seed: seed)
    }

    struct Result: Equatable {
        var events: Int
        var ordersSent: Int
        var cancels: Int
        var fills: Int
        var denied: [RejectReason: Int]
        var position: Int64
        var journalRecords: Int
        var journalDigest: UInt64
        var stateDigest: UInt64
    }

    /// `threaded` with an engine made without a gateway ring: feed and engine threads, the
    /// gateway called inline (the 2–3 CPU plan).
    func run(threaded: Bool) throws -> Result {
        var plan = ThreadPlan(threaded: threaded)
        plan.gatewayThread = hasGatewayRing
        let report = try EngineRunner.run(source: source, engine: engine, plan: plan)
        try journal.close()
        let (records, digest) = JournalDigest.of(try JournalReader(directory: directory))
        return Result(
            events: report.events, ordersSent: report.counters.ordersSent, cancels: report.counters.cancelsSent + report.counters.killCancelsSent,
            fills: report.counters.fills, denied: report.counters.denied, position: engine.position(InstrumentID(rawValue: 0)), journalRecords: records,
            journalDigest: digest, stateDigest: risk.stateDigest)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }
}
