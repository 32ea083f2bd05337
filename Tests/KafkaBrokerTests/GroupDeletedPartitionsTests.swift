import Foundation
import GroupCoordinator
import KafkaCommon
import KafkaProtocol
import KafkaPurgatory
import KafkaStorage
import Logging
import Synchronization
import Testing

@testable import KafkaBroker

/// Offsets of deleted topics (Kafka 2.3's `handleDeletedPartitions`) and of deleted groups, over
/// a real log: removed from the groups and tombstoned, so that the next load does not bring them
/// back.
@Suite struct GroupDeletedPartitionsTests {
    typealias Harness = GroupMetadataManagerTests.Harness

    static func commit(_ coordinator: GroupCoordinator, _ group: String, _ offsets: [TopicPartition: Int64]) async -> [TopicPartition: ErrorCode] {
        await withCheckedContinuation { continuation in
            coordinator.handleCommitOffsets(
                groupId: group, memberId: "", groupInstanceId: nil, generationId: -1,
                offsets: offsets.mapValues { OffsetCommitValue(offset: $0, commitTimestamp: 5) }
            ) { continuation.resume(returning: $0) }
        }
    }

    /// A coordinator on a broker leading the offsets partition, once it has loaded it (answering
    /// OffsetFetch for `group`). The caller shuts it down.
    static func leadingCoordinator(loaded group: String) async throws -> (Harness, GroupCoordinator) {
        let h = try Harness()
        h.becomeLeader(leaderEpoch: 1)
        let coordinator = h.coordinator()
        coordinator.onElection(0)
        #expect(try await GroupMetadataManagerTests.fetchWhenLoaded(coordinator, group).0 == .none)
        return (h, coordinator)
    }

    static func committed(_ coordinator: GroupCoordinator, _ group: String) -> [String] {
        coordinator.handleFetchOffsets(groupId: group, partitions: nil).1.map { "\($0.0)=\($0.1?.offset ?? -1)" }
    }

    @Test func theOffsetsOfDeletedPartitionsAreRemovedAndTombstoned() async throws {
        let (h, coordinator) = try await Self.leadingCoordinator(loaded: "app")
        defer { coordinator.shutdown() }
        let orders0 = TopicPartition("orders", 0), orders1 = TopicPartition("orders", 1)
        let gone0 = TopicPartition("gone", 0), gone1 = TopicPartition("gone", 1)
        #expect(await Self.commit(coordinator, "app", [orders0: 10, orders1: 11, gone0: 12]).values.allSatisfy { $0 == .none })
        #expect(await Self.commit(coordinator, "only-gone", [gone0: 3, gone1: 4]).values.allSatisfy { $0 == .none })
        let partition = try #require(h.replicaManager.partition(h.tp))
        #expect(partition.highWatermark == 5)

        coordinator.handleDeletedPartitions([gone0, gone1])
        #expect(Self.committed(coordinator, "app") == ["orders-0=10", "orders-1=11"], "the other topic's offsets stay")
        #expect(Self.committed(coordinator, "only-gone").isEmpty)
        #expect(coordinator.handleDescribeGroup("only-gone").1.state == "Dead", "an Empty group left without offsets is removed")
        #expect(coordinator.handleListGroups().1.map(\.groupId) == ["app"])
        // One tombstone per removed offset; none for the removed group, which never had a
        // generation (it only stored offsets), as Kafka 2.3 writes none then.
        #expect(partition.highWatermark == 8)

        // The tombstones keep the offsets away when the partition is loaded again.
        coordinator.onResignation(0)
        let next = h.coordinator()
        defer { next.shutdown() }
        next.onElection(0)
        #expect(try await GroupMetadataManagerTests.fetchWhenLoaded(next, "app").0 == .none)
        #expect(Self.committed(next, "app") == ["orders-0=10", "orders-1=11"])
        #expect(Self.committed(next, "only-gone").isEmpty)
        #expect(next.handleListGroups().1.map(\.groupId) == ["app"])
    }

    @Test func deletedPartitionsNoGroupCommittedToChangeNothing() async throws {
        let (h, coordinator) = try await Self.leadingCoordinator(loaded: "app")
        defer { coordinator.shutdown() }
        #expect(await Self.commit(coordinator, "app", [TopicPartition("orders", 0): 1]).values.allSatisfy { $0 == .none })
        #expect(coordinator.manager.removeOffsets(of: [TopicPartition("other", 0)], now: h.time.milliseconds) == 0)
        #expect(try #require(h.replicaManager.partition(h.tp)).highWatermark == 1, "nothing written")
        #expect(Self.committed(coordinator, "app") == ["orders-0=1"])
    }

    /// DeleteGroups of a group that only stored offsets (generation 0): one tombstone per offset
    /// and none for the group, as Kafka 2.3 writes them; the next load does not bring it back.
    @Test func aDeletedGroupWithoutAGenerationGetsOnlyOffsetTombstones() async throws {
        let (h, coordinator) = try await Self.leadingCoordinator(loaded: "manual")
        defer { coordinator.shutdown() }
        #expect(await Self.commit(coordinator, "manual", [TopicPartition("orders", 0): 1, TopicPartition("orders", 1): 2])
            .values.allSatisfy { $0 == .none })
        let partition = try #require(h.replicaManager.partition(h.tp))
        #expect(partition.highWatermark == 2)
        let results = await withCheckedContinuation { continuation in
            coordinator.handleDeleteGroups(["manual"]) { continuation.resume(returning: $0) }
        }
        #expect(results == ["manual": .none])
        #expect(partition.highWatermark == 4, "two offset tombstones, no group tombstone")
        coordinator.onResignation(0)
        let next = h.coordinator()
        defer { next.shutdown() }
        next.onElection(0)
        #expect(try await GroupMetadataManagerTests.fetchWhenLoaded(next, "manual").1.isEmpty)
        #expect(next.handleListGroups().1.isEmpty)
    }

    /// UpdateMetadata marks a topic's partitions deleted with leader -2; those, and only those,
    /// reach the coordinator once the request is applied.
    @Test func updateMetadataHandsDeletedPartitionsOver() async throws {
        let cache = MetadataCache(brokerId: 1)
        let told = Mutex<[[TopicPartition]]>([])
        let creates = DelayedOperationPurgatory<DelayedCreatePartitions>(purgatoryName: "topic", brokerId: 1)
        let deletes = DelayedOperationPurgatory<DelayedDeleteTopics>(purgatoryName: "topic", brokerId: 1)
        defer {
            creates.shutdown()
            deletes.shutdown()
        }
        let handler = UpdateMetadataHandler(
            cache: cache, createTopicsPurgatory: creates, deleteTopicsPurgatory: deletes,
            currentBrokerEpoch: { 0 }, onDeletedPartitions: { deleted in told.withLock { $0.append(deleted) } })
        func update(epoch: ControllerEpoch, _ topics: [(String, BrokerId)]) async throws -> ErrorCode {
            let states = topics.map { name, leader in
                UpdateMetadata.TopicState(topicName: name, partitionStates: [0, 1].map {
                    UpdateMetadata.PartitionState(partitionIndex: $0, controllerEpoch: epoch, leader: leader, leaderEpoch: 0,
                                                  isr: [1], zkVersion: 0, replicas: [1])
                })
            }
            let request = UpdateMetadata.Request(controllerId: 1, controllerEpoch: epoch, brokerEpoch: -1, topicStates: states,
                                                 liveBrokers: [], version: 5)
            let action = try await handler.handle(HandlerHarness.request(UpdateMetadata.self, request, version: 5))
            return try HandlerHarness.response(UpdateMetadata.self, of: action, version: 5).errorCode
        }
        #expect(try await update(epoch: 2, [("orders", 1), ("gone", 1)]) == .none)
        #expect(told.withLock { $0 }.isEmpty)
        #expect(try await update(epoch: 2, [("gone", BrokerId(-2))]) == .none)
        #expect(told.withLock { $0 } == [[TopicPartition("gone", 0), TopicPartition("gone", 1)]])
        #expect(try await update(epoch: 1, [("orders", BrokerId(-2))]) == .staleControllerEpoch)
        #expect(told.withLock { $0 }.count == 1, "a stale request is not applied, so nothing is deleted")
    }
}
