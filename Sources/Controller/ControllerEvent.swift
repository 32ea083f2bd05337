import KafkaCommon
import KafkaProtocol

/// What the controller's state is while it handles an event (Kafka's `ControllerState`); the
/// name becomes the event's metric and appears in the state-change log.
public enum ControllerState: String, Sendable {
    case idle = "Idle"
    case controllerChange = "ControllerChange"
    case brokerChange = "BrokerChange"
    case topicChange = "TopicChange"
    case topicDeletion = "TopicDeletion"
    case isrChange = "IsrChange"
    case topicUncleanLeaderElectionEnable = "TopicUncleanLeaderElectionEnable"
    case uncleanLeaderElectionEnable = "UncleanLeaderElectionEnable"
    case partitionReassignment = "PartitionReassignment"
    case controllerShutdown = "ControllerShutdown"
    case manualLeaderBalance = "ManualLeaderBalance"
    case autoLeaderBalance = "AutoLeaderBalance"
    case controlledShutdown = "ControlledShutdown"
}

/// One unit of controller work. ZooKeeper watches and session callbacks only enqueue these; the
/// `ControllerEventManager`'s single task processes them one at a time.
public enum ControllerEvent: Sendable, Equatable {
    /// The broker started: watch `/controller` and take part in the election.
    case startup
    /// `/controller` was created or changed: if this broker was the controller, maybe resign.
    case controllerChange
    /// `/controller` was deleted: resign if needed and race for the role again.
    case reelect
    /// The ZooKeeper session expired: resign at once, before anything else happens.
    case expire
    /// A new session is connected: register the broker again, then race for the role.
    case registerBrokerAndReelect
    /// The children of `/brokers/ids` changed.
    case brokerChange
    /// The children of `/brokers/topics` changed (a topic was created or deleted).
    case topicChange
    /// The data of `/brokers/topics/<topic>` changed: partitions may have been added
    /// (Kafka's `PartitionModifications`).
    case partitionModifications(topic: String)
    /// The children of `/admin/delete_topics` changed: topics to delete.
    case topicDeletion
    /// A broker answered a StopReplica with deletion (Kafka's
    /// `TopicDeletionStopReplicaResponseReceived`): the request's error and each partition's.
    case topicDeletionStopReplicaResponseReceived(replicaId: BrokerId, requestError: ErrorCode, partitionErrors: [TopicPartition: ErrorCode])
    /// The children of `/isr_change_notification` changed: partition leaders changed ISRs that the
    /// brokers' metadata caches must learn.
    case isrChangeNotification
    /// A topic's config now enables unclean leader election: its offline partitions may get a
    /// leader now.
    case topicUncleanLeaderElectionEnable(topic: String)
    /// The broker's `unclean.leader.election.enable` changed dynamically (`/config/brokers`):
    /// the new default, and when now enabled, every offline partition may get a leader.
    case uncleanLeaderElectionEnable(enabled: Bool)
    /// A preferred replica election was asked for (Kafka's `PreferredReplicaLeaderElection`): by
    /// the creation of `/admin/preferred_replica_election` (nil: read the znode), or by an
    /// ElectPreferredLeaders request (its partitions and where to answer).
    case preferredReplicaLeaderElection(PreferredReplicaElectionCallback?)
    /// The periodic leader-imbalance check (Kafka's `AutoPreferredReplicaLeaderElection`).
    case autoPreferredReplicaLeaderElection
    /// `/admin/reassign_partitions` was created, changed or deleted: reassignments to start.
    case partitionReassignment
    /// The state znode of a partition being reassigned changed: maybe every target replica is in
    /// the ISR now (Kafka's `PartitionReassignmentIsrChange`).
    case partitionReassignmentIsrChange(TopicPartition)
    /// A broker asked to shut down in a controlled way (the ControlledShutdown API): move its
    /// leaderships away and take its replicas out of the ISRs; `callback` gets the answer.
    case controlledShutdown(id: BrokerId, brokerEpoch: Int64, callback: ControlledShutdownCallback)

    public var state: ControllerState {
        switch self {
        case .startup, .controllerChange, .reelect, .expire, .registerBrokerAndReelect: .controllerChange
        case .brokerChange: .brokerChange
        case .topicChange, .partitionModifications: .topicChange
        case .topicDeletion, .topicDeletionStopReplicaResponseReceived: .topicDeletion
        case .isrChangeNotification: .isrChange
        case .topicUncleanLeaderElectionEnable: .topicUncleanLeaderElectionEnable
        case .uncleanLeaderElectionEnable: .uncleanLeaderElectionEnable
        case .preferredReplicaLeaderElection: .manualLeaderBalance
        case .autoPreferredReplicaLeaderElection: .autoLeaderBalance
        case .partitionReassignment, .partitionReassignmentIsrChange: .partitionReassignment
        case .controlledShutdown: .controlledShutdown
        }
    }
}
