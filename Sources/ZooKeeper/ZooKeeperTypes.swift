/// The metadata ZooKeeper keeps for every znode (`struct Stat` of the protocol).
public struct ZooKeeperStat: Sendable, Equatable, Hashable {
    /// Transaction id of the creation.
    public var czxid: Int64
    /// Transaction id of the last data change.
    public var mzxid: Int64
    /// Creation time, milliseconds since the epoch.
    public var ctime: Int64
    /// Last modification time, milliseconds since the epoch.
    public var mtime: Int64
    /// Data version: incremented by every setData; the `expected version` of conditional writes.
    public var version: Int32
    /// Children version.
    public var cversion: Int32
    /// ACL version.
    public var aversion: Int32
    /// Session id of the owner when the node is ephemeral, otherwise 0.
    public var ephemeralOwner: Int64
    public var dataLength: Int32
    public var numChildren: Int32
    /// Transaction id of the last change to the children.
    public var pzxid: Int64

    public init(
        czxid: Int64 = 0, mzxid: Int64 = 0, ctime: Int64 = 0, mtime: Int64 = 0, version: Int32 = 0,
        cversion: Int32 = 0, aversion: Int32 = 0, ephemeralOwner: Int64 = 0, dataLength: Int32 = 0,
        numChildren: Int32 = 0, pzxid: Int64 = 0
    ) {
        self.czxid = czxid
        self.mzxid = mzxid
        self.ctime = ctime
        self.mtime = mtime
        self.version = version
        self.cversion = cversion
        self.aversion = aversion
        self.ephemeralOwner = ephemeralOwner
        self.dataLength = dataLength
        self.numChildren = numChildren
        self.pzxid = pzxid
    }

    public var isEphemeral: Bool { ephemeralOwner != 0 }
}

/// A znode data version as used by conditional writes; `.any` (-1) matches every version.
public struct ZkVersion: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    public var rawValue: Int32
    public init(_ rawValue: Int32) { self.rawValue = rawValue }
    public init(integerLiteral value: Int32) { self.rawValue = value }
    /// Matches any version: the write is unconditional.
    public static let any = ZkVersion(-1)
    public static func < (lhs: ZkVersion, rhs: ZkVersion) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// How a znode is created: persistent or ephemeral (deleted with its session), optionally with a
/// monotonically increasing 10-digit sequence number appended to its name by the server.
public enum CreateMode: Sendable, Equatable {
    case persistent
    case ephemeral
    case persistentSequential
    case ephemeralSequential

    /// The flags word of `zoo_acreate` (`ZOO_EPHEMERAL` = 1, `ZOO_SEQUENCE` = 2).
    var flags: Int32 {
        switch self {
        case .persistent: 0
        case .ephemeral: 1
        case .persistentSequential: 2
        case .ephemeralSequential: 3
        }
    }

    public var isEphemeral: Bool { self == .ephemeral || self == .ephemeralSequential }
}

/// One access-control entry: a permission mask for an identity (`scheme:id`).
public struct ZooKeeperACL: Sendable, Hashable {
    public struct Permissions: OptionSet, Sendable, Hashable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let read = Permissions(rawValue: 1 << 0)
        public static let write = Permissions(rawValue: 1 << 1)
        public static let create = Permissions(rawValue: 1 << 2)
        public static let delete = Permissions(rawValue: 1 << 3)
        public static let admin = Permissions(rawValue: 1 << 4)
        public static let all: Permissions = [.read, .write, .create, .delete, .admin]
    }

    public var permissions: Permissions
    public var scheme: String
    public var id: String

    public init(permissions: Permissions, scheme: String, id: String) {
        self.permissions = permissions
        self.scheme = scheme
        self.id = id
    }
}

extension Array where Element == ZooKeeperACL {
    /// `world:anyone` with every permission: what Kafka uses unless `zookeeper.set.acl` is true.
    public static let openUnsafe: [ZooKeeperACL] = [ZooKeeperACL(permissions: .all, scheme: "world", id: "anyone")]
    /// `world:anyone` may read.
    public static let readUnsafe: [ZooKeeperACL] = [ZooKeeperACL(permissions: .read, scheme: "world", id: "anyone")]
    /// Every permission for the identities the session authenticated as.
    public static let creatorAll: [ZooKeeperACL] = [ZooKeeperACL(permissions: .all, scheme: "auth", id: "")]
}

/// The connection state of a ZooKeeper session, as the C client reports it.
public enum SessionState: Sendable, Equatable, CustomStringConvertible {
    /// Looking for a server (initially and after a disconnect; the session may still be alive).
    case connecting
    /// TCP connected, session handshake in progress.
    case associating
    case connected
    case connectedReadOnly
    /// The ensemble expired the session: its ephemeral nodes and watches are gone.
    case expired
    case authFailed
    /// Closed by this process.
    case closed

    init(cState: Int32) {
        switch cState {
        case 1: self = .connecting
        case 2: self = .associating
        case 3: self = .connected
        case 5: self = .connectedReadOnly
        case -112: self = .expired
        case -113: self = .authFailed
        default: self = .connecting
        }
    }

    public var isConnected: Bool { self == .connected || self == .connectedReadOnly }

    public var description: String {
        switch self {
        case .connecting: "CONNECTING"
        case .associating: "ASSOCIATING"
        case .connected: "CONNECTED"
        case .connectedReadOnly: "CONNECTEDREADONLY"
        case .expired: "EXPIRED"
        case .authFailed: "AUTH_FAILED"
        case .closed: "CLOSED"
        }
    }
}

/// A one-shot watch firing on a znode: the server sends it once, after which the caller re-arms
/// the watch by reading again with `watch: true`.
public struct WatchedEvent: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// An `exists` watch on a missing node saw it created.
        case nodeCreated
        case nodeDeleted
        case nodeDataChanged
        case nodeChildrenChanged
        /// The server dropped the watch (removed watches).
        case notWatching

        init?(cType: Int32) {
            switch cType {
            case 1: self = .nodeCreated
            case 2: self = .nodeDeleted
            case 3: self = .nodeDataChanged
            case 4: self = .nodeChildrenChanged
            case -2: self = .notWatching
            default: return nil
            }
        }
    }

    public var kind: Kind
    /// Path relative to the client's chroot.
    public var path: String

    public init(kind: Kind, path: String) {
        self.kind = kind
        self.path = path
    }

    public var description: String { "\(kind) \(path)" }
}

/// What a `ZooKeeperClient` reports to its subscribers, in the order the C client delivered it.
public enum ZooKeeperEvent: Sendable, Equatable {
    /// The session changed state. After `.expired` the client creates a new session by itself;
    /// its `.connected` carries the new session id.
    case session(SessionState, sessionId: Int64)
    case watch(WatchedEvent)
}

/// What identifies a ZooKeeper session to the ensemble: its id and 16-byte password.
public struct SessionCredentials: Sendable, Equatable {
    public var sessionId: Int64
    public var password: [UInt8]

    public init(sessionId: Int64, password: [UInt8]) {
        self.sessionId = sessionId
        self.password = password
    }
}
