import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import NIOCore
import Testing

/// DescribeConfigs and AlterConfigs against a real broker: topic configs live in
/// `/config/topics/<t>`, and a change reaches the broker's logs through `/config/changes`.
extension RealClusterTests {
    @Suite("Topic and broker configs")
    struct TopicConfigTests {
        typealias Source = DescribeConfigs.ConfigSource
        typealias ResourceType = DescribeConfigs.ResourceType

        static func exchange<API: KafkaAPI>(
            _ api: API.Type, _ client: WireClient, _ request: API.Request, version: Int16
        ) throws -> API.Response {
            var frame = ByteBuffer()
            API.writeRequestFrame(request, header: RequestHeader(apiKey: API.key, apiVersion: version, correlationId: 7,
                                                                 clientId: "wire-test"), into: &frame)
            try client.send(Array(frame.readableBytesView))
            var answer = ByteBuffer(bytes: try client.readFrame())
            _ = try ResponseHeader(from: &answer, headerVersion: 0)
            return try API.decodeResponse(from: &answer, version: version)
        }

        static func describe(
            _ client: WireClient, _ type: Int8, _ name: String, keys: [String]? = nil, synonyms: Bool = true, version: Int16 = 1
        ) throws -> DescribeConfigs.Result {
            let response = try exchange(DescribeConfigs.self, client, .init(
                resources: [.init(resourceType: type, resourceName: name, configurationKeys: keys)], includeSynonyms: synonyms),
                version: version)
            return try #require(response.results.first)
        }

        static func alter(_ client: WireClient, type: Int8 = ResourceType.topic, _ name: String,
                          _ configs: [String: String], validateOnly: Bool = false) throws -> AlterConfigs.ResourceResponse {
            let response = try exchange(AlterConfigs.self, client, .init(
                resources: [.init(resourceType: type, resourceName: name, configs: configs.map { .init(name: $0.key, value: $0.value) })],
                validateOnly: validateOnly), version: 1)
            return try #require(response.responses.first)
        }

        static func configs(_ result: DescribeConfigs.Result) -> [String: DescribeConfigs.Config] {
            Dictionary(uniqueKeysWithValues: result.configs.map { ($0.name, $0) })
        }

        @Test func describeAndAlterTopicConfigs() async throws {
            // Version configs in Kafka's longer forms (as librdkafka's test suite writes them).
            let overrides = ["log.retention.hours": "48", "inter.broker.protocol.version": "2.3.0", "log.message.format.version": "2.3.0"]
            try await withKafkaCluster(zooKeepers: 1, ids: [1], overrides: overrides) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let client = try WireClient(port: cluster.broker(1).port, timeoutSeconds: 30)
                let created = try TopicCreationTests.createTopics(client, CreateTopics.Request(topics: [
                    .init(name: "cfg", numPartitions: 1, replicationFactor: 1, configs: [.init(name: "max.message.bytes", value: "2000000")]),
                    .init(name: "old-format", numPartitions: 1, replicationFactor: 1,
                          configs: [.init(name: "message.format.version", value: "0.10.0.0")]),
                ], timeoutMs: 20_000))
                #expect(created.topics.map(\.errorCode) == [.none, .none])
                #expect(Self.configs(try Self.describe(client, ResourceType.topic, "old-format"))["message.format.version"]?.value == "0.10.0.0")

                // Sources: the topic's override, server.properties, the defaults.
                let described = try Self.describe(client, ResourceType.topic, "cfg")
                #expect(described.errorCode == .none)
                var configs = Self.configs(described)
                #expect(configs.count == 26, "every topic-level key of Kafka 2.3")
                #expect(configs.values.allSatisfy { !$0.readOnly && !$0.isSensitive })
                let maxBytes = try #require(configs["max.message.bytes"])
                #expect(maxBytes.value == "2000000" && maxBytes.configSource == Source.dynamicTopicConfig)
                #expect(maxBytes.synonyms.map(\.name) == ["max.message.bytes", "message.max.bytes"])
                #expect(maxBytes.synonyms.map(\.source) == [Source.dynamicTopicConfig, Source.defaultConfig])
                let retention = try #require(configs["retention.ms"])
                #expect(retention.value == "172800000" && retention.configSource == Source.staticBrokerConfig)
                #expect(retention.synonyms == [.init(name: "log.retention.hours", value: "48", source: Source.staticBrokerConfig),
                                               .init(name: "log.retention.hours", value: "168", source: Source.defaultConfig)])
                #expect(configs["segment.bytes"]?.value == "1073741824" && configs["segment.bytes"]?.configSource == Source.defaultConfig)
                #expect(configs["cleanup.policy"]?.value == "delete")

                // v0: is_default; no synonyms without include_synonyms; the key filter.
                let v0 = Self.configs(try Self.describe(client, ResourceType.topic, "cfg", synonyms: false, version: 0))
                #expect(v0["segment.bytes"]?.isDefault == true && v0["retention.ms"]?.isDefault == false)
                #expect(v0["max.message.bytes"]?.isDefault == false && v0.values.allSatisfy { $0.synonyms.isEmpty })
                let filtered = try Self.describe(client, ResourceType.topic, "cfg", keys: ["retention.ms", "no.such.key"], version: 2)
                #expect(filtered.configs.map(\.name) == ["retention.ms"])
                #expect(try Self.describe(client, ResourceType.topic, "missing").errorCode == .unknownTopicOrPartition)

                // Invalid alterations and validate_only change nothing.
                let invalid = try Self.alter(client, "cfg", ["retention.ms": "soon"])
                #expect(invalid.errorCode == .invalidConfig && invalid.errorMessage?.contains("retention.ms") == true)
                #expect(try Self.alter(client, "cfg", ["retention.days": "1"]).errorCode == .invalidConfig)
                #expect(try Self.alter(client, "missing", ["retention.ms": "1000"]).errorCode == .unknownTopicOrPartition)
                let broker = try Self.alter(client, type: ResourceType.broker, "1", ["log.retention.hours": "1"])
                #expect(broker.errorCode == .invalidRequest
                    && broker.errorMessage?.contains("Cannot update these configs dynamically: Set(log.retention.hours)") == true)
                #expect(try Self.alter(client, "cfg", ["retention.ms": "1000"], validateOnly: true).errorCode == .none)
                #expect(try await zk.topicConfig("cfg") == ["max.message.bytes": "2000000"])
                #expect(Self.configs(try Self.describe(client, ResourceType.topic, "cfg"))["retention.ms"]?.value == "172800000")

                // AlterConfigs replaces the whole override set; the broker applies it to its log.
                #expect(try Self.alter(client, "cfg", ["retention.ms": "3600000"]).errorCode == .none)
                #expect(try await zk.topicConfig("cfg") == ["retention.ms": "3600000"])
                configs = Self.configs(try Self.describe(client, ResourceType.topic, "cfg"))
                #expect(configs["retention.ms"]?.value == "3600000" && configs["retention.ms"]?.configSource == Source.dynamicTopicConfig)
                #expect(configs["max.message.bytes"]?.configSource == Source.defaultConfig)
                let notifications = try await zk.zooKeeper.children(ConfigEntityChangeNotificationZNode.path).names
                #expect(notifications.count == 1 && notifications[0].hasPrefix("config_change_"))
                let broker1 = cluster.broker(1)
                try await waitUntil("broker 1 to apply the new config to its log") {
                    !lines(broker1.log, containing: "Applied the config of topic cfg to 1 logs: {retention.ms=3600000}").isEmpty
                }
            }
        }

        @Test func describeBrokerConfigs() async throws {
            try await withKafkaCluster(zooKeepers: 1, ids: [1], overrides: ["log.retention.hours": "48"]) { cluster in
                let client = try WireClient(port: cluster.broker(1).port, timeoutSeconds: 30)
                let described = try Self.describe(client, ResourceType.broker, "1")
                #expect(described.errorCode == .none)
                let configs = Self.configs(described)
                #expect(configs["broker.id"]?.value == "1" && configs["broker.id"]?.configSource == Source.staticBrokerConfig)
                #expect(configs["log.retention.hours"]?.value == "48")
                #expect(configs["num.io.threads"]?.value == "8" && configs["num.io.threads"]?.configSource == Source.defaultConfig)
                #expect(configs["zookeeper.connect"]?.value == cluster.zkConnect)
                // Read-only but for the keys this broker changes at run time (dynamic broker configs).
                #expect(configs.values.filter { !$0.readOnly }.count == 32,
                        "the broker synonyms of topic configs, num.io.threads, num.replica.fetchers, num.network.threads, the log cleaner's 6 keys")
                #expect(configs["background.threads"]?.readOnly == true && configs["log.retention.ms"]?.readOnly == false)
                #expect(configs["num.network.threads"]?.readOnly == false)
                #expect(configs["num.replica.fetchers"]?.readOnly == false && configs["log.cleaner.threads"]?.readOnly == false)
                #expect(configs["log.cleaner.io.max.bytes.per.second"]?.readOnly == false && configs["log.cleaner.enable"]?.readOnly == true)
                let password = try #require(configs["ssl.key.password"])
                #expect(password.isSensitive && password.value == nil)
                #expect(try Self.describe(client, ResourceType.broker, "2").errorCode == .invalidRequest)
                #expect(try Self.describe(client, ResourceType.broker, "one").errorCode == .invalidRequest)
                let defaults = try Self.describe(client, ResourceType.broker, "")
                #expect(defaults.errorCode == .none && defaults.configs.isEmpty)
                #expect(try Self.describe(client, ResourceType.brokerLogger, "1").errorCode == .invalidRequest)
            }
        }

        /// The listener's effect on a live log: with `segment.ms` and `retention.ms` changed to
        /// 1 ms (the second change written to ZooKeeper directly, as another broker would), the
        /// retention task deletes the records, which the default 7 days would have kept.
        @Test func changedRetentionReachesTheLiveLog() async throws {
            try await withKafkaCluster(zooKeepers: 1, ids: [1], overrides: ["log.retention.check.interval.ms": "200"]) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let broker = cluster.broker(1)
                let client = try WireClient(port: broker.port, timeoutSeconds: 30)
                #expect(try TopicCreationTests.createTopics(client, CreateTopics.Request(topics: [
                    .init(name: "expiring", numPartitions: 1, replicationFactor: 1)], timeoutMs: 20_000)).topics.map(\.errorCode) == [.none])
                #expect(try Self.alter(client, "expiring", ["segment.ms": "1"]).errorCode == .none)
                try await waitUntil("broker 1 to apply segment.ms") {
                    !lines(broker.log, containing: "Applied the config of topic expiring to 1 logs: {segment.ms=1}").isEmpty
                }
                for i in 0..<3 {
                    let produced = try ProduceConsumeTests.kcat(["-b", "127.0.0.1:\(broker.port)", "-P", "-t", "expiring", "-X", "acks=1"],
                                                                input: "record-\(i)\n")
                    #expect(produced.status == 0)
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(try ProduceConsumeTests.consumeAll(port: broker.port, topic: "expiring").count == 3)
                try await zk.changeTopicConfig("expiring", config: ["segment.ms": "1", "retention.ms": "1"])
                try await waitUntil("broker 1 to apply retention.ms") {
                    !lines(broker.log, containing: "Applied the config of topic expiring to 1 logs: {retention.ms=1,segment.ms=1}").isEmpty
                }
                // The retention task first runs 30 s after start-up, as Kafka's does.
                try await waitUntil("the retention task to delete the expired segments", timeout: .seconds(90), every: .milliseconds(500)) {
                    try ProduceConsumeTests.consumeAll(port: broker.port, topic: "expiring") == ["2||record-2"]
                }
            }
        }

        /// kafka-python's `KafkaAdminClient`, unmodified: describe_configs and alter_configs.
        @Test func kafkaPythonAdminClientDescribesAndAltersConfigs() async throws {
            try await withKafkaCluster(zooKeepers: 1, ids: [1]) { cluster in
                let client = try WireClient(port: cluster.broker(1).port, timeoutSeconds: 30)
                #expect(try TopicCreationTests.createTopics(client, CreateTopics.Request(topics: [
                    .init(name: "py", numPartitions: 1, replicationFactor: 1)], timeoutMs: 20_000)).topics.map(\.errorCode) == [.none])
                let script = """
                    import sys
                    from kafka.admin import KafkaAdminClient, ConfigResource, ConfigResourceType
                    admin = KafkaAdminClient(bootstrap_servers=sys.argv[1])
                    topic = ConfigResource(ConfigResourceType.TOPIC, 'py', configs={'retention.ms': '7200000'})
                    print('alter', admin.alter_configs([topic]))
                    described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, 'py')], config_filter='all')
                    for name in ('retention.ms', 'segment.bytes'):
                        print(name, described['topic']['py'][name])
                    broker = admin.describe_configs([ConfigResource(ConfigResourceType.BROKER, '1')], config_filter='all')
                    print('broker.id', broker['broker']['1']['broker.id'])
                    """
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["python3", "-c", script, "127.0.0.1:\(cluster.broker(1).port)"]
                let output = Pipe()
                let errors = Pipe()
                process.standardOutput = output
                process.standardError = errors
                try process.run()
                let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                #expect(process.terminationStatus == 0, "\(errorText.suffix(2000))")
                let lines = text.split(separator: "\n").map(String.init)
                #expect(lines.count == 4, "\(text)")
                #expect(lines.first == "alter {'topic': {'py': 'OK'}}")
                #expect(lines.contains { $0.hasPrefix("retention.ms {'value': '7200000', 'read_only': False, 'config_source': 'DYNAMIC_TOPIC_CONFIG'") })
                #expect(lines.contains { $0.hasPrefix("segment.bytes {'value': '1073741824', 'read_only': False, 'config_source': 'DEFAULT_CONFIG'") })
                #expect(lines.contains { $0.hasPrefix("broker.id {'value': '1', 'read_only': True, 'config_source': 'STATIC_BROKER_CONFIG'") })
            }
        }
    }
}
