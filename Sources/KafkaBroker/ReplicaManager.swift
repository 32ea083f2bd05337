import KafkaCommon
import KafkaProtocol
import Logging
import Synchronization

/// The partitions this broker hosts and its role in each, as the controller's LeaderAndIsr
/// requests set them (Kafka's `ReplicaManager`, first part: leadership; logs, fetchers, the
/// high watermark and acks=all come with storage and replication).
///
/// Rules, as in Kafka: a request from an older controller epoch is refused as a whole
/// (STALE_CONTROLLER_EPOCH); per partition, only a newer leader epoch changes anything (an
/// equal or older one is answered STALE_CONTROLLER_EPOCH and ignored); a partition whose
/// replicas do not include this broker is UNKNOWN_TOPIC_OR_PARTITION.
///
/// Isolation: one `Mutex` around the table.
public final class ReplicaManager: Sendable {
    public struct PartitionRole: Sendable, Equatable {
        public var leader: BrokerId
        public var leaderEpoch: LeaderEpoch
        public var isr: [BrokerId]
        public var replicas: [BrokerId]
        public var zkVersion: Int32
    }

    public let brokerId: BrokerId
    let stateChangeLogger: Logger
    private struct State {
        var controllerEpoch: ControllerEpoch = .initial
        var partitions: [TopicPartition: PartitionRole] = [:]
    }
    private let state = Mutex(State())

    public init(brokerId: BrokerId) {
        self.brokerId = brokerId
        stateChangeLogger = Logger(label: "state.change.logger")
    }

    public func role(of partition: TopicPartition) -> PartitionRole? {
        state.withLock { $0.partitions[partition] }
    }

    public var leaderPartitions: [TopicPartition] {
        state.withLock { state in state.partitions.filter { $0.value.leader == brokerId }.map(\.key).sorted() }
    }

    /// Applies a LeaderAndIsr request; returns the top-level error and one error per partition.
    public func becomeLeaderOrFollower(_ request: LeaderAndIsr.Request) -> LeaderAndIsr.Response {
        let outcome: (ErrorCode, [PartitionError], [String]) = state.withLock { state in
            guard request.controllerEpoch >= state.controllerEpoch else {
                return (.staleControllerEpoch, [], ["Ignoring LeaderAndIsr from controller \(request.controllerId) with epoch \(request.controllerEpoch): the latest known epoch is \(state.controllerEpoch)"])
            }
            state.controllerEpoch = request.controllerEpoch
            var errors: [PartitionError] = []
            var log: [String] = []
            for topic in request.topicStates {
                for partition in topic.partitionStates {
                    let tp = TopicPartition(topic.topicName, partition.partitionIndex)
                    guard partition.replicas.contains(brokerId) else {
                        errors.append(PartitionError(topicName: tp.topic, partitionIndex: tp.partition, errorCode: .unknownTopicOrPartition))
                        continue
                    }
                    if let current = state.partitions[tp], partition.leaderEpoch <= current.leaderEpoch {
                        errors.append(PartitionError(topicName: tp.topic, partitionIndex: tp.partition, errorCode: .staleControllerEpoch))
                        log.append("Ignoring LeaderAndIsr for \(tp): leader epoch \(partition.leaderEpoch) is not newer than \(current.leaderEpoch)")
                        continue
                    }
                    state.partitions[tp] = PartitionRole(leader: partition.leader, leaderEpoch: partition.leaderEpoch,
                                                        isr: partition.isr, replicas: partition.replicas, zkVersion: partition.zkVersion)
                    errors.append(PartitionError(topicName: tp.topic, partitionIndex: tp.partition))
                    let role = partition.leader == brokerId ? "leader" : "follower of broker \(partition.leader)"
                    log.append("Became \(role) for \(tp) with leader epoch \(partition.leaderEpoch), ISR [\(partition.isr.map(\.description).joined(separator: ","))]")
                }
            }
            return (.none, errors, log)
        }
        for line in outcome.2 {
            stateChangeLogger.info("[Broker id=\(brokerId) epoch=\(request.controllerEpoch)] \(line)")
        }
        return LeaderAndIsr.Response(errorCode: outcome.0, partitionErrors: outcome.1)
    }
}
