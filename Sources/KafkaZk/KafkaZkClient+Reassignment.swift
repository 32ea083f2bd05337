import KafkaCommon
import ZooKeeper

/// Partition reassignment: `/admin/reassign_partitions` (written by the admin tool, consumed by
/// the controller) and the controller's fenced writes of the assignments it changes.
extension KafkaZkClient {
    /// Arms an exists watch on `/admin/reassign_partitions` (it fires on creation, data change
    /// and deletion) and says whether it exists (Kafka's
    /// `registerZNodeChangeHandlerAndCheckExistence`).
    public func watchPartitionReassignment() async throws -> Bool {
        try await zooKeeper.exists(ReassignPartitionsZNode.path, watch: true) != nil
    }

    /// The reassignments in progress (empty when the znode does not exist). With `watch`, a data
    /// watch is armed when the znode exists.
    public func partitionReassignment(watch: Bool = false) async throws -> [TopicPartition: [BrokerId]] {
        guard let (bytes, _) = try await dataIfExists(ReassignPartitionsZNode.path, watch: watch) else { return [:] }
        return try ReassignPartitionsZNode.decode(bytes)
    }

    /// Whether a reassignment is in progress (the znode exists).
    public func reassignPartitionsInProgress() async throws -> Bool {
        try await zooKeeper.exists(ReassignPartitionsZNode.path) != nil
    }

    /// The admin tool submits a reassignment. Throws `ZooKeeperError(.nodeExists)` when one is in
    /// progress (Kafka's `createPartitionReassignment`; the tool is not a controller: no fence).
    public func createPartitionReassignment(_ reassignment: [TopicPartition: [BrokerId]]) async throws {
        try await zooKeeper.create(ReassignPartitionsZNode.path, data: ReassignPartitionsZNode.encode(reassignment))
    }

    /// The controller rewrites the pending reassignments (created if missing), fenced by its
    /// epoch (Kafka's `setOrCreatePartitionReassignment`).
    public func setOrCreatePartitionReassignment(
        _ reassignment: [TopicPartition: [BrokerId]], expectedControllerEpochZkVersion: ZkVersion
    ) async throws {
        let data = ReassignPartitionsZNode.encode(reassignment)
        do {
            _ = try await multiFencedByControllerEpoch(
                [.setData(path: ReassignPartitionsZNode.path, data: data, version: .any)],
                expectedControllerEpochZkVersion: expectedControllerEpochZkVersion)
        } catch let error as ZooKeeperError where error.code == .noNode {
            do {
                _ = try await multiFencedByControllerEpoch(
                    [.create(path: ReassignPartitionsZNode.path, data: data)],
                    expectedControllerEpochZkVersion: expectedControllerEpochZkVersion)
            } catch let error as ZooKeeperError where error.code == .nodeExists {
                // Created meanwhile (by the admin tool, or by this create retried after a lost
                // connection): write it over.
                _ = try await multiFencedByControllerEpoch(
                    [.setData(path: ReassignPartitionsZNode.path, data: data, version: .any)],
                    expectedControllerEpochZkVersion: expectedControllerEpochZkVersion)
            }
        }
    }

    /// The controller deletes `/admin/reassign_partitions` once nothing is left to reassign,
    /// fenced by its epoch; a znode already gone is not an error.
    public func deletePartitionReassignment(expectedControllerEpochZkVersion: ZkVersion) async throws {
        do {
            _ = try await multiFencedByControllerEpoch(
                [.delete(path: ReassignPartitionsZNode.path)], expectedControllerEpochZkVersion: expectedControllerEpochZkVersion)
        } catch let error as ZooKeeperError where error.code == .noNode {}
    }

    /// The controller writes a topic's whole assignment, fenced by its epoch (Kafka's
    /// `setTopicAssignmentRaw` with the controller's epoch version).
    public func setTopicAssignment(
        _ topic: String, assignment: [Int32: [BrokerId]], expectedControllerEpochZkVersion: ZkVersion
    ) async throws {
        _ = try await multiFencedByControllerEpoch(
            [.setData(path: TopicZNode.path(topic), data: TopicZNode.encode(assignment), version: .any)],
            expectedControllerEpochZkVersion: expectedControllerEpochZkVersion)
    }
}
