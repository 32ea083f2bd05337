import Controller
import KafkaCommon
import KafkaZk

/// A controller context of epoch 5 in which `live` brokers are up and each partition of
/// `assignments` has the given replicas.
func stateMachineContext(
    live: Set<BrokerId> = [1, 2, 3], assignments: [TopicPartition: [BrokerId]]
) -> ControllerContext {
    var context = ControllerContext()
    context.epoch = 5
    for id in live { context.liveBrokers[id] = BrokerInfo(id: id, endpoints: [], timestamp: 0) }
    context.partitionAssignments = assignments
    return context
}

/// A partition state as read from (or written to) its state znode.
func partitionState(
    leader: BrokerId, leaderEpoch: Int32 = 0, isr: [BrokerId], zkVersion: Int32 = 0, controllerEpoch: ControllerEpoch = 5
) -> LeaderIsrAndControllerEpoch {
    LeaderIsrAndControllerEpoch(
        leaderAndIsr: LeaderAndIsr(leader: leader, leaderEpoch: LeaderEpoch(leaderEpoch), isr: isr, zkVersion: zkVersion),
        controllerEpoch: controllerEpoch)
}
