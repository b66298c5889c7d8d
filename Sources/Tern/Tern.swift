@_exported public import TernCore
@_exported public import TernSystem
