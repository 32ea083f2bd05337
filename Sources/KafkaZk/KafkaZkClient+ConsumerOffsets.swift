import KafkaCommon
import ZooKeeper

/// Offsets committed with OffsetCommit v0, kept in ZooKeeper as Kafka 2.3 kept them (see
/// `ConsumerOffsetZNode`): Kafka's `setOrCreateConsumerOffset` and `getConsumerOffset`.
extension KafkaZkClient {
    /// Writes `offset` as `group`'s committed offset of `topicPartition`: overwrites the node
    /// whatever its version, or creates it with its missing parents (empty data).
    public func setOrCreateConsumerOffset(group: String, topicPartition: TopicPartition, offset: Int64) async throws {
        let path = ConsumerOffsetZNode.path(group: group, topicPartition: topicPartition)
        let data = ConsumerOffsetZNode.encode(offset)
        do {
            try await zooKeeper.setData(path, data: data)
        } catch let error as ZooKeeperError where error.code == .noNode {
            // As Kafka: if a concurrent commit created the node first, that one stands.
            try await zooKeeper.createRecursive(path, data: data)
        }
    }

    /// `group`'s committed offset of `topicPartition`, or nil when it has none.
    public func consumerOffset(group: String, topicPartition: TopicPartition) async throws -> Int64? {
        let path = ConsumerOffsetZNode.path(group: group, topicPartition: topicPartition)
        do {
            return try ConsumerOffsetZNode.decode(path: path, try await zooKeeper.data(path).data)
        } catch let error as ZooKeeperError where error.code == .noNode {
            return nil
        }
    }
}
