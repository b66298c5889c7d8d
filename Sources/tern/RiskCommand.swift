import ArgumentParser
import Foundation
import Tern

/// `tern risk check`: replays an order and event tape through the limits.
struct RiskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "risk",
        abstract: "Pre-trade risk tools: replay an order tape through limits (what-if).",
        subcommands: [Check.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay an order and event tape through the limits; write one decision per order and every kill-switch event.",
            discussion: "File formats: docs/risk.md (limits file, instruments table, tape, decisions).")

        @Option(help: "The limits file ([firm], [account NAME], [strategy NAME] sections).")
        var limits: String
        @Option(help: "The instruments table (CSV with a header).")
        var instruments: String
        @Option(help: "The order and event tape (CSV with a header).")
        var events: String
        @Option(help: "Where to write the decisions CSV ('-' for standard output).")
        var output: String = "-"
        @Option(help: "Journal the run into this directory (created if needed; appended to if it holds a journal). `tern journal replay` rebuilds the state from it.")
        var journal: String? = nil

        mutating func run() throws {
            let result: String
            let limitsText = try readFile(limits)
            let instrumentsText = try readFile(instruments)
            do {
                let setup = try RiskSetup.parse(limits: limitsText, limitsName: limits, instruments: instrumentsText, instrumentsName: instruments)
                let engine = try RiskEngine(setup.configuration)
                var recorder: RiskJournal? = nil
                if let journal {
                    try? FileManager.default.createDirectory(atPath: journal, withIntermediateDirectories: true)
                    do {
                        recorder = RiskJournal(
                            writer: try JournalWriter(directory: journal), engine: engine, limits: String(decoding: limitsText, as: UTF8.self),
                            instruments: String(decoding: instrumentsText, as: UTF8.self), lossPolicy: .wait)
                    } catch {
                        throw ValidationError(error.description)
                    }
                }
                result = try RiskTape.replay(setup, tape: readFile(events), name: events, engine: engine)
                if let recorder {
                    do { try recorder.close() } catch { throw ValidationError(error.description) }
                    FileHandle.standardError.write(Data("journal \(journal!): \(recorder.writer.durableSequence) records durable, state digest \(StableDigest.hex(engine.stateDigest))\n".utf8))
                }
            } catch let error as RiskConfigError {
                throw ValidationError(error.description)
            }
            if output == "-" {
                print(result, terminator: "")
            } else {
                try writeFile(output, result)
                let lines = result.split(separator: "\n").dropFirst()
                let accepted = lines.filter { $0.contains(",accepted,") }.count
                let denied = lines.filter { $0.contains(",new,") || $0.contains(",replace,") || $0.contains(",cancel,") }.count - accepted
                let trips = lines.filter { $0.contains(",trip,") }.count
                print("\(output): \(accepted) accepted, \(denied) denied, \(trips) kill-switch trips")
            }
        }
    }
}
