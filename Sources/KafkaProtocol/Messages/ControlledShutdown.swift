import KafkaCommon
import NIOCore

/// ControlledShutdown (key 7), broker to controller: "I am shutting down; move leadership off
/// me". The controller answers with the partitions it could not move yet, and the broker retries
/// (`controlled.shutdown.max.retries`) until none remain.
///
/// Supported: v0–v2 (Kafka 2.3). First flexible version: 3. v0 is sent with request header v0
/// (it predates client ids), the only request that is; v2 added the broker epoch.
public enum ControlledShutdown: KafkaAPI {
    public static let key = ApiKey.controlledShutdown
    public static let versions: ClosedRange<Int16> = 0...2
    public static let firstFlexibleVersion: Int16? = 3

    public static func requestHeaderVersion(for version: Int16) -> Int16 {
        if version == 0 { return 0 }
        return isFlexible(version) ? 2 : 1
    }

    /// `broker_id int32, broker_epoch int64 (v2+, default -1)`.
    public struct Request: KafkaCodable {
        public var brokerId: BrokerId
        public var brokerEpoch: Int64

        public init(brokerId: BrokerId, brokerEpoch: Int64 = -1) {
            self.brokerId = brokerId
            self.brokerEpoch = brokerEpoch
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try ControlledShutdown.checkVersion(version)
            brokerId = try buffer.readBrokerId("broker_id")
            brokerEpoch = version >= 2 ? try buffer.readInt64("broker_epoch") : -1
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeBrokerId(brokerId)
            if version >= 2 { buffer.writeInt64(brokerEpoch) }
        }
    }

    /// ```
    /// error_code int16
    /// remaining_partitions ARRAY of { topic_name STRING, partition_index int32 }
    /// ```
    public struct Response: KafkaCodable {
        public var errorCode: ErrorCode
        /// Partitions still led by the broker.
        public var remainingPartitions: [RemainingPartition]

        public init(errorCode: ErrorCode = .none, remainingPartitions: [RemainingPartition]) {
            self.errorCode = errorCode
            self.remainingPartitions = remainingPartitions
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try ControlledShutdown.checkVersion(version)
            errorCode = try buffer.readErrorCode()
            remainingPartitions = try buffer.readArray(of: RemainingPartition.self, version: version, "remaining_partitions")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeErrorCode(errorCode)
            buffer.writeArray(remainingPartitions, version: version)
        }
    }

    public struct RemainingPartition: KafkaCodable {
        public var topicName: String
        public var partitionIndex: Int32

        public init(topicName: String, partitionIndex: Int32) {
            self.topicName = topicName
            self.partitionIndex = partitionIndex
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            topicName = try buffer.readKafkaString("remaining_partitions.topic_name")
            partitionIndex = try buffer.readInt32("remaining_partitions.partition_index")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(topicName)
            buffer.writeInt32(partitionIndex)
        }
    }
}
