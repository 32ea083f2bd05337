import KafkaRecords

/// The broker settings of the group coordinator and of `__consumer_offsets`: the keys that Kafka
/// 2.3's `KafkaConfig` hands to its `OffsetConfig` and `GroupConfig`, with the same names,
/// defaults and checks. Built once by `KafkaConfig` at load, so a bad value stops start-up with a
/// `ConfigError` naming the key.
///
/// | key | default | Kafka 2.3's check |
/// |---|---|---|
/// | `offsets.topic.num.partitions` | 50 | at least 1 |
/// | `offsets.topic.replication.factor` | 3 | at least 1 (SHORT) |
/// | `offsets.topic.segment.bytes` | 104857600 | at least 1 |
/// | `offsets.topic.compression.codec` | 0 | a codec id, 0–4 |
/// | `offsets.retention.minutes` | 10080 (7 days) | at least 1 |
/// | `offsets.retention.check.interval.ms` | 600000 | at least 1 (LONG) |
/// | `offsets.commit.timeout.ms` | 5000 | at least 1 |
/// | `offsets.commit.required.acks` | -1 | from -1 to `offsets.topic.replication.factor` (SHORT) |
/// | `offsets.load.buffer.size` | 5242880 | at least 1 |
/// | `offset.metadata.max.bytes` | 4096 | none |
/// | `group.min.session.timeout.ms` | 6000 | none |
/// | `group.max.session.timeout.ms` | 1800000 | none |
/// | `group.initial.rebalance.delay.ms` | 3000 | none |
/// | `group.max.size` | 2147483647 | at least 1 |
///
/// The defaults are those a Kafka 2.3.0 broker reports as its DEFAULT_CONFIG synonyms in
/// DescribeConfigs (the `java/` fixtures).
public struct GroupCoordinatorConfig: Sendable, Equatable {
    /// The name of the offsets topic (Kafka's `Topic.GROUP_METADATA_TOPIC_NAME`).
    public static let offsetsTopicName = "__consumer_offsets"

    public var offsetsTopicNumPartitions: Int32 = 50
    public var offsetsTopicReplicationFactor: Int16 = 3
    public var offsetsTopicSegmentBytes: Int32 = 104_857_600
    /// The codec the coordinator compresses its offset commits with (`none` by default).
    public var offsetsTopicCompressionCodec: CompressionType = .none
    public var offsetsRetentionMinutes: Int32 = 10_080
    public var offsetsRetentionCheckIntervalMs: Int64 = 600_000
    public var offsetCommitTimeoutMs: Int32 = 5000
    /// Kept for Kafka's key; Kafka 2.3 itself warns that values other than -1 are deprecated.
    public var offsetCommitRequiredAcks: Int16 = -1
    public var offsetsLoadBufferSize: Int32 = 5_242_880
    public var offsetMetadataMaxBytes: Int32 = 4096
    public var groupMinSessionTimeoutMs: Int32 = 6000
    public var groupMaxSessionTimeoutMs: Int32 = 1_800_000
    public var groupInitialRebalanceDelayMs: Int32 = 3000
    public var groupMaxSize: Int32 = .max

    public init() {}

    /// The topic configs `__consumer_offsets` is created with (Kafka's
    /// `GroupCoordinator.offsetsTopicConfigs`): compacted, segments of
    /// `offsets.topic.segment.bytes`, and the producer's compression kept as written.
    public var offsetsTopicConfigs: [String: String] {
        ["cleanup.policy": "compact", "segment.bytes": "\(offsetsTopicSegmentBytes)", "compression.type": "producer"]
    }
}

extension GroupCoordinatorConfig {
    /// Reads and checks the keys. Every key is already type-checked (INT, SHORT, LONG) by
    /// `KafkaConfig`; this applies Kafka's range checks.
    init(_ reader: ConfigReader) throws {
        self.init()
        func atLeastOne(_ key: String) throws -> Int {
            let value = try reader.int(key)
            guard value >= 1 else { throw reader.invalid(key, "\(value)", "Value must be at least 1") }
            return value
        }
        offsetsTopicNumPartitions = Int32(try atLeastOne("offsets.topic.num.partitions"))
        offsetsTopicReplicationFactor = Int16(try atLeastOne("offsets.topic.replication.factor"))
        offsetsTopicSegmentBytes = Int32(try atLeastOne("offsets.topic.segment.bytes"))
        let codec = try reader.int("offsets.topic.compression.codec")
        guard let compression = CompressionType(id: codec) else {
            throw reader.invalid("offsets.topic.compression.codec", "\(codec)", "\(codec) is an unknown compression codec")
        }
        offsetsTopicCompressionCodec = compression
        offsetsRetentionMinutes = Int32(try atLeastOne("offsets.retention.minutes"))
        offsetsRetentionCheckIntervalMs = Int64(try atLeastOne("offsets.retention.check.interval.ms"))
        offsetCommitTimeoutMs = Int32(try atLeastOne("offsets.commit.timeout.ms"))
        let acks = try reader.int("offsets.commit.required.acks")
        guard acks >= -1, acks <= Int(offsetsTopicReplicationFactor) else {
            throw reader.invalid("offsets.commit.required.acks", "\(acks)",
                                 "offsets.commit.required.acks must be greater or equal -1 and less or equal to offsets.topic.replication.factor")
        }
        offsetCommitRequiredAcks = Int16(acks)
        offsetsLoadBufferSize = Int32(try atLeastOne("offsets.load.buffer.size"))
        offsetMetadataMaxBytes = Int32(try reader.int("offset.metadata.max.bytes"))
        groupMinSessionTimeoutMs = Int32(try reader.int("group.min.session.timeout.ms"))
        groupMaxSessionTimeoutMs = Int32(try reader.int("group.max.session.timeout.ms"))
        groupInitialRebalanceDelayMs = Int32(try reader.int("group.initial.rebalance.delay.ms"))
        groupMaxSize = Int32(try atLeastOne("group.max.size"))
    }
}
