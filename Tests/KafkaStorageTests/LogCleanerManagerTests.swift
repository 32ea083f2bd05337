import Foundation
import KafkaCommon
import KafkaRecords
import KafkaTestKit
import Logging
import NIOCore
import Testing

@testable import KafkaStorage

/// `LogCleanerManager` over real logs: which one it picks, what it skips, and a partition whose
/// cleaning fails.
@Suite struct LogCleanerManagerTests {
    let directory: URL
    let time = MockTime()

    init() throws { directory = try makeTemporaryDirectory(prefix: "log-cleaner-manager") }

    /// A compacted log with `segments` full segments of 100 records over `keys` keys, rolled.
    func makeLog(_ name: String, segments: Int, keys: Int, policy: [String] = ["compact"]) throws -> Log {
        var config = LogConfig()
        config.cleanupPolicy = policy
        config.minCleanableRatio = 0.01
        let log = try Log(
            dir: directory.appendingPathComponent("\(name)-0").path, config: config, hadCleanShutdown: true,
            scheduler: MockScheduler(time: time), time: time, logger: Logger(label: "log-cleaner-manager-test"))
        for base in stride(from: Int64(0), to: Int64(segments * 100), by: 100) {
            var builder = MemoryRecordsBuilder(baseOffset: base, partitionLeaderEpoch: 0)
            for offset in base..<base + 100 {
                try builder.append(offset: offset, timestamp: time.milliseconds, key: ByteBuffer(string: "k\(Int(offset) % keys)"), value: ByteBuffer(string: "v\(offset)"))
            }
            _ = try log.appendAsFollower(try builder.buildRecords())
            _ = try log.roll()
        }
        return log
    }

    func makeCleaner(_ logs: [Log]) -> LogCleaner {
        var config = LogCleanerConfig()
        config.dedupeBufferSize = 4 * 1024 * 1024
        let table = Dictionary(uniqueKeysWithValues: logs.map { ($0.topicPartition, $0) })
        let cleaner = LogCleaner(config: config, logDirs: [directory.path], logs: { table }, time: time)
        for log in logs { log.cleanerManager.withLock { $0 = cleaner.manager } }
        return cleaner
    }

    @Test func theFilthiestIdleCompactedLogIsPickedAndMarkedInProgress() throws {
        let small = try makeLog("small", segments: 1, keys: 10)
        let large = try makeLog("large", segments: 3, keys: 10)
        let plain = try makeLog("plain", segments: 3, keys: 10, policy: ["delete"])
        let manager = makeCleaner([small, large, plain]).manager
        // Both compacted logs are wholly dirty (ratio 1); one is picked, then the other.
        let first = try #require(manager.grabFilthiestCompactedLog())
        #expect(manager.cleaningState(first.0.topicPartition) == .inProgress)
        let second = try #require(manager.grabFilthiestCompactedLog())
        #expect(Set([first.0.topicPartition.topic, second.0.topicPartition.topic]) == ["small", "large"])
        // Both in progress, and the delete-only log never qualifies.
        #expect(manager.grabFilthiestCompactedLog() == nil)
        manager.doneCleaning(first.0.topicPartition, dir: directory.path, endOffset: first.0.firstUncleanableOffset)
        // Clean now: ratio 0, not picked again.
        #expect(manager.grabFilthiestCompactedLog() == nil)
        #expect(manager.allCleanerCheckpoints()[first.0.topicPartition] == first.0.firstUncleanableOffset)
        // A paused log is not picked either.
        manager.doneCleaning(second.0.topicPartition, dir: directory.path, endOffset: 0)
        manager.abortAndPauseCleaning(second.0.topicPartition)
        #expect(manager.grabFilthiestCompactedLog() == nil)
        manager.resumeCleaning([second.0.topicPartition])
        #expect(manager.grabFilthiestCompactedLog()?.0.topicPartition == second.0.topicPartition)
    }

    @Test func withoutAHighWatermarkALogIsNotCleaned() throws {
        let log = try makeLog("compacted", segments: 2, keys: 10)
        let manager = makeCleaner([log]).manager
        manager.setFirstUnstableOffsetProvider { _ in nil }
        #expect(manager.grabFilthiestCompactedLog() == nil)
        manager.setFirstUnstableOffsetProvider { _ in 150 }
        let picked = try #require(manager.grabFilthiestCompactedLog())
        // The base of the segment holding offset 150, as Kafka's LogToClean rounds it.
        #expect(picked.0.firstUncleanableOffset == 100)
    }

    @Test func aLogWhoseCleaningFailsIsMarkedUncleanableAndTheThreadGoesOn() throws {
        let broken = try makeLog("broken", segments: 2, keys: 10)
        let healthy = try makeLog("healthy", segments: 1, keys: 10)
        // The first batch claims to be 2 GiB long.
        let path = broken.withLock { $0.segments[0].log.path }
        try overwrite(path, at: 8, with: [0x7f, 0xff, 0xff, 0xf0])
        let cleaner = makeCleaner([broken, healthy])
        let thread = try #require(cleaner.threads.first)
        var cleaned: Set<String> = []
        while thread.cleanFilthiestLog() {
            for topic in ["broken", "healthy"] where cleaner.manager.allCleanerCheckpoints()[TopicPartition(topic, 0)] != nil {
                cleaned.insert(topic)
            }
            if cleaned.count == 2 { break }
        }
        #expect(cleaner.manager.isUncleanable(directory.path, broken.topicPartition))
        #expect(!cleaner.manager.isUncleanable(directory.path, healthy.topicPartition))
        #expect(cleaner.manager.allCleanerCheckpoints()[healthy.topicPartition] == 100)
        #expect(cleaner.manager.cleaningState(broken.topicPartition) == nil)
        #expect(cleaner.manager.grabFilthiestCompactedLog() == nil, "the broken log is never picked again")
    }
}
