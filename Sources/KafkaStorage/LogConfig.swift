import Foundation
import KafkaCommon
import KafkaRecords

/// A topic's log settings, under Kafka's topic-level config keys (Kafka's `LogConfig`).
///
/// Built from the broker's defaults (`server.properties`, `log.*` keys) overridden by the topic's
/// own settings (`/config/topics/<topic>` in ZooKeeper, topic-level keys):
///
///     let brokerDefaults = try LogConfig(brokerProperties: serverProperties)
///     let config = try brokerDefaults.applying(topicOverrides: ["retention.ms": "3600000"])
///
/// A value type: a `Log` holds the config it was given until `updateConfig` replaces it.
public struct LogConfig: Sendable, Equatable {
    /// `segment.bytes` (broker `log.segment.bytes`): roll when the active segment would exceed it.
    public var segmentBytes = 1_073_741_824
    /// `segment.ms` (broker `log.roll.ms` / `log.roll.hours`): roll a segment this old.
    public var segmentMs: Int64 = 604_800_000
    /// `segment.jitter.ms` (broker `log.roll.jitter.ms`): the most a segment's roll time is
    /// moved earlier, at random, so that segments created together do not roll together.
    public var segmentJitterMs: Int64 = 0
    /// `segment.index.bytes` (broker `log.index.size.max.bytes`): preallocated size of each index.
    public var maxIndexSize = 10_485_760
    /// `index.interval.bytes` (broker `log.index.interval.bytes`).
    public var indexInterval = 4096
    /// `retention.ms` (broker `log.retention.ms` / `.minutes` / `.hours`); −1: no time limit.
    public var retentionMs: Int64 = 604_800_000
    /// `retention.bytes` (broker `log.retention.bytes`); −1: no size limit.
    public var retentionSize: Int64 = -1
    /// `flush.messages` (broker `log.flush.interval.messages`): fsync after this many messages.
    public var flushInterval: Int64 = .max
    /// `flush.ms` (broker `log.flush.interval.ms`): fsync when the last flush is this old.
    public var flushMs: Int64 = .max
    /// `file.delete.delay.ms` (broker `log.segment.delete.delay.ms`).
    public var fileDeleteDelayMs: Int64 = 60_000
    /// `max.message.bytes` (broker `message.max.bytes`): Kafka 2.3's default, 1,000,000 bytes plus
    /// the 12-byte log overhead (2.4 raised it to 1 MiB + 12).
    public var maxMessageSize = 1_000_012
    /// `message.timestamp.type` (broker `log.message.timestamp.type`).
    public var messageTimestampType: TimestampType = .createTime
    /// `message.timestamp.difference.max.ms` (broker `log.message.timestamp.difference.max.ms`).
    public var messageTimestampDifferenceMaxMs: Int64 = .max
    /// `compression.type` (broker `compression.type`).
    public var compressionType: BrokerCompressionType = .producer
    /// `cleanup.policy` (broker `log.cleanup.policy`): a list of `delete` and `compact`, in the
    /// order given (Kafka describes the list back as it was set: `delete,compact` stays so).
    /// `delete`: retention by time and size (`retention.ms`, `retention.bytes`); `compact`: the
    /// log cleaner keeps the latest record of each key (`LogCleaner`, when `log.cleaner.enable`).
    /// With both, both apply: the cleaner's threads apply retention to `compact,delete` logs
    /// between cleanings.
    public var cleanupPolicy: [String] = ["delete"]
    /// `min.insync.replicas`.
    public var minInSyncReplicas = 1
    /// `unclean.leader.election.enable`.
    public var uncleanLeaderElectionEnable = false
    /// `message.downconversion.enable` (broker `log.message.downconversion.enable`): whether
    /// consumers too old for the stored format (Fetch v0–v3) get down-converted records or
    /// UNSUPPORTED_VERSION.
    public var messageDownConversionEnable = true

    // The log cleaner's policies (`LogCleanerManager`, `Cleaner`), then keys kept and validated
    // for parts still to come (replication quotas): a topic configured for them on Apache Kafka
    // is accepted here unchanged and described back.

    /// `delete.retention.ms` (broker `log.cleaner.delete.retention.ms`): how long the cleaner
    /// keeps tombstones.
    public var deleteRetentionMs: Int64 = 86_400_000
    /// `min.compaction.lag.ms` / `max.compaction.lag.ms` (broker `log.cleaner.*.compaction.lag.ms`).
    public var minCompactionLagMs: Int64 = 0
    public var maxCompactionLagMs: Int64 = .max
    /// `min.cleanable.dirty.ratio` (broker `log.cleaner.min.cleanable.ratio`).
    public var minCleanableRatio = 0.5
    /// `preallocate` (broker `log.preallocate`): Kafka preallocates new segment files; this log
    /// grows them as it writes (the setting is kept, it changes nothing here).
    public var preallocate = false
    /// `message.format.version` (broker `log.message.format.version`): any version `ApiVersion`
    /// parses, kept as given. This broker writes RecordBatch v2 whatever the value (Kafka 2.3's
    /// default, 2.3-IV1); older formats are kept for the record.
    public var messageFormatVersion = "2.3-IV1"
    /// `leader.replication.throttled.replicas` / `follower.replication.throttled.replicas`:
    /// `partition:broker` pairs or `*` (replication quotas come with security and quotas).
    public var leaderReplicationThrottledReplicas = ""
    public var followerReplicationThrottledReplicas = ""

    public init() {}

    public var isDelete: Bool { cleanupPolicy.contains("delete") }
    public var isCompact: Bool { cleanupPolicy.contains("compact") }

    /// A random jitter in `0..<min(segmentJitterMs, segmentMs)` (0 when unset).
    public func randomSegmentJitter() -> Int64 {
        let bound = min(segmentJitterMs, segmentMs)
        return bound > 0 ? Int64.random(in: 0..<bound) : 0
    }

    /// What `LogValidator` checks with.
    public var validatorConfig: LogValidator.Config {
        LogValidator.Config(
            maxMessageBytes: maxMessageSize, messageTimestampType: messageTimestampType,
            messageTimestampDifferenceMaxMs: messageTimestampDifferenceMaxMs, compressionType: compressionType,
            isCompacted: isCompact)
    }

    // MARK: Keys

    /// Topic-level keys with the broker key that gives their default.
    public static let brokerKeyForTopicKey: [String: String] = [
        "segment.bytes": "log.segment.bytes",
        "segment.ms": "log.roll.ms",
        "segment.jitter.ms": "log.roll.jitter.ms",
        "segment.index.bytes": "log.index.size.max.bytes",
        "index.interval.bytes": "log.index.interval.bytes",
        "retention.ms": "log.retention.ms",
        "retention.bytes": "log.retention.bytes",
        "flush.messages": "log.flush.interval.messages",
        "flush.ms": "log.flush.interval.ms",
        "file.delete.delay.ms": "log.segment.delete.delay.ms",
        "max.message.bytes": "message.max.bytes",
        "message.timestamp.type": "log.message.timestamp.type",
        "message.timestamp.difference.max.ms": "log.message.timestamp.difference.max.ms",
        "compression.type": "compression.type",
        "cleanup.policy": "log.cleanup.policy",
        "min.insync.replicas": "min.insync.replicas",
        "unclean.leader.election.enable": "unclean.leader.election.enable",
        "message.downconversion.enable": "log.message.downconversion.enable",
        "delete.retention.ms": "log.cleaner.delete.retention.ms",
        "min.compaction.lag.ms": "log.cleaner.min.compaction.lag.ms",
        "max.compaction.lag.ms": "log.cleaner.max.compaction.lag.ms",
        "min.cleanable.dirty.ratio": "log.cleaner.min.cleanable.ratio",
        "preallocate": "log.preallocate",
        "message.format.version": "log.message.format.version",
    ]

    /// Topic-level keys with no broker-wide default (empty unless set on the topic).
    public static let topicOnlyKeys: Set<String> = ["leader.replication.throttled.replicas", "follower.replication.throttled.replicas"]

    /// The broker defaults from `server.properties` keys; keys not about logs are ignored.
    /// `log.roll.hours` and `log.retention.hours`/`.minutes` apply when the `.ms` key is absent
    /// (Kafka's precedence: ms, then minutes, then hours).
    public init(brokerProperties properties: [String: String]) throws {
        self.init()
        var topicLevel: [String: String] = [:]
        for (topicKey, brokerKey) in Self.brokerKeyForTopicKey {
            if let value = properties[brokerKey] { topicLevel[topicKey] = value }
        }
        if topicLevel["segment.ms"] == nil, let hours = properties["log.roll.hours"] {
            topicLevel["segment.ms"] = try String(Self.long("log.roll.hours", hours) * 3_600_000)
        }
        if topicLevel["segment.jitter.ms"] == nil, let hours = properties["log.roll.jitter.hours"] {
            topicLevel["segment.jitter.ms"] = try String(Self.long("log.roll.jitter.hours", hours) * 3_600_000)
        }
        if topicLevel["retention.ms"] == nil {
            if let minutes = properties["log.retention.minutes"] {
                topicLevel["retention.ms"] = try String(Self.long("log.retention.minutes", minutes) * 60_000)
            } else if let hours = properties["log.retention.hours"] {
                topicLevel["retention.ms"] = try String(Self.long("log.retention.hours", hours) * 3_600_000)
            }
        }
        self = try applying(topicOverrides: topicLevel)
    }

    /// This config with a topic's overrides (topic-level keys). Unknown keys are an error: a
    /// topic config is validated when it is set.
    public func applying(topicOverrides overrides: [String: String]) throws -> LogConfig {
        var config = self
        for (key, value) in overrides {
            switch key {
            case "segment.bytes": config.segmentBytes = try Self.int(key, value, atLeast: 14)
            case "segment.ms": config.segmentMs = try Self.long(key, value, atLeast: 1)
            case "segment.jitter.ms": config.segmentJitterMs = try Self.long(key, value, atLeast: 0)
            case "segment.index.bytes": config.maxIndexSize = try Self.int(key, value, atLeast: 0)
            case "index.interval.bytes": config.indexInterval = try Self.int(key, value, atLeast: 0)
            case "retention.ms": config.retentionMs = try Self.long(key, value, atLeast: -1)
            case "retention.bytes": config.retentionSize = try Self.long(key, value)
            case "flush.messages": config.flushInterval = try Self.long(key, value, atLeast: 0)
            case "flush.ms": config.flushMs = try Self.long(key, value, atLeast: 0)
            case "file.delete.delay.ms": config.fileDeleteDelayMs = try Self.long(key, value, atLeast: 0)
            case "max.message.bytes": config.maxMessageSize = try Self.int(key, value, atLeast: 0)
            case "message.timestamp.type":
                switch value {
                case "CreateTime": config.messageTimestampType = .createTime
                case "LogAppendTime": config.messageTimestampType = .logAppendTime
                default: throw LogConfigError.invalidValue(key: key, value: value)
                }
            case "message.timestamp.difference.max.ms": config.messageTimestampDifferenceMaxMs = try Self.long(key, value, atLeast: 0)
            case "compression.type":
                guard let type = BrokerCompressionType(configValue: value) else { throw LogConfigError.invalidValue(key: key, value: value) }
                config.compressionType = type
            case "cleanup.policy":
                // Kafka's LIST type: comma-separated, blanks around the commas ignored; a blank
                // value is the empty list, which Kafka 2.3 accepts (each element must be one of
                // the two, and there is none): such a log is neither compacted nor deleted by
                // retention (`isCompact` and `isDelete` false).
                let trimmed = value.trimmingCharacters(in: .whitespaces)
                let policies = trimmed.isEmpty
                    ? [] : trimmed.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                guard policies.allSatisfy({ $0 == "delete" || $0 == "compact" }) else {
                    throw LogConfigError.invalidValue(key: key, value: value)
                }
                config.cleanupPolicy = policies
            case "min.insync.replicas": config.minInSyncReplicas = try Self.int(key, value, atLeast: 1)
            case "unclean.leader.election.enable":
                guard let flag = Bool(value.lowercased()) else { throw LogConfigError.invalidValue(key: key, value: value) }
                config.uncleanLeaderElectionEnable = flag
            case "message.downconversion.enable":
                guard let flag = Bool(value.lowercased()) else { throw LogConfigError.invalidValue(key: key, value: value) }
                config.messageDownConversionEnable = flag
            case "delete.retention.ms": config.deleteRetentionMs = try Self.long(key, value, atLeast: 0)
            case "min.compaction.lag.ms": config.minCompactionLagMs = try Self.long(key, value, atLeast: 0)
            case "max.compaction.lag.ms": config.maxCompactionLagMs = try Self.long(key, value, atLeast: 1)
            case "min.cleanable.dirty.ratio":
                guard let ratio = Double(value.trimmingCharacters(in: .whitespaces)), (0...1).contains(ratio) else {
                    throw LogConfigError.invalidValue(key: key, value: value)
                }
                config.minCleanableRatio = ratio
            case "preallocate":
                guard let flag = Bool(value.lowercased()) else { throw LogConfigError.invalidValue(key: key, value: value) }
                config.preallocate = flag
            case "message.format.version":
                guard Self.isMessageFormatVersion(value) else { throw LogConfigError.invalidValue(key: key, value: value) }
                config.messageFormatVersion = value
            case "leader.replication.throttled.replicas", "follower.replication.throttled.replicas":
                guard Self.isThrottledReplicaList(value) else { throw LogConfigError.invalidValue(key: key, value: value) }
                if key.hasPrefix("leader") { config.leaderReplicationThrottledReplicas = value } else { config.followerReplicationThrottledReplicas = value }
            default:
                throw LogConfigError.unknownKey(key)
            }
        }
        return config
    }

    /// Whether `value` names a Kafka version as Kafka 2.3 parses it (`ApiVersion`): `0.10.0`,
    /// `0.10.0.0`, `0.10.0-IV1`, `2.3`, `2.3.0`, `2.3-IV1` are; `0.10` and `3.0` are not.
    public static func isMessageFormatVersion(_ value: String) -> Bool {
        ApiVersion(value) != nil
    }

    /// `*`, empty, or comma-separated `partition:broker` pairs.
    static func isThrottledReplicaList(_ value: String) -> Bool {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed == "*" { return true }
        return trimmed.split(separator: ",").allSatisfy { pair in
            let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: ":")
            return parts.count == 2 && Int32(parts[0]) != nil && Int32(parts[1]) != nil
        }
    }

    private static func long(_ key: String, _ value: String, atLeast minimum: Int64 = .min) throws -> Int64 {
        guard let number = Int64(value.trimmingCharacters(in: .whitespaces)), number >= minimum else {
            throw LogConfigError.invalidValue(key: key, value: value)
        }
        return number
    }

    private static func int(_ key: String, _ value: String, atLeast minimum: Int) throws -> Int {
        guard let number = Int32(value.trimmingCharacters(in: .whitespaces)), Int(number) >= minimum else {
            throw LogConfigError.invalidValue(key: key, value: value)
        }
        return Int(number)
    }
}

public enum LogConfigError: Error, Sendable, Equatable {
    case unknownKey(String)
    case invalidValue(key: String, value: String)
}
