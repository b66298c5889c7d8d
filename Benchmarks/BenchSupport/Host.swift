import Foundation

/// The CPU model from /proc/cpuinfo ("unknown CPU" if there is none): what the reports name.
public func cpuModelName() -> String {
    (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
        .split(separator: "\n").first { $0.hasPrefix("model name") }?
        .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
}

/// The 1, 5 and 15 minute load averages, as /proc/loadavg gives them.
public func loadAverage() -> String {
    ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "").split(separator: " ").prefix(3).joined(separator: " ")
}

/// The median (the upper one of an even count).
public func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
