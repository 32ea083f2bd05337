import KafkaCommon
import KafkaProtocol
import TransactionCoordinator

/// AddPartitionsToTxn (v0–1), as Kafka 2.3's `handleAddPartitionToTxnRequest` answers it: the
/// partitions join the producer's transaction at its coordinator.
///
/// When any named partition is unknown to this broker's metadata, nothing is added: those get
/// UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED. Otherwise every partition
/// gets the coordinator's one answer (``TransactionCoordinator/handleAddPartitionsToTransaction``).
struct AddPartitionsToTxnHandler: KafkaRequestHandler {
    let apiKey = ApiKey.addPartitionsToTxn
    let coordinator: TransactionCoordinator
    let cache: MetadataCache

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        var body = request.body
        let add = try AddPartitionsToTxn.decodeRequest(from: &body, version: request.header.apiVersion)
        let partitions = add.topics.flatMap { topic in topic.partitions.map { TopicPartition(topic.topic, $0) } }
        let snapshot = cache.current
        let unknown = Set(partitions.filter { snapshot.partitions[$0.topic]?[$0.partition] == nil })
        let errors: [TopicPartition: ErrorCode]
        if !unknown.isEmpty {
            errors = Dictionary(partitions.map { ($0, unknown.contains($0) ? .unknownTopicOrPartition : .operationNotAttempted) },
                                uniquingKeysWith: { first, _ in first })
        } else {
            let error = await coordinator.handleAddPartitionsToTransaction(
                transactionalId: add.transactionalId, producerId: add.producerId, producerEpoch: add.producerEpoch,
                partitions: Set(partitions))
            errors = Dictionary(partitions.map { ($0, error) }, uniquingKeysWith: { first, _ in first })
        }
        let byTopic = Dictionary(grouping: errors.keys, by: \.topic)
        let response = AddPartitionsToTxn.Response(throttleTimeMs: 0, errors: byTopic.keys.sorted().map { topic in
            AddPartitionsToTxn.TopicResult(topic: topic, partitionErrors: byTopic[topic]!.sorted().map {
                AddPartitionsToTxn.PartitionResult(partition: $0.partition, errorCode: errors[$0]!)
            })
        })
        return AddPartitionsToTxn.responseFrame(response, to: request)
    }
}
