import GroupCoordinator
import KafkaCommon
import KafkaProtocol
import TransactionCoordinator

/// AddOffsetsToTxn (v0–1), as Kafka 2.3's `handleAddOffsetsToTxnRequest` answers it: the
/// group's `__consumer_offsets` partition joins the producer's transaction, so the COMMIT or
/// ABORT marker also reaches the offsets that TxnOffsetCommit writes there.
struct AddOffsetsToTxnHandler: KafkaRequestHandler {
    let apiKey = ApiKey.addOffsetsToTxn
    let coordinator: TransactionCoordinator
    /// `__consumer_offsets`' partition count, fixed for the broker's life.
    let offsetsTopicPartitionCount: Int32

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        var body = request.body
        let add = try AddOffsetsToTxn.decodeRequest(from: &body, version: request.header.apiVersion)
        let partition = TopicPartition(
            GroupCoordinatorConfig.offsetsTopicName,
            GroupPartitioning.partitionFor(groupId: add.groupId, partitionCount: offsetsTopicPartitionCount))
        let error = await coordinator.handleAddPartitionsToTransaction(
            transactionalId: add.transactionalId, producerId: add.producerId, producerEpoch: add.producerEpoch, partitions: [partition])
        return AddOffsetsToTxn.responseFrame(AddOffsetsToTxn.Response(throttleTimeMs: 0, errorCode: error), to: request)
    }
}
