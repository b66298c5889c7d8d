import TernCore
import Testing

@Suite("Arithmetic, ticks and lots")
struct ArithmeticTests {
    @Test("checked forms report overflow instead of trapping")
    func reportingOverflow() {
        #expect(Price.max.addingReportingOverflow(.leastPositive).overflow)
        #expect(Price.min.subtractingReportingOverflow(.leastPositive).overflow)
        #expect(Price.max.multipliedReportingOverflow(by: 2).overflow)
        #expect(Price.min.negatedReportingOverflow().overflow)
        #expect(!Price.max.negatedReportingOverflow().overflow)
        #expect(Price(2).multipliedReportingOverflow(by: -3) == (Price(-6), false))
        #expect(Price(5) + Price(-7) == Price(-2))
        #expect(3 * Price(rawValue: 1) == Price(rawValue: 3))
        #expect(-Price(4) == Price(-4))
        var p = Price(1)
        p += Price(2)
        p -= Price(rawValue: 1)
        #expect(p.rawValue == 2_999_999_999)
    }

    @Test("whole-unit initializers", arguments: [Int64(0), 1, -1, 9_223_372_036, -9_223_372_036])
    func wholeUnits(units: Int64) {
        #expect(Price(exactly: units)?.rawValue == units * 1_000_000_000)
    }

    @Test("whole units beyond the range give nil")
    func wholeUnits_outOfRange() {
        #expect(Price(exactly: 9_223_372_037) == nil)
        #expect(Price(exactly: -9_223_372_037) == nil)
    }

    @Test("comparison, zero, signum")
    func ordering() throws {
        #expect(try Price.parse("-0.000000001") < .zero)
        #expect(Price.min < Price.max)
        #expect(Price.zero.isZero && Price.zero.signum == 0 && Price(-3).signum == -1 && Price(3).signum == 1)
        #expect([Price(3), Price(-1), Price(2)].sorted() == [Price(-1), Price(2), Price(3)])
    }

    @Test("isMultiple(of:) is an exact integer test; non-positive increments never pass")
    func isMultiple() throws {
        let tick = try Price.parse("0.25")
        #expect(try Price.parse("5000.25").isMultiple(of: tick))
        #expect(try !Price.parse("5000.10").isMultiple(of: tick), "Nautilus' precision check passes this")
        #expect(try Price.parse("-5000.75").isMultiple(of: tick))
        #expect(Price.zero.isMultiple(of: tick))
        #expect(!Price(5).isMultiple(of: .zero))
        #expect(!Price(5).isMultiple(of: Price(-1)))
        #expect(Price.min.isMultiple(of: Price(rawValue: 2)))
        #expect(try Quantity.parse("0.00012").isMultiple(of: Quantity.parse("0.00001")))
    }

    @Test(
        "rounding to a tick: down/up are floor/ceiling, also for negative prices",
        arguments: [
            // price, down, up, towardZero, awayFromZero, nearestEven, nearestAway   (tick 0.25)
            ("5000.10", "5000", "5000.25", "5000", "5000.25", "5000", "5000"),
            ("5000.125", "5000", "5000.25", "5000", "5000.25", "5000", "5000.25"),
            ("5000.375", "5000.25", "5000.5", "5000.25", "5000.5", "5000.5", "5000.5"),
            ("5000.25", "5000.25", "5000.25", "5000.25", "5000.25", "5000.25", "5000.25"),
            ("-5000.10", "-5000.25", "-5000", "-5000", "-5000.25", "-5000", "-5000"),
            ("-5000.125", "-5000.25", "-5000", "-5000", "-5000.25", "-5000", "-5000.25"),
            ("0.000000001", "0", "0.25", "0", "0.25", "0", "0"),
        ] as [(String, String, String, String, String, String, String)])
    func roundedToTick(
        price: String, down: String, up: String, towardZero: String, away: String, even: String, nearestAway: String
    ) throws {
        let p = try Price.parse(price)
        let tick = try Price.parse("0.25")
        #expect(try p.rounded(toMultipleOf: tick, .down).description == down)
        #expect(try p.rounded(toMultipleOf: tick, .up).description == up)
        #expect(try p.rounded(toMultipleOf: tick, .towardZero).description == towardZero)
        #expect(try p.rounded(toMultipleOf: tick, .awayFromZero).description == away)
        #expect(try p.rounded(toMultipleOf: tick, .toNearestOrEven).description == even)
        #expect(try p.rounded(toMultipleOf: tick, .toNearestOrAwayFromZero).description == nearestAway)
    }

    @Test("rounding to a tick reports a bad increment and overflow")
    func roundedToTick_errors() throws {
        #expect(throws: FixedPointError(.invalidIncrement)) { try Price(5).rounded(toMultipleOf: .zero, .down) }
        #expect(throws: FixedPointError(.invalidIncrement)) { try Price(5).rounded(toMultipleOf: Price(-1), .down) }
        #expect(throws: FixedPointError(.overflow)) { try Price.max.rounded(toMultipleOf: Price(1), .up) }
        #expect(throws: FixedPointError(.overflow)) { try Price.min.rounded(toMultipleOf: Price(1), .down) }
        #expect(try Price.max.rounded(toMultipleOf: Price(1), .down) == Price(9_223_372_036))
        #expect(try Price.min.rounded(toMultipleOf: .leastPositive, .down) == .min)
        #expect(try Price.max.rounded(toMultipleOf: .max, .toNearestOrEven) == .max)
    }

    @Test("rounding to a number of fraction digits")
    func roundedToFractionDigits() throws {
        #expect(try Price.parse("1.23456").rounded(toFractionDigits: 2, .down).description == "1.23")
        #expect(try Price.parse("-1.235").rounded(toFractionDigits: 2, .toNearestOrEven).description == "-1.24")
        #expect(try Price.parse("1.5").rounded(toFractionDigits: 0, .toNearestOrEven).description == "2")
        #expect(try Price.parse("2.5").rounded(toFractionDigits: 0, .toNearestOrEven).description == "2")
        #expect(try Price.parse("1.5").rounded(toFractionDigits: 9, .up).description == "1.5")
        #expect(throws: FixedPointError(.invalidIncrement)) { try Price(1).rounded(toFractionDigits: 10, .up) }
        #expect(throws: FixedPointError(.invalidIncrement)) { try Price(1).rounded(toFractionDigits: -1, .up) }
        #expect(try Money.parse("0.125").rounded(toFractionDigits: 2, .toNearestOrAwayFromZero).description == "0.13")
    }
}
