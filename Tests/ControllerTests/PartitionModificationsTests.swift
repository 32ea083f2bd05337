import Testing

@testable import Controller

/// Which watch events become PartitionModifications: data changes of `/brokers/topics/<t>` only.
@Suite struct PartitionModificationsTests {
    @Test func onlyATopicsAssignmentZNodeNamesATopic() {
        #expect(KafkaController.topic(ofAssignmentPath: "/brokers/topics/orders") == "orders")
        #expect(KafkaController.topic(ofAssignmentPath: "/brokers/topics/a.b_c-1") == "a.b_c-1")
        #expect(KafkaController.topic(ofAssignmentPath: "/brokers/topics") == nil)
        #expect(KafkaController.topic(ofAssignmentPath: "/brokers/topics/") == nil)
        #expect(KafkaController.topic(ofAssignmentPath: "/brokers/topics/orders/partitions/0/state") == nil)
        #expect(KafkaController.topic(ofAssignmentPath: "/config/topics/orders") == nil)
    }

    @Test func partitionModificationsIsATopicChange() {
        #expect(ControllerEvent.partitionModifications(topic: "t").state == .topicChange)
    }
}
