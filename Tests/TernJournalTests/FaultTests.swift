import Synchronization
import Testing
import TernJournal

#if canImport(Glibc)
    import Glibc
#endif

/// Real processes, real files: a child `tern journal torture` writer killed with SIGKILL, a full
/// file system, a size-limited file, a read-only directory.
@Suite(.serialized) struct FaultTests {
    /// The `tern` executable next to the test bundle (`swift build --build-tests` builds it).
    static let tern: String? = {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        var dir = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        while let slash = dir.lastIndex(of: "/") {
            dir = String(dir[..<slash])
            if access(dir + "/tern", X_OK) == 0 { return dir + "/tern" }
            if dir.hasSuffix(".build") { break }
        }
        return nil
    }()

    /// Starts `tern journal torture` with its stdout in a pipe.
    static func spawn(_ args: [String]) -> (pid: pid_t, out: Int32)? {
        guard let tern else { return nil }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        let argv = ([tern, "journal", "torture"] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, tern, &actions, nil, argv, environ)
        posix_spawn_file_actions_destroy(&actions)
        close(fds[1])
        guard rc == 0 else { close(fds[0]); return nil }
        return (pid, fds[0])
    }

    /// Reads the child's lines until `stop` says so or it exits.
    static func lines(_ fd: Int32, until stop: (String) -> Bool = { _ in false }) -> [String] {
        var out: [String] = []
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            pending += chunk[0..<n]
            while let nl = pending.firstIndex(of: 10) {
                let line = String(decoding: pending[..<nl], as: UTF8.self)
                pending.removeSubrange(...nl)
                out.append(line)
                if stop(line) { return out }
            }
        }
        return out
    }

    static func lastDurable(_ lines: [String]) -> UInt64 {
        lines.reversed().compactMap { $0.hasPrefix("durable ") ? UInt64($0.dropFirst(8)) : nil }.first ?? 0
    }

    @Test(.enabled(if: tern != nil, "needs the tern executable (swift build --build-tests)"))
    func killNineAtRandomPoints() throws {
        let dir = Scratch("kill9")
        defer { dir.remove() }
        var g = SystemRandomNumberGenerator()
        var previous: UInt64 = 0
        for round in 0..<25 {
            let sync = ["every", "interval", "none"][round % 3]
            let backend = round % 4 == 3 ? "pwrite" : "automatic"
            guard let child = Self.spawn([dir.path, "--sync", sync, "--backend", backend, "--segment-bytes", "\(256 << 10)"]) else {
                Issue.record("spawn failed")
                return
            }
            // Wait for a random number of watermark reports (or a random time), then SIGKILL.
            let target = Int.random(in: 1...40, using: &g)
            var seen = 0
            let output = Self.lines(child.out) { line in
                if line.hasPrefix("durable ") { seen += 1 }
                return seen >= target
            }
            kill(child.pid, SIGKILL)
            var status: Int32 = 0
            waitpid(child.pid, &status, 0)
            close(child.out)
            let durable = Self.lastDurable(output)
            #expect(output.contains { $0.hasPrefix("start ") }, "round \(round): \(output.prefix(3))")
            // Reopen: every record up to the reported watermark is there and intact, in order,
            // and nothing else is accepted (the read-back checks every byte against the pattern).
            let (count, reader) = try J.readBack(dir.path, writable: true)
            #expect(UInt64(count) >= durable, "round \(round): \(count) records, child reported \(durable) durable")
            #expect(UInt64(count) >= previous)
            #expect(try JournalReader(directory: dir.path).recovery.isClean, "round \(round): \(reader.recovery)")
            previous = UInt64(count)
        }
        #expect(previous > 0)
    }

    /// A size-limited file (RLIMIT_FSIZE in the child): the writer reports the failure with the
    /// sequence it affects, and everything it called durable before is on disk.
    @Test(.enabled(if: tern != nil, "needs the tern executable"))
    func sizeLimitedFileReportsTheFailure() throws {
        let dir = Scratch("fsize")
        defer { dir.remove() }
        guard let child = Self.spawn([dir.path, "--count", "100000", "--sync", "every", "--segment-bytes", "\(128 << 10)", "--file-size-limit", "\(100 << 10)", "--batch-bytes", "4096"]) else {
            Issue.record("spawn failed")
            return
        }
        let output = Self.lines(child.out)
        var status: Int32 = 0
        waitpid(child.pid, &status, 0)
        close(child.out)
        let failure = output.first { $0.hasPrefix("failed ") }
        #expect(failure?.contains("noSpace") == true, "\(output.suffix(3))")
        let durable = Self.lastDurable(output)
        #expect(durable > 0)
        let (count, _) = try J.readBack(dir.path)
        #expect(UInt64(count) >= durable)
    }

    static func mountTmpfs(_ path: String, _ options: String) -> Bool {
        geteuid() == 0 && J.run("mount -t tmpfs -o \(options) tmpfs '\(path)' 2>/dev/null") == 0
    }

    /// A real full file system (a 1 MiB tmpfs, when this process may mount one): ENOSPC while
    /// pre-allocating the next segment is reported as `noSpace` with the sequence; nothing durable is lost.
    @Test func fullFileSystem() throws {
        let dir = Scratch("enospc")
        defer { dir.remove() }
        guard Self.mountTmpfs(dir.path, "size=1m") else {
            print("fullFileSystem: cannot mount a tmpfs here (not root or no CAP_SYS_ADMIN); covered by sizeLimitedFileReportsTheFailure")
            return
        }
        defer { _ = J.run("umount '\(dir.path)'") }
        var o = J.small()
        o.segmentCapacity = 192 << 10
        o.sync = .everyBatch
        let failed = Atomic<Int>(0)
        let w = try JournalWriter(directory: dir.path, options: o) { _ in failed.add(1, ordering: .relaxed) }
        var appended: UInt64 = 0
        for _ in 0..<200_000 {
            let s = JournalTestPattern.append(to: w)
            if s != 0 {
                appended = s
            } else if w.health == .failed {
                break
            } else {
                usleep(20)
            }
        }
        while w.health == .running && w.durableSequence < appended { usleep(100) }
        #expect(w.health == .failed)
        #expect(w.failure?.kind == .noSpace, "\(String(describing: w.failure))")
        #expect(failed.load(ordering: .relaxed) == 1)
        let durable = w.durableSequence
        #expect(w.failure.map { $0.sequence == durable + 1 } == true, "\(String(describing: w.failure)) durable \(durable)")
        #expect(throws: JournalError.self) { try w.close() }
        let (count, _) = try J.readBack(dir.path, writable: true)
        #expect(UInt64(count) >= durable)
    }

    @Test func readOnlyDirectory() throws {
        let dir = Scratch("readonly")
        defer { dir.remove() }
        guard Self.mountTmpfs(dir.path, "size=1m,ro") else {
            // Without a read-only mount, a path under a regular file stands in (ENOTDIR).
            #expect { try JournalWriter(directory: "/etc/hostname/journal") } throws: { ($0 as? JournalError)?.kind == .io }
            return
        }
        defer { _ = J.run("umount '\(dir.path)'") }
        #expect { try JournalWriter(directory: dir.path) } throws: { e in
            guard let e = e as? JournalError else { return false }
            return e.errno == EROFS && e.description.contains(dir.path)
        }
    }
}
