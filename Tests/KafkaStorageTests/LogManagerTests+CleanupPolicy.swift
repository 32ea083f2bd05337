import Foundation
import KafkaCommon
import KafkaRecords
import Logging
import NIOCore
import Testing

@testable import KafkaStorage

/// `cleanup.policy` and retention (issue 12, part 5): `delete` applies retention by time and
/// size, `compact` alone deletes only below the log start offset, `compact,delete` does both;
/// the retention task leaves compacted logs to the log cleaner's threads, as Kafka 2.3 does.
extension LogManagerTests {
    /// A producer's batch of `count` keyed records (compacted logs refuse keyless ones).
    func keyedBatch(count: Int, timestamp: Int64) throws -> MemoryRecords {
        var builder = MemoryRecordsBuilder(baseOffset: 0)
        for index in 0..<count {
            builder.append(timestamp: timestamp, key: ByteBuffer(string: "key-\(index)"), value: ByteBuffer(string: "value-\(index)"))
        }
        return try builder.buildRecords()
    }

    /// A log of two segments: offsets 0–1 (written at `time` now), then 2–3 in the active one.
    func twoSegmentLog(_ manager: LogManager, _ tp: TopicPartition, _ config: LogConfig) throws -> Log {
        let log = try manager.getOrCreateLog(tp, config: config)
        _ = try log.appendAsLeader(keyedBatch(count: 2, timestamp: time.milliseconds), leaderEpoch: 0)
        _ = try log.roll()
        _ = try log.appendAsLeader(keyedBatch(count: 2, timestamp: time.milliseconds), leaderEpoch: 0)
        return log
    }

    static func config(_ policy: String, retentionMs: Int64 = -1, retentionBytes: Int64 = -1) throws -> LogConfig {
        try LogConfig().applying(topicOverrides: [
            "cleanup.policy": policy, "retention.ms": "\(retentionMs)", "retention.bytes": "\(retentionBytes)",
        ])
    }

    @Test func cleanupPolicyIsAListOfDeleteAndCompactInEitherOrder() throws {
        for value in ["compact,delete", "delete,compact", "compact , delete", "delete, compact"] {
            let config = try LogConfig().applying(topicOverrides: ["cleanup.policy": value])
            #expect(config.isCompact && config.isDelete, "\(value)")
        }
        #expect(try LogConfig().applying(topicOverrides: ["cleanup.policy": "delete,compact"]).cleanupPolicy == ["delete", "compact"])
        #expect(try LogConfig().applying(topicOverrides: ["cleanup.policy": "compact"]).cleanupPolicy == ["compact"])
        let compactOnly = try LogConfig().applying(topicOverrides: ["cleanup.policy": "compact"])
        #expect(compactOnly.isCompact && !compactOnly.isDelete)
        for value in ["compact,archive", "compact,", ",", "Compact"] {
            #expect(throws: LogConfigError.invalidValue(key: "cleanup.policy", value: value)) {
                try LogConfig().applying(topicOverrides: ["cleanup.policy": value])
            }
        }
        let broker = try LogConfig(brokerProperties: ["log.cleanup.policy": "compact,delete"])
        #expect(broker.isCompact && broker.isDelete)
    }

    @Test func retentionTimeAppliesWithDeleteInThePolicyOnly() throws {
        let manager = try manager()
        try manager.startup()
        let logs = try [("delete", 0), ("compact,delete", 1), ("delete,compact", 2), ("compact", 3)].map { policy, partition in
            (policy, try twoSegmentLog(manager, TopicPartition("t", Int32(partition)), Self.config(policy, retentionMs: 1_000)))
        }
        for (policy, log) in logs { #expect(try log.deleteOldSegments() == 0, "\(policy): nothing is old yet") }
        time.sleep(1_001)
        for (policy, log) in logs {
            let expected = policy == "compact" ? 0 : 1
            #expect(try log.deleteOldSegments() == expected, "\(policy)")
            #expect(log.logStartOffset == Int64(expected * 2), "\(policy)")
            #expect(log.numberOfSegments == 2 - expected, "\(policy)")
        }
    }

    @Test func retentionSizeAppliesWithDeleteInThePolicyOnly() throws {
        let manager = try manager()
        try manager.startup()
        for (partition, policy) in ["delete", "compact,delete", "compact"].enumerated() {
            // One byte of retention: every segment but the active one is over it.
            let log = try twoSegmentLog(manager, TopicPartition("s", Int32(partition)), Self.config(policy, retentionBytes: 1))
            let expected = policy == "compact" ? 0 : 1
            #expect(try log.deleteOldSegments() == expected, "\(policy)")
            #expect(log.segmentBaseOffsets == (expected == 1 ? [2] : [0, 2]), "\(policy)")
        }
    }

    @Test func aCompactOnlyLogDeletesSegmentsBelowItsLogStartOffset() throws {
        let manager = try manager()
        try manager.startup()
        let log = try twoSegmentLog(manager, orders0, Self.config("compact", retentionMs: 1))
        time.sleep(10)
        #expect(try log.deleteOldSegments() == 0, "no retention by time for compact alone")
        try log.maybeIncrementLogStartOffset(2)
        #expect(try log.deleteOldSegments() == 1)
        #expect(log.segmentBaseOffsets == [2])
    }

    /// Kafka's `cleanupLogs` takes only the logs without `compact`; the cleaner's threads apply
    /// retention to the others, so the periodic task never races a cleaning.
    @Test func theRetentionTaskLeavesCompactedLogsToTheCleaner() throws {
        let manager = try manager()
        try manager.startup()
        let delete = try twoSegmentLog(manager, TopicPartition("r", 0), Self.config("delete", retentionMs: 1_000))
        let both = try twoSegmentLog(manager, TopicPartition("r", 1), Self.config("compact,delete", retentionMs: 1_000))
        let compact = try twoSegmentLog(manager, TopicPartition("r", 2), Self.config("compact", retentionMs: 1_000))
        try compact.maybeIncrementLogStartOffset(2)
        time.sleep(1_001)
        #expect(manager.cleanupLogs() == 1)
        #expect(delete.segmentBaseOffsets == [2])
        #expect(both.segmentBaseOffsets == [0, 2])
        #expect(compact.segmentBaseOffsets == [0, 2])
    }

    /// With a cleaner: the retention task pauses the logs it trims and resumes them (idle again
    /// afterwards), and leaves `compact,delete` logs to the cleaner thread, which applies
    /// retention by time to them between cleanings; `compact` alone gets no retention at all.
    @Test func withACleanerItsThreadTrimsCompactDeleteLogs() throws {
        var cleanerConfig = LogCleanerConfig()
        cleanerConfig.dedupeBufferSize = 4 * 1024 * 1024
        let manager = try LogManager(
            logDirs: [dir1], defaultConfig: LogConfig(), scheduler: scheduler, time: time,
            logger: Logger(label: "cleanup-policy"), cleanerConfig: cleanerConfig)
        defer { manager.shutdown() }
        try manager.startup()
        let cleaner = try #require(manager.cleaner)
        let delete = try twoSegmentLog(manager, TopicPartition("c", 0), Self.config("delete", retentionMs: 1_000))
        let both = try twoSegmentLog(manager, TopicPartition("c", 1), Self.config("compact,delete", retentionMs: 1_000))
        let compact = try twoSegmentLog(manager, TopicPartition("c", 2), Self.config("compact", retentionMs: 1_000))
        time.sleep(1_001)
        #expect(manager.cleanupLogs() == 1)
        #expect(delete.segmentBaseOffsets == [2] && both.segmentBaseOffsets == [0, 2])
        for tp in [delete, both, compact].map(\.topicPartition) {
            #expect(cleaner.manager.cleaningState(tp) == nil, "\(tp) idle after the retention task")
        }
        _ = cleaner.threads.first?.cleanFilthiestLog()
        #expect(both.segmentBaseOffsets == [2], "the cleaner thread applied retention")
        #expect(compact.segmentBaseOffsets.first == 0, "compact alone: no retention")
    }
}
