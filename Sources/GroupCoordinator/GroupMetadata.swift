import NIOCore

/// A consumer group on its coordinator (Kafka's `GroupMetadata`), as a value.
///
/// The group holds its members, the generation, the chosen protocol and the leader, and the
/// coordinator's decisions on it (JoinGroup, SyncGroup, Heartbeat, LeaveGroup and the expiry of
/// delayed operations, in the `GroupMetadata+…` extensions). Each decision mutates the value and
/// returns ``GroupAction``s for its owner to carry out (answers, timers, log writes); the value
/// does no I/O and reads no clock, so a rebalance can be replayed in a test with injected time.
///
/// Isolation: the owner serialises all calls for one group (Kafka takes the group's lock).
///
/// Invariants:
/// - ``leaderId`` is nil exactly when ``members`` is empty, and otherwise names a member;
/// - ``staticMembers`` maps each static member's `group.instance.id` to its current member id;
/// - ``pendingMembers`` never holds the id of a member;
/// - every member offers at least one protocol all other members offer, with the group's protocol
///   type (enforced when a member joins: INCONSISTENT_GROUP_PROTOCOL);
/// - ``generationId`` only grows, by one per completed rebalance.
public struct GroupMetadata: Sendable, Equatable {
    /// The generation in an error answer and of a member without one (`JoinGroupRequest.UNKNOWN_GENERATION_ID`).
    public static let unknownGenerationId: Int32 = -1
    /// The member id a member sends before it has one (`JoinGroupRequest.UNKNOWN_MEMBER_ID`).
    public static let unknownMemberId = ""

    public let groupId: String
    public private(set) var state: GroupState
    /// When the group entered its current state (ms), or nil when unknown (a group loaded from a
    /// record that does not carry it). A restarted static member's new member id is built from it.
    public internal(set) var currentStateTimestamp: Int64?
    /// The members' protocol type (`consumer` …), set by the first member to join an empty group.
    public internal(set) var protocolType: String?
    /// Grows by one at each completed rebalance, also when the group ends it empty.
    public internal(set) var generationId: Int32 = 0
    /// The member that receives everyone's metadata and computes the assignment.
    public internal(set) var leaderId: String?
    /// The protocol chosen at the last completed rebalance; nil when the group is empty.
    public internal(set) var protocolName: String?
    /// Members by member id.
    public private(set) var members: [String: MemberMetadata] = [:]
    /// Member ids in the order the members joined: the order of the leader's member list, and the
    /// order in which a new leader is picked. (Kafka iterates a hash map here; any order is valid.)
    public private(set) var memberIds: [String] = []
    /// `group.instance.id` → member id of the static members.
    public private(set) var staticMembers: [String: String] = [:]
    /// Member ids handed out with MEMBER_ID_REQUIRED whose JoinGroup has not come back yet (KIP-394).
    /// A rebalance waits for them too.
    public private(set) var pendingMembers: Set<String> = []
    /// Set when a new member joins during the first rebalance of the group's life (generation 0),
    /// which makes the initial delayed join wait once more.
    public internal(set) var newMemberAdded = false
    /// The current rebalance wait, if one is armed.
    public internal(set) var delayedJoin: DelayedJoin?
    /// Why the group last entered PreparingRebalance, in Kafka 2.3's words (the `reason` its
    /// "Preparing to rebalance" line ends with: `Adding new member m with group instanceid None`,
    /// `Updating metadata for member m`, `removing member m on LeaveGroup`, …); nil before the
    /// first rebalance.
    public internal(set) var rebalanceReason: String?
    var nextDelayedJoinId: UInt64 = 0

    /// A group in `state` since `now` (Kafka creates groups in Empty, or in the state a loaded
    /// record says).
    public init(groupId: String, state: GroupState = .empty, now: Int64? = nil) {
        self.groupId = groupId
        self.state = state
        self.currentStateTimestamp = now
    }

    // MARK: State

    public func isInState(_ state: GroupState) -> Bool { self.state == state }

    /// Moves the group to `newState` at time `now` if that state lists the current one among its
    /// valid previous states (see ``GroupState``); otherwise leaves it unchanged and throws.
    public mutating func transition(to newState: GroupState, now: Int64) throws(InvalidGroupStateTransition) {
        guard newState.canFollow(state) else {
            throw InvalidGroupStateTransition(groupId: groupId, from: state, to: newState)
        }
        state = newState
        currentStateTimestamp = now
    }

    /// Whether a rebalance may start now: true in Empty, Stable and CompletingRebalance.
    public var canRebalance: Bool { GroupState.preparingRebalance.canFollow(state) }

    // MARK: Members

    public var size: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public func has(memberId: String) -> Bool { members[memberId] != nil }
    public func member(_ memberId: String) -> MemberMetadata? { members[memberId] }
    public func isLeader(_ memberId: String) -> Bool { leaderId == memberId }

    /// The members in join order.
    public var allMembers: [MemberMetadata] { memberIds.compactMap { members[$0] } }

    /// The longest rebalance timeout among the members: how long a rebalance waits (0 when empty).
    public var rebalanceTimeoutMs: Int32 { members.values.map(\.rebalanceTimeoutMs).max() ?? 0 }

    /// How many members have a JoinGroup parked in the current rebalance.
    public var numMembersAwaitingJoin: Int { members.values.filter(\.isAwaitingJoin).count }

    /// True when every member has rejoined and no member id handed out with MEMBER_ID_REQUIRED is
    /// still outstanding: the rebalance may complete without waiting for its timeout.
    public var hasAllMembersJoined: Bool {
        members.count == numMembersAwaitingJoin && pendingMembers.isEmpty
    }

    /// Members that have not rejoined in the current rebalance, in join order.
    public var notYetRejoinedMembers: [MemberMetadata] { allMembers.filter { !$0.isAwaitingJoin } }

    /// Adds `member`; the first member of an empty group sets the protocol type and the first
    /// member of a leaderless group leads. The caller has checked ``supportsProtocols(protocolType:protocols:)``.
    mutating func add(_ member: MemberMetadata) {
        if members.isEmpty { protocolType = member.protocolType }
        if leaderId == nil { leaderId = member.memberId }
        if members[member.memberId] == nil { memberIds.append(member.memberId) }
        members[member.memberId] = member
    }

    /// Removes a member; if it led, the earliest-joined remaining member leads.
    @discardableResult
    mutating func remove(memberId: String) -> MemberMetadata? {
        guard let removed = members.removeValue(forKey: memberId) else { return nil }
        memberIds.removeAll { $0 == memberId }
        if leaderId == memberId { leaderId = memberIds.first }
        return removed
    }

    mutating func updateMember(_ memberId: String, _ body: (inout MemberMetadata) -> Void) {
        guard var member = members[memberId] else { return }
        body(&member)
        members[memberId] = member
    }

    // MARK: Static and pending members

    public func hasStaticMember(_ groupInstanceId: String?) -> Bool {
        groupInstanceId.map { staticMembers[$0] != nil } ?? false
    }

    public func staticMemberId(_ groupInstanceId: String) -> String? { staticMembers[groupInstanceId] }

    mutating func addStaticMember(_ groupInstanceId: String?, memberId: String) {
        if let groupInstanceId { staticMembers[groupInstanceId] = memberId }
    }

    mutating func removeStaticMember(_ groupInstanceId: String?) {
        if let groupInstanceId { staticMembers.removeValue(forKey: groupInstanceId) }
    }

    /// True when `groupInstanceId` belongs to a static member whose member id is not `memberId`:
    /// the request comes from a duplicate or an older incarnation of the instance, which must stop
    /// (FENCED_INSTANCE_ID).
    public func isStaticMemberFenced(memberId: String, groupInstanceId: String?) -> Bool {
        guard let groupInstanceId, let current = staticMembers[groupInstanceId] else { return false }
        return current != memberId
    }

    public func isPendingMember(_ memberId: String) -> Bool { pendingMembers.contains(memberId) && !has(memberId: memberId) }
    mutating func addPendingMember(_ memberId: String) { pendingMembers.insert(memberId) }
    mutating func removePendingMember(_ memberId: String) { pendingMembers.remove(memberId) }

    /// Gives a static member's place to its new incarnation (Kafka's `replaceGroupInstance`): the
    /// member keeps its metadata and assignment under `newMemberId`, and leads if the old id led.
    /// Requests of the old incarnation parked in the group are answered FENCED_INSTANCE_ID.
    /// Returns nil (and changes nothing) if `oldMemberId` is not a member.
    mutating func replaceGroupInstance(
        oldMemberId: String, newMemberId: String, groupInstanceId: String
    ) -> (member: MemberMetadata, actions: [GroupAction])? {
        guard var member = members.removeValue(forKey: oldMemberId) else { return nil }
        var actions: [GroupAction] = []
        if let token = member.awaitingJoin {
            actions.append(.respondJoin(token, .error(.fencedInstanceId, memberId: oldMemberId)))
            member.awaitingJoin = nil
        }
        if let token = member.awaitingSync {
            actions.append(.respondSync(token, .error(.fencedInstanceId)))
            member.awaitingSync = nil
        }
        member.memberId = newMemberId
        members[newMemberId] = member
        if let index = memberIds.firstIndex(of: oldMemberId) { memberIds[index] = newMemberId }
        if leaderId == oldMemberId { leaderId = newMemberId }
        staticMembers[groupInstanceId] = newMemberId
        return (member, actions)
    }

    /// The members' metadata for the chosen protocol, in join order: what the leader's JoinGroup
    /// response carries so that it can compute the assignment. Only meaningful in
    /// CompletingRebalance and Stable (nil otherwise, where Kafka throws).
    public var currentMemberMetadata: [JoinGroupResult.Member]? {
        guard state == .completingRebalance || state == .stable, let protocolName else { return nil }
        return allMembers.map {
            JoinGroupResult.Member(
                memberId: $0.memberId, groupInstanceId: $0.groupInstanceId,
                metadata: $0.metadata(for: protocolName) ?? ByteBuffer())
        }
    }

    /// If the leader has not rejoined, makes the earliest-joined member that has the leader
    /// (Kafka's `maybeElectNewJoinedLeader`). False when no member rejoined, or the group is empty.
    mutating func maybeElectNewJoinedLeader() -> Bool {
        guard let leaderId, let leader = members[leaderId] else { return false }
        if leader.isAwaitingJoin { return true }
        guard let joined = allMembers.first(where: \.isAwaitingJoin) else { return false }
        self.leaderId = joined.memberId
        return true
    }

    /// Starts the next generation at the end of a rebalance (Kafka's `initNextGeneration`): the
    /// generation grows by one; with members, the protocol is chosen by vote and the group awaits
    /// the leader's SyncGroup; without, the group is Empty and has no protocol.
    mutating func initNextGeneration(now: Int64) throws(InvalidGroupStateTransition) {
        if members.isEmpty {
            try transition(to: .empty, now: now)
            generationId += 1
            protocolName = nil
        } else {
            try transition(to: .completingRebalance, now: now)
            generationId += 1
            protocolName = selectProtocol()
        }
    }
}
