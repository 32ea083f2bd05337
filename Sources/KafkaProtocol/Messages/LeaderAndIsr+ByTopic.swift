import KafkaCommon

/// The by-topic model of LeaderAndIsr that the controller builds and `ReplicaManager` applies,
/// whatever the version (hand-written: the wire layout is generated from
/// `Schemas/LeaderAndIsr.schema`).
///
/// On the wire v0–1 list the partition states flat (`partitionStates`, each state naming its
/// topic) and v2 groups them by topic (`topicStates`, the states' own `topicName` unused). A
/// request holds its states in the field of the version it was read at or built for; the other
/// field is empty.
extension LeaderAndIsr.Request {
    /// A request carrying `topicStates` in the layout of `version`: as `topicStates` from v2; in
    /// v0–1 flattened, in order, into `partitionStates`, each state given its topic's name.
    public init(
        controllerId: BrokerId, controllerEpoch: ControllerEpoch, brokerEpoch: Int64 = -1,
        topicStates: [LeaderAndIsr.TopicState], liveLeaders: [LeaderAndIsr.LiveLeader], version: Int16
    ) {
        self.init(controllerId: controllerId, controllerEpoch: controllerEpoch, brokerEpoch: brokerEpoch,
                  liveLeaders: liveLeaders)
        if version >= 2 {
            self.topicStates = topicStates
        } else {
            partitionStates = flatteningByTopic(topicStates.map { ($0.topicName, $0.partitionStates) })
        }
    }

    /// The partition states grouped by topic, whatever the version: `topicStates`, then the flat
    /// `partitionStates` cut into runs of one topic (a topic listed in two runs gives two groups,
    /// so flattening the groups gives back the flat list in its order).
    public var partitionStatesByTopic: [LeaderAndIsr.TopicState] {
        guard !partitionStates.isEmpty else { return topicStates }
        return topicStates + groupingConsecutiveByTopic(partitionStates.map { ($0.topicName, $0) }).map {
            LeaderAndIsr.TopicState(topicName: $0.topic, partitionStates: $0.elements)
        }
    }
}
