import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import Testing

/// A StopReplica with deletion that fails on a live broker, as in Kafka 2.3: the broker cannot
/// rename a partition's directory (made immutable with `chattr +i`, which stops even root), so it
/// answers KAFKA_STORAGE_ERROR and takes its log directory offline; the controller moves the
/// replica ReplicaDeletionIneligible and halts the topic. Once the directory is repaired and the
/// broker restarted, the controller resumes the deletion (`resumeDeletionForTopics` on broker
/// startup), sends that broker its StopReplica again, and the topic's znodes go. And a halted
/// deletion outlives its controller.
extension RealClusterTests {
    @Suite("Topic deletion retried after a failure")
    struct TopicDeletionRetryTests {
        /// Whether this machine lets the tests make a directory immutable (root, on a file system
        /// with the attribute).
        static let canMakeImmutable: Bool = {
            let probe = FileManager.default.temporaryDirectory.appendingPathComponent("chattr-probe-\(getpid())")
            try? FileManager.default.createDirectory(at: probe, withIntermediateDirectories: true)
            defer { _ = try? chattr("-i", probe.path); try? FileManager.default.removeItem(at: probe) }
            return (try? chattr("+i", probe.path)) == 0
        }()

        @discardableResult
        static func chattr(_ flag: String, _ path: String) throws -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["chattr", flag, path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }

        @Test(.enabled(if: canMakeImmutable, "needs chattr +i (root, on ext4 or a file system like it)"))
        func deletionFailingOnALiveBrokerCompletesOnceTheDirectoryIsRepaired() async throws {
            try await withKafkaCluster { cluster in
                defer { if ProcessInfo.processInfo.environment["PRINT_BROKER_LOGS"] != nil { cluster.printLogs() } }
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let (controller, others) = try await BrokerFailureTests.roles(zk)
                let controllerBroker = cluster.broker(Int(controller.rawValue))
                let topic = "r"
                let partitions: Int32 = 2
                try await Replication.createTopic(zk, topic, partitions: partitions, replicas: [1, 2, 3])
                try await TopicDeletion.fill(controllerBroker, topic: topic, partitions: partitions, recordsPerPartition: 10)
                func directories(_ broker: KafkaCluster.Broker) -> [String] { TopicDeletion.directories(broker, topic: topic) }

                // A follower's directory for r-0 cannot be renamed.
                let victimId = others[0]
                let victim = cluster.broker(Int(victimId.rawValue))
                let pinned = victim.logDirectory.appendingPathComponent("\(topic)-0").path
                #expect(try Self.chattr("+i", pinned) == 0)
                defer { _ = try? Self.chattr("-i", pinned) }

                let client = try WireClient(port: cluster.broker(Int(others[1].rawValue)).port, timeoutSeconds: 30)
                #expect(try TopicCreationTests.deleteTopics(client, [topic]) == [topic: .none])

                // The other brokers delete theirs; the victim answers with errors and the topic is halted.
                for live in [controller, others[1]] {
                    let broker = cluster.broker(Int(live.rawValue))
                    try await waitUntil("broker \(live) to delete its replicas", timeout: .seconds(30)) { directories(broker).isEmpty }
                }
                try await waitUntil("the controller to halt the deletion", timeout: .seconds(30)) {
                    !lines(controllerBroker.log, containing: "Halted deletion of topics \(topic) due to replica deletion failure").isEmpty
                }
                #expect(!lines(controllerBroker.log,
                    containing: "Changed state of replica \(victimId) for partition \(topic)-0 from ReplicaDeletionStarted to ReplicaDeletionIneligible").isEmpty)
                #expect(!lines(controllerBroker.log, containing: "Received StopReplica response from broker \(victimId): ")
                    .filter { $0.contains("\(topic)-0: KAFKA_STORAGE_ERROR") }.isEmpty)
                try await waitUntil("the failed replicas to be readied for a retry", timeout: .seconds(30)) {
                    !lines(controllerBroker.log, containing: "Retrying deletion of topic \(topic) since replicas").isEmpty
                }
                let until = ContinuousClock.now + .seconds(3)
                while ContinuousClock.now < until {
                    #expect(try await zk.zooKeeper.exists("/admin/delete_topics/\(topic)") != nil, "the deletion request stays")
                    #expect(try await zk.topicAssignment(topic) != nil, "the topic stays")
                    try await Task.sleep(for: .milliseconds(250))
                }
                #expect(directories(victim) == ["\(topic)-0", "\(topic)-1"], "the victim kept its replicas")
                #expect(lines(controllerBroker.log, containing: "Deletion of topic \(topic) successfully completed").isEmpty)

                // The directory is repaired and the broker restarted: the deletion resumes and completes.
                #expect(try Self.chattr("-i", pinned) == 0)
                await victim.kill9()
                let starts = victim.startedCount
                try victim.start()
                try await cluster.waitUntilStarted(victim, previousStarts: starts, timeout: .seconds(60))
                try await TopicDeletion.waitUntilCompleted(zk, topic: topic)
                #expect(!lines(controllerBroker.log, containing: "Signaling restart of topic deletion for these topics").isEmpty)
                #expect(!lines(controllerBroker.log,
                    containing: "Changed state of replica \(victimId) for partition \(topic)-0 from ReplicaDeletionStarted to ReplicaDeletionSuccessful").isEmpty)
                #expect(!lines(controllerBroker.log, containing: "Deletion of topic \(topic) successfully completed").isEmpty)
                try await waitUntil("broker \(victimId) to have no replica of \(topic)", timeout: .seconds(30)) { directories(victim).isEmpty }
                #expect(!lines(victim.log, containing: "Stopped replica \(topic)-0 and deleted its log").isEmpty)
            }
        }

        /// A deletion halted by a dead broker when the controller dies: the new controller finds it
        /// in `/admin/delete_topics`, queued and ineligible (Kafka's `fetchTopicDeletionsInProgress`),
        /// and completes it once the dead brokers are back.
        @Test func aHaltedDeletionIsTakenUpByTheNextController() async throws {
            try await withKafkaCluster { cluster in
                defer { if ProcessInfo.processInfo.environment["PRINT_BROKER_LOGS"] != nil { cluster.printLogs() } }
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let (controller, others) = try await BrokerFailureTests.roles(zk)
                let (oldController, follower, survivor) = (
                    cluster.broker(Int(controller.rawValue)), cluster.broker(Int(others[0].rawValue)), cluster.broker(Int(others[1].rawValue)))
                let topic = "f"
                try await Replication.createTopic(zk, topic, partitions: 2, replicas: [1, 2, 3])
                func directories(_ broker: KafkaCluster.Broker) -> [String] { TopicDeletion.directories(broker, topic: topic) }

                await follower.kill9()
                try await waitUntil("the controller to see broker \(others[0]) gone", timeout: .seconds(30)) {
                    !lines(oldController.log, containing: "deleted brokers: [\(others[0])]").isEmpty
                }
                let client = try WireClient(port: survivor.port, timeoutSeconds: 30)
                #expect(try TopicCreationTests.deleteTopics(client, [topic]) == [topic: .none])
                try await waitUntil("the deletion to halt", timeout: .seconds(30)) {
                    !lines(oldController.log, containing: "Halted deletion of topics \(topic) due to offline replicas").isEmpty
                }
                for broker in [oldController, survivor] {
                    try await waitUntil("broker \(broker.id) to delete its replicas", timeout: .seconds(30)) { directories(broker).isEmpty }
                }

                // The controller dies; the survivor takes over with the deletion still pending.
                await oldController.kill9()
                try await waitUntil("broker \(others[1]) to become the controller", timeout: .seconds(60)) {
                    try await zk.controllerId() == others[1]
                }
                try await waitUntil("the new controller to queue the deletion as ineligible", timeout: .seconds(30)) {
                    !lines(survivor.log, containing: "List of topics ineligible for deletion: \(topic)").isEmpty
                }
                #expect(!lines(survivor.log, containing: "List of topics to be deleted: \(topic)").isEmpty)
                #expect(try await zk.zooKeeper.exists("/brokers/topics/\(topic)") != nil, "the topic waits for its replicas")

                // Both brokers return: the new controller completes the deletion.
                for broker in [follower, oldController] {
                    let starts = broker.startedCount
                    try broker.start()
                    try await cluster.waitUntilStarted(broker, previousStarts: starts, timeout: .seconds(60))
                }
                try await waitUntil("the new controller to finish the deletion", timeout: .seconds(60)) {
                    let assignmentGone = try await zk.zooKeeper.exists("/brokers/topics/\(topic)") == nil
                    let requestGone = try await zk.zooKeeper.exists("/admin/delete_topics/\(topic)") == nil
                    return assignmentGone && requestGone
                }
                #expect(!lines(survivor.log, containing: "Deletion of topic \(topic) successfully completed").isEmpty)
                for broker in cluster.brokers {
                    try await waitUntil("broker \(broker.id) to have no replica of \(topic)", timeout: .seconds(30)) { directories(broker).isEmpty }
                }
            }
        }
    }
}
