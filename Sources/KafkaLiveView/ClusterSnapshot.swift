/// The cluster's internals at one moment, as values: what `kafka cluster --watch` draws and what
/// the admin listener's live page (`/`, fed by `/events`) shows. Built by `ClusterSnapshot.assemble`
/// from ZooKeeper (controller, live brokers, partition states) and every live broker's
/// `/internals.json` (`BrokerInternals`: its replicas' high watermark and log end offset, its
/// purgatories, its last state-change log lines).
///
/// Invariants: `brokers` sorted by id, `partitions` sorted by topic then partition, each
/// partition's `replicaStates` in the order of its assigned replicas; `stateChangeLog` oldest
/// first, at most `ClusterSnapshot.stateChangeLogLimit` lines. Ids are plain numbers (−1: none) so
/// that the JSON the page reads is plain too.
public struct ClusterSnapshot: Codable, Sendable, Equatable {
    /// Lines of the merged state-change log kept in a snapshot.
    public static let stateChangeLogLimit = 12

    /// When the snapshot was taken, milliseconds since the epoch.
    public var takenAtMs: Int64
    /// The broker in `/controller`; −1 when there is none (an election in progress).
    public var controllerId: Int32
    /// `/controller_epoch`; 0 before the first controller.
    public var controllerEpoch: Int32
    public var brokers: [Broker]
    public var partitions: [PartitionState]
    /// Delayed-operation counts, per live broker and purgatory.
    public var purgatories: [Purgatory]
    public var stateChangeLog: [StateChangeLine]

    public init(takenAtMs: Int64, controllerId: Int32, controllerEpoch: Int32, brokers: [Broker],
                partitions: [PartitionState], purgatories: [Purgatory], stateChangeLog: [StateChangeLine]) {
        self.takenAtMs = takenAtMs
        self.controllerId = controllerId
        self.controllerEpoch = controllerEpoch
        self.brokers = brokers
        self.partitions = partitions
        self.purgatories = purgatories
        self.stateChangeLog = stateChangeLog
    }

    /// A live broker (registered in `/brokers/ids`).
    public struct Broker: Codable, Sendable, Equatable {
        public var id: Int32
        public var endpoints: [String]
        /// Its admin listener, when it registered one (`admin_listener` in its registration).
        public var adminListener: String?
        /// False when its `/internals.json` could not be read for this snapshot (no admin
        /// listener, or it did not answer): its replicas' offsets are then unknown.
        public var internalsRead: Bool

        public init(id: Int32, endpoints: [String], adminListener: String?, internalsRead: Bool) {
            self.id = id
            self.endpoints = endpoints
            self.adminListener = adminListener
            self.internalsRead = internalsRead
        }
    }

    /// One partition: its state znode (leader, leader epoch, ISR) and its replicas' progress.
    public struct PartitionState: Codable, Sendable, Equatable {
        public var topic: String
        public var partition: Int32
        /// −1: offline (no leader).
        public var leader: Int32
        public var leaderEpoch: Int32
        public var isr: [Int32]
        /// The assigned replicas, from the topic znode.
        public var replicas: [Int32]
        /// The state znode's last modification time (ZooKeeper's mtime), milliseconds since the epoch.
        public var stateModifiedMs: Int64
        public var replicaStates: [Replica]

        public init(topic: String, partition: Int32, leader: Int32, leaderEpoch: Int32, isr: [Int32], replicas: [Int32],
                    stateModifiedMs: Int64, replicaStates: [Replica]) {
            self.topic = topic
            self.partition = partition
            self.leader = leader
            self.leaderEpoch = leaderEpoch
            self.isr = isr
            self.replicas = replicas
            self.stateModifiedMs = stateModifiedMs
            self.replicaStates = replicaStates
        }

        public var name: String { "\(topic)-\(partition)" }
    }

    /// One replica of a partition: its high watermark and log end offset as its own broker
    /// reports them, and its lag behind the leader (the leader's log end offset minus its own).
    /// nil where unknown (its broker is down or did not answer).
    public struct Replica: Codable, Sendable, Equatable {
        public var broker: Int32
        public var highWatermark: Int64?
        public var logEndOffset: Int64?
        public var lag: Int64?

        public init(broker: Int32, highWatermark: Int64?, logEndOffset: Int64?, lag: Int64?) {
            self.broker = broker
            self.highWatermark = highWatermark
            self.logEndOffset = logEndOffset
            self.lag = lag
        }
    }

    /// A purgatory of one broker (Kafka's `DelayedOperationPurgatory`): operations not yet
    /// completed (`NumDelayedOperations`) and watched once per key (`PurgatorySize`).
    public struct Purgatory: Codable, Sendable, Equatable {
        public var broker: Int32
        public var name: String
        public var delayed: Int
        public var watched: Int

        public init(broker: Int32, name: String, delayed: Int, watched: Int) {
            self.broker = broker
            self.name = name
            self.delayed = delayed
            self.watched = watched
        }
    }

    /// A line of a broker's `state.change.logger`.
    public struct StateChangeLine: Codable, Sendable, Equatable {
        public var broker: Int32
        public var timeMs: Int64
        public var text: String

        public init(broker: Int32, timeMs: Int64, text: String) {
            self.broker = broker
            self.timeMs = timeMs
            self.text = text
        }
    }

    public func partition(_ topic: String, _ partition: Int32) -> PartitionState? {
        partitions.first { $0.topic == topic && $0.partition == partition }
    }

    /// The same snapshot without its time: two snapshots whose content is equal are one state.
    public func hasSameContent(as other: ClusterSnapshot) -> Bool {
        var copy = other
        copy.takenAtMs = takenAtMs
        return copy == self
    }
}
