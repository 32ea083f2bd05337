/// What one broker's admin listener answers at `/internals.json`: its replicas' high watermark and
/// log end offset (and, where it leads, what it knows of its followers), its purgatories' sizes
/// and its last state-change log lines. Everything is read from memory the broker already keeps
/// (no log read, no ZooKeeper read), so a request costs one pass over the hosted partitions.
public struct BrokerInternals: Codable, Sendable, Equatable {
    public var brokerId: Int32
    /// When it was read, milliseconds since the epoch.
    public var timeMs: Int64
    public var replicas: [LocalReplica]
    public var purgatories: [PurgatorySize]
    /// Oldest first.
    public var stateChangeLog: [LogLine]

    public init(brokerId: Int32, timeMs: Int64, replicas: [LocalReplica], purgatories: [PurgatorySize], stateChangeLog: [LogLine]) {
        self.brokerId = brokerId
        self.timeMs = timeMs
        self.replicas = replicas
        self.purgatories = purgatories
        self.stateChangeLog = stateChangeLog
    }

    /// A replica hosted on this broker (Kafka's `Partition` with its local `Replica`).
    public struct LocalReplica: Codable, Sendable, Equatable {
        public var topic: String
        public var partition: Int32
        /// The leader this broker was told of (−1: none).
        public var leader: Int32
        public var leaderEpoch: Int32
        public var highWatermark: Int64
        public var logEndOffset: Int64
        /// While leader: every follower's log end offset as its fetches reported it (−1: no fetch yet).
        public var followers: [FollowerProgress]

        public init(topic: String, partition: Int32, leader: Int32, leaderEpoch: Int32, highWatermark: Int64,
                    logEndOffset: Int64, followers: [FollowerProgress]) {
            self.topic = topic
            self.partition = partition
            self.leader = leader
            self.leaderEpoch = leaderEpoch
            self.highWatermark = highWatermark
            self.logEndOffset = logEndOffset
            self.followers = followers
        }
    }

    public struct FollowerProgress: Codable, Sendable, Equatable {
        public var broker: Int32
        public var logEndOffset: Int64

        public init(broker: Int32, logEndOffset: Int64) {
            self.broker = broker
            self.logEndOffset = logEndOffset
        }
    }

    public struct PurgatorySize: Codable, Sendable, Equatable {
        public var name: String
        public var delayed: Int
        public var watched: Int

        public init(name: String, delayed: Int, watched: Int) {
            self.name = name
            self.delayed = delayed
            self.watched = watched
        }
    }

    public struct LogLine: Codable, Sendable, Equatable {
        public var timeMs: Int64
        public var text: String

        public init(timeMs: Int64, text: String) {
            self.timeMs = timeMs
            self.text = text
        }
    }
}
