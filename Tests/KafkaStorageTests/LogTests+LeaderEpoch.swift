import Foundation
import KafkaCommon
import KafkaStorage
import Testing

/// The log's leader epoch cache: what appends, truncation, the log start offset and loading do
/// to it (the table in `Log+LeaderEpoch.swift`).
extension LogTests {
    var epochCheckpoint: String { "\(dir)/leader-epoch-checkpoint" }

    func epochs(_ log: Log) -> [String] { log.withLock { log in log.leaderEpochCache.entries.map(\.line) } }

    func epochText() throws -> String { try String(contentsOfFile: epochCheckpoint, encoding: .utf8) }

    /// A follower's records: one batch per (base offset, count, epoch).
    func followerRecords(_ batches: [(Int64, Int, Int32)]) throws -> MemoryRecords {
        var buffer = ByteBuffer()
        for (baseOffset, count, epoch) in batches {
            var batch = try makeBatch(baseOffset: baseOffset, count: count, timestamp: 500, leaderEpoch: epoch).buffer
            buffer.writeBuffer(&batch)
        }
        return MemoryRecords(buffer)
    }

    @Test func leaderAppendsAssignEachNewEpochItsFirstOffset() throws {
        let log = try openLog()
        #expect(fileSize(epochCheckpoint) == 0, "created empty with the log, as Kafka does")
        for epoch: Int32 in [0, 0, 2] { try log.appendAsLeader(try producerBatch(count: 2, timestamp: now), leaderEpoch: epoch) }
        #expect(epochs(log) == ["0 0", "2 4"])
        scheduler.tick()  // an append's new epoch is written by the scheduler
        #expect(try epochText() == "0\n2\n0 0\n2 4\n")
        #expect(log.latestLeaderEpoch == 2)
        #expect(log.endOffset(forLeaderEpoch: 2) == (2, 6))
        #expect(log.endOffset(forLeaderEpoch: 1) == (0, 4))
        #expect(log.endOffset(forLeaderEpoch: 0) == (0, 4))
        #expect(log.endOffset(forLeaderEpoch: 3) == (-1, -1))
        #expect(throws: LogError.invalidLeaderEpoch(epoch: -1, startOffset: 6)) {
            try log.appendAsLeader(try producerBatch(timestamp: now), leaderEpoch: -1)
        }
        #expect(log.logEndOffset == 6, "nothing written")
    }

    @Test func followerAppendsAssignTheEpochsTheLeaderStamped() throws {
        let log = try openLog()
        try log.appendAsFollower(try followerRecords([(0, 3, 1), (3, 2, 1), (5, 1, 3)]))
        #expect(epochs(log) == ["1 0", "3 5"])
        try log.appendAsFollower(try followerRecords([(6, 2, 3), (8, 1, 4)]))
        #expect(epochs(log) == ["1 0", "3 5", "4 8"])
        scheduler.tick()  // an append's new epoch is written by the scheduler
        #expect(try epochText() == "0\n3\n1 0\n3 5\n4 8\n")
        #expect(throws: LogError.invalidLeaderEpoch(epoch: -1, startOffset: 10)) {
            try log.appendAsFollower(try followerRecords([(9, 1, 4), (10, 1, -1)]))
        }
        #expect(log.logEndOffset == 9, "a batch without an epoch refuses the whole append")
    }

    @Test func truncationDropsLaterEpochs() throws {
        let log = try openLog()
        try log.appendAsFollower(try followerRecords([(0, 3, 1), (3, 2, 2), (5, 2, 4)]))
        #expect(try log.truncateTo(5))
        #expect(epochs(log) == ["1 0", "2 3"])
        #expect(log.endOffset(forLeaderEpoch: 2) == (2, 5))
        #expect(try log.truncateTo(3))
        #expect(epochs(log) == ["1 0"])
        try log.truncateFullyAndStartAt(50)
        #expect(log.withLock { log in log.leaderEpochCache.isEmpty })
        #expect(try epochText() == "0\n0\n")
        try log.appendAsLeader(try producerBatch(timestamp: now), leaderEpoch: 7)
        #expect(epochs(log) == ["7 50"])
    }

    @Test func aRisingLogStartOffsetMovesTheEarliestEpochUp() throws {
        let batchSize = try producerBatch(timestamp: now).sizeInBytes
        var config = self.config(segmentBytes: batchSize * 2)
        config.retentionMs = 10_000
        let log = try openLog(config)
        for epoch: Int32 in [0, 0, 1, 1, 2, 2] { try log.appendAsLeader(try producerBatch(timestamp: now), leaderEpoch: epoch) }
        #expect(epochs(log) == ["0 0", "1 2", "2 4"])
        #expect(log.segmentBaseOffsets == [0, 2, 4])
        #expect(try log.deleteRecords(upTo: 1) == 1)
        #expect(epochs(log) == ["0 1", "1 2", "2 4"])
        time.sleep(10_001)
        #expect(try log.deleteOldSegments() == 2)
        #expect(log.logStartOffset == 4 && epochs(log) == ["2 4"])
        #expect(try epochText() == "0\n1\n2 4\n")
    }

    @Test func reopeningRestoresTheCacheAndFitsItToTheSegments() throws {
        do {
            let log = try openLog()
            try log.appendAsFollower(try followerRecords([(0, 3, 1), (3, 2, 2)]))
            try log.flush()
            try log.close()
        }
        let reopened = try openLog()
        #expect(epochs(reopened) == ["1 0", "2 3"])
        #expect(reopened.endOffset(forLeaderEpoch: 2) == (2, 5))
        try reopened.close()

        // Entries past the log end offset (their records were lost) go; the earliest entry moves
        // up to the checkpointed log start offset.
        try "0\n3\n1 0\n2 3\n5 9\n".write(toFile: epochCheckpoint, atomically: true, encoding: .utf8)
        let fitted = try Log(dir: dir, config: LogConfig(), logStartOffset: 2, recoveryPoint: 5, hadCleanShutdown: true,
                             scheduler: scheduler, time: time, logger: logger)
        #expect(epochs(fitted) == ["1 2", "2 3"])
        #expect(try epochText() == "0\n2\n1 2\n2 3\n")
    }

    @Test func uncleanRecoveryRestoresEpochsTheCheckpointMissed() throws {
        do {
            let log = try openLog()
            try log.appendAsFollower(try followerRecords([(0, 2, 0), (2, 2, 3), (4, 1, 5)]))
            try log.flush()
            // A crash after the records were written, before the checkpoint caught up.
            try "0\n1\n3 2\n".write(toFile: epochCheckpoint, atomically: true, encoding: .utf8)
        }
        let recovered = try openLog(clean: false, recoveryPoint: 0)
        #expect(epochs(recovered) == ["3 2", "5 4"], "recovery adds epochs above the latest one")
        try recovered.close()

        try "0\n0\n".write(toFile: epochCheckpoint, atomically: true, encoding: .utf8)
        let fromNothing = try openLog(clean: false, recoveryPoint: 0)
        #expect(epochs(fromNothing) == ["3 2", "5 4"], "Kafka 2.3 recovers epochs above 0 only")
    }

    @Test func aLogEndingInOlderFormatRecordsClearsTheCache() throws {
        do {
            let log = try openLog()
            try log.appendAsLeader(try producerBatch(count: 2, timestamp: now), leaderEpoch: 4)
            try log.flush()
            try log.close()
        }
        var legacy = ByteBuffer()
        LegacyRecord.write(offset: 2, magic: 1, timestamp: now, key: nil, value: ByteBuffer(string: "old"), into: &legacy)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: LogFileName.logFile(dir, 0)))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(legacy.readableBytesView))
        try handle.close()

        let reopened = try openLog(recoveryPoint: 3)
        #expect(reopened.logEndOffset == 3)
        #expect(reopened.withLock { log in log.leaderEpochCache.isEmpty })
        #expect(try epochText() == "0\n0\n")
    }

    @Test func aClosedLogWritesNoMoreCheckpoints() throws {
        let log = try openLog()
        try log.appendAsLeader(try producerBatch(timestamp: now), leaderEpoch: 1)
        try log.close()
        #expect(log.withLock { log in log.leaderEpochCache.isClosed })
        // The directory renamed away and re-created by a new log of the partition.
        try FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        #expect(throws: StorageError.self) { try log.maybeIncrementLogStartOffset(1) }
        #expect(!fileExists(epochCheckpoint), "nothing written where a new log of the partition may live")
    }
}
