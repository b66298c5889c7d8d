import ArgumentParser
import Tern

#if canImport(Glibc)
    import Glibc
#endif

/// `tern journal inspect|verify`: look into a journal directory.
struct JournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Journal tools: inspect, verify and replay a journal directory (docs/journal.md).",
        subcommands: [Inspect.self, Verify.self, Replay.self, Torture.self]
    )

    static func open(_ path: String) throws -> JournalReader {
        do {
            return try JournalReader(directory: path)
        } catch {
            throw ValidationError(error.description)
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Segments, records by type, sequence and time ranges. Read-only: a torn tail is reported, not cut.")
        @Argument(help: "The journal directory.")
        var path: String

        mutating func run() throws {
            let reader = try JournalCommand.open(path)
            var byType: [UInt16: (count: Int, bytes: Int)] = [:]
            reader.forEach { r in
                byType[r.type, default: (0, 0)].count += 1
                byType[r.type, default: (0, 0)].bytes += r.payload.count
            }
            print("journal \(path): \(reader.segments.count) segment(s), \(reader.recordCount) record(s)")
            for s in reader.segments {
                let range = s.firstSequence.map { "sequences \($0)–\(s.lastSequence!)" } ?? "empty"
                print("  \(JournalFormat.segmentName(s.header.index)): \(s.records) records, \(range), \(s.end) of \(s.header.capacity) bytes used")
            }
            let held = reader.segments.filter { $0.firstSequence != nil }
            if let f = held.first, let l = held.last, let t0 = f.firstTimestamp, let t1 = l.lastTimestamp {
                print("sequence range: \(f.firstSequence!)–\(l.lastSequence!)")
                print("time range: \(Timestamp(rawValue: t0)) – \(Timestamp(rawValue: t1)) (\(Double(t1 - t0) / 1e9) s)")
            }
            print("records by type:")
            for (type, v) in byType.sorted(by: { $0.key < $1.key }) {
                print("  \(JournalEventType(rawValue: type).map { "\($0)" } ?? "type \(type)"): \(v.count) (\(v.bytes) payload bytes)")
            }
            print("recovery on open: \(reader.recovery)")
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every record's CRC-32C, framing and sequence. Exit 0: intact; 1: a torn tail (recoverable); 2: corruption.")
        @Argument(help: "The journal directory.")
        var path: String
        @Flag(help: "Cut a torn tail, and cut the journal at the first damaged record (dropping what follows). Changes the files.")
        var repair = false

        mutating func run() throws {
            do {
                let reader = try JournalReader(directory: path, writable: repair, repair: repair)
                if repair && !reader.recovery.isClean {
                    print("repaired: \(reader.recovery); \(reader.recordCount) records remain")
                    return
                }
                if reader.recovery.isClean {
                    print("ok: \(reader.recordCount) records in \(reader.segments.count) segment(s), sequences 1–\(reader.nextSequence - 1)")
                } else {
                    print("recoverable: \(reader.recordCount) intact records; \(reader.recovery)")
                    throw ExitCode(1)
                }
            } catch let error as JournalError {
                print("corrupt: \(error)")
                throw ExitCode(2)
            }
        }
    }

    /// For the fault tests: appends records with deterministic payloads and prints each durable
    /// watermark as it advances, until killed or `--count` records are durable.
    struct Torture: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Test helper: append records and print durable watermarks (used by TernJournalTests).",
            shouldDisplay: false)
        @Argument var path: String
        @Option var count: Int = 1_000_000
        @Option var sync: String = "interval"
        @Option var backend: String = "automatic"
        @Option var segmentBytes: Int = 1 << 20
        @Option var batchBytes: Int = 1 << 20
        @Option(help: "RLIMIT_FSIZE in bytes, set after open (a file system that fills up).") var fileSizeLimit: Int? = nil

        mutating func run() throws {
            var options = JournalOptions()
            options.segmentCapacity = segmentBytes
            options.batchBytes = batchBytes
            options.ringCapacity = 1 << 20
            options.sync = sync == "every" ? .everyBatch : sync == "none" ? .none : .interval(nanoseconds: 200_000)
            options.backend = backend == "pwrite" ? .pwrite : backend == "io_uring" ? .ioUring : .automatic
            let writer: JournalWriter
            do { writer = try JournalWriter(directory: path, options: options) } catch {
                print("open failed: \(error)")
                throw ExitCode(3)
            }
            if let limit = fileSizeLimit {
                // Applied after open, so the journal fills up while it runs: writes past the limit
                // and the next segment's pre-allocation fail with EFBIG.
                signal(SIGXFSZ, SIG_IGN)
                var rl = rlimit(rlim_cur: rlim_t(limit), rlim_max: rlim_t(limit))
                setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &rl)
            }
            print("backend \(writer.backendDescription)")
            print("start \(writer.sequenceOfNextAppend)")
            fflush(nil)
            var reported: UInt64 = 0
            var appended = 0
            while appended < count {
                if JournalTestPattern.append(to: writer) != 0 { appended += 1 } else if writer.health != .running { break } else { usleep(10) }
                let d = writer.durableSequence
                if d != reported {
                    print("durable \(d)")
                    fflush(nil)
                    reported = d
                }
            }
            _ = writer.waitUntilDurable(writer.sequenceOfNextAppend - 1)
            if let f = writer.failure {
                print("durable \(writer.durableSequence)")
                print("failed \(f.kind.rawValue) sequence \(f.sequence) durable \(writer.durableSequence): \(f)")
                fflush(nil)
                throw ExitCode(4)
            }
            print("durable \(writer.durableSequence)")
            try? writer.close()
        }
    }
}
