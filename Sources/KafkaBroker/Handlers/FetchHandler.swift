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
/// Fetch sessions (KIP-227, v7+): `fetchManager` decides first which partitions the request
/// reads — those it names (a full fetch), or every partition of its session (an incremental
/// fetch, which names only what changed on the client's side) — and, once they are read, what the
/// response carries: all of them with the new session's id (full, epoch 0), all of them with
/// session id 0 (sessionless, epoch -1), only those with records, errors or a moved high
/// watermark or log start offset (incremental), or nothing but FETCH_SESSION_ID_NOT_FOUND /
/// INVALID_FETCH_SESSION_EPOCH. A request that reads no partition is answered at once.
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
    /// The broker's fetch sessions.
    let fetchManager: FetchManager

    init(replicaManager: ReplicaManager, fetchManager: FetchManager = FetchManager()) {
        self.replicaManager = replicaManager
        self.fetchManager = fetchManager
    }

    func handle(_ request: KafkaRequest, respond: @escaping @Sendable (KafkaResponseAction) -> Void) async throws {
        var body = request.body
        let fetch = try Fetch.decodeRequest(from: &body, version: request.header.apiVersion)
        let follower = fetch.replicaId.rawValue >= 0 ? fetch.replicaId : nil
        let context = fetchManager.newContext(fetch, version: request.header.apiVersion, isFromFollower: follower != nil)
        let fetches = context.partitions
        if let follower {
            await recordFollowerFetch(follower, fetches)
        }
        // Kafka's order (`ReplicaManager.fetchMessages`): read first, and answer with that read
        // when the request does not wait, reads nothing (a session error, an emptied session),
        // already has `min_bytes` or met an error. Only a fetch that must wait enters the
        // purgatory; its response is read again when it completes. So a consumer reading a
        // backlog costs one read of its partitions per fetch, not a check and then a read.
        let reads = read(fetch, context: context, follower: follower, version: request.header.apiVersion)
        let readable = reads.reduce(0) { $0 + $1.slice.size }
        if fetch.maxWaitMs <= 0 || fetch.minBytes <= 0 || fetches.isEmpty || readable >= Int(fetch.minBytes)
            || reads.contains(where: { $0.data.errorCode != .none })
        {
            return respond(response(to: fetch, context: context, request: request, reads: reads))
        }
        let operation = DelayedFetch(
            delayMs: Int64(fetch.maxWaitMs), minBytes: Int(fetch.minBytes), fetches: fetches.map { ($0.topicPartition, $0.request.fetchOffset) },
            isFromFollower: follower != nil, replicaManager: replicaManager,
            completion: {
                let reads = read(fetch, context: context, follower: follower, version: request.header.apiVersion)
                respond(response(to: fetch, context: context, request: request, reads: reads))
            })
        replicaManager.fetchPurgatory.tryCompleteElseWatch(operation, watchKeys: fetches.map(\.topicPartition))
    }

    /// One partition's part of a fetch, as read from its log.
    typealias PartitionRead = (entry: FetchContext.Entry, data: Fetch.PartitionData, slice: FileSlice)

    /// Reads the partitions of `context` in its order from the logs as they are now (a delayed
    /// fetch: as they are when it completes): each partition's data or error, and its records as
    /// a file slice.
    private func read(_ fetch: Fetch.Request, context: FetchContext, follower: BrokerId?, version: Int16) -> [PartitionRead] {
        var remaining = version >= 3 ? Int(fetch.maxBytes) : Int.max
        var read: [PartitionRead] = []
        for entry in context.partitions {
            let requested = entry.request
            let tp = entry.topicPartition
            func failed(_ code: ErrorCode) -> Fetch.PartitionData {
                .init(partitionIndex: requested.partition, errorCode: code, highWatermark: -1, records: ByteBuffer())
            }
            guard let partition = replicaManager.partition(tp) else {
                read.append((entry, failed(.unknownTopicOrPartition), .empty()))
                continue
            }
            // Before v10 a client cannot read zstd: a zstd topic is refused outright (Kafka 2.3).
            if version < 10, partition.log.withLock({ partition.log.config.compressionType }) == .type(.zstd) {
                read.append((entry, failed(.unsupportedCompressionType), .empty()))
                continue
            }
            let epochCheck = partition.checkLeaderEpoch(requested.currentLeaderEpoch)
            guard epochCheck == .none else {
                read.append((entry, failed(epochCheck), .empty()))
                continue
            }
            guard partition.isLeader else {
                read.append((entry, failed(.notLeaderForPartition), .empty()))
                continue
            }
            do {
                let limit = max(0, min(Int(requested.partitionMaxBytes), remaining))
                let nothingYet = read.allSatisfy { $0.slice.size == 0 }
                let slice = try partition.readSlice(offset: requested.fetchOffset, maxBytes: limit, minOneMessage: nothingYet && version >= 3,
                                                   isolatedToHighWatermark: follower == nil)
                remaining -= slice.records.size
                read.append((entry, .init(partitionIndex: requested.partition, highWatermark: slice.highWatermark,
                                          lastStableOffset: slice.highWatermark, logStartOffset: slice.logStartOffset,
                                          abortedTransactions: version >= 4 ? [] : nil, records: ByteBuffer()), slice.records))
            } catch let error as LogError {
                let offsets = partition.offsets
                read.append((entry, .init(partitionIndex: requested.partition, errorCode: ErrorCode(rawValue: error.kafkaErrorCode),
                                          highWatermark: offsets.highWatermark, lastStableOffset: offsets.highWatermark,
                                          logStartOffset: offsets.logStartOffset, records: ByteBuffer()), .empty()))
            } catch StorageError.closed {
                // The partition is being deleted or moved away under this fetch.
                read.append((entry, failed(.notLeaderForPartition), .empty()))
            } catch {
                read.append((entry, failed(.kafkaStorageError), .empty()))
            }
        }
        return read
    }

    /// The response to `reads`: the fetch session selects what it carries. Consecutive
    /// partitions of one topic share a topic entry.
    private func response(to fetch: Fetch.Request, context: FetchContext, request: KafkaRequest, reads: [PartitionRead]) -> KafkaResponseAction {
        let version = request.header.apiVersion
        var read = reads
        let session = fetchManager.completeResponse(context, outcomes: read.map {
            ($0.entry.topicPartition, FetchPartitionOutcome(errorCode: $0.data.errorCode, highWatermark: $0.data.highWatermark,
                                                            logStartOffset: $0.data.logStartOffset, recordsSize: $0.slice.size))
        })
        if session.errorCode != .none {
            read = []
        } else if let selected = session.selected.map(Set.init) {
            read = read.filter { selected.contains($0.entry.topicPartition) }
        }
        var responses: [Fetch.FetchableTopicResponse] = []
        var slices: [[FileSlice]] = []
        var entries: [[FetchContext.Entry]] = []
        for (entry, data, slice) in read {
            if responses.last?.topic != entry.topicPartition.topic {
                responses.append(.init(topic: entry.topicPartition.topic, partitions: []))
                slices.append([])
                entries.append([])
            }
            responses[responses.count - 1].partitions.append(data)
            slices[slices.count - 1].append(slice)
            entries[entries.count - 1].append(entry)
        }
        let response = Fetch.Response(errorCode: session.errorCode, sessionId: session.sessionId, responses: responses)
        if let magic = Self.downConversionMagic(forVersion: version) {
            return downConvertedFrame(response, slices: slices, entries: entries, toMagic: magic, request: request)
        }
        return Self.splicedFrame(response, slices: slices, request: request)
    }

    /// The leader learns where each of the follower's logs ends (its fetch offsets); a moved high
    /// watermark wakes the waiting produces and fetches, a caught-up follower joins the ISR.
    /// With a fetch session these are all the session's partitions, named in the request or not,
    /// so a caught-up follower stays caught up while its requests name only what changed.
    private func recordFollowerFetch(_ follower: BrokerId, _ fetches: [FetchContext.Entry]) async {
        for entry in fetches {
            let requested = entry.request
            let tp = entry.topicPartition
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
        // The force unwraps below cannot fail: every position lies between 0 and the writer index
        // (`writeSplicingRecords` returns offsets it wrote at, in increasing order).
        for (position, slice) in zip(positions, flat) where slice.size > 0 {
            parts.append(.bytes(buffer.getSlice(at: start, length: position - start)!))
            parts.append(.file(path: slice.path, position: slice.position, size: slice.size))
            start = position
        }
        parts.append(.bytes(buffer.getSlice(at: start, length: buffer.writerIndex - start)!))
        return .sendParts(parts)
    }
}
