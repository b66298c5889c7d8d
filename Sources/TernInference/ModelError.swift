/// Why a model file, a compile step or an input row was refused.
///
/// Every loader reports the place it stopped: the byte offset for syntax errors, and the tree and node
/// for structural ones (`xgboost-json: tree 12, node 5: left child 900 is out of range (tree has 127
/// nodes)`). Loading never traps on bad input; it throws one of these.
public struct ModelError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What class of problem this is, for callers that branch on it.
    public enum Kind: String, Sendable, Equatable {
        /// The bytes are not well-formed JSON, UBJSON or LightGBM text.
        case syntax
        /// Well-formed, but a required field is missing or has the wrong type or length.
        case schema
        /// A valid model that uses a feature Tern does not implement (named in the message).
        case unsupported
        /// A structurally invalid tree: a cycle, a child out of range, a NaN threshold, and so on.
        case invalidTree
        /// Over a documented size limit (depth, node count, feature count, nesting).
        case limit
        /// A call that does not match the model (a row of the wrong width, a too-small buffer).
        case usage
    }

    public var kind: Kind
    /// The format being read, such as `xgboost-json`, when the error came from a loader.
    public var format: String?
    /// Index of the tree in the file's own order, when the error is about one tree.
    public var tree: Int?
    /// Index of the node in the file's own numbering for that tree.
    public var node: Int?
    /// Byte offset into the file, for syntax errors.
    public var offset: Int?
    public var message: String

    public init(
        _ kind: Kind, _ message: String, format: String? = nil, tree: Int? = nil, node: Int? = nil,
        offset: Int? = nil
    ) {
        self.kind = kind
        self.message = message
        self.format = format
        self.tree = tree
        self.node = node
        self.offset = offset
    }

    public var description: String {
        var text = ""
        if let format { text += format + ": " }
        if let offset { text += "byte \(offset): " }
        if let tree {
            text += "tree \(tree)"
            if let node { text += ", node \(node)" }
            text += ": "
        }
        return text + message
    }
}
