import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaRecords
import KafkaStorage
import KafkaZk
import Logging
import NIOCore
import Synchronization
import Testing

@testable import KafkaBroker

/// A clock that moves only when a test says so.
final class ManualTime: Time {
    private let now = Mutex<Int64>(1_700_000_000_000)
    var milliseconds: Int64 { now.withLock { $0 } }
    var nanoseconds: UInt64 { UInt64(milliseconds) * 1_000_000 }
    func sleep(_ ms: Int64) { now.withLock { $0 += ms } }
}

/// ZooKeeper as the leader sees it: conditional state writes and ISR-change notifications.
final class FakeIsrStore: IsrStore {
    struct Write: Equatable { var tp: TopicPartition; var isr: [BrokerId]; var expectedVersion: Int32 }
    let writes = Mutex<[Write]>([])
    let notifications = Mutex<[[TopicPartition]]>([])
    /// When false, writes meet a version conflict (the controller changed the znode).
    let accept = Mutex(true)

    func conditionalUpdatePartitionState(_ partition: TopicPartition, _ state: LeaderIsrAndControllerEpoch) async throws -> Int32? {
        writes.withLock { $0.append(Write(tp: partition, isr: state.leaderAndIsr.isr, expectedVersion: state.leaderAndIsr.zkVersion)) }
        return accept.withLock { $0 } ? state.leaderAndIsr.zkVersion + 1 : nil
    }

    func propagateIsrChanges(_ partitions: [TopicPartition]) async throws -> String {
        notifications.withLock { $0.append(partitions) }
        return "/isr_change_notification/isr_change_0000000000"
    }
}

/// The leader's side of replication through `ReplicaManager`, with injected time and a fake
/// ZooKeeper: acks=all completing on follower progress, ISR shrink and expand, and the
/// conditional ISR write.
@Suite struct ReplicaManagerTests {
    let tp = TopicPartition("orders", 0)
    let time = ManualTime()
    let store = FakeIsrStore()
    let directory: URL
    let manager: ReplicaManager
    var config: ReplicationConfig { manager.config }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("replica-manager-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let directory = self.directory
        let time = self.time
        var replication = ReplicationConfig()
        replication.replicaLagTimeMaxMs = 10_000
        manager = ReplicaManager(brokerId: 1, config: replication, time: time, isrStore: store) { tp, config in
            try Log(dir: directory.appendingPathComponent("\(tp.topic)-\(tp.partition)").path, config: config, hadCleanShutdown: true,
                    scheduler: DispatchScheduler(), time: time, logger: Logger(label: "test"))
        }
    }

    func leaderAndIsr(leader: BrokerId, leaderEpoch: LeaderEpoch, isr: [BrokerId]) -> KafkaProtocol.LeaderAndIsr.Request {
        KafkaProtocol.LeaderAndIsr.Request(controllerId: 3, controllerEpoch: 1, topicStates: [
            .init(topicName: tp.topic, partitionStates: [
                .init(partitionIndex: 0, controllerEpoch: 1, leader: leader, leaderEpoch: leaderEpoch, isr: isr, zkVersion: 7,
                      replicas: [1, 2]),
            ]),
        ], liveLeaders: [.init(brokerId: leader, hostName: "127.0.0.1", port: 1)])
    }

    func records(_ count: Int) throws -> MemoryRecords {
        var builder = MemoryRecordsBuilder()
        for index in 0..<count { builder.append(timestamp: 1_000, key: nil, value: ByteBuffer(string: "v\(index)")) }
        return try builder.buildRecords()
    }

    func becomeLeader(isr: [BrokerId] = [1, 2]) throws -> Partition {
        let response = manager.becomeLeaderOrFollower(leaderAndIsr(leader: 1, leaderEpoch: 4, isr: isr), configs: [:])
        #expect(response.partitionErrors.map(\.errorCode) == [.none])
        return try #require(manager.partition(tp))
    }

    @Test func acksAllCompletesWhenTheFollowerHasTheRecords() async throws {
        let partition = try becomeLeader()
        let appended = try partition.appendRecordsToLeader(try records(3), requiredAcks: -1, replicaLagTimeMaxMs: 10_000)
        #expect(!appended.highWatermarkIncreased, "the follower holds the high watermark")
        let outcome = Mutex<[ErrorCode]?>(nil)
        let operation = DelayedProduce(delayMs: 30_000, statuses: [
            .init(topicPartition: tp, requiredOffset: 3, minInSyncReplicas: 2, response: .init(index: 0, baseOffset: 0), acksPending: true),
        ], replicaManager: manager) { result in outcome.withLock { $0 = result.map(\.response.errorCode) } }
        #expect(!manager.producePurgatory.tryCompleteElseWatch(operation, watchKeys: [tp]))

        // The follower's fetch from offset 2 does not cover the records; from 3 it does.
        _ = partition.recordFollowerFetch(2, fetchOffset: 2, followerLogStartOffset: 0, replicaLagTimeMaxMs: 10_000)
        manager.completeDelayedRequests(tp)
        #expect(outcome.withLock { $0 } == nil)
        let caughtUp = partition.recordFollowerFetch(2, fetchOffset: 3, followerLogStartOffset: 0, replicaLagTimeMaxMs: 10_000)
        #expect(caughtUp.highWatermarkIncreased)
        manager.completeDelayedRequests(tp)
        #expect(outcome.withLock { $0 } == [ErrorCode.none])
        #expect(partition.highWatermark == 3)
        await manager.shutdown { _ in }
    }

    @Test func acksAllBelowMinInSyncReplicasIsRefusedBeforeAppending() async throws {
        let partition = try becomeLeader(isr: [1])
        partition.log.updateConfig(try LogConfig().applying(topicOverrides: ["min.insync.replicas": "2"]))
        #expect(throws: Partition.AppendError.notEnoughReplicas(isr: 1, required: 2)) {
            try partition.appendRecordsToLeader(try records(1), requiredAcks: -1, replicaLagTimeMaxMs: 10_000)
        }
        #expect(partition.logEndOffset == 0, "nothing appended")
        let acksOne = try partition.appendRecordsToLeader(try records(1), requiredAcks: 1, replicaLagTimeMaxMs: 10_000)
        #expect(acksOne.result.firstOffset == 0)
        await manager.shutdown { _ in }
    }

    @Test func aLaggingFollowerLeavesTheIsrThroughAConditionalWriteAndRejoinsWhenCaughtUp() async throws {
        let partition = try becomeLeader()
        _ = try partition.appendRecordsToLeader(try records(2), requiredAcks: 1, replicaLagTimeMaxMs: 10_000)
        await manager.maybeShrinkIsr()
        #expect(store.writes.withLock { $0 }.isEmpty, "in sync for now")

        time.sleep(10_001)
        await manager.maybeShrinkIsr()
        #expect(store.writes.withLock { $0 } == [.init(tp: tp, isr: [1], expectedVersion: 7)])
        #expect(partition.role.isr == [1] && partition.role.zkVersion == 8)
        #expect(partition.highWatermark == 2, "alone in the ISR, the leader commits what it has")

        // Batched: nothing announced until the changes have been quiet for 5 s (or forced).
        await manager.maybePropagateIsrChanges()
        #expect(store.notifications.withLock { $0 }.isEmpty)
        time.sleep(5_001)
        await manager.maybePropagateIsrChanges()
        #expect(store.notifications.withLock { $0 } == [[tp]])

        // The follower catches up to the high watermark: it rejoins.
        let outcome = partition.recordFollowerFetch(2, fetchOffset: 2, followerLogStartOffset: 0, replicaLagTimeMaxMs: 10_000)
        let expanded = try #require(outcome.expandedIsr)
        #expect(expanded == [1, 2])
        await manager.expandIsr(partition, expanded)
        await manager.isrUpdatesWritten()
        #expect(store.writes.withLock { $0 }.last == .init(tp: tp, isr: [1, 2], expectedVersion: 8))
        #expect(partition.role.isr == [1, 2])
        await manager.shutdown { _ in }
    }

    @Test func aConflictingIsrWriteLeavesTheCachedIsrAlone() async throws {
        let partition = try becomeLeader()
        store.accept.withLock { $0 = false }
        time.sleep(10_001)
        await manager.maybeShrinkIsr()
        #expect(store.writes.withLock { $0 }.count == 1)
        #expect(partition.role.isr == [1, 2] && partition.role.zkVersion == 7, "the controller moved on: nothing overwritten")
        await manager.maybePropagateIsrChanges(force: true)
        #expect(store.notifications.withLock { $0 }.isEmpty, "nothing changed, nothing announced")
        await manager.shutdown { _ in }
    }

    /// A LeaderAndIsr creates every new partition's log before it applies any role; a partition
    /// created early must not act as leader meanwhile — an ISR shrink then would find followers it
    /// has not heard of yet and write the leader alone to ZooKeeper, while the role applied next
    /// keeps the controller's whole ISR and version, and the two never meet again.
    @Test func aNewPartitionHasNoRoleUntilTheLeaderAndIsrIsApplied() async throws {
        let directory = self.directory
        let time = self.time
        let observed = Mutex<[String]>([])
        let owner = Mutex<ReplicaManager?>(nil)
        let first = TopicPartition("orders", 0)
        let manager = ReplicaManager(brokerId: 1, config: config, time: time, isrStore: store) { tp, config in
            if tp != first, let partition = owner.withLock({ $0 })?.partition(first) {
                let shrink = partition.proposeIsrShrink(maxLagMs: 10_000)
                observed.withLock { $0.append("leader=\(partition.isLeader) shrink=\(shrink.map { "\($0)" } ?? "none")") }
            }
            return try Log(dir: directory.appendingPathComponent("\(tp.topic)-\(tp.partition)").path, config: config,
                           hadCleanShutdown: true, scheduler: DispatchScheduler(), time: time, logger: Logger(label: "test"))
        }
        owner.withLock { $0 = manager }
        let request = KafkaProtocol.LeaderAndIsr.Request(controllerId: 3, controllerEpoch: 1, topicStates: [
            .init(topicName: "orders", partitionStates: (0..<3).map {
                .init(partitionIndex: $0, controllerEpoch: 1, leader: 1, leaderEpoch: 0, isr: [1, 2, 3], zkVersion: 0, replicas: [1, 2, 3])
            }),
        ], liveLeaders: [.init(brokerId: 1, hostName: "127.0.0.1", port: 1)])
        let response = manager.becomeLeaderOrFollower(request, configs: [:])
        #expect(response.partitionErrors.map(\.errorCode) == [.none, .none, .none])
        #expect(observed.withLock { $0 } == ["leader=false shrink=none", "leader=false shrink=none"])
        let partition = try #require(manager.partition(first))
        #expect(partition.isLeader && partition.role.isr == [1, 2, 3] && partition.role.zkVersion == 0)
        #expect(partition.proposeIsrShrink(maxLagMs: 10_000) == nil, "its followers count as caught up from now")
        #expect(store.writes.withLock { $0 }.isEmpty)
        await manager.shutdown { _ in }
    }

    @Test func theFlatLayoutsOfOlderVersionsAreAppliedLikeTheByTopicOnes() async throws {
        // LeaderAndIsr v0-1 and StopReplica v0 list their partitions flat, each naming its topic.
        let byTopic = leaderAndIsr(leader: 1, leaderEpoch: 4, isr: [1, 2])
        let flat = KafkaProtocol.LeaderAndIsr.Request(controllerId: 3, controllerEpoch: 1, topicStates: byTopic.topicStates,
                                                      liveLeaders: byTopic.liveLeaders, version: 0)
        #expect(flat.topicStates.isEmpty && flat.partitionStates.map(\.topicName) == [tp.topic])
        let response = manager.becomeLeaderOrFollower(flat, configs: [:])
        #expect(response.partitionErrors == [.init(topicName: tp.topic, partitionIndex: 0, errorCode: .none)])
        #expect(manager.partition(tp)?.isLeader == true)

        let stop = StopReplica.Request(controllerId: 3, controllerEpoch: 1, deletePartitions: true,
                                       topics: [.init(name: tp.topic, partitionIndexes: [0])], version: 0)
        #expect(stop.topics.isEmpty && stop.partitions.map(\.topicName) == [tp.topic])
        let deleted = Mutex<[TopicPartition]>([])
        let stopped = manager.stopReplicas(stop) { tp in deleted.withLock { $0.append(tp) } }
        #expect(stopped.partitionErrors == [.init(topicName: tp.topic, partitionIndex: 0, errorCode: .none)])
        #expect(deleted.withLock { $0 } == [tp])
        #expect(manager.partition(tp) == nil)
        await manager.shutdown { _ in }
    }

    @Test func onlyANewerLeaderEpochChangesTheRole() async throws {
        _ = try becomeLeader()
        let stale = manager.becomeLeaderOrFollower(leaderAndIsr(leader: 2, leaderEpoch: 4, isr: [1, 2]), configs: [:])
        #expect(stale.partitionErrors.map(\.errorCode) == [.staleControllerEpoch])
        #expect(manager.partition(tp)?.isLeader == true)
        let newer = manager.becomeLeaderOrFollower(leaderAndIsr(leader: 2, leaderEpoch: 5, isr: [1, 2]), configs: [:])
        #expect(newer.partitionErrors.map(\.errorCode) == [.none])
        #expect(manager.partition(tp)?.isLeader == false)
        #expect(manager.fetcherManager.fetcherThreads.map(\.sourceBroker.id) == [2], "a fetcher from the new leader")
        #expect(manager.partition(tp)?.checkLeaderEpoch(4) == .fencedLeaderEpoch)
        #expect(manager.partition(tp)?.checkLeaderEpoch(6) == .unknownLeaderEpoch)
        await manager.shutdown { _ in }
        #expect(manager.fetcherManager.fetcherThreads.isEmpty, "shutdown stops the fetchers")
    }
}
