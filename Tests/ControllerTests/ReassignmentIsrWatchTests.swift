import KafkaCommon
import Testing

@testable import Controller

/// Which watch events become PartitionReassignmentIsrChange: data changes of a partition's state
/// znode, `/brokers/topics/<t>/partitions/<p>/state`, only.
@Suite struct ReassignmentIsrWatchTests {
    @Test func onlyAStateZNodeNamesAPartition() {
        #expect(KafkaController.partition(ofStatePath: "/brokers/topics/orders/partitions/7/state") == TopicPartition("orders", 7))
        #expect(KafkaController.partition(ofStatePath: "/brokers/topics/orders") == nil)
        #expect(KafkaController.partition(ofStatePath: "/brokers/topics/orders/partitions/7") == nil)
        #expect(KafkaController.partition(ofStatePath: "/brokers/topics/orders/partitions/x/state") == nil)
        #expect(KafkaController.partition(ofStatePath: "/brokers/topics/orders/partitions/-1/state") == nil)
        #expect(KafkaController.partition(ofStatePath: "/brokers/topics//partitions/0/state") == nil)
        #expect(KafkaController.partition(ofStatePath: "/admin/reassign_partitions") == nil)
    }
}
