import Foundation
import KafkaCommon
import KafkaRecords
import KafkaStorage
import KafkaTestKit
import Logging
import Testing

/// A slice read from a log holds the segment's open file: what happens to the file's name
/// afterwards (retention, truncation and a re-roll under the same name) does not change the
/// bytes it gives; an in-place truncation below its end is detected.
@Suite struct FileSliceTests {
    let root: URL
    let dir: String
    let time = MockTime()
    let scheduler: MockScheduler
    let logger = Logger(label: "test")

    init() throws {
        root = try makeTemporaryDirectory(prefix: "slice")
        dir = root.appendingPathComponent("orders-0").path
        scheduler = MockScheduler(time: time)
    }

    /// Two batches of one record per segment.
    func openLog(retentionMs: Int64 = -1) throws -> Log {
        var config = LogConfig()
        config.segmentBytes = try producerBatch(timestamp: 0).sizeInBytes * 2
        config.retentionMs = retentionMs
        config.fileDeleteDelayMs = 1_000
        return try Log(dir: dir, config: config, hadCleanShutdown: true, scheduler: scheduler, time: time, logger: logger)
    }

    func names() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir).sorted() }

    func baseOffsets(_ bytes: ByteBuffer) -> [Int64] { MemoryRecords(bytes).batches.map(\.baseOffset) }

    @Test func retentionDeletingTheSegmentUnderAPendingReadLeavesItsBytes() throws {
        let log = try openLog(retentionMs: 10_000)
        let old = time.milliseconds
        for step in 0..<6 { try log.appendAsLeader(try producerBatch(timestamp: old + (step < 4 ? 0 : 20_000)), leaderEpoch: 0) }
        #expect(log.segmentBaseOffsets == [0, 2, 4])
        // A slow consumer's fetch read segment 0 and has not been sent yet.
        let pending = try log.read(startOffset: 0, maxLength: 1 << 20).records
        let expected = try pending.read()
        #expect(baseOffsets(expected) == [0, 1])

        time.sleep(10_001)
        #expect(try log.deleteOldSegments() == 2)
        time.sleep(1_000)
        scheduler.tick()
        #expect(try names().allSatisfy { !$0.hasPrefix("00000000000000000000") }, "renamed to .deleted, then removed")

        #expect(pending.isIntact)
        #expect(try pending.read() == expected, "the removed file's bytes, through the descriptor the slice holds")
    }

    @Test func truncationAndReRollUnderAPendingReadLeavesItsBytes() throws {
        let log = try openLog()
        for _ in 0..<6 { try log.appendAsLeader(try producerBatch(timestamp: 1_000), leaderEpoch: 0) }
        #expect(log.segmentBaseOffsets == [0, 2, 4])
        // A follower's fetch read segment 4 (offsets 4, 5) before a leader change.
        let pending = try log.read(startOffset: 4, maxLength: 1 << 20).records
        let expected = try pending.read()

        // Truncated to 2 (segment 4 renamed to .deleted), then other records fill offsets 2...5:
        // a new 00000000000000000004.log is rolled under the old name.
        try log.truncateTo(2)
        for _ in 0..<4 { try log.appendAsFollower(try makeBatch(baseOffset: log.logEndOffset, timestamp: 9_000, leaderEpoch: 1)) }
        #expect(log.segmentBaseOffsets == [0, 2, 4])
        let current = try log.read(startOffset: 4, maxLength: 1 << 20).records
        #expect(current.path == pending.path, "the same name")
        #expect(try current.read() != expected, "other bytes under that name now")
        #expect(MemoryRecords(try current.read()).firstBatch?.partitionLeaderEpoch == 1)

        #expect(pending.isIntact)
        #expect(try pending.read() == expected, "the slice reads the file it was cut from")
        #expect(MemoryRecords(try pending.read()).firstBatch?.partitionLeaderEpoch == 0)
    }

    @Test func anInPlaceTruncationBelowASlicesEndIsDetected() throws {
        let log = try openLog()
        for _ in 0..<2 { try log.appendAsLeader(try producerBatch(timestamp: 1_000), leaderEpoch: 0) }
        let first = try log.read(startOffset: 0, maxLength: try producerBatch(timestamp: 1_000).sizeInBytes).records
        let both = try log.read(startOffset: 0, maxLength: 1 << 20).records
        #expect(baseOffsets(try both.read()) == [0, 1])

        try log.truncateTo(1)  // cuts the active segment's own file after the first batch
        #expect(first.isIntact, "its range lies below the cut")
        #expect(!both.isIntact)
        #expect(throws: StorageError.truncatedUnderSlice(path: both.path, position: 0, size: both.size)) { try both.read() }
        try log.appendAsLeader(try producerBatch(timestamp: 5_000), leaderEpoch: 1)
        #expect(!both.isIntact, "rewritten past the old end: still not the bytes that were read")
    }

    @Test func slicesOfADeletedLogStillRead() throws {
        let log = try openLog()
        try log.appendAsLeader(try producerBatch(timestamp: 1_000), leaderEpoch: 0)
        let pending = try log.read(startOffset: 0, maxLength: 1 << 20).records
        let expected = try pending.read()
        try log.close()
        try FileManager.default.removeItem(atPath: dir)
        #expect(try pending.read() == expected)
        #expect(throws: StorageError.closed(path: dir)) { try log.read(startOffset: 0, maxLength: 1 << 20) }
    }

    @Test func aRollSchedulesItsFlushAndTheRecoveryPointWaitsForIt() throws {
        let log = try openLog()
        for _ in 0..<3 { try log.appendAsLeader(try producerBatch(timestamp: 1_000), leaderEpoch: 0) }
        #expect(log.segmentBaseOffsets == [0, 2])
        #expect(log.recoveryPoint == 0, "the rolled segment is not synced under the append's lock")
        #expect(scheduler.pendingNames == ["write-leader-epoch-checkpoint", "flush-log"], "epoch 0's checkpoint, then the roll's flush")
        scheduler.tick()
        #expect(log.recoveryPoint == 2)

        // A truncation before the scheduled flush ran: the flush syncs what is left, and the
        // recovery point stops at the log end offset.
        for _ in 0..<2 { try log.appendAsLeader(try producerBatch(timestamp: 1_000), leaderEpoch: 0) }
        #expect(log.segmentBaseOffsets == [0, 2, 4])
        try log.truncateTo(3)
        #expect(log.recoveryPoint == 2)
        scheduler.tick()
        #expect(log.recoveryPoint == 3, "the flush to 4 ran after the log was cut to 3")
    }
}
