/// Tern's version. The C ABI, `tern --version` and the journal header report it.
public enum TernVersion {
    public static let major = 0
    public static let minor = 1
    public static let patch = 0
    /// `major.minor.patch`.
    public static var string: String { "\(major).\(minor).\(patch)" }
}
