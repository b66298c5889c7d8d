import ArgumentParser
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

        mutating func run() throws {
            let result: String
            do {
                let setup = try RiskSetup.parse(
                    limits: readFile(limits), limitsName: limits, instruments: readFile(instruments), instrumentsName: instruments)
                result = try RiskTape.replay(setup, tape: readFile(events), name: events)
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
