import KafkaCommon
import ZooKeeper

/// `/admin/preferred_replica_election`: the operator's side (create it) and the controller's side
/// (watch for it, read it, delete it with the epoch fence).
extension KafkaZkClient {
    /// The partitions of a pending preferred replica election, or nil when there is none. With
    /// `watch`, arms an exists watch first, so that the creation of the znode (when absent) or its
    /// deletion (when present) is reported; Kafka's controller arms it this way at failover and
    /// after each election it completes.
    public func preferredReplicaElection(watch: Bool = false) async throws -> Set<TopicPartition>? {
        if watch, try await zooKeeper.exists(PreferredReplicaElectionZNode.path, watch: true) == nil { return nil }
        guard let (bytes, _) = try await dataIfExists(PreferredReplicaElectionZNode.path) else { return nil }
        return try PreferredReplicaElectionZNode.decode(bytes)
    }

    /// Asks for a preferred replica election of `partitions` (parents created as needed). Throws
    /// ZooKeeper's NodeExists while another election is pending.
    public func createPreferredReplicaElection(_ partitions: some Sequence<TopicPartition>) async throws {
        try await zooKeeper.createRecursive("/admin")
        try await zooKeeper.create(PreferredReplicaElectionZNode.path, data: PreferredReplicaElectionZNode.encode(partitions))
    }

    /// Deletes the request once the controller has carried it out, fenced by the controller epoch;
    /// a request already gone is not an error.
    public func deletePreferredReplicaElection(expectedControllerEpochZkVersion: ZkVersion) async throws {
        do {
            _ = try await multiFencedByControllerEpoch(
                [.delete(path: PreferredReplicaElectionZNode.path)],
                expectedControllerEpochZkVersion: expectedControllerEpochZkVersion)
        } catch let error as ZooKeeperError where error.code == .noNode {}
    }
}
