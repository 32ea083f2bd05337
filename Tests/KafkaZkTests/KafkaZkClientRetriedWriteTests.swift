import Foundation
import KafkaCommon
import KafkaTestKit
@testable import KafkaZk
import Testing
import ZooKeeper

/// A leader's conditional ISR write whose first attempt landed before its answer was lost: the
/// retry meets BADVERSION and must recognise its own write (Kafka's `checkLeaderAndIsrZkData`).
@Suite("Retried partition-state writes")
struct KafkaZkClientRetriedWriteTests {
    private static let partition = TopicPartition("retried", 0)

    private func state(isr: [BrokerId], zkVersion: Int32, controllerEpoch: Int32 = 3) -> LeaderIsrAndControllerEpoch {
        LeaderIsrAndControllerEpoch(
            leaderAndIsr: LeaderAndIsr(leader: 1, leaderEpoch: LeaderEpoch(4), isr: isr, zkVersion: zkVersion),
            controllerEpoch: ControllerEpoch(controllerEpoch))
    }

    @Test func theSameStateAtAnotherVersionIsTheSameWrite() {
        let intended = state(isr: [1, 2], zkVersion: 5)
        #expect(KafkaZkClient.isSameState(written: state(isr: [1, 2], zkVersion: 6), intended: intended))
        #expect(!KafkaZkClient.isSameState(written: state(isr: [1, 2, 3], zkVersion: 6), intended: intended))
        #expect(!KafkaZkClient.isSameState(written: state(isr: [1, 2], zkVersion: 6, controllerEpoch: 4), intended: intended))
    }

    @Test func aWriteThatAlreadyLandedIsSuccessAndAnotherWriterIsAConflict() async throws {
        try await withZkChroot { z in
            let zk = try await z.client()
            let path = TopicPartitionStateZNode.path(Self.partition)
            try await zk.zooKeeper.createRecursive(path, data: TopicPartitionStateZNode.encode(state(isr: [1, 2, 3], zkVersion: 0)))

            // The first attempt of the shrink to [1, 2] landed (version 0 → 1); its retry still
            // expects version 0.
            let shrink = state(isr: [1, 2], zkVersion: 0)
            try await zk.zooKeeper.setData(path, data: TopicPartitionStateZNode.encode(shrink), version: ZkVersion(0))
            #expect(try await zk.conditionalUpdatePartitionState(Self.partition, shrink) == 1)
            #expect(try await z.znode(path)?.stat.version == 1, "nothing written a second time")

            // Someone else wrote meanwhile (the controller, a new leader epoch): a conflict.
            let other = LeaderIsrAndControllerEpoch(
                leaderAndIsr: LeaderAndIsr(leader: 2, leaderEpoch: LeaderEpoch(5), isr: [2], zkVersion: 1),
                controllerEpoch: ControllerEpoch(3))
            try await zk.zooKeeper.setData(path, data: TopicPartitionStateZNode.encode(other), version: ZkVersion(1))
            #expect(try await zk.conditionalUpdatePartitionState(Self.partition, state(isr: [1], zkVersion: 1)) == nil)
        }
    }
}
