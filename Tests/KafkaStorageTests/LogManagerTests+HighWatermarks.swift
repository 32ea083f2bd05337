import Foundation
import KafkaCommon
import KafkaStorage
import Testing

/// `replication-offset-checkpoint`, and the partitions' `leader-epoch-checkpoint` as the log
/// manager moves them.
extension LogManagerTests {
    @Test func highWatermarksAreCheckpointedPerLogDirAndReadBack() throws {
        let first = try manager()
        try populate(first)
        #expect(first.highWatermarkCheckpoints().isEmpty, "no file yet")
        first.checkpointHighWatermarks([orders0: 5, orders1: 3, TopicPartition("ghost", 0): 9])
        #expect(try text("\(dir1)/replication-offset-checkpoint") == "0\n1\norders 0 5\n")
        #expect(try text("\(dir2)/replication-offset-checkpoint") == "0\n1\norders 1 3\n")
        #expect(first.highWatermarkCheckpoints() == [orders0: 5, orders1: 3])

        first.checkpointHighWatermarks([orders1: 2])
        #expect(try text("\(dir1)/replication-offset-checkpoint") == "0\n0\n", "only what is given is written")
        #expect(first.highWatermarkCheckpoints() == [orders1: 2])
        first.checkpointHighWatermarks([orders0: 4, orders1: 2])
        first.shutdown()

        let second = try manager()
        try second.startup()
        #expect(second.highWatermarkCheckpoints() == [orders0: 4, orders1: 2])
    }

    @Test func anUnreadableHighWatermarkCheckpointIsLoggedAndEmpty() throws {
        let capture = LogCapture()
        let manager = try manager(capture)
        try populate(manager)
        manager.checkpointHighWatermarks([orders0: 5, orders1: 3])
        try "0\n1\norders one 3\n".write(toFile: "\(dir2)/replication-offset-checkpoint", atomically: true, encoding: .utf8)
        #expect(manager.highWatermarkCheckpoints() == [orders0: 5])
        #expect(capture.messages.contains { $0.hasPrefix("warning") && $0.contains("\(dir2)/replication-offset-checkpoint") })
        #expect(manager.liveLogDirs == [dir1, dir2], "reading does not take the directory offline")
    }

    @Test func aFailedHighWatermarkWriteTakesTheDirOffline() throws {
        let manager = try manager()
        try populate(manager)
        // A directory where the file should be: the rename over it fails.
        try FileManager.default.createDirectory(atPath: "\(dir2)/replication-offset-checkpoint/x", withIntermediateDirectories: true)
        manager.checkpointHighWatermarks([orders0: 5, orders1: 3])
        #expect(manager.liveLogDirs == [dir1])
        #expect(manager.offlineLogDirs[dir2] != nil)
        #expect(manager.getLog(orders1) == nil)
        #expect(try text("\(dir1)/replication-offset-checkpoint") == "0\n1\norders 0 5\n")
    }

    @Test func theLeaderEpochCheckpointMovesWithADeletedLog() throws {
        let manager = try manager()
        try manager.startup()
        let log = try manager.getOrCreateLog(orders0, config: LogConfig())
        _ = try log.appendAsLeader(producerBatch(count: 2, timestamp: time.milliseconds), leaderEpoch: 3)
        scheduler.tick()  // an append's new epoch is written by the scheduler
        #expect(try text("\(dir1)/orders-0/leader-epoch-checkpoint") == "0\n1\n3 0\n")
        let renamed = try #require(try manager.asyncDelete(orders0))
        #expect(try text("\(renamed)/leader-epoch-checkpoint") == "0\n1\n3 0\n")
        #expect(log.withLock { log in log.leaderEpochCache.isClosed })

        let recreated = try manager.getOrCreateLog(orders0, config: LogConfig())
        #expect(recreated.dir == "\(dir1)/orders-0" && recreated.withLock { log in log.leaderEpochCache.isEmpty })
        #expect(throws: StorageError.self) { try log.maybeIncrementLogStartOffset(1) }
        #expect(fileSize("\(dir1)/orders-0/leader-epoch-checkpoint") == 0, "the old log wrote nothing into the new one's directory")
    }
}
