import KafkaCommon
import KafkaProtocol
import KafkaZk

/// The controller's decisions for a broker's controlled shutdown (Kafka's `ControlledShutdown`
/// event and its `ControlledShutdownPartitionLeaderElectionStrategy`), as pure functions over the
/// `ControllerContext` and the partition states just read from ZooKeeper. The `KafkaController`
/// shell (`KafkaController+ControlledShutdown.swift`) marks the broker as shutting down, reads
/// and writes the states with the controller-epoch fence, and sends the requests.
///
/// What happens to each partition with a replica on the shutting-down broker, when the partition
/// has more than one replica, has a leadership, and its topic is not being deleted (the others
/// are left alone: a single replica has nowhere to move):
/// - the broker leads it: a new leader is elected with `PartitionLeaderElection.controlledShutdown`
///   (the first replica of the assignment that is registered, in the ISR and not shutting down);
///   the new ISR is the old one without the shutting-down brokers; leader epoch + 1. Without such
///   a replica the partition keeps its leader, and is among the remaining partitions.
/// - the broker follows it: its replica goes OfflineReplica (it leaves the ISR, the other replicas
///   get the new LeaderAndIsr) and it gets StopReplica without deletion.
///
/// The answer is the replicated partitions the broker still leads after that (Kafka's "remaining
/// partitions"); the broker asks again until there are none or its retries run out.
public enum ControlledShutdownPlanner {
    /// The partitions a controlled shutdown acts on, by the broker's role in them.
    public struct Actions: Sendable, Equatable {
        /// Partitions the broker leads: a new leader is to be elected.
        public var led: [TopicPartition] = []
        /// Partitions the broker only follows: its replica goes offline.
        public var followed: [TopicPartition] = []

        public init(led: [TopicPartition] = [], followed: [TopicPartition] = []) {
            self.led = led
            self.followed = followed
        }
    }

    /// Why a ControlledShutdown request is refused before anything changes, or nil to go ahead:
    /// NOT_CONTROLLER when this controller is not active (the broker looks the controller up
    /// again); STALE_BROKER_EPOCH when the request names an epoch older than the broker's current
    /// registration (v2; -1, v0 and v1, is not checked); BROKER_NOT_AVAILABLE when the broker is
    /// not registered.
    public static func refusal(
        broker: BrokerId, brokerEpoch: Int64, isActive: Bool, context: ControllerContext
    ) -> ErrorCode? {
        guard isActive else { return .notController }
        if brokerEpoch != -1, let current = context.liveBrokerEpochs[broker], brokerEpoch < current {
            return .staleBrokerEpoch
        }
        guard context.liveBrokers[broker] != nil else { return .brokerNotAvailable }
        return nil
    }

    /// Whether a controlled shutdown concerns `tp`: more than one replica, a leadership, and a
    /// topic not being deleted.
    static func isMovable(_ tp: TopicPartition, context: ControllerContext) -> Bool {
        (context.partitionAssignments[tp]?.count ?? 0) > 1 && context.partitionLeadership[tp] != nil
            && !context.isTopicQueuedUpForDeletion(tp.topic)
    }

    /// The partitions with a replica on `broker` that the shutdown acts on, split by whether the
    /// broker leads them (as the context knows it).
    public static func partitionsToActOn(broker: BrokerId, context: ControllerContext) -> Actions {
        var actions = Actions()
        for tp in context.partitions(onBroker: broker) where isMovable(tp, context: context) {
            if context.partitionLeadership[tp]?.leaderAndIsr.leader == broker {
                actions.led.append(tp)
            } else {
                actions.followed.append(tp)
            }
        }
        return actions
    }

    /// The controlled-shutdown election of one partition, from its state as read:
    /// the leader is the first replica of the assignment that is registered, in the ISR and not
    /// shutting down; the ISR loses the shutting-down brokers; the recipients of the LeaderAndIsr
    /// are the registered replicas, the shutting-down ones included (the old leader learns that it
    /// follows now). No leader: `leaderAndIsr` is nil.
    public static func electLeader(
        assignment: [BrokerId], current: KafkaZk.LeaderAndIsr, liveOrShuttingDownBrokers: Set<BrokerId>,
        shuttingDownBrokers: Set<BrokerId>
    ) -> OfflinePartitionPlanner.Election {
        let recipients = assignment.filter(liveOrShuttingDownBrokers.contains)
        let leader = PartitionLeaderElection.controlledShutdown(
            assignment: assignment, isr: current.isr, liveReplicas: Set(recipients), shuttingDownBrokers: shuttingDownBrokers)
        let isr = current.isr.filter { !shuttingDownBrokers.contains($0) }
        return OfflinePartitionPlanner.Election(
            leaderAndIsr: leader.map { current.newLeaderAndIsr(leader: $0, isr: isr) }, isUnclean: false,
            liveReplicas: recipients)
    }

    /// Elects new leaders for `states` (the led partitions' state znodes as just read). Partitions
    /// written by a newer controller are left alone; those without an eligible replica are
    /// `leaderless` (their leader stays, they remain).
    public static func planElections(
        states: [TopicPartition: LeaderIsrAndControllerEpoch], context: ControllerContext
    ) -> OfflinePartitionPlanner.ElectionPlan {
        var plan = OfflinePartitionPlanner.ElectionPlan()
        for (tp, state) in states.sorted(by: { $0.key < $1.key }) {
            if state.controllerEpoch > context.epoch {
                plan.writtenByNewerController.append(tp)
                continue
            }
            let election = electLeader(
                assignment: context.partitionAssignments[tp] ?? [], current: state.leaderAndIsr,
                liveOrShuttingDownBrokers: context.liveOrShuttingDownBrokerIds, shuttingDownBrokers: context.shuttingDownBrokerIds)
            guard let leaderAndIsr = election.leaderAndIsr else {
                plan.leaderless.append(tp)
                continue
            }
            plan.updates[tp] = leaderAndIsr
            plan.recipients[tp] = election.liveReplicas
        }
        return plan
    }

    /// The replicated partitions `broker` still leads (the response's remaining partitions).
    public static func remainingPartitions(broker: BrokerId, context: ControllerContext) -> [TopicPartition] {
        context.partitionLeadership.filter { tp, state in
            state.leaderAndIsr.leader == broker && isMovable(tp, context: context)
        }.map(\.key).sorted()
    }
}
