import KafkaCommon
import KafkaProtocol
import KafkaRecords
import KafkaStorage

/// The leader's side of replication: appends from producers, follower fetches moving the high
/// watermark, and the ISR changes they call for.
extension Partition {
    public enum AppendError: Error, Equatable {
        case notLeader
        /// acks=all with fewer in-sync replicas than `min.insync.replicas` (NOT_ENOUGH_REPLICAS).
        case notEnoughReplicas(isr: Int, required: Int)
    }

    /// Appends a producer's records as leader, stamped with the current leader epoch. With
    /// `requiredAcks` −1 the ISR must have at least the topic's `min.insync.replicas` members,
    /// checked before anything is written (Kafka's `appendRecordsToLeader`). Returns what was
    /// written, that `min.insync.replicas`, and whether the high watermark moved (it does at once
    /// when the ISR is the leader alone). `origin` is `.coordinator` for the broker's own records
    /// (transaction markers), which may be control batches.
    public func appendRecordsToLeader(
        _ records: MemoryRecords, requiredAcks: Int16, replicaLagTimeMaxMs: Int64, origin: AppendOrigin = .client
    ) throws -> (result: LogAppendResult, minInSyncReplicas: Int, highWatermarkIncreased: Bool) {
        try log.withLock { log in
            let role = state.withLock { $0.role }
            guard role.leader == localBrokerId else { throw AppendError.notLeader }
            let minInSyncReplicas = log.config.minInSyncReplicas
            if requiredAcks == -1, role.isr.count < minInSyncReplicas {
                throw AppendError.notEnoughReplicas(isr: role.isr.count, required: minInSyncReplicas)
            }
            let result = try log.appendAsLeader(records, leaderEpoch: role.leaderEpoch.rawValue, origin: origin)
            let logEndOffset = log.logEndOffset
            let increased = state.withLock {
                $0.maybeIncrementHighWatermark(leaderLogEndOffset: logEndOffset, nowMs: time.milliseconds,
                                               replicaLagTimeMaxMs: replicaLagTimeMaxMs)
            }
            if increased { log.onHighWatermarkIncremented(state.withLock { $0.highWatermark }) }
            return (result, minInSyncReplicas, increased)
        }
    }

    /// What a follower's fetch changed on the leader.
    public struct FollowerFetchOutcome: Sendable, Equatable {
        public var highWatermarkIncreased = false
        /// The ISR this follower's progress calls for (it joins), to be written to ZooKeeper.
        public var expandedIsr: [BrokerId]?
    }

    /// A follower fetched from `fetchOffset` (Kafka's `updateReplicaLogReadResult` and
    /// `maybeExpandIsr`): records its progress, moves the high watermark, and proposes the ISR
    /// with it when it has caught up.
    public func recordFollowerFetch(
        _ replica: BrokerId, fetchOffset: Int64, followerLogStartOffset: Int64, replicaLagTimeMaxMs: Int64
    ) -> FollowerFetchOutcome {
        log.withLock { log in
            let logEndOffset = log.logEndOffset
            return state.withLock { state in
                var outcome = FollowerFetchOutcome()
                outcome.highWatermarkIncreased = state.updateFollowerFetchState(
                    replica, fetchOffset: fetchOffset, followerLogStartOffset: followerLogStartOffset,
                    leaderLogEndOffset: logEndOffset, nowMs: time.milliseconds, replicaLagTimeMaxMs: replicaLagTimeMaxMs)
                if outcome.highWatermarkIncreased { log.onHighWatermarkIncremented(state.highWatermark) }
                if let joining = state.replicaToAddToIsr(replica) {
                    state.isrUpdateInFlight = true
                    outcome.expandedIsr = state.role.isr + [joining]
                }
                return outcome
            }
        }
    }

    /// The ISR without the followers that have lagged more than `maxLagMs` (Kafka's
    /// `maybeShrinkIsr` first half), or nil when none has. Marks an ISR update in flight.
    public func proposeIsrShrink(maxLagMs: Int64) -> [BrokerId]? {
        state.withLock { state in
            let outOfSync = state.outOfSyncReplicas(nowMs: time.milliseconds, maxLagMs: maxLagMs)
            guard !outOfSync.isEmpty else { return nil }
            state.isrUpdateInFlight = true
            return state.role.isr.filter { !outOfSync.contains($0) }
        }
    }

    /// What an ISR change is written against while this broker leads: the leader epoch, the
    /// state znode's version this broker last saw (the write is conditional on it) and the
    /// controller epoch that set the role. Nil when not leader.
    public var isrWriteBasis: (leaderEpoch: LeaderEpoch, zkVersion: Int32, controllerEpoch: ControllerEpoch)? {
        state.withLock { state in
            state.isLeader ? (state.role.leaderEpoch, state.role.zkVersion, state.role.controllerEpoch) : nil
        }
    }

    /// The ISR change was written (`newZkVersion`) or refused (nil: the controller moved on and a
    /// LeaderAndIsr will follow). Applied only if the partition is still leader in `leaderEpoch`.
    /// Returns whether the high watermark moved (a smaller ISR may let it advance).
    @discardableResult
    public func completeIsrUpdate(_ isr: [BrokerId], leaderEpoch: LeaderEpoch, newZkVersion: Int32?, replicaLagTimeMaxMs: Int64) -> Bool {
        log.withLock { log in
            let logEndOffset = log.logEndOffset
            return state.withLock { state in
                state.isrUpdateInFlight = false
                guard let newZkVersion, state.isLeader, state.role.leaderEpoch == leaderEpoch else { return false }
                state.role.isr = isr
                state.role.zkVersion = newZkVersion
                return state.maybeIncrementHighWatermark(leaderLogEndOffset: logEndOffset, nowMs: time.milliseconds,
                                                         replicaLagTimeMaxMs: replicaLagTimeMaxMs)
            }
        }
    }

    /// acks=all: nil while the ISR has not reached `requiredOffset`, else the produce's outcome.
    public func acknowledgement(requiredOffset: Int64, minInSyncReplicas: Int) -> ErrorCode? {
        state.withLock { $0.acknowledgement(requiredOffset: requiredOffset, minInSyncReplicas: minInSyncReplicas) }
    }
}
