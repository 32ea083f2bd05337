import KafkaBroker
import KafkaCommon
import KafkaStorage
import Testing

/// Version configs parsed as Kafka 2.3's `ApiVersion.apply`: keyed by the first three
/// dot-separated parts of a `0.` version and the first two of any other, so librdkafka's
/// `message.format.version=0.10.0.0` and `2.3.0` are valid.
@Suite struct ApiVersionTests {
    @Test func kafkaKeysAVersionByItsFirstThreeOrTwoParts() throws {
        let cases: [(String, String)] = [
            ("0.8.0", "0.8.0"), ("0.8.2.2", "0.8.2"), ("0.9.0.1", "0.9.0"),
            ("0.10.0", "0.10.0-IV1"), ("0.10.0.0", "0.10.0-IV1"), ("0.10.0-IV0", "0.10.0-IV0"), ("0.10.0-IV1", "0.10.0-IV1"),
            ("0.10.1.1", "0.10.1-IV2"), ("0.10.2", "0.10.2-IV0"), ("0.11.0.3", "0.11.0-IV2"),
            ("1.0", "1.0-IV0"), ("1.0.2", "1.0-IV0"), ("1.1-IV0", "1.1-IV0"), ("2.0.1", "2.0-IV1"), ("2.1", "2.1-IV2"),
            ("2.2.0", "2.2-IV1"), ("2.3", "2.3-IV1"), ("2.3.0", "2.3-IV1"), ("2.3-IV0", "2.3-IV0"), ("2.3-IV1", "2.3-IV1"),
        ]
        for (text, version) in cases {
            #expect(ApiVersion(text)?.version == version, "\(text)")
        }
        for invalid in ["", "0.10", "0.9", "0.10.3", "2.4", "3.0", "2.3-IV2", "latest", "2", ".2.3", "0.10.0-IV9"] {
            #expect(ApiVersion(invalid) == nil, "\(invalid)")
        }
        #expect(ApiVersion.latest.version == "2.3-IV1")
        #expect(try #require(ApiVersion("0.10.2")) < #require(ApiVersion("0.11.0")))
        #expect(ApiVersion("0.10.0.0")?.recordVersion == 1 && ApiVersion("0.9.0")?.recordVersion == 0 && ApiVersion("0.11.0")?.recordVersion == 2)
    }

    /// librdkafka's test suite creates topics with `message.format.version=0.10.0.0`.
    @Test func topicMessageFormatVersionsAcceptKafkasForms() throws {
        for value in ["0.10.0.0", "0.10.0-IV1", "2.3.0", "2.3-IV1"] {
            let config = try LogConfig().applying(topicOverrides: ["message.format.version": value])
            #expect(config.messageFormatVersion == value, "kept as given")
        }
        #expect(throws: LogConfigError.invalidValue(key: "message.format.version", value: "0.10")) {
            try LogConfig().applying(topicOverrides: ["message.format.version": "0.10"])
        }
        let broker = try LogConfig(brokerProperties: ["log.message.format.version": "0.10.2.1"])
        #expect(broker.messageFormatVersion == "0.10.2.1")
    }

    @Test func brokerVersionConfigsAreParsedAndChecked() throws {
        func config(_ text: String) throws -> KafkaConfig {
            try KafkaConfig(properties: JavaProperties(parsing: "zookeeper.connect=zk:2181\n" + text), file: "server.properties")
        }
        let defaults = try config("")
        #expect(defaults.interBrokerProtocolVersion.version == "2.3-IV1" && defaults.logMessageFormatVersion.version == "2.3-IV1")
        let older = try config("inter.broker.protocol.version=2.3.0\nlog.message.format.version=0.10.0.0")
        #expect(older.interBrokerProtocolVersion.version == "2.3-IV1")
        #expect(older.logMessageFormatVersion.version == "0.10.0-IV1")
        #expect(throws: ConfigError(file: "server.properties:2", key: "inter.broker.protocol.version",
                                    message: "Invalid value 0.10 for configuration inter.broker.protocol.version: Version `0.10` is not a valid version")) {
            try config("inter.broker.protocol.version=0.10")
        }
        // The message format may not be newer than what the inter-broker protocol writes.
        #expect(throws: ConfigError.self) { try config("inter.broker.protocol.version=0.10.2\nlog.message.format.version=2.3") }
        _ = try config("inter.broker.protocol.version=0.11.0.0\nlog.message.format.version=0.11.0")
    }
}
