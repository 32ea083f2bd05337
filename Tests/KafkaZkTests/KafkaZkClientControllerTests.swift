import Foundation
import KafkaCommon
import KafkaTestKit
import KafkaZk
import Testing
import ZooKeeper

/// Whether `body` failed with `KafkaZkError.controllerMoved`.
func failsWithControllerMoved(_ body: () async throws -> some Any) async -> Bool {
    do {
        _ = try await body()
        return false
    } catch KafkaZkError.controllerMoved {
        return true
    } catch {
        Issue.record("expected controllerMoved, got \(error)")
        return false
    }
}

@Suite("KafkaZkClient controller election and epoch fencing against a real ZooKeeper")
struct KafkaZkClientControllerTests {
    @Test func firstElectionCreatesTheEpochAndTheControllerZNode() async throws {
        try await withZkChroot { z in
            let zk = try await z.client(time: FixedTime(milliseconds: 1_795_293_281_562))
            #expect(try await zk.controllerId() == nil)
            #expect(try await zk.controllerEpoch() == nil)

            let elected = try await zk.registerControllerAndIncrementControllerEpoch(2)
            #expect(elected.epoch == 1)
            #expect(elected.epochZkVersion == 1)

            let epochNode = try #require(try await z.znode("/controller_epoch"))
            #expect(epochNode.data == Array("1".utf8))
            #expect(epochNode.stat.version == 1)
            #expect(!epochNode.stat.isEphemeral)
            let controllerNode = try #require(try await z.znode("/controller"))
            #expect(String(decoding: controllerNode.data, as: UTF8.self) == #"{"version":1,"brokerid":2,"timestamp":"1795293281562"}"#)
            #expect(controllerNode.stat.ephemeralOwner == zk.zooKeeper.sessionId)
            #expect(controllerNode.stat.czxid == epochNode.stat.mzxid,
                    "/controller and the epoch bump are one transaction")

            #expect(try ControllerZNode.decode(controllerNode.data) == 2)
            #expect(try await zk.controllerId() == 2)
            let read = try #require(try await zk.controllerEpoch())
            #expect(read.epoch == 1)
            #expect(read.zkVersion == 1)
        }
    }

    @Test func anotherBrokerLosesWhileTheControllerLivesAndWinsAfterIt() async throws {
        try await withZkChroot { z in
            let first = try await z.client()
            let second = try await z.client()
            _ = try await first.registerControllerAndIncrementControllerEpoch(1)
            let epochBefore = try #require(try await z.znode("/controller_epoch"))

            #expect(await failsWithControllerMoved { try await second.registerControllerAndIncrementControllerEpoch(2) })
            let epochAfter = try #require(try await z.znode("/controller_epoch"))
            #expect(epochAfter.data == Array("1".utf8))
            #expect(epochAfter.stat == epochBefore.stat, "the loser changed nothing")
            #expect(try await second.controllerId() == 1)

            await first.close()
            try await waitUntil("/controller to go with its session") { try await second.controllerId() == nil }
            let elected = try await second.registerControllerAndIncrementControllerEpoch(2)
            #expect(elected.epoch == 2)
            #expect(elected.epochZkVersion == 2)
            #expect(try await z.text("/controller_epoch") == "2")
            #expect(try await second.controllerId() == 2)
            #expect(try await z.znode("/controller")?.stat.ephemeralOwner == second.zooKeeper.sessionId)
        }
    }

    @Test func concurrentCandidatesElectExactlyOne() async throws {
        try await withZkChroot { z in
            var candidates: [(BrokerId, KafkaZkClient)] = []
            for id: BrokerId in [1, 2, 3, 4] { candidates.append((id, try await z.client())) }
            let outcomes = await withTaskGroup(of: (BrokerId, ControllerEpoch?).self) { group in
                for (id, client) in candidates {
                    group.addTask {
                        do {
                            return (id, try await client.registerControllerAndIncrementControllerEpoch(id).epoch)
                        } catch KafkaZkError.controllerMoved {
                            return (id, nil)
                        } catch {
                            Issue.record("broker \(id): \(error)")
                            return (id, nil)
                        }
                    }
                }
                return await group.reduce(into: [BrokerId: ControllerEpoch?]()) { $0[$1.0] = $1.1 }
            }
            let winners = outcomes.filter { $0.value != nil }
            #expect(winners.count == 1, "\(outcomes)")
            #expect(winners.first?.value == 1)
            #expect(try await z.text("/controller_epoch") == "1")
            let controller = try ControllerZNode.decode(try #require(try await z.znode("/controller")).data)
            #expect(winners.first?.key == controller)
        }
    }

    @Test func fencedWritesFailOnceAnotherControllerIsElected() async throws {
        try await withZkChroot { z in
            let old = try await z.client()
            let new = try await z.client()
            let oldElection = try await old.registerControllerAndIncrementControllerEpoch(1)

            // While its epoch stands, the controller writes.
            let results = try await old.multiFencedByControllerEpoch(
                [.create(path: "/written-by-1", data: Array("a".utf8)),
                 .setData(path: "/written-by-1", data: Array("b".utf8))],
                expectedControllerEpochZkVersion: oldElection.epochZkVersion)
            #expect(results.count == 2, "the fence's own result is not returned")
            #expect(results.first == .created(path: "/written-by-1"))
            #expect(try await z.text("/written-by-1") == "b")

            // A failing operation behind a holding fence is that operation's error.
            await #expect(throws: ZooKeeperError.self) {
                try await old.multiFencedByControllerEpoch(
                    [.create(path: "/written-by-1", data: [])], expectedControllerEpochZkVersion: oldElection.epochZkVersion)
            }
            let error = await #expect(throws: ZooKeeperError.self) {
                try await old.multiFencedByControllerEpoch(
                    [.delete(path: "/missing")], expectedControllerEpochZkVersion: oldElection.epochZkVersion)
            }
            #expect(error?.code == .noNode)

            // The old controller's /controller goes (its session stays alive) and another broker is elected.
            try await z.root.delete(z.absolute("/controller"))
            let newElection = try await new.registerControllerAndIncrementControllerEpoch(2)
            #expect(newElection.epoch == oldElection.epoch.next)
            #expect(newElection.epochZkVersion > oldElection.epochZkVersion)

            let epochBefore = try #require(try await z.znode("/controller_epoch"))
            #expect(await failsWithControllerMoved {
                try await old.multiFencedByControllerEpoch(
                    [.create(path: "/stale-write", data: [])], expectedControllerEpochZkVersion: oldElection.epochZkVersion)
            })
            #expect(await failsWithControllerMoved {
                try await old.multiFencedByControllerEpoch(
                    [.setData(path: "/written-by-1", data: Array("stale".utf8))],
                    expectedControllerEpochZkVersion: oldElection.epochZkVersion)
            })
            #expect(try await z.znode("/stale-write") == nil, "nothing of a fenced write is applied")
            #expect(try await z.text("/written-by-1") == "b")
            #expect(try await z.znode("/controller_epoch")?.stat == epochBefore.stat)

            // The old controller cannot remove its successor's /controller either.
            #expect(await failsWithControllerMoved {
                try await old.deleteController(expectedControllerEpochZkVersion: oldElection.epochZkVersion)
            })
            #expect(try await old.controllerId() == 2)
            #expect(try await z.znode("/controller")?.stat.ephemeralOwner == new.zooKeeper.sessionId)

            // The new controller writes and resigns with its own fence.
            _ = try await new.multiFencedByControllerEpoch(
                [.setData(path: "/written-by-1", data: Array("c".utf8))],
                expectedControllerEpochZkVersion: newElection.epochZkVersion)
            #expect(try await z.text("/written-by-1") == "c")
            try await new.deleteController(expectedControllerEpochZkVersion: newElection.epochZkVersion)
            #expect(try await new.controllerId() == nil)
            #expect(try await z.text("/controller_epoch") == "2", "resigning leaves the epoch")
        }
    }

    @Test func failoverAfterTheControllerSessionClosesFencesTheOldEpoch() async throws {
        try await withZkChroot { z in
            let old = try await z.client()
            let oldElection = try await old.registerControllerAndIncrementControllerEpoch(1)
            let survivor = try await z.client()
            await old.close()
            try await waitUntil("/controller to go with its session") { try await survivor.controllerId() == nil }
            let newElection = try await survivor.registerControllerAndIncrementControllerEpoch(3)
            #expect(newElection.epoch == 2)

            // A write fenced by the old epoch's version fails even from a live session.
            #expect(await failsWithControllerMoved {
                try await survivor.multiFencedByControllerEpoch(
                    [.create(path: "/x", data: [])], expectedControllerEpochZkVersion: oldElection.epochZkVersion)
            })
            #expect(try await z.znode("/x") == nil)
            _ = try await survivor.multiFencedByControllerEpoch(
                [.create(path: "/x", data: [])], expectedControllerEpochZkVersion: newElection.epochZkVersion)
            #expect(try await z.znode("/x") != nil)
        }
    }
}

/// The controller's creation of many partition states: multis of `creationChunk` creates behind
/// one epoch check, one create at a time only where a multi fails.
@Suite("KafkaZkClient partition state creation against a real ZooKeeper")
struct KafkaZkClientPartitionStateCreationTests {
    static func states(_ topic: String, _ count: Int, epoch: ControllerEpoch) -> [TopicPartition: LeaderIsrAndControllerEpoch] {
        Dictionary(uniqueKeysWithValues: (0..<Int32(count)).map {
            (TopicPartition(topic, $0), LeaderIsrAndControllerEpoch(leaderAndIsr: LeaderAndIsr(leader: 1, isr: [1]), controllerEpoch: epoch))
        })
    }

    @Test func manyStatesAreCreatedInAFewTransactions() async throws {
        try await withZkChroot { z in
            let zk = try await z.client()
            try await zk.createTopLevelPaths()
            let election = try await zk.registerControllerAndIncrementControllerEpoch(1)
            let count = KafkaZkClient.creationChunk * 2 + 50
            let states = Self.states("many", count, epoch: election.epoch)
            try await zk.createTopic("many", assignment: Dictionary(uniqueKeysWithValues: states.keys.map { ($0.partition, [BrokerId(1)]) }),
                                     config: [:])
            try await z.root.create(z.absolute("/before"))
            let before = try #require(try await z.znode("/before")).stat.czxid
            let results = try await zk.createPartitionStates(states, expectedControllerEpochZkVersion: election.epochZkVersion)
            #expect(results.count == count && results.values.allSatisfy { if case .success = $0 { true } else { false } })
            let written = try await zk.partitionStates(Array(states.keys))
            #expect(written == Dictionary(uniqueKeysWithValues: states.map { tp, state in
                var created = state
                created.leaderAndIsr.zkVersion = 0
                return (tp, created)
            }))
            var last: Int64 = 0
            for tp in states.keys { last = max(last, try #require(try await z.znode(TopicPartitionStateZNode.path(tp))).stat.czxid) }
            // The topic's `partitions` znode, 3 multis of partition znodes, 3 of states: 7, where one
            // create each would be 901. (The ensemble's zxid also counts other tests' writes.)
            #expect(last - before < 100, "\(last - before) transactions for \(2 * count + 1) znodes")
        }
    }

    @Test func anExistingStateFailsAloneAndAFencedControllerWritesNothing() async throws {
        try await withZkChroot { z in
            let zk = try await z.client()
            try await zk.createTopLevelPaths()
            let election = try await zk.registerControllerAndIncrementControllerEpoch(1)
            let states = Self.states("few", 5, epoch: election.epoch)
            try await zk.createTopic("few", assignment: Dictionary(uniqueKeysWithValues: states.keys.map { ($0.partition, [BrokerId(1)]) }),
                                     config: [:])
            // Another controller already wrote one state: its multi fails, its creates go one by one.
            let taken = TopicPartition("few", 3)
            let other = LeaderIsrAndControllerEpoch(leaderAndIsr: LeaderAndIsr(leader: 2, isr: [2]), controllerEpoch: 9)
            _ = try await zk.createPartitionStates([taken: other], expectedControllerEpochZkVersion: election.epochZkVersion)
            let results = try await zk.createPartitionStates(states, expectedControllerEpochZkVersion: election.epochZkVersion)
            let failed = results.filter { if case .failure = $0.value { true } else { false } }
            #expect(failed.keys.sorted() == [taken])
            if case .failure(let error)? = results[taken] { #expect(error.code == .nodeExists) }
            let written = try await zk.partitionStates(Array(states.keys))
            #expect(written.count == 5)
            #expect(written[taken]?.leaderAndIsr.leader == 2, "the existing state is left as it was")
            #expect(written.filter { $0.key != taken }.values.allSatisfy { $0.leaderAndIsr.leader == 1 })

            // A controller fenced out writes nothing.
            let newer = try await z.client()
            try await z.root.delete(z.absolute("/controller"))
            _ = try await newer.registerControllerAndIncrementControllerEpoch(2)
            let late = Self.states("late", 3, epoch: election.epoch)
            try await zk.createTopic("late", assignment: [0: [1], 1: [1], 2: [1]], config: [:])
            #expect(await failsWithControllerMoved {
                try await zk.createPartitionStates(late, expectedControllerEpochZkVersion: election.epochZkVersion)
            })
            #expect(try await z.znode(TopicPartitionStateZNode.partitionsPath("late")) == nil)
        }
    }
}
