import Foundation
import Synchronization
import Testing
import TernAdmin
import TernCore
import TernEngine
import TernJournal
import TernRisk

let adminToken = "test-token-0123456789"

/// Log lines the admin service wrote.
final class LogSink: Sendable {
    let lines = Mutex<[String]>([])
    func write(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

func makeService(_ p: SyntheticPipeline, log: LogSink, timeout: Duration = .seconds(5)) throws -> AdminService {
    let control = try EngineControl(killSwitch: p.risk.killSwitch, publishEvery: .milliseconds(1))
    p.engine.control = control
    return try AdminService(
        control: control, setup: p.setup, token: adminToken, limitsText: SyntheticMarket.limits, instrumentsText: SyntheticMarket.instruments,
        timeout: timeout, log: { log.write($0) })
}

func body(_ scope: String, _ who: String = "admin", _ why: String = "test") -> [UInt8] {
    Array("{\"scope\": \"\(scope)\", \"operator\": \"\(who)\", \"reason\": \"\(why)\"}".utf8)
}

/// Runs `body` on a thread that serves the engine's control (the engine thread's part) until it
/// returns.
func withEngineServing<R>(_ engine: Engine, _ body: () async throws -> R) async rethrows -> R {
    let stop = Atomic<Bool>(false)
    let box = UncheckedBox(engine)
    let thread = Thread {
        while !stop.load(ordering: .acquiring) {
            box.value.serviceControl()
            usleep(200)
        }
    }
    thread.start()
    defer { stop.store(true, ordering: .releasing) }
    return try await body()
}

final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

@Suite("Admin interface")
struct AdminTests {
    @Test("a kill-switch trip through the admin HTTP interface during a replay cancels every working order; no new order passes; bad tokens are refused and logged")
    func tripOverHTTPDuringReplay() async throws {
        let probe = KillProbe()
        probe.holdUntilTripped.store(true, ordering: .releasing)
        let p = try SyntheticPipeline(messages: 150_000, threaded: true) { spec in try KillWatchingStrategy(spec: spec, probe: probe) }
        let log = LogSink()
        let service = try makeService(p, log: log)
        let server = try await AdminServer.start(listen: "127.0.0.1:0", service: service)
        let port = UInt16(server.address.split(separator: ":").last!)!
        // The operator: waits until orders are working, tries without and with a wrong token,
        // then trips the firm with the right one.
        let answers = Mutex<[(Int, String)]>([])
        let operatorThread = Thread {
            while probe.working.load(ordering: .acquiring) < 3 { usleep(100) }
            let calls: [String?] = [nil, "Bearer not-the-token-at-all", "Bearer " + adminToken]
            for auth in calls {
                let r = httpCall(port: port, method: "POST", path: "/kill/trip", authorization: auth, body: body("firm", "alice", "runaway test"))
                answers.withLock { $0.append(r) }
            }
            probe.tripped.store(true, ordering: .releasing)
        }
        operatorThread.start()
        // The replay runs on a thread of its own, so the server's tasks have the concurrency pool.
        let pipeline = UncheckedBox(p)
        let result = try await withCheckedThrowingContinuation { (c: CheckedContinuation<SyntheticPipeline.Result, any Error>) in
            Thread { c.resume(with: Result { try pipeline.value.run(threaded: true) }) }.start()
        }
        let didTrip = probe.tripped.load(ordering: .acquiring)
        #expect(didTrip)
        let got = answers.withLock { $0 }
        #expect(got.map(\.0) == [401, 403, 200], "\(got)")

        let strategy = p.strategy as! KillWatchingStrategy
        #expect(strategy.sentAfterTrip == 0, "no order may pass after the trip")
        #expect(strategy.attemptsAfterTrip > 0, "the strategy kept trying, and risk refused")
        #expect(p.engine.counters.killCancelsSent >= 3, "a cancel for every working order")
        #expect(p.engine.orders.openCount == 0)
        #expect(p.risk.workingOrderCount == 0)
        #expect(result.denied[.killSwitchHalted, default: 0] == strategy.attemptsAfterTrip)

        // Journaled with who and why: a fresh engine replaying the journal sees the same trip.
        let fresh = try RiskEngine(p.setup.configuration)
        let replay = try RiskReplay.replay(JournalReader(directory: p.directory), into: fresh)
        #expect(replay.isExact, "\(replay)")
        let trips = fresh.events.filter { if case .tripped(.firm, .manual, "alice", "runaway test", _, _, _) = $0 { return true } else { return false } }
        #expect(trips.count == 1)

        // Refused attempts are logged, and counted in the metrics.
        let lines = log.all
        #expect(lines.contains { $0.contains("refused POST /kill/trip") && $0.contains("missing token") })
        #expect(lines.contains { $0.contains("refused POST /kill/trip") && $0.contains("wrong token") })
        #expect(lines.contains { $0.contains("trip firm by \"alice\"") && $0.contains("runaway test") })
        let (status, metrics) = httpCall(port: port, method: "GET", path: "/metrics")
        #expect(status == 200)
        #expect(metrics.contains("tern_admin_refused_total 2"))
        #expect(metrics.contains("tern_kill_state{scope=\"firm\"} 1.0"))
        #expect(metrics.contains("tern_kill_events_total{kind=\"trip\"} 1"))
        #expect(metrics.contains("tern_tick_to_order_seconds_count \(result.ordersSent + result.cancels)"))
        // After the run: reads work, changes are refused (the journal is closed).
        let (s2, statusText) = httpCall(port: port, method: "GET", path: "/status")
        #expect(s2 == 200 && statusText.contains("\"phase\" : \"finished\""))
        let late = httpCall(port: port, method: "POST", path: "/kill/reset", authorization: "Bearer " + adminToken, body: body("firm"))
        #expect(late.0 == 409 && late.1.contains("finished"), "\(late)")
        await server.stop()
    }

    @Test("reset and reducing run on the engine thread, only for configured operators, and are journaled")
    func resetAndReducing() async throws {
        let p = try SyntheticPipeline(messages: 1, threaded: false)
        let log = LogSink()
        let service = try makeService(p, log: log)
        let auth = "Bearer " + adminToken
        try await withEngineServing(p.engine) {
            var r = await service.handle(AdminRequest(method: "POST", path: "/kill/reset", authorization: auth, body: body("firm")))
            #expect(r.status == 409 && r.body.contains("not tripped"), "\(r)")
            r = await service.handle(AdminRequest(method: "POST", path: "/kill/trip", authorization: auth, body: body("side:SYN:buy", "demo", "one side")))
            #expect(r.status == 200, "\(r)")
            r = await service.handle(AdminRequest(method: "POST", path: "/kill/reset", authorization: auth, body: body("side:SYN:buy", "mallory", "let me")))
            #expect(r.status == 403 && r.body.contains("not allowed"), "\(r)")
            r = await service.handle(AdminRequest(method: "POST", path: "/kill/reducing", authorization: auth, body: body("side:SYN:buy", "admin", "wind down")))
            #expect(r.status == 200, "\(r)")
            #expect(p.risk.killSwitch.state(.side(InstrumentID(rawValue: 0), .buy)) == .reducing)
            r = await service.handle(AdminRequest(method: "POST", path: "/kill/reset", authorization: auth, body: body("side:SYN:buy", "admin", "all clear")))
            #expect(r.status == 200, "\(r)")
            #expect(p.risk.killSwitch.state(.side(InstrumentID(rawValue: 0), .buy)) == .armed)
        }
        let kinds = p.risk.events.map { e -> String in
            switch e {
            case .tripped(_, _, let who, _, _, _, _): "trip:\(who)"
            case .reset(_, let who, let why, _): "reset:\(who):\(why)"
            case .reducing(_, let who, _, _): "reducing:\(who)"
            default: "other"
            }
        }
        #expect(kinds == ["trip:demo", "reducing:admin", "reset:admin:all clear"])
        try p.journal.close()
        let fresh = try RiskEngine(p.setup.configuration)
        _ = try RiskReplay.replay(JournalReader(directory: p.directory), into: fresh)
        #expect(fresh.events == p.risk.events, "the journal holds every operator call with who and why")
    }

    @Test("malformed calls get a precise error and change nothing")
    func malformedCalls() async throws {
        let p = try SyntheticPipeline(messages: 1, threaded: false)
        let log = LogSink()
        let service = try makeService(p, log: log, timeout: .milliseconds(50))
        let auth = "Bearer " + adminToken
        func call(_ method: String, _ path: String, _ auth: String?, _ bytes: [UInt8]) async -> AdminResponse {
            await service.handle(AdminRequest(method: method, path: path, authorization: auth, body: bytes))
        }
        let cases: [(String, String, String?, [UInt8], Int, String)] = [
            ("POST", "/kill/trip", auth, Array("{".utf8), 400, "JSON"),
            ("POST", "/kill/trip", auth, Array("{\"scope\": \"firm\", \"operator\": \"a\"}".utf8), 400, "missing reason"),
            ("POST", "/kill/trip", auth, Array("{\"scope\": 3, \"operator\": \"a\", \"reason\": \"b\"}".utf8), 400, "scope"),
            ("POST", "/kill/trip", auth, body("desk"), 400, "is not a scope"),
            ("POST", "/kill/trip", auth, body("instrument:NOPE"), 400, "unknown instrument"),
            ("POST", "/kill/trip", auth, body("side:SYN:up"), 400, "buy or sell"),
            ("POST", "/kill/trip", auth, body("account"), 400, "expected account"),
            ("POST", "/kill/trip", auth, body("firm", " ", "x"), 400, "operator"),
            ("POST", "/kill/trip", auth, body("firm", "a", ""), 400, "reason"),
            ("POST", "/kill/trip", auth, Array(repeating: 32, count: 5000), 413, "4096"),
            ("POST", "/kill/trip", "Basic abc", body("firm"), 401, "Bearer"),
            ("POST", "/kill/trip", "Bearer " + adminToken + "x", body("firm"), 403, "wrong token"),
            ("GET", "/kill/trip", nil, [], 405, "GET is not allowed"),
            ("DELETE", "/status", nil, [], 405, "not allowed"),
            ("GET", "/nothing", nil, [], 404, "no such call"),
            // No engine thread serves this control: the call is withdrawn after the timeout.
            ("POST", "/kill/reset", auth, body("firm"), 504, "did not answer"),
        ]
        for (method, path, a, bytes, status, fragment) in cases {
            let r = await call(method, path, a, bytes)
            #expect(r.status == status, "\(method) \(path) \(String(decoding: bytes.prefix(80), as: UTF8.self)): \(r.body)")
            #expect(r.body.contains(fragment), "\(r.body) should say \(fragment)")
        }
        #expect(p.risk.killSwitch.state(.firm) == .armed, "nothing tripped")
        #expect(p.risk.events.isEmpty)
        #expect(log.all.count == cases.count - 3, "every refused mutating call is logged")

        // Random bodies and headers: always an answer, never a trap, never a trip.
        var rng = SystemRandomNumberGenerator()
        let seeds: [[UInt8]] = [body("firm"), body("side:SYN:sell"), Array("{\"scope\":\"\",\"operator\":\"\",\"reason\":\"\"}".utf8)]
        for i in 0..<3000 {
            var bytes = seeds[i % seeds.count]
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let k = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[k] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes.remove(at: k)
                default: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: k)
                }
                if bytes.isEmpty { bytes = [0x7B] }
            }
            let r = await call("POST", i % 2 == 0 ? "/kill/trip" : "/kill/reducing", i % 7 == 0 ? "Bearer x" : auth, bytes)
            #expect([200, 400, 403, 409, 504].contains(r.status), "\(r)")
        }
    }

    @Test("status, limits and metrics read the engine's published state")
    func reads() async throws {
        let p = try SyntheticPipeline(messages: 30_000, threaded: false)
        let log = LogSink()
        let service = try makeService(p, log: log)
        let report = try p.run(threaded: false)
        let status = await service.handle(AdminRequest(method: "GET", path: "/status"))
        #expect(status.status == 200)
        let object = try JSONSerialization.jsonObject(with: Data(status.body.utf8)) as! [String: Any]
        #expect(object["phase"] as? String == "finished")
        #expect(object["events"] as? Int == report.events)
        #expect((object["orders"] as! [String: Any])["sent"] as? Int == report.ordersSent)
        #expect((object["kill"] as! [String: Any])["states"] as? [String: String] == ["firm": "armed"])
        let limits = await service.handle(AdminRequest(method: "GET", path: "/limits"))
        #expect(limits.status == 200 && limits.body.contains("max_working_orders") && limits.body.contains("operators"))
        let metrics = await service.handle(AdminRequest(method: "GET", path: "/metrics"))
        #expect(metrics.contentType.hasPrefix("text/plain; version=0.0.4"))
        for name in ["tern_events_total \(report.events)", "tern_orders_total{kind=\"new\"} \(report.ordersSent)", "tern_engine_running 0.0", "tern_open_orders 0.0"] {
            #expect(metrics.body.contains(name), "\(name) missing")
        }
    }
}

/// A minimal HTTP/1.1 client over a loopback socket (the tests' operator).
func httpCall(port: UInt16, method: String, path: String, authorization: String? = nil, body: [UInt8] = []) -> (Int, String) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return (-1, "socket") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { return (-1, "connect") }
    var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
    if let authorization { head += "Authorization: \(authorization)\r\n" }
    head += "\r\n"
    let request = Array(head.utf8) + body
    var sent = 0
    while sent < request.count {
        let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return (-1, "send") }
        sent += n
    }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { break }
        response += buffer[0..<n]
    }
    let text = String(decoding: response, as: UTF8.self)
    let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? -1
    let bodyText = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
    return (status, bodyText)
}
