import Histogram

/// An SVG picture of a latency distribution: latency (log scale) against percentile, the way
/// HdrHistogram plots are read (the tail on the right), with the goal lines drawn in.
enum LatencyPlot {
    static func svg(_ h: Histogram<UInt64>, title: String, goals: [(String, Double, UInt64)] = []) -> String {
        let width = 760.0
        let height = 420.0
        let left = 70.0
        let right = 20.0
        let top = 40.0
        let bottom = 60.0
        let plotW = width - left - right
        let plotH = height - top - bottom
        // x: percentile on a "nines" scale: 0 → 0, 90 → 1, 99 → 2, 99.9 → 3, 99.99 → 4.
        let maxNines = 4.0
        func x(_ p: Double) -> Double { left + min(-log10(max(1 - p / 100, 1e-4)), maxNines) / maxNines * plotW }
        let lo = max(Double(h.min), 10)
        let hi = max(Double(h.max), lo * 10)
        let yMin = pow(10, floor(log10(lo)))
        let yMax = pow(10, ceil(log10(hi)))
        func y(_ ns: Double) -> Double { top + plotH - (log10(max(ns, yMin)) - log10(yMin)) / (log10(yMax) - log10(yMin)) * plotH }
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="22" font-size="15" font-weight="bold">\(escape(title))</text>

            """
        var decade = yMin
        while decade <= yMax * 1.0001 {
            let yy = y(decade)
            s += "<line x1=\"\(left)\" y1=\"\(yy)\" x2=\"\(left + plotW)\" y2=\"\(yy)\" stroke=\"#ddd\"/>\n"
            s += "<text x=\"\(left - 8)\" y=\"\(yy + 4)\" text-anchor=\"end\">\(label(decade))</text>\n"
            decade *= 10
        }
        for (p, name) in [(0.0, "0%"), (90.0, "90%"), (99.0, "99%"), (99.9, "99.9%"), (99.99, "99.99%")] {
            let xx = x(p)
            s += "<line x1=\"\(xx)\" y1=\"\(top)\" x2=\"\(xx)\" y2=\"\(top + plotH)\" stroke=\"#ddd\"/>\n"
            s += "<text x=\"\(xx)\" y=\"\(top + plotH + 18)\" text-anchor=\"middle\">\(name)</text>\n"
        }
        s += "<text x=\"\(left + plotW / 2)\" y=\"\(height - 12)\" text-anchor=\"middle\">percentile</text>\n"
        s += "<text x=\"16\" y=\"\(top + plotH / 2)\" transform=\"rotate(-90 16 \(top + plotH / 2))\" text-anchor=\"middle\">latency</text>\n"
        for (name, _, ns) in goals {
            let yy = y(Double(ns))
            s += "<line x1=\"\(left)\" y1=\"\(yy)\" x2=\"\(left + plotW)\" y2=\"\(yy)\" stroke=\"#c33\" stroke-dasharray=\"6 4\"/>\n"
            s += "<text x=\"\(left + plotW - 4)\" y=\"\(yy - 5)\" text-anchor=\"end\" fill=\"#c33\">\(escape(name))</text>\n"
        }
        if h.totalCount > 0 {
            // One pass over the counts (the histogram's percentile iterator), not a scan per point.
            var points: [String] = []
            for step in h.percentiles(ticksPerHalfDistance: 8) {
                let p = min(step.percentileLevelIteratedTo, 99.99)
                points.append("\(x(p)),\(y(Double(step.value)))")
                if p >= 99.99 { break }
            }
            s += "<polyline fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>\n"
            var lx = left + 10
            for (name, pct) in [("p50", 50.0), ("p99", 99.0), ("p99.9", 99.9), ("max", 100.0)] {
                let v = pct == 100 ? h.max : h.valueAtPercentile(pct)
                s += "<text x=\"\(lx)\" y=\"\(top + 16)\" fill=\"#1f5fa8\">\(name) \(label(Double(v)))</text>\n"
                lx += 120
            }
        }
        return s + "</svg>\n"
    }

    static func label(_ ns: Double) -> String {
        if ns >= 1e9 { return trim(ns / 1e9) + " s" }
        if ns >= 1e6 { return trim(ns / 1e6) + " ms" }
        if ns >= 1e3 { return trim(ns / 1e3) + " µs" }
        return trim(ns) + " ns"
    }

    static func trim(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    }
}

#if canImport(Glibc)
    import Glibc
#endif
import Foundation
