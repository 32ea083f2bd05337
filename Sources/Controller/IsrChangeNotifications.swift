import KafkaCommon
import KafkaZk

/// What the controller makes of the notifications under `/isr_change_notification` (Kafka's
/// `IsrChangeNotification` event): the partitions whose leadership it must re-read and announce
/// to every broker. Pure, so the decoding can be tested without ZooKeeper.
public enum IsrChangeNotifications {
    /// The partitions named by the notifications (`name` → the znode's bytes), each once and in
    /// order, and the names of notifications that could not be decoded (they are deleted all the
    /// same, as Kafka deletes every notification it read).
    public static func decode(_ notifications: [(name: String, data: [UInt8])]) -> (partitions: [TopicPartition], corrupt: [String]) {
        var partitions: Set<TopicPartition> = []
        var corrupt: [String] = []
        for (name, data) in notifications {
            do {
                partitions.formUnion(try IsrChangeNotificationZNode.decode(path: "\(IsrChangeNotificationZNode.path)/\(name)", data))
            } catch {
                corrupt.append(name)
            }
        }
        return (partitions.sorted(), corrupt)
    }
}

extension ControllerContext {
    /// The partitions of an ISR-change notification that the controller acts on: those it knows,
    /// of topics not being deleted (their metadata already says "being deleted").
    public func partitionsToRefresh(afterIsrChange partitions: [TopicPartition]) -> [TopicPartition] {
        partitions.filter { partitionAssignments[$0] != nil && !isTopicQueuedUpForDeletion($0.topic) }
    }
}
