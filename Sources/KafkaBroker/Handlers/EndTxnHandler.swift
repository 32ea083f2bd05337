import KafkaProtocol
import TransactionCoordinator

/// EndTxn (v0–1), as Kafka 2.3's `handleEndTxnRequest` answers it: the producer commits
/// (`transaction_result` true) or aborts its transaction; NONE once PrepareCommit/PrepareAbort is
/// in `__transaction_state` and the markers are queued (they are written afterwards).
struct EndTxnHandler: KafkaRequestHandler {
    let apiKey = ApiKey.endTxn
    let coordinator: TransactionCoordinator

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        var body = request.body
        let end = try EndTxn.decodeRequest(from: &body, version: request.header.apiVersion)
        let error = await coordinator.handleEndTransaction(
            transactionalId: end.transactionalId, producerId: end.producerId, producerEpoch: end.producerEpoch,
            result: end.transactionResult ? .commit : .abort)
        return EndTxn.responseFrame(EndTxn.Response(throttleTimeMs: 0, errorCode: error), to: request)
    }
}
