import KafkaCommon

extension ReplicaAssignment {
    /// A broker as replica assignment sees it: its id and, when it sets `broker.rack`, its rack
    /// (Kafka's `kafka.admin.BrokerMetadata`; nested, as the broker's `meta.properties` type
    /// has the plain name).
    public struct BrokerMetadata: Sendable, Hashable {
        public var id: BrokerId
        public var rack: String?

        public init(id: BrokerId, rack: String? = nil) {
            self.id = id
            self.rack = rack
        }
    }
}

/// How replica assignment treats racks (Kafka's `RackAwareMode`) when it reads the brokers from
/// `/brokers/ids`:
/// - `enforced`: racks are used; a cluster where only some brokers set a rack is refused.
/// - `safe`: racks are used when every broker sets one, and ignored otherwise (auto-created
///   topics, as Kafka 2.3's `KafkaApis.createTopic`).
/// - `disabled`: racks are ignored.
public enum RackAwareMode: Sendable, Equatable {
    case enforced
    case safe
    case disabled
}

extension ReplicaAssignment.BrokerMetadata {
    /// Kafka's `AdminZkClient.getBrokerMetadatas`: the registered brokers (only those of
    /// `brokerList` when given; listed ids not registered are left out, as Kafka leaves them),
    /// sorted by id, with their racks kept or dropped as `mode` says. Under `.enforced`, brokers
    /// of which some but not all set `broker.rack` are refused (`.incompleteRackInformation`, with
    /// Kafka's words).
    public static func from(
        _ registered: [BrokerInfo], mode: RackAwareMode, brokerList: [BrokerId]? = nil
    ) throws(ReplicaAssignment.AssignmentError) -> [ReplicaAssignment.BrokerMetadata] {
        let brokers = brokerList.map { list in registered.filter { list.contains($0.id) } } ?? registered
        let withRack = brokers.filter { $0.rack != nil }.count
        let isPartial = withRack > 0 && withRack < brokers.count
        if mode == .enforced && isPartial {
            throw .incompleteRackInformation(
                "Not all brokers have rack information. Add --disable-rack-aware in command line to make replica assignment without rack information.")
        }
        let keepRacks = mode == .enforced || (mode == .safe && !isPartial)
        return brokers.map { ReplicaAssignment.BrokerMetadata(id: $0.id, rack: keepRacks ? $0.rack : nil) }.sorted { $0.id < $1.id }
    }
}
