import TernCore
import Testing

/// Where trapping is the contract: the plain operators and whole-unit initializer treat overflow
/// as a programmer error, like `Int`'s. (Everything fed by outside input has a non-trapping form,
/// tested elsewhere.) Each runs in a child process.
@Suite("Traps that are the contract")
struct TrapTests {
    @Test("+ traps on overflow")
    func plus_overflow_traps() async {
        await #expect(processExitsWith: .failure) { _ = Price.max + Price.leastPositive }
    }

    @Test("- traps on overflow")
    func minus_overflow_traps() async {
        await #expect(processExitsWith: .failure) { _ = Quantity.min - Quantity.leastPositive }
    }

    @Test("* traps on overflow")
    func times_overflow_traps() async {
        await #expect(processExitsWith: .failure) { _ = Price.max * 2 }
    }

    @Test("negating min traps")
    func negateMin_traps() async {
        await #expect(processExitsWith: .failure) { _ = -Price.min }
    }

    @Test("whole units out of range trap")
    func wholeUnits_outOfRange_traps() async {
        await #expect(processExitsWith: .failure) { _ = Price(9_223_372_037) }
    }

    @Test("the non-trapping twins of the trapping operations exit normally")
    func twins_doNotTrap() async {
        await #expect(processExitsWith: .success) {
            _ = Price.max.addingReportingOverflow(.leastPositive)
            _ = Quantity.min.subtractingReportingOverflow(.leastPositive)
            _ = Price.max.multipliedReportingOverflow(by: 2)
            _ = Price.min.negatedReportingOverflow()
            _ = Price(exactly: 9_223_372_037)
            _ = try? Money.notional(price: .max, quantity: .max, multiplier: .max, rounding: .up)
        }
    }
}
