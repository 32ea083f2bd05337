import KafkaCommon
import NIOCore

/// UpdateMetadata (key 6), controller to every live broker: the live brokers with their
/// endpoints, and the leader, ISR and replicas of partitions, for each broker's MetadataCache.
/// Fenced by controller epoch and, from v5, broker epoch, as LeaderAndIsr is.
///
/// Supported: v0–v5 (Kafka 2.3). First flexible version: 6. v1 gave brokers several endpoints,
/// v2 racks, v3 listener names, v4 offline replicas, v5 the broker epoch and partition states
/// grouped by topic.
///
/// As in ``LeaderAndIsr``, the model groups partition states by topic; v0–v4 list them flat
/// with a topic name each, and decoding groups consecutive states of one topic.
public enum UpdateMetadata: KafkaAPI {
    public static let key = ApiKey.updateMetadata
    public static let versions: ClosedRange<Int16> = 0...5
    public static let firstFlexibleVersion: Int16? = 6

    /// ```
    /// controller_id int32
    /// controller_epoch int32
    /// broker_epoch int64                                        (v5+, default -1)
    /// v0–v4: partition_states ARRAY of { topic_name STRING, PartitionState }
    /// v5:    topic_states ARRAY of { topic_name STRING, partition_states ARRAY of PartitionState }
    /// live_brokers ARRAY of Broker
    /// ```
    public struct Request: KafkaCodable {
        public var controllerId: BrokerId
        public var controllerEpoch: ControllerEpoch
        public var brokerEpoch: Int64
        public var topicStates: [TopicState]
        public var liveBrokers: [Broker]

        public init(
            controllerId: BrokerId, controllerEpoch: ControllerEpoch, brokerEpoch: Int64 = -1,
            topicStates: [TopicState], liveBrokers: [Broker]
        ) {
            self.controllerId = controllerId
            self.controllerEpoch = controllerEpoch
            self.brokerEpoch = brokerEpoch
            self.topicStates = topicStates
            self.liveBrokers = liveBrokers
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try UpdateMetadata.checkVersion(version)
            controllerId = try buffer.readBrokerId("controller_id")
            controllerEpoch = try buffer.readControllerEpoch("controller_epoch")
            brokerEpoch = version >= 5 ? try buffer.readInt64("broker_epoch") : -1
            if version >= 5 {
                topicStates = try buffer.readArray(of: TopicState.self, version: version, "topic_states")
            } else {
                let ungrouped = try buffer.readArray("partition_states") { (b: inout ByteBuffer) throws(KafkaProtocolError) in
                    (try b.readKafkaString("partition_states.topic_name"), try PartitionState(from: &b, version: version))
                }
                topicStates = groupingConsecutiveByTopic(ungrouped).map { TopicState(topicName: $0.topic, partitionStates: $0.elements) }
            }
            liveBrokers = try buffer.readArray(of: Broker.self, version: version, "live_brokers")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeBrokerId(controllerId)
            buffer.writeControllerEpoch(controllerEpoch)
            if version >= 5 {
                buffer.writeInt64(brokerEpoch)
                buffer.writeArray(topicStates, version: version)
            } else {
                buffer.writeArray(topicStates.flatMap { topic in topic.partitionStates.map { (topic.topicName, $0) } }) { b, entry in
                    b.writeKafkaString(entry.0)
                    entry.1.write(into: &b, version: version)
                }
            }
            buffer.writeArray(liveBrokers, version: version)
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
    /// isr []int32, zk_version int32, replicas []int32, offline_replicas []int32 (v4+)
    /// ```
    public struct PartitionState: KafkaCodable {
        public var partitionIndex: Int32
        public var controllerEpoch: ControllerEpoch
        public var leader: BrokerId
        public var leaderEpoch: LeaderEpoch
        public var isr: [BrokerId]
        public var zkVersion: Int32
        public var replicas: [BrokerId]
        public var offlineReplicas: [BrokerId]

        public init(
            partitionIndex: Int32, controllerEpoch: ControllerEpoch, leader: BrokerId, leaderEpoch: LeaderEpoch,
            isr: [BrokerId], zkVersion: Int32, replicas: [BrokerId], offlineReplicas: [BrokerId] = []
        ) {
            self.partitionIndex = partitionIndex
            self.controllerEpoch = controllerEpoch
            self.leader = leader
            self.leaderEpoch = leaderEpoch
            self.isr = isr
            self.zkVersion = zkVersion
            self.replicas = replicas
            self.offlineReplicas = offlineReplicas
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partitionIndex = try buffer.readInt32("partition_states.partition_index")
            controllerEpoch = try buffer.readControllerEpoch("partition_states.controller_epoch")
            leader = try buffer.readBrokerId("partition_states.leader")
            leaderEpoch = try buffer.readLeaderEpoch("partition_states.leader_epoch")
            isr = try buffer.readBrokerIdArray("partition_states.isr")
            zkVersion = try buffer.readInt32("partition_states.zk_version")
            replicas = try buffer.readBrokerIdArray("partition_states.replicas")
            offlineReplicas = version >= 4 ? try buffer.readBrokerIdArray("partition_states.offline_replicas") : []
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt32(partitionIndex)
            buffer.writeControllerEpoch(controllerEpoch)
            buffer.writeBrokerId(leader)
            buffer.writeLeaderEpoch(leaderEpoch)
            buffer.writeBrokerIdArray(isr)
            buffer.writeInt32(zkVersion)
            buffer.writeBrokerIdArray(replicas)
            if version >= 4 { buffer.writeBrokerIdArray(offlineReplicas) }
        }
    }

    /// ```
    /// id int32
    /// v0:  host STRING, port int32                          (one plaintext endpoint)
    /// v1+: endpoints ARRAY of Endpoint
    /// rack NULLABLE_STRING                                   (v2+)
    /// ```
    /// In v0 the broker has exactly one endpoint: decoding makes it a PLAINTEXT endpoint with an
    /// empty listener name, encoding writes the first endpoint's host and port.
    public struct Broker: KafkaCodable {
        public var id: BrokerId
        public var endpoints: [Endpoint]
        public var rack: String?

        public init(id: BrokerId, endpoints: [Endpoint], rack: String? = nil) {
            self.id = id
            self.endpoints = endpoints
            self.rack = rack
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            id = try buffer.readBrokerId("live_brokers.id")
            if version >= 1 {
                endpoints = try buffer.readArray(of: Endpoint.self, version: version, "live_brokers.endpoints")
            } else {
                let host = try buffer.readKafkaString("live_brokers.host")
                let port = try buffer.readInt32("live_brokers.port")
                endpoints = [Endpoint(port: port, host: host, listener: "", securityProtocol: 0)]
            }
            rack = version >= 2 ? try buffer.readNullableString("live_brokers.rack") : nil
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeBrokerId(id)
            if version >= 1 {
                buffer.writeArray(endpoints, version: version)
            } else {
                buffer.writeKafkaString(endpoints.first?.host ?? "")
                buffer.writeInt32(endpoints.first?.port ?? -1)
            }
            if version >= 2 { buffer.writeNullableString(rack) }
        }
    }

    /// `port int32, host STRING, listener STRING (v3+), security_protocol int16`
    /// (0 PLAINTEXT, 1 SSL, 2 SASL_PLAINTEXT, 3 SASL_SSL).
    public struct Endpoint: KafkaCodable {
        public var port: Int32
        public var host: String
        public var listener: String
        public var securityProtocol: Int16

        public init(port: Int32, host: String, listener: String, securityProtocol: Int16) {
            self.port = port
            self.host = host
            self.listener = listener
            self.securityProtocol = securityProtocol
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            port = try buffer.readInt32("endpoints.port")
            host = try buffer.readKafkaString("endpoints.host")
            listener = version >= 3 ? try buffer.readKafkaString("endpoints.listener") : ""
            securityProtocol = try buffer.readInt16("endpoints.security_protocol")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt32(port)
            buffer.writeKafkaString(host)
            if version >= 3 { buffer.writeKafkaString(listener) }
            buffer.writeInt16(securityProtocol)
        }
    }

    /// `error_code int16`.
    public struct Response: KafkaCodable {
        public var errorCode: ErrorCode

        public init(errorCode: ErrorCode = .none) { self.errorCode = errorCode }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try UpdateMetadata.checkVersion(version)
            errorCode = try buffer.readErrorCode()
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeErrorCode(errorCode)
        }
    }
}
