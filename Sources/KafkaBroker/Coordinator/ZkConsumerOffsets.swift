import KafkaCommon
import KafkaZk

/// Where OffsetCommit v0 and OffsetFetch v0 keep a group's offsets: ZooKeeper's
/// `/consumers/<group>/offsets/<topic>/<partition>` (`ConsumerOffsetZNode`), as Kafka 2.3 did for
/// the old Scala consumer; v1 and later go to the `GroupCoordinator` and `__consumer_offsets`.
/// The two stores never see each other's commits. A protocol so that the handlers can be tested
/// without an ensemble; `KafkaZkClient` is the real one.
protocol ZkConsumerOffsets: Sendable {
    func setOrCreateConsumerOffset(group: String, topicPartition: TopicPartition, offset: Int64) async throws
    func consumerOffset(group: String, topicPartition: TopicPartition) async throws -> Int64?
}

extension KafkaZkClient: ZkConsumerOffsets {}
