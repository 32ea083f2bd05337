import GroupCoordinator
import KafkaCommon
import KafkaProtocol

/// OffsetCommit v0, as Kafka 2.3's `handleOffsetCommitRequest` served it: the offsets go to
/// ZooKeeper (`/consumers/<group>/offsets/<topic>/<partition>`, the offset as a decimal string),
/// one partition after another, and the group coordinator is not asked: no group id check, no
/// membership or generation. Metadata is not stored; metadata longer than
/// `offset.metadata.max.bytes` (in UTF-16 units, Java's `String.length`) is still
/// OFFSET_METADATA_TOO_LARGE for its partition, and a ZooKeeper failure UNKNOWN_SERVER_ERROR.
extension OffsetCommitHandler {
    static func commitToZooKeeper(
        group: String, offsets: [TopicPartition: OffsetCommitValue], zkOffsets: any ZkConsumerOffsets, metadataMaxBytes: Int
    ) async -> [TopicPartition: ErrorCode] {
        var errors: [TopicPartition: ErrorCode] = [:]
        for (tp, value) in offsets.sorted(by: { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }) {
            if value.metadata.utf16.count > metadataMaxBytes {
                errors[tp] = .offsetMetadataTooLarge
                continue
            }
            do {
                try await zkOffsets.setOrCreateConsumerOffset(group: group, topicPartition: tp, offset: value.offset)
                errors[tp] = ErrorCode.none
            } catch {
                errors[tp] = .unknownServerError
            }
        }
        return errors
    }
}
