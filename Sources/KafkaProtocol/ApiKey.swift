/// A Kafka API key: the int16 at the start of every request header that names the operation.
///
/// Open like ``ErrorCode``: an unknown key still decodes (so the broker can log it and close the
/// connection, which is what Kafka does). The names are the ones Kafka's `ApiKeys` prints and
/// ApiVersions tooling shows (`Produce`, `Fetch`, …); key 43 is `ElectLeaders` (Kafka 2.3 called
/// it `ElectPreferredLeaders`) and 56 `AlterPartition` (first `AlterIsr`). The table runs through
/// key 75; the broker implements the subset listed by ``KafkaAPIs/all``.
public struct ApiKey: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var rawValue: Int16

    public init(rawValue: Int16) { self.rawValue = rawValue }

    /// Kafka's name for the API, nil for a key not in the table.
    public var name: String? { Self.table.first { $0.key == self }?.name }

    public var description: String { name ?? "ApiKey(\(rawValue))" }

    /// The key with this name (Kafka's spelling, e.g. `"ListOffsets"`). The 2.3 name
    /// `"ElectPreferredLeaders"` is accepted for key 43.
    public init?(name: String) {
        if name == "ElectPreferredLeaders" { self = .electLeaders; return }
        guard let entry = Self.table.first(where: { $0.name == name }) else { return nil }
        self = entry.key
    }

    /// Every key in the table, in numeric order.
    public static var allKnown: [ApiKey] { table.map(\.key) }

    public static func < (lhs: ApiKey, rhs: ApiKey) -> Bool { lhs.rawValue < rhs.rawValue }

    // MARK: The keys

    public static let produce = ApiKey(rawValue: 0)
    public static let fetch = ApiKey(rawValue: 1)
    public static let listOffsets = ApiKey(rawValue: 2)
    public static let metadata = ApiKey(rawValue: 3)
    public static let leaderAndIsr = ApiKey(rawValue: 4)
    public static let stopReplica = ApiKey(rawValue: 5)
    public static let updateMetadata = ApiKey(rawValue: 6)
    public static let controlledShutdown = ApiKey(rawValue: 7)
    public static let offsetCommit = ApiKey(rawValue: 8)
    public static let offsetFetch = ApiKey(rawValue: 9)
    public static let findCoordinator = ApiKey(rawValue: 10)
    public static let joinGroup = ApiKey(rawValue: 11)
    public static let heartbeat = ApiKey(rawValue: 12)
    public static let leaveGroup = ApiKey(rawValue: 13)
    public static let syncGroup = ApiKey(rawValue: 14)
    public static let describeGroups = ApiKey(rawValue: 15)
    public static let listGroups = ApiKey(rawValue: 16)
    public static let saslHandshake = ApiKey(rawValue: 17)
    public static let apiVersions = ApiKey(rawValue: 18)
    public static let createTopics = ApiKey(rawValue: 19)
    public static let deleteTopics = ApiKey(rawValue: 20)
    public static let deleteRecords = ApiKey(rawValue: 21)
    public static let initProducerId = ApiKey(rawValue: 22)
    public static let offsetForLeaderEpoch = ApiKey(rawValue: 23)
    public static let addPartitionsToTxn = ApiKey(rawValue: 24)
    public static let addOffsetsToTxn = ApiKey(rawValue: 25)
    public static let endTxn = ApiKey(rawValue: 26)
    public static let writeTxnMarkers = ApiKey(rawValue: 27)
    public static let txnOffsetCommit = ApiKey(rawValue: 28)
    public static let describeAcls = ApiKey(rawValue: 29)
    public static let createAcls = ApiKey(rawValue: 30)
    public static let deleteAcls = ApiKey(rawValue: 31)
    public static let describeConfigs = ApiKey(rawValue: 32)
    public static let alterConfigs = ApiKey(rawValue: 33)
    public static let alterReplicaLogDirs = ApiKey(rawValue: 34)
    public static let describeLogDirs = ApiKey(rawValue: 35)
    public static let saslAuthenticate = ApiKey(rawValue: 36)
    public static let createPartitions = ApiKey(rawValue: 37)
    public static let createDelegationToken = ApiKey(rawValue: 38)
    public static let renewDelegationToken = ApiKey(rawValue: 39)
    public static let expireDelegationToken = ApiKey(rawValue: 40)
    public static let describeDelegationToken = ApiKey(rawValue: 41)
    public static let deleteGroups = ApiKey(rawValue: 42)
    public static let electLeaders = ApiKey(rawValue: 43)
    public static let incrementalAlterConfigs = ApiKey(rawValue: 44)
    public static let alterPartitionReassignments = ApiKey(rawValue: 45)
    public static let listPartitionReassignments = ApiKey(rawValue: 46)
    public static let offsetDelete = ApiKey(rawValue: 47)
    public static let describeClientQuotas = ApiKey(rawValue: 48)
    public static let alterClientQuotas = ApiKey(rawValue: 49)
    public static let describeUserScramCredentials = ApiKey(rawValue: 50)
    public static let alterUserScramCredentials = ApiKey(rawValue: 51)
    public static let vote = ApiKey(rawValue: 52)
    public static let beginQuorumEpoch = ApiKey(rawValue: 53)
    public static let endQuorumEpoch = ApiKey(rawValue: 54)
    public static let describeQuorum = ApiKey(rawValue: 55)
    public static let alterPartition = ApiKey(rawValue: 56)
    public static let updateFeatures = ApiKey(rawValue: 57)
    public static let envelope = ApiKey(rawValue: 58)
    public static let fetchSnapshot = ApiKey(rawValue: 59)
    public static let describeCluster = ApiKey(rawValue: 60)
    public static let describeProducers = ApiKey(rawValue: 61)
    public static let brokerRegistration = ApiKey(rawValue: 62)
    public static let brokerHeartbeat = ApiKey(rawValue: 63)
    public static let unregisterBroker = ApiKey(rawValue: 64)
    public static let describeTransactions = ApiKey(rawValue: 65)
    public static let listTransactions = ApiKey(rawValue: 66)
    public static let allocateProducerIds = ApiKey(rawValue: 67)
    public static let consumerGroupHeartbeat = ApiKey(rawValue: 68)
    public static let consumerGroupDescribe = ApiKey(rawValue: 69)
    public static let controllerRegistration = ApiKey(rawValue: 70)
    public static let getTelemetrySubscriptions = ApiKey(rawValue: 71)
    public static let pushTelemetry = ApiKey(rawValue: 72)
    public static let assignReplicasToDirs = ApiKey(rawValue: 73)
    public static let listClientMetricsResources = ApiKey(rawValue: 74)
    public static let describeTopicPartitions = ApiKey(rawValue: 75)

    private static let table: [(key: ApiKey, name: String)] = [
        (.produce, "Produce"),
        (.fetch, "Fetch"),
        (.listOffsets, "ListOffsets"),
        (.metadata, "Metadata"),
        (.leaderAndIsr, "LeaderAndIsr"),
        (.stopReplica, "StopReplica"),
        (.updateMetadata, "UpdateMetadata"),
        (.controlledShutdown, "ControlledShutdown"),
        (.offsetCommit, "OffsetCommit"),
        (.offsetFetch, "OffsetFetch"),
        (.findCoordinator, "FindCoordinator"),
        (.joinGroup, "JoinGroup"),
        (.heartbeat, "Heartbeat"),
        (.leaveGroup, "LeaveGroup"),
        (.syncGroup, "SyncGroup"),
        (.describeGroups, "DescribeGroups"),
        (.listGroups, "ListGroups"),
        (.saslHandshake, "SaslHandshake"),
        (.apiVersions, "ApiVersions"),
        (.createTopics, "CreateTopics"),
        (.deleteTopics, "DeleteTopics"),
        (.deleteRecords, "DeleteRecords"),
        (.initProducerId, "InitProducerId"),
        (.offsetForLeaderEpoch, "OffsetForLeaderEpoch"),
        (.addPartitionsToTxn, "AddPartitionsToTxn"),
        (.addOffsetsToTxn, "AddOffsetsToTxn"),
        (.endTxn, "EndTxn"),
        (.writeTxnMarkers, "WriteTxnMarkers"),
        (.txnOffsetCommit, "TxnOffsetCommit"),
        (.describeAcls, "DescribeAcls"),
        (.createAcls, "CreateAcls"),
        (.deleteAcls, "DeleteAcls"),
        (.describeConfigs, "DescribeConfigs"),
        (.alterConfigs, "AlterConfigs"),
        (.alterReplicaLogDirs, "AlterReplicaLogDirs"),
        (.describeLogDirs, "DescribeLogDirs"),
        (.saslAuthenticate, "SaslAuthenticate"),
        (.createPartitions, "CreatePartitions"),
        (.createDelegationToken, "CreateDelegationToken"),
        (.renewDelegationToken, "RenewDelegationToken"),
        (.expireDelegationToken, "ExpireDelegationToken"),
        (.describeDelegationToken, "DescribeDelegationToken"),
        (.deleteGroups, "DeleteGroups"),
        (.electLeaders, "ElectLeaders"),
        (.incrementalAlterConfigs, "IncrementalAlterConfigs"),
        (.alterPartitionReassignments, "AlterPartitionReassignments"),
        (.listPartitionReassignments, "ListPartitionReassignments"),
        (.offsetDelete, "OffsetDelete"),
        (.describeClientQuotas, "DescribeClientQuotas"),
        (.alterClientQuotas, "AlterClientQuotas"),
        (.describeUserScramCredentials, "DescribeUserScramCredentials"),
        (.alterUserScramCredentials, "AlterUserScramCredentials"),
        (.vote, "Vote"),
        (.beginQuorumEpoch, "BeginQuorumEpoch"),
        (.endQuorumEpoch, "EndQuorumEpoch"),
        (.describeQuorum, "DescribeQuorum"),
        (.alterPartition, "AlterPartition"),
        (.updateFeatures, "UpdateFeatures"),
        (.envelope, "Envelope"),
        (.fetchSnapshot, "FetchSnapshot"),
        (.describeCluster, "DescribeCluster"),
        (.describeProducers, "DescribeProducers"),
        (.brokerRegistration, "BrokerRegistration"),
        (.brokerHeartbeat, "BrokerHeartbeat"),
        (.unregisterBroker, "UnregisterBroker"),
        (.describeTransactions, "DescribeTransactions"),
        (.listTransactions, "ListTransactions"),
        (.allocateProducerIds, "AllocateProducerIds"),
        (.consumerGroupHeartbeat, "ConsumerGroupHeartbeat"),
        (.consumerGroupDescribe, "ConsumerGroupDescribe"),
        (.controllerRegistration, "ControllerRegistration"),
        (.getTelemetrySubscriptions, "GetTelemetrySubscriptions"),
        (.pushTelemetry, "PushTelemetry"),
        (.assignReplicasToDirs, "AssignReplicasToDirs"),
        (.listClientMetricsResources, "ListClientMetricsResources"),
        (.describeTopicPartitions, "DescribeTopicPartitions"),    ]
}
