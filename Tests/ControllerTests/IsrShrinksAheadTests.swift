@testable import Controller
import Foundation
import KafkaCommon
import KafkaTestKit
import KafkaZk
import Logging
import Testing

private let logger: Logger = {
    var logger = Logger(label: "test.IsrShrinksAhead")
    logger.logLevel = .critical
    return logger
}()

/// A broker failure against a real ZooKeeper: the ISR shrinks of the partitions the dead broker
/// followed are decided ahead and written in the same multi as the elections of those it led
/// (one transaction: the same mzxid), and the replica step records them as if it had written
/// them itself. A shrink written ahead that conflicts is read and decided again.
@Suite struct IsrShrinksAheadTests {
    /// Broker 3 leads p0 and follows p1 (led by 1) and p2 (led by 2).
    private let replicas: [TopicPartition: [BrokerId]] = [
        TopicPartition("t", 0): [3, 1, 2], TopicPartition("t", 1): [1, 2, 3], TopicPartition("t", 2): [2, 3, 1],
    ]
    private var p0: TopicPartition { TopicPartition("t", 0) }
    private var p1: TopicPartition { TopicPartition("t", 1) }
    private var p2: TopicPartition { TopicPartition("t", 2) }

    /// A controller of `zk` (epoch registered, not started) whose context knows topic `t` online,
    /// every replica online and every state as created; broker 3 is no longer live.
    private func controller() async throws -> (KafkaController, KafkaZkClient) {
        let ensemble = try await SharedZooKeeper.shared.get()
        let zk = try await KafkaZkClient.connect(
            ensemble.connectString(chroot: "/shrinks-ahead-\(UUID().uuidString)"), sessionTimeout: .seconds(6),
            connectionTimeout: .seconds(10), logger: logger)
        try await zk.createTopLevelPaths()
        let (epoch, epochZkVersion) = try await zk.registerControllerAndIncrementControllerEpoch(1)
        try await zk.createTopic("t", assignment: Dictionary(uniqueKeysWithValues: replicas.map { ($0.key.partition, $0.value) }), config: [:])
        _ = try await zk.createPartitionStates(
            replicas.mapValues { LeaderIsrAndControllerEpoch(leaderAndIsr: KafkaZk.LeaderAndIsr(leader: $0[0], isr: $0), controllerEpoch: epoch) },
            expectedControllerEpochZkVersion: epochZkVersion)

        var context = ControllerContext()
        context.epoch = epoch
        context.epochZkVersion = epochZkVersion
        for id: BrokerId in [1, 2] { context.liveBrokers[id] = BrokerInfo(id: id, endpoints: [], timestamp: 0) }
        for (tp, assigned) in replicas {
            context.partitionAssignments[tp] = assigned
            context.partitionStates[tp] = .onlinePartition
            for replica in assigned { context.replicaStates[PartitionReplica(tp, replica)] = .onlineReplica }
        }
        context.partitionLeadership = try await zk.partitionStates(Array(replicas.keys))
        let controller = KafkaController(
            brokerInfo: BrokerInfo(id: 1, endpoints: [], timestamp: 0), brokerEpoch: 0, zkClient: zk, logger: logger,
            staleRegistrationWait: .seconds(1))
        await controller.setContextForShrinksAhead(context)
        return (controller, zk)
    }

    private func mzxid(_ zk: KafkaZkClient, _ tp: TopicPartition) async throws -> Int64 {
        let (_, stat) = try await zk.zooKeeper.data(TopicPartitionStateZNode.path(tp))
        return stat.mzxid
    }

    @Test func theFollowersShrinksAreWrittenInTheElectionsTransaction() async throws {
        let (controller, zk) = try await controller()
        defer { Task { await zk.close() } }

        try await controller.onBrokerFailure([3])

        let p0State = try #require(try await zk.partitionState(p0))
        #expect(p0State.leaderAndIsr.leader == 1 && p0State.leaderAndIsr.isr == [1, 2] && p0State.leaderAndIsr.zkVersion == 1)
        let p1State = try #require(try await zk.partitionState(p1))
        #expect(p1State.leaderAndIsr.leader == 1 && p1State.leaderAndIsr.isr == [1, 2] && p1State.leaderAndIsr.zkVersion == 1)
        let p2State = try #require(try await zk.partitionState(p2))
        #expect(p2State.leaderAndIsr.leader == 2 && p2State.leaderAndIsr.isr == [2, 1] && p2State.leaderAndIsr.zkVersion == 1)
        let (election, p1Shrink, p2Shrink) = (try await mzxid(zk, p0), try await mzxid(zk, p1), try await mzxid(zk, p2))
        #expect(p1Shrink == election && p2Shrink == election, "one transaction")

        let context = await controller.context
        #expect(context.partitionLeadership[p0] == p0State && context.partitionLeadership[p1] == p1State
                && context.partitionLeadership[p2] == p2State, "the replica step recorded the shrinks written ahead")
        for tp in [p0, p1, p2] { #expect(context.replicaStates[PartitionReplica(tp, 3)] == .offlineReplica) }
        #expect(context.partitionStates[p0] == .onlinePartition)
        let ahead = await controller.isrShrinksAhead
        #expect(ahead == nil)
    }

    @Test func aShrinkWrittenAheadThatConflictsIsReadAndDecidedAgain() async throws {
        let (controller, zk) = try await controller()
        defer { Task { await zk.close() } }
        // Behind the controller's back, p1's leader shrinks its ISR to [1, 3].
        var changed = try #require(try await zk.partitionState(p1))
        changed.leaderAndIsr.isr = [1, 3]
        #expect(try await zk.conditionalUpdatePartitionState(p1, changed) == 1)

        try await controller.onBrokerFailure([3])

        let p0State = try #require(try await zk.partitionState(p0))
        #expect(p0State.leaderAndIsr.leader == 1 && p0State.leaderAndIsr.isr == [1, 2])
        let p1State = try #require(try await zk.partitionState(p1))
        #expect(p1State.leaderAndIsr.isr == [1] && p1State.leaderAndIsr.zkVersion == 2,
                "decided again from the leader's ISR [1,3], not the cached [1,2,3]")
        let p2State = try #require(try await zk.partitionState(p2))
        #expect(p2State.leaderAndIsr.isr == [2, 1] && p2State.leaderAndIsr.zkVersion == 1)
        let context = await controller.context
        #expect(context.partitionLeadership[p1] == p1State && context.partitionLeadership[p2] == p2State)
        #expect(context.replicaStates[PartitionReplica(p1, 3)] == .offlineReplica)
    }
}

extension KafkaController {
    fileprivate func setContextForShrinksAhead(_ context: ControllerContext) { self.context = context }
}
