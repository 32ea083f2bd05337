import Foundation
import GroupCoordinator
import KafkaCommon
import KafkaProtocol
import KafkaRecords
import KafkaStorage
import Logging
import Testing

@testable import KafkaBroker

/// TxnOffsetCommit end to end on one broker, over a real `__consumer_offsets` log: the handler
/// writes a transactional batch of the producer, OffsetFetch keeps serving the committed offsets
/// until WriteTxnMarkers writes the transaction's marker to the group's partition, which then
/// commits (COMMIT) or drops (ABORT) them; a coordinator that loads the log later reaches the
/// same offsets, and completes a transaction still open at the log's end when its marker comes.
@Suite struct TxnOffsetCommitTests {
    struct Harness {
        let base = try! GroupMetadataManagerTests.Harness()
        let cache = MetadataCache(brokerId: 1)

        /// Topic `orders` (2 partitions) exists; `__consumer_offsets-0` (every group's, with one
        /// offsets partition) is led here.
        init() {
            let states: [UpdateMetadata.TopicState] = [
                .init(topicName: "orders", partitionStates: (0..<Int32(2)).map {
                    UpdateMetadata.PartitionState(partitionIndex: $0, controllerEpoch: 1, leader: 1, leaderEpoch: 0,
                                                  isr: [1], zkVersion: 0, replicas: [1])
                }),
            ]
            #expect(cache.update(UpdateMetadata.Request(controllerId: 1, controllerEpoch: 1, topicStates: states, liveBrokers: [], version: 5)) == .none)
            base.becomeLeader(leaderEpoch: 1)
        }

        func electedCoordinator() async throws -> GroupCoordinator {
            let coordinator = base.coordinator()
            coordinator.onElection(0)
            #expect(try await GroupMetadataManagerTests.fetchWhenLoaded(coordinator, "app").0 == .none)
            return coordinator
        }

        /// TxnOffsetCommit v2 of `offsets` (partition of `orders` → offset), errors by `topic-partition`.
        func txnCommit(
            _ coordinator: GroupCoordinator, group: String = "app", producerId: Int64, epoch: Int16 = 1,
            _ offsets: [(String, Int32, Int64)], metadata: String? = nil
        ) async throws -> [String: ErrorCode] {
            let handler = TxnOffsetCommitHandler(coordinator: coordinator, cache: cache, time: base.time)
            var topics: [TxnOffsetCommit.Topic] = []
            for (topic, partition, offset) in offsets {
                let entry = TxnOffsetCommit.Partition(partition: partition, offset: offset, leaderEpoch: LeaderEpoch(rawValue: 0), metadata: metadata)
                if let index = topics.firstIndex(where: { $0.topic == topic }) {
                    topics[index].partitions.append(entry)
                } else {
                    topics.append(.init(topic: topic, partitions: [entry]))
                }
            }
            let request = TxnOffsetCommit.Request(
                transactionalId: "txn-app", groupId: group, producerId: producerId, producerEpoch: epoch, topics: topics)
            let action = try await handler.handle(HandlerHarness.request(TxnOffsetCommit.self, request, version: 2))
            let response = try HandlerHarness.response(TxnOffsetCommit.self, of: action, version: 2)
            var errors: [String: ErrorCode] = [:]
            for topic in response.topics {
                for partition in topic.partitions { errors["\(topic.topic)-\(partition.partition)"] = partition.errorCode }
            }
            return errors
        }

        /// WriteTxnMarkers of `producerId`'s transaction to `__consumer_offsets-0`, through the
        /// handler that tells the coordinator; returns the partition's error.
        func marker(_ coordinator: GroupCoordinator, producerId: Int64, epoch: Int16 = 1, commit: Bool) async throws -> ErrorCode? {
            let handler = WriteTxnMarkersHandler(
                replicaManager: base.replicaManager, requestTimeoutMs: 30_000, time: base.time, groupCoordinator: coordinator)
            let request = WriteTxnMarkers.Request(transactionMarkers: [
                .init(producerId: producerId, producerEpoch: epoch, transactionResult: commit,
                      topics: [.init(topic: base.tp.topic, partitions: [0])], coordinatorEpoch: 0),
            ])
            let action = try await handler.handle(HandlerHarness.request(WriteTxnMarkers.self, request, version: 0))
            return try HandlerHarness.response(WriteTxnMarkers.self, of: action, version: 0)
                .transactionMarkers.first?.topics.first?.partitions.first?.errorCode
        }

        /// What OffsetFetch serves for `group`: `partition=offset` of `orders`.
        func committed(_ coordinator: GroupCoordinator, _ group: String = "app") -> [Int32: Int64] {
            let (error, offsets) = coordinator.handleFetchOffsets(groupId: group, partitions: nil)
            #expect(error == .none)
            var result: [Int32: Int64] = [:]
            for (tp, value) in offsets { result[tp.partition] = value?.offset }
            return result
        }

        func plainCommit(_ coordinator: GroupCoordinator, _ offsets: [Int32: Int64]) async -> [TopicPartition: ErrorCode] {
            await withCheckedContinuation { continuation in
                coordinator.handleCommitOffsets(
                    groupId: "app", memberId: "", groupInstanceId: nil, generationId: -1,
                    offsets: Dictionary(uniqueKeysWithValues: offsets.map { (TopicPartition("orders", $0.key), OffsetCommitValue(offset: $0.value)) })
                ) { continuation.resume(returning: $0) }
            }
        }

        func batches() throws -> [RecordBatch] {
            let partition = try #require(base.replicaManager.partition(base.tp))
            let bytes = try partition.log.withLock { log in try log.readBytes(try log.read(startOffset: 0, maxLength: 1 << 20)) }
            return Array(MemoryRecords(bytes).batches)
        }
    }

    @Test func offsetsOfATransactionAreServedOnlyOnceItCommits() async throws {
        let h = Harness()
        let coordinator = try await h.electedCoordinator()
        defer { coordinator.shutdown() }
        #expect(await h.plainCommit(coordinator, [0: 5]).values.allSatisfy { $0 == .none })

        #expect(try await h.txnCommit(coordinator, producerId: 7000, [("orders", 0, 10), ("orders", 1, 20)]) == ["orders-0": .none, "orders-1": .none])
        let written = try #require(try h.batches().last)
        #expect(written.isTransactional && !written.isControlBatch)
        #expect(written.producerId == 7000 && written.producerEpoch == 1 && written.baseSequence == 0)
        #expect(h.committed(coordinator) == [0: 5], "the committed offset, not the transaction's, until the marker")
        let partition = try #require(h.base.replicaManager.partition(h.base.tp))
        #expect(partition.log.withLock { $0.firstUnstableOffset } == written.baseOffset, "the open transaction holds the LSO")

        #expect(try await h.marker(coordinator, producerId: 7000, commit: true) == ErrorCode.none)
        #expect(h.committed(coordinator) == [0: 10, 1: 20])
        #expect(coordinator.manager.groupsBelongingToPartitions(7000, [0]).isEmpty)
    }

    @Test func anAbortedTransactionLeavesTheCommittedOffsets() async throws {
        let h = Harness()
        let coordinator = try await h.electedCoordinator()
        defer { coordinator.shutdown() }
        #expect(await h.plainCommit(coordinator, [0: 5]).values.allSatisfy { $0 == .none })
        #expect(try await h.txnCommit(coordinator, producerId: 7001, [("orders", 0, 10), ("orders", 1, 20)]).values.allSatisfy { $0 == .none })
        #expect(try await h.marker(coordinator, producerId: 7001, commit: false) == ErrorCode.none)
        #expect(h.committed(coordinator) == [0: 5])

        // The producer's next transaction commits.
        #expect(try await h.txnCommit(coordinator, producerId: 7001, [("orders", 0, 11)]).values.allSatisfy { $0 == .none })
        #expect(h.committed(coordinator) == [0: 5])
        #expect(try await h.marker(coordinator, producerId: 7001, commit: true) == ErrorCode.none)
        #expect(h.committed(coordinator) == [0: 11])
    }

    @Test func aPlainCommitWrittenAfterTheTransactionalOneWins() async throws {
        let h = Harness()
        let coordinator = try await h.electedCoordinator()
        defer { coordinator.shutdown() }
        #expect(try await h.txnCommit(coordinator, producerId: 7002, [("orders", 0, 10)]).values.allSatisfy { $0 == .none })
        #expect(await h.plainCommit(coordinator, [0: 12]).values.allSatisfy { $0 == .none })
        #expect(try await h.marker(coordinator, producerId: 7002, commit: true) == ErrorCode.none)
        #expect(h.committed(coordinator) == [0: 12])
    }

    @Test func theNextCoordinatorLoadsTheSameOffsetsAndCompletesAnOpenTransaction() async throws {
        let h = Harness()
        let first = try await h.electedCoordinator()
        #expect(await h.plainCommit(first, [0: 5]).values.allSatisfy { $0 == .none })
        #expect(try await h.txnCommit(first, producerId: 1, [("orders", 0, 10)]).values.allSatisfy { $0 == .none })
        #expect(try await h.marker(first, producerId: 1, commit: true) == ErrorCode.none)
        #expect(try await h.txnCommit(first, producerId: 2, [("orders", 1, 20)]).values.allSatisfy { $0 == .none })
        #expect(try await h.marker(first, producerId: 2, commit: false) == ErrorCode.none)
        // Still open when leadership moves.
        #expect(try await h.txnCommit(first, producerId: 3, [("orders", 1, 30)]).values.allSatisfy { $0 == .none })
        first.onResignation(0)
        first.shutdown()

        let second = try await h.electedCoordinator()
        defer { second.shutdown() }
        #expect(h.committed(second) == [0: 10], "the committed transaction's offset, not the aborted or open one's")
        #expect(second.manager.groupsBelongingToPartitions(3, [0]) == ["app"])
        #expect(try await h.marker(second, producerId: 3, commit: true) == ErrorCode.none)
        #expect(h.committed(second) == [0: 10, 1: 30])
    }

    /// A marker written while the partition loaded may come after the load read the log: it is
    /// applied to the loaded groups at install; one the load already read changes nothing.
    @Test func markersWrittenDuringTheLoadCompleteTheLoadedGroups() {
        let tp = TopicPartition("orders", 0)
        var slots: [String: GroupEntry.Slot] = [:]
        for (group, producerId, offset) in [("a", Int64(1), Int64(10)), ("b", 1, 11), ("c", 2, 12)] {
            var slot = GroupEntry.Slot()
            slot.pendingTransactionalOffsets.load(
                producerId: producerId, offsets: [tp: OffsetsTopicLoad.Commit(batchBaseOffset: offset, value: OffsetCommitValue(offset: offset))])
            slots[group] = slot
        }
        var openGroups: [Int64: Set<String>] = [1: ["a", "b"], 2: ["c"]]
        GroupMetadataManager.apply([(1, true), (2, false), (3, true)], to: &slots, openGroups: &openGroups)
        #expect(slots["a"]?.offsets[tp]?.offset == 10 && slots["b"]?.offsets[tp]?.offset == 11)
        #expect(slots["c"]?.offsets.isEmpty == true)
        #expect(slots.values.allSatisfy { $0.pendingTransactionalOffsets.isEmpty })
        #expect(openGroups.isEmpty)
    }

    @Test func requestErrorsAreAnsweredPerPartition() async throws {
        let h = Harness()
        let coordinator = h.base.coordinator()
        defer { coordinator.shutdown() }
        #expect(try await h.txnCommit(coordinator, producerId: 9, [("orders", 0, 1)]) == ["orders-0": .notCoordinator], "before the election")
        coordinator.onElection(0)
        #expect(try await GroupMetadataManagerTests.fetchWhenLoaded(coordinator, "app").0 == .none)
        #expect(try await h.txnCommit(coordinator, producerId: 9, [("orders", 0, 1), ("missing", 0, 1)])
                == ["orders-0": .none, "missing-0": .unknownTopicOrPartition])
        #expect(try await h.txnCommit(coordinator, group: "", producerId: 9, [("orders", 0, 1)]) == ["orders-0": .invalidGroupId])
        let large = String(repeating: "m", count: 4097)
        #expect(try await h.txnCommit(coordinator, producerId: 9, [("orders", 1, 1)], metadata: large) == ["orders-1": .offsetMetadataTooLarge])
        // The group was created Empty by its first transactional commit.
        #expect(coordinator.handleDescribeGroup("app").1.state == "Empty")
    }
}

/// Kafka 2.3's own `__consumer_offsets-20` (fx-eos-group's offset committed inside a
/// transaction), cut before its COMMIT marker: the loaded coordinator keeps the offset pending,
/// and serves it once a marker for producer 1 is written through WriteTxnMarkers; an ABORT
/// drops it.
@Suite struct TxnOffsetCommitFixtureTests {
    static func loadedCut() async throws -> (GroupMetadataManagerFixtureTests.Harness, GroupCoordinator) {
        let h = try GroupMetadataManagerFixtureTests.Harness(truncate: [20: 344 + 123])
        h.becomeLeader()
        let coordinator = h.electedCoordinator()
        #expect(try await GroupMetadataManagerFixtureTests.committed(coordinator, "fx-eos-group").isEmpty)
        #expect(coordinator.manager.groupsBelongingToPartitions(1, [20]) == ["fx-eos-group"])
        return (h, coordinator)
    }

    static func marker(_ h: GroupMetadataManagerFixtureTests.Harness, _ coordinator: GroupCoordinator, commit: Bool) async throws -> ErrorCode? {
        let handler = WriteTxnMarkersHandler(replicaManager: h.replicaManager, requestTimeoutMs: 30_000, time: h.time, groupCoordinator: coordinator)
        let request = WriteTxnMarkers.Request(transactionMarkers: [
            .init(producerId: 1, producerEpoch: 0, transactionResult: commit,
                  topics: [.init(topic: GroupCoordinatorConfig.offsetsTopicName, partitions: [20])], coordinatorEpoch: 0),
        ])
        let action = try await handler.handle(HandlerHarness.request(WriteTxnMarkers.self, request, version: 0))
        return try HandlerHarness.response(WriteTxnMarkers.self, of: action, version: 0)
            .transactionMarkers.first?.topics.first?.partitions.first?.errorCode
    }

    @Test func theCommitMarkerMakesTheLoadedPendingOffsetServed() async throws {
        let (h, coordinator) = try await Self.loadedCut()
        defer { coordinator.shutdown() }
        #expect(try await Self.marker(h, coordinator, commit: true) == ErrorCode.none)
        #expect(try await GroupMetadataManagerFixtureTests.committed(coordinator, "fx-eos-group") == ["fx-orders-2=30"])
    }

    @Test func theAbortMarkerDropsIt() async throws {
        let (h, coordinator) = try await Self.loadedCut()
        defer { coordinator.shutdown() }
        #expect(try await Self.marker(h, coordinator, commit: false) == ErrorCode.none)
        #expect(try await GroupMetadataManagerFixtureTests.committed(coordinator, "fx-eos-group").isEmpty)
        #expect(coordinator.manager.groupsBelongingToPartitions(1, [20]).isEmpty)
    }
}
