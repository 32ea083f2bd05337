import KafkaCommon

extension OffsetForLeaderEpoch {
    /// The replica id of a consumer (v3+).
    public static let consumerReplicaId = BrokerId(-1)
    /// The replica id a request before v3 is read with: a "debugging" replica, which Kafka also
    /// lets see offsets past the high watermark. The schema's default for `replica_id`.
    public static let debuggingReplicaId = BrokerId(-2)
    /// Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET: no epoch or end offset known. The
    /// schema's defaults for a result's `leader_epoch` and `end_offset`.
    public static let undefinedEpoch = LeaderEpoch(-1)
    public static let undefinedEpochOffset: Int64 = -1
}
