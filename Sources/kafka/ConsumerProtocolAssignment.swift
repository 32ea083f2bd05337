import KafkaCommon
import KafkaProtocol
import NIOCore

/// A consumer's assignment as the Java consumer protocol encodes it inside the group protocol's
/// opaque bytes (Kafka's `ConsumerProtocol` assignment, as found in SyncGroup and in
/// DescribeGroups' `member_assignment`):
///
///     version int16, [topic string, [partition int32]], user_data nullable bytes
///
/// Versions above 0 only append fields, so a newer assignment is read by its version-0 prefix and
/// the rest is ignored, as Kafka's reader does. An empty buffer is an empty assignment: the
/// coordinator sends no bytes for members of a group that is not Stable.
struct ConsumerProtocolAssignment: Sendable, Equatable {
    var version: Int16
    /// The assigned partitions in the order the leader listed them.
    var partitions: [TopicPartition]
    var userData: ByteBuffer?

    init(version: Int16 = 0, partitions: [TopicPartition], userData: ByteBuffer? = nil) {
        self.version = version
        self.partitions = partitions
        self.userData = userData
    }

    /// Reads `bytes` (the whole `member_assignment`); throws on truncated or negative-length data.
    init(decoding bytes: ByteBuffer) throws {
        var buffer = bytes
        guard buffer.readableBytes > 0 else {
            self.init(version: 0, partitions: [])
            return
        }
        let version = try buffer.readInt16("version")
        guard version >= 0 else { throw CLIError("Unsupported consumer protocol assignment version \(version)") }
        let topics = try buffer.readArray("assigned partitions") { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
            let topic = try buffer.readKafkaString("topic")
            let partitions = try buffer.readInt32Array("partitions")
            return partitions.map { TopicPartition(topic, $0) }
        }
        let userData = buffer.readableBytes > 0 ? try buffer.readNullableBytes("user_data") : nil
        self.init(version: version, partitions: topics.flatMap { $0 }, userData: userData)
    }

    /// The version-0 encoding (what a Java 2.3 consumer group leader writes).
    func encoded() -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInt16(version)
        var topics: [(String, [Int32])] = []
        for partition in partitions {
            if let last = topics.indices.last, topics[last].0 == partition.topic {
                topics[last].1.append(partition.partition)
            } else {
                topics.append((partition.topic, [partition.partition]))
            }
        }
        buffer.writeArray(topics) { buffer, topic in
            buffer.writeKafkaString(topic.0)
            buffer.writeInt32Array(topic.1)
        }
        buffer.writeNullableBytes(userData)
        return buffer
    }
}
