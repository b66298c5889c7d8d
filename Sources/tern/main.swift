import ArgumentParser
import Tern

/// The reference host: `demo` (the default) runs the whole pipeline on a built-in synthetic
/// market; `run` runs it from a configuration file; the rest are tools.
struct TernCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tern",
        abstract: "Tern: an embeddable low-latency trading engine (reference host and tools).",
        version: "tern \(TernVersion.string)",
        subcommands: [DemoCommand.self, RunCommand.self, FeaturesCommand.self, ReplayCommand.self, ModelCommand.self, RiskCommand.self, JournalCommand.self, Numbers.self],
        defaultSubcommand: DemoCommand.self
    )
}

struct Numbers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "numbers",
        abstract: "Show Tern's exact numbers at work, and the machine as TernSystem sees it.",
        discussion: """
            Pass decimal texts to see how Price parses them, e.g. `tern numbers 5000.25 1e3 " 7"`.
            """
    )

    @Argument(help: "Texts to parse as prices (in addition to the built-in examples).")
    var texts: [String] = []

    @Flag(help: "Skip the machine section (CPU, NUMA, TSC).")
    var noMachine = false

    mutating func run() throws {
        print("tern \(TernVersion.string): exact fixed-point numbers\n")
        if !noMachine { try showMachine() }
        try showParsing(extra: texts)
        try showInstruments()
        try showFloatingPoint()
    }

    func showMachine() throws {
        section("Machine (TernSystem)")
        let allowed = CPU.available()
        print("  CPUs online \(CPU.onlineCount), this process may use \(CPU.describe(allowed))")
        print("  NUMA \(NUMA.isAvailable ? "available" : "not available"), \(NUMA.nodeCount) node(s)")
        let calibration = try TSCCalibration.measure()
        print("  \(calibration)")
        let start = MonotonicClock.now()
        let memory = try AlignedMemory(byteCount: 1 << 20, alignment: 128)
        let mapped = MonotonicClock.now().nanoseconds(since: start)
        print("  1 MiB, 128-byte aligned, pre-faulted in \(mapped / 1000) µs at \(memory.base)")
        if let cpu = allowed.last {
            let seen = Observed()
            let thread = try PinnedThread(name: "tern-demo", cpu: cpu) { seen.cpu = CPU.current() ?? -1 }
            thread.join()
            print("  a thread pinned to CPU \(cpu) ran on CPU \(seen.cpu)")
        }
        do {
            try CPU.pinCurrentThread(to: 4096)
        } catch {
            print("  pinning to CPU 4096 fails clearly: \(error)")
        }
        print()
    }

    func showParsing(extra: [String]) throws {
        section("Parsing is exact; bad input gets a precise error")
        let examples = ["61234.56000000", "5000.25", "-0.000000001", "9223372036.854775807", ".5", "+7"]
        let malformed = [
            "", "-", "1.2.3", "1e5", "nan", "-inf", " 42", "1.0000000001", "9223372036.854775808",
            "1,000.50",
        ]
        for text in examples + malformed + extra {
            let shown = String(reflecting: text).padding(22)
            do {
                let price = try Price.parse(text)
                print("  \(shown) → Price \(price)   (raw \(price.rawValue))")
            } catch {
                print("  \(shown) ✗ \(error)")
            }
        }
        let rounded = try Price.parse("1.0000000015", rounding: .toNearestOrEven)
        print("  \"1.0000000015\" with parse(_:rounding: .toNearestOrEven) → \(rounded)\n")
    }

    func showInstruments() throws {
        section("Instruments, ticks and notionals (128-bit, exact)")
        let es = try InstrumentSpec(
            id: InstrumentID(rawValue: 0), symbol: Symbol("ESH4"), tickSize: .parse("0.25"), lotSize: .parse("1"),
            multiplier: .parse("50"), maxQuantity: .parse("500"), currency: .usd)
        let price = try Price.parse("5000.10")
        print("  ESH4 tick \(es.tickSize), multiplier \(es.multiplier)")
        print(
            "  5000.10 on tick? \(es.isOnTick(price)); down → \(try es.roundToTick(price, .down)), "
                + "up → \(try es.roundToTick(price, .up)), nearest → \(try es.roundToTick(price, .toNearestOrEven))")
        let notional = try es.notional(price: .parse("5000.25"), quantity: .parse("3"), rounding: .awayFromZero)
        print("  3 × 5000.25 × 50 = \(notional) USD = \(try notional.minorUnits(of: .usd, .toNearestOrEven)) cents")
        let micro = try Money.notional(
            price: .parse("61234.57"), quantity: .parse("7"), multiplier: .parse("0.1"), rounding: .awayFromZero)
        print("  CME Micro Bitcoin: 7 × 61234.57 × 0.1 = \(micro) USD")
        let yen = try Money.notional(
            price: .parse("38915"), quantity: .parse("250"), multiplier: .parse("1000"), rounding: .awayFromZero)
        print("  Nikkei 225 (JPY): 250 × 38915 × 1000 = \(yen) JPY (beyond a 64-bit 10^-9 type's ±9.2e9)")
        do {
            _ = try Money.notional(price: .max, quantity: .max, multiplier: .parse("1000"), rounding: .down)
        } catch {
            print("  max × max × 1000 reports: \(error)")
        }
        print()
    }

    func showFloatingPoint() throws {
        section("From Double only with an explicit rule (the exact binary value is rounded)")
        for (value, rule) in [(0.1, RoundingRule.toNearestOrEven), (0.1, .up), (5000.1, .down), (-1e-10, .down)] {
            print("  Price(\(value), rounding: .\(rule)) = \(try Price(value, rounding: rule))")
        }
        do {
            _ = try Price(Double.nan, rounding: .toNearestOrEven)
        } catch {
            print("  Price(.nan, …) ✗ \(error)")
        }
    }

    func section(_ title: String) { print("== \(title)") }
}

/// A value a pinned thread writes and the starting thread reads after `join()`, which orders the two.
private final class Observed: @unchecked Sendable {
    var cpu = -1
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

TernCommand.main()
