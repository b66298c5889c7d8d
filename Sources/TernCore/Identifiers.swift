/// A dense integer identity: a typed wrapper over a fixed-width unsigned integer, in the manner
/// of swift-system's `FileDescriptor`.
///
/// Identities are resolved once (a venue's text symbol or order ID becomes a number at the edge),
/// so the hot path indexes arrays and compares integers, never hashes strings. The wrappers keep an
/// `InstrumentID` from being passed where an `AccountID` is expected.
public protocol TernIdentifier: RawRepresentable, Hashable, Comparable, Sendable, BitwiseCopyable,
    CustomStringConvertible
where RawValue: FixedWidthInteger & UnsignedInteger & Sendable {
    init(rawValue: RawValue)
}

extension TernIdentifier {
    @inlinable
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "\(Self.self)(\(rawValue))" }
}

/// An instrument, as an index into the instrument table (dense, from 0).
@frozen
public struct InstrumentID: TernIdentifier {
    public var rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
}

/// A trading account (dense, from 0).
@frozen
public struct AccountID: TernIdentifier {
    public var rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
}

/// A strategy instance (dense, from 0).
@frozen
public struct StrategyID: TernIdentifier {
    public var rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
}

/// The identity Tern gives each order request it sends (new, cancel, replace): FIX `ClOrdID(11)`.
/// Unique per session; a cancel or replace carries its own and names the original's.
@frozen
public struct ClientOrderID: TernIdentifier {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
}

/// The identity a venue gives a working order: FIX `OrderID(37)`. Adapters for venues whose order
/// IDs are text map them to numbers at the edge.
@frozen
public struct OrderID: TernIdentifier {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
}

/// The identity a venue gives an execution (fill): FIX `ExecID(17)`.
@frozen
public struct ExecutionID: TernIdentifier {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
}
