import KafkaZk
import KafkaStorage

/// The topic-level configs as DescribeConfigs shows them: each key's effective value as text and
/// the broker keys that give its default, in precedence order (Kafka's broker config synonyms).
extension LogConfig {
    /// Every topic-level key this broker knows, sorted.
    public static var topicKeys: [String] { (Array(brokerKeyForTopicKey.keys) + topicOnlyKeys).sorted() }

    /// The broker keys that set a topic key's default, the first one present winning (the
    /// `.ms` / `.minutes` / `.hours` families, and the flush scheduler interval under
    /// `log.flush.interval.ms`).
    public static func brokerSynonyms(ofTopicKey key: String) -> [String] {
        switch key {
        case "segment.ms": ["log.roll.ms", "log.roll.hours"]
        case "segment.jitter.ms": ["log.roll.jitter.ms", "log.roll.jitter.hours"]
        case "retention.ms": ["log.retention.ms", "log.retention.minutes", "log.retention.hours"]
        case "flush.ms": ["log.flush.interval.ms", "log.flush.scheduler.interval.ms"]
        default: brokerKeyForTopicKey[key].map { [$0] } ?? []
        }
    }

    /// The value of a topic-level key in this config, as text that `applying(topicOverrides:)`
    /// accepts back; nil for an unknown key.
    public func value(forTopicKey key: String) -> String? {
        switch key {
        case "segment.bytes": String(segmentBytes)
        case "segment.ms": String(segmentMs)
        case "segment.jitter.ms": String(segmentJitterMs)
        case "segment.index.bytes": String(maxIndexSize)
        case "index.interval.bytes": String(indexInterval)
        case "retention.ms": String(retentionMs)
        case "retention.bytes": String(retentionSize)
        case "flush.messages": String(flushInterval)
        case "flush.ms": String(flushMs)
        case "file.delete.delay.ms": String(fileDeleteDelayMs)
        case "max.message.bytes": String(maxMessageSize)
        case "message.timestamp.type": messageTimestampType.description
        case "message.timestamp.difference.max.ms": String(messageTimestampDifferenceMaxMs)
        case "compression.type": compressionType.description
        case "cleanup.policy": cleanupPolicy.joined(separator: ",")
        case "min.insync.replicas": String(minInSyncReplicas)
        case "unclean.leader.election.enable": String(uncleanLeaderElectionEnable)
        case "message.downconversion.enable": String(messageDownConversionEnable)
        case "delete.retention.ms": String(deleteRetentionMs)
        case "min.compaction.lag.ms": String(minCompactionLagMs)
        case "max.compaction.lag.ms": String(maxCompactionLagMs)
        case "min.cleanable.dirty.ratio": String(minCleanableRatio)
        case "preallocate": String(preallocate)
        case "message.format.version": messageFormatVersion
        case "leader.replication.throttled.replicas": leaderReplicationThrottledReplicas
        case "follower.replication.throttled.replicas": followerReplicationThrottledReplicas
        default: nil
        }
    }
}

extension KafkaZkClient {
    /// A topic's log config: the broker's `defaults` with the overrides in `/config/topics/<t>`.
    func logConfig(forTopic topic: String, defaults: LogConfig) async throws -> LogConfig {
        try defaults.applying(topicOverrides: try await topicConfig(topic))
    }
}
