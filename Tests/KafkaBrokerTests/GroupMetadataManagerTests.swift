import Foundation
import GroupCoordinator
import KafkaCommon
import KafkaProtocol
import KafkaStorage
import Logging
import Testing

@testable import KafkaBroker

/// The coordinator over a real `ReplicaManager` and log: loading a `__consumer_offsets`
/// partition when this broker becomes its leader (a segment written by Kafka 2.3 included),
/// COORDINATOR_LOAD_IN_PROGRESS and NOT_COORDINATOR around it, and commits written to the log
/// that a later load reads back.
@Suite struct GroupMetadataManagerTests {
    struct Harness {
        let time = ManualTime()
        let directory: URL
        let replicaManager: ReplicaManager
        let tp = TopicPartition(GroupCoordinatorConfig.offsetsTopicName, 0)

        /// A broker whose `__consumer_offsets-0` holds `segment` (a copy), if given.
        init(segment: URL? = nil) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("groups-\(UUID().uuidString.prefix(8))")
            let partitionDirectory = directory.appendingPathComponent("\(tp.topic)-\(tp.partition)")
            try FileManager.default.createDirectory(at: partitionDirectory, withIntermediateDirectories: true)
            if let segment {
                try FileManager.default.copyItem(at: segment, to: partitionDirectory.appendingPathComponent("00000000000000000000.log"))
            }
            let time = self.time
            replicaManager = ReplicaManager(brokerId: 1, config: ReplicationConfig(), time: time, isrStore: FakeIsrStore()) { tp, config in
                try Log(dir: partitionDirectory.path, config: config, hadCleanShutdown: false,
                        scheduler: DispatchScheduler(), time: time, logger: Logger(label: "test"))
            }
        }

        func becomeLeader(leaderEpoch: LeaderEpoch) {
            let request = KafkaProtocol.LeaderAndIsr.Request(controllerId: 3, controllerEpoch: 1, topicStates: [
                .init(topicName: tp.topic, partitionStates: [
                    .init(partitionIndex: 0, controllerEpoch: 1, leader: 1, leaderEpoch: leaderEpoch, isr: [1], zkVersion: 1, replicas: [1]),
                ]),
            ], liveLeaders: [.init(brokerId: 1, hostName: "127.0.0.1", port: 1)])
            #expect(replicaManager.becomeLeaderOrFollower(request, configs: [:]).partitionErrors.map(\.errorCode) == [.none])
        }

        func coordinator() -> GroupCoordinator {
            var config = GroupCoordinatorConfig()
            config.offsetsTopicNumPartitions = 1
            let manager = GroupMetadataManager(
                brokerId: 1, config: config, interBrokerProtocolVersion: ApiVersion("2.3-IV1")!, partitionCount: 1,
                replicaManager: replicaManager, time: time, logger: Logger(label: "test"))
            return GroupCoordinator(manager: manager, time: time, logger: Logger(label: "test"))
        }
    }

    /// Polls `coordinator` until the group's partition is no longer loading (at most 10 s).
    static func fetchWhenLoaded(_ coordinator: GroupCoordinator, _ group: String) async throws -> (ErrorCode, [(TopicPartition, OffsetCommitValue?)]) {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let answer = coordinator.handleFetchOffsets(groupId: group, partitions: nil)
            if answer.0 != .coordinatorLoadInProgress || ContinuousClock.now > deadline { return answer }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    static func fixture(_ file: String = #filePath) -> URL {
        URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("GroupCoordinatorTests/Fixtures/consumer-offsets/__consumer_offsets-0/00000000000000000000.log")
    }

    @Test func aKafka23PartitionLoadsToItsCommittedOffsetsAndGroups() async throws {
        let h = try Harness(segment: Self.fixture())
        h.becomeLeader(leaderEpoch: 1)
        let coordinator = h.coordinator()
        defer { coordinator.shutdown() }
        #expect(coordinator.handleFetchOffsets(groupId: "fx-group", partitions: nil).0 == .notCoordinator, "before the election")
        coordinator.onElection(0)
        let (error, offsets) = try await Self.fetchWhenLoaded(coordinator, "fx-group")
        #expect(error == .none)
        #expect(offsets.map { "\($0.0.topic)-\($0.0.partition)=\($0.1?.offset ?? -1)" } == ["fx-orders-0=103", "fx-orders-1=103", "fx-orders-2=94"])
        #expect(offsets.last?.1?.metadata == "fx-meta\0")
        let (describeError, summary) = coordinator.handleDescribeGroup("fx-group")
        #expect(describeError == .none && summary.state == "Empty" && summary.protocolType == "consumer")
        #expect(coordinator.handleListGroups().1.map(\.groupId) == ["fx-group"])

        coordinator.onResignation(0)
        #expect(coordinator.handleFetchOffsets(groupId: "fx-group", partitions: nil).0 == .notCoordinator)
        #expect(coordinator.handleListGroups().1.isEmpty)
    }

    @Test func aCommitIsWrittenToTheLogAndReadBackByTheNextCoordinator() async throws {
        let h = try Harness()
        h.becomeLeader(leaderEpoch: 1)
        let first = h.coordinator()
        defer { first.shutdown() }
        first.onElection(0)
        #expect(try await Self.fetchWhenLoaded(first, "app").0 == .none)
        let tp = TopicPartition("orders", 3)
        let answered = await withCheckedContinuation { continuation in
            first.handleCommitOffsets(
                groupId: "app", memberId: "", groupInstanceId: nil, generationId: -1,
                offsets: [tp: OffsetCommitValue(offset: 42, metadata: "m", commitTimestamp: 7)]
            ) { continuation.resume(returning: $0) }
        }
        #expect(answered == [tp: .none])
        let partition = try #require(h.replicaManager.partition(h.tp))
        #expect(partition.highWatermark == 1, "one record, acknowledged by the ISR before the answer")
        first.onResignation(0)

        let second = h.coordinator()
        defer { second.shutdown() }
        second.onElection(0)
        let (error, offsets) = try await Self.fetchWhenLoaded(second, "app")
        #expect(error == .none)
        #expect(offsets.count == 1 && offsets.first?.0 == tp)
        #expect(offsets.first?.1 == OffsetCommitValue(offset: 42, metadata: "m", commitTimestamp: 7))
    }

    @Test func offsetsExpireAfterTheRetentionAndAnEmptyGroupWithoutOffsetsIsRemoved() async throws {
        let h = try Harness()
        h.becomeLeader(leaderEpoch: 1)
        let coordinator = h.coordinator()
        defer { coordinator.shutdown() }
        coordinator.onElection(0)
        #expect(try await Self.fetchWhenLoaded(coordinator, "simple").0 == .none)
        let retentionMs: Int64 = 7 * 24 * 3_600_000
        let now = h.time.milliseconds
        let old = TopicPartition("orders", 0), recent = TopicPartition("orders", 1), explicit = TopicPartition("orders", 2)
        let answered = await withCheckedContinuation { continuation in
            coordinator.handleCommitOffsets(
                groupId: "simple", memberId: "", groupInstanceId: nil, generationId: -1,
                offsets: [
                    old: OffsetCommitValue(offset: 1, commitTimestamp: now - retentionMs),
                    recent: OffsetCommitValue(offset: 2, commitTimestamp: now - retentionMs + 1),
                    explicit: OffsetCommitValue(offset: 3, commitTimestamp: now, expireTimestamp: now + 10),
                ]
            ) { continuation.resume(returning: $0) }
        }
        #expect(answered.values.allSatisfy { $0 == .none })
        let partition = try #require(h.replicaManager.partition(h.tp))
        #expect(partition.highWatermark == 3)

        // A group without a protocol type: each offset counts from its commit time.
        #expect(coordinator.manager.cleanupGroupMetadata(now: now) == 1)
        #expect(coordinator.handleFetchOffsets(groupId: "simple", partitions: nil).1.map(\.0) == [recent, explicit])
        #expect(partition.highWatermark == 4, "one tombstone written")
        #expect(coordinator.manager.cleanupGroupMetadata(now: now + 10) == 2, "the explicit expiry time, and the retention")
        #expect(coordinator.handleFetchOffsets(groupId: "simple", partitions: nil).1.isEmpty)
        #expect(coordinator.handleDescribeGroup("simple").1.state == "Dead", "the Empty group without offsets is gone")
        #expect(partition.highWatermark == 6, "two offset tombstones; none for the group, which never had a generation")
        #expect(coordinator.manager.cleanupGroupMetadata(now: now + 10) == 0)
    }
}
