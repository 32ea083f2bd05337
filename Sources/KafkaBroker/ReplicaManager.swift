import KafkaCommon
import KafkaProtocol
import KafkaStorage
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
    /// Opens (or creates) a partition's log with its topic's config (the LogManager).
    public typealias LogProvider = @Sendable (TopicPartition, LogConfig) throws -> Log
    let logProvider: LogProvider
    private struct State {
        var controllerEpoch: ControllerEpoch = .initial
        var partitions: [TopicPartition: Partition] = [:]
    }
    private let state = Mutex(State())

    public init(brokerId: BrokerId, logProvider: @escaping LogProvider) {
        self.brokerId = brokerId
        self.logProvider = logProvider
        stateChangeLogger = Logger(label: "state.change.logger")
    }

    public func partition(_ tp: TopicPartition) -> Partition? {
        state.withLock { $0.partitions[tp] }
    }

    public func role(of partition: TopicPartition) -> PartitionRole? {
        self.partition(partition)?.role
    }

    public var leaderPartitions: [TopicPartition] {
        state.withLock { state in state.partitions.filter { $0.value.isLeader }.map(\.key).sorted() }
    }

    /// StopReplica from the controller: stops hosting the listed partitions; with
    /// `deletePartitions`, their logs are deleted (renamed `-delete`, removed later) through
    /// `deleteLog`.
    public func stopReplicas(_ request: StopReplica.Request, deleteLog: (TopicPartition) throws -> Void) -> StopReplica.Response {
        let accepted: Bool = state.withLock { state in
            guard request.controllerEpoch >= state.controllerEpoch else { return false }
            state.controllerEpoch = request.controllerEpoch
            return true
        }
        guard accepted else { return StopReplica.Response(errorCode: .staleControllerEpoch, partitionErrors: []) }
        var errors: [PartitionError] = []
        for topic in request.topics {
            for index in topic.partitionIndexes {
                let tp = TopicPartition(topic.name, index)
                _ = state.withLock { $0.partitions.removeValue(forKey: tp) }
                var code = ErrorCode.none
                if request.deletePartitions {
                    do { try deleteLog(tp) } catch { code = .kafkaStorageError }
                }
                errors.append(PartitionError(topicName: topic.name, partitionIndex: index, errorCode: code))
                stateChangeLogger.info("[Broker id=\(brokerId) epoch=\(request.controllerEpoch)] Stopped replica \(tp)\(request.deletePartitions ? " and deleted its log" : "")")
            }
        }
        return StopReplica.Response(errorCode: .none, partitionErrors: errors)
    }

    /// Applies a LeaderAndIsr request, creating the logs of partitions new to this broker with
    /// `configs[topic]`; returns the top-level error and one error per partition.
    public func becomeLeaderOrFollower(_ request: LeaderAndIsr.Request, configs: [String: LogConfig]) -> LeaderAndIsr.Response {
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
                    if let current = state.partitions[tp]?.role, partition.leaderEpoch <= current.leaderEpoch {
                        errors.append(PartitionError(topicName: tp.topic, partitionIndex: tp.partition, errorCode: .staleControllerEpoch))
                        log.append("Ignoring LeaderAndIsr for \(tp): leader epoch \(partition.leaderEpoch) is not newer than \(current.leaderEpoch)")
                        continue
                    }
                    let role = PartitionRole(leader: partition.leader, leaderEpoch: partition.leaderEpoch,
                                             isr: partition.isr, replicas: partition.replicas, zkVersion: partition.zkVersion)
                    if let existing = state.partitions[tp] {
                        existing.update(role: role)
                    } else {
                        do {
                            let partitionLog = try logProvider(tp, configs[tp.topic] ?? LogConfig())
                            state.partitions[tp] = Partition(topicPartition: tp, localBrokerId: brokerId, role: role, log: partitionLog)
                        } catch {
                            errors.append(PartitionError(topicName: tp.topic, partitionIndex: tp.partition, errorCode: .kafkaStorageError))
                            log.append("Could not create the log of \(tp): \(error)")
                            continue
                        }
                    }
                    errors.append(PartitionError(topicName: tp.topic, partitionIndex: tp.partition))
                    let described = partition.leader == brokerId ? "leader" : "follower of broker \(partition.leader)"
                    log.append("Became \(described) for \(tp) with leader epoch \(partition.leaderEpoch), ISR [\(partition.isr.map(\.description).joined(separator: ","))]")
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
