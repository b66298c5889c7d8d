import Testing
import TernCore
@testable import TernMarketData
