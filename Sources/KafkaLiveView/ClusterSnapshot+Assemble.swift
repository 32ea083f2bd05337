/// Building a snapshot from what ZooKeeper and the brokers said: a pure function, so the rules
/// below are tested with plain values.
extension ClusterSnapshot {
    /// What ZooKeeper holds about the cluster, as read for one snapshot.
    public struct ZooKeeperView: Sendable, Equatable {
        public var controllerId: Int32
        public var controllerEpoch: Int32
        /// Live brokers: id → (endpoints, admin listener).
        public var brokers: [Int32: (endpoints: [String], adminListener: String?)]
        public var partitions: [PartitionZNode]

        public init(controllerId: Int32, controllerEpoch: Int32, brokers: [Int32: (endpoints: [String], adminListener: String?)],
                    partitions: [PartitionZNode]) {
            self.controllerId = controllerId
            self.controllerEpoch = controllerEpoch
            self.brokers = brokers
            self.partitions = partitions
        }

        public static func == (lhs: ZooKeeperView, rhs: ZooKeeperView) -> Bool {
            lhs.controllerId == rhs.controllerId && lhs.controllerEpoch == rhs.controllerEpoch
                && lhs.partitions == rhs.partitions && lhs.brokers.keys == rhs.brokers.keys
                && lhs.brokers.allSatisfy { id, value in
                    rhs.brokers[id].map { $0.endpoints == value.endpoints && $0.adminListener == value.adminListener } ?? false
                }
        }
    }

    /// A partition's assignment and state znode.
    public struct PartitionZNode: Sendable, Equatable {
        public var topic: String
        public var partition: Int32
        public var replicas: [Int32]
        /// nil when the state znode does not exist (yet).
        public var leader: Int32?
        public var leaderEpoch: Int32
        public var isr: [Int32]
        public var modifiedMs: Int64

        public init(topic: String, partition: Int32, replicas: [Int32], leader: Int32?, leaderEpoch: Int32, isr: [Int32],
                    modifiedMs: Int64) {
            self.topic = topic
            self.partition = partition
            self.replicas = replicas
            self.leader = leader
            self.leaderEpoch = leaderEpoch
            self.isr = isr
            self.modifiedMs = modifiedMs
        }
    }

    /// Merges ZooKeeper's view with the brokers' internals (keyed by broker id; a live broker
    /// missing from `internals` did not answer).
    ///
    /// Per replica: high watermark and log end offset as its own broker reports them; when the
    /// broker did not answer, the leader's record of its log end offset (from its fetches) stands
    /// in for the log end offset. Lag: the leader's log end offset minus the replica's (0 for the
    /// leader itself); unknown without both.
    public static func assemble(zooKeeper: ZooKeeperView, internals: [Int32: BrokerInternals], takenAtMs: Int64)
        -> ClusterSnapshot
    {
        let brokers = zooKeeper.brokers.keys.sorted().map { id in
            Broker(id: id, endpoints: zooKeeper.brokers[id]!.endpoints, adminListener: zooKeeper.brokers[id]!.adminListener,
                   internalsRead: internals[id] != nil)
        }
        var local: [Int32: [String: BrokerInternals.LocalReplica]] = [:]
        for (id, report) in internals where zooKeeper.brokers[id] != nil {
            local[id] = Dictionary(report.replicas.map { ("\($0.topic)-\($0.partition)", $0) }, uniquingKeysWith: { $1 })
        }
        let partitions = zooKeeper.partitions.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }.map { node in
            let key = "\(node.topic)-\(node.partition)"
            let leader = node.leader ?? -1
            let leaderReplica = local[leader]?[key]
            let replicaStates = node.replicas.map { broker -> Replica in
                let own = local[broker]?[key]
                let logEndOffset = own?.logEndOffset
                    ?? leaderReplica?.followers.first { $0.broker == broker && $0.logEndOffset >= 0 }?.logEndOffset
                let lag: Int64? = {
                    guard let leaderEnd = leaderReplica?.logEndOffset, let logEndOffset else { return nil }
                    return max(0, leaderEnd - logEndOffset)
                }()
                return Replica(broker: broker, highWatermark: own?.highWatermark, logEndOffset: logEndOffset, lag: lag)
            }
            return PartitionState(topic: node.topic, partition: node.partition, leader: leader, leaderEpoch: node.leaderEpoch,
                                  isr: node.isr, replicas: node.replicas, stateModifiedMs: node.modifiedMs,
                                  replicaStates: replicaStates)
        }
        let purgatories = internals.keys.sorted().filter { zooKeeper.brokers[$0] != nil }.flatMap { id in
            internals[id]!.purgatories.map { Purgatory(broker: id, name: $0.name, delayed: $0.delayed, watched: $0.watched) }
        }
        let lines = internals.keys.sorted().flatMap { id in
            internals[id]!.stateChangeLog.map { StateChangeLine(broker: id, timeMs: $0.timeMs, text: $0.text) }
        }
        // A stable sort on time keeps each broker's own order for lines of the same millisecond.
        let merged = lines.enumerated().sorted { ($0.element.timeMs, $0.offset) < ($1.element.timeMs, $1.offset) }.map(\.element)
        return ClusterSnapshot(
            takenAtMs: takenAtMs, controllerId: zooKeeper.controllerId, controllerEpoch: zooKeeper.controllerEpoch,
            brokers: brokers, partitions: partitions, purgatories: purgatories,
            stateChangeLog: Array(merged.suffix(stateChangeLogLimit)))
    }
}
