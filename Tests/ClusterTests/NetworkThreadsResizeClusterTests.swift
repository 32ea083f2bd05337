import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import Testing

/// `num.network.threads` changed at run time through AlterConfigs (Kafka 2.3's
/// `SocketServer.resizeThreadPool`): the broker adds processors, then removes them again, closing
/// their connections; clients reconnect, and a producer and a consumer running through both
/// changes lose nothing.
extension RealClusterTests {
    @Suite("Network threads resized at run time")
    struct NetworkThreadsResizeClusterTests {
        typealias Configs = TopicConfigTests
        typealias ResourceType = DescribeConfigs.ResourceType

        /// The JSON summary line `steady_client.py` prints last.
        struct Summary: Decodable {
            let produced: Int
            let consumed: Int
            let missing: Int
            let failed: Int
            let disconnects: Int
        }

        /// Starts `steady_client.py` as `name` and waits until its first record came back.
        static func startClient(_ cluster: KafkaCluster, _ name: String, topic: String, stop: URL) async throws -> ChildProcess {
            let ready = cluster.directory.appendingPathComponent("ready-\(name)")
            let client = try ChildProcess(
                name: "steady-\(name)", executable: "/usr/bin/env",
                arguments: ["python3", Replication.script("steady_client.py"), "127.0.0.1:\(cluster.broker(1).port)", topic, name,
                            ready.path, stop.path],
                logFile: cluster.directory.appendingPathComponent("client-\(name).log"))
            try await waitUntil("client \(name) to read its first record back", timeout: .seconds(60)) {
                FileManager.default.fileExists(atPath: ready.path)
            }
            return client
        }

        static func summary(_ client: ChildProcess) throws -> Summary {
            let line = try #require(client.log.split(separator: "\n").last { $0.hasPrefix("{") })
            return try JSONDecoder().decode(Summary.self, from: Data(line.utf8))
        }

        /// One DescribeConfigs round trip on `client`; false if the broker closed the connection.
        static func answers(_ client: WireClient) -> Bool {
            (try? Configs.describe(client, ResourceType.broker, "1", keys: ["num.network.threads"]).errorCode) == ErrorCode.none
        }

        @Test func raisingAndLoweringNumNetworkThreadsKeepsClientsWorking() async throws {
            try await withKafkaCluster(zooKeepers: 1, ids: [1]) { cluster in
                defer { if ProcessInfo.processInfo.environment["PRINT_BROKER_LOGS"] != nil { cluster.printLogs() } }
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let broker = cluster.broker(1)
                let topic = "steady"
                try await Replication.createTopic(zk, topic, partitions: 1, replicas: [1], config: [:])
                let stop = cluster.directory.appendingPathComponent("stop-clients")
                // Client "a" runs through both changes; its connections are on processors 0-2, which stay.
                let a = try await Self.startClient(cluster, "a", topic: topic, stop: stop)

                let admin = try WireClient(port: broker.port, timeoutSeconds: 30)
                let raised = try Configs.alter(admin, type: ResourceType.broker, "1", ["num.network.threads": "6"])
                #expect(raised.errorCode == .none, "\(raised.errorMessage ?? "")")
                try await waitUntil("the broker to add 3 processors", timeout: .seconds(30)) {
                    !lines(broker.log, containing: "Resizing network thread pool size for each listener from 3 to 6").isEmpty
                }
                #expect(Configs.configs(try Configs.describe(admin, ResourceType.broker, "1"))["num.network.threads"]?.value == "6")

                // Six connections opened one after another go to six processors in turn: whatever
                // the round-robin position, three land on processors 3-5.
                let probes = try (0..<6).map { _ in try WireClient(port: broker.port, timeoutSeconds: 30) }
                #expect(probes.allSatisfy(Self.answers), "every processor serves requests")
                // Client "b" connects while six processors take connections.
                let b = try await Self.startClient(cluster, "b", topic: topic, stop: stop)

                // Kafka's bounds: not below half of 6.
                let tooFew = try Configs.alter(admin, type: ResourceType.broker, "1", ["num.network.threads": "2"])
                #expect(tooFew.errorCode == .invalidRequest
                        && tooFew.errorMessage?.contains("at least half the current value 6") == true, "\(tooFew.errorMessage ?? "")")
                let lowered = try Configs.alter(admin, type: ResourceType.broker, "1", ["num.network.threads": "3"])
                #expect(lowered.errorCode == .none, "\(lowered.errorMessage ?? "")")
                try await waitUntil("the broker to remove 3 processors", timeout: .seconds(30)) {
                    !lines(broker.log, containing: "Resizing network thread pool size for each listener from 6 to 3").isEmpty
                }
                // The probes on removed processors are closed by the broker; the others still work.
                var closed = 0
                try await waitUntil("the connections on removed processors to close", timeout: .seconds(30)) {
                    closed = probes.filter { !Self.answers($0) }.count
                    return closed >= 3
                }
                #expect(closed == 3, "exactly the three probes on processors 3-5 were closed")
                // A closed connection's client reconnects and is served; DescribeConfigs shows 3.
                let reconnected = try WireClient(port: broker.port, timeoutSeconds: 30)
                let described = Configs.configs(try Configs.describe(reconnected, ResourceType.broker, "1"))
                #expect(described["num.network.threads"]?.value == "3")
                #expect(described["num.network.threads"]?.configSource == DescribeConfigs.ConfigSource.dynamicBrokerConfig)

                // Both clients go on producing and consuming after the change, then stop.
                let before = try #require(try CompactedTopicKeyTests.logEndOffset(reconnected, topic))
                do {
                    try await waitUntil("more records after the processors were removed", timeout: .seconds(60), every: .milliseconds(200)) {
                        (try CompactedTopicKeyTests.logEndOffset(reconnected, topic) ?? 0) > before + 20
                    }
                } catch {
                    Issue.record("\(error); client a: \(a.log.suffix(1500)); client b: \(b.log.suffix(1500))")
                    throw error
                }
                FileManager.default.createFile(atPath: stop.path, contents: nil)
                for (name, client) in [("a", a), ("b", b)] {
                    #expect(await client.waitForExit(timeout: .seconds(120)) == 0, "client \(name): \(client.log.suffix(1500))")
                    let summary = try Self.summary(client)
                    #expect(summary.produced > 0 && summary.failed == 0, "client \(name): \(summary)")
                    #expect(summary.missing == 0 && summary.consumed == summary.produced,
                            "client \(name) consumed every record it produced: \(summary)")
                }
                // The topic holds every acknowledged record once.
                let all = try Replication.consumeAll(broker, topic: topic)
                #expect(all.count == (try Self.summary(a)).produced + (try Self.summary(b)).produced)
            }
        }
    }
}
