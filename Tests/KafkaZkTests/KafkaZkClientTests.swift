import Foundation
import KafkaCommon
import KafkaTestKit
import KafkaZk
import Testing
import ZooKeeper

@Suite("KafkaZkClient start-up and broker registration against a real ZooKeeper")
struct KafkaZkClientTests {
    @Test func connectCreatesAMissingChroot() async throws {
        try await withZkChroot { z in
            #expect(try await z.root.exists(z.chroot) == nil)
            let zk = try await z.client()
            #expect(try await z.root.exists(z.chroot) != nil)
            try await zk.zooKeeper.create("/inside", data: Array("x".utf8))
            #expect(try await z.text("/inside") == "x", "the client works under its chroot")

            // A deeper chroot is created with its parents; an existing one is used as it is.
            let nested = try await KafkaZkClient.connect(
                z.ensemble.connectString(chroot: z.chroot + "/a/b"), sessionTimeout: .seconds(6),
                connectionTimeout: .seconds(10), logger: testLogger)
            await nested.close()
            #expect(try await z.znode("/a/b") != nil)
            _ = try await z.client()
            #expect(try await z.text("/inside") == "x")
        }
    }

    @Test func createTopLevelPathsCreatesKafkasLayout() async throws {
        try await withZkChroot { z in
            let zk = try await z.client()
            try await zk.createTopLevelPaths()
            for path in PersistentZkPaths.all {
                let node = try #require(try await z.znode(path), "\(path)")
                #expect(node.data.isEmpty, "\(path)")
                #expect(!node.stat.isEphemeral, "\(path)")
            }
            #expect(Set(try await zk.zooKeeper.children("/").names) == [
                "admin", "brokers", "config", "consumers", "isr_change_notification", "latest_producer_id_block",
                "log_dir_event_notification",
            ])
            #expect(Set(try await zk.zooKeeper.children("/brokers").names) == ["ids", "topics", "seqid"])
            #expect(try await zk.zooKeeper.children("/admin").names == ["delete_topics"])
            #expect(Set(try await zk.zooKeeper.children("/config").names) ==
                ["changes", "topics", "clients", "users", "brokers"])
        }
    }

    @Test func createTopLevelPathsIsIdempotent() async throws {
        try await withZkChroot { z in
            let zk = try await z.client()
            try await zk.createTopLevelPaths()
            try await zk.createTopLevelPaths()
            // Another broker starting later finds them present; existing nodes are not touched and
            // a missing one is created again.
            _ = try await zk.zooKeeper.setData("/brokers/topics", data: Array("keep".utf8))
            try await zk.zooKeeper.create("/brokers/topics/t1", data: Array("{}".utf8))
            try await zk.zooKeeper.delete("/brokers/seqid")
            let other = try await z.client()
            try await other.createTopLevelPaths()
            for path in PersistentZkPaths.all {
                #expect(try await z.znode(path) != nil, "\(path)")
            }
            let topics = try #require(try await z.znode("/brokers/topics"))
            #expect(topics.data == Array("keep".utf8))
            #expect(topics.stat.version == 1)
            #expect(try await z.text("/brokers/topics/t1") == "{}")
        }
    }

    @Test func clusterIdIsCreatedOnce() async throws {
        try await withZkChroot { z in
            let first = try await z.client()
            let proposed = KafkaZkClient.generateClusterId()
            let id = try await first.getOrCreateClusterId(proposed: proposed)
            #expect(id == proposed)
            #expect(try await z.text("/cluster/id") == #"{"version":"1","id":"\#(id)"}"#)
            #expect(try await z.znode("/cluster/id")?.stat.isEphemeral == false)

            #expect(try await first.getOrCreateClusterId(proposed: KafkaZkClient.generateClusterId()) == id)
            let second = try await z.client()
            #expect(try await second.getOrCreateClusterId(proposed: KafkaZkClient.generateClusterId()) == id)
            #expect(try await z.znode("/cluster/id")?.stat.version == 0, "never rewritten")
        }
    }

    @Test func concurrentStartsAgreeOnOneClusterId() async throws {
        try await withZkChroot { z in
            var clients: [KafkaZkClient] = []
            for _ in 0..<4 { clients.append(try await z.client()) }
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for client in clients {
                    group.addTask { try await client.getOrCreateClusterId(proposed: KafkaZkClient.generateClusterId()) }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(ids.count == 4)
            #expect(Set(ids).count == 1, "\(ids)")
            let stored = try ClusterIdZNode.decode(try #require(try await z.znode("/cluster/id")).data)
            #expect(ids.first == stored)
        }
    }

    @Test func registerBrokerCreatesAnEphemeralOwnedBySession() async throws {
        try await withZkChroot { z in
            let zk = try await z.client()
            try await zk.createTopLevelPaths()
            let info = plaintextBroker(1, port: 39191)
            let czxid = try await zk.registerBroker(info, staleRegistrationWait: .seconds(1))

            let node = try #require(try await z.znode("/brokers/ids/1"))
            #expect(node.data == BrokerIdZNode.encode(info))
            #expect(node.stat.ephemeralOwner == zk.zooKeeper.sessionId)
            #expect(node.stat.czxid == czxid)
            #expect(try await zk.brokerInfo(1) == info)
            #expect(try await zk.brokerInfo(2) == nil)

            // A retry from the same session (say after a lost connection) is a success, and
            // leaves the node as it was.
            let again = try await zk.registerBroker(info, staleRegistrationWait: .seconds(1))
            #expect(again == czxid)
            #expect(try await z.znode("/brokers/ids/1")?.stat == node.stat)

            await zk.close()
            try await waitUntil("the registration to go with its session") { try await z.znode("/brokers/ids/1") == nil }
        }
    }

    @Test func registeringAnIdHeldByAnotherLiveSessionFails() async throws {
        try await withZkChroot { z in
            let holder = try await z.client()
            try await holder.createTopLevelPaths()
            try await holder.registerBroker(plaintextBroker(1, port: 39191), staleRegistrationWait: .seconds(1))
            let before = try #require(try await z.znode("/brokers/ids/1"))

            let intruder = try await z.client()
            let clock = ContinuousClock()
            let start = clock.now
            await #expect(throws: KafkaZkError.brokerIdInUse(
                1, owner: holder.zooKeeper.sessionId, endpoints: ["PLAINTEXT://127.0.0.1:39191"])
            ) {
                try await intruder.registerBroker(plaintextBroker(1, port: 40000), staleRegistrationWait: .milliseconds(500))
            }
            let elapsed = clock.now - start
            #expect(elapsed >= .milliseconds(500), "it waited for a stale registration to expire")
            #expect(elapsed < .seconds(5), "and gave up once the wait was over: \(elapsed)")

            let after = try #require(try await z.znode("/brokers/ids/1"))
            #expect(after.data == before.data)
            #expect(after.stat == before.stat)
            #expect(try await intruder.liveBrokerIds() == [1])
        }
    }

    @Test func registrationWaitsForAStaleSessionToGo() async throws {
        try await withZkChroot { z in
            let previous = try await z.client()
            try await previous.createTopLevelPaths()
            try await previous.registerBroker(plaintextBroker(1, port: 39191, timestamp: 1), staleRegistrationWait: .seconds(1))

            let restarted = try await z.client()
            let info = plaintextBroker(1, port: 39192, timestamp: 2)
            let clock = ContinuousClock()
            let start = clock.now
            let registration = Task { try await restarted.registerBroker(info, staleRegistrationWait: .seconds(10)) }
            // The previous incarnation's session ends while the new one waits.
            try await Task.sleep(for: .milliseconds(300))
            await previous.close()
            let czxid = try await registration.value
            let elapsed = clock.now - start
            #expect(elapsed < .seconds(5), "it reacted to the deletion instead of waiting it out: \(elapsed)")

            let node = try #require(try await z.znode("/brokers/ids/1"))
            #expect(node.stat.ephemeralOwner == restarted.zooKeeper.sessionId)
            #expect(node.stat.czxid == czxid)
            #expect(node.data == BrokerIdZNode.encode(info))
            #expect(try await restarted.brokerInfo(1) == info)
        }
    }

    @Test func liveBrokersReflectRegistrations() async throws {
        try await withZkChroot { z in
            let observer = try await z.client()
            try await observer.createTopLevelPaths()
            #expect(try await observer.liveBrokerIds() == [])
            #expect(try await observer.allBrokersInCluster() == [])

            var brokers: [BrokerId: KafkaZkClient] = [:]
            for id: BrokerId in [10, 2, 1] {
                let broker = try await z.client()
                try await broker.registerBroker(plaintextBroker(id, port: 9000 + id.rawValue), staleRegistrationWait: .seconds(1))
                brokers[id] = broker
            }
            #expect(try await observer.liveBrokerIds() == [1, 2, 10], "sorted as numbers, not names")
            #expect(try await observer.allBrokersInCluster() == [
                plaintextBroker(1, port: 9001), plaintextBroker(2, port: 9002), plaintextBroker(10, port: 9010),
            ])

            await brokers[2]?.close()
            try await waitUntil("broker 2 to leave") { try await observer.liveBrokerIds() == [1, 10] }
            #expect(try await observer.allBrokersInCluster().map(\.id) == [1, 10])

            // Children that are not broker ids are left out.
            try await observer.zooKeeper.create("/brokers/ids/not-a-broker")
            #expect(try await observer.liveBrokerIds() == [1, 10])
        }
    }
}
