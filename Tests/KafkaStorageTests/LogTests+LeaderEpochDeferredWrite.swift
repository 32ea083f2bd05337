import Foundation
import KafkaCommon
import KafkaStorage
import Logging
import Testing

/// An append's new leader epoch is written by the scheduler, not inside the append (a follower's
/// fetcher must not wait on 8–16 ms of fsync per partition), and still reaches the disk before
/// the recovery point passes it and before the log closes (`LocalLog+LeaderEpoch.swift`).
extension LogTests {
    @Test func anAppendsNewEpochIsWrittenByTheSchedulerNotByTheAppend() throws {
        let log = try openLog()
        try log.appendAsFollower(try followerRecords([(0, 3, 1), (3, 2, 2)]))
        #expect(epochs(log) == ["1 0", "2 3"], "in memory at once: OffsetForLeaderEpoch answers from it")
        #expect(fileSize(epochCheckpoint) == 0, "not written by the append")
        #expect(scheduler.pendingNames == ["write-leader-epoch-checkpoint"], "one write scheduled for both epochs")
        try log.appendAsLeader(try producerBatch(count: 2, timestamp: now), leaderEpoch: 4)
        #expect(scheduler.pendingNames.filter { $0 == "write-leader-epoch-checkpoint" }.count == 1, "still one: a write is already scheduled")
        scheduler.tick()
        #expect(try epochText() == "0\n3\n1 0\n2 3\n4 5\n")
        #expect(log.withLock { log in log.leaderEpochCache.isDirty } == false)
    }

    @Test func theRecoveryPointNeverPassesAnUnwrittenEpoch() throws {
        let log = try openLog()
        try log.appendAsFollower(try followerRecords([(0, 3, 1), (3, 2, 3)]))
        #expect(fileSize(epochCheckpoint) == 0)
        try log.flush()  // fsyncs without the lock, then moves the recovery point
        #expect(log.withLock { log in log.recoveryPoint } == 5)
        #expect(try epochText() == "0\n2\n1 0\n3 3\n", "written before the recovery point moved")

        try log.appendAsFollower(try followerRecords([(5, 1, 4)]))
        try log.withLock { log in try log.flush() }  // the flush.messages path, under the lock
        #expect(try epochText() == "0\n3\n1 0\n3 3\n4 5\n")
        scheduler.tick()  // the scheduled writes find nothing left to write
        #expect(try epochText() == "0\n3\n1 0\n3 3\n4 5\n")
    }

    @Test func closingWritesAPendingEpochAndTheLateTaskWritesNothing() throws {
        let log = try openLog()
        try log.appendAsFollower(try followerRecords([(0, 2, 6)]))
        try log.close()
        #expect(try epochText() == "0\n1\n6 0\n")
        try FileManager.default.removeItem(atPath: epochCheckpoint)
        scheduler.tick()
        #expect(!fileExists(epochCheckpoint), "a closed log's directory may belong to a new log: nothing written")
    }

    @Test func anEpochLostInACrashIsRecoveredFromTheBatches() throws {
        do {
            let log = try openLog()
            try log.appendAsFollower(try followerRecords([(0, 2, 1)]))
            try log.flush()
            try log.appendAsFollower(try followerRecords([(2, 2, 3), (4, 1, 5)]))
            // A crash: the scheduled write never ran; the recovery point stayed at 2.
            #expect(try epochText() == "0\n1\n1 0\n")
        }
        let recovered = try openLog(clean: false, recoveryPoint: 2)
        #expect(epochs(recovered) == ["1 0", "3 2", "5 4"])
    }

    @Test func aStaleDeferredWriteNeverOverwritesANewerOne() throws {
        let path = root.appendingPathComponent("cache-checkpoint").path
        var cache = try LeaderEpochFileCache(topicPartition: TopicPartition("orders", 3), path: path, logger: logger)
        try cache.assign(epoch: 1, startOffset: 0)
        try cache.assign(epoch: 2, startOffset: 10, deferWrite: true)
        let pending = try #require(cache.pendingWrite)
        try cache.truncateFromEnd(endOffset: 10)  // written at once, a newer version
        try cache.writer.write(pending.entries, version: pending.version)  // the late deferred write
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "0\n1\n1 0\n")
        cache.close()
        #expect(throws: StorageError.self) { try cache.writer.write([], version: pending.version + 10) }
    }
}
