import KafkaCommon
import KafkaProtocol
import KafkaPurgatory
import KafkaStorage

/// Fetch below its handler (Kafka's `ReplicaManager.fetchMessages` and `readFromLocalLog`): the
/// handler decodes the request, decides with the fetch session which partitions it reads, and
/// encodes (or down-converts) the answer; this records a follower's progress, reads the local
/// logs (`Partition.readSlice` → `Log.read`) and, when there is not yet enough to send, waits in
/// the fetch purgatory.
extension ReplicaManager {
    /// Reads `fetchInfos` from the local logs and answers through `responseCallback` with one
    /// `FetchPartitionData` per entry, in the same order.
    ///
    /// `replicaId` ≥ 0 is a follower: before anything is read, the leader records each of its
    /// fetch offsets as where the follower's log ends (`updateFollowerFetchState`), which may move
    /// the high watermark (completing acks=all produces and consumer fetches) and bring it into
    /// the ISR (a ZooKeeper write, awaited here). A follower reads up to the log end offset
    /// (replicas always read uncommitted), a `read_uncommitted` consumer up to the high watermark,
    /// a `read_committed` one up to the last stable offset, with the aborted transactions
    /// overlapping what it reads (`FetchIsolation`).
    ///
    /// Completion cases, and which thread calls `responseCallback`:
    /// 1. `timeout` ≤ 0, `fetchMinBytes` ≤ 0, nothing to read, or a first read that already
    ///    holds `fetchMinBytes` or has a partition error: answered at once with that read, on
    ///    the calling thread.
    /// 2. Otherwise a `DelayedFetch` in the fetch purgatory, watched under every partition read,
    ///    completes when the partitions hold `fetchMinBytes` between them from the fetch offsets,
    ///    when one of them is no longer led here or its offset left the log's range, or when
    ///    `timeout` ms pass. The logs are read then, as they are then, on the completing thread:
    ///    the calling thread if it completes at once, a request handler whose append or follower
    ///    fetch completed it, a LeaderAndIsr or StopReplica handler, the ISR-update task, or the
    ///    purgatory's timer executor (timeout). Nothing waits on the calling thread.
    ///
    /// Limits: each partition reads at most its `partitionMaxBytes`, and all together at most
    /// `fetchMaxBytes`; unless `hardMaxBytesLimit` (Fetch v0–v2), the first partition with data
    /// returns its first batch whole even when larger (KIP-74), so a reader always progresses.
    /// `clientReadsZstd` false (Fetch below v10) answers a zstd topic's partitions
    /// UNSUPPORTED_COMPRESSION_TYPE without reading them.
    func fetchMessages(
        timeout: Int64, replicaId: BrokerId, fetchMinBytes: Int, fetchMaxBytes: Int, hardMaxBytesLimit: Bool,
        fetchInfos: [(TopicPartition, Fetch.FetchPartition)], isolationLevel: IsolationLevel, clientReadsZstd: Bool,
        responseCallback: @escaping @Sendable ([FetchPartitionData]) -> Void
    ) async {
        let follower = replicaId.rawValue >= 0 ? replicaId : nil
        if let follower {
            await updateFollowerFetchState(follower, fetchInfos)
        }
        let isolation = FetchIsolation(isFromFollower: follower != nil, isolationLevel: isolationLevel)
        let read: @Sendable () -> [FetchPartitionData] = { [self] in
            readFromLocalLog(fetchInfos, isolation: isolation, fetchMaxBytes: fetchMaxBytes,
                             hardMaxBytesLimit: hardMaxBytesLimit, clientReadsZstd: clientReadsZstd)
        }
        // Kafka's order: read first, and answer with that read when the request does not wait,
        // reads nothing (a session error, an emptied session), already has `fetchMinBytes` or
        // met an error. Only a fetch that must wait enters the purgatory, and is read again when
        // it completes: a consumer reading a backlog costs one read per fetch, not a check and
        // then a read, and a fenced epoch is answered at once instead of after `timeout`.
        let first = read()
        if timeout <= 0 || fetchMinBytes <= 0 || fetchInfos.isEmpty
            || first.reduce(0, { $0 + $1.records.size }) >= fetchMinBytes
            || first.contains(where: { $0.data.errorCode != .none })
        {
            return responseCallback(first)
        }
        let operation = DelayedFetch(delayMs: timeout, minBytes: fetchMinBytes,
                                     fetches: fetchInfos.map { ($0.0, $0.1.fetchOffset) },
                                     isolation: isolation, replicaManager: self,
                                     completion: { responseCallback(read()) })
        fetchPurgatory.tryCompleteElseWatch(operation, watchKeys: fetchInfos.map(\.0))
    }

    /// The read loop (Kafka's `readFromLocalLog`): each partition's records from its fetch
    /// offset, in order, within its `partitionMaxBytes` and what is left of `fetchMaxBytes`.
    /// Per-partition errors: UNKNOWN_TOPIC_OR_PARTITION (not hosted here),
    /// UNSUPPORTED_COMPRESSION_TYPE (see `clientReadsZstd`), FENCED_LEADER_EPOCH /
    /// UNKNOWN_LEADER_EPOCH (`current_leader_epoch` older / newer than the partition's),
    /// NOT_LEADER_FOR_PARTITION (a follower here, or the log closed under the read: deleted or
    /// moved), OFFSET_OUT_OF_RANGE and the log's other errors (with the partition's offsets),
    /// KAFKA_STORAGE_ERROR for anything else. Every partition read reports its last stable
    /// offset (whatever the isolation, as Kafka 2.3 fills it); only a `.txnCommitted` read carries
    /// an `aborted_transactions` list, null otherwise.
    func readFromLocalLog(
        _ fetchInfos: [(TopicPartition, Fetch.FetchPartition)], isolation: FetchIsolation, fetchMaxBytes: Int,
        hardMaxBytesLimit: Bool, clientReadsZstd: Bool
    ) -> [FetchPartitionData] {
        var remaining = fetchMaxBytes
        // Whether an earlier partition already returned records (KIP-74: only the first may
        // exceed its limits).
        var hasRecords = false
        var read: [FetchPartitionData] = []
        for (tp, requested) in fetchInfos {
            brokerTopicStats?.fetchRequested(tp.topic)
            func failed(_ code: ErrorCode) -> Fetch.PartitionData {
                .init(partitionIndex: requested.partition, errorCode: code, highWatermark: -1, records: ByteBuffer())
            }
            guard let partition = partition(tp) else {
                read.append(.init(topicPartition: tp, data: failed(.unknownTopicOrPartition), records: .empty()))
                continue
            }
            // Before v10 a client cannot read zstd: a zstd topic is refused outright (Kafka 2.3).
            if !clientReadsZstd, partition.log.config.compressionType == .type(.zstd) {
                read.append(.init(topicPartition: tp, data: failed(.unsupportedCompressionType), records: .empty()))
                continue
            }
            let epochCheck = partition.checkLeaderEpoch(requested.currentLeaderEpoch)
            guard epochCheck == .none else {
                read.append(.init(topicPartition: tp, data: failed(epochCheck), records: .empty()))
                continue
            }
            guard partition.isLeader else {
                read.append(.init(topicPartition: tp, data: failed(.notLeaderForPartition), records: .empty()))
                continue
            }
            do {
                let limit = max(0, min(Int(requested.partitionMaxBytes), remaining))
                let slice = try partition.read(offset: requested.fetchOffset, maxBytes: limit,
                                               minOneMessage: !hasRecords && !hardMaxBytesLimit, isolation: isolation)
                remaining -= slice.records.size
                hasRecords = hasRecords || slice.records.size > 0
                let aborted = slice.abortedTransactions?.map {
                    Fetch.AbortedTransaction(producerId: $0.producerId, firstOffset: $0.firstOffset)
                }
                read.append(.init(topicPartition: tp,
                                  data: .init(partitionIndex: requested.partition, highWatermark: slice.highWatermark,
                                              lastStableOffset: slice.lastStableOffset, logStartOffset: slice.logStartOffset,
                                              abortedTransactions: aborted, records: ByteBuffer()),
                                  records: slice.records))
            } catch let error as LogError {
                let offsets = partition.isolatedOffsets
                read.append(.init(topicPartition: tp,
                                  data: .init(partitionIndex: requested.partition, errorCode: ErrorCode(rawValue: error.kafkaErrorCode),
                                              highWatermark: offsets.highWatermark, lastStableOffset: offsets.lastStableOffset,
                                              logStartOffset: offsets.logStartOffset, records: ByteBuffer()),
                                  records: .empty()))
            } catch StorageError.closed {
                // The partition is being deleted or moved away under this fetch.
                read.append(.init(topicPartition: tp, data: failed(.notLeaderForPartition), records: .empty()))
            } catch {
                brokerTopicStats?.fetchFailed(tp.topic)
                read.append(.init(topicPartition: tp, data: failed(.kafkaStorageError), records: .empty()))
            }
        }
        return read
    }

    /// The leader learns where each of the follower's logs ends (its fetch offsets; Kafka's
    /// `updateFollowerLogReadResults`); a moved high watermark wakes the waiting produces and
    /// fetches, a caught-up follower joins the ISR. With a fetch session these are all the
    /// session's partitions, named in the request or not, so a caught-up follower stays caught
    /// up while its requests name only what changed. Partitions not led here, or fetched with
    /// another leader epoch, are skipped (the read answers their error).
    func updateFollowerFetchState(_ follower: BrokerId, _ fetchInfos: [(TopicPartition, Fetch.FetchPartition)]) async {
        for (tp, requested) in fetchInfos {
            guard let partition = partition(tp), partition.isLeader,
                  partition.checkLeaderEpoch(requested.currentLeaderEpoch) == .none
            else { continue }
            let outcome = partition.recordFollowerFetch(
                follower, fetchOffset: requested.fetchOffset, followerLogStartOffset: requested.logStartOffset,
                replicaLagTimeMaxMs: config.replicaLagTimeMaxMs)
            if outcome.highWatermarkIncreased { completeDelayedRequests(tp) }
            if let isr = outcome.expandedIsr { await expandIsr(partition, isr) }
        }
    }
}
