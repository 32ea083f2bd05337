import KafkaCommon
import KafkaProtocol
import KafkaZk
import Logging

/// Where a leader writes its ISR changes (ZooKeeper in production, a fake in unit tests).
public protocol IsrStore: Sendable {
    /// Writes the partition's state znode if its version is still `state.leaderAndIsr.zkVersion`;
    /// returns the new version, or nil when the znode changed meanwhile (the controller moved on).
    func conditionalUpdatePartitionState(_ partition: TopicPartition, _ state: LeaderIsrAndControllerEpoch) async throws -> Int32?
    /// The same for many partitions at once, each write conditional on its own version (one
    /// conflict or failure does not stop the others): per partition, the new version, nil on a
    /// conflict, or the error.
    func conditionalUpdatePartitionStates(_ states: [TopicPartition: LeaderIsrAndControllerEpoch]) async
        -> [TopicPartition: Result<Int32?, any Error>]
    /// Announces ISR changes to the controller (a sequential `/isr_change_notification` znode).
    func propagateIsrChanges(_ partitions: [TopicPartition]) async throws -> String
}

extension IsrStore {
    /// One write after the other (stores without pipelining).
    public func conditionalUpdatePartitionStates(_ states: [TopicPartition: LeaderIsrAndControllerEpoch]) async
        -> [TopicPartition: Result<Int32?, any Error>]
    {
        var results: [TopicPartition: Result<Int32?, any Error>] = [:]
        for (partition, state) in states.sorted(by: { $0.key < $1.key }) {
            do {
                results[partition] = .success(try await conditionalUpdatePartitionState(partition, state))
            } catch {
                results[partition] = .failure(error)
            }
        }
        return results
    }
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

    /// Drops lagging followers from the ISR of every partition this broker leads, writing all
    /// the shrunk ISRs in one pipelined burst.
    public func maybeShrinkIsr() async {
        var shrinks: [IsrUpdateQueue.Update] = []
        for partition in allPartitions {
            guard let isr = partition.proposeIsrShrink(maxLagMs: config.replicaLagTimeMaxMs) else { continue }
            let before = partition.role.isr
            logger.info("Shrinking ISR from \(before.map(\.description).joined(separator: ",")) to \(isr.map(\.description).joined(separator: ",")) for \(partition.topicPartition)")
            shrinks.append(.init(partition: partition, isr: isr))
        }
        await updateIsrs(shrinks)
    }

    /// A follower's fetch proposed `isr` (it joins). Queued for the ISR writer, which writes it
    /// with every other change queued by then (`IsrUpdateQueue`): the fetch does not wait for
    /// ZooKeeper. The partition proposes nothing else until the write completes.
    func expandIsr(_ partition: Partition, _ isr: [BrokerId]) async {
        logger.info("Expanding ISR from \(partition.role.isr.map(\.description).joined(separator: ",")) to \(isr.map(\.description).joined(separator: ",")) for \(partition.topicPartition)")
        let startWriter = isrUpdates.withLock { $0.submit(.init(partition: partition, isr: isr)) }
        if startWriter { Task { await self.drainIsrUpdates() } }
    }

    /// The ISR writer: writes what is queued, in bursts, until nothing is.
    private func drainIsrUpdates() async {
        while true {
            let (batch, waiters) = isrUpdates.withLock { $0.nextBatch() }
            guard let batch else {
                for waiter in waiters { waiter.resume() }
                return
            }
            await updateIsrs(batch)
        }
    }

    /// Returns once every queued ISR expansion has been written (for tests).
    func isrUpdatesWritten() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            if !isrUpdates.withLock({ $0.addWaiter(waiter) }) { waiter.resume() }
        }
    }

    /// Writes the new ISRs to the partitions' state znodes, pipelined, each conditional on the
    /// zkVersion this broker last saw: a conflict means the controller changed the partition (a
    /// LeaderAndIsr is on its way), so nothing is overwritten and the cached ISR stays. Each
    /// success is recorded for propagation, and a smaller ISR may let the high watermark advance.
    func updateIsrs(_ updates: [IsrUpdateQueue.Update]) async {
        guard !updates.isEmpty else { return }
        var proposed: [TopicPartition: LeaderIsrAndControllerEpoch] = [:]
        var written: [(update: IsrUpdateQueue.Update, leaderEpoch: LeaderEpoch)] = []
        for update in updates {
            guard let current = update.partition.isrWriteBasis else {
                update.partition.completeIsrUpdate(update.isr, leaderEpoch: -1, newZkVersion: nil,
                                                   replicaLagTimeMaxMs: config.replicaLagTimeMaxMs)
                continue
            }
            proposed[update.partition.topicPartition] = LeaderIsrAndControllerEpoch(
                leaderAndIsr: KafkaZk.LeaderAndIsr(leader: brokerId, leaderEpoch: current.leaderEpoch, isr: update.isr,
                                                   zkVersion: current.zkVersion),
                controllerEpoch: current.controllerEpoch)
            written.append((update, current.leaderEpoch))
        }
        let results = proposed.isEmpty ? [:] : await isrStore.conditionalUpdatePartitionStates(proposed)
        var changed: [TopicPartition] = []
        for (update, leaderEpoch) in written {
            let tp = update.partition.topicPartition
            var newVersion: Int32?
            switch results[tp] {
            case .success(let version)?:
                newVersion = version
                if version == nil {
                    logger.info("Cached zkVersion \(proposed[tp]?.leaderAndIsr.zkVersion ?? -1) not equal to that in ZooKeeper for \(tp), skip updating ISR")
                }
            case .failure(let error)?:
                logger.warning("Could not update the ISR of \(tp): \(error)")
            case nil:
                logger.warning("Could not update the ISR of \(tp): no answer")
            }
            if newVersion != nil { metrics.load()?.isrUpdated(from: update.partition.role.isr.count, to: update.isr.count) }
            let increased = update.partition.completeIsrUpdate(update.isr, leaderEpoch: leaderEpoch, newZkVersion: newVersion,
                                                               replicaLagTimeMaxMs: config.replicaLagTimeMaxMs)
            if newVersion != nil { changed.append(tp) }
            if increased { completeDelayedRequests(tp) }
        }
        if !changed.isEmpty {
            let now = time.milliseconds
            isrChanges.withLock {
                $0.partitions.formUnion(changed)
                $0.lastChangeMs = now
            }
        }
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
