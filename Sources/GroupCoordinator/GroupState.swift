/// The state of a consumer group on its coordinator (Kafka's `GroupState` objects in
/// `GroupMetadata.scala`).
///
/// A group moves through a rebalance like this:
///
///     Empty ──join──▶ PreparingRebalance ──all joined──▶ CompletingRebalance ──leader's sync──▶ Stable
///       ▲                   ▲   │                               │                              │
///       │                   │   └──nobody left────────────────▶ Empty                          │
///       │                   └──────── a member joins, leaves, changes its metadata ────────────┘
///       │                                                        (or the leader rejoins)
///     (any state) ──group deleted, or partition emigrated──▶ Dead
///
/// - `empty`: no members. The group may still hold committed offsets; it is deleted once they expire.
/// - `preparingRebalance`: the coordinator waits for every known member to send JoinGroup again
///   (at most the largest rebalance timeout); the JoinGroup requests wait parked meanwhile.
/// - `completingRebalance`: every JoinGroup has been answered (the leader got the members' metadata);
///   the coordinator waits for the leader's SyncGroup carrying the assignment. Kafka 2.0 renamed
///   this state from AwaitingSync.
/// - `stable`: the assignment is handed out; members heartbeat.
/// - `dead`: the group has no members and no metadata left; it is about to be removed from the
///   coordinator's cache. Requests for it answer COORDINATOR_NOT_AVAILABLE or UNKNOWN_MEMBER_ID.
///
/// Invariant: a group only enters a state from one of that state's ``validPreviousStates``;
/// ``GroupMetadata/transition(to:)`` refuses any other move with ``InvalidGroupStateTransition``.
public enum GroupState: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case empty = "Empty"
    case preparingRebalance = "PreparingRebalance"
    case completingRebalance = "CompletingRebalance"
    case stable = "Stable"
    case dead = "Dead"

    /// The states from which a group may enter this one, as Kafka 2.3 lists them.
    public var validPreviousStates: Set<GroupState> {
        switch self {
        case .empty: return [.preparingRebalance]
        case .preparingRebalance: return [.stable, .completingRebalance, .empty]
        case .completingRebalance: return [.preparingRebalance]
        case .stable: return [.completingRebalance]
        case .dead: return [.stable, .preparingRebalance, .completingRebalance, .empty, .dead]
        }
    }

    /// Whether a group in state `from` may move to this state.
    public func canFollow(_ from: GroupState) -> Bool {
        validPreviousStates.contains(from)
    }

    /// Kafka's name for the state, as DescribeGroups and ListGroups report it.
    public var description: String { rawValue }
}

/// A refused state change: `to` does not list `from` among its valid previous states.
public struct InvalidGroupStateTransition: Error, Equatable, CustomStringConvertible {
    public let groupId: String
    public let from: GroupState
    public let to: GroupState

    public var description: String {
        "Group \(groupId) should be in one of the states \(to.validPreviousStates.map(\.rawValue).sorted()) "
            + "before moving to \(to), but is in \(from)"
    }
}
