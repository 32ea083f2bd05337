/// One operation of a ZooKeeper `multi` transaction: all of them apply, or none does.
public enum ZooKeeperOp: Sendable, Equatable {
    case create(path: String, data: [UInt8], acl: [ZooKeeperACL] = .openUnsafe, mode: CreateMode = .persistent)
    case delete(path: String, version: ZkVersion = .any)
    case setData(path: String, data: [UInt8], version: ZkVersion = .any)
    /// Succeeds only when the node's data version equals `version`; changes nothing.
    case check(path: String, version: ZkVersion)

    public var path: String {
        switch self {
        case .create(let path, _, _, _), .delete(let path, _), .setData(let path, _, _), .check(let path, _):
            path
        }
    }
}

/// The outcome of one operation of a `multi`.
public enum ZooKeeperOpResult: Sendable, Equatable {
    /// The created node's actual path (with the sequence suffix, when sequential).
    case created(path: String)
    case deleted
    case setData(ZooKeeperStat)
    case checked
    /// This operation failed (or was rolled back because another one failed).
    case error(ZooKeeperError.Code)
}
