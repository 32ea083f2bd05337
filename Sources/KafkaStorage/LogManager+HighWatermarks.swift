import KafkaCommon

extension LogManager {
    // MARK: replication-offset-checkpoint

    /// Writes each live log directory's `replication-offset-checkpoint` (Kafka 2.3's
    /// `ReplicaManager.checkpointHighWatermarks`): the high watermark of every partition in
    /// `highWatermarks` whose log lives in that directory, one `topic partition offset` line
    /// each, sorted by topic-partition. Partitions without a log here are left out, and a log
    /// missing from `highWatermarks` gets no line: the caller gives what it knows.
    ///
    /// Every live directory is written, an empty checkpoint for one without entries (Kafka skips
    /// directories without partitions, which leaves their old file behind). A directory whose
    /// write fails goes offline, like the other checkpoints (Kafka's `LogDirFailureChannel`).
    /// Writes are serialised by `highWatermarkCheckpointLock`.
    public func checkpointHighWatermarks(_ highWatermarks: [TopicPartition: Int64]) {
        highWatermarkCheckpointLock.withLock { _ in
            var byDir: [String: [TopicPartitionOffset]] = [:]
            for (topicPartition, offset) in highWatermarks.sorted(by: { $0.key < $1.key }) {
                guard let log = getLog(topicPartition) else { continue }
                byDir[Self.parentDir(of: log), default: []].append(TopicPartitionOffset(topicPartition, offset))
            }
            for dir in liveLogDirs {
                writeCheckpoint(dir, CheckpointFileName.replicationOffset, byDir[dir] ?? [])
            }
        }
    }

    /// The high watermarks of every live log directory's `replication-offset-checkpoint`, for the
    /// replica manager to start its partitions from. A missing file has no entries; one that
    /// cannot be read is logged (warning, with the file) and taken as empty. When a partition
    /// appears in more than one directory, the entry of the directory holding its log wins
    /// (another one is a leftover), else the first in configured order.
    public func highWatermarkCheckpoints() -> [TopicPartition: Int64] {
        var result: [TopicPartition: Int64] = [:]
        for dir in liveLogDirs {
            for (topicPartition, offset) in readCheckpoint(dir, CheckpointFileName.replicationOffset) {
                let isLogDir = getLog(topicPartition).map { Self.parentDir(of: $0) == dir } ?? false
                if result[topicPartition] == nil || isLogDir { result[topicPartition] = offset }
            }
        }
        return result
    }
}
