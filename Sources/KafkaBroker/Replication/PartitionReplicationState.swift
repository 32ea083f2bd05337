import KafkaCommon
import KafkaProtocol

/// What the leader knows of one follower of a partition (Kafka's `Replica` for a remote broker),
/// learnt from the follower's fetch requests only.
public struct FollowerReplica: Sendable, Equatable {
    /// The follower's log end offset: the offset of its last fetch (−1 until it fetches).
    public var logEndOffset: Int64 = -1
    public var logStartOffset: Int64 = -1
    /// The last time the follower's fetch reached the leader's log end offset as it was then (or
    /// reached the end offset the leader had at the follower's previous fetch); nil: never.
    public var lastCaughtUpTimeMs: Int64?
    /// The leader's log end offset and the time of the follower's previous fetch.
    var lastFetchLeaderLogEndOffset: Int64 = -1
    var lastFetchTimeMs: Int64 = 0

    init(lastCaughtUpTimeMs: Int64?) { self.lastCaughtUpTimeMs = lastCaughtUpTimeMs }

    func hasCaughtUp(within maxLagMs: Int64, nowMs: Int64) -> Bool {
        lastCaughtUpTimeMs.map { nowMs - $0 <= maxLagMs } ?? false
    }
}

/// The replication state of one partition on this broker (leader or follower): the role given by
/// the controller, the high watermark, and — while leader — every follower's progress. Kafka keeps
/// this in `Partition` and its `Replica`s under `leaderIsrUpdateLock`; here it is a value whose
/// mutating functions take the leader's log end offset and the time as arguments and do no I/O,
/// so every rule below is unit tested with plain numbers.
///
/// Rules (Kafka 2.3):
/// - High watermark (leader): the smallest log end offset among the leader and the followers
///   that are in the ISR or caught up within `replica.lag.time.max.ms` (a follower about to join
///   the ISR must not find the high watermark above its log end, KAFKA-7128). It never decreases.
/// - A follower is caught up at a fetch whose offset reaches the leader's log end offset at that
///   moment; or, failing that, reaches the end offset the leader had at the follower's previous
///   fetch (then it was caught up at the previous fetch's time).
/// - ISR shrink: an ISR follower not caught up for more than `replica.lag.time.max.ms` leaves.
/// - ISR expand: a follower outside the ISR joins once its log end offset reaches the high
///   watermark and the start offset of the leader's epoch (it has everything this leader wrote
///   before the follower can be counted on).
/// - Follower: the high watermark is the leader's, capped at the local log end offset.
public struct PartitionReplicationState: Sendable, Equatable {
    public var role: ReplicaManager.PartitionRole
    public let localBrokerId: BrokerId
    public internal(set) var highWatermark: Int64
    /// Log end offset when this broker became leader in the current epoch (nil while follower).
    public internal(set) var leaderEpochStartOffset: Int64?
    /// The assigned followers' progress, while leader.
    public internal(set) var followers: [BrokerId: FollowerReplica] = [:]
    /// True while an ISR change of this partition is being written to ZooKeeper.
    var isrUpdateInFlight = false

    public init(role: ReplicaManager.PartitionRole, localBrokerId: BrokerId, highWatermark: Int64) {
        self.role = role
        self.localBrokerId = localBrokerId
        self.highWatermark = highWatermark
    }

    public var isLeader: Bool { role.leader == localBrokerId }

    /// Becoming leader: every other assigned replica is a follower whose log end offset is not
    /// known yet; ISR members count as caught up now (they were, as far as the controller knows),
    /// the others never. The epoch starts at the current log end offset. The high watermark moves
    /// only if the leader is alone in the ISR (unknown followers hold it).
    public mutating func makeLeader(_ newRole: ReplicaManager.PartitionRole, leaderLogEndOffset: Int64, nowMs: Int64) {
        role = newRole
        leaderEpochStartOffset = leaderLogEndOffset
        followers = [:]
        for replica in newRole.replicas where replica != localBrokerId {
            followers[replica] = FollowerReplica(lastCaughtUpTimeMs: newRole.isr.contains(replica) ? nowMs : nil)
        }
        highWatermark = min(highWatermark, leaderLogEndOffset)
        isrUpdateInFlight = false
        // A leader alone in the ISR commits its whole log at once (Kafka calls
        // maybeIncrementLeaderHW on becoming leader).
        maybeIncrementHighWatermark(leaderLogEndOffset: leaderLogEndOffset, nowMs: nowMs, replicaLagTimeMaxMs: 0)
    }

    /// Becoming follower: the leader's bookkeeping is dropped.
    public mutating func makeFollower(_ newRole: ReplicaManager.PartitionRole) {
        role = newRole
        leaderEpochStartOffset = nil
        followers = [:]
        isrUpdateInFlight = false
    }

    /// A follower fetched from `fetchOffset` (its log end offset) at `nowMs`, when the leader's log
    /// ended at `leaderLogEndOffset`. Returns whether the high watermark moved.
    @discardableResult
    public mutating func updateFollowerFetchState(
        _ replica: BrokerId, fetchOffset: Int64, followerLogStartOffset: Int64, leaderLogEndOffset: Int64, nowMs: Int64,
        replicaLagTimeMaxMs: Int64
    ) -> Bool {
        guard isLeader, var follower = followers[replica] else { return false }
        if fetchOffset >= leaderLogEndOffset {
            follower.lastCaughtUpTimeMs = max(follower.lastCaughtUpTimeMs ?? nowMs, nowMs)
        } else if follower.lastFetchLeaderLogEndOffset >= 0, fetchOffset >= follower.lastFetchLeaderLogEndOffset {
            follower.lastCaughtUpTimeMs = max(follower.lastCaughtUpTimeMs ?? follower.lastFetchTimeMs, follower.lastFetchTimeMs)
        }
        follower.logEndOffset = fetchOffset
        follower.logStartOffset = followerLogStartOffset
        follower.lastFetchLeaderLogEndOffset = leaderLogEndOffset
        follower.lastFetchTimeMs = nowMs
        followers[replica] = follower
        return maybeIncrementHighWatermark(leaderLogEndOffset: leaderLogEndOffset, nowMs: nowMs, replicaLagTimeMaxMs: replicaLagTimeMaxMs)
    }

    /// Recomputes the leader's high watermark (see the rules above). Returns whether it moved.
    @discardableResult
    public mutating func maybeIncrementHighWatermark(leaderLogEndOffset: Int64, nowMs: Int64, replicaLagTimeMaxMs: Int64) -> Bool {
        guard isLeader else { return false }
        var candidate = leaderLogEndOffset
        for (id, follower) in followers where role.isr.contains(id) || follower.hasCaughtUp(within: replicaLagTimeMaxMs, nowMs: nowMs) {
            candidate = min(candidate, max(follower.logEndOffset, 0))
        }
        guard candidate > highWatermark else { return false }
        highWatermark = candidate
        return true
    }

    /// The follower that should join the ISR now, if any (see the rules above).
    public func replicaToAddToIsr(_ replica: BrokerId) -> BrokerId? {
        guard isLeader, !isrUpdateInFlight, !role.isr.contains(replica), role.replicas.contains(replica),
              let follower = followers[replica], let epochStart = leaderEpochStartOffset,
              follower.logEndOffset >= highWatermark, follower.logEndOffset >= epochStart
        else { return nil }
        return replica
    }

    /// The ISR followers that have not caught up for more than `maxLagMs`.
    public func outOfSyncReplicas(nowMs: Int64, maxLagMs: Int64) -> [BrokerId] {
        guard isLeader, !isrUpdateInFlight else { return [] }
        return role.isr.filter { id in
            id != localBrokerId && !(followers[id]?.hasCaughtUp(within: maxLagMs, nowMs: nowMs) ?? false)
        }
    }

    /// acks=all: whether every ISR member has the records below `requiredOffset`, and with which
    /// error the produce completes (Kafka's `checkEnoughReplicasReachOffset`). Nil while waiting.
    public func acknowledgement(requiredOffset: Int64, minInSyncReplicas: Int) -> ErrorCode? {
        guard isLeader else { return .notLeaderForPartition }
        guard highWatermark >= requiredOffset else { return nil }
        return role.isr.count >= minInSyncReplicas ? ErrorCode.none : .notEnoughReplicasAfterAppend
    }
}
