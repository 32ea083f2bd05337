import KafkaClient
import KafkaCommon
import KafkaProtocol

/// The protocol half of `kafka consumer-groups` (what Kafka 2.3's tool asks of its admin client
/// and of a consumer): FindCoordinator, ListGroups to every broker, DescribeGroups, OffsetFetch,
/// ListOffsets to partition leaders, OffsetCommit as a member-less committer (generation -1, empty
/// member id) and DeleteGroups. It returns plain values; `ConsumerGroupReport` formats them.
///
/// Group requests go to the group's coordinator; while the coordinator is loading, moving or not
/// yet available, the request is retried with a fresh FindCoordinator for up to `timeout`.
struct ConsumerGroupService: Sendable {
    let client: ClusterClient
    /// How long to keep retrying coordinator errors (the tool's `--timeout`, Kafka's default 5 s).
    var timeout: Duration = .seconds(5)

    /// A coordinator error the request is retried on.
    private struct CoordinatorMoved: Error { var code: ErrorCode }

    private static let coordinatorErrors: Set<ErrorCode> = [.coordinatorNotAvailable, .notCoordinator, .coordinatorLoadInProgress]

    // MARK: Coordinator

    /// FindCoordinator for `group`, then a connection to that broker.
    func coordinator(for group: String) async throws -> (ConsumerGroupDescription.Coordinator, BrokerConnection) {
        let version = try await client.requireVersion(of: FindCoordinator.self, for: "Finding a group coordinator")
        let response = try await client.sendToBootstrap(
            FindCoordinator.self, FindCoordinator.Request(key: group, keyType: 0), version: version)
        guard response.errorCode == .none else { throw CoordinatorMoved(code: response.errorCode) }
        if await client.brokers[response.nodeId] == nil { _ = try await client.metadata(topics: []) }
        let coordinator = ConsumerGroupDescription.Coordinator(id: response.nodeId, host: response.host, port: response.port)
        return (coordinator, try await client.connection(to: response.nodeId))
    }

    /// Runs `body` against `group`'s coordinator, again with a new lookup while the coordinator
    /// answers COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS.
    private func withCoordinator<T: Sendable>(
        of group: String, _ body: (ConsumerGroupDescription.Coordinator, BrokerConnection) async throws -> T
    ) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while true {
            do {
                let (coordinator, connection) = try await coordinator(for: group)
                return try await body(coordinator, connection)
            } catch let moved as CoordinatorMoved {
                guard ContinuousClock.now < deadline else {
                    throw CLIError("The coordinator of group '\(group)' is not available: \(moved.code.displayName)")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Throws `CoordinatorMoved` for the retriable coordinator errors, a `CLIError` for others.
    private func check(_ code: ErrorCode, _ what: String) throws {
        guard code != .none else { return }
        if Self.coordinatorErrors.contains(code) { throw CoordinatorMoved(code: code) }
        throw CLIError("\(what) failed: \(code.displayName)")
    }

    // MARK: Groups

    /// Every consumer group on every broker (ListGroups to each broker in the metadata, as Kafka's
    /// admin client does), keeping groups whose protocol type is `consumer` or empty, in broker
    /// order and without repeats.
    func listGroups() async throws -> [String] {
        let version = try await client.requireVersion(of: ListGroups.self, for: "Listing groups")
        let metadata = try await client.metadata(topics: [])
        var groups: [String] = []
        var seen = Set<String>()
        for broker in metadata.brokers.sorted(by: { $0.nodeId.rawValue < $1.nodeId.rawValue }) {
            let response = try await client.connection(to: broker.nodeId).send(ListGroups.self, ListGroups.Request(), version: version)
            guard response.errorCode == .none else {
                throw CLIError("ListGroups on broker \(broker.nodeId.rawValue) failed: \(response.errorCode.displayName)")
            }
            for group in response.groups where group.protocolType.isEmpty || group.protocolType == "consumer" {
                if seen.insert(group.groupId).inserted { groups.append(group.groupId) }
            }
        }
        return groups
    }

    /// DescribeGroups for `group` at its coordinator.
    func describe(_ group: String) async throws -> ConsumerGroupDescription {
        let version = try await client.requireVersion(of: DescribeGroups.self, for: "Describing groups")
        return try await withCoordinator(of: group) { coordinator, connection in
            let response = try await connection.send(DescribeGroups.self, DescribeGroups.Request(groups: [group]), version: version)
            guard let described = response.groups.first(where: { $0.groupId == group }) else {
                throw CLIError("DescribeGroups returned no entry for '\(group)'")
            }
            try check(described.errorCode, "DescribeGroups for '\(group)'")
            return try ConsumerGroupDescription(described, coordinator: coordinator)
        }
    }

    /// The group's committed offsets (OffsetFetch with null topics: all of them). Partitions with
    /// no committed offset (-1) or with an error are left out.
    func committedOffsets(_ group: String) async throws -> [TopicPartition: Int64] {
        let version = try await client.requireVersion(of: OffsetFetch.self, for: "Fetching committed offsets")
        guard version >= 2 else { throw CLIError("The broker's OffsetFetch (v\(version)) cannot fetch all of a group's offsets") }
        return try await withCoordinator(of: group) { _, connection in
            let response = try await connection.send(OffsetFetch.self, OffsetFetch.Request(groupId: group, topics: nil), version: version)
            try check(response.errorCode, "OffsetFetch for '\(group)'")
            return Self.committedOffsets(in: response)
        }
    }

    /// The committed offsets an OffsetFetch response holds.
    static func committedOffsets(in response: OffsetFetch.Response) -> [TopicPartition: Int64] {
        var offsets: [TopicPartition: Int64] = [:]
        for topic in response.topics {
            for partition in topic.partitions where partition.errorCode == .none && partition.committedOffset >= 0 {
                offsets[TopicPartition(topic.name, partition.partitionIndex)] = partition.committedOffset
            }
        }
        return offsets
    }

    /// Commits `offsets` for `group` as a committer outside the group (generation -1, empty member
    /// id), which the coordinator accepts only while the group has no members.
    func commit(_ group: String, offsets: [TopicPartition: Int64]) async throws {
        let version = try await client.requireVersion(of: OffsetCommit.self, for: "Committing offsets")
        let request = Self.commitRequest(group, offsets: offsets)
        try await withCoordinator(of: group) { _, connection in
            let response = try await connection.send(OffsetCommit.self, request, version: version)
            for topic in response.topics {
                for partition in topic.partitions {
                    try check(partition.errorCode, "Committing the offset of \(topic.name)-\(partition.partitionIndex) for '\(group)'")
                }
            }
        }
    }

    /// The OffsetCommit a committer outside the group sends: generation -1, empty member id, no
    /// instance id, the broker's default retention, no leader epoch and empty metadata (what Kafka
    /// 2.3's tool sends through a consumer that never joined). Topics and partitions in order.
    static func commitRequest(_ group: String, offsets: [TopicPartition: Int64]) -> OffsetCommit.Request {
        let topics = Dictionary(grouping: offsets.keys, by: \.topic).sorted { $0.key < $1.key }.map { topic, partitions in
            OffsetCommit.Topic(name: topic, partitions: partitions.sorted().map {
                OffsetCommit.Partition(partitionIndex: $0.partition, committedOffset: offsets[$0]!, committedMetadata: "")
            })
        }
        return OffsetCommit.Request(groupId: group, generationId: -1, memberId: "", groupInstanceId: nil, retentionTimeMs: -1, topics: topics)
    }

    /// DeleteGroups for each group at its coordinator: the error code per group, in `groups`' order.
    func delete(_ groups: [String]) async throws -> [(group: String, error: ErrorCode)] {
        let version = try await client.requireVersion(of: DeleteGroups.self, for: "Deleting groups")
        var results: [(group: String, error: ErrorCode)] = []
        for group in groups {
            let code = try await withCoordinator(of: group) { _, connection in
                let response = try await connection.send(DeleteGroups.self, DeleteGroups.Request(groupsNames: [group]), version: version)
                let code = response.results.first(where: { $0.groupId == group })?.errorCode ?? .unknownServerError
                if Self.coordinatorErrors.contains(code) { throw CoordinatorMoved(code: code) }
                return code
            }
            results.append((group, code))
        }
        return results
    }

    // MARK: Topics and offsets

    /// Every partition of `topic` (none if the topic does not exist).
    func partitions(of topic: String) async throws -> [TopicPartition] {
        let metadata = try await client.metadata(topics: [topic])
        return metadata.topics.filter { $0.name == topic && $0.errorCode == .none }
            .flatMap { $0.partitions.map { TopicPartition(topic, $0.partitionIndex) } }
            .sorted()
    }

    /// ListOffsets for `partitions` at `timestamp` (`ListOffsets.latestTimestamp`,
    /// `.earliestTimestamp`, or a time in milliseconds), sent to each partition's leader.
    /// Partitions without a leader, with an error, or (for a time) with no record at or after it
    /// are left out.
    func listOffsets(_ partitions: [TopicPartition], timestamp: Int64) async throws -> [TopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        let version = try await client.requireVersion(of: ListOffsets.self, for: "Listing offsets")
        guard version >= 1 else { throw CLIError("The broker only speaks ListOffsets v0, which this tool does not use") }
        let metadata = try await client.metadata(topics: Array(Set(partitions.map(\.topic))).sorted())
        var leaders: [TopicPartition: BrokerId] = [:]
        for topic in metadata.topics where topic.errorCode == .none {
            for partition in topic.partitions { leaders[TopicPartition(topic.name, partition.partitionIndex)] = partition.leaderId }
        }
        let byLeader = Dictionary(grouping: partitions.filter { (leaders[$0] ?? .none) != .none }, by: { leaders[$0]! })
        var offsets: [TopicPartition: Int64] = [:]
        for (leader, owned) in byLeader.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let topics = Dictionary(grouping: owned, by: \.topic).sorted { $0.key < $1.key }.map { topic, partitions in
                ListOffsets.Topic(name: topic, partitions: partitions.sorted().map {
                    ListOffsets.Partition(partitionIndex: $0.partition, timestamp: timestamp)
                })
            }
            let response = try await client.connection(to: leader).send(ListOffsets.self, ListOffsets.Request(topics: topics), version: version)
            for topic in response.topics {
                for partition in topic.partitions where partition.errorCode == .none && partition.offset >= 0 {
                    offsets[TopicPartition(topic.name, partition.partitionIndex)] = partition.offset
                }
            }
        }
        return offsets
    }
}
