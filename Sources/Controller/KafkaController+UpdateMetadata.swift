import KafkaCommon
import KafkaProtocol
import KafkaZk

extension KafkaController {
    /// The UpdateMetadata version this controller sends (Kafka 2.3's).
    static let updateMetadataVersion: Int16 = 5

    /// Sends every broker in `brokers` the live brokers and the given partition states (Kafka's
    /// `sendUpdateMetadataRequest`). Each request carries the controller epoch, so a broker that
    /// heard from a newer controller rejects it (STALE_CONTROLLER_EPOCH), and the target broker's
    /// epoch, so a broker that re-registered since rejects it (STALE_BROKER_EPOCH). Partitions of
    /// topics queued for deletion are sent with leader -2 (Kafka's `LeaderDuringDelete`), which
    /// makes metadata caches drop them.
    func sendUpdateMetadata(to brokers: [BrokerId], partitions: [TopicPartition] = []) {
        let topicStates = Dictionary(grouping: partitions, by: \.topic).sorted { $0.key < $1.key }.map { topic, members in
            UpdateMetadata.TopicState(topicName: topic, partitionStates: members.sorted().compactMap { tp in
                guard let state = context.partitionLeadership[tp] else { return nil }
                let replicas = context.partitionAssignments[tp] ?? []
                return UpdateMetadata.PartitionState(
                    partitionIndex: tp.partition, controllerEpoch: state.controllerEpoch,
                    leader: context.isTopicQueuedUpForDeletion(tp.topic) ? KafkaZk.LeaderAndIsr.leaderDuringDelete : state.leaderAndIsr.leader,
                    leaderEpoch: state.leaderAndIsr.leaderEpoch,
                    isr: state.leaderAndIsr.isr, zkVersion: state.leaderAndIsr.zkVersion, replicas: replicas,
                    offlineReplicas: replicas.filter { !context.isReplicaOnline($0) })
            })
        }
        let live = context.liveBrokers.values.sorted { $0.id < $1.id }.map { info in
            UpdateMetadata.Broker(
                id: info.id,
                endpoints: info.endpoints.map {
                    UpdateMetadata.Endpoint(port: $0.port, host: $0.host, listener: $0.listenerName,
                                            securityProtocol: $0.securityProtocol.id)
                },
                rack: info.rack)
        }
        let epoch = context.epoch
        for broker in brokers {
            let request = UpdateMetadata.Request(
                controllerId: brokerId, controllerEpoch: epoch, brokerEpoch: context.liveBrokerEpochs[broker] ?? -1,
                topicStates: topicStates, liveBrokers: live, version: Self.updateMetadataVersion)
            let logger = stateChangeLogger
            channelManager.send(to: broker, UpdateMetadata.self, request, version: Self.updateMetadataVersion) { response in
                if response.errorCode != .none {
                    logger.controller(epoch: epoch, "UpdateMetadata to broker \(broker) failed with \(response.errorCode)")
                } else {
                    // The answer, for the failover lab's timeline (Kafka logs it at TRACE).
                    logger.controller(epoch: epoch, "Received UpdateMetadata response from broker \(broker): NONE")
                }
            }
        }
        stateChangeLogger.controller(epoch: epoch,
            "Sending UpdateMetadata request to brokers [\(brokers.map(\.description).joined(separator: ","))] with \(live.count) live brokers and \(partitions.count) topics")
    }
}

extension SecurityProtocol {
    /// The security protocol's id on the wire (UpdateMetadata endpoints).
    public var id: Int16 {
        switch self {
        case .plaintext: 0
        case .ssl: 1
        case .saslPlaintext: 2
        case .saslSsl: 3
        }
    }

    public init?(id: Int16) {
        switch id {
        case 0: self = .plaintext
        case 1: self = .ssl
        case 2: self = .saslPlaintext
        case 3: self = .saslSsl
        default: return nil
        }
    }
}
