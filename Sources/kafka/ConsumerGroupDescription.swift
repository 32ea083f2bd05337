import KafkaCommon
import KafkaProtocol

/// What `kafka consumer-groups` knows about one group after DescribeGroups (Kafka's
/// `ConsumerGroupDescription` in the admin client): its state as the coordinator names it, the
/// partition assignor (the group's chosen protocol), the coordinator that answered, and each
/// member with its decoded assignment.
///
/// A group the coordinator does not know is described as `Dead` with no members; the tool reports
/// it as not existing. Members carry assignments only while the group is Stable.
struct ConsumerGroupDescription: Sendable, Equatable {
    /// The broker that coordinates the group, as FindCoordinator named it.
    struct Coordinator: Sendable, Equatable {
        var id: BrokerId
        var host: String
        var port: Int32

        /// `host:port (id)`, the `COORDINATOR (ID)` column.
        var displayName: String { "\(host):\(port) (\(id.rawValue))" }
    }

    /// One member (Kafka's `MemberDescription`).
    struct Member: Sendable, Equatable {
        var consumerId: String
        var clientId: String
        /// The client's address as the coordinator saw it, e.g. `/127.0.0.1`.
        var host: String
        var assignment: [TopicPartition]
    }

    /// Kafka's `ConsumerGroupState` names.
    enum State: String, Sendable {
        case stable = "Stable"
        case preparingRebalance = "PreparingRebalance"
        case completingRebalance = "CompletingRebalance"
        case empty = "Empty"
        case dead = "Dead"
        case unknown = "Unknown"
    }

    var groupId: String
    var state: State
    /// The protocol type (`consumer` for consumer groups, empty for a group with only offsets).
    var protocolType: String
    /// The chosen protocol, i.e. the assignor's name (`range`, `roundrobin`, …); empty unless Stable
    /// or rebalancing with a chosen protocol.
    var partitionAssignor: String
    var members: [Member]
    var coordinator: Coordinator

    init(groupId: String, state: State, protocolType: String = "consumer", partitionAssignor: String = "",
         members: [Member] = [], coordinator: Coordinator) {
        self.groupId = groupId
        self.state = state
        self.protocolType = protocolType
        self.partitionAssignor = partitionAssignor
        self.members = members
        self.coordinator = coordinator
    }

    /// Builds the description from one group of a DescribeGroups response, decoding each member's
    /// consumer protocol assignment. Throws when the group's entry carries an error or a member's
    /// assignment bytes are not the consumer protocol's.
    init(_ described: DescribeGroups.DescribedGroup, coordinator: Coordinator) throws {
        guard described.errorCode == .none else {
            throw CLIError("DescribeGroups for '\(described.groupId)' failed: \(described.errorCode.displayName)")
        }
        guard described.protocolType.isEmpty || described.protocolType == "consumer" else {
            throw CLIError("Group \(described.groupId) is not a consumer group (protocol type '\(described.protocolType)').")
        }
        let members = try described.members.map { member in
            Member(consumerId: member.memberId, clientId: member.clientId, host: member.clientHost,
                   assignment: try ConsumerProtocolAssignment(decoding: member.memberAssignment).partitions)
        }
        self.init(groupId: described.groupId, state: State(rawValue: described.groupState) ?? .unknown,
                  protocolType: described.protocolType, partitionAssignor: described.protocolData,
                  members: members, coordinator: coordinator)
    }
}
