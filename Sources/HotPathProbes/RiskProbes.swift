// Risk probes: the pre-trade check path of `RiskEngine`, called as a client does.

public import TernCore
public import TernRisk

/// `RiskEngine.evaluate` (every check, no commit).
@inline(never)
public func probeRiskEvaluate(_ engine: RiskEngine, _ order: NewOrder, _ now: Timestamp) -> RiskDecision {
    engine.evaluate(order, at: now)
}

/// `RiskEngine.submit` (every check, then commit as sent: reservation, IDs, rate logs).
@inline(never)
public func probeRiskSubmit(_ engine: RiskEngine, _ order: NewOrder, _ now: Timestamp) -> RiskDecision {
    engine.submit(order, at: now)
}

/// `RiskEngine.mayRelease` (the second kill gate at the wire).
@inline(never)
public func probeRiskMayRelease(_ engine: RiskEngine, _ order: NewOrder) -> Bool {
    engine.mayRelease(order)
}
