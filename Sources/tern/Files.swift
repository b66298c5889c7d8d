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

/// `s` as a JSON string literal.
func quote(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where c.value < 0x20: out += "\\u" + String(repeating: "0", count: 4 - String(c.value, radix: 16).count) + String(c.value, radix: 16)
        default: out.unicodeScalars.append(c)
        }
    }
    return out + "\""
}

/// Writes a line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
