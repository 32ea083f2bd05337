import Foundation
import KafkaCommon
import KafkaTestKit
import Logging
import Synchronization
import Testing

@testable import KafkaStorage

/// The cleaner's dynamic settings (Kafka's `LogCleaner.reconfigure`), the manager's handling of
/// an offline log dir (Kafka's `handleLogDirFailure`), and the throttler's new rate.
@Suite struct LogCleanerReconfigurationTests {
    let directory: URL
    let time = MockTime()

    init() throws { directory = try makeTemporaryDirectory(prefix: "log-cleaner-reconfigure") }

    @Test func reconfiguringAppliesTheNewRateAndSettingsToNewThreads() {
        var config = LogCleanerConfig()
        config.dedupeBufferSize = 4 * 1024 * 1024
        let cleaner = LogCleaner(config: config, logDirs: [directory.path], logs: { [:] }, time: time) { _ in }
        #expect(cleaner.maxIoBytesPerSecond == .greatestFiniteMagnitude)
        let before = cleaner.threads.map(ObjectIdentifier.init)
        var next = config
        next.maxIoBytesPerSecond = 1_048_576
        next.backOffMs = 100
        next.ioBufferSize = 1024 * 1024
        next.dedupeBufferLoadFactor = 0.75
        next.dedupeBufferSize = 8 * 1024 * 1024
        cleaner.reconfigure(next)
        #expect(cleaner.config == next)
        #expect(cleaner.maxIoBytesPerSecond == 1_048_576)
        // New threads, built from the new settings (the old ones were stopped).
        #expect(cleaner.threads.count == 1 && cleaner.threads.map(ObjectIdentifier.init) != before)
        #expect(next.offsetMapMemoryPerThread == 8 * 1024 * 1024 && next.readBufferSizePerThread == 512 * 1024)
    }

    @Test func theReconfigurableKeysAreKafkas() throws {
        #expect(LogCleanerConfig.reconfigurableKeys == [
            "log.cleaner.threads", "log.cleaner.dedupe.buffer.size", "log.cleaner.io.buffer.load.factor", "log.cleaner.io.buffer.size",
            "message.max.bytes", "log.cleaner.io.max.bytes.per.second", "log.cleaner.backoff.ms",
        ])
        let config = try LogCleanerConfig(brokerProperties: ["log.cleaner.io.max.bytes.per.second": "1048576", "log.cleaner.backoff.ms": "100"])
        #expect(config.reconfigurableSummary.contains("log.cleaner.io.max.bytes.per.second=1048576.0, log.cleaner.backoff.ms=100"))
    }

    final class Slept: Sendable {
        let values = Mutex<[Int64]>([])
        func withLock<T>(_ body: (inout [Int64]) -> T) -> T { values.withLock { body(&$0) } }
    }

    @Test func aNewRateAppliesFromTheNextCheck() {
        let time = self.time
        let slept = Slept()
        let throttler = Throttler(desiredRatePerSec: 1_000_000, checkIntervalMs: 100, time: time) { ms in
            slept.withLock { $0.append(ms) }
            time.sleep(ms)
        }
        time.sleep(200)
        #expect(throttler.maybeThrottle(2_000) == 0, "10,000 bytes/s is under 1,000,000")
        throttler.updateDesiredRatePerSec(1_000)
        #expect(throttler.desiredRatePerSec == 1_000)
        time.sleep(200)
        // 2,000 bytes in 200 ms at 1 byte per ms should have taken 2,000 ms: sleeps 1,800.
        #expect(throttler.maybeThrottle(2_000) == 1_800)
        #expect(slept.withLock { $0 } == [1_800])
    }

    /// Kafka's `handleLogDirFailure`: the dead directory's entries leave the checkpoints, and
    /// nothing is written to it afterwards; the other directory is kept as before.
    @Test func anOfflineLogDirLeavesTheCheckpointBookkeeping() throws {
        let dirs = ["a", "b"].map { directory.appendingPathComponent($0).path }
        for dir in dirs { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let manager = LogCleanerManager(logDirs: dirs, logs: { [:] }, time: time, logger: Logger(label: "test"))
        try manager.checkpointFile(dirs[0]).write([TopicPartitionOffset(TopicPartition("dead", 0), 40)])
        try manager.checkpointFile(dirs[1]).write([TopicPartitionOffset(TopicPartition("live", 0), 70)])
        #expect(manager.allCleanerCheckpoints() == [TopicPartition("dead", 0): 40, TopicPartition("live", 0): 70])

        manager.handleLogDirFailure(dirs[0])
        #expect(manager.checkpointDirs == [dirs[1]])
        #expect(manager.allCleanerCheckpoints() == [TopicPartition("live", 0): 70])
        // No later checkpoint write reaches the dead directory.
        let path = "\(dirs[0])/\(CheckpointFileName.cleanerOffset)"
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        manager.updateCheckpoints(dirs[0], update: (TopicPartition("dead", 0), 90))
        manager.maybeTruncateCheckpoint(dirs[0], TopicPartition("dead", 0), offset: 10)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        try FileManager.default.removeItem(atPath: dirs[0])
        manager.updateCheckpoints(dirs[0], update: (TopicPartition("dead", 0), 90))
        #expect(!FileManager.default.fileExists(atPath: dirs[0]))
        // The live directory is still written.
        manager.updateCheckpoints(dirs[1], update: (TopicPartition("live", 0), 80))
        #expect(manager.allCleanerCheckpoints() == [TopicPartition("live", 0): 80])
    }
}
