import KafkaCommon
import KafkaProtocol
import TransactionCoordinator

/// The marker channel's view of partition leaders: this broker's `MetadataCache` (Kafka 2.3's
/// `getPartitionLeaderEndpoint` on the inter-broker listener). A partition the cache does not
/// know is deleted; one whose leader is not alive or has no endpoint on the listener has no
/// leader yet.
struct MetadataCacheTxnMarkerMetadata: TxnMarkerMetadata {
    let cache: MetadataCache
    let listenerName: String

    func destination(of partition: TopicPartition) async -> TxnMarkerDestination {
        let snapshot = cache.current
        guard let state = snapshot.partitions[partition.topic]?[partition.partition] else { return .partitionDeleted }
        guard let broker = snapshot.aliveBrokers[state.leader],
              broker.allEndpoints.contains(where: { $0.listener == listenerName }) else { return .leaderNotAvailable }
        return .leader(state.leader)
    }
}
