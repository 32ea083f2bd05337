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

    /// The ids under `/brokers/ids` (sorted; with `watch`, a children watch is armed) and the
    /// registrations of `expected` with their czxid, in one round trip: the children read is
    /// submitted first, so each registration read sees the tree at least as new as it. Of
    /// `expected`, ids whose znode is gone are absent; ids not expected are not read.
    public func liveBrokerIds(watch: Bool, withRegistrationsOf expected: [BrokerId]) async throws
        -> (ids: [BrokerId], registrations: [BrokerId: (info: BrokerInfo, czxid: Int64)])
    {
        let (children, data) = await zooKeeper.children(BrokerIdsZNode.path, watch: watch, thenDataOf: expected.map(BrokerIdZNode.path))
        let ids = try children.get().compactMap { name in Int32(name).map { BrokerId($0) } }.sorted()
        var registrations: [BrokerId: (info: BrokerInfo, czxid: Int64)] = [:]
        for (id, result) in zip(expected, data) {
            switch result {
            case .success(let (bytes, stat)): registrations[id] = (try BrokerIdZNode.decode(id: id, bytes), stat.czxid)
            case .failure(let error) where error.code == .noNode: continue
            case .failure(let error): throw error
            }
        }
        return (ids, registrations)
    }
}
