import KafkaCommon
import NIOCore

/// Metadata (key 3): the brokers of the cluster, its controller, and for each topic asked about
/// its partitions with their leader, replicas and ISR. Clients send it to bootstrap and whenever
/// a leader moved; it may auto-create the topics it names.
///
/// Supported: v0–v8 (Kafka 2.3). First flexible version: 9.
public enum Metadata: KafkaAPI {
    public static let key = ApiKey.metadata
    public static let versions: ClosedRange<Int16> = 0...8
    public static let firstFlexibleVersion: Int16? = 9

    /// ```
    /// topics ARRAY of { name STRING }        (nullable in v1+: null = all topics; in v0 [] = all)
    /// allow_auto_topic_creation BOOLEAN      (v4+; earlier versions behave as true)
    /// include_cluster_authorized_operations BOOLEAN  (v8+)
    /// include_topic_authorized_operations BOOLEAN    (v8+)
    /// ```
    public struct Request: KafkaCodable {
        /// The topics to describe; nil asks for all of them. A v0 request with an empty array
        /// decodes to nil (that is what v0's empty array means), and nil writes as `[]` in v0.
        public var topics: [String]?
        public var allowAutoTopicCreation: Bool
        public var includeClusterAuthorizedOperations: Bool
        public var includeTopicAuthorizedOperations: Bool

        public init(
            topics: [String]?, allowAutoTopicCreation: Bool = true,
            includeClusterAuthorizedOperations: Bool = false, includeTopicAuthorizedOperations: Bool = false
        ) {
            self.topics = topics
            self.allowAutoTopicCreation = allowAutoTopicCreation
            self.includeClusterAuthorizedOperations = includeClusterAuthorizedOperations
            self.includeTopicAuthorizedOperations = includeTopicAuthorizedOperations
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try Metadata.checkVersion(version)
            if version >= 1 {
                topics = try buffer.readNullableStringArray("topics")
            } else {
                let names = try buffer.readStringArray("topics")
                topics = names.isEmpty ? nil : names
            }
            allowAutoTopicCreation = version >= 4 ? try buffer.readBoolean("allow_auto_topic_creation") : true
            if version >= 8 {
                includeClusterAuthorizedOperations = try buffer.readBoolean("include_cluster_authorized_operations")
                includeTopicAuthorizedOperations = try buffer.readBoolean("include_topic_authorized_operations")
            } else {
                includeClusterAuthorizedOperations = false
                includeTopicAuthorizedOperations = false
            }
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            if version >= 1 {
                buffer.writeNullableStringArray(topics)
            } else {
                buffer.writeStringArray(topics ?? [])
            }
            if version >= 4 { buffer.writeBoolean(allowAutoTopicCreation) }
            if version >= 8 {
                buffer.writeBoolean(includeClusterAuthorizedOperations)
                buffer.writeBoolean(includeTopicAuthorizedOperations)
            }
        }
    }

    /// ```
    /// throttle_time_ms int32                     (v3+)
    /// brokers ARRAY of Broker
    /// cluster_id NULLABLE_STRING                 (v2+)
    /// controller_id int32                        (v1+)
    /// topics ARRAY of Topic
    /// cluster_authorized_operations int32        (v8+)
    /// ```
    public struct Response: KafkaCodable {
        public var throttleTimeMs: Int32
        public var brokers: [Broker]
        public var clusterId: String?
        /// `-1` when there is no controller.
        public var controllerId: BrokerId
        public var topics: [Topic]
        /// Bit field of ACL operations; `Int32.min` when not asked for.
        public var clusterAuthorizedOperations: Int32

        public init(
            throttleTimeMs: Int32 = 0, brokers: [Broker], clusterId: String?, controllerId: BrokerId,
            topics: [Topic], clusterAuthorizedOperations: Int32 = Int32.min
        ) {
            self.throttleTimeMs = throttleTimeMs
            self.brokers = brokers
            self.clusterId = clusterId
            self.controllerId = controllerId
            self.topics = topics
            self.clusterAuthorizedOperations = clusterAuthorizedOperations
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try Metadata.checkVersion(version)
            throttleTimeMs = version >= 3 ? try buffer.readInt32("throttle_time_ms") : 0
            brokers = try buffer.readArray(of: Broker.self, version: version, "brokers")
            clusterId = version >= 2 ? try buffer.readNullableString("cluster_id") : nil
            controllerId = version >= 1 ? try buffer.readBrokerId("controller_id") : .none
            topics = try buffer.readArray(of: Topic.self, version: version, "topics")
            clusterAuthorizedOperations = version >= 8 ? try buffer.readInt32("cluster_authorized_operations") : Int32.min
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            if version >= 3 { buffer.writeInt32(throttleTimeMs) }
            buffer.writeArray(brokers, version: version)
            if version >= 2 { buffer.writeNullableString(clusterId) }
            if version >= 1 { buffer.writeBrokerId(controllerId) }
            buffer.writeArray(topics, version: version)
            if version >= 8 { buffer.writeInt32(clusterAuthorizedOperations) }
        }
    }

    /// `node_id int32, host STRING, port int32, rack NULLABLE_STRING (v1+)`.
    public struct Broker: KafkaCodable {
        public var nodeId: BrokerId
        public var host: String
        public var port: Int32
        public var rack: String?

        public init(nodeId: BrokerId, host: String, port: Int32, rack: String? = nil) {
            self.nodeId = nodeId
            self.host = host
            self.port = port
            self.rack = rack
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            nodeId = try buffer.readBrokerId("brokers.node_id")
            host = try buffer.readKafkaString("brokers.host")
            port = try buffer.readInt32("brokers.port")
            rack = version >= 1 ? try buffer.readNullableString("brokers.rack") : nil
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeBrokerId(nodeId)
            buffer.writeKafkaString(host)
            buffer.writeInt32(port)
            if version >= 1 { buffer.writeNullableString(rack) }
        }
    }

    /// ```
    /// error_code int16, name STRING, is_internal BOOLEAN (v1+), partitions ARRAY of Partition,
    /// topic_authorized_operations int32 (v8+)
    /// ```
    public struct Topic: KafkaCodable {
        public var errorCode: ErrorCode
        public var name: String
        public var isInternal: Bool
        public var partitions: [Partition]
        /// Bit field of ACL operations; `Int32.min` when not asked for.
        public var topicAuthorizedOperations: Int32

        public init(
            errorCode: ErrorCode = .none, name: String, isInternal: Bool = false, partitions: [Partition],
            topicAuthorizedOperations: Int32 = Int32.min
        ) {
            self.errorCode = errorCode
            self.name = name
            self.isInternal = isInternal
            self.partitions = partitions
            self.topicAuthorizedOperations = topicAuthorizedOperations
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            errorCode = try buffer.readErrorCode("topics.error_code")
            name = try buffer.readKafkaString("topics.name")
            isInternal = version >= 1 ? try buffer.readBoolean("topics.is_internal") : false
            partitions = try buffer.readArray(of: Partition.self, version: version, "topics.partitions")
            topicAuthorizedOperations = version >= 8 ? try buffer.readInt32("topics.topic_authorized_operations") : Int32.min
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeErrorCode(errorCode)
            buffer.writeKafkaString(name)
            if version >= 1 { buffer.writeBoolean(isInternal) }
            buffer.writeArray(partitions, version: version)
            if version >= 8 { buffer.writeInt32(topicAuthorizedOperations) }
        }
    }

    /// ```
    /// error_code int16, partition_index int32, leader_id int32, leader_epoch int32 (v7+),
    /// replica_nodes []int32, isr_nodes []int32, offline_replicas []int32 (v5+)
    /// ```
    public struct Partition: KafkaCodable {
        public var errorCode: ErrorCode
        public var partitionIndex: Int32
        /// `-1` when the partition has no leader.
        public var leaderId: BrokerId
        /// `-1` when unknown (and in versions before 7).
        public var leaderEpoch: LeaderEpoch
        public var replicaNodes: [BrokerId]
        public var isrNodes: [BrokerId]
        public var offlineReplicas: [BrokerId]

        public init(
            errorCode: ErrorCode = .none, partitionIndex: Int32, leaderId: BrokerId, leaderEpoch: LeaderEpoch = -1,
            replicaNodes: [BrokerId], isrNodes: [BrokerId], offlineReplicas: [BrokerId] = []
        ) {
            self.errorCode = errorCode
            self.partitionIndex = partitionIndex
            self.leaderId = leaderId
            self.leaderEpoch = leaderEpoch
            self.replicaNodes = replicaNodes
            self.isrNodes = isrNodes
            self.offlineReplicas = offlineReplicas
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            errorCode = try buffer.readErrorCode("partitions.error_code")
            partitionIndex = try buffer.readInt32("partitions.partition_index")
            leaderId = try buffer.readBrokerId("partitions.leader_id")
            leaderEpoch = version >= 7 ? try buffer.readLeaderEpoch("partitions.leader_epoch") : -1
            replicaNodes = try buffer.readBrokerIdArray("partitions.replica_nodes")
            isrNodes = try buffer.readBrokerIdArray("partitions.isr_nodes")
            offlineReplicas = version >= 5 ? try buffer.readBrokerIdArray("partitions.offline_replicas") : []
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeErrorCode(errorCode)
            buffer.writeInt32(partitionIndex)
            buffer.writeBrokerId(leaderId)
            if version >= 7 { buffer.writeLeaderEpoch(leaderEpoch) }
            buffer.writeBrokerIdArray(replicaNodes)
            buffer.writeBrokerIdArray(isrNodes)
            if version >= 5 { buffer.writeBrokerIdArray(offlineReplicas) }
        }
    }
}
