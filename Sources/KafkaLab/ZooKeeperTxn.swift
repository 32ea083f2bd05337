/// One transaction of ZooKeeper's transaction log: what the ensemble committed, in zxid order,
/// with the leader's clock time in milliseconds. The header (`TxnHeader`: client session id,
/// client xid, zxid, time, type) is followed by a record whose layout depends on the type.
///
/// A transaction changes znodes through one `ZooKeeperTxn.Operation`, or several for a `multi`
/// (Kafka's controller writes every change in a multi with a version check of
/// `/controller_epoch`: the check is an operation too, so a timeline shows the fencing).
public struct ZooKeeperTxn: Sendable, Equatable {
    /// The session that issued it (`0x…` in ZooKeeper's own logs).
    public var sessionId: Int64
    /// The client's request id; 0 for a close the server issued itself (a session expiry).
    public var cxid: Int32
    public var zxid: Int64
    /// Milliseconds since the epoch, on the leader's clock when it proposed the transaction.
    public var time: Int64
    public var operations: [Operation]

    public init(sessionId: Int64, cxid: Int32, zxid: Int64, time: Int64, operations: [Operation]) {
        self.sessionId = sessionId
        self.cxid = cxid
        self.zxid = zxid
        self.time = time
        self.operations = operations
    }

    public enum Operation: Sendable, Equatable {
        /// A znode created (`create`, `create2`, container and TTL nodes). Version 0.
        case create(path: String, data: [UInt8], ephemeral: Bool)
        /// `setData`: `version` is the znode's data version after the write.
        case setData(path: String, data: [UInt8], version: Int32)
        case delete(path: String)
        /// A version check inside a multi: the multi applies only if `path` is at `version - 1`
        /// (ZooKeeper records a check with the version incremented, like a write's).
        case check(path: String, version: Int32)
        case setAcl(path: String, version: Int32)
        /// A session opened with the negotiated timeout.
        case createSession(timeoutMs: Int32)
        /// A session closed by its client, or expired (`cxid` 0). ZooKeeper 3.6+ lists the
        /// ephemeral znodes the close deletes; older servers do not (empty then).
        case closeSession(ephemerals: [String])
        /// A request that failed (inside a multi: the op that failed, and `-2` "runtime
        /// inconsistency" for the ops rolled back with it). ZooKeeper's error code.
        case error(code: Int32)
        /// A type this reader does not decode (reconfig, watches), kept by its op code.
        case other(type: Int32)
    }

    /// ZooKeeper's op codes (`ZooDefs.OpCode`) for the transactions this reader decodes.
    enum OpCode {
        static let create: Int32 = 1
        static let delete: Int32 = 2
        static let setData: Int32 = 5
        static let setAcl: Int32 = 7
        static let check: Int32 = 13
        static let multi: Int32 = 14
        static let create2: Int32 = 15
        static let createContainer: Int32 = 19
        static let deleteContainer: Int32 = 20
        static let createTtl: Int32 = 21
        static let createSession: Int32 = -10
        static let closeSession: Int32 = -11
        static let error: Int32 = -1
    }

    /// Reads the record of a transaction of `type` (not a multi's: those are nested records).
    static func operation(type: Int32, _ reader: inout JuteReader) throws -> Operation {
        switch type {
        case OpCode.create, OpCode.create2:
            let path = try reader.readString() ?? ""
            let data = try reader.readBuffer() ?? []
            _ = try reader.readVector { try $0.skipAcl() }
            let ephemeral = try reader.readBool()
            _ = try reader.readInt() // the parent's cversion
            return .create(path: path, data: data, ephemeral: ephemeral)
        case OpCode.createContainer, OpCode.createTtl:
            let path = try reader.readString() ?? ""
            let data = try reader.readBuffer() ?? []
            return .create(path: path, data: data, ephemeral: false)
        case OpCode.delete, OpCode.deleteContainer:
            return .delete(path: try reader.readString() ?? "")
        case OpCode.setData:
            let path = try reader.readString() ?? ""
            let data = try reader.readBuffer() ?? []
            return .setData(path: path, data: data, version: try reader.readInt())
        case OpCode.check:
            let path = try reader.readString() ?? ""
            return .check(path: path, version: try reader.readInt())
        case OpCode.setAcl:
            let path = try reader.readString() ?? ""
            _ = try reader.readVector { try $0.skipAcl() }
            return .setAcl(path: path, version: try reader.readInt())
        case OpCode.createSession:
            return .createSession(timeoutMs: try reader.readInt())
        case OpCode.closeSession:
            return .closeSession(ephemerals: Self.closedEphemerals(&reader))
        case OpCode.error:
            return .error(code: try reader.readInt())
        default:
            return .other(type: type)
        }
    }

    /// A close's `paths2Delete` (ZooKeeper 3.6+ with `closeSessionTxn.enabled`): present when the
    /// bytes left are more than the digest (an int and a long) that may follow every record.
    private static func closedEphemerals(_ reader: inout JuteReader) -> [String] {
        guard reader.remaining > 12 else { return [] }
        var attempt = reader
        guard let paths = try? attempt.readVector({ try $0.readString() ?? "" }),
              attempt.remaining == 0 || attempt.remaining == 12 else { return [] }
        reader = attempt
        return paths
    }
}
