import KafkaCommon
import NIOCore

/// LeaderAndIsr (key 4), controller to broker: become leader or follower of these partitions,
/// with this leader, leader epoch, ISR and replica set. A broker ignores a request whose
/// controller epoch is older than the newest it has seen (STALE_CONTROLLER_EPOCH) and, from v2,
/// one addressed to an older incarnation of itself (broker epoch; STALE_BROKER_EPOCH).
///
/// Supported: v0–v2 (Kafka 2.3). First flexible version: 4. v1 added `is_new`; v2 the broker
/// epoch, and grouped the partition states by topic.
///
/// The model always groups partition states by topic (``Request/topicStates``). In v0/v1 each
/// state carries its own topic name on the wire; decoding groups consecutive states of the same
/// topic and encoding flattens them again, so the bytes round-trip exactly.
public enum LeaderAndIsr: KafkaAPI {
    public static let key = ApiKey.leaderAndIsr
    public static let versions: ClosedRange<Int16> = 0...2
    public static let firstFlexibleVersion: Int16? = 4

    /// ```
    /// controller_id int32
    /// controller_epoch int32
    /// broker_epoch int64                                   (v2+, default -1)
    /// v0–v1: partition_states ARRAY of { topic_name STRING, PartitionState }
    /// v2:    topic_states ARRAY of { topic_name STRING, partition_states ARRAY of PartitionState }
    /// live_leaders ARRAY of { broker_id int32, host_name STRING, port int32 }
    /// ```
    public struct Request: KafkaCodable {
        public var controllerId: BrokerId
        public var controllerEpoch: ControllerEpoch
        /// The recipient's broker epoch (the czxid of its registration znode) as the controller
        /// knows it.
        public var brokerEpoch: Int64
        public var topicStates: [TopicState]
        public var liveLeaders: [LiveLeader]

        public init(
            controllerId: BrokerId, controllerEpoch: ControllerEpoch, brokerEpoch: Int64 = -1,
            topicStates: [TopicState], liveLeaders: [LiveLeader]
        ) {
            self.controllerId = controllerId
            self.controllerEpoch = controllerEpoch
            self.brokerEpoch = brokerEpoch
            self.topicStates = topicStates
            self.liveLeaders = liveLeaders
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try LeaderAndIsr.checkVersion(version)
            controllerId = try buffer.readBrokerId("controller_id")
            controllerEpoch = try buffer.readControllerEpoch("controller_epoch")
            brokerEpoch = version >= 2 ? try buffer.readInt64("broker_epoch") : -1
            if version >= 2 {
                topicStates = try buffer.readArray(of: TopicState.self, version: version, "topic_states")
            } else {
                let ungrouped = try buffer.readArray("partition_states") { (b: inout ByteBuffer) throws(KafkaProtocolError) in
                    (try b.readKafkaString("partition_states.topic_name"), try PartitionState(from: &b, version: version))
                }
                topicStates = groupingConsecutiveByTopic(ungrouped).map { TopicState(topicName: $0.topic, partitionStates: $0.elements) }
            }
            liveLeaders = try buffer.readArray(of: LiveLeader.self, version: version, "live_leaders")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeBrokerId(controllerId)
            buffer.writeControllerEpoch(controllerEpoch)
            if version >= 2 {
                buffer.writeInt64(brokerEpoch)
                buffer.writeArray(topicStates, version: version)
            } else {
                buffer.writeArray(topicStates.flatMap { topic in topic.partitionStates.map { (topic.topicName, $0) } }) { b, entry in
                    b.writeKafkaString(entry.0)
                    entry.1.write(into: &b, version: version)
                }
            }
            buffer.writeArray(liveLeaders, version: version)
        }
    }

    public struct TopicState: KafkaCodable {
        public var topicName: String
        public var partitionStates: [PartitionState]

        public init(topicName: String, partitionStates: [PartitionState]) {
            self.topicName = topicName
            self.partitionStates = partitionStates
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            topicName = try buffer.readKafkaString("topic_states.topic_name")
            partitionStates = try buffer.readArray(of: PartitionState.self, version: version, "topic_states.partition_states")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(topicName)
            buffer.writeArray(partitionStates, version: version)
        }
    }

    /// ```
    /// partition_index int32, controller_epoch int32, leader int32, leader_epoch int32,
    /// isr []int32, zk_version int32, replicas []int32, is_new BOOLEAN (v1+)
    /// ```
    /// (In v0/v1 the topic name comes first; see ``LeaderAndIsr``.)
    public struct PartitionState: KafkaCodable {
        public var partitionIndex: Int32
        /// The epoch of the controller that last wrote this partition's state.
        public var controllerEpoch: ControllerEpoch
        public var leader: BrokerId
        public var leaderEpoch: LeaderEpoch
        public var isr: [BrokerId]
        /// The version of the partition's state znode, for the leader's conditional ISR updates.
        public var zkVersion: Int32
        public var replicas: [BrokerId]
        /// True when the replica is being created (so a missing log is not an error).
        public var isNew: Bool

        public init(
            partitionIndex: Int32, controllerEpoch: ControllerEpoch, leader: BrokerId, leaderEpoch: LeaderEpoch,
            isr: [BrokerId], zkVersion: Int32, replicas: [BrokerId], isNew: Bool = false
        ) {
            self.partitionIndex = partitionIndex
            self.controllerEpoch = controllerEpoch
            self.leader = leader
            self.leaderEpoch = leaderEpoch
            self.isr = isr
            self.zkVersion = zkVersion
            self.replicas = replicas
            self.isNew = isNew
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partitionIndex = try buffer.readInt32("partition_states.partition_index")
            controllerEpoch = try buffer.readControllerEpoch("partition_states.controller_epoch")
            leader = try buffer.readBrokerId("partition_states.leader")
            leaderEpoch = try buffer.readLeaderEpoch("partition_states.leader_epoch")
            isr = try buffer.readBrokerIdArray("partition_states.isr")
            zkVersion = try buffer.readInt32("partition_states.zk_version")
            replicas = try buffer.readBrokerIdArray("partition_states.replicas")
            isNew = version >= 1 ? try buffer.readBoolean("partition_states.is_new") : false
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt32(partitionIndex)
            buffer.writeControllerEpoch(controllerEpoch)
            buffer.writeBrokerId(leader)
            buffer.writeLeaderEpoch(leaderEpoch)
            buffer.writeBrokerIdArray(isr)
            buffer.writeInt32(zkVersion)
            buffer.writeBrokerIdArray(replicas)
            if version >= 1 { buffer.writeBoolean(isNew) }
        }
    }

    /// A broker that leads at least one of the partitions, so followers can reach it.
    public struct LiveLeader: KafkaCodable {
        public var brokerId: BrokerId
        public var hostName: String
        public var port: Int32

        public init(brokerId: BrokerId, hostName: String, port: Int32) {
            self.brokerId = brokerId
            self.hostName = hostName
            self.port = port
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            brokerId = try buffer.readBrokerId("live_leaders.broker_id")
            hostName = try buffer.readKafkaString("live_leaders.host_name")
            port = try buffer.readInt32("live_leaders.port")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeBrokerId(brokerId)
            buffer.writeKafkaString(hostName)
            buffer.writeInt32(port)
        }
    }

    /// ```
    /// error_code int16
    /// partition_errors ARRAY of { topic_name STRING, partition_index int32, error_code int16 }
    /// ```
    public struct Response: KafkaCodable {
        public var errorCode: ErrorCode
        public var partitionErrors: [PartitionError]

        public init(errorCode: ErrorCode = .none, partitionErrors: [PartitionError]) {
            self.errorCode = errorCode
            self.partitionErrors = partitionErrors
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try LeaderAndIsr.checkVersion(version)
            errorCode = try buffer.readErrorCode()
            partitionErrors = try buffer.readArray(of: PartitionError.self, version: version, "partition_errors")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeErrorCode(errorCode)
            buffer.writeArray(partitionErrors, version: version)
        }
    }
}

/// A per-partition result of a controller request (LeaderAndIsr, StopReplica):
/// `topic_name STRING, partition_index int32, error_code int16`.
public struct PartitionError: KafkaCodable {
    public var topicName: String
    public var partitionIndex: Int32
    public var errorCode: ErrorCode

    public init(topicName: String, partitionIndex: Int32, errorCode: ErrorCode = .none) {
        self.topicName = topicName
        self.partitionIndex = partitionIndex
        self.errorCode = errorCode
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        topicName = try buffer.readKafkaString("partition_errors.topic_name")
        partitionIndex = try buffer.readInt32("partition_errors.partition_index")
        errorCode = try buffer.readErrorCode("partition_errors.error_code")
    }

    public func write(into buffer: inout ByteBuffer, version: Int16) {
        buffer.writeKafkaString(topicName)
        buffer.writeInt32(partitionIndex)
        buffer.writeErrorCode(errorCode)
    }
}
