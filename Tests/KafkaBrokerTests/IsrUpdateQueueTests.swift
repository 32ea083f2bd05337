import Foundation
import KafkaCommon
import KafkaStorage
import Logging
import Testing

@testable import KafkaBroker

/// The queue between follower fetches that bring replicas into the ISR and the one writer that
/// writes the changes to ZooKeeper in bursts.
@Suite struct IsrUpdateQueueTests {
    /// No partition is touched by the queue; a placeholder is enough.
    let updates: [IsrUpdateQueue.Update]

    init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("isr-queue-\(UUID().uuidString.prefix(8))")
        updates = try (0..<3).map { index in
            let tp = TopicPartition("t", Int32(index))
            let log = try Log(dir: directory.appendingPathComponent("t-\(index)").path, config: LogConfig(), hadCleanShutdown: true,
                              scheduler: DispatchScheduler(), time: SystemTime(), logger: Logger(label: "test"))
            let partition = Partition(topicPartition: tp, localBrokerId: 1, role: .unassigned(replicas: [1, 2]), log: log,
                                      highWatermark: 0, time: SystemTime())
            return .init(partition: partition, isr: [1, 2])
        }
    }

    @Test func theFirstSubmitStartsTheWriterAndLaterOnesJoinItsNextBurst() {
        var queue = IsrUpdateQueue()
        #expect(queue.isIdle)
        let startsWriter = queue.submit(updates[0])
        #expect(startsWriter, "no writer yet: start one")
        let startsAnother = queue.submit(updates[1])
        #expect(!startsAnother, "the writer is running")
        let first = queue.nextBatch()
        #expect(first.batch?.map(\.partition.topicPartition) == [updates[0], updates[1]].map(\.partition.topicPartition))
        #expect(!queue.isIdle, "written, not yet done")
        let startsDuringBurst = queue.submit(updates[2])
        #expect(!startsDuringBurst, "queued while the burst is written: the same writer takes it")
        let second = queue.nextBatch()
        #expect(second.batch?.map(\.partition.topicPartition) == [updates[2].partition.topicPartition])
        let last = queue.nextBatch()
        #expect(last.batch == nil)
        #expect(queue.isIdle)
        let startsAgain = queue.submit(updates[0])
        #expect(startsAgain, "idle again: the next submit starts a writer")
    }
}
