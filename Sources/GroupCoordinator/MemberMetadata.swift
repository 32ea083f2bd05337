import NIOCore

/// One protocol a member offers in JoinGroup: its name (for a consumer, an assignor such as
/// `range` or `roundrobin`) and the member's metadata for it (for a consumer, its subscription).
/// The coordinator never reads the metadata: it hands it to the leader untouched, which is why
/// any assignor, the cooperative one included, works without the coordinator knowing it.
public struct GroupProtocol: Sendable, Equatable {
    public var name: String
    public var metadata: ByteBuffer

    public init(name: String, metadata: ByteBuffer) {
        self.name = name
        self.metadata = metadata
    }
}

/// Identifies a request parked by the coordinator (a JoinGroup waiting for the rebalance, a
/// SyncGroup waiting for the leader's assignment) so that the owner of the group can answer it
/// later. The owner picks the values; the group only stores and returns them.
public struct GroupRequestToken: Sendable, Hashable, CustomStringConvertible {
    public let value: UInt64
    public init(_ value: UInt64) { self.value = value }
    public var description: String { "#\(value)" }
}

/// A member of a group as its coordinator sees it (Kafka's `MemberMetadata`), a value.
///
/// Kafka keeps the callbacks of the member's parked JoinGroup and SyncGroup in the member; here
/// they are the tokens ``awaitingJoin`` and ``awaitingSync``, and answering one is an action
/// returned to the owner. Times are milliseconds from the injected clock.
///
/// Invariants: ``supportedProtocols`` is non-empty and in the member's order of preference;
/// a static member (``groupInstanceId`` set) is the only member of its group with that instance id.
public struct MemberMetadata: Sendable, Equatable {
    /// How long a member that joined without a member id may wait in a rebalance before it is
    /// dropped (Kafka's `NewMemberJoinTimeoutMs`, five minutes): such a member cannot heartbeat,
    /// and if it gave up and retried it would otherwise linger as a defunct member.
    public static let newMemberJoinTimeoutMs: Int64 = 5 * 60 * 1000

    /// Assigned by the coordinator: `<client id or group instance id>-<UUID>`. Changes only when a
    /// static member restarts and takes its place back (``GroupMetadata/replaceGroupInstance``).
    public internal(set) var memberId: String
    /// `group.instance.id` of a static member (KIP-345, JoinGroup v5), nil for a dynamic member.
    public let groupInstanceId: String?
    public let clientId: String
    public let clientHost: String
    /// How long the group waits for this member to rejoin once a rebalance starts (JoinGroup v1+;
    /// for v0 the session timeout).
    public let rebalanceTimeoutMs: Int32
    /// How long the member may go without a heartbeat before the coordinator drops it.
    public let sessionTimeoutMs: Int32
    /// `consumer` for consumers, `connect` for Connect workers; all members of a group share it.
    public let protocolType: String
    /// The protocols the member offers, most preferred first.
    public internal(set) var supportedProtocols: [GroupProtocol]
    /// The member's share of the leader's assignment for the current generation (empty before the
    /// leader's SyncGroup, and reset when a rebalance interrupts the CompletingRebalance state).
    public internal(set) var assignment: ByteBuffer = ByteBuffer()
    /// The member's JoinGroup parked until the rebalance completes.
    public internal(set) var awaitingJoin: GroupRequestToken?
    /// The member's SyncGroup parked until the leader's assignment is stored.
    public internal(set) var awaitingSync: GroupRequestToken?
    /// When the member last proved alive: its last heartbeat, join or sync (injected time, ms).
    public internal(set) var latestHeartbeat: Int64
    /// Set when the member sent LeaveGroup, so its pending heartbeat expectation completes at once.
    public internal(set) var isLeaving = false
    /// Set while a member that joined without a member id waits for its first rebalance to end;
    /// it is then held to ``newMemberJoinTimeoutMs`` rather than to its session timeout.
    public internal(set) var isNew = false

    public init(
        memberId: String, groupInstanceId: String?, clientId: String, clientHost: String,
        rebalanceTimeoutMs: Int32, sessionTimeoutMs: Int32, protocolType: String,
        supportedProtocols: [GroupProtocol], assignment: ByteBuffer = ByteBuffer(), now: Int64
    ) {
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
        self.clientId = clientId
        self.clientHost = clientHost
        self.rebalanceTimeoutMs = rebalanceTimeoutMs
        self.sessionTimeoutMs = sessionTimeoutMs
        self.protocolType = protocolType
        self.supportedProtocols = supportedProtocols
        self.assignment = assignment
        self.latestHeartbeat = now
    }

    public var isStaticMember: Bool { groupInstanceId != nil }
    public var isAwaitingJoin: Bool { awaitingJoin != nil }
    public var isAwaitingSync: Bool { awaitingSync != nil }

    /// The names of the protocols the member offers.
    public var protocolNames: Set<String> { Set(supportedProtocols.map(\.name)) }

    /// The member's metadata for `protocol`, or nil if it does not offer it.
    public func metadata(for protocol: String) -> ByteBuffer? {
        supportedProtocols.first { $0.name == `protocol` }?.metadata
    }

    /// Whether `protocols` is exactly what the member offers already: same names, same order, same
    /// bytes. A member that rejoins with the same list does not force a rebalance.
    public func matches(_ protocols: [GroupProtocol]) -> Bool {
        protocols == supportedProtocols
    }

    /// The member's vote in protocol selection: its most preferred protocol among `candidates`
    /// (the protocols every member offers). Nil only if it offers none of them, which
    /// ``GroupMetadata/supportsProtocols(protocolType:protocols:)`` rules out for a member of a group.
    public func vote(candidates: Set<String>) -> String? {
        supportedProtocols.first { candidates.contains($0.name) }?.name
    }

    /// Whether the member's heartbeat expectation with deadline `deadline` is met, so the member
    /// must not be dropped (Kafka's `shouldKeepAlive`):
    /// - a member waiting in a rebalance is kept, unless it is new and has waited
    ///   ``newMemberJoinTimeoutMs``;
    /// - a member whose SyncGroup is parked is kept;
    /// - otherwise it is kept if it proved alive within its session timeout before the deadline.
    public func shouldKeepAlive(deadline: Int64) -> Bool {
        if isAwaitingJoin {
            return !isNew || latestHeartbeat + Self.newMemberJoinTimeoutMs > deadline
        }
        return isAwaitingSync || latestHeartbeat + Int64(sessionTimeoutMs) > deadline
    }
}
