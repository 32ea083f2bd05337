import Controller
import KafkaCommon
import KafkaZk
import Testing

@Suite struct IsrChangeNotificationsTests {
    @Test func severalNotificationsNameEachPartitionOnce() {
        let notifications: [(name: String, data: [UInt8])] = [
            ("isr_change_0000000001", Array(#"{"version":1,"partitions":[{"topic":"t","partition":1},{"topic":"t","partition":0}]}"#.utf8)),
            ("isr_change_0000000002", Array(#"{"version":1,"partitions":[{"topic":"u","partition":3},{"topic":"t","partition":1}]}"#.utf8)),
            ("isr_change_0000000003", Array("not json".utf8)),
            ("isr_change_0000000004", IsrChangeNotificationZNode.encode([TopicPartition("gone", 0)])),
        ]
        let (partitions, corrupt) = IsrChangeNotifications.decode(notifications)
        #expect(partitions == [TopicPartition("gone", 0), TopicPartition("t", 0), TopicPartition("t", 1), TopicPartition("u", 3)])
        #expect(corrupt == ["isr_change_0000000003"])
    }

    @Test func unknownAndDeletedTopicsAreNotRefreshed() {
        var context = ControllerContext()
        context.partitionAssignments = [TopicPartition("t", 0): [1], TopicPartition("u", 3): [1]]
        context.topicsToBeDeleted = ["u": [1]]
        let refreshed = context.partitionsToRefresh(afterIsrChange: [
            TopicPartition("gone", 0), TopicPartition("t", 0), TopicPartition("t", 1), TopicPartition("u", 3),
        ])
        #expect(refreshed == [TopicPartition("t", 0)])
    }

    @Test func isrChangeHasItsControllerState() {
        #expect(ControllerEvent.isrChangeNotification.state == .isrChange)
        #expect(ControllerState.isrChange.rawValue == "IsrChange")
        #expect(ControllerEvent.topicUncleanLeaderElectionEnable(topic: "t").state.rawValue == "TopicUncleanLeaderElectionEnable")
    }
}
