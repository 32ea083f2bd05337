@testable import KafkaBroker
import KafkaProtocol
import KafkaStorage
import Testing

/// The pure parts of DescribeConfigs, AlterConfigs and the topic config change listener.
@Suite struct TopicConfigEntriesTests {
    @Test func everyTopicKeyHasATextValueThatParsesBackToTheSameConfig() throws {
        var config = try LogConfig().applying(topicOverrides: [
            "retention.ms": "3600000", "cleanup.policy": "delete,compact", "compression.type": "uncompressed",
            "message.timestamp.type": "LogAppendTime", "unclean.leader.election.enable": "true",
        ])
        config.flushMs = 1234
        let text = Dictionary(uniqueKeysWithValues: LogConfig.topicKeys.map { ($0, config.value(forTopicKey: $0)!) })
        #expect(text["cleanup.policy"] == "delete,compact", "described back in the order set, as Kafka does")
        #expect(text["compression.type"] == "uncompressed")
        #expect(text["message.timestamp.type"] == "LogAppendTime")
        #expect(text["flush.messages"] == String(Int64.max))
        #expect(try LogConfig().applying(topicOverrides: text) == config)
        #expect(LogConfig().value(forTopicKey: "retention.days") == nil)
    }

    @Test func brokerSynonymsFollowKafkasPrecedence() {
        #expect(LogConfig.brokerSynonyms(ofTopicKey: "retention.ms") == ["log.retention.ms", "log.retention.minutes", "log.retention.hours"])
        #expect(LogConfig.brokerSynonyms(ofTopicKey: "segment.ms") == ["log.roll.ms", "log.roll.hours"])
        #expect(LogConfig.brokerSynonyms(ofTopicKey: "max.message.bytes") == ["message.max.bytes"])
        // Every broker synonym is a key the broker knows.
        for key in LogConfig.topicKeys {
            #expect(LogConfig.brokerSynonyms(ofTopicKey: key).allSatisfy { ConfigDef.keys[$0] != nil }, "\(key)")
        }
    }

    @Test func alterConfigsValidatesTheWholeOverrideSet() {
        let defaults = LogConfig()
        #expect(AlterConfigsHandler.validatedOverrides([.init(name: "retention.ms", value: "1000")], over: defaults)
            == .success(["retention.ms": "1000"]))
        #expect(AlterConfigsHandler.validatedOverrides([], over: defaults) == .success([:]))
        #expect(AlterConfigsHandler.validatedOverrides([.init(name: "retention.ms", value: "soon")], over: defaults)
            == .failure(.init(text: "invalid value soon for retention.ms")))
        #expect(AlterConfigsHandler.validatedOverrides([.init(name: "retention.days", value: "1")], over: defaults)
            == .failure(.init(text: "unknown topic config name retention.days")))
        #expect(AlterConfigsHandler.validatedOverrides([.init(name: "retention.ms", value: nil)], over: defaults)
            == .failure(.init(text: "retention.ms has a null value")))
    }

    @Test func onlyNewerNotificationsAreProcessedInSequenceOrder() {
        let names = ["config_change_0000000010", "config_change_0000000002", "config_change_0000000003", "other_0000000011"]
        #expect(DynamicConfigManager.pending(names, after: -1).map(\.sequence) == [2, 3, 10])
        #expect(DynamicConfigManager.pending(names, after: 3).map(\.name) == ["config_change_0000000010"])
        #expect(DynamicConfigManager.pending(names, after: 10).isEmpty)
    }
}
