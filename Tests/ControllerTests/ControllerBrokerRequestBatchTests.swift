import Controller
import KafkaCommon
import Testing

private let t0 = TopicPartition("t", 0)
private let t1 = TopicPartition("t", 1)

@Suite struct ControllerBrokerRequestBatchTests {
    @Test func leaderAndIsrGoesToTheNamedBrokersAndEveryPartitionIntoUpdateMetadata() {
        var batch = ControllerBrokerRequestBatch()
        #expect(batch.isEmpty)
        batch.addLeaderAndIsr(t0, to: [1, 2])
        batch.addLeaderAndIsr(t1, to: [2], isNew: true)
        #expect(batch.leaderAndIsr == [1: [t0], 2: [t0, t1]])
        #expect(batch.newPartitions == [t1])
        #expect(batch.updateMetadataPartitions == [t0, t1])
        #expect(!batch.isUpdateMetadataRequested, "UpdateMetadata goes out for the partitions, not on its own")
    }

    @Test func mergingKeepsANewPartitionNewAndADeletionADeletion() {
        var first = ControllerBrokerRequestBatch()
        first.addLeaderAndIsr(t0, to: [1], isNew: true)
        first.addStopReplica(t1, to: 3, deletePartition: true)
        var second = ControllerBrokerRequestBatch()
        second.addLeaderAndIsr(t0, to: [2])
        second.addStopReplica(t1, to: 3, deletePartition: false)
        second.addUpdateMetadata([])
        first.merge(second)
        #expect(first.leaderAndIsr == [1: [t0], 2: [t0]])
        #expect(first.newPartitions == [t0], "a partition created in this event is new for every broker")
        #expect(first.stopReplica == [3: [t1: true]])
        #expect(first.isUpdateMetadataRequested)
    }

    @Test func stopReplicaAloneMakesTheBatchNonEmpty() {
        var batch = ControllerBrokerRequestBatch()
        batch.addStopReplica(t0, to: 1, deletePartition: false)
        #expect(!batch.isEmpty)
        #expect(batch.stopReplica == [1: [t0: false]])
    }
}
