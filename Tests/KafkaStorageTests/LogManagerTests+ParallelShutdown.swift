import Foundation
import KafkaCommon
import KafkaStorage
import Testing

/// `shutdown` closes a directory's logs `shutdownFlushWidth` at a time: every log is still
/// flushed, closed with its pending leader epoch written, and listed once, in order, in the
/// checkpoints written after all of them.
extension LogManagerTests {
    @Test func shutdownClosesManyLogsConcurrentlyAndCheckpointsEachOnce() throws {
        let manager = try manager(dirs: [dir1])
        try manager.startup()
        let partitions = (0..<40).map { TopicPartition("orders", Int32($0)) }
        var logs: [Log] = []
        for (index, partition) in partitions.enumerated() {
            let log = try manager.getOrCreateLog(partition, config: LogConfig())
            _ = try log.appendAsLeader(producerBatch(count: 1 + index % 3, timestamp: time.milliseconds), leaderEpoch: 2)
            logs.append(log)
        }
        // No scheduler tick: each log's epoch 2 is still to be written when shutdown starts.
        manager.shutdown()

        #expect(logs.allSatisfy { log in log.withLock { log in log.isClosed } })
        // In partition order (TopicPartition's order), each log's recovery point at its end.
        let expected = partitions.enumerated().map { index, partition in "orders \(partition.partition) \(1 + index % 3)" }
        #expect(try text("\(dir1)/recovery-point-offset-checkpoint") == "0\n40\n" + expected.map { $0 + "\n" }.joined())
        for partition in partitions {
            #expect(try text("\(dir1)/orders-\(partition.partition)/leader-epoch-checkpoint") == "0\n1\n2 0\n")
        }
        #expect(fileExists("\(dir1)/.kafka_cleanshutdown"))
    }
}
