public import CTern
import CTernShims
import TernCore

// The C ABI's plumbing: status codes, the thread-local error message, the version, and handles.
//
// Every exported function validates its pointers first (NULL → TERN_E_NULL), then calls the Swift
// API and maps a thrown error to a status plus a message in the calling thread's buffer
// (`tern_last_error`). Nothing here traps on bad input.

// MARK: Status

/// Stores `message` as the calling thread's last error and returns `status`.
@inline(never)
func fail(_ status: tern_status_t, _ message: String) -> tern_status_t {
    var text = message
    text.withUTF8 { ctern_error_set(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), $0.count) }
    return status
}

/// TERN_E_NULL naming the argument.
@inline(never)
func null(_ argument: StaticString, _ function: StaticString = #function) -> tern_status_t {
    fail(TERN_E_NULL, "\(name(function)): \(argument) is NULL")
}

/// The C name of a Swift `#function` ("tern_price_parse(_:_:_:)" → "tern_price_parse").
func name(_ function: StaticString) -> Substring {
    let s = "\(function)"
    return s[..<(s.firstIndex(of: "(") ?? s.endIndex)]
}

/// A NUL-terminated C string as a Swift string; nil for NULL.
func string(_ text: UnsafePointer<CChar>?) -> String? { text.map { String(cString: $0) } }

/// A static C string (no allocation, lives forever).
func cString(_ s: StaticString) -> UnsafePointer<CChar> {
    // Safe: a StaticString literal is NUL-terminated UTF-8 in read-only data.
    UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self)
}

@c @implementation
public func tern_status_message(_ status: tern_status_t) -> UnsafePointer<CChar>! {
    switch status {
    case TERN_OK: cString("ok")
    case TERN_E_NULL: cString("a required pointer argument is NULL")
    case TERN_E_INVALID: cString("an argument is out of range or inconsistent")
    case TERN_E_PARSE: cString("the input was rejected")
    case TERN_E_IO: cString("a file could not be opened, read or written")
    case TERN_E_STATE: cString("not allowed in the object's current state")
    case TERN_E_FULL: cString("full; retry later")
    case TERN_E_EMPTY: cString("nothing to read")
    case TERN_E_TOO_SMALL: cString("the output buffer is too small")
    case TERN_E_NOT_FOUND: cString("not found")
    case TERN_E_OVERFLOW: cString("the result does not fit its type")
    case TERN_E_MEMORY: cString("memory could not be allocated or mapped")
    case TERN_E_REFUSED: cString("the operator action was refused")
    case TERN_E_ABI: cString("struct_size does not match this library's struct")
    default: cString("unknown status code")
    }
}

@c @implementation
public func tern_last_error() -> UnsafePointer<CChar>! { ctern_error_get() }

// MARK: Version

@c @implementation
public func tern_version() -> UnsafePointer<CChar>! { cString(versionText) }

/// Must equal TernVersion.string; TernABI's header check compares them.
let versionText: StaticString = "0.1.0"

@c @implementation
public func tern_abi_version() -> UInt32 { UInt32(TERN_ABI_VERSION) }

// MARK: Handles

/// What a handle points at. Each kind of handle is a subclass, so a handle of the wrong kind is
/// caught (`TERN_E_INVALID`) instead of being misread.
class Handle {
    enum Kind: UInt32 { case risk = 0x5249_534B, model = 0x4D4F_444C, spscRing = 0x5350_5343, byteRing = 0x4259_5445, journal = 0x4A52_4E4C, engine = 0x454E_474E, dead = 0xDEAD_DEAD }
    // `final` in the base class: read directly (no dynamic dispatch), at a fixed offset. Mutable
    // only so `release` can mark a freed handle dead.
    final var kind: Kind
    init(_ kind: Kind) { self.kind = kind }
}

/// Hands `handle` to C with a +1 reference (released by `release`).
func retained(_ handle: Handle) -> OpaquePointer { OpaquePointer(Unmanaged.passRetained(handle).toOpaque()) }

/// The object behind `pointer`, if it is a live handle of `kind`; no reference counting.
@inline(__always)
func object<T: Handle>(_ pointer: OpaquePointer, _ kind: Handle.Kind, as: T.Type) -> T? {
    // Safe: every handle Tern gives out is a Handle; the kind check rejects other kinds and
    // handles already freed by their own free function (marked dead before the release).
    let h = Unmanaged<Handle>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
    guard h.kind == kind else { return nil }
    return unsafeDowncast(h, to: T.self)
}

/// Runs `body` with the handle behind `pointer` if it is a live handle of `kind`, without reference
/// counting (the caller's handle keeps the object alive for the call); a status otherwise.
@inline(__always)
func withHandle<T: Handle>(
    _ pointer: OpaquePointer?, _ kind: Handle.Kind, _ type: T.Type, _ argument: StaticString, _ function: StaticString, _ body: (T) -> tern_status_t
) -> tern_status_t {
    guard let pointer else { return null(argument, function) }
    // Safe: as in `object`; _withUnsafeGuaranteedRef tells the optimizer the reference is kept
    // alive elsewhere (by C's +1 from `retained`), so the call costs no retain/release pair.
    return Unmanaged<Handle>.fromOpaque(UnsafeRawPointer(pointer))._withUnsafeGuaranteedRef { h in
        guard h.kind == kind else { return badHandle(argument, function) }
        return body(unsafeDowncast(h, to: T.self))
    }
}

/// Marks the handle dead and drops C's reference.
func release(_ pointer: OpaquePointer, _ kind: Handle.Kind) {
    let unmanaged = Unmanaged<Handle>.fromOpaque(UnsafeRawPointer(pointer))
    let h = unmanaged.takeUnretainedValue()
    guard h.kind == kind else { return }
    h.kind = .dead
    unmanaged.release()
}

/// TERN_E_INVALID for a handle of the wrong kind (or one already freed).
@inline(never)
func badHandle(_ argument: StaticString, _ function: StaticString = #function) -> tern_status_t {
    fail(TERN_E_INVALID, "\(name(function)): \(argument) is not a live handle of this kind")
}

/// Why a caller's `struct_size` does not describe this library's `T` (nil: it does).
func sizeMismatch<T>(_ structSize: UInt32, _ type: T.Type) -> String? {
    structSize == MemoryLayout<T>.size ? nil : "struct_size is \(structSize); this library's \(T.self) has \(MemoryLayout<T>.size) bytes"
}

/// Writes `value` through `out` and returns TERN_OK.
@inline(__always)
func ok<T>(_ out: UnsafeMutablePointer<T>, _ value: T) -> tern_status_t {
    out.pointee = value
    return TERN_OK
}
