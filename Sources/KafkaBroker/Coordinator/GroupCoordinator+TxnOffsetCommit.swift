import GroupCoordinator
import KafkaCommon
import KafkaProtocol

/// Offsets committed by a transactional producer (`send_offsets_to_transaction`), and their
/// completion by the transaction's markers.
extension GroupCoordinator {
    /// TxnOffsetCommit (Kafka 2.3's `handleTxnCommitOffsets`): an empty group id is
    /// INVALID_GROUP_ID; a group this broker does not serve is NOT_COORDINATOR or
    /// COORDINATOR_LOAD_IN_PROGRESS, as for OffsetCommit; an unknown group is created Empty; a
    /// Dead one (removed meanwhile) is UNKNOWN_MEMBER_ID. Membership and generation are not
    /// checked: the producer commits for the group. Metadata longer than
    /// `offset.metadata.max.bytes` is OFFSET_METADATA_TOO_LARGE for its partition; the others
    /// are written as pending offsets of the producer's transaction and answered once written.
    func handleTxnCommitOffsets(
        groupId: String, producerId: Int64, producerEpoch: Int16, offsets: [TopicPartition: OffsetCommitValue],
        respond: @escaping @Sendable ([TopicPartition: ErrorCode]) -> Void
    ) {
        if groupId.isEmpty { return respond(offsets.mapValues { _ in .invalidGroupId }) }
        let now = time.milliseconds
        let verdict: ErrorCode = manager.withGroup(groupId) { slot, status in
            if let status { return status }
            guard let group = slot.group else {
                slot.group = GroupMetadata(groupId: groupId, state: .empty, now: now)
                return .none
            }
            return group.state == .dead ? .unknownMemberId : .none
        }
        guard verdict == .none else { return respond(offsets.mapValues { _ in verdict }) }
        var refused: [TopicPartition: ErrorCode] = [:]
        var valid: [TopicPartition: OffsetCommitValue] = [:]
        for (tp, value) in offsets {
            if value.metadata.utf8.count > Int(offsetMetadataMaxBytes) {
                refused[tp] = .offsetMetadataTooLarge
            } else {
                valid[tp] = value
            }
        }
        let tooLarge = refused
        manager.storeTxnOffsets(groupId: groupId, producerId: producerId, producerEpoch: producerEpoch, offsets: valid) { stored in
            respond(tooLarge.merging(stored) { $1 })
        }
    }

    /// A transaction's marker is written to `__consumer_offsets` partitions of this broker
    /// (Kafka's `scheduleHandleTxnCompletion`, called by WriteTxnMarkers once the ISR has the
    /// marker): the producer's pending offsets in those partitions' groups are committed or
    /// dropped. Done before WriteTxnMarkers answers, so a transaction the coordinator sees
    /// complete has its offsets served.
    func scheduleHandleTxnCompletion(producerId: Int64, offsetsPartitions: Set<Int32>, isCommit: Bool) {
        let groups = manager.handleTxnCompletion(producerId: producerId, partitions: offsetsPartitions, isCommit: isCommit)
        if !groups.isEmpty {
            logger.debug("Completed the \(isCommit ? "COMMIT" : "ABORT") of producer \(producerId)'s offsets in groups \(groups.joined(separator: ", "))")
        }
    }
}
