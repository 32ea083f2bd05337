import KafkaCommon
import NIOCore

/// StopReplica (key 5), controller to broker: stop fetching for (and leading) these partitions,
/// and with `delete_partitions` also delete their logs (topic deletion, reassignment away).
///
/// Supported: v0–v1 (Kafka 2.3). First flexible version: 2. v1 added the broker epoch and
/// grouped the partitions by topic; the model always groups them (v0 decoding groups
/// consecutive partitions of one topic, so the bytes round-trip).
public enum StopReplica: KafkaAPI {
    public static let key = ApiKey.stopReplica
    public static let versions: ClosedRange<Int16> = 0...1
    public static let firstFlexibleVersion: Int16? = 2

    /// ```
    /// controller_id int32
    /// controller_epoch int32
    /// broker_epoch int64                     (v1+, default -1)
    /// delete_partitions BOOLEAN
    /// v0: partitions ARRAY of { topic_name STRING, partition_index int32 }
    /// v1: topics ARRAY of { name STRING, partition_indexes []int32 }
    /// ```
    public struct Request: KafkaCodable {
        public var controllerId: BrokerId
        public var controllerEpoch: ControllerEpoch
        public var brokerEpoch: Int64
        public var deletePartitions: Bool
        public var topics: [Topic]

        public init(
            controllerId: BrokerId, controllerEpoch: ControllerEpoch, brokerEpoch: Int64 = -1, deletePartitions: Bool,
            topics: [Topic]
        ) {
            self.controllerId = controllerId
            self.controllerEpoch = controllerEpoch
            self.brokerEpoch = brokerEpoch
            self.deletePartitions = deletePartitions
            self.topics = topics
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try StopReplica.checkVersion(version)
            controllerId = try buffer.readBrokerId("controller_id")
            controllerEpoch = try buffer.readControllerEpoch("controller_epoch")
            brokerEpoch = version >= 1 ? try buffer.readInt64("broker_epoch") : -1
            deletePartitions = try buffer.readBoolean("delete_partitions")
            if version >= 1 {
                topics = try buffer.readArray(of: Topic.self, version: version, "topics")
            } else {
                let ungrouped = try buffer.readArray("partitions") { (b: inout ByteBuffer) throws(KafkaProtocolError) in
                    (try b.readKafkaString("partitions.topic_name"), try b.readInt32("partitions.partition_index"))
                }
                topics = groupingConsecutiveByTopic(ungrouped).map { Topic(name: $0.topic, partitionIndexes: $0.elements) }
            }
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeBrokerId(controllerId)
            buffer.writeControllerEpoch(controllerEpoch)
            if version >= 1 { buffer.writeInt64(brokerEpoch) }
            buffer.writeBoolean(deletePartitions)
            if version >= 1 {
                buffer.writeArray(topics, version: version)
            } else {
                buffer.writeArray(topics.flatMap { topic in topic.partitionIndexes.map { (topic.name, $0) } }) { b, entry in
                    b.writeKafkaString(entry.0)
                    b.writeInt32(entry.1)
                }
            }
        }
    }

    public struct Topic: KafkaCodable {
        public var name: String
        public var partitionIndexes: [Int32]

        public init(name: String, partitionIndexes: [Int32]) {
            self.name = name
            self.partitionIndexes = partitionIndexes
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString("topics.name")
            partitionIndexes = try buffer.readInt32Array("topics.partition_indexes")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(name)
            buffer.writeInt32Array(partitionIndexes)
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
            try StopReplica.checkVersion(version)
            errorCode = try buffer.readErrorCode()
            partitionErrors = try buffer.readArray(of: PartitionError.self, version: version, "partition_errors")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeErrorCode(errorCode)
            buffer.writeArray(partitionErrors, version: version)
        }
    }
}
