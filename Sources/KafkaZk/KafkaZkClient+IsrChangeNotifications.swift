import KafkaCommon
import ZooKeeper

/// The controller's side of `/isr_change_notification`: partition leaders announce ISR changes
/// there (`propagateIsrChanges`); the controller lists the notifications, reads them, sends
/// UpdateMetadata, and deletes what it processed.
extension KafkaZkClient {
    /// The names of the notifications under `/isr_change_notification` (`isr_change_<seq>`), in
    /// sequence order; other children are left out. With `watch`, arms a children watch.
    public func isrChangeNotifications(watch: Bool = false) async throws -> [String] {
        do {
            return try await zooKeeper.children(IsrChangeNotificationZNode.path, watch: watch).names
                .filter { $0.hasPrefix(IsrChangeNotificationZNode.prefix) }.sorted()
        } catch let error as ZooKeeperError where error.code == .noNode {
            return []
        }
    }

    /// The raw content of one notification, or nil when it is gone.
    public func isrChangeNotification(_ name: String) async throws -> [UInt8]? {
        try await dataIfExists("\(IsrChangeNotificationZNode.path)/\(name)")?.0
    }

    /// Deletes notifications, each with its own controller-epoch-fenced multi (a delete of any
    /// version), as Kafka's controller does; one already gone is not an error.
    public func deleteIsrChangeNotifications(_ names: [String], expectedControllerEpochZkVersion: ZkVersion) async throws {
        for name in names {
            do {
                _ = try await multiFencedByControllerEpoch(
                    [.delete(path: "\(IsrChangeNotificationZNode.path)/\(name)")],
                    expectedControllerEpochZkVersion: expectedControllerEpochZkVersion)
            } catch let error as ZooKeeperError where error.code == .noNode {}
        }
    }
}
