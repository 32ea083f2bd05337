import KafkaCommon
import ZooKeeper

/// Batched reads (`ZooKeeperClient.data(batch:)`): many znodes read with one submission and one
/// wake-up, for the controller's loads and elections (a thousand partition states at failover).
extension KafkaZkClient {
    /// The data and Stat of every path, in order; nil for a znode that does not exist. Any other
    /// failure (a lost connection) is thrown: the first one in path order.
    public func dataIfExists(batch paths: [String], watch: Bool = false) async throws -> [([UInt8], ZooKeeperStat)?] {
        try await zooKeeper.data(batch: paths, watch: watch).map { result in
            switch result {
            case .success(let (data, stat)): return (data, stat)
            case .failure(let error) where error.code == .noNode: return nil
            case .failure(let error): throw error
            }
        }
    }

    /// The states of `partitions`, read in one batch (with `watch`, each existing state znode
    /// gets a data watch); partitions without a state znode are absent from the result. A state
    /// znode that does not decode is thrown.
    public func partitionStates(batch partitions: [TopicPartition], watch: Bool = false) async throws
        -> [TopicPartition: LeaderIsrAndControllerEpoch]
    {
        let read = try await dataIfExists(batch: partitions.map(TopicPartitionStateZNode.path), watch: watch)
        var states: [TopicPartition: LeaderIsrAndControllerEpoch] = [:]
        states.reserveCapacity(partitions.count)
        for (partition, node) in zip(partitions, read) {
            guard let (bytes, stat) = node else { continue }
            states[partition] = try TopicPartitionStateZNode.decode(partition, bytes, zkVersion: stat.version)
        }
        return states
    }

    /// The assignments of `topics`, read in one batch (with `watch`, each gets a data watch, as
    /// `topicAssignment(_:watch:)` arms); topics that no longer exist are absent.
    public func topicAssignments(batch topics: [String], watch: Bool = false) async throws
        -> [String: (assignment: [Int32: [BrokerId]], version: ZkVersion)]
    {
        let read = try await dataIfExists(batch: topics.map(TopicZNode.path), watch: watch)
        var assignments: [String: (assignment: [Int32: [BrokerId]], version: ZkVersion)] = [:]
        for (topic, node) in zip(topics, read) {
            guard let (bytes, stat) = node else { continue }
            assignments[topic] = (try TopicZNode.decode(topic: topic, bytes), ZkVersion(stat.version))
        }
        return assignments
    }

    /// The registrations of `ids` with their czxid (the broker epoch), read in one batch; brokers
    /// whose znode vanished meanwhile are absent.
    public func brokerRegistrations(batch ids: [BrokerId]) async throws -> [BrokerId: (info: BrokerInfo, czxid: Int64)] {
        let read = try await dataIfExists(batch: ids.map(BrokerIdZNode.path))
        var registrations: [BrokerId: (info: BrokerInfo, czxid: Int64)] = [:]
        for (id, node) in zip(ids, read) {
            guard let (bytes, stat) = node else { continue }
            registrations[id] = (try BrokerIdZNode.decode(id: id, bytes), stat.czxid)
        }
        return registrations
    }
}
