/// An error reported by ZooKeeper or by the C client, typed by its return code.
///
/// Every code of the C client's `ZOO_ERRORS` has a case; codes this project never saw arrive as
/// `.other(rawValue)`. `path` names the znode of the failing operation when there was one;
/// `opResults` holds the per-operation outcome of a failed `multi`.
public struct ZooKeeperError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Code
    public var path: String?
    public var opResults: [ZooKeeperOpResult]

    public init(_ code: Code, path: String? = nil, opResults: [ZooKeeperOpResult] = []) {
        self.code = code
        self.path = path
        self.opResults = opResults
    }

    public var description: String {
        var text = "ZooKeeperError.\(code)"
        if let path { text += " for \(path)" }
        return text
    }

    /// Return codes of the ZooKeeper C client (`ZOO_ERRORS` in zookeeper.h), by value.
    public enum Code: Sendable, Equatable, Hashable, CustomStringConvertible {
        // System and server-side errors.
        case systemError
        case runtimeInconsistency
        case dataInconsistency
        case connectionLoss
        case marshallingError
        case unimplemented
        case operationTimeout
        case badArguments
        case invalidState
        case newConfigNoQuorum
        case reconfigInProgress
        case sslConnectionError
        // API errors.
        case apiError
        case noNode
        case noAuth
        case badVersion
        case noChildrenForEphemerals
        case nodeExists
        case notEmpty
        case sessionExpired
        case invalidCallback
        case invalidACL
        case authFailed
        case closing
        case nothing
        case sessionMoved
        case notReadOnly
        case ephemeralOnLocalSession
        case noWatcher
        case reconfigDisabled
        case sessionClosedRequireSASLAuth
        case throttledOp
        case other(Int32)

        public init(rawValue: Int32) {
            switch rawValue {
            case -1: self = .systemError
            case -2: self = .runtimeInconsistency
            case -3: self = .dataInconsistency
            case -4: self = .connectionLoss
            case -5: self = .marshallingError
            case -6: self = .unimplemented
            case -7: self = .operationTimeout
            case -8: self = .badArguments
            case -9: self = .invalidState
            case -13: self = .newConfigNoQuorum
            case -14: self = .reconfigInProgress
            case -15: self = .sslConnectionError
            case -100: self = .apiError
            case -101: self = .noNode
            case -102: self = .noAuth
            case -103: self = .badVersion
            case -108: self = .noChildrenForEphemerals
            case -110: self = .nodeExists
            case -111: self = .notEmpty
            case -112: self = .sessionExpired
            case -113: self = .invalidCallback
            case -114: self = .invalidACL
            case -115: self = .authFailed
            case -116: self = .closing
            case -117: self = .nothing
            case -118: self = .sessionMoved
            case -119: self = .notReadOnly
            case -120: self = .ephemeralOnLocalSession
            case -121: self = .noWatcher
            case -123: self = .reconfigDisabled
            case -124: self = .sessionClosedRequireSASLAuth
            case -127: self = .throttledOp
            default: self = .other(rawValue)
            }
        }

        public var rawValue: Int32 {
            switch self {
            case .systemError: -1
            case .runtimeInconsistency: -2
            case .dataInconsistency: -3
            case .connectionLoss: -4
            case .marshallingError: -5
            case .unimplemented: -6
            case .operationTimeout: -7
            case .badArguments: -8
            case .invalidState: -9
            case .newConfigNoQuorum: -13
            case .reconfigInProgress: -14
            case .sslConnectionError: -15
            case .apiError: -100
            case .noNode: -101
            case .noAuth: -102
            case .badVersion: -103
            case .noChildrenForEphemerals: -108
            case .nodeExists: -110
            case .notEmpty: -111
            case .sessionExpired: -112
            case .invalidCallback: -113
            case .invalidACL: -114
            case .authFailed: -115
            case .closing: -116
            case .nothing: -117
            case .sessionMoved: -118
            case .notReadOnly: -119
            case .ephemeralOnLocalSession: -120
            case .noWatcher: -121
            case .reconfigDisabled: -123
            case .sessionClosedRequireSASLAuth: -124
            case .throttledOp: -127
            case .other(let raw): raw
            }
        }

        public var description: String {
            switch self {
            case .other(let raw): "other(\(raw))"
            default: Self.names[rawValue] ?? "\(rawValue)"
            }
        }

        private static let names: [Int32: String] = [
            -1: "systemError", -2: "runtimeInconsistency", -3: "dataInconsistency", -4: "connectionLoss",
            -5: "marshallingError", -6: "unimplemented", -7: "operationTimeout", -8: "badArguments",
            -9: "invalidState", -13: "newConfigNoQuorum", -14: "reconfigInProgress", -15: "sslConnectionError",
            -100: "apiError", -101: "noNode", -102: "noAuth", -103: "badVersion",
            -108: "noChildrenForEphemerals", -110: "nodeExists", -111: "notEmpty", -112: "sessionExpired",
            -113: "invalidCallback", -114: "invalidACL", -115: "authFailed", -116: "closing",
            -117: "nothing", -118: "sessionMoved", -119: "notReadOnly", -120: "ephemeralOnLocalSession",
            -121: "noWatcher", -123: "reconfigDisabled", -124: "sessionClosedRequireSASLAuth", -127: "throttledOp",
        ]

        /// True for the errors after which the same request may succeed on a retry once the
        /// session is connected again (the request may or may not have been applied).
        public var isRetriable: Bool {
            self == .connectionLoss || self == .operationTimeout
        }
    }
}
