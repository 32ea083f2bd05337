import KafkaCommon

/// The by-topic model of UpdateMetadata that the controller builds and the `MetadataCache`
/// applies, whatever the version (hand-written: the wire layout is generated from
/// `Schemas/UpdateMetadata.schema`).
///
/// On the wire v0–4 list the partition states flat (`partitionStates`, each state naming its
/// topic) and v5 groups them by topic (`topicStates`, the states' own `topicName` unused); v0
/// gives each broker one host and port (`v0Host`, `v0Port`) where v1+ give `endpoints`. A request
/// holds each in the fields of the version it was read at or built for; the others keep their
/// defaults (empty, empty host, port 0).
extension UpdateMetadata.Request {
    /// A request carrying `topicStates` and `liveBrokers` in the layout of `version`: the states as
    /// `topicStates` from v5; in v0–4 flattened, in order, into `partitionStates`, each state given
    /// its topic's name. In v0 each broker's `endpoints` give way to the host and port of its
    /// PLAINTEXT endpoint (of its first endpoint if it has none, empty and -1 if it has no
    /// endpoint at all).
    public init(
        controllerId: BrokerId, controllerEpoch: ControllerEpoch, brokerEpoch: Int64 = -1,
        topicStates: [UpdateMetadata.TopicState], liveBrokers: [UpdateMetadata.Broker], version: Int16
    ) {
        self.init(controllerId: controllerId, controllerEpoch: controllerEpoch, brokerEpoch: brokerEpoch,
                  liveBrokers: liveBrokers)
        if version >= 5 {
            self.topicStates = topicStates
        } else {
            partitionStates = flatteningByTopic(topicStates.map { ($0.topicName, $0.partitionStates) })
        }
        if version == 0 {
            self.liveBrokers = liveBrokers.map { broker in
                let endpoint = broker.endpoints.first { $0.securityProtocol == 0 } ?? broker.endpoints.first
                return UpdateMetadata.Broker(id: broker.id, v0Host: endpoint?.host ?? "", v0Port: endpoint?.port ?? -1)
            }
        }
    }

    /// The partition states grouped by topic, whatever the version: `topicStates`, then the flat
    /// `partitionStates` cut into runs of one topic (a topic listed in two runs gives two groups,
    /// so flattening the groups gives back the flat list in its order).
    public var partitionStatesByTopic: [UpdateMetadata.TopicState] {
        guard !partitionStates.isEmpty else { return topicStates }
        return topicStates + groupingConsecutiveByTopic(partitionStates.map { ($0.topicName, $0) }).map {
            UpdateMetadata.TopicState(topicName: $0.topic, partitionStates: $0.elements)
        }
    }
}

extension UpdateMetadata.Broker {
    /// The broker's endpoints, whatever the version: `endpoints`, then, when set (v0), the single
    /// host and port as a PLAINTEXT endpoint with no listener name.
    public var allEndpoints: [UpdateMetadata.Endpoint] {
        guard !v0Host.isEmpty || v0Port != 0 else { return endpoints }
        return endpoints + [UpdateMetadata.Endpoint(port: v0Port, host: v0Host, listener: "", securityProtocol: 0)]
    }
}
