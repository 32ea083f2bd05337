import GroupCoordinator
import KafkaCommon
import KafkaProtocol
import KafkaRecords

/// Writing groups and offsets to `__consumer_offsets` (Kafka's `GroupMetadataManager.storeGroup`
/// and `storeOffsets`): one batch to the group's partition, appended as its leader with
/// `offsets.commit.required.acks` and answered once the ISR has it (or at
/// `offsets.commit.timeout.ms`), with the append's error mapped as Kafka maps it for clients.
extension GroupMetadataManager {
    /// Writes `group`'s metadata as `store` describes it; `completion` gets the error for the
    /// members (NONE on success), on whichever thread completes the append.
    func storeGroup(_ group: GroupMetadata, _ store: StoreGroup, completion: @escaping @Sendable (ErrorCode) -> Void) {
        let protocolName = group.protocolName
        let value = GroupMetadataValue(
            protocolType: group.protocolType ?? "", generation: store.generationId, protocol: protocolName,
            leader: group.leaderId, currentStateTimestamp: group.currentStateTimestamp ?? time.milliseconds,
            members: group.allMembers.map { member in
                GroupMetadataValue.Member(
                    memberId: member.memberId, groupInstanceId: member.groupInstanceId, clientId: member.clientId,
                    clientHost: member.clientHost, rebalanceTimeout: member.rebalanceTimeoutMs,
                    sessionTimeout: member.sessionTimeoutMs,
                    subscription: protocolName.flatMap { member.metadata(for: $0) } ?? .init(),
                    assignment: store.assignment[member.memberId] ?? .init())
            })
        let record = OffsetsTopicRecord.groupMetadata(
            group: group.groupId, value: value, interBrokerProtocolVersion: interBrokerProtocolVersion)
        append([record], to: partitionFor(group.groupId)) { error in
            completion(Self.groupStoreError(error))
        }
    }

    /// Writes committed offsets of `groupId`; on success they enter the cache. `completion` gets
    /// one error per partition (NONE on success).
    func storeOffsets(
        groupId: String, offsets: [TopicPartition: OffsetCommitValue],
        completion: @escaping @Sendable ([TopicPartition: ErrorCode]) -> Void
    ) {
        guard !offsets.isEmpty else { return completion([:]) }
        warnIfMixingOffsetCommits(groupId, transactional: false)
        let records = offsets.map { tp, value in
            OffsetsTopicRecord.offsetCommit(
                group: groupId, topicPartition: tp, value: value, interBrokerProtocolVersion: interBrokerProtocolVersion)
        }
        appendBatch(records, to: partitionFor(groupId)) { [self] error, batchBaseOffset in
            let code = Self.offsetCommitError(error)
            if code == .none {
                withGroup(groupId) { slot, status in
                    // Unless the partition was unloaded while the write waited.
                    guard status == nil else { return }
                    for (tp, value) in offsets {
                        // A commit of a later batch (a transaction's, completed first) stays.
                        if let current = slot.offsetBatchOffsets[tp], slot.offsets[tp] != nil, current > batchBaseOffset { continue }
                        slot.offsets[tp] = value
                        slot.offsetBatchOffsets[tp] = batchBaseOffset
                    }
                }
            }
            completion(offsets.mapValues { _ in code })
        }
    }

    /// Writes the tombstones of a deleted group (Kafka's `cleanupGroupMetadata`): one per
    /// committed offset, then the group's if it ever completed a rebalance (generation > 0; a
    /// group that only stored offsets has no metadata record to bury, and Kafka 2.3 writes none).
    /// `completion` gets the append's mapped error (NONE at once when there is nothing to write).
    func storeGroupDeletion(
        groupId: String, partitions: [TopicPartition], generationId: Int32, completion: @escaping @Sendable (ErrorCode) -> Void
    ) {
        storeTombstones(groupId: groupId, partitions: partitions, includingGroup: generationId > 0, completion: completion)
    }

    /// Tombstones for `partitions`' offsets of `groupId`, and for the group if `includingGroup`.
    func storeTombstones(
        groupId: String, partitions: [TopicPartition], includingGroup: Bool, completion: @escaping @Sendable (ErrorCode) -> Void
    ) {
        let records = partitions.map { OffsetsTopicRecord.offsetCommitTombstone(group: groupId, topicPartition: $0) }
            + (includingGroup ? [OffsetsTopicRecord.groupMetadataTombstone(group: groupId)] : [])
        guard !records.isEmpty else { return completion(.none) }
        append(records, to: partitionFor(groupId)) { error in completion(Self.offsetCommitError(error)) }
    }

    /// The committed offsets of a group's `slot` for `partitions` (all of them when nil).
    func fetchOffsets(_ slot: GroupEntry.Slot, partitions: [TopicPartition]?) -> [(TopicPartition, OffsetCommitValue?)] {
        let cached = slot.offsets
        guard let partitions else {
            return cached.sorted { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }.map { ($0.key, $0.value) }
        }
        return partitions.map { ($0, cached[$0]) }
    }

    /// Appends `records` as one batch to `__consumer_offsets`-`partition`; `completion` gets the
    /// append's error (NONE once acknowledged as `offsets.commit.required.acks` asks).
    private func append(_ records: [OffsetsTopicRecord], to partition: Int32, completion: @escaping @Sendable (ErrorCode) -> Void) {
        appendBatch(records, to: partition) { error, _ in completion(error) }
    }

    /// Appends `records` as one batch to `__consumer_offsets`-`partition`, a transactional one of
    /// `producer` (its id and epoch, base sequence 0, appended as the coordinator's, so that
    /// the producer state records the transaction without checking sequences, as Kafka 2.3's
    /// `isFromClient = false`) when given; `completion` gets the append's error and the batch's
    /// base offset (-1 on error).
    func appendBatch(
        _ records: [OffsetsTopicRecord], to partition: Int32, producer: (id: Int64, epoch: Int16)? = nil,
        completion: @escaping @Sendable (ErrorCode, Int64) -> Void
    ) {
        let now = time.milliseconds
        var builder = MemoryRecordsBuilder(compression: config.offsetsTopicCompressionCodec)
        if let producer {
            builder.producerId = producer.id
            builder.producerEpoch = producer.epoch
            builder.baseSequence = 0
            builder.isTransactional = true
        }
        for record in records {
            builder.append(timestamp: now, key: record.keyBuffer, value: record.valueBuffer)
        }
        let built: MemoryRecords
        do {
            built = try builder.buildRecords()
        } catch {
            return completion(.unknownServerError, -1)
        }
        let tp = topicPartition(partition)
        replicaManager.appendRecords(
            timeout: Int64(config.offsetCommitTimeoutMs), requiredAcks: config.offsetCommitRequiredAcks,
            internalTopicsAllowed: true, origin: producer == nil ? .client : .coordinator, entriesPerPartition: [(tp, built)]
        ) { results in
            let response = results.first?.response
            completion(response?.errorCode ?? .unknownServerError, response?.baseOffset ?? -1)
        }
    }

    /// Kafka's mapping of a group write's append error for the members.
    static func groupStoreError(_ error: ErrorCode) -> ErrorCode {
        switch error {
        case .none: .none
        case .unknownTopicOrPartition, .notEnoughReplicas, .notEnoughReplicasAfterAppend: .coordinatorNotAvailable
        case .notLeaderForPartition, .kafkaStorageError: .notCoordinator
        case .requestTimedOut: .rebalanceInProgress
        case .messageTooLarge, .recordListTooLarge, .invalidFetchSize: .unknownServerError
        default: error
        }
    }

    /// Kafka's mapping of an offset commit's append error for the committer.
    static func offsetCommitError(_ error: ErrorCode) -> ErrorCode {
        switch error {
        case .none: .none
        case .unknownTopicOrPartition, .notEnoughReplicas, .notEnoughReplicasAfterAppend: .coordinatorNotAvailable
        case .notLeaderForPartition, .kafkaStorageError: .notCoordinator
        case .messageTooLarge, .recordListTooLarge, .invalidFetchSize: .invalidCommitOffsetSize
        default: error
        }
    }
}

extension GroupCoordinatorConfig {
    /// The settings the group state machine decides with (Kafka's `GroupConfig`).
    var groupConfig: GroupConfig {
        GroupConfig(
            minSessionTimeoutMs: groupMinSessionTimeoutMs, maxSessionTimeoutMs: groupMaxSessionTimeoutMs,
            maxSize: groupMaxSize, initialRebalanceDelayMs: groupInitialRebalanceDelayMs)
    }
}
