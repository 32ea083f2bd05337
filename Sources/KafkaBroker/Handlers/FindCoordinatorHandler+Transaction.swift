import KafkaCommon
import KafkaProtocol
import TransactionCoordinator

/// What FindCoordinator needs to answer for a transactional id.
struct TransactionCoordinatorLookup: Sendable {
    /// `__transaction_state`'s partition count, fixed for the broker's life as the offsets
    /// topic's is (the topic's if it exists at start-up, else `transaction.state.log.num.partitions`).
    let partitionCount: Int32
    let config: TransactionConfig
}

extension FindCoordinatorHandler {
    /// The leader of the transactional id's `__transaction_state` partition
    /// (`abs(javaHash(id)) % partitionCount`), creating the topic when no broker knows it, as
    /// Kafka 2.3 answers key type 1. COORDINATOR_NOT_AVAILABLE until that partition has a live
    /// leader with this listener.
    func transactionCoordinator(for transactionalId: String, listenerName: String, lookup: TransactionCoordinatorLookup) async
        -> FindCoordinator.Response
    {
        let topic = TransactionStateManager.topic
        let snapshot = cache.current
        guard let partitions = snapshot.partitions[topic] else {
            _ = await internalTopicCreator.createTransactionStateTopic(aliveBrokers: snapshot.aliveBrokers.count, config: lookup.config)
            return Self.error(.coordinatorNotAvailable)
        }
        let partition = JavaHash.abs(JavaHash.stringHashCode(transactionalId)) % lookup.partitionCount
        guard let leader = partitions[partition]?.leader, let broker = snapshot.aliveBrokers[leader],
              let endpoint = broker.allEndpoints.first(where: { $0.listener == listenerName }) else {
            return Self.error(.coordinatorNotAvailable)
        }
        return FindCoordinator.Response(errorCode: .none, errorMessage: Self.message(.none), nodeId: leader,
                                        host: endpoint.host, port: endpoint.port)
    }
}
