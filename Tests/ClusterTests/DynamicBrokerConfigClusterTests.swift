import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import Testing

/// Dynamic broker configs (KIP-226) on real brokers: AlterConfigs and `kafka configs` write
/// `/config/brokers/<id>` and `/config/brokers/<default>`, every broker concerned applies them
/// to its live logs through `/config/changes`, DescribeConfigs reports their sources, and a
/// restarted broker starts with them.
extension RealClusterTests {
    @Suite("Dynamic broker configs", .serialized)
    struct DynamicBrokerConfigClusterTests {
        typealias Source = DescribeConfigs.ConfigSource
        typealias ResourceType = DescribeConfigs.ResourceType
        typealias Configs = TopicConfigTests

        /// The segment files of `topic-0` in `broker`'s log directory.
        static func segmentCount(_ broker: KafkaCluster.Broker, _ topic: String) -> Int {
            Replication.segments(broker, TopicPartition(topic, 0)).count
        }

        /// One record of about 400 bytes per produce request (acks=all), so the leader appends
        /// them one batch at a time.
        static func produce(_ broker: KafkaCluster.Broker, _ topic: String, count: Int) throws {
            for i in 0..<count {
                let value = "record-\(i)-" + String(repeating: "x", count: 400)
                let produced = try ProduceConsumeTests.kcat(
                    ["-b", "127.0.0.1:\(broker.port)", "-P", "-t", topic, "-p", "0", "-X", "acks=all"], input: value + "\n")
                #expect(produced.status == 0)
            }
        }

        @Test func perBrokerAndDefaultConfigsApplyLiveAndSurviveARestart() async throws {
            try await withKafkaCluster(zooKeepers: 1, ids: [1, 2]) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let (broker1, broker2) = (cluster.broker(1), cluster.broker(2))
                let client1 = try WireClient(port: broker1.port, timeoutSeconds: 30)
                let client2 = try WireClient(port: broker2.port, timeoutSeconds: 30)
                // Broker 1 leads partition 0 of both topics; "pinned" overrides segment.bytes.
                let created = try TopicCreationTests.createTopics(client1, CreateTopics.Request(topics: [
                    .init(name: "dyn", numPartitions: -1, replicationFactor: -1, assignments: [.init(partitionIndex: 0, brokerIds: [1, 2])]),
                    .init(name: "pinned", numPartitions: -1, replicationFactor: -1, assignments: [.init(partitionIndex: 0, brokerIds: [1, 2])],
                          configs: [.init(name: "segment.bytes", value: "1048576")]),
                ], timeoutMs: 20_000))
                #expect(created.topics.map(\.errorCode) == [.none, .none])

                // Refused: read-only keys, the thread pools this broker cannot resize, bad values,
                // another broker's id, unknown keys. Nothing is written.
                let threads = try Configs.alter(client1, type: ResourceType.broker, "1", ["background.threads": "4"])
                #expect(threads.errorCode == .invalidRequest)
                #expect(threads.errorMessage == "Invalid config value for resource ConfigResource(type=BROKER, name='1'): Cannot update these configs dynamically: Set(background.threads)")
                let tooFew = try Configs.alter(client1, type: ResourceType.broker, "1", ["num.io.threads": "3"])
                #expect(tooFew.errorCode == .invalidRequest && tooFew.errorMessage?.contains("at least half the current value 8") == true)
                #expect(try Configs.alter(client1, type: ResourceType.broker, "1", ["log.retention.ms": "soon"]).errorCode == .invalidRequest)
                #expect(try Configs.alter(client1, type: ResourceType.broker, "", ["broker.id": "7"]).errorCode == .invalidRequest)
                #expect(try Configs.alter(client1, type: ResourceType.broker, "2", ["log.retention.ms": "1000"]).errorCode == .invalidRequest)
                #expect(try Configs.alter(client1, type: ResourceType.broker, "1", ["no.such.config": "1"]).errorCode == .invalidRequest)
                #expect(try Configs.alter(client1, type: ResourceType.broker, "1", ["log.segment.bytes": "1024"], validateOnly: true).errorCode == .none)
                #expect(try await zk.brokerConfig(1).isEmpty)
                #expect(try await zk.brokerConfig(nil).isEmpty)

                // Broker 1 alone: small segments. Its leader log rolls; broker 2's replica does not.
                #expect(try Configs.alter(client1, type: ResourceType.broker, "1",
                                          ["log.segment.bytes": "1024", "log.retention.ms": "7200000"]).errorCode == .none)
                #expect(try await zk.brokerConfig(1) == ["log.segment.bytes": "1024", "log.retention.ms": "7200000"])
                try await waitUntil("broker 1 to apply its dynamic configs") {
                    Configs.configs(try Configs.describe(client1, ResourceType.broker, "1"))["log.segment.bytes"]?.value == "1024"
                }
                let segmentBytes = try #require(Configs.configs(try Configs.describe(client1, ResourceType.broker, "1"))["log.segment.bytes"])
                #expect(segmentBytes.configSource == Source.dynamicBrokerConfig && !segmentBytes.readOnly)
                #expect(segmentBytes.synonyms == [.init(name: "log.segment.bytes", value: "1024", source: Source.dynamicBrokerConfig),
                                                  .init(name: "log.segment.bytes", value: "1073741824", source: Source.defaultConfig)])
                let topicOn1 = Configs.configs(try Configs.describe(client1, ResourceType.topic, "dyn"))
                #expect(topicOn1["segment.bytes"]?.value == "1024" && topicOn1["segment.bytes"]?.configSource == Source.dynamicBrokerConfig)
                #expect(topicOn1["retention.ms"]?.value == "7200000")
                #expect(Configs.configs(try Configs.describe(client2, ResourceType.topic, "dyn"))["segment.bytes"]?.value == "1073741824")
                try await waitUntil("broker 1 to give the new defaults to its logs") {
                    !lines(broker1.log, containing: "Applied the new broker log defaults to 2 logs").isEmpty
                }
                try Self.produce(broker1, "dyn", count: 5)
                try Self.produce(broker1, "pinned", count: 5)
                #expect(Self.segmentCount(broker1, "dyn") >= 2, "broker 1 rolls at 1024 bytes")
                #expect(Self.segmentCount(broker2, "dyn") == 1, "broker 2 keeps the static 1 GiB")
                #expect(Self.segmentCount(broker1, "pinned") == 1, "the topic's own segment.bytes wins")

                // The cluster-wide default, with the CLI: broker 2 takes it, broker 1 keeps its own.
                let bootstrap = ["--bootstrap-server", "127.0.0.1:\(broker2.port)"]
                let altered = try await CLIProcess.run(["configs"] + bootstrap + [
                    "--entity-type", "brokers", "--entity-default", "--alter", "--add-config", "log.segment.bytes=2048,log.retention.ms=3600000"])
                #expect(altered.status == 0, "\(altered.error)")
                #expect(altered.lines == ["Completed updating default config for brokers in the cluster."])
                #expect(try await zk.brokerConfig(nil) == ["log.segment.bytes": "2048", "log.retention.ms": "3600000"])
                try await waitUntil("broker 2 to apply the cluster-wide defaults") {
                    Configs.configs(try Configs.describe(client2, ResourceType.broker, "2"))["log.segment.bytes"]?.value == "2048"
                }
                let retention2 = try #require(Configs.configs(try Configs.describe(client2, ResourceType.broker, "2"))["log.retention.ms"])
                #expect(retention2.value == "3600000" && retention2.configSource == Source.dynamicDefaultBrokerConfig)
                let defaults = try Configs.describe(client2, ResourceType.broker, "")
                #expect(defaults.configs.map(\.name) == ["log.retention.ms", "log.segment.bytes"])
                #expect(defaults.configs.allSatisfy { $0.configSource == Source.dynamicDefaultBrokerConfig })
                // Broker 1 learns the default too, beneath its own value.
                try await waitUntil("broker 1 to read the cluster-wide defaults") {
                    let retention = Configs.configs(try Configs.describe(client1, ResourceType.broker, "1"))["log.retention.ms"]
                    return retention?.synonyms.map(\.source) == [Source.dynamicBrokerConfig, Source.dynamicDefaultBrokerConfig, Source.defaultConfig]
                }
                let retention1 = try #require(Configs.configs(try Configs.describe(client1, ResourceType.broker, "1"))["log.retention.ms"])
                #expect(retention1.value == "7200000" && retention1.configSource == Source.dynamicBrokerConfig)
                try await waitUntil("broker 2 to give the new defaults to its logs") {
                    !lines(broker2.log, containing: "Applied the new broker log defaults to 2 logs").isEmpty
                }
                try Self.produce(broker1, "dyn", count: 1)
                try await waitUntil("broker 2's replica to roll past 2048 bytes") { Self.segmentCount(broker2, "dyn") >= 2 }
                let describedDefault = try await CLIProcess.run(["configs"] + bootstrap + ["--entity-type", "brokers", "--entity-default", "--describe"])
                #expect(describedDefault.lines.first == "Default configs for brokers in the cluster are:")
                #expect(describedDefault.lines.dropFirst().map { $0.split(separator: " ").first ?? "" }
                    == ["log.retention.ms=3600000", "log.segment.bytes=2048"])
                let deleted = try await CLIProcess.run(["configs", "--bootstrap-server", "127.0.0.1:\(broker1.port)",
                                                        "--entity-type", "brokers", "--entity-name", "1", "--alter", "--delete-config", "log.retention.ms"])
                #expect(deleted.status == 0, "\(deleted.error)")
                #expect(deleted.lines == ["Completed updating config for broker 1."])
                #expect(try await zk.brokerConfig(1) == ["log.segment.bytes": "1024"])
                try await waitUntil("broker 1 to fall back to the default retention") {
                    Configs.configs(try Configs.describe(client1, ResourceType.broker, "1"))["log.retention.ms"]?.value == "3600000"
                }

                // The request handler pool resizes live, and keeps answering.
                #expect(try Configs.alter(client1, type: ResourceType.broker, "1",
                                          ["log.segment.bytes": "1024", "num.io.threads": "4"]).errorCode == .none)
                try await waitUntil("broker 1 to resize its request handler pool") {
                    !lines(broker1.log, containing: "Resized the request handler pool to 4 threads (num.io.threads)").isEmpty
                }
                let ioThreads = try #require(Configs.configs(try Configs.describe(client1, ResourceType.broker, "1"))["num.io.threads"])
                #expect(ioThreads.value == "4" && ioThreads.configSource == Source.dynamicBrokerConfig && !ioThreads.readOnly)
                try Self.produce(broker1, "pinned", count: 2)

                // A restarted broker reads both znodes before loading its logs.
                await broker1.kill9()
                try broker1.start()
                try await cluster.waitUntilStarted(broker1, previousStarts: 1)
                let restarted = try WireClient(port: broker1.port, timeoutSeconds: 30)
                let afterRestart = Configs.configs(try Configs.describe(restarted, ResourceType.broker, "1"))
                #expect(afterRestart["log.segment.bytes"]?.value == "1024" && afterRestart["log.segment.bytes"]?.configSource == Source.dynamicBrokerConfig)
                #expect(afterRestart["log.retention.ms"]?.value == "3600000"
                    && afterRestart["log.retention.ms"]?.configSource == Source.dynamicDefaultBrokerConfig)
                #expect(afterRestart["num.io.threads"]?.value == "4")
                #expect(Configs.configs(try Configs.describe(restarted, ResourceType.topic, "dyn"))["segment.bytes"]?.value == "1024")
                // Whoever leads dyn-0 now, broker 1's replica of it still rolls at 1024 bytes.
                let before = Self.segmentCount(broker1, "dyn")
                try Self.produce(broker2, "dyn", count: 3)
                try await waitUntil("the restarted broker 1 to roll its replica at 1024 bytes") {
                    Self.segmentCount(broker1, "dyn") > before
                }
            }
        }

        /// The controller sees a dynamic `unclean.leader.election.enable`: an offline partition
        /// whose only live replica was never in sync stays offline until the cluster-wide default
        /// enables unclean elections, then is led by it at once.
        @Test func aDynamicUncleanElectionDefaultReachesTheController() async throws {
            try await withKafkaCluster(zooKeepers: 1, sessionTimeoutMs: 3000) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let (controller, others) = try await BrokerFailureTests.roles(zk)
                let (x, y) = (others[0], others[1])
                let controllerBroker = cluster.broker(Int(controller.rawValue))

                // y down while the topic starts: x alone is in the ISR; then x dies too.
                await cluster.broker(Int(y.rawValue)).kill9()
                try await waitUntil("the controller to see \(y) gone", timeout: .seconds(20)) {
                    !lines(controllerBroker.log, containing: "deleted brokers: [\(y)]").isEmpty
                }
                let tp = TopicPartition("stranded", 0)
                try await zk.createTopic("stranded", assignment: [0: [x, y]], config: [:])
                try await BrokerFailureTests.started(zk, [tp])
                await cluster.broker(Int(x.rawValue)).kill9()
                _ = try await waitFor("stranded-0 to go offline", timeout: .seconds(20)) {
                    try await zk.partitionState(tp).flatMap { $0.leaderAndIsr.leader == LeaderAndIsr.noLeader ? $0 : nil }
                }
                let yBroker = cluster.broker(Int(y.rawValue))
                let returns = lines(controllerBroker.log, containing: "newly added brokers: [\(y)]").count
                try yBroker.start()
                try await cluster.waitUntilStarted(yBroker, previousStarts: 1, timeout: .seconds(30))
                try await waitUntil("the controller to see \(y) back", timeout: .seconds(20)) {
                    lines(controllerBroker.log, containing: "newly added brokers: [\(y)]").count > returns
                }
                #expect(try await zk.partitionState(tp)?.leaderAndIsr.leader == LeaderAndIsr.noLeader, "clean elections only")

                let client = try WireClient(port: controllerBroker.port, timeoutSeconds: 30)
                #expect(try Configs.alter(client, type: ResourceType.broker, "", ["unclean.leader.election.enable": "true"]).errorCode == .none)
                let led = try await waitFor("stranded-0 to be led uncleanly by \(y)", timeout: .seconds(20)) {
                    try await zk.partitionState(tp).flatMap { $0.leaderAndIsr.leader == y ? $0 : nil }
                }
                #expect(led.leaderAndIsr.isr == [y])
                #expect(!lines(controllerBroker.log, containing: "Unclean leader election has been enabled by default").isEmpty)
            }
        }
    }
}
