internal import CZlib
internal import CZstd

#if canImport(Glibc)
    internal import Glibc
#endif

/// Reading a feed file into memory, decompressed by what its first bytes say it is: zstd
/// (`.dbn.zst`), gzip (`.gz`, several members allowed), zip (the first entry; stored or deflated,
/// its CRC checked), or plain bytes.
///
/// Decoders then run over the decompressed bytes with no further copy. This is the cold start of
/// a replay, not a hot path; a live feed hands its decoder the bytes of each packet instead.
public enum FeedFile {
    /// The container a file's first bytes announce.
    public enum Container: String, Sendable {
        case plain, zstd, gzip, zip
    }

    /// The largest decompressed input accepted by default (a guard against decompression bombs).
    public static let defaultLimit = 1 << 32

    /// The container `bytes` start with.
    public static func container(of bytes: [UInt8]) -> Container {
        if bytes.count >= 4 && bytes[0] == 0x28 && bytes[1] == 0xB5 && bytes[2] == 0x2F && bytes[3] == 0xFD { return .zstd }
        if bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B { return .gzip }
        if bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && bytes[2] == 0x03 && bytes[3] == 0x04 { return .zip }
        return .plain
    }

    /// The file's bytes, decompressed.
    public static func read(path: String, limit: Int = defaultLimit) throws(FeedError) -> [UInt8] {
        try decompress(try readRaw(path: path), limit: limit)
    }

    /// The file's bytes as stored.
    public static func readRaw(path: String) throws(FeedError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FeedError(.io, at: 0, "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FeedError(.io, at: bytes.count, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }

    /// `bytes` decompressed according to their container (plain bytes are returned as they are).
    public static func decompress(_ bytes: [UInt8], limit: Int = defaultLimit) throws(FeedError) -> [UInt8] {
        switch container(of: bytes) {
        case .plain: return bytes
        case .zstd: return try zstd(bytes, limit: limit)
        case .gzip: return try inflate(bytes, from: 0, windowBits: 15 + 32, multiMember: true, limit: limit)
        case .zip: return try zipFirstEntry(bytes, limit: limit)
        }
    }

    // MARK: zstd

    static func zstd(_ bytes: [UInt8], limit: Int) throws(FeedError) -> [UInt8] {
        guard let stream = ZSTD_createDStream() else { throw FeedError(.decompression, at: 0, "zstd: out of memory") }
        defer { ZSTD_freeDStream(stream) }
        ZSTD_initDStream(stream)
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var consumed = 0
        var lastResult = 0
        try withFeedBytes(bytes) { (source) throws(FeedError) in
            var input = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: 0)
            while true {
                let (result, produced) = chunk.withUnsafeMutableBytes { target in
                    var out = ZSTD_outBuffer(dst: target.baseAddress, size: target.count, pos: 0)
                    let result = ZSTD_decompressStream(stream, &out, &input)
                    return (result, out.pos)
                }
                consumed = input.pos
                if ZSTD_isError(result) != 0 {
                    throw FeedError(.decompression, at: consumed, "zstd: \(String(cString: ZSTD_getErrorName(result)))")
                }
                lastResult = result
                output.append(contentsOf: chunk[0..<produced])
                if output.count > limit {
                    throw FeedError(.decompression, at: consumed, "zstd: more than \(limit) bytes decompressed")
                }
                if input.pos == input.size && produced < chunk.count { return }
            }
        }
        if lastResult != 0 { throw FeedError(.truncated, at: consumed, "zstd: the input ends inside a frame") }
        return output
    }

    // MARK: deflate (gzip, zip)

    /// Inflates `bytes` from `start`; `windowBits` 15 + 32 reads a gzip (or zlib) header, -15 raw
    /// deflate. Returns the output; `end` receives the input position after the stream.
    static func inflate(
        _ bytes: [UInt8], from start: Int, windowBits: Int32, multiMember: Bool, limit: Int,
        expectedSize: Int? = nil
    ) throws(FeedError) -> [UInt8] {
        var stream = z_stream()
        guard tern_inflate_init2(&stream, windowBits) == Z_OK else {
            throw FeedError(.decompression, at: start, "zlib: cannot initialise inflate")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        if let expectedSize { output.reserveCapacity(min(expectedSize, limit)) }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var position = start
        try withFeedBytes(bytes) { (source) throws(FeedError) in
            while true {
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress!.assumingMemoryBound(to: Bytef.self) + position)
                stream.avail_in = UInt32(min(source.count - position, Int(UInt32.max)))
                let availableBefore = Int(stream.avail_in)
                let (status, produced) = chunk.withUnsafeMutableBytes { target in
                    stream.next_out = target.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.avail_out = UInt32(target.count)
                    let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return (status, target.count - Int(stream.avail_out))
                }
                position += availableBefore - Int(stream.avail_in)
                output.append(contentsOf: chunk[0..<produced])
                if output.count > limit {
                    throw FeedError(.decompression, at: position, "inflate: more than \(limit) bytes decompressed")
                }
                switch status {
                case Z_STREAM_END:
                    // A gzip file may hold several members one after another.
                    if multiMember && position < source.count && source[position] == 0x1F {
                        inflateReset(&stream)
                        continue
                    }
                    return
                case Z_OK:
                    continue
                case Z_BUF_ERROR where produced == 0 && position >= source.count:
                    throw FeedError(.truncated, at: position, "inflate: the input ends inside the compressed stream")
                case Z_BUF_ERROR:
                    continue
                default:
                    let text = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                    throw FeedError(.decompression, at: position, "inflate: \(text)")
                }
            }
        }
        return output
    }

    /// The first entry of a zip archive (the Bybit capture is a zip of one file).
    static func zipFirstEntry(_ bytes: [UInt8], limit: Int) throws(FeedError) -> [UInt8] {
        guard bytes.count >= 30 else { throw FeedError(.truncated, at: bytes.count, "zip: the local file header needs 30 bytes") }
        let header = bytes.withUnsafeBytes { raw in
            (flags: raw.le(6, as: UInt16.self), method: raw.le(8, as: UInt16.self), crc: raw.le(14, as: UInt32.self),
             compressed: Int(raw.le(18, as: UInt32.self)), size: Int(raw.le(22, as: UInt32.self)),
             nameLength: Int(raw.le(26, as: UInt16.self)), extraLength: Int(raw.le(28, as: UInt16.self)))
        }
        let start = 30 + header.nameLength + header.extraLength
        guard start <= bytes.count else { throw FeedError(.truncated, at: bytes.count, "zip: the file name and extra field run past the end") }
        if header.flags & 0x1 != 0 { throw FeedError(.unsupported, at: 6, "zip: the entry is encrypted") }
        let sizesFollow = header.flags & 0x8 != 0
        let output: [UInt8]
        switch header.method {
        case 0:
            if sizesFollow { throw FeedError(.unsupported, at: 6, "zip: a stored entry with a trailing data descriptor") }
            guard start + header.compressed <= bytes.count else {
                throw FeedError(.truncated, at: bytes.count, "zip: the stored entry needs \(header.compressed) bytes")
            }
            guard header.compressed <= limit else { throw FeedError(.decompression, at: 18, "zip: entry larger than \(limit) bytes") }
            output = Array(bytes[start..<(start + header.compressed)])
        case 8:
            output = try inflate(bytes, from: start, windowBits: -15, multiMember: false, limit: limit, expectedSize: sizesFollow ? nil : header.size)
        default:
            throw FeedError(.unsupported, at: 8, "zip: compression method \(header.method) (only stored and deflate are read)")
        }
        if !sizesFollow {
            guard output.count == header.size else {
                throw FeedError(.malformed, at: 22, "zip: the entry holds \(output.count) bytes, its header says \(header.size)")
            }
            let crc = output.withUnsafeBytes { UInt32(crc32(0, $0.baseAddress?.assumingMemoryBound(to: Bytef.self), UInt32($0.count))) }
            guard crc == header.crc else {
                throw FeedError(.malformed, at: 14, "zip: CRC-32 \(hex(crc)) does not match the header's \(hex(header.crc))")
            }
        }
        return output
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
