#if canImport(Glibc)
    import Glibc
#endif

/// A failed operating-system call: what Tern tried, the `errno` it got, and what that means here.
public struct SystemError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was attempted (`"pin thread to CPU 7"`).
    public var operation: String
    /// The `errno` value, or 0 when the failure is not an OS error (such as a missing NUMA node).
    public var errno: Int32
    /// An explanation for this machine (`"this process may run on CPUs 0-1"`), or empty.
    public var detail: String

    public init(operation: String, errno: Int32, detail: String = "") {
        self.operation = operation
        self.errno = errno
        self.detail = detail
    }

    /// `strerror`'s text for `code`, with the number: "No space left on device (errno 28)".
    public static func text(errno code: Int32) -> String { "\(String(cString: strerror(code))) (errno \(code))" }

    public var description: String {
        var text = "cannot \(operation)"
        if errno != 0 { text += ": \(Self.text(errno: errno))" }
        if !detail.isEmpty { text += ": \(detail)" }
        return text
    }
}
