"""NautilusTrader's RiskEngine pre-trade check cost, for risk-compare (docs/benchmarks.md).

Builds the components the way NautilusTrader's own RiskEngine unit tests do (TestClock, MessageBus,
a cache stub, Portfolio, ExecutionEngine, RiskEngine, MockExecutionClient, a cash account, AUD/USD
with one quote), using only the installed package. Then times each `risk_engine.execute(SubmitOrder)`
of pre-built LIMIT orders with perf_counter_ns, garbage collection off, once with the checks on
(bypass=False) and once bypassed; the difference of the medians is what the checks cost. Every
order must reach the mock client (no denials), or the run fails.

usage: nautilus_risk.py --orders N --reps R --out FILE.json
"""

import argparse
import gc
import json
import time

import nautilus_trader
from nautilus_trader.common.component import MessageBus, TestClock
from nautilus_trader.config import ExecEngineConfig, RiskEngineConfig
from nautilus_trader.core.uuid import UUID4
from nautilus_trader.execution.engine import ExecutionEngine
from nautilus_trader.execution.messages import SubmitOrder
from nautilus_trader.model.currencies import USD
from nautilus_trader.model.enums import AccountType, OrderSide
from nautilus_trader.model.identifiers import ClientId, Venue
from nautilus_trader.model.objects import Price, Quantity
from nautilus_trader.portfolio.portfolio import Portfolio
from nautilus_trader.risk.engine import RiskEngine
from nautilus_trader.test_kit.mocks.exec_clients import MockExecutionClient
from nautilus_trader.test_kit.providers import TestInstrumentProvider
from nautilus_trader.test_kit.stubs.component import TestComponentStubs
from nautilus_trader.test_kit.stubs.data import TestDataStubs
from nautilus_trader.test_kit.stubs.events import TestEventStubs
from nautilus_trader.test_kit.stubs.identifiers import TestIdStubs
from nautilus_trader.trading.strategy import Strategy


def run(bypass: bool, orders: int) -> list[int]:
    clock = TestClock()
    trader_id = TestIdStubs.trader_id()
    venue = Venue("SIM")
    msgbus = MessageBus(trader_id=trader_id, clock=clock)
    cache = TestComponentStubs.cache()
    portfolio = Portfolio(msgbus=msgbus, cache=cache, clock=clock)
    exec_engine = ExecutionEngine(msgbus=msgbus, cache=cache, clock=clock, config=ExecEngineConfig())
    audusd = TestInstrumentProvider.default_fx_ccy("AUD/USD")
    risk_engine = RiskEngine(
        portfolio=portfolio,
        msgbus=msgbus,
        cache=cache,
        clock=clock,
        config=RiskEngineConfig(
            bypass=bypass,
            max_order_submit_rate="100000000/00:00:01",
            max_notional_per_order={str(audusd.id): 10_000_000},
        ),
    )
    client = MockExecutionClient(
        client_id=ClientId(venue.value),
        venue=venue,
        account_type=AccountType.CASH,
        base_currency=USD,
        msgbus=msgbus,
        cache=cache,
        clock=clock,
    )
    portfolio.update_account(TestEventStubs.cash_account_state())
    exec_engine.register_client(client)
    cache.add_instrument(audusd)
    cache.add_quote_tick(TestDataStubs.quote_tick(instrument=audusd))
    exec_engine.start()
    risk_engine.start()

    strategy = Strategy()
    strategy.register(trader_id=trader_id, portfolio=portfolio, msgbus=msgbus, cache=cache, clock=clock)
    commands = []
    for i in range(orders):
        order = strategy.order_factory.limit(
            audusd.id,
            OrderSide.BUY if i % 2 == 0 else OrderSide.SELL,
            Quantity.from_int(1_000),
            Price.from_str("1.00000"),
        )
        commands.append(
            SubmitOrder(
                trader_id=trader_id,
                strategy_id=strategy.id,
                order=order,
                command_id=UUID4(),
                ts_init=clock.timestamp_ns(),
            )
        )
    execute = risk_engine.execute
    now = time.perf_counter_ns
    samples = [0] * orders
    gc.disable()
    for i, command in enumerate(commands):
        a = now()
        execute(command)
        samples[i] = now() - a
    gc.enable()
    sent = client.calls.count("submit_order")
    if sent != orders:
        raise SystemExit(f"nautilus_risk: {orders - sent} of {orders} orders did not reach the client (bypass={bypass})")
    return samples


def percentile(sorted_samples: list[int], q: float) -> int:
    return sorted_samples[min(len(sorted_samples) - 1, int(len(sorted_samples) * q))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    empty = []
    for _ in range(100_000):
        a = time.perf_counter_ns()
        empty.append(time.perf_counter_ns() - a)
    empty.sort()
    overhead = empty[len(empty) // 2]
    result = {"version": nautilus_trader.__version__, "orders": args.orders, "reps": args.reps, "timer_overhead_ns": overhead}
    for bypass in (False, True):
        medians, pooled = [], []
        for _ in range(args.reps):
            s = run(bypass, args.orders)
            pooled += s
            medians.append(sorted(s)[len(s) // 2])
        pooled.sort()
        name = "bypassed" if bypass else "checked"
        result[name] = {
            "p50_ns": sorted(medians)[len(medians) // 2] - overhead,
            "p99_ns": percentile(pooled, 0.99) - overhead,
            "p999_ns": percentile(pooled, 0.999) - overhead,
        }
    result["checks_p50_ns"] = result["checked"]["p50_ns"] - result["bypassed"]["p50_ns"]
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
