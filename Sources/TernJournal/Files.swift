import TernSystem

#if canImport(Glibc)
    import Glibc
#endif

/// `body` over the array's bytes, keeping `body`'s error type (Array's own `withUnsafeBytes`
/// rethrows untyped).
@inline(__always)
func withBytes<R, E: Error>(_ a: [UInt8], _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    var result: Result<R, E>? = nil
    a.withUnsafeBytes { raw in result = Result { () throws(E) -> R in try body(raw) } }
    return try result!.get()
}

/// Thin, throwing wrappers over the file calls the journal makes. Every error names the call,
/// the path and errno.
enum Files {
    static func fail(_ call: String, _ path: String, _ code: Int32 = errno, offset: Int = -1, sequence: UInt64 = 0) -> JournalError {
        let kind: JournalError.Kind = code == ENOSPC || code == EFBIG || code == EDQUOT ? .noSpace : .io
        return JournalError(kind, file: path, offset: offset, sequence: sequence, errno: code, "\(call): \(SystemError.text(errno: code))")
    }

    static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0o644) throws(JournalError) -> Int32 {
        let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw fail("open", path) }
        return fd
    }

    /// The whole file.
    static func readAll(_ path: String) throws(JournalError) -> [UInt8] {
        let fd = try open(path, O_RDONLY)
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw fail("fstat", path) }
        let size = Int(st.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, size - done, off_t(done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw fail("read", path, offset: done)
            }
            if n == 0 { break }
            done += n
        }
        if done < size { bytes.removeLast(size - done) }
        return bytes
    }

    /// Writes all of `count` bytes at `offset` (retrying short writes and EINTR).
    static func pwriteAll(_ fd: Int32, _ p: UnsafeRawPointer, _ count: Int, _ offset: Int, path: String, sequence: UInt64 = 0) throws(JournalError) {
        var done = 0
        while done < count {
            let n = pwrite(fd, p + done, count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw fail("pwrite", path, offset: offset + done, sequence: sequence)
            }
            if n == 0 { throw fail("pwrite", path, ENOSPC, offset: offset + done, sequence: sequence) }
            done += n
        }
    }

    static func datasync(_ fd: Int32, path: String, sequence: UInt64 = 0) throws(JournalError) {
        while fdatasync(fd) != 0 {
            if errno == EINTR { continue }
            throw fail("fdatasync", path, sequence: sequence)
        }
    }

    /// Makes a directory entry change (a created or removed segment) durable.
    static func syncDirectory(_ path: String) throws(JournalError) {
        let fd = try open(path, O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        while fsync(fd) != 0 {
            if errno == EINTR { continue }
            if errno == EINVAL { return }  // some filesystems do not sync directories
            throw fail("fsync", path)
        }
    }

    /// The names in a directory.
    static func list(_ path: String) throws(JournalError) -> [String] {
        guard let dir = opendir(path) else { throw fail("opendir", path) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func makeDirectory(_ path: String) throws(JournalError) {
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw fail("mkdir", path) }
    }
}
