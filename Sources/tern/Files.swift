import ArgumentParser
import Foundation

/// File access for the subcommands: the bytes of `path`, or a `ValidationError` naming it.
func readFile(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
    return [UInt8](data)
}

/// Writes `text` to `path`, or throws a `ValidationError` naming it.
func writeFile(_ path: String, _ text: String) throws {
    guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
        throw ValidationError("cannot write \(path)")
    }
}
