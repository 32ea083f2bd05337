import KafkaCommon

extension ControllerContext {
    /// Whether a partition of `topic` is being reassigned: its deletion waits until none is
    /// (Kafka's topic ineligible for deletion).
    public func isTopicBeingReassigned(_ topic: String) -> Bool {
        partitionsBeingReassigned.keys.contains { $0.topic == topic }
    }
}
