import KafkaCommon
import KafkaProtocol
import KafkaPurgatory
import KafkaStorage

/// Fetch, from consumers and from followers (`replica_id` ≥ 0). The handler decodes the request,
/// lets the fetch session decide which partitions it reads, and hands them to
/// `ReplicaManager.fetchMessages` with the version's limits: `max_bytes` from v3 on (KIP-74: the
/// first batch whole even when larger, so a reader always progresses), hard limits for v0–v2, and
/// zstd readable from v10 on. That records a follower's fetch offsets, reads the logs (up to the
/// high watermark for a consumer, the log end offset for a follower) and, with fewer than
/// `min_bytes` available, waits in the fetch purgatory (`DelayedFetch`) for up to `max_wait_ms`,
/// holding no request handler (`fetchMessages` states the completion cases and which thread
/// answers). The handler's callback then encodes the response on that thread, as Kafka's does.
///
/// Fetch sessions (KIP-227, v7+): `fetchManager` decides first which partitions the request
/// reads — those it names (a full fetch), or every partition of its session (an incremental
/// fetch, which names only what changed on the client's side) — and, once they are read, what the
/// response carries: all of them with the new session's id (full, epoch 0), all of them with
/// session id 0 (sessionless, epoch -1), only those with records, errors or a moved high
/// watermark or log start offset (incremental), or nothing but FETCH_SESSION_ID_NOT_FOUND /
/// INVALID_FETCH_SESSION_EPOCH. A request that reads no partition is answered at once.
/// `isolation_level` (v4+): `read_committed` reads up to the last stable offset and gets the
/// aborted transactions overlapping its records (null for `read_uncommitted`); every partition
/// reports its last stable offset.
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
        let version = request.header.apiVersion
        let fetch = try Fetch.decodeRequest(from: &body, version: version)
        let context = fetchManager.newContext(fetch, version: version, isFromFollower: fetch.replicaId.rawValue >= 0)
        await replicaManager.fetchMessages(
            timeout: Int64(fetch.maxWaitMs), replicaId: fetch.replicaId, fetchMinBytes: Int(fetch.minBytes),
            fetchMaxBytes: version >= 3 ? Int(fetch.maxBytes) : Int.max, hardMaxBytesLimit: version <= 2,
            fetchInfos: context.partitions.map { ($0.topicPartition, $0.request) },
            isolationLevel: IsolationLevel(requested: fetch.isolationLevel), clientReadsZstd: version >= 10
        ) { read in
            respond(response(context: context, read: read, request: request))
        }
    }

    /// The response to what `fetchMessages` read (now, or when its delayed fetch completed) for
    /// the partitions of `context`, in its order: the fetch session selects what the response
    /// carries. Consecutive partitions of one topic share a topic entry.
    private func response(context: FetchContext, read partitions: [FetchPartitionData], request: KafkaRequest) -> KafkaResponseAction {
        let version = request.header.apiVersion
        var read = zip(context.partitions, partitions).map { (entry: $0, data: $1.data, slice: $1.records) }
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
            replicaManager.brokerTopicStats?.bytesOut(entry.topicPartition.topic, bytes: slice.size, fromFollower: request.isFetchFromFollower)
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
            parts.append(.file(slice))
            start = position
        }
        parts.append(.bytes(buffer.getSlice(at: start, length: buffer.writerIndex - start)!))
        return .sendParts(parts)
    }
}
