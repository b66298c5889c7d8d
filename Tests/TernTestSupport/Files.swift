import Foundation

/// A file's bytes; a `.gz` file is decompressed with the system's gzip (the fixtures in ../shared
/// are read in place, never copied).
public func readFixture(_ url: URL) throws -> [UInt8] {
    guard url.pathExtension == "gz" else { return [UInt8](try Data(contentsOf: url)) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["gzip", "-dc", url.path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return [UInt8](data)
}
