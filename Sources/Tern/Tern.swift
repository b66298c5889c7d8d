@_exported public import TernCore
@_exported public import TernSystem
@_exported public import TernQueues
@_exported public import TernInference
@_exported public import TernRisk
@_exported public import TernJournal
@_exported public import TernMarketData
@_exported public import TernEngine
