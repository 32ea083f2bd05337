import Controller
import KafkaCommon
import KafkaZk
import Testing

@Suite struct ControllerContextTests {
    @Test func brokerChangesAreTheDifferenceOfTheSets() {
        var context = ControllerContext()
        for id: BrokerId in [1, 2, 3] {
            context.liveBrokers[id] = BrokerInfo(id: id, endpoints: [], timestamp: 0)
        }
        let (added, removed) = context.brokerChanges(current: [2, 3, 4, 5])
        #expect(added == [4, 5])
        #expect(removed == [1])
        #expect(context.brokerChanges(current: [1, 2, 3]) == ([], []))
    }
}
