import Foundation
import KafkaCommon
import KafkaStorage
import KafkaTestKit
import Logging
import Testing

@Suite struct LogTests {
    let root: URL
    let dir: String
    let time = MockTime()
    let scheduler: MockScheduler
    let logger = Logger(label: "test")

    init() throws {
        root = try makeTemporaryDirectory(prefix: "log")
        dir = root.appendingPathComponent("orders-3").path
        scheduler = MockScheduler(time: time)
    }

    func openLog(_ config: LogConfig = LogConfig(), clean: Bool = true, recoveryPoint: Int64 = 0) throws -> Log {
        try Log(dir: dir, config: config, recoveryPoint: recoveryPoint, hadCleanShutdown: clean, scheduler: scheduler, time: time, logger: logger)
    }

    func config(segmentBytes: Int = 1 << 30, indexInterval: Int = 4096, maxIndexSize: Int = 1 << 20) -> LogConfig {
        var config = LogConfig()
        config.segmentBytes = segmentBytes
        config.indexInterval = indexInterval
        config.maxIndexSize = maxIndexSize
        return config
    }

    var now: Int64 { time.milliseconds }

    func names() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir).sorted() }

    /// The batches of everything readable from `offset`.
    func batches(_ log: Log, from offset: Int64 = 0) throws -> [RecordBatch] {
        var result: [RecordBatch] = []
        var next = offset
        while next < log.logEndOffset {
            let fetch = try log.read(startOffset: next, maxLength: 1 << 20)
            let records = MemoryRecords(try log.readBytes(fetch))
            let found = Array(records.batches)
            guard let last = found.last else { break }
            result += found
            next = last.nextOffset
        }
        return result
    }

    @Test func directoryNameIsParsed() throws {
        let log = try openLog()
        #expect(log.topicPartition == TopicPartition("orders", 3))
        #expect(throws: StorageError.self) {
            try Log(dir: root.appendingPathComponent("no_partition").path, config: LogConfig(), hadCleanShutdown: true,
                    scheduler: scheduler, time: time, logger: logger)
        }
    }

    @Test func appendAsLeaderAssignsOffsetsAndReadsBackTheSameBytes() throws {
        let log = try openLog()
        var inputs: [MemoryRecords] = []
        for step in 0..<5 {
            let records = try producerBatch(count: 3, timestamp: now - 100 + Int64(step))
            inputs.append(records)
            let result = try log.appendAsLeader(records, leaderEpoch: 7)
            #expect(result.firstOffset == Int64(step * 3) && result.lastOffset == Int64(step * 3 + 2))
            #expect(result.logAppendTime == -1)
        }
        #expect(log.logEndOffset == 15)
        let fetch = try log.read(startOffset: 0, maxLength: 1 << 20)
        let bytes = try log.readBytes(fetch)
        #expect(Array(bytes.readableBytesView) == (try fileBytes(LogFileName.logFile(dir, 0))))
        let read = Array(MemoryRecords(bytes).batches)
        #expect(read.map(\.baseOffset) == [0, 3, 6, 9, 12])
        #expect(read.allSatisfy { $0.partitionLeaderEpoch == 7 && $0.isChecksumValid })
        for (batch, input) in zip(read, inputs) {
            let original = try #require(input.firstBatch)
            #expect(Array(batch.bytes.readableBytesView.dropFirst(16)) == Array(original.bytes.readableBytesView.dropFirst(16)),
                    "only baseOffset and partitionLeaderEpoch differ from what the producer sent")
        }
        let middle = try log.read(startOffset: 7, maxLength: 1 << 20)
        #expect(MemoryRecords(try log.readBytes(middle)).firstBatch?.baseOffset == 6, "whole batches: the one holding 7 starts at 6")
        #expect(try log.read(startOffset: 15, maxLength: 100).records.size == 0)
        #expect(throws: LogError.offsetOutOfRange(offset: 16, logStartOffset: 0, logEndOffset: 15)) {
            try log.read(startOffset: 16, maxLength: 100)
        }
    }

    @Test func logAppendTimeTopicsStampTheBrokerClock() throws {
        var config = LogConfig()
        config.messageTimestampType = .logAppendTime
        let log = try openLog(config)
        let result = try log.appendAsLeader(try producerBatch(count: 2, timestamp: 5), leaderEpoch: 0)
        #expect(result.logAppendTime == now && result.maxTimestamp == now)
        let batch = try #require(try batches(log).first)
        #expect(batch.timestampType == .logAppendTime && batch.maxTimestamp == now && batch.isChecksumValid)
        #expect(try log.fetchOffsetByTimestamp(now)! == (now, 0))
    }

    @Test func invalidRecordsAreRefusedWithTheirErrorCode() throws {
        var config = LogConfig()
        config.maxMessageSize = 100
        let log = try openLog(config)
        do {
            try log.appendAsLeader(try producerBatch(count: 10, timestamp: now), leaderEpoch: 0)
            Issue.record("expected MESSAGE_TOO_LARGE")
        } catch let error as RecordBatchError {
            #expect(error.kafkaErrorCode == 10)
        }
        #expect(log.logEndOffset == 0)
    }

    @Test func readHonoursMaxOffsetAndMinOneMessage() throws {
        let log = try openLog()
        for _ in 0..<4 { try log.appendAsLeader(try producerBatch(count: 2, timestamp: now), leaderEpoch: 0) }
        let batchSize = try #require(try batches(log).first).sizeInBytes
        let upToHW = try log.read(startOffset: 0, maxLength: 1 << 20, maxOffset: 4)
        #expect(upToHW.records.size == 2 * batchSize, "only batches wholly below the high watermark")
        #expect(try log.read(startOffset: 4, maxLength: 1 << 20, maxOffset: 4).records.size == 0)
        let small = try log.read(startOffset: 2, maxLength: 5)
        #expect(small.records.size == 5 && small.firstEntryIncomplete)
        let one = try log.read(startOffset: 2, maxLength: 5, minOneMessage: true)
        #expect(one.records.size == batchSize && !one.firstEntryIncomplete)
        #expect(one.fetchOffsetMetadata == LogOffsetMetadata(messageOffset: 2, segmentBaseOffset: 0, relativePositionInSegment: batchSize))
    }

    @Test func rollsOnSizeWithZeroPaddedNames() throws {
        let batchSize = try producerBatch(count: 2, timestamp: now).sizeInBytes
        let log = try openLog(config(segmentBytes: batchSize * 3))
        for _ in 0..<7 { try log.appendAsLeader(try producerBatch(count: 2, timestamp: now), leaderEpoch: 0) }
        #expect(log.segmentBaseOffsets == [0, 6, 12])
        #expect(try names().filter { $0.hasSuffix(".log") } == ["00000000000000000000.log", "00000000000000000006.log", "00000000000000000012.log"])
        #expect(try batches(log).map(\.baseOffset) == [0, 2, 4, 6, 8, 10, 12])
        #expect(log.recoveryPoint == 0, "a roll schedules the flush of the old segments; the recovery point waits for it")
        scheduler.tick()
        #expect(log.recoveryPoint == 12, "the scheduled flush synced the segments before the new one")
        #expect(fileSize(LogFileName.indexFile(dir, 0)) == 0, "inactive segments' indexes are trimmed")
    }

    @Test func rollsOnTimeAndOnFullIndex() throws {
        var timed = LogConfig()
        timed.segmentMs = 1_000
        let log = try openLog(timed)
        try log.appendAsLeader(try producerBatch(timestamp: now), leaderEpoch: 0)
        try log.appendAsLeader(try producerBatch(timestamp: now + 999), leaderEpoch: 0)
        #expect(log.numberOfSegments == 1)
        try log.appendAsLeader(try producerBatch(timestamp: now + 1_001), leaderEpoch: 0)
        #expect(log.segmentBaseOffsets == [0, 2], "the batch 1,001 ms after the first one starts a new segment")
        try log.close()

        try FileManager.default.removeItem(atPath: dir)
        let indexed = try openLog(config(indexInterval: 1, maxIndexSize: 24))
        for step in 0..<6 { try indexed.appendAsLeader(try producerBatch(timestamp: now + Int64(step)), leaderEpoch: 0) }
        #expect(indexed.numberOfSegments > 1, "a full time index (2 entries of 12 bytes) rolls")
        #expect(try batches(indexed).map(\.baseOffset) == [0, 1, 2, 3, 4, 5])
    }

    @Test func fetchOffsetByTimestamp() throws {
        let batchSize = try producerBatch(count: 2, timestamp: 0).sizeInBytes
        let log = try openLog(config(segmentBytes: batchSize * 2, indexInterval: 1))
        for step in 0..<6 { try log.appendAsLeader(try producerBatch(count: 2, timestamp: 10_000 + Int64(step * 100)), leaderEpoch: 0) }
        #expect(log.numberOfSegments == 3)
        #expect(try log.fetchOffsetByTimestamp(10_250)! == (10_300, 6))
        #expect(try log.fetchOffsetByTimestamp(10_301)! == (10_301, 7))
        #expect(try log.fetchOffsetByTimestamp(0)! == (10_000, 0))
        #expect(try log.fetchOffsetByTimestamp(99_999) == nil)
        #expect(try log.fetchOffsetByTimestamp(Log.earliestTimestamp)! == (-1, 0))
        #expect(try log.fetchOffsetByTimestamp(Log.latestTimestamp)! == (-1, 12))
    }

    @Test func truncateToAndFully() throws {
        let batchSize = try producerBatch(count: 2, timestamp: now).sizeInBytes
        let log = try openLog(config(segmentBytes: batchSize * 2))
        for _ in 0..<5 { try log.appendAsLeader(try producerBatch(count: 2, timestamp: now), leaderEpoch: 0) }
        #expect(log.segmentBaseOffsets == [0, 4, 8])
        #expect(try log.truncateTo(6))
        #expect(log.logEndOffset == 6)
        #expect(log.segmentBaseOffsets == [0, 4])
        #expect(try batches(log).map(\.baseOffset) == [0, 2, 4])
        #expect(!(try log.truncateTo(10)))
        try log.appendAsLeader(try producerBatch(timestamp: now), leaderEpoch: 1)
        #expect(log.logEndOffset == 7)
        try log.truncateFullyAndStartAt(100)
        #expect(log.logStartOffset == 100 && log.logEndOffset == 100 && log.segmentBaseOffsets == [100])
        #expect(try names().filter { !$0.hasSuffix(".deleted") } == [
            "00000000000000000100.index", "00000000000000000100.log", "00000000000000000100.timeindex", "leader-epoch-checkpoint",
        ])
    }

    @Test func appendAsFollowerKeepsOffsets() throws {
        let log = try openLog()
        var records = try makeBatch(baseOffset: 0, count: 3, timestamp: 500, leaderEpoch: 2).buffer
        var second = try makeBatch(baseOffset: 3, count: 2, timestamp: 600, leaderEpoch: 2).buffer
        records.writeBuffer(&second)
        let partial = try makeBatch(baseOffset: 5, count: 2, timestamp: 700).buffer
        records.writeBytes(partial.readableBytesView.prefix(30))
        let result = try #require(try log.appendAsFollower(MemoryRecords(records)))
        #expect(result.firstOffset == 0 && result.lastOffset == 4 && result.shallowCount == 2)
        #expect(log.logEndOffset == 5)
        #expect(throws: LogError.unexpectedAppendOffset(firstOffset: 2, logEndOffset: 5)) {
            try log.appendAsFollower(try makeBatch(baseOffset: 2, count: 1, timestamp: 800))
        }
        try log.appendAsFollower(try makeBatch(baseOffset: 5, count: 1, timestamp: 800, leaderEpoch: 2))
        #expect(try batches(log).map(\.baseOffset) == [0, 3, 5])
    }

    @Test func retentionByTimeRenamesThenDeletesLater() throws {
        let batchSize = try producerBatch(timestamp: now).sizeInBytes
        var config = self.config(segmentBytes: batchSize * 2)
        config.retentionMs = 10_000
        config.fileDeleteDelayMs = 60_000
        let log = try openLog(config)
        let old = now
        for step in 0..<6 { try log.appendAsLeader(try producerBatch(timestamp: old + Int64(step < 4 ? 0 : 20_000)), leaderEpoch: 0) }
        #expect(log.segmentBaseOffsets == [0, 2, 4])
        #expect(try log.deleteOldSegments() == 0)
        time.sleep(10_001)
        #expect(try log.deleteOldSegments() == 2)
        #expect(log.segmentBaseOffsets == [4] && log.logStartOffset == 4)
        #expect(try names().filter { $0.hasSuffix(".deleted") }.count == 6)
        #expect(throws: LogError.self) { try log.read(startOffset: 1, maxLength: 100) }
        time.sleep(59_999)
        scheduler.tick()
        #expect(try names().filter { $0.hasSuffix(".deleted") }.count == 6, "not before file.delete.delay.ms")
        time.sleep(1)
        scheduler.tick()
        #expect(try names() == [
            "00000000000000000004.index", "00000000000000000004.log", "00000000000000000004.snapshot", "00000000000000000004.timeindex",
            "leader-epoch-checkpoint",
        ], "the producer snapshots of the deleted segments go with them")
        time.sleep(1_000_000)
        #expect(try log.deleteOldSegments() == 0, "the active segment is never deleted")
        #expect(log.logEndOffset == 6)
    }

    @Test func retentionBySizeAndDeleteRecords() throws {
        let batchSize = try producerBatch(timestamp: now).sizeInBytes
        var config = self.config(segmentBytes: batchSize * 2)
        config.retentionSize = Int64(batchSize * 3)
        let log = try openLog(config)
        for _ in 0..<7 { try log.appendAsLeader(try producerBatch(timestamp: now), leaderEpoch: 0) }
        #expect(log.segmentBaseOffsets == [0, 2, 4, 6])
        #expect(try log.deleteOldSegments() == 2, "7 batches, keep at least 3: two 2-batch segments go")
        #expect(log.segmentBaseOffsets == [4, 6] && log.logStartOffset == 4)

        var keepAll = config
        keepAll.retentionSize = -1
        log.updateConfig(keepAll)
        #expect(try log.deleteRecords(upTo: 5) == 5)
        #expect(log.segmentBaseOffsets == [4, 6], "offset 5 is inside segment 4")
        #expect(try log.deleteRecords(upTo: 6) == 6)
        #expect(log.segmentBaseOffsets == [6])
        #expect(throws: LogError.self) { try log.deleteRecords(upTo: 8) }
    }

    @Test func flushPolicyMovesTheRecoveryPoint() throws {
        var config = LogConfig()
        config.flushInterval = 3
        config.flushMs = 1_000
        let log = try openLog(config)
        try log.appendAsLeader(try producerBatch(count: 2, timestamp: now), leaderEpoch: 0)
        #expect(log.recoveryPoint == 0)
        try log.appendAsLeader(try producerBatch(count: 1, timestamp: now), leaderEpoch: 0)
        #expect(log.recoveryPoint == 3, "flush.messages = 3")
        try log.appendAsLeader(try producerBatch(count: 1, timestamp: now), leaderEpoch: 0)
        #expect(!(try log.flushIfDue()))
        time.sleep(1_000)
        #expect(try log.flushIfDue())
        #expect(log.recoveryPoint == 4)
    }

    @Test func restartWithAndWithoutCleanShutdown() throws {
        let batchSize = try producerBatch(count: 2, timestamp: now).sizeInBytes
        let config = self.config(segmentBytes: batchSize * 3, indexInterval: 1)
        do {
            let log = try openLog(config)
            for _ in 0..<8 { try log.appendAsLeader(try producerBatch(count: 2, timestamp: now), leaderEpoch: 0) }
            try log.flush()
            try log.close()
        }
        let clean = try openLog(config, clean: true, recoveryPoint: 16)
        #expect(clean.logEndOffset == 16)
        let cleanBatches = try batches(clean).map(\.baseOffset)
        try clean.close()
        let unclean = try openLog(config, clean: false, recoveryPoint: 0)
        #expect(unclean.logEndOffset == 16 && unclean.recoveryPoint == 16)
        #expect(try batches(unclean).map(\.baseOffset) == cleanBatches)
        #expect(cleanBatches == [0, 2, 4, 6, 8, 10, 12, 14])
        try unclean.appendAsLeader(try producerBatch(timestamp: now), leaderEpoch: 0)
        #expect(unclean.logEndOffset == 17)
    }

    @Test func uncleanRestartCutsATornTail() throws {
        let log = try openLog(config(indexInterval: 1))
        for _ in 0..<4 { try log.appendAsLeader(try producerBatch(count: 2, timestamp: now), leaderEpoch: 0) }
        let size = log.withLock { log in log.activeSegment.size }
        let lastBatch = try producerBatch(count: 2, timestamp: now).sizeInBytes
        try log.flush(upTo: 2)
        // A crash: no close, and the last write torn in the middle.
        let path = LogFileName.logFile(dir, 0)
        try truncateFile(path, to: size - lastBatch / 2)
        let recovered = try openLog(config(indexInterval: 1), clean: false, recoveryPoint: 2)
        #expect(recovered.logEndOffset == 6)
        #expect(fileSize(path) == size - lastBatch)
        #expect(try batches(recovered).map(\.baseOffset) == [0, 2, 4])
        try recovered.appendAsLeader(try producerBatch(timestamp: now), leaderEpoch: 0)
        #expect(try batches(recovered).map(\.baseOffset) == [0, 2, 4, 6])
    }

    @Test func uncleanRestartCutsAtACorruptBatchAndDropsLaterSegments() throws {
        let batchSize = try producerBatch(count: 2, timestamp: now).sizeInBytes
        let config = self.config(segmentBytes: batchSize * 3)
        let log = try openLog(config)
        for _ in 0..<5 { try log.appendAsLeader(try producerBatch(count: 2, timestamp: now), leaderEpoch: 0) }
        #expect(log.segmentBaseOffsets == [0, 6])
        // Flip a byte in the records of the last batch of the first segment (offsets 4, 5).
        let path = LogFileName.logFile(dir, 0)
        let position = 2 * batchSize + 70
        let byte = try fileBytes(path)[position]
        try overwrite(path, at: position, with: [byte ^ 0x01])
        let recovered = try openLog(config, clean: false, recoveryPoint: 0)
        #expect(recovered.logEndOffset == 4)
        #expect(recovered.segmentBaseOffsets == [0])
        #expect(try batches(recovered).map(\.baseOffset) == [0, 2])
    }

    @Test func uncleanRestartRebuildsAGarbageFilledIndex() throws {
        let config = self.config(indexInterval: 1, maxIndexSize: 4096)
        do {
            let log = try openLog(config)
            for step in 0..<6 { try log.appendAsLeader(try producerBatch(count: 2, timestamp: now + Int64(step)), leaderEpoch: 0) }
            try log.flush()
            // A crash: the indexes keep their preallocated, partly written space.
        }
        let indexPath = LogFileName.indexFile(dir, 0)
        #expect(fileSize(indexPath) == 4096)
        try overwrite(indexPath, at: 8, with: (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
        try overwrite(LogFileName.timeIndexFile(dir, 0), at: 0, with: Array(repeating: 0xFF, count: 600))
        let log = try openLog(config, clean: false, recoveryPoint: 0)
        #expect(log.logEndOffset == 12)
        #expect(log.withLock { log in log.activeSegment.offsetIndex.entries } == 5)
        for offset in Int64(0)..<12 {
            let fetch = try log.read(startOffset: offset, maxLength: 1 << 20)
            #expect(MemoryRecords(try log.readBytes(fetch)).firstBatch?.baseOffset == offset - offset % 2)
        }
        #expect(try log.fetchOffsetByTimestamp(now + 3)! == (now + 3, 5), "batch 4–5 holds timestamps now+2, now+3")
    }

    @Test func leftoversAreDeletedAtLoad() throws {
        do {
            let log = try openLog()
            try log.appendAsLeader(try producerBatch(timestamp: now), leaderEpoch: 0)
            try log.flush()
            try log.close()
        }
        for name in ["00000000000000000000.log.deleted", "00000000000000000005.log.cleaned", "00000000000000000005.log.swap", "00000000000000000009.index"] {
            _ = FileManager.default.createFile(atPath: "\(dir)/\(name)", contents: Data([1, 2, 3]))
        }
        let log = try openLog()
        #expect(try names() == [
            "00000000000000000000.index", "00000000000000000000.log", "00000000000000000000.timeindex", "00000000000000000001.snapshot",
            "leader-epoch-checkpoint",
        ], "the producer snapshot written at close stays")
        #expect(log.logEndOffset == 1)
    }

    @Test func logConfigFromBrokerDefaultsAndTopicOverrides() throws {
        let defaults = try LogConfig(brokerProperties: [
            "log.segment.bytes": "1048576", "log.retention.hours": "24", "log.roll.hours": "1",
            "log.cleanup.policy": "compact", "message.max.bytes": "2000000", "broker.id": "1",
        ])
        #expect(defaults.segmentBytes == 1_048_576 && defaults.retentionMs == 86_400_000 && defaults.segmentMs == 3_600_000)
        #expect(defaults.isCompact && !defaults.isDelete && defaults.maxMessageSize == 2_000_000)
        #expect(defaults.indexInterval == 4096 && defaults.fileDeleteDelayMs == 60_000 && defaults.retentionSize == -1)
        let topic = try defaults.applying(topicOverrides: ["retention.ms": "1000", "cleanup.policy": "compact,delete", "message.timestamp.type": "LogAppendTime"])
        #expect(topic.retentionMs == 1000 && topic.isDelete && topic.isCompact && topic.messageTimestampType == .logAppendTime)
        #expect(throws: LogConfigError.unknownKey("retention.hours")) { try defaults.applying(topicOverrides: ["retention.hours": "1"]) }
        #expect(throws: LogConfigError.invalidValue(key: "segment.bytes", value: "big")) { try defaults.applying(topicOverrides: ["segment.bytes": "big"]) }
    }
}

extension LogTests {
    /// A caller still holding a log when it is closed (a fetch racing with the partition's
    /// deletion) gets an error, never a read of unmapped indexes.
    @Test func aClosedLogRefusesReadsAndWrites() throws {
        let log = try openLog(config(indexInterval: 1))
        try log.appendAsLeader(try makeBatch(count: 5), leaderEpoch: 0)
        try log.appendAsLeader(try makeBatch(count: 5), leaderEpoch: 0)
        try log.close()
        #expect(log.isClosed)
        #expect(throws: StorageError.closed(path: dir)) { try log.read(startOffset: 3, maxLength: 1000) }
        #expect(throws: StorageError.closed(path: dir)) { try log.appendAsLeader(try makeBatch(count: 1), leaderEpoch: 0) }
        #expect(throws: StorageError.closed(path: dir)) { try log.appendAsFollower(try makeBatch(baseOffset: 10, count: 1, leaderEpoch: 0)) }
        #expect(throws: StorageError.closed(path: dir)) { try log.truncateTo(2) }
        #expect(throws: StorageError.closed(path: dir)) { try log.fetchOffsetByTimestamp(1_000) }
        #expect(throws: StorageError.closed(path: dir)) { try log.deleteOldSegments() }
        #expect(log.logEndOffset == 10, "the offsets are still readable")
    }
}

extension LogTests {
    /// Kafka 2.3's other topic keys are validated and kept, with their broker defaults.
    @Test func cleanerFormatAndThrottleKeysAreValidatedAndKept() throws {
        let defaults = try LogConfig(brokerProperties: ["log.cleaner.delete.retention.ms": "1000", "log.preallocate": "true"])
        #expect(defaults.deleteRetentionMs == 1000 && defaults.preallocate)
        let topic = try defaults.applying(topicOverrides: [
            "min.compaction.lag.ms": "5", "max.compaction.lag.ms": "10", "min.cleanable.dirty.ratio": "0.25",
            "message.format.version": "0.10.2-IV0", "leader.replication.throttled.replicas": "0:1,1:2",
            "follower.replication.throttled.replicas": "*",
        ])
        #expect(topic.minCompactionLagMs == 5 && topic.maxCompactionLagMs == 10 && topic.minCleanableRatio == 0.25)
        #expect(topic.messageFormatVersion == "0.10.2-IV0")
        #expect(topic.leaderReplicationThrottledReplicas == "0:1,1:2" && topic.followerReplicationThrottledReplicas == "*")
        for version in ["0.8.0", "0.9.0", "0.10.0.0", "0.11.0-IV2", "1.1", "2.3.0", "2.3-IV1"] {
            #expect(LogConfig.isMessageFormatVersion(version), "\(version)")
        }
        for (key, value) in [("message.format.version", "3.0"), ("message.format.version", "0.10"), ("min.cleanable.dirty.ratio", "1.5"),
                             ("leader.replication.throttled.replicas", "0-1"), ("preallocate", "maybe")] {
            #expect(throws: LogConfigError.invalidValue(key: key, value: value)) { try defaults.applying(topicOverrides: [key: value]) }
        }
    }
}
