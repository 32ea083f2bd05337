import KafkaCommon
import NIOCore

/// The records the group coordinator writes to `__consumer_offsets`, at the versions Kafka 2.3's
/// `GroupMetadataManager` picks (`offsetCommitKey`, `offsetCommitValue`, `groupMetadataKey`,
/// `groupMetadataValue`, and the tombstones of offset expiry and group deletion).
///
/// Keys have one version each: an offset commit key is written at version 1, a group metadata key
/// at version 2. Values follow `inter.broker.protocol.version`, so that every broker of a cluster
/// being upgraded can read what the newest one writes:
///
/// | inter.broker.protocol.version | OffsetCommitValue | GroupMetadataValue |
/// |---|---|---|
/// | before 0.10.1-IV0             | 1                 | 0 |
/// | 0.10.1-IV0 … before 2.1-IV0   | 1                 | 1 |
/// | 2.1-IV0 (KIP-211)             | 2                 | 2 |
/// | 2.1-IV1 (KIP-320) … 2.2-IV1   | 3                 | 2 |
/// | 2.3-IV0 (KIP-345) and later   | 3                 | 3 |
///
/// and an offset commit that carries an explicit expiry time (an OffsetCommit v2–v4 with a
/// retention time other than -1) is written at value version 1 whatever the protocol version,
/// because only v1 has the field. With Kafka 2.3's default (2.3-IV1) that gives key 1 / value 3
/// for commits and key 2 / value 3 for groups, as in the Kafka 2.3 fixtures.
extension OffsetsTopicRecord {
    /// The version of every offset commit key written.
    public static let offsetCommitKeyVersion: Int16 = 1
    /// The version of every group metadata key written.
    public static let groupMetadataKeyVersion: Int16 = 2

    /// The OffsetCommitValue version Kafka 2.3 writes under `interBrokerProtocolVersion`.
    public static func offsetCommitValueVersion(interBrokerProtocolVersion: ApiVersion, hasExpireTimestamp: Bool) -> Int16 {
        if interBrokerProtocolVersion < Self.kafka2_1_IV0 || hasExpireTimestamp { return 1 }
        if interBrokerProtocolVersion < Self.kafka2_1_IV1 { return 2 }
        return 3
    }

    /// The GroupMetadataValue version Kafka 2.3 writes under `interBrokerProtocolVersion`.
    public static func groupMetadataValueVersion(interBrokerProtocolVersion: ApiVersion) -> Int16 {
        if interBrokerProtocolVersion < Self.kafka0_10_1_IV0 { return 0 }
        if interBrokerProtocolVersion < Self.kafka2_1_IV0 { return 1 }
        if interBrokerProtocolVersion < Self.kafka2_3_IV0 { return 2 }
        return 3
    }

    /// A committed offset of `group` for `topicPartition`. `value.expireTimestamp` other than -1
    /// means the commit asked for its own retention; fields the chosen version lacks are not
    /// written (the leader epoch before v3, the expiry time outside v1).
    public static func offsetCommit(
        group: String, topicPartition: TopicPartition, value: OffsetCommitValue, interBrokerProtocolVersion: ApiVersion
    ) -> OffsetsTopicRecord {
        let version = offsetCommitValueVersion(
            interBrokerProtocolVersion: interBrokerProtocolVersion, hasExpireTimestamp: value.expireTimestamp != -1)
        return .offsetCommit(key: offsetCommitKey(group: group, topicPartition: topicPartition), value: Versioned(value, version: version))
    }

    /// The tombstone that removes the committed offset of `group` for `topicPartition` (expiry,
    /// DeleteGroups, a deleted topic).
    public static func offsetCommitTombstone(group: String, topicPartition: TopicPartition) -> OffsetsTopicRecord {
        .offsetCommit(key: offsetCommitKey(group: group, topicPartition: topicPartition), value: nil)
    }

    /// `group`'s metadata. Kafka writes `value.protocolType` as "" for a group without one, and
    /// each member's `subscription` is its metadata for the group's chosen protocol.
    public static func groupMetadata(
        group: String, value: GroupMetadataValue, interBrokerProtocolVersion: ApiVersion
    ) -> OffsetsTopicRecord {
        let version = groupMetadataValueVersion(interBrokerProtocolVersion: interBrokerProtocolVersion)
        return .groupMetadata(key: groupMetadataKey(group: group), value: Versioned(value, version: version))
    }

    /// The tombstone that removes `group` (DeleteGroups, or an empty group whose offsets all expired).
    public static func groupMetadataTombstone(group: String) -> OffsetsTopicRecord {
        .groupMetadata(key: groupMetadataKey(group: group), value: nil)
    }

    private static func offsetCommitKey(group: String, topicPartition: TopicPartition) -> Versioned<OffsetCommitKey> {
        Versioned(
            OffsetCommitKey(group: group, topic: topicPartition.topic, partition: topicPartition.partition),
            version: offsetCommitKeyVersion)
    }

    private static func groupMetadataKey(group: String) -> Versioned<GroupMetadataKey> {
        Versioned(GroupMetadataKey(group: group), version: groupMetadataKeyVersion)
    }

    // The inter-broker protocol versions at which the layouts changed.
    private static let kafka0_10_1_IV0 = ApiVersion("0.10.1-IV0")!
    private static let kafka2_1_IV0 = ApiVersion("2.1-IV0")!
    private static let kafka2_1_IV1 = ApiVersion("2.1-IV1")!
    private static let kafka2_3_IV0 = ApiVersion("2.3-IV0")!
}
