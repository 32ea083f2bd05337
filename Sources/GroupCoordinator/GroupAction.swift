import KafkaProtocol
import NIOCore

/// What the coordinator answers to a JoinGroup (Kafka's `JoinGroupResult`), ready to become a
/// JoinGroup response of any version.
public struct JoinGroupResult: Sendable, Equatable {
    /// One member's metadata for the chosen protocol, as the leader receives it.
    public struct Member: Sendable, Equatable {
        public var memberId: String
        public var groupInstanceId: String?
        public var metadata: ByteBuffer
    }

    public var errorCode: ErrorCode
    public var generationId: Int32
    /// The chosen protocol; empty in an error.
    public var protocolName: String
    /// The leader's member id; empty in an error.
    public var leaderId: String
    /// The member id the client must use from now on (also set with MEMBER_ID_REQUIRED).
    public var memberId: String
    /// Every member's metadata for the leader; empty for the other members.
    public var members: [Member]

    /// An error answer (Kafka's `joinError`): generation -1, no protocol, no leader.
    public static func error(_ errorCode: ErrorCode, memberId: String) -> JoinGroupResult {
        JoinGroupResult(
            errorCode: errorCode, generationId: GroupMetadata.unknownGenerationId, protocolName: "",
            leaderId: "", memberId: memberId, members: [])
    }
}

/// What the coordinator answers to a SyncGroup: the member's assignment, or an error with none.
public struct SyncGroupResult: Sendable, Equatable {
    public var errorCode: ErrorCode
    public var assignment: ByteBuffer

    public static func error(_ errorCode: ErrorCode) -> SyncGroupResult {
        SyncGroupResult(errorCode: errorCode, assignment: ByteBuffer())
    }
}

/// A heartbeat expectation to arm (Kafka's `DelayedHeartbeat`, watched in the heartbeat purgatory
/// under the key `MemberKey(groupId, memberId)`).
///
/// When `deadline` passes, the owner calls ``GroupMetadata/onHeartbeatExpired(_:now:config:)`` with it.
/// A newer expectation for the same member does not require cancelling this one: the expiry
/// re-checks the member's liveness against this deadline, as Kafka's does, and a member that has
/// heartbeated since is kept. The owner may complete it early when
/// ``GroupMetadata/isHeartbeatSatisfied(_:)`` holds (Kafka's `tryCompleteHeartbeat`).
public struct DelayedHeartbeat: Sendable, Hashable {
    public var memberId: String
    /// True for a member id handed out with MEMBER_ID_REQUIRED that has not joined yet: if it does
    /// not join before the deadline, the id is forgotten.
    public var isPending: Bool
    /// Absolute time (ms) at which the member is dropped unless it proved alive.
    public var deadline: Int64
    /// The delay the operation was armed with, `deadline - now` at arming.
    public var timeoutMs: Int64
}

/// A rebalance's wait for members to rejoin (Kafka's `DelayedJoin` and `InitialDelayedJoin`,
/// watched in the join purgatory under `GroupKey(groupId)`).
///
/// The group holds at most one current operation; when `deadline` passes the owner calls
/// ``GroupMetadata/onDelayedJoinExpired(_:now:config:)``. An operation the group completed already
/// (because every member rejoined) is recognised by its ``id`` and ignored, so the owner need not
/// cancel timers.
public struct DelayedJoin: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// Waits the largest rebalance timeout of the members, and completes early once every
        /// member has rejoined.
        case rebalance
        /// The first rebalance of an empty group: waits `group.initial.rebalance.delay.ms`, never
        /// completes early, and waits again (up to the rebalance timeout in all) while new members
        /// keep arriving. `remainingMs` is the part of the rebalance timeout still unspent.
        case initial(configuredDelayMs: Int64, remainingMs: Int64)
    }

    /// Numbers the group's join operations; a stale one is ignored.
    public var id: UInt64
    public var kind: Kind
    public var deadline: Int64
    public var delayMs: Int64
}

/// A write of the group's metadata to its `__consumer_offsets` partition (Kafka's
/// `GroupMetadataManager.storeGroup`). The owner writes the group as it is when the action is
/// returned (members, generation, protocol, leader, with `assignment` as each member's assignment)
/// and, once the append completes or fails, calls ``GroupMetadata/onStoreGroupCompleted(_:error:now:config:)``
/// with the error as Kafka's `GroupMetadataManager.storeGroup` maps it for the members (for example
/// NOT_ENOUGH_REPLICAS becomes COORDINATOR_NOT_AVAILABLE, NOT_LEADER_FOR_PARTITION NOT_COORDINATOR).
public struct StoreGroup: Sendable, Equatable {
    public var generationId: Int32
    /// Each member's assignment; empty when an empty group is written at the end of a rebalance.
    public var assignment: [String: ByteBuffer]
}

/// Something the owner of a group must do after a decision: answer a parked or current request,
/// arm a delayed operation, or write the group to the log. The group value itself does no I/O.
public enum GroupAction: Sendable, Equatable {
    case respondJoin(GroupRequestToken, JoinGroupResult)
    case respondSync(GroupRequestToken, SyncGroupResult)
    case respondHeartbeat(GroupRequestToken, ErrorCode)
    case respondLeave(GroupRequestToken, ErrorCode)
    case scheduleHeartbeat(DelayedHeartbeat)
    case scheduleJoin(DelayedJoin)
    case storeGroup(StoreGroup)
}
