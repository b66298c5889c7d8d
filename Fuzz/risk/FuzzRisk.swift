// libFuzzer target for TernRisk's outside-bytes parsers: the limits file, the instruments CSV and
// the order/event tape. Compiled together with Sources/TernCore and Sources/TernRisk into one module
// by scripts/fuzz.sh. The input is up to three parts separated by a 0x01 byte: limits, instruments,
// tape (a missing part is empty); the seed is examples/risk joined that way. Properties, not just
// "no crash":
//
// - parsing returns a setup or a RiskConfigError naming a field with a message;
// - a parsed setup validates and builds an engine (tables shrunk so each run stays fast);
// - a replay returns the decisions file or an error naming a line; every output row has the 9
//   columns of the header, and every order decision is `accepted` (code 0) or a named reason.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRisk(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var parts = bytes.split(separator: 1, maxSplits: 2, omittingEmptySubsequences: false).map(Array.init)
    while parts.count < 3 { parts.append([]) }
    var setup: RiskSetup
    do {
        setup = try RiskSetup.parse(limits: parts[0], instruments: parts[1])
    } catch {
        if error.message.isEmpty || error.field.isEmpty { fatalError("a config error without a field or message: \(error)") }
        return 0
    }
    do {
        try setup.configuration.validate()
    } catch {
        fatalError("a parsed configuration fails validation: \(error)")
    }
    setup.configuration.capacity = RiskCapacity(
        workingOrders: 256, clientOrderIDs: 1024, executionIDs: 1024, closedOrders: 64, duplicateEntries: 64)
    let output: String
    do {
        output = try RiskTape.replay(setup, tape: parts[2])
    } catch {
        if error.message.isEmpty || error.field.isEmpty { fatalError("a tape error without a field or message: \(error)") }
        return 0
    }
    var lines = output.split(separator: "\n", omittingEmptySubsequences: false)
    guard lines.first.map(String.init) == RiskTape.header, lines.last == "" else { fatalError("bad output framing") }
    lines.removeFirst()
    lines.removeLast()
    for line in lines {
        let cells = line.split(separator: ",", omittingEmptySubsequences: false)
        guard cells.count == 9 else { fatalError("an output row without 9 columns: \(line)") }
        if cells[1] == "new" || cells[1] == "cancel" || cells[1] == "replace" {
            let accepted = cells[3] == "accepted"
            if accepted != (cells[4] == "0") || cells[3].hasPrefix("REASON_") || cells[3].isEmpty {
                fatalError("a decision that is neither accepted nor a named reason: \(line)")
            }
        }
    }
    return 0
}
