import GroupCoordinator
import KafkaCommon
import KafkaProtocol
import KafkaRecords

/// Offsets committed inside transactions (Kafka 2.3's `storeOffsets` with a producer id, and
/// `handleTxnCompletion`).
///
/// A TxnOffsetCommit's offsets are pending in the group (`GroupEntry.Slot
/// .pendingTransactionalOffsets`) from the moment they are accepted, and written as one
/// transactional batch of the producer (its id and epoch, `isTransactional`) to the group's
/// `__consumer_offsets` partition, which holds that partition's last stable offset until the
/// transaction's marker. OffsetFetch keeps serving the committed offsets meanwhile. When
/// WriteTxnMarkers has written the marker to the partition (and the ISR has it), the marker's
/// outcome completes them: COMMIT makes them the committed offsets, ABORT drops them.
extension GroupMetadataManager {
    /// Writes `offsets` of `groupId` inside `producerId`'s transaction; `completion` gets one
    /// error per partition (NONE once written; the offsets stay pending until the marker). The
    /// caller has checked the group's status and the metadata sizes.
    func storeTxnOffsets(
        groupId: String, producerId: Int64, producerEpoch: Int16, offsets: [TopicPartition: OffsetCommitValue],
        completion: @escaping @Sendable ([TopicPartition: ErrorCode]) -> Void
    ) {
        guard !offsets.isEmpty else { return completion([:]) }
        warnIfMixingOffsetCommits(groupId, transactional: true)
        let refused: ErrorCode? = withGroup(groupId) { slot, status in
            if let status { return status }
            // Deleted since the coordinator's checks.
            guard let group = slot.group, group.state != .dead else { return .unknownMemberId }
            slot.pendingTransactionalOffsets.prepare(producerId: producerId, offsets: offsets)
            return nil
        }
        if let refused { return completion(offsets.mapValues { _ in refused }) }
        addProducerGroup(producerId, groupId)
        let records = offsets.sorted { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }.map { tp, value in
            OffsetsTopicRecord.offsetCommit(
                group: groupId, topicPartition: tp, value: value, interBrokerProtocolVersion: interBrokerProtocolVersion)
        }
        appendBatch(records, to: partitionFor(groupId), producer: (producerId, producerEpoch)) { [self] error, batchBaseOffset in
            let code = Self.offsetCommitError(error)
            let hasPending: Bool = withGroup(groupId) { slot, status in
                // A partition unloaded while the write waited has forgotten the group.
                guard status == nil, slot.group?.state != .dead else { return false }
                for (tp, value) in offsets {
                    if code == .none {
                        slot.pendingTransactionalOffsets.onAppend(
                            producerId: producerId, topicPartition: tp, value: value, batchBaseOffset: batchBaseOffset)
                    } else {
                        slot.pendingTransactionalOffsets.fail(producerId: producerId, topicPartition: tp)
                    }
                }
                return slot.pendingTransactionalOffsets.hasPending(producerId: producerId)
            }
            if !hasPending { removeProducerGroup(producerId, groupId) }
            if code != .none {
                logger.debug("Transactional offset commit of producer \(producerId) for group \(groupId) failed with \(error)")
            }
            completion(offsets.mapValues { _ in code })
        }
    }

    /// Notes the kind of commit `groupId` receives, and warns as Kafka 2.3 does once the group
    /// has had both (the check comes before the commit that is about to be written counts).
    func warnIfMixingOffsetCommits(_ groupId: String, transactional: Bool) {
        let mixed: (Bool, String?) = withGroup(groupId) { slot, _ in
            let mixed = slot.receivedConsumerOffsetCommits && slot.receivedTransactionalOffsetCommits
            if transactional { slot.receivedTransactionalOffsetCommits = true } else { slot.receivedConsumerOffsetCommits = true }
            return (mixed, slot.group?.leaderId)
        }
        guard mixed.0 else { return }
        logger.warning("group: \(groupId) with leader: \(mixed.1 ?? "null") has received offset commits from consumers as well as transactional producers. Mixing both types of offset commits will generally result in surprises and should be avoided.")
    }

    /// `producerId`'s transaction ended (`isCommit`) with markers written to the
    /// `__consumer_offsets` partitions `partitions` of this broker (Kafka's
    /// `handleTxnCompletion`): in each of their groups where the producer has pending offsets,
    /// they become the committed offsets (COMMIT) or are dropped (ABORT). For a partition still
    /// loading the marker is kept and applied when the load is installed. Returns the groups
    /// completed now.
    @discardableResult
    func handleTxnCompletion(producerId: Int64, partitions: Set<Int32>, isCommit: Bool) -> [String] {
        var completed: [String] = []
        let loaded = deferCompletionWhileLoading(producerId: producerId, partitions: partitions, isCommit: isCommit)
        for groupId in groupsBelongingToPartitions(producerId, loaded) {
            let done: Bool = withGroup(groupId) { slot, status in
                guard status == nil, slot.group?.state != .dead else { return false }
                slot.pendingTransactionalOffsets.complete(
                    producerId: producerId, isCommit: isCommit, committed: &slot.offsets, batchOffsets: &slot.offsetBatchOffsets)
                return true
            }
            if done {
                removeProducerGroup(producerId, groupId)
                completed.append(groupId)
            } else {
                logger.info("Group \(groupId) has moved away from \(brokerId.rawValue) after transaction marker was written but before the cache was updated. The cache on the new group owner will be updated instead.")
            }
        }
        return completed
    }
}
