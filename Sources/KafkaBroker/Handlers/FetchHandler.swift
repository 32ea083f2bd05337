import KafkaCommon
import KafkaProtocol
import KafkaPurgatory
import KafkaStorage

/// Fetch, from consumers and from followers (`replica_id` ≥ 0): each partition's batches from
/// its fetch offset — up to the high watermark for a consumer, up to the log end offset for a
/// follower — within `partition_max_bytes` and the response's `max_bytes` (from v3 on, KIP-74, the
/// first batch is returned whole even when larger, so a reader always progresses; v0–v2 limits
/// are hard, as in Kafka). With fewer than `min_bytes`
/// available the request waits in the fetch purgatory (`DelayedFetch`) for up to `max_wait_ms`,
/// holding no request handler: the thread that completes it (an append, a high watermark move,
/// the timer) reads the logs and sends the response, as in Kafka.
///
/// A follower's fetch offset is its log end offset: the leader records it before anything else
/// (`Partition.recordFollowerFetch`), which may move the high watermark (completing acks=all
/// produces and consumer fetches) and bring the follower into the ISR. A `current_leader_epoch`
/// older than the partition's is FENCED_LEADER_EPOCH, newer UNKNOWN_LEADER_EPOCH. A topic whose
/// `compression.type` is zstd answers UNSUPPORTED_COMPRESSION_TYPE to fetches older than v10.
///
/// Fetch sessions (KIP-227): this broker creates none — it answers session id 0, and clients
/// fall back to full fetch requests, as they do with any broker that has no session cache slot.
/// `isolation_level` is accepted; with no transactions yet, the last stable offset is the high
/// watermark and there are no aborted transactions.
///
/// Zero copy: the response is written with every partition's records left out
/// (`Fetch.Response.writeSplicingRecords`) and sent as memory parts interleaved with segment-file
/// regions, which NIO sends with sendfile: record bytes go from the page cache to the socket and
/// never through a Swift buffer. Except for Fetch v0–v3, whose clients cannot read the stored v2
/// batches: their records are read into memory and down-converted (`FetchHandler+DownConversion`).
struct FetchHandler: KafkaDelayingRequestHandler {
    let apiKey = ApiKey.fetch
    let replicaManager: ReplicaManager

    func handle(_ request: KafkaRequest, respond: @escaping @Sendable (KafkaResponseAction) -> Void) async throws {
        var body = request.body
        let fetch = try Fetch.decodeRequest(from: &body, version: request.header.apiVersion)
        let follower = fetch.replicaId.rawValue >= 0 ? fetch.replicaId : nil
        if let follower {
            await recordFollowerFetch(follower, fetch)
        }
        guard fetch.maxWaitMs > 0, fetch.minBytes > 0 else {
            return respond(response(to: fetch, follower: follower, request: request))
        }
        let fetches = fetch.topics.flatMap { topic in topic.partitions.map { (TopicPartition(topic.topic, $0.partition), $0.fetchOffset) } }
        let operation = DelayedFetch(delayMs: Int64(fetch.maxWaitMs), minBytes: Int(fetch.minBytes), fetches: fetches,
                                     isFromFollower: follower != nil, replicaManager: replicaManager,
                                     completion: { respond(response(to: fetch, follower: follower, request: request)) })
        replicaManager.fetchPurgatory.tryCompleteElseWatch(operation, watchKeys: fetches.map(\.0))
    }

    /// The response, read from the logs as they are now (a delayed fetch: as they are when it
    /// completes).
    private func response(to fetch: Fetch.Request, follower: BrokerId?, request: KafkaRequest) -> KafkaResponseAction {
        let version = request.header.apiVersion
        var remaining = version >= 3 ? Int(fetch.maxBytes) : Int.max
        var responses: [Fetch.FetchableTopicResponse] = []
        var slices: [[FileSlice]] = []
        for topic in fetch.topics {
            var partitions: [Fetch.PartitionData] = []
            var topicSlices: [FileSlice] = []
            for requested in topic.partitions {
                topicSlices.append(.empty())
                let tp = TopicPartition(topic.topic, requested.partition)
                func failed(_ code: ErrorCode) -> Fetch.PartitionData {
                    .init(partitionIndex: requested.partition, errorCode: code, highWatermark: -1, records: ByteBuffer())
                }
                guard let partition = replicaManager.partition(tp) else {
                    partitions.append(failed(.unknownTopicOrPartition))
                    continue
                }
                // Before v10 a client cannot read zstd: a zstd topic is refused outright (Kafka 2.3).
                if version < 10, partition.log.config.compressionType == .type(.zstd) {
                    partitions.append(failed(.unsupportedCompressionType))
                    continue
                }
                let epochCheck = partition.checkLeaderEpoch(requested.currentLeaderEpoch)
                guard epochCheck == .none else {
                    partitions.append(failed(epochCheck))
                    continue
                }
                guard partition.isLeader else {
                    partitions.append(failed(.notLeaderForPartition))
                    continue
                }
                do {
                    let limit = max(0, min(Int(requested.partitionMaxBytes), remaining))
                    let nothingYet = slices.allSatisfy { $0.allSatisfy { $0.size == 0 } } && topicSlices.allSatisfy { $0.size == 0 }
                    let read = try partition.readSlice(offset: requested.fetchOffset, maxBytes: limit, minOneMessage: nothingYet && version >= 3,
                                                       isolatedToHighWatermark: follower == nil)
                    remaining -= read.records.size
                    topicSlices[topicSlices.count - 1] = read.records
                    partitions.append(.init(partitionIndex: requested.partition, highWatermark: read.highWatermark,
                                            lastStableOffset: read.highWatermark, logStartOffset: read.logStartOffset,
                                            abortedTransactions: version >= 4 ? [] : nil, records: ByteBuffer()))
                } catch let error as LogError {
                    let offsets = partition.offsets
                    partitions.append(.init(partitionIndex: requested.partition, errorCode: ErrorCode(rawValue: error.kafkaErrorCode),
                                            highWatermark: offsets.highWatermark, lastStableOffset: offsets.highWatermark,
                                            logStartOffset: offsets.logStartOffset, records: ByteBuffer()))
                } catch StorageError.closed {
                    // The partition is being deleted or moved away under this fetch.
                    partitions.append(failed(.notLeaderForPartition))
                } catch {
                    partitions.append(failed(.kafkaStorageError))
                }
            }
            responses.append(.init(topic: topic.topic, partitions: partitions))
            slices.append(topicSlices)
        }
        let response = Fetch.Response(sessionId: 0, responses: responses)
        if let magic = Self.downConversionMagic(forVersion: version) {
            return downConvertedFrame(response, slices: slices, fetch: fetch, toMagic: magic, request: request)
        }
        return Self.splicedFrame(response, slices: slices, request: request)
    }

    /// The leader learns where each of the follower's logs ends (its fetch offsets); a moved high
    /// watermark wakes the waiting produces and fetches, a caught-up follower joins the ISR.
    private func recordFollowerFetch(_ follower: BrokerId, _ fetch: Fetch.Request) async {
        for topic in fetch.topics {
            for requested in topic.partitions {
                let tp = TopicPartition(topic.topic, requested.partition)
                guard let partition = replicaManager.partition(tp), partition.isLeader,
                      partition.checkLeaderEpoch(requested.currentLeaderEpoch) == .none
                else { continue }
                let outcome = partition.recordFollowerFetch(
                    follower, fetchOffset: requested.fetchOffset, followerLogStartOffset: requested.logStartOffset,
                    replicaLagTimeMaxMs: replicaManager.config.replicaLagTimeMaxMs)
                if outcome.highWatermarkIncreased { replicaManager.completeDelayedRequests(tp) }
                if let isr = outcome.expandedIsr { await replicaManager.expandIsr(partition, isr) }
            }
        }
    }

    /// The response frame as memory parts with the file slices spliced in where the records go.
    static func splicedFrame(_ response: Fetch.Response, slices: [[FileSlice]], request: KafkaRequest) -> KafkaResponseAction {
        var buffer = ByteBuffer()
        buffer.writeInt32(0)
        ResponseHeader(correlationId: request.header.correlationId)
            .write(into: &buffer, headerVersion: Fetch.responseHeaderVersion(for: request.header.apiVersion))
        let positions = response.writeSplicingRecords(into: &buffer, version: request.header.apiVersion,
                                                      recordSizes: slices.map { $0.map(\.size) })
        let flat = slices.flatMap { $0 }
        let total = buffer.writerIndex - 4 + flat.reduce(0) { $0 + $1.size }
        buffer.setInteger(Int32(total), at: 0)
        var parts: [ResponsePart] = []
        var start = 0
        for (position, slice) in zip(positions, flat) where slice.size > 0 {
            parts.append(.bytes(buffer.getSlice(at: start, length: position - start)!))
            parts.append(.file(slice))
            start = position
        }
        parts.append(.bytes(buffer.getSlice(at: start, length: buffer.writerIndex - start)!))
        return .sendParts(parts)
    }
}
