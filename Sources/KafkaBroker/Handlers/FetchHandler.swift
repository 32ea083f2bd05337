import KafkaCommon
import KafkaProtocol
import KafkaPurgatory
import KafkaStorage

/// Fetch for consumers: each partition's batches from its fetch offset, up to the high watermark,
/// within `partition_max_bytes` and the response's `max_bytes` (the first batch is returned whole
/// even when larger, so a consumer always progresses). With fewer than `min_bytes` available the
/// request waits in the fetch purgatory (`DelayedFetch`) for up to `max_wait_ms`.
///
/// Fetch sessions (KIP-227): this broker creates none — it answers session id 0, and clients
/// fall back to full fetch requests, as they do with any broker that has no session cache slot.
/// `isolation_level` is accepted; with no transactions yet, the last stable offset is the high
/// watermark and there are no aborted transactions. The records are copied from the segment file
/// into the response (the sendfile path is still to come).
struct FetchHandler: KafkaRequestHandler {
    let apiKey = ApiKey.fetch
    let replicaManager: ReplicaManager
    let purgatory: DelayedOperationPurgatory<DelayedFetch>

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        var body = request.body
        let version = request.header.apiVersion
        let fetch = try Fetch.decodeRequest(from: &body, version: version)
        let fetches = fetch.topics.flatMap { topic in topic.partitions.map { (TopicPartition(topic.topic, $0.partition), $0.fetchOffset) } }
        if fetch.maxWaitMs > 0, fetch.minBytes > 0 {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let operation = DelayedFetch(delayMs: Int64(fetch.maxWaitMs), minBytes: Int(fetch.minBytes), fetches: fetches,
                                             replicaManager: replicaManager, completion: { continuation.resume() })
                purgatory.tryCompleteElseWatch(operation, watchKeys: fetches.map(\.0))
            }
        }
        var remaining = version >= 3 ? Int(fetch.maxBytes) : Int.max
        var responses: [Fetch.FetchableTopicResponse] = []
        for topic in fetch.topics {
            var partitions: [Fetch.PartitionData] = []
            for requested in topic.partitions {
                let tp = TopicPartition(topic.topic, requested.partition)
                guard let partition = replicaManager.partition(tp) else {
                    partitions.append(.init(partitionIndex: requested.partition, errorCode: .unknownTopicOrPartition,
                                            highWatermark: -1, records: ByteBuffer()))
                    continue
                }
                guard partition.isLeader else {
                    partitions.append(.init(partitionIndex: requested.partition, errorCode: .notLeaderForPartition,
                                            highWatermark: -1, records: ByteBuffer()))
                    continue
                }
                do {
                    let limit = max(0, min(Int(requested.partitionMaxBytes), remaining))
                    let read = try partition.read(offset: requested.fetchOffset, maxBytes: limit,
                                                  minOneMessage: responses.isEmpty && partitions.allSatisfy { ($0.records?.readableBytes ?? 0) == 0 },
                                                  isolatedToHighWatermark: fetch.replicaId.rawValue < 0)
                    remaining -= read.records.readableBytes
                    partitions.append(.init(partitionIndex: requested.partition, highWatermark: read.highWatermark,
                                            lastStableOffset: read.highWatermark, logStartOffset: read.logStartOffset,
                                            abortedTransactions: version >= 4 ? [] : nil, records: read.records))
                } catch let error as LogError {
                    let offsets = partition.offsets
                    partitions.append(.init(partitionIndex: requested.partition, errorCode: ErrorCode(rawValue: error.kafkaErrorCode),
                                            highWatermark: offsets.highWatermark, lastStableOffset: offsets.highWatermark,
                                            logStartOffset: offsets.logStartOffset, records: ByteBuffer()))
                }
            }
            responses.append(.init(topic: topic.topic, partitions: partitions))
        }
        return Fetch.responseFrame(Fetch.Response(sessionId: 0, responses: responses), to: request)
    }
}
