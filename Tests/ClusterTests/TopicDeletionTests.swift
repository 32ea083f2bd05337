import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import Testing

/// Topic deletion that has to wait for a broker: as in Kafka 2.3's `TopicDeletionManager`, the
/// replicas on a dead broker are ReplicaDeletionIneligible and the topic's deletion is halted
/// (its request stays in `/admin/delete_topics`) until the broker comes back, gets its
/// StopReplica with deletion, and the topic's znodes go.
extension RealClusterTests {
    @Suite("Topic deletion waiting for a dead broker")
    struct TopicDeletionTests {
        @Test func deletionWithAReplicaBrokerDownCompletesWhenItReturns() async throws {
            try await withKafkaCluster { cluster in
                defer { if ProcessInfo.processInfo.environment["PRINT_BROKER_LOGS"] != nil { cluster.printLogs() } }
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let (controller, others) = try await BrokerFailureTests.roles(zk)
                let controllerBroker = cluster.broker(Int(controller.rawValue))
                let topic = "t"
                let partitions: Int32 = 3
                try await Replication.createTopic(zk, topic, partitions: partitions, replicas: [1, 2, 3],
                                                  config: ["retention.ms": "3600000"])
                try await TopicDeletion.fill(controllerBroker, topic: topic, partitions: partitions, recordsPerPartition: 20)
                func directories(_ broker: KafkaCluster.Broker) -> [String] { TopicDeletion.directories(broker, topic: topic) }
                for broker in cluster.brokers { #expect(directories(broker).count == Int(partitions)) }

                // A follower dies and the controller handles its failure.
                let dead = others[0]
                let deadBroker = cluster.broker(Int(dead.rawValue))
                await deadBroker.kill9()
                try await waitUntil("the controller to see broker \(dead) gone", timeout: .seconds(30)) {
                    !lines(controllerBroker.log, containing: "deleted brokers: [\(dead)]").isEmpty
                }

                let client = try WireClient(port: cluster.broker(Int(others[1].rawValue)).port, timeoutSeconds: 30)
                #expect(try TopicCreationTests.deleteTopics(client, [topic]) == [topic: .none])

                // The live replicas are deleted; the dead broker's are ineligible and the topic waits.
                for live in [controller, others[1]] {
                    let broker = cluster.broker(Int(live.rawValue))
                    try await waitUntil("broker \(live) to delete its replicas", timeout: .seconds(30)) { directories(broker).isEmpty }
                    try await waitUntil("the controller to learn broker \(live) deleted its replicas", timeout: .seconds(30)) {
                        !lines(controllerBroker.log, containing: "Deletion successfully completed for replicas")
                            .filter { $0.contains("Replica=\(live)]") }.isEmpty
                    }
                }
                for partition in 0..<partitions {
                    #expect(!lines(controllerBroker.log,
                        containing: "Changed state of replica \(dead) for partition \(topic)-\(partition) from OfflineReplica to ReplicaDeletionIneligible").isEmpty)
                }
                #expect(!lines(controllerBroker.log, containing: "Halted deletion of topics \(topic) due to offline replicas").isEmpty)
                // Both live brokers' answers are in; for a while after them the deletion stays pending.
                let until = ContinuousClock.now + .seconds(3)
                while ContinuousClock.now < until {
                    #expect(try await zk.zooKeeper.exists("/admin/delete_topics/\(topic)") != nil, "the deletion request stays")
                    #expect(try await zk.topicAssignment(topic) != nil, "the topic stays")
                    try await Task.sleep(for: .milliseconds(250))
                }
                #expect(lines(controllerBroker.log, containing: "Deletion of topic \(topic) successfully completed").isEmpty)
                #expect(directories(deadBroker).count == Int(partitions), "the dead broker's replicas are untouched")

                // The broker returns: it gets its StopReplica and the deletion completes.
                let starts = deadBroker.startedCount
                try deadBroker.start()
                try await cluster.waitUntilStarted(deadBroker, previousStarts: starts, timeout: .seconds(60))
                try await TopicDeletion.waitUntilCompleted(zk, topic: topic)
                #expect(!lines(controllerBroker.log, containing: "Signaling restart of topic deletion for these topics").isEmpty)
                #expect(!lines(controllerBroker.log, containing: "Deletion of topic \(topic) successfully completed").isEmpty)
                for broker in cluster.brokers {
                    try await waitUntil("broker \(broker.id) to have no replica of \(topic)", timeout: .seconds(30)) { directories(broker).isEmpty }
                }
                #expect(!lines(deadBroker.log, containing: "Stopped replica \(topic)-0 and deleted its log").isEmpty)
            }
        }
    }
}
