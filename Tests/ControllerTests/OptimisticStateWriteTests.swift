@testable import Controller
import Foundation
import KafkaCommon
import KafkaTestKit
import KafkaZk
import Logging
import Testing

private let logger: Logger = {
    var logger = Logger(label: "test.OptimisticStateWrites")
    logger.logLevel = .critical
    return logger
}()

/// The controller decides from its cached partition states and writes each conditional on the
/// cached version (`OptimisticStateRounds`), against a real ZooKeeper: an untouched partition is
/// written from the cache; one a leader changed meanwhile conflicts, is read again and decided
/// from what it holds now; one a newer controller wrote is skipped.
@Suite struct OptimisticStateWriteTests {
    private let p0 = TopicPartition("t", 0)
    private let p1 = TopicPartition("t", 1)
    private let p2 = TopicPartition("t", 2)

    /// A controller of `zk` (epoch registered, not started) whose context knows topic `t` with the
    /// given replicas for each of its three partitions, and their states as created; broker 3 is
    /// dead.
    private func controller(
        replicas: [BrokerId], leader: BrokerId, partitionState: PartitionState
    ) async throws -> (KafkaController, KafkaZkClient, ControllerEpoch) {
        let ensemble = try await SharedZooKeeper.shared.get()
        let zk = try await KafkaZkClient.connect(
            ensemble.connectString(chroot: "/optimistic-\(UUID().uuidString)"), sessionTimeout: .seconds(6),
            connectionTimeout: .seconds(10), logger: logger)
        try await zk.createTopLevelPaths()
        let (epoch, epochZkVersion) = try await zk.registerControllerAndIncrementControllerEpoch(1)
        let partitions = [p0, p1, p2]
        try await zk.createTopic("t", assignment: Dictionary(uniqueKeysWithValues: partitions.map { ($0.partition, replicas) }), config: [:])
        let initial = LeaderIsrAndControllerEpoch(leaderAndIsr: KafkaZk.LeaderAndIsr(leader: leader, isr: replicas), controllerEpoch: epoch)
        _ = try await zk.createPartitionStates(
            Dictionary(uniqueKeysWithValues: partitions.map { ($0, initial) }), expectedControllerEpochZkVersion: epochZkVersion)

        var context = ControllerContext()
        context.epoch = epoch
        context.epochZkVersion = epochZkVersion
        for id: BrokerId in [1, 2] { context.liveBrokers[id] = BrokerInfo(id: id, endpoints: [], timestamp: 0) }
        for tp in partitions {
            context.partitionAssignments[tp] = replicas
            context.partitionStates[tp] = partitionState
            for replica in replicas { context.replicaStates[PartitionReplica(tp, replica)] = .onlineReplica }
        }
        context.partitionLeadership = try await zk.partitionStates(partitions)
        let controller = KafkaController(
            brokerInfo: BrokerInfo(id: 1, endpoints: [], timestamp: 0), brokerEpoch: 0, zkClient: zk, logger: logger,
            staleRegistrationWait: .seconds(1))
        await controller.setContext(context)
        return (controller, zk, epoch)
    }

    /// Behind the controller's back: a leader changes p1's ISR to `isr`; a newer controller
    /// (epoch + 1) rewrites p2's state as it is.
    private func interfere(_ zk: KafkaZkClient, epoch: ControllerEpoch, p1Isr isr: [BrokerId]) async throws {
        var changed = try #require(try await zk.partitionState(p1))
        changed.leaderAndIsr.isr = isr
        #expect(try await zk.conditionalUpdatePartitionState(p1, changed) == 1)
        var newer = try #require(try await zk.partitionState(p2))
        newer.controllerEpoch = epoch.next
        #expect(try await zk.conditionalUpdatePartitionState(p2, newer) == 1)
    }

    @Test func offlineReplicasLeaveTheIsrsFromTheCacheAndAConflictIsReadAgain() async throws {
        let (controller, zk, epoch) = try await controller(replicas: [1, 2, 3], leader: 1, partitionState: .onlinePartition)
        defer { Task { await zk.close() } }
        try await interfere(zk, epoch: epoch, p1Isr: [1, 3])

        try await controller.takeOffline([p0, p1, p2].map { PartitionReplica($0, 3) })

        let p0State = try #require(try await zk.partitionState(p0))
        #expect(p0State.leaderAndIsr.isr == [1, 2] && p0State.leaderAndIsr.leaderEpoch == LeaderEpoch(1))
        #expect(p0State.controllerEpoch == epoch && p0State.leaderAndIsr.zkVersion == 1, "written on the cached version")
        let p1State = try #require(try await zk.partitionState(p1))
        #expect(p1State.leaderAndIsr.isr == [1], "decided again from the leader's ISR [1,3], not the cached [1,2,3]")
        #expect(p1State.leaderAndIsr.zkVersion == 2)
        let p2State = try #require(try await zk.partitionState(p2))
        #expect(p2State.controllerEpoch == epoch.next && p2State.leaderAndIsr.isr == [1, 2, 3] && p2State.leaderAndIsr.zkVersion == 1,
                "a newer controller's state is left alone")

        let context = await controller.context
        #expect(context.replicaStates[PartitionReplica(p0, 3)] == .offlineReplica)
        #expect(context.replicaStates[PartitionReplica(p1, 3)] == .offlineReplica)
        #expect(context.replicaStates[PartitionReplica(p2, 3)] == .onlineReplica)
        #expect(context.partitionLeadership[p0] == p0State && context.partitionLeadership[p1] == p1State,
                "the cache holds what was written, with its version")
    }

    @Test func offlinePartitionsAreElectedFromTheCacheAndAConflictIsReadAgain() async throws {
        let (controller, zk, epoch) = try await controller(replicas: [3, 1, 2], leader: 3, partitionState: .offlinePartition)
        defer { Task { await zk.close() } }
        try await interfere(zk, epoch: epoch, p1Isr: [3, 2])

        try await controller.electOnline([p0, p1, p2])

        let p0State = try #require(try await zk.partitionState(p0))
        #expect(p0State.leaderAndIsr.leader == 1 && p0State.leaderAndIsr.isr == [1, 2] && p0State.leaderAndIsr.zkVersion == 1)
        let p1State = try #require(try await zk.partitionState(p1))
        #expect(p1State.leaderAndIsr.leader == 2 && p1State.leaderAndIsr.isr == [2],
                "elected from the ISR [3,2] read again, not from the cached [3,1,2]")
        let p2State = try #require(try await zk.partitionState(p2))
        #expect(p2State.leaderAndIsr.leader == 3 && p2State.controllerEpoch == epoch.next, "a newer controller's state is left alone")

        let context = await controller.context
        #expect(context.partitionStates[p0] == .onlinePartition && context.partitionStates[p1] == .onlinePartition)
        #expect(context.partitionStates[p2] == .offlinePartition)
    }

    /// A cached state that would leave the partition as it is (the replica is no longer in its
    /// ISR, as far as the cache knows) is not trusted: the znode, where a leader has put the
    /// replica back, is read, and the replica removed.
    @Test func aCachedNoOpIsCheckedAgainstZooKeeper() async throws {
        let (controller, zk, _) = try await controller(replicas: [1, 2, 3], leader: 1, partitionState: .onlinePartition)
        defer { Task { await zk.close() } }
        // The cache believes 3 already left p0's ISR; in ZooKeeper a leader has it in the ISR.
        var context = await controller.context
        context.partitionLeadership[p0]?.leaderAndIsr.isr = [1, 2]
        await controller.setContext(context)

        try await controller.takeOffline([PartitionReplica(p0, 3)])

        let p0State = try #require(try await zk.partitionState(p0))
        #expect(p0State.leaderAndIsr.isr == [1, 2] && p0State.leaderAndIsr.zkVersion == 1, "3 removed from the ISR in ZooKeeper")
    }
}

extension KafkaController {
    fileprivate func setContext(_ context: ControllerContext) { self.context = context }

    /// The OfflineReplica transition, requests left unsent.
    fileprivate func takeOffline(_ replicas: [PartitionReplica]) async throws {
        var batch = ControllerBrokerRequestBatch()
        try await handleReplicaStateChanges(replicas, to: .offlineReplica, &batch)
    }

    /// The OnlinePartition transition, requests left unsent.
    fileprivate func electOnline(_ partitions: [TopicPartition]) async throws {
        var batch = ControllerBrokerRequestBatch()
        try await handlePartitionStateChanges(partitions, to: .onlinePartition, &batch)
    }
}
