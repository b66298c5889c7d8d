// The demo's built-in risk configuration lives with the synthetic market (TernEngine).
import TernEngine

enum BuiltIn {
    static let limits = SyntheticMarket.limits
    static let instruments = SyntheticMarket.instruments
}
