import KafkaCommon
import KafkaProtocol
import KafkaPurgatory
import KafkaRecords
import KafkaStorage

/// Produce: decodes the request, hands each partition's records to
/// `ReplicaManager.appendRecords` (which validates the acks, appends on the leader and, for
/// acks=all, waits in the produce purgatory — see there for the completion cases and which
/// thread answers) and encodes the answer with the base offset, the log append time and the log
/// start offset of each partition, in request order.
///
/// acks: 0 sends no response, or closes the connection when a partition failed (`acksZeroAction`);
/// 1 answers after the leader's append; −1 (all) answers once the ISR has the records, or at
/// `timeout_ms` (REQUEST_TIMED_OUT). A waiting produce holds no request handler: the thread that
/// completes its `DelayedProduce` sends the response, as in Kafka. Only the admin client's id
/// (`__admin_client`, Kafka's `AdminUtils.AdminClientId`) may write to an internal topic.
struct ProduceHandler: KafkaDelayingRequestHandler {
    let apiKey = ApiKey.produce
    let replicaManager: ReplicaManager

    /// The client id allowed to produce to internal topics.
    static let adminClientId = "__admin_client"

    func handle(_ request: KafkaRequest, respond: @escaping @Sendable (KafkaResponseAction) -> Void) async throws {
        var body = request.body
        let produce = try Produce.decodeRequest(from: &body, version: request.header.apiVersion)
        let entries = produce.topicData.flatMap { topic in
            topic.partitionData.map { (TopicPartition(topic.name, $0.index), MemoryRecords($0.records ?? ByteBuffer())) }
        }
        replicaManager.appendRecords(
            timeout: Int64(produce.timeoutMs), requiredAcks: produce.acks,
            internalTopicsAllowed: request.header.clientId == Self.adminClientId, entriesPerPartition: entries
        ) { results in
            let responses = Self.topicResponses(produce, results.map(\.response))
            if produce.acks == 0 { return respond(Self.acksZeroAction(responses)) }
            respond(Produce.responseFrame(Produce.Response(responses: responses), to: request))
        }
    }

    /// The partition responses (given in request order, one per partition named) regrouped under
    /// the request's topic entries.
    static func topicResponses(_ produce: Produce.Request, _ partitions: [Produce.PartitionResponse]) -> [Produce.TopicResponse] {
        var next = partitions.makeIterator()
        return produce.topicData.map { topic in
            Produce.TopicResponse(name: topic.name, partitionResponses: topic.partitionData.compactMap { _ in next.next() })
        }
    }

    /// acks=0 gets no response; when a partition failed, the connection is closed instead, so
    /// that the producer, which reads no answer, notices, refreshes its metadata and finds the
    /// new leader (Kafka's `handleProduceRequest` closes the connection the same way).
    static func acksZeroAction(_ responses: [Produce.TopicResponse]) -> KafkaResponseAction {
        let failed = responses.flatMap { topic in
            topic.partitionResponses.filter { $0.errorCode != .none }.map { "\(topic.name)-\($0.index): \($0.errorCode)" }
        }
        guard !failed.isEmpty else { return .noResponse }
        return .close(reason: "error in a produce request with acks=0 (\(failed.joined(separator: ", ")))")
    }
}
