import Foundation
import KafkaCommon
import KafkaRecords
import KafkaTestKit
import Logging
import NIOCore
import Testing

@testable import KafkaStorage

/// The log manager with a log cleaner: its checkpoint follows truncations and deletions, and
/// `log.cleaner.threads` can change at run time.
@Suite struct LogManagerCleanerTests {
    let directory: URL
    let time = MockTime()
    let tp = TopicPartition("compacted", 0)

    init() throws { directory = try makeTemporaryDirectory(prefix: "log-manager-cleaner") }

    func makeManager() throws -> LogManager {
        var cleanerConfig = LogCleanerConfig()
        cleanerConfig.dedupeBufferSize = 4 * 1024 * 1024
        return try LogManager(
            logDirs: [directory.path], defaultConfig: LogConfig(), scheduler: MockScheduler(time: time), time: time,
            logger: Logger(label: "log-manager-test"), cleanerConfig: cleanerConfig)
    }

    func checkpoint() throws -> [TopicPartition: Int64] {
        Dictionary(
            try CheckpointFile<TopicPartitionOffset>(path: directory.appendingPathComponent("cleaner-offset-checkpoint").path).read()
                .map { ($0.topicPartition, $0.offset) }, uniquingKeysWith: { $1 })
    }

    @Test func theCleanerCheckpointFollowsTruncationAndDeletion() throws {
        let manager = try makeManager()
        defer { manager.shutdown() }
        var config = LogConfig()
        config.cleanupPolicy = ["compact"]
        config.minCleanableRatio = 0.01
        let log = try manager.getOrCreateLog(tp, config: config)
        for base in stride(from: Int64(0), to: 300, by: 100) {
            var builder = MemoryRecordsBuilder(baseOffset: base, partitionLeaderEpoch: 0)
            for offset in base..<base + 100 {
                try builder.append(offset: offset, timestamp: 1_000, key: ByteBuffer(string: "k\(offset % 10)"), value: ByteBuffer(string: "v\(offset)"))
            }
            _ = try log.appendAsFollower(try builder.buildRecords())
            _ = try log.roll()
        }
        let cleaner = try #require(manager.cleaner)
        #expect(cleaner.threads.first?.cleanFilthiestLog() == true)
        #expect(try checkpoint()[tp] == 300)

        // A truncation below the checkpoint lowers it to the new active segment's base offset.
        try manager.truncateTo([tp: 150])
        #expect(log.logEndOffset <= 150)
        let lowered = try #require(try checkpoint()[tp])
        #expect(lowered <= 150)
        #expect(lowered == log.withLock { $0.activeSegment.baseOffset })
        #expect(cleaner.manager.cleaningState(tp) == nil, "cleaning resumed")

        // Deleting the log drops its entry.
        try manager.asyncDelete(tp)
        #expect(try checkpoint()[tp] == nil)
    }

    @Test func retentionLeavesALogBeingCleanedAlone() throws {
        let manager = try makeManager()
        defer { manager.shutdown() }
        var config = LogConfig()
        config.cleanupPolicy = ["compact", "delete"]
        config.minCleanableRatio = 0.01
        let log = try manager.getOrCreateLog(tp, config: config)
        for base in stride(from: Int64(0), to: 300, by: 100) {
            var builder = MemoryRecordsBuilder(baseOffset: base, partitionLeaderEpoch: 0)
            for offset in base..<base + 100 {
                try builder.append(offset: offset, timestamp: time.milliseconds, key: ByteBuffer(string: "k\(offset)"), value: ByteBuffer(string: "v"))
            }
            _ = try log.appendAsFollower(try builder.buildRecords())
            _ = try log.roll()
        }
        try log.maybeIncrementLogStartOffset(250)
        let cleanerManager = try #require(manager.cleaner?.manager)
        let grabbed = try #require(cleanerManager.grabFilthiestCompactedLog())
        #expect(grabbed.0.topicPartition == tp)
        // Being cleaned: the segments below the log start offset stay for now.
        #expect(try log.deleteOldSegments() == 0)
        #expect(log.segmentBaseOffsets.first == 0)
        cleanerManager.doneCleaning(tp, dir: directory.path, endOffset: 0)
        #expect(try log.deleteOldSegments() == 2)
        #expect(log.segmentBaseOffsets.first == 200)
        #expect(cleanerManager.cleaningState(tp) == nil)
    }

    @Test func theCleanerKeysHaveKafkasDefaultsAndChecks() throws {
        let defaults = try LogCleanerConfig(brokerProperties: [:])
        #expect(defaults == LogCleanerConfig())
        #expect(defaults.enableCleaner && defaults.numThreads == 1 && defaults.backOffMs == 15_000)
        #expect(defaults.dedupeBufferSize == 134_217_728 && defaults.dedupeBufferLoadFactor == 0.9)
        #expect(defaults.ioBufferSize == 524_288 && defaults.readBufferSizePerThread == 262_144)
        #expect(defaults.maxIoBytesPerSecond == .greatestFiniteMagnitude)
        let set = try LogCleanerConfig(brokerProperties: [
            "log.cleaner.threads": "4", "log.cleaner.dedupe.buffer.size": "8388608", "log.cleaner.io.max.bytes.per.second": "1048576",
            "log.cleaner.backoff.ms": "100", "log.cleaner.enable": "false",
        ])
        #expect(set.numThreads == 4 && set.offsetMapMemoryPerThread == 2_097_152 && set.maxIoBytesPerSecond == 1_048_576)
        #expect(!set.enableCleaner && set.backOffMs == 100)
        // At least 1 MiB of offset map per thread, as Kafka requires.
        #expect(throws: LogConfigError.self) {
            try LogCleanerConfig(brokerProperties: ["log.cleaner.threads": "4", "log.cleaner.dedupe.buffer.size": "4194304"])
        }
        #expect(throws: LogConfigError.self) { try LogCleanerConfig(brokerProperties: ["log.cleaner.threads": "-1"]) }
        #expect(throws: LogConfigError.self) { try LogCleanerConfig(brokerProperties: ["log.cleaner.enable": "yes"]) }
        #expect(throws: LogConfigError.self) { try LogCleanerConfig(brokerProperties: ["log.cleaner.backoff.ms": "-5"]) }
    }

    @Test func theCleanerThreadsCanBeResized() throws {
        let manager = try makeManager()
        let cleaner = try #require(manager.cleaner)
        cleaner.startup()
        #expect(cleaner.threads.count == 1)
        var config = cleaner.config
        config.numThreads = 2
        cleaner.reconfigure(config)
        #expect(cleaner.threads.map(\.name) == ["kafka-log-cleaner-thread-0", "kafka-log-cleaner-thread-1"])
        manager.shutdown()
    }
}
