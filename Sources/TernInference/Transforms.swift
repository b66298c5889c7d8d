#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Output transforms (margin → prediction), in each library's precision: XGBoost works in float32,
/// LightGBM and CatBoost in float64. Results match the libraries within 1–2 ulp; the difference is
/// the platform's `exp`.
extension OutputTransform {
    /// Applies the transform to `margins` in place, as `library` computes it.
    @inline(__always)
    func apply(_ margins: UnsafeMutableBufferPointer<Double>, library: TreeLibrary) {
        switch self {
        case .identity:
            return
        case .sigmoid(let scale):
            for k in margins.indices {
                if library == .xgboost {
                    // XGBoost common::Sigmoid: 1 / (expf(min(-x, 88.7)) + 1) in float32.
                    let x = Float(margins[k])
                    margins[k] = Double(1 / (expf(min(-x, 88.7)) + 1))
                } else {
                    margins[k] = 1 / (1 + exp(-scale * margins[k]))
                }
            }
        case .softmax:
            guard margins.count > 0 else { return }
            if library == .xgboost {
                var largest = Float(margins[0])
                for k in margins.indices { largest = max(largest, Float(margins[k])) }
                // XGBoost common::Softmax: float32 exponentials, a double sum, a float32 divide.
                var sum = 0.0
                for k in margins.indices {
                    let e = expf(Float(margins[k]) - largest)
                    margins[k] = Double(e)
                    sum += Double(e)
                }
                for k in margins.indices { margins[k] = Double(Float(margins[k]) / Float(sum)) }
            } else {
                var largest = margins[0]
                for k in margins.indices { largest = max(largest, margins[k]) }
                var sum = 0.0
                for k in margins.indices {
                    margins[k] = exp(margins[k] - largest)
                    sum += margins[k]
                }
                for k in margins.indices { margins[k] /= sum }
            }
        case .argmax:
            var best = 0
            for k in margins.indices where margins[k] > margins[best] { best = k }
            for k in margins.indices { margins[k] = k == 0 ? Double(best) : 0 }
        case .exponential:
            for k in margins.indices {
                margins[k] = library == .xgboost ? Double(expf(Float(margins[k]))) : exp(margins[k])
            }
        case .signedSquare:
            for k in margins.indices { margins[k] = (margins[k] < 0 ? -1 : 1) * margins[k] * margins[k] }
        case .softplus:
            for k in margins.indices { margins[k] = log1p(exp(margins[k])) }
        case .step:
            for k in margins.indices { margins[k] = margins[k] > 0 ? 1 : 0 }
        }
    }

    /// Number of prediction values per row: 1 for `argmax`, else one per margin.
    func predictionCount(outputs: Int) -> Int {
        if case .argmax = self { return 1 }
        return outputs
    }
}

/// `-logf(1/b - 1)` in float32, XGBoost's ProbToMargin for logistic objectives.
func xgboostLogit(_ b: Float) -> Float { -logf(1 / b - 1) }
/// `logf(b)`, XGBoost's ProbToMargin for log-link objectives (Poisson, gamma, Tweedie).
func xgboostLog(_ b: Float) -> Float { logf(b) }
