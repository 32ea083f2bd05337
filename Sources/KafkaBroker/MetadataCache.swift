import KafkaCommon
import KafkaProtocol
import KafkaZk
import Synchronization

/// What this broker knows of the cluster, as the controller last told it with UpdateMetadata
/// (Kafka's `MetadataCache`): the live brokers with their endpoints, the controller, and the
/// partition states. Metadata requests are answered from here, never from ZooKeeper.
///
/// Invariant: the cache only moves forward — an UpdateMetadata from an older controller epoch is
/// rejected (STALE_CONTROLLER_EPOCH) and leaves it untouched.
///
/// Isolation: one `Mutex` around an immutable snapshot; readers take the snapshot and never
/// block writers for longer than a pointer swap.
public final class MetadataCache: Sendable {
    public struct PartitionInfo: Sendable, Equatable {
        public var state: UpdateMetadata.PartitionState
    }

    public struct Snapshot: Sendable {
        public var controllerId: BrokerId = .none
        public var controllerEpoch: ControllerEpoch = .initial
        public var aliveBrokers: [BrokerId: UpdateMetadata.Broker] = [:]
        /// Partition states by topic, then partition index.
        public var partitions: [String: [Int32: UpdateMetadata.PartitionState]] = [:]
    }

    public let brokerId: BrokerId
    private let snapshot = Mutex(Snapshot())

    public init(brokerId: BrokerId) {
        self.brokerId = brokerId
    }

    public var current: Snapshot { snapshot.withLock { $0 } }

    /// Applies an UpdateMetadata request; returns the error code to answer with.
    public func update(_ request: UpdateMetadata.Request) -> ErrorCode {
        snapshot.withLock { snapshot in
            if request.controllerEpoch < snapshot.controllerEpoch { return .staleControllerEpoch }
            snapshot.controllerEpoch = request.controllerEpoch
            snapshot.controllerId = request.controllerId
            snapshot.aliveBrokers = Dictionary(uniqueKeysWithValues: request.liveBrokers.map { ($0.id, $0) })
            for topic in request.partitionStatesByTopic {
                for state in topic.partitionStates {
                    if state.leader == LeaderAndIsr.leaderDuringDelete {
                        snapshot.partitions[topic.topicName]?.removeValue(forKey: state.partitionIndex)
                        if snapshot.partitions[topic.topicName]?.isEmpty == true {
                            snapshot.partitions.removeValue(forKey: topic.topicName)
                        }
                    } else {
                        snapshot.partitions[topic.topicName, default: [:]][state.partitionIndex] = state
                    }
                }
            }
            return .none
        }
    }

    /// The alive brokers' endpoints on `listenerName`, sorted by id (brokers without that
    /// listener are left out, as Kafka does).
    public func aliveBrokers(listenerName: String) -> [Metadata.Broker] {
        current.aliveBrokers.values.sorted { $0.id < $1.id }.compactMap { broker in
            broker.allEndpoints.first { $0.listener == listenerName }.map {
                Metadata.Broker(nodeId: broker.id, host: $0.host, port: $0.port, rack: broker.rack)
            }
        }
    }
}
