import Testing
import TernEngine
import TernTestSupport

@Suite("Host configuration")
struct ConfigTests {
    @Test("the example configurations parse")
    func examples() throws {
        for name in ["es-mbo.conf", "es-mbp1.conf", "binance-usdm.conf", "bybit-xrpusdt.conf", "itch-sample.conf"] {
            let text = try String(contentsOf: repositoryRoot.appendingPathComponent("examples/engine/\(name)"), encoding: .utf8)
            let c = try HostConfiguration.parse(text, name: name)
            #expect(c.format != .synthetic)
            #expect(c.limits == "limits.conf")
        }
    }

    @Test("values parse into the right fields")
    func values() throws {
        let c = try HostConfiguration.parse(
            """
            [data]
            format = synthetic
            messages = 5_000
            [venue]
            latency = 250us
            maker_fee_bps = -0.2
            queue_position = off
            [strategy]
            threshold = 0.7
            [threads]
            mode = single
            engine_cpu = 1
            [admin]
            listen = 127.0.0.1:9464
            hold = 2.5
            """)
        #expect(c.adminHoldSeconds == 2.5)
        let itch = try HostConfiguration.parse("[data]\nformat = itch\nfile = x.gz\nsymbol = BOB\ndate = 2010-12-24\n[risk]\nlimits = l\ninstruments = i\n")
        #expect(itch.format == .itch)
        #expect(itch.sessionDate == 14_967 * 86_400_000_000_000, "2010-12-24 is day 14,967 of the epoch")
        #expect(HostConfiguration.daysSinceEpoch("1970-01-01") == 0)
        #expect(HostConfiguration.daysSinceEpoch("2000-03-01") == 11_017)
        #expect(HostConfiguration.daysSinceEpoch("2024-02-29") == 19_782)
        #expect(c.syntheticMessages == 5000)
        #expect(c.venue.latencyNanoseconds == 250_000)
        #expect(c.venue.makerRate == -20_000)
        #expect(c.venue.queuePosition == false)
        #expect(c.strategy.threshold == 0.7)
        #expect(c.threads == .single)
        #expect(c.engineCPU == 1)
        #expect(c.adminListen == "127.0.0.1:9464")
    }

    @Test(
        "a bad configuration is rejected with a message naming the field",
        arguments: [
            ("[data]\nformat = csv\n", "[data] format", "expected one of dbn, binance, bybit, itch, ring, synthetic"),
            ("[data]\nbook = l1\n", "[data] book", "expected l3 or l2"),
            ("[data]\nwait = soon\n", "[data] wait", "expected a duration"),
            ("[data]\nformat = ring\n", "[data] file", "required for format ring"),
            ("[data]\ndate = 2023-02-29\n", "[data] date", "expected a date"),
            ("[data]\ndate = 24/12/2010\n", "[data] date", "expected a date"),
            ("[admin]\nhold = -1\n", "[admin] hold", "0 to 86400"),
            ("[venue]\nlatency = fast\n", "[venue] latency", "expected a duration"),
            ("[venue]\nlatenc = 5us\n", "[venue] latenc", "unknown key"),
            ("[strategy]\nmax_position = -1\n", "[strategy] max_position", "whole number"),
            ("[strategy]\nthreshold = abc\n", "[strategy] threshold", "expected a number"),
            ("[threads]\nmode = many\n", "[threads] mode", "auto, single or threaded"),
            ("[admin]\nlisten = 0.0.0.0:9464\n", "[admin] listen", "loopback"),
            ("[admin]\ntoken = short\n", "[admin] token", "16 characters"),
            ("[dat]\n", "[dat]", "unknown section"),
            ("[data]\nformat = dbn\nsymbol = ESH4\n", "[data] file", "required"),
            ("[data]\nformat = dbn\nfile = x.dbn\n", "[risk] limits", "required"),
            ("[venue]\nlatency = 1us\nlatency = 2us\n", "[venue] latency", "given twice"),
            ("format = dbn\n", "format", "before any [section]"),
            ("[data]\nformat\n", "format", "expected key = value"),
        ])
    func rejected(_ text: String, _ field: String, _ message: String) {
        #expect {
            try HostConfiguration.parse(text, name: "bad.conf")
        } throws: { error in
            guard let e = error as? ConfigError else { return false }
            return e.field == field && e.message.contains(message) && e.description.hasPrefix("bad.conf")
        }
    }
}

@Suite("Host configuration, damaged")
struct ConfigDamageTests {
    /// Random damage to a valid configuration (bytes replaced, inserted, deleted; lines swapped):
    /// every result either parses or throws a `ConfigError` with a field and a message. A parser
    /// that traps fails the whole test run.
    @Test("20,000 damaged configurations: a parse or a precise error, never a trap")
    func damaged() throws {
        let base = Array(try String(contentsOf: repositoryRoot.appendingPathComponent("examples/engine/es-mbo.conf"), encoding: .utf8).utf8)
        var rng = SplitMix64(seed: 88)
        let alphabet = Array("[]=#\n \t:._-0123456789abcdefusmnx\u{0}\u{FF}".utf8)
        var parsed = 0
        for _ in 0..<20_000 {
            var bytes = base
            for _ in 0..<(1 + Int(rng.next() % 6)) {
                let i = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[i] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 1: bytes.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: i)
                default: bytes.remove(at: i)
                }
            }
            do {
                _ = try HostConfiguration.parse(String(decoding: bytes, as: UTF8.self), name: "damaged")
                parsed += 1
            } catch {
                #expect(!error.field.isEmpty && !error.message.isEmpty)
            }
        }
        #expect(parsed > 0 && parsed < 20_000)
    }
}
