import TernCore
