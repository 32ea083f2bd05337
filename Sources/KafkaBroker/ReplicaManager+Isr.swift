import KafkaCommon
import KafkaProtocol
import KafkaZk
import Logging

/// Where a leader writes its ISR changes (ZooKeeper in production, a fake in unit tests).
public protocol IsrStore: Sendable {
    /// Writes the partition's state znode if its version is still `state.leaderAndIsr.zkVersion`;
    /// returns the new version, or nil when the znode changed meanwhile (the controller moved on).
    func conditionalUpdatePartitionState(_ partition: TopicPartition, _ state: LeaderIsrAndControllerEpoch) async throws -> Int32?
    /// Announces ISR changes to the controller (a sequential `/isr_change_notification` znode).
    func propagateIsrChanges(_ partitions: [TopicPartition]) async throws -> String
}

extension KafkaZkClient: IsrStore {}

/// The partitions whose ISR changed and when, for batching their notifications (Kafka's
/// `isrChangeSet`, `lastIsrChangeMs`, `lastIsrPropagationMs`).
struct IsrChangeSet: Sendable {
    var partitions: Set<TopicPartition> = []
    var lastChangeMs: Int64 = 0
    var lastPropagationMs: Int64 = 0

    /// Kafka's rule: propagate when there are changes and either none came in the last 5 s
    /// (the burst is over) or the last propagation is over 60 s old (a steady trickle).
    static let blackOutMs: Int64 = 5_000
    static let maxIntervalMs: Int64 = 60_000

    func isDue(nowMs: Int64) -> Bool {
        !partitions.isEmpty && (lastChangeMs + Self.blackOutMs < nowMs || lastPropagationMs + Self.maxIntervalMs < nowMs)
    }
}

/// ISR maintenance on the leader (Kafka's `maybeShrinkIsr`, `maybeExpandIsr`, `updateIsr`,
/// `maybePropagateIsrChanges`) and the periodic high-watermark checkpoint.
extension ReplicaManager {
    /// How often the propagation check runs (Kafka: 2.5 s).
    static let isrChangePropagationCheckMs: Int64 = 2_500

    /// Starts the periodic tasks: ISR shrink every `replica.lag.time.max.ms / 2`, ISR change
    /// propagation every 2.5 s, and the high watermark checkpoint.
    public func startup(checkpoint: @escaping @Sendable ([TopicPartition: Int64]) -> Void) {
        let tasks = [
            periodically(everyMs: max(1, config.replicaLagTimeMaxMs / 2)) { await $0.maybeShrinkIsr() },
            periodically(everyMs: Self.isrChangePropagationCheckMs) { await $0.maybePropagateIsrChanges() },
            periodically(everyMs: config.highWatermarkCheckpointIntervalMs) { checkpoint($0.highWatermarks) },
        ]
        backgroundTasks.withLock { $0.append(contentsOf: tasks) }
    }

    private func periodically(everyMs: Int64, _ body: @escaping @Sendable (ReplicaManager) async -> Void) -> Task<Void, Never> {
        Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(everyMs))
                guard let self, !Task.isCancelled else { return }
                await body(self)
            }
        }
    }

    /// Drops lagging followers from the ISR of every partition this broker leads.
    public func maybeShrinkIsr() async {
        for partition in allPartitions {
            guard let isr = partition.proposeIsrShrink(maxLagMs: config.replicaLagTimeMaxMs) else { continue }
            let before = partition.role.isr
            logger.info("Shrinking ISR from \(before.map(\.description).joined(separator: ",")) to \(isr.map(\.description).joined(separator: ",")) for \(partition.topicPartition)")
            await updateIsr(partition, isr)
        }
    }

    /// A follower's fetch proposed `isr` (it joins): written like a shrink.
    func expandIsr(_ partition: Partition, _ isr: [BrokerId]) async {
        logger.info("Expanding ISR from \(partition.role.isr.map(\.description).joined(separator: ",")) to \(isr.map(\.description).joined(separator: ",")) for \(partition.topicPartition)")
        await updateIsr(partition, isr)
    }

    /// Writes the new ISR to the partition's state znode, conditional on the zkVersion this
    /// broker last saw: a conflict means the controller changed the partition (a LeaderAndIsr
    /// is on its way), so nothing is overwritten and the cached ISR stays. On success the change
    /// is recorded for propagation, and a smaller ISR may let the high watermark advance.
    func updateIsr(_ partition: Partition, _ isr: [BrokerId]) async {
        let tp = partition.topicPartition
        guard let current = partition.isrWriteBasis else {
            partition.completeIsrUpdate(isr, leaderEpoch: -1, newZkVersion: nil, replicaLagTimeMaxMs: config.replicaLagTimeMaxMs)
            return
        }
        let proposed = LeaderIsrAndControllerEpoch(
            leaderAndIsr: KafkaZk.LeaderAndIsr(leader: brokerId, leaderEpoch: current.leaderEpoch, isr: isr, zkVersion: current.zkVersion),
            controllerEpoch: current.controllerEpoch)
        var newVersion: Int32?
        do {
            newVersion = try await isrStore.conditionalUpdatePartitionState(tp, proposed)
            if newVersion == nil {
                logger.info("Cached zkVersion \(current.zkVersion) not equal to that in ZooKeeper for \(tp), skip updating ISR")
            }
        } catch {
            logger.warning("Could not update the ISR of \(tp): \(error)")
        }
        let increased = partition.completeIsrUpdate(isr, leaderEpoch: current.leaderEpoch, newZkVersion: newVersion,
                                                    replicaLagTimeMaxMs: config.replicaLagTimeMaxMs)
        if newVersion != nil {
            let now = time.milliseconds
            isrChanges.withLock {
                $0.partitions.insert(tp)
                $0.lastChangeMs = now
            }
        }
        if increased { completeDelayedRequests(tp) }
    }

    /// Announces the batched ISR changes when due (see `IsrChangeSet`).
    public func maybePropagateIsrChanges(force: Bool = false) async {
        let now = time.milliseconds
        let due: [TopicPartition]? = isrChanges.withLock { changes in
            guard force ? !changes.partitions.isEmpty : changes.isDue(nowMs: now) else { return nil }
            let partitions = changes.partitions.sorted()
            changes.partitions = []
            changes.lastPropagationMs = now
            return partitions
        }
        guard let due else { return }
        do {
            _ = try await isrStore.propagateIsrChanges(due)
        } catch {
            logger.warning("Could not announce ISR changes of \(due.count) partitions: \(error)")
            isrChanges.withLock { $0.partitions.formUnion(due) }
        }
    }
}
