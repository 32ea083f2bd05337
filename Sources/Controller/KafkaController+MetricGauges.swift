import KafkaCommon
import KafkaZk

/// The controller's gauges (`kafka.controller:type=KafkaController`), computed from the
/// controller's context when a broker's metrics are scraped (nothing is kept on the event path).
public struct ControllerMetricGauges: Sendable, Equatable {
    /// 1 on the active controller, 0 elsewhere (the cluster's sum is 1).
    public var activeControllerCount = 0
    /// Partitions in the OfflinePartition state, topics being deleted aside (0 when not active).
    public var offlinePartitionsCount = 0
    /// Partitions whose leader is not their preferred (first) replica, topics being deleted
    /// aside (0 when not active).
    public var preferredReplicaImbalanceCount = 0
    public var globalTopicCount = 0
    public var globalPartitionCount = 0

    public init() {}

    /// The figures of a controller in `context`, active or not.
    public init(context: ControllerContext, isActive: Bool) {
        guard isActive else { return }
        activeControllerCount = 1
        globalTopicCount = context.allTopics.count
        globalPartitionCount = context.partitionAssignments.count
        for (tp, replicas) in context.partitionAssignments where !context.isTopicQueuedUpForDeletion(tp.topic) {
            if context.partitionStates[tp] == .offlinePartition { offlinePartitionsCount += 1 }
            if let preferred = replicas.first, let leader = context.partitionLeadership[tp]?.leaderAndIsr.leader,
               leader != preferred {
                preferredReplicaImbalanceCount += 1
            }
        }
    }
}

extension KafkaController {
    /// The gauges as of now (read on the controller's actor, between events).
    public func metricGauges() -> ControllerMetricGauges {
        ControllerMetricGauges(context: context, isActive: isActive)
    }

    /// The state of the event being processed, `.idle` between events (Kafka's
    /// `kafka.controller:type=KafkaController,name=ControllerState`); read without the actor.
    public nonisolated var currentState: ControllerState { eventManager.currentState }
}
