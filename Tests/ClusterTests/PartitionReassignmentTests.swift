import Foundation
import KafkaCommon
import KafkaTestKit
import KafkaZk
import Testing
import ZooKeeper

/// Partition reassignment through `/admin/reassign_partitions` on a 3-node ensemble with brokers
/// 1, 2, 3 and a fourth: a topic with data moves from {1,2,3} to {2,3,4}, with and without the
/// controller killed right after the request is written (the new controller resumes it).
extension RealClusterTests {
    @Suite("Partition reassignment")
    struct PartitionReassignmentTests {
        static let topic = "moving"
        static let target: [Int32: [BrokerId]] = [0: [2, 3, 4], 1: [3, 4, 2]]
        static let records = 300

        /// Brokers 1–4 registered and a topic of two partitions on {1,2,3} holding `records`
        /// records acknowledged by the full ISR. Returns what a consumer reads from it and the
        /// leader epochs before the reassignment.
        static func prepare(_ cluster: KafkaCluster, _ zk: KafkaZkClient) async throws
            -> (records: [TopicPartitionOffset: String], epochs: [Int32: LeaderEpoch])
        {
            try await waitUntil("four registered brokers") { try await zk.liveBrokerIds() == [1, 2, 3, 4] }
            try await Replication.createTopic(zk, topic, partitions: 2, replicas: [1, 2, 3])
            let input = (0..<records).map { "record-\($0)" }.joined(separator: "\n") + "\n"
            let produced = try RealClusterTests.ProduceConsumeTests.kcat(
                ["-b", "127.0.0.1:\(cluster.broker(2).port)", "-P", "-t", topic, "-X", "acks=all", "-X", "linger.ms=5",
                 "-X", "message.timeout.ms=60000"], input: input)
            #expect(produced.status == 0)
            let consumed = try await waitFor("every produced record to be readable", timeout: .seconds(60)) { () -> [TopicPartitionOffset: String]? in
                let all = try Replication.consumeAll(cluster.broker(2), topic: topic)
                return all.count == records ? all : nil
            }
            for partition in Int32(0)..<2 {
                let directory = cluster.broker(1).logDirectory.appendingPathComponent("\(topic)-\(partition)")
                #expect(FileManager.default.fileExists(atPath: directory.path), "broker 1 hosts \(topic)-\(partition) before")
            }
            var epochs: [Int32: LeaderEpoch] = [:]
            for partition in Int32(0)..<2 {
                epochs[partition] = try await Replication.state(zk, TopicPartition(topic, partition))?.leaderEpoch
            }
            return (consumed, epochs)
        }

        /// Everything a completed reassignment leaves: the assignment is the target, leaders and
        /// ISRs are within it with bumped leader epochs, broker 1's replicas are gone from its
        /// disk, and every record reads back the same. Returns the milliseconds from the request's
        /// creation to the assignment znode's last write (ZooKeeper's own ctime/mtime).
        static func verifyCompleted(
            _ cluster: KafkaCluster, _ zk: KafkaZkClient, requestCreated: Int64,
            before: (records: [TopicPartitionOffset: String], epochs: [Int32: LeaderEpoch])
        ) async throws -> Int64 {
            try await waitUntil("the reassignment to complete (its znode deleted)", timeout: .seconds(180), every: .milliseconds(100)) {
                try await zk.zooKeeper.exists(ReassignPartitionsZNode.path) == nil
            }
            let (assignment, _) = try #require(try await zk.topicAssignment(topic))
            #expect(assignment == target)
            let assignmentStat = try #require(try await zk.zooKeeper.exists(TopicZNode.path(topic)))
            for partition in Int32(0)..<2 {
                let tp = TopicPartition(topic, partition)
                let replicas = target[partition]!
                let state = try await waitFor("\(tp)'s ISR to be exactly its new replicas", timeout: .seconds(60)) {
                    try await Replication.state(zk, tp).flatMap { Set($0.isr) == Set(replicas) ? $0 : nil }
                }
                #expect(replicas.contains(state.leader))
                #expect(state.leaderEpoch > before.epochs[partition]!, "the leader epoch of \(tp) was bumped")
                let directory = cluster.broker(1).logDirectory.appendingPathComponent(tp.description)
                try await waitUntil("broker 1 to delete its replica of \(tp)", timeout: .seconds(60)) {
                    !FileManager.default.fileExists(atPath: directory.path)
                }
                for broker in replicas {
                    let path = cluster.broker(Int(broker.rawValue)).logDirectory.appendingPathComponent(tp.description).path
                    #expect(FileManager.default.fileExists(atPath: path), "broker \(broker) hosts \(tp)")
                }
            }
            // Every record, read from the new replicas through the new leaders.
            let after = try await waitFor("every record to be readable after the move", timeout: .seconds(60)) { () -> [TopicPartitionOffset: String]? in
                let all = try Replication.consumeAll(cluster.broker(4), topic: topic)
                return all.count >= before.records.count ? all : nil
            }
            #expect(after.count == records)
            #expect(after == before.records)
            let log = cluster.brokers.map(\.log).joined(separator: "\n")
            #expect(!lines(log, containing: "Changed state of replica 1 for partition \(topic)-0 from ReplicaDeletionSuccessful to NonExistentReplica").isEmpty)
            return assignmentStat.mtime - requestCreated
        }

        /// Makes broker `id` the controller: deletes `/controller` (as operators do to force an
        /// election) until `id` wins the race.
        static func makeController(_ id: BrokerId, _ zk: KafkaZkClient) async throws {
            try await waitUntil("four registered brokers") { try await zk.liveBrokerIds() == [1, 2, 3, 4] }
            for _ in 0..<50 {
                let (controller, epoch) = try await waitFor("a controller") { try await zk.currentController() }
                if controller == id { return }
                try? await zk.zooKeeper.delete(ControllerZNode.path)
                _ = try await waitFor("a controller elected after epoch \(epoch)", timeout: .seconds(30)) {
                    try await zk.currentController().flatMap { $0.1 > epoch ? $0 : nil }
                }
            }
            Issue.record("broker \(id) never won the controller election")
        }

        static func reassignmentJson() -> String {
            ReassignPartitionsZNode.json(Dictionary(uniqueKeysWithValues: target.map { (TopicPartition(topic, $0.key), $0.value) }),
                                         logDirs: true).serialized
        }

        @Test func movesEveryReplicaFromOneToFourWithTheTool() async throws {
            try await withKafkaCluster(zooKeepers: 3, ids: [1, 2, 3, 4], sessionTimeoutMs: 6000) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let before = try await Self.prepare(cluster, zk)
                let directory = try makeTemporaryDirectory(prefix: "reassign")
                defer { try? FileManager.default.removeItem(at: directory) }

                let topicsFile = directory.appendingPathComponent("topics.json")
                try #"{"topics":[{"topic":"moving"}],"version":1}"#.write(to: topicsFile, atomically: true, encoding: .utf8)
                let generated = try await CLIProcess.run(["reassign-partitions", "--zookeeper", cluster.zkConnect, "--generate",
                                                          "--topics-to-move-json-file", topicsFile.path, "--broker-list", "2,3,4"])
                #expect(generated.status == 0, "\(generated.error)")
                #expect(generated.lines.first == "Current partition replica assignment")
                #expect(generated.lines.contains("Proposed partition reassignment configuration"))
                let proposed = try #require(generated.lines.last)
                let proposedAssignment = try ReassignPartitionsZNode.decode(Array(proposed.utf8))
                #expect(proposedAssignment.count == 2 && proposedAssignment.values.allSatisfy { Set($0) == [2, 3, 4] })

                let file = directory.appendingPathComponent("reassignment.json")
                try Self.reassignmentJson().write(to: file, atomically: true, encoding: .utf8)
                let executed = try await CLIProcess.run(["reassign-partitions", "--zookeeper", cluster.zkConnect, "--execute",
                                                         "--reassignment-json-file", file.path])
                #expect(executed.status == 0, "\(executed.error)")
                #expect(executed.output.contains("Save this to use as the --reassignment-json-file option during rollback"))
                #expect(executed.lines.last == "Successfully started reassignment of partitions.")
                let created = try await zk.zooKeeper.exists(ReassignPartitionsZNode.path)?.ctime

                let elapsed = try await Self.verifyCompleted(cluster, zk, requestCreated: try #require(created), before: before)
                print("Reassignment of 2 partitions (\(Self.records) records) completed \(elapsed) ms after the znode was written")

                let verified = try await CLIProcess.run(["reassign-partitions", "--zookeeper", cluster.zkConnect, "--verify",
                                                         "--reassignment-json-file", file.path])
                #expect(verified.lines == ["Status of partition reassignment: ",
                                           "Reassignment of partition moving-0 completed successfully",
                                           "Reassignment of partition moving-1 completed successfully"])
            }
        }

        /// The controller killed is one of the target replicas (broker 1 must outlive it to delete
        /// its replicas): broker 2, which holds the data and leads moving-1, or broker 4, the new
        /// replica, which gets its LeaderAndIsr only once it is back.
        @Test(arguments: [BrokerId(2), BrokerId(4)])
        func completesAfterTheControllerIsKilledRightAfterTheRequest(controller: BrokerId) async throws {
            try await withKafkaCluster(zooKeepers: 3, ids: [1, 2, 3, 4], sessionTimeoutMs: 6000) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await Self.makeController(controller, zk)
                let before = try await Self.prepare(cluster, zk)
                let (_, epochBefore) = try #require(try await zk.currentController())

                // The controller is frozen before the request is written and killed right after, so
                // that it never acts on it, however the scheduler runs: all is left to its successor.
                let victim = cluster.broker(Int(controller.rawValue))
                let starts = victim.startedCount
                victim.send(SIGSTOP)
                try await zk.createPartitionReassignment(
                    Dictionary(uniqueKeysWithValues: Self.target.map { (TopicPartition(Self.topic, $0.key), $0.value) }))
                let created = try #require(try await zk.zooKeeper.exists(ReassignPartitionsZNode.path)?.ctime)
                await victim.kill9()

                let (successor, epoch) = try await waitFor("a new controller", timeout: .seconds(30)) {
                    try await zk.currentController().flatMap { $0.1 > epochBefore && $0.0 != controller ? $0 : nil }
                }
                try victim.start()
                try await cluster.waitUntilStarted(victim, previousStarts: starts, timeout: .seconds(60))

                let elapsed = try await Self.verifyCompleted(cluster, zk, requestCreated: created, before: before)
                print("Reassignment with controller \(controller) killed completed \(elapsed) ms after the znode was written (new controller \(successor), epoch \(epoch))")
                let successorLog = cluster.broker(Int(successor.rawValue)).log
                #expect(!lines(successorLog, containing: "Partitions being reassigned: [moving-0 -> [2,3,4], moving-1 -> [3,4,2]]").isEmpty)
                #expect(!lines(successorLog, containing: "Handling reassignment of partition moving-0 to new replicas 2,3,4").isEmpty)
                #expect(lines(victim.log, containing: "Handling reassignment of partition").isEmpty, "the first controller never acted")
            }
        }

        @Test func topicDeletionWaitsForTheReassignmentOfItsPartitions() async throws {
            try await withKafkaCluster(zooKeepers: 3, ids: [1, 2, 3, 4], sessionTimeoutMs: 6000) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                // Broker 4 is to be frozen: it must not be the controller.
                let controller = BrokerId(2)
                try await Self.makeController(controller, zk)
                _ = try await Self.prepare(cluster, zk)
                let controllerBroker = cluster.broker(Int(controller.rawValue))
                // Broker 4, frozen, cannot catch up: the reassignment stays in its first phase.
                let four = cluster.broker(4)
                four.send(SIGSTOP)
                try await zk.createPartitionReassignment(
                    Dictionary(uniqueKeysWithValues: Self.target.map { (TopicPartition(Self.topic, $0.key), $0.value) }))
                try await waitUntil("the controller to wait for broker 4", timeout: .seconds(60)) {
                    !lines(controllerBroker.log, containing: "Waiting for new replicas 3,4,2 for partition moving-1 being reassigned to catch up with the leader").isEmpty
                }
                // The tool reports it in progress and refuses a second one.
                let directory = try makeTemporaryDirectory(prefix: "reassign")
                defer { try? FileManager.default.removeItem(at: directory) }
                let file = directory.appendingPathComponent("reassignment.json")
                try Self.reassignmentJson().write(to: file, atomically: true, encoding: .utf8)
                let verified = try await CLIProcess.run(["reassign-partitions", "--zookeeper", cluster.zkConnect, "--verify",
                                                         "--reassignment-json-file", file.path])
                #expect(verified.lines.contains("Reassignment of partition moving-1 is still in progress"))
                let refused = try await CLIProcess.run(["reassign-partitions", "--zookeeper", cluster.zkConnect, "--execute",
                                                        "--reassignment-json-file", file.path])
                #expect(refused.lines == ["There is an existing assignment running."])
                try await zk.requestTopicDeletion(Self.topic)
                try await waitUntil("the controller to defer the deletion", timeout: .seconds(60)) {
                    !lines(controllerBroker.log, containing: "Topic deletion for moving waits: some of its partitions are being reassigned").isEmpty
                }
                #expect(try await zk.zooKeeper.exists(TopicZNode.path(Self.topic)) != nil, "the topic outlives the request while reassigned")
                #expect(lines(controllerBroker.log, containing: "Deletion of topic moving (re)started").isEmpty)

                four.send(SIGCONT)
                try await waitUntil("the reassignment, then the deletion, to complete", timeout: .seconds(180), every: .milliseconds(100)) {
                    let reassigning = try await zk.zooKeeper.exists(ReassignPartitionsZNode.path) != nil
                    let topicExists = try await zk.zooKeeper.exists(TopicZNode.path(Self.topic)) != nil
                    return !reassigning && !topicExists
                }
                #expect(!lines(controllerBroker.log, containing: "Completed reassignment of partition moving-1 to replicas 3,4,2").isEmpty)
                #expect(try await zk.zooKeeper.exists(DeleteTopicsTopicZNode.path(Self.topic)) == nil)
            }
        }
    }
}
