import Foundation
import GroupCoordinator
import KafkaCommon
import KafkaProtocol
import KafkaStorage
import KafkaTestKit
import Logging
import Testing

@testable import KafkaBroker

/// A coordinator started on copies of the four `__consumer_offsets` partitions a real Kafka 2.3.0
/// broker wrote (`shared/fixtures/kafka-2.3.0/disk/consumer-offsets/`, see its README) serves what
/// Kafka's own `DumpLogSegments --offsets-decoder` output shows: each group's committed offsets
/// (the latest commit of each partition, metadata included), nothing of the deleted group, and the
/// offsets committed inside a transaction only once its COMMIT marker is in the log.
@Suite struct GroupMetadataManagerFixtureTests {
    /// The fixture folders and the 50-partition layout Kafka 2.3 used (`abs(hash) % 50`).
    static let partitions: [Int32] = [0, 8, 20, 37]

    /// `$KAFKA_FIXTURES_DIR/disk/consumer-offsets`, else `../shared/fixtures/kafka-2.3.0/disk/
    /// consumer-offsets` beside the repository (where the project keeps it), else the copy of the
    /// segments under `Tests/GroupCoordinatorTests/Fixtures`.
    static func fixturesDirectory(file: String = #filePath) throws -> URL {
        let (relative, copy) = ("disk/consumer-offsets", "Tests/GroupCoordinatorTests/Fixtures/consumer-offsets")
        return try #require(
            KafkaFixtures.directory(relative, localCopy: copy, holding: "__consumer_offsets-0/00000000000000000000.log", testFile: file),
            "no consumer-offsets fixtures among \(KafkaFixtures.candidates(relative, localCopy: copy, testFile: file).map(\.path))")
    }

    /// A broker whose log directory holds writable copies of the fixture partitions (every file
    /// but the dumps); `truncate` cuts a partition's first segment to that many bytes.
    struct Harness {
        let time = ManualTime()
        let directory: URL
        let replicaManager: ReplicaManager

        init(truncate: [Int32: Int] = [:]) throws {
            let fixtures = try GroupMetadataManagerFixtureTests.fixturesDirectory()
            let fm = FileManager.default
            directory = fm.temporaryDirectory.appendingPathComponent("group-fixtures-\(UUID().uuidString.prefix(8))")
            for partition in GroupMetadataManagerFixtureTests.partitions {
                let name = "\(GroupCoordinatorConfig.offsetsTopicName)-\(partition)"
                let source = fixtures.appendingPathComponent(name)
                let target = directory.appendingPathComponent(name)
                try fm.createDirectory(at: target, withIntermediateDirectories: true)
                for file in try fm.contentsOfDirectory(atPath: source.path) where !file.hasSuffix(".dump.txt") {
                    let copy = target.appendingPathComponent(file)
                    try fm.copyItem(at: source.appendingPathComponent(file), to: copy)
                    try fm.setAttributes([.posixPermissions: 0o644], ofItemAtPath: copy.path)
                }
                if let length = truncate[partition] {
                    let handle = try FileHandle(forWritingTo: target.appendingPathComponent("00000000000000000000.log"))
                    try handle.truncate(atOffset: UInt64(length))
                    try handle.close()
                }
            }
            let time = self.time
            let directory = self.directory
            replicaManager = ReplicaManager(brokerId: 1, config: ReplicationConfig(), time: time, isrStore: FakeIsrStore()) { tp, config in
                try Log(dir: directory.appendingPathComponent("\(tp.topic)-\(tp.partition)").path, config: config,
                        hadCleanShutdown: false, scheduler: DispatchScheduler(), time: time, logger: Logger(label: "test"))
            }
        }

        /// Makes this broker leader of every fixture partition, as a LeaderAndIsr would.
        func becomeLeader() {
            let request = KafkaProtocol.LeaderAndIsr.Request(controllerId: 3, controllerEpoch: 1, topicStates: [
                .init(topicName: GroupCoordinatorConfig.offsetsTopicName, partitionStates: GroupMetadataManagerFixtureTests.partitions.map {
                    .init(partitionIndex: $0, controllerEpoch: 1, leader: 1, leaderEpoch: 1, isr: [1], zkVersion: 1, replicas: [1])
                }),
            ], liveLeaders: [.init(brokerId: 1, hostName: "127.0.0.1", port: 1)])
            #expect(replicaManager.becomeLeaderOrFollower(request, configs: [:]).partitionErrors.allSatisfy { $0.errorCode == .none })
        }

        /// A coordinator with Kafka 2.3's default 50 offsets partitions, elected for the fixtures'.
        func electedCoordinator() -> GroupCoordinator {
            let manager = GroupMetadataManager(
                brokerId: 1, config: GroupCoordinatorConfig(), interBrokerProtocolVersion: ApiVersion("2.3-IV1")!,
                partitionCount: 50, replicaManager: replicaManager, time: time, logger: Logger(label: "test"))
            let coordinator = GroupCoordinator(manager: manager, time: time, logger: Logger(label: "test"))
            for partition in GroupMetadataManagerFixtureTests.partitions { coordinator.onElection(partition) }
            return coordinator
        }
    }

    /// What OffsetFetch (all partitions) answers for `group`, as `topic-partition=offset[/metadata]`.
    static func committed(_ coordinator: GroupCoordinator, _ group: String) async throws -> [String] {
        let (error, offsets) = try await GroupMetadataManagerTests.fetchWhenLoaded(coordinator, group)
        #expect(error == .none, "\(group)")
        return offsets.map { tp, value in
            let metadata = value.map { $0.metadata.isEmpty ? "" : "/\($0.metadata)" } ?? ""
            return "\(tp.topic)-\(tp.partition)=\(value?.offset ?? -1)\(metadata)"
        }
    }

    @Test func theGroupsAreOnThePartitionsKafkaPutThemOn() {
        for (group, partition) in [("fx-group", 0), ("fx-deleted", 8), ("fx-eos-group", 20), ("fx-kpy-group", 37)] {
            #expect(GroupPartitioning.partitionFor(groupId: group, partitionCount: 50) == Int32(partition), "\(group)")
        }
    }

    @Test func aCoordinatorOnCopiesOfKafkasPartitionsServesTheirCommittedOffsets() async throws {
        let h = try Harness()
        h.becomeLeader()
        let coordinator = h.electedCoordinator()
        defer { coordinator.shutdown() }

        // __consumer_offsets-0: commits at offsets 1–2, 3–4 (metadata "fx-meta", librdkafka's
        // string with its NUL), 7–8; p2 was not committed again, so it keeps 94 and its metadata.
        #expect(try await Self.committed(coordinator, "fx-group") == ["fx-orders-0=103", "fx-orders-1=103", "fx-orders-2=94/fx-meta\0"])
        // __consumer_offsets-37: kafka-python's one commit of the three partitions.
        #expect(try await Self.committed(coordinator, "fx-kpy-group") == ["fx-orders-0=103", "fx-orders-1=103", "fx-orders-2=94"])
        // __consumer_offsets-20: TxnOffsetCommit at offset 1, its COMMIT marker at offset 2.
        #expect(try await Self.committed(coordinator, "fx-eos-group") == ["fx-orders-2=30"])
        // __consumer_offsets-8: the commit at offset 1 and the group are tombstoned at 3–4.
        #expect(try await Self.committed(coordinator, "fx-deleted").isEmpty)
        let named = coordinator.handleFetchOffsets(
            groupId: "fx-deleted", partitions: [TopicPartition("fx-orders", 2)])
        #expect(named.0 == .none && named.1.count == 1 && named.1[0].1 == nil, "no offset: answered -1")

        // The groups: each ended Empty (its last GroupMetadata record has no members); the deleted
        // one is gone (Dead) and not listed.
        for group in ["fx-group", "fx-kpy-group", "fx-eos-group"] {
            let (error, summary) = coordinator.handleDescribeGroup(group)
            #expect(error == .none && summary.state == "Empty" && summary.protocolType == "consumer", "\(group)")
        }
        #expect(coordinator.handleDescribeGroup("fx-deleted").1.state == "Dead")
        #expect(coordinator.handleListGroups().1.map(\.groupId) == ["fx-eos-group", "fx-group", "fx-kpy-group"])
        #expect(coordinator.handleListGroups().0 == .none, "every partition loaded")
    }

    /// The same transaction cut before its COMMIT marker (the segment ends after the
    /// transactional batch at position 344, 123 bytes): the commit is pending, and OffsetFetch
    /// does not show it (Kafka 2.3 serves only completed commits).
    @Test func aTransactionalCommitWithoutItsMarkerIsNotServed() async throws {
        let h = try Harness(truncate: [20: 344 + 123])
        h.becomeLeader()
        let coordinator = h.electedCoordinator()
        defer { coordinator.shutdown() }
        #expect(try await Self.committed(coordinator, "fx-eos-group").isEmpty)
        let named = coordinator.handleFetchOffsets(groupId: "fx-eos-group", partitions: [TopicPartition("fx-orders", 2)])
        #expect(named.0 == .none && named.1.first?.1 == nil)
        // The other partitions are untouched by the cut.
        #expect(try await Self.committed(coordinator, "fx-kpy-group") == ["fx-orders-0=103", "fx-orders-1=103", "fx-orders-2=94"])
    }
}
