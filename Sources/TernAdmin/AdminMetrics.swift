public import Prometheus
import Synchronization
import TernCore
import TernEngine
import TernRisk
import TernQueues
import TernSystem

/// The engine's Prometheus metrics (swift-prometheus), refreshed from the engine's published
/// status and its latency tap: the engine thread itself never touches a metric.
///
/// | metric | type | labels |
/// | --- | --- | --- |
/// | `tern_events_total` | counter | |
/// | `tern_orders_total` | counter | `kind`: new, cancel, replace, kill_cancel |
/// | `tern_fills_total`, `tern_venue_rejects_total` | counter | |
/// | `tern_risk_rejections_total` | counter | `reason` (risk's reject reason) |
/// | `tern_tick_to_order_seconds` | histogram | every request, feed event → gateway hand-off |
/// | `tern_open_orders` | gauge | |
/// | `tern_position` | gauge | `instrument` (units) |
/// | `tern_pnl` | gauge | `currency` (the account's daily P&L) |
/// | `tern_kill_state` | gauge | `scope`: 0 armed, 1 tripped, 2 reducing |
/// | `tern_kill_events_total` | counter | `kind`: trip, reset, reducing, flat |
/// | `tern_engine_running` | gauge | 1 while the engine runs |
/// | `tern_latency_samples_dropped_total` | counter | the tap was full |
/// | `tern_admin_requests_total` | counter | `path`, `code` |
/// | `tern_admin_refused_total` | counter | refused mutating calls (token, body, risk) |
public final class AdminMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let control: EngineControl
    let setup: RiskSetup
    let state = Mutex<Seen>(Seen())
    let latency: DurationHistogram
    let refused: Counter

    /// What the counters already hold (they only go up: each refresh adds the difference).
    struct Seen {
        var counters = EngineCounters()
        var riskEvents = 0
        var dropped = 0
    }

    static let buckets: [Duration] = [
        .nanoseconds(500), .microseconds(1), .microseconds(2), .microseconds(5), .microseconds(10), .microseconds(20), .microseconds(50),
        .microseconds(100), .microseconds(1000), .milliseconds(10),
    ]

    init(control: EngineControl, setup: RiskSetup) {
        self.control = control
        self.setup = setup
        latency = registry.makeDurationHistogram(
            descriptor: Self.name("tern_tick_to_order_seconds", "Feed event handed on to request handed to the gateway thread, every new order, cancel and replace"),
            labels: [], buckets: Self.buckets)
        refused = registry.makeCounter(descriptor: Self.name("tern_admin_refused_total", "Mutating admin calls refused (token, body or risk)"), labels: [])
    }

    /// Refreshes every metric from the engine's last status and its latency tap, then renders
    /// the Prometheus text exposition.
    public func render() -> String {
        refresh()
        return registry.emitToString()
    }

    /// Refreshes the metrics (the server also calls this on a timer, so the latency tap never
    /// fills while nobody scrapes).
    public func refresh() {
        let s = control.status
        state.withLock { seen in
            // Latency: the tap has one reader, and this lock makes it one.
            while let ns = control.latencyTap.tryPop() { latency.record(.nanoseconds(ns)) }
            let dropped = control.droppedLatencySamples
            add("tern_latency_samples_dropped_total", [], dropped - seen.dropped, help: "Latency samples dropped because the tap was full")
            seen.dropped = dropped

            let c = s.counters
            let old = seen.counters
            add("tern_events_total", [], c.events - old.events, help: "Market events handled")
            add("tern_orders_total", [("kind", "new")], c.ordersSent - old.ordersSent, help: "Requests handed to the gateway")
            add("tern_orders_total", [("kind", "cancel")], c.cancelsSent - old.cancelsSent, help: "Requests handed to the gateway")
            add("tern_orders_total", [("kind", "replace")], c.replacesSent - old.replacesSent, help: "Requests handed to the gateway")
            add("tern_orders_total", [("kind", "kill_cancel")], c.killCancelsSent - old.killCancelsSent, help: "Requests handed to the gateway")
            add("tern_fills_total", [], c.fills - old.fills, help: "Fills reported by the venue")
            add("tern_venue_rejects_total", [], c.venueRejects - old.venueRejects, help: "Rejects reported by the venue")
            for (reason, n) in c.denied {
                add("tern_risk_rejections_total", [("reason", reason.description)], n - old.denied[reason, default: 0], help: "Requests refused by pre-trade risk")
            }
            seen.counters = c

            for e in s.riskEvents.dropFirst(seen.riskEvents) {
                let kind: String
                switch e {
                case .tripped: kind = "trip"
                case .reset: kind = "reset"
                case .reducing: kind = "reducing"
                case .flat: kind = "flat"
                case .anomaly: kind = "anomaly"
                }
                add("tern_kill_events_total", [("kind", kind)], 1, help: "Kill-switch audit events (anomalies included)")
            }
            seen.riskEvents = s.riskEvents.count

            gauge("tern_open_orders", [], Double(s.openOrders), help: "Orders open at the venue or pending")
            for (i, p) in s.positions.enumerated() where i < setup.instrumentNames.count {
                gauge("tern_position", [("instrument", setup.instrumentNames[i])], Double(p) / 1e9, help: "The engine account's position (units, long positive)")
            }
            if let a = s.account {
                gauge("tern_pnl", [("currency", setup.configuration.firm.currency.description)], Double(a.dailyPnL) / 1e18, help: "The engine account's daily P&L")
            }
            gauge("tern_engine_running", [], s.phase == .running ? 1 : 0, help: "1 while the engine runs")
            for scope in setup.killScopes(sides: false) {
                gauge("tern_kill_state", [("scope", setup.name(scope))], Double(control.killSwitch.state(scope).rawValue), help: "0 armed, 1 tripped, 2 reducing")
            }
        }
    }

    func countRequest(path: String, status: Int) {
        registry.makeCounter(
            descriptor: Self.name("tern_admin_requests_total", "Admin requests by path and status code"),
            labels: [("path", AdminService.paths.contains(path) ? path : "other"), ("code", String(status))]
        ).increment()
    }

    func countRefused() { refused.increment() }

    func add(_ name: String, _ labels: [(String, String)], _ delta: Int, help: String) {
        let counter = registry.makeCounter(descriptor: Self.name(name, help), labels: labels)
        if delta > 0 { counter.increment(by: Int64(delta)) }
    }

    func gauge(_ name: String, _ labels: [(String, String)], _ value: Double, help: String) {
        registry.makeGauge(descriptor: Self.name(name, help), labels: labels).set(value)
    }

    static func name(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
