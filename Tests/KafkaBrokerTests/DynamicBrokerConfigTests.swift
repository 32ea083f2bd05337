import KafkaCommon
import KafkaStorage
import Testing

@testable import KafkaBroker

/// Dynamic broker configs as values: the layers' precedence, the sources DescribeConfigs
/// reports, and what AlterConfigs accepts.
@Suite struct DynamicBrokerConfigTests {
    let staticProperties = ["zookeeper.connect": "127.0.0.1:2181", "log.dirs": "/tmp/x", "log.retention.hours": "10",
                            "log.segment.bytes": "2048"]

    @Test func perBrokerOverDefaultOverStaticOverKafkasDefault() throws {
        var layers = BrokerConfigLayers(staticProperties: staticProperties)
        #expect(try layers.logDefaults().retentionMs == 36_000_000)
        layers.dynamicDefault = ["log.retention.ms": "5000", "log.segment.bytes": "4096"]
        #expect(try layers.logDefaults().retentionMs == 5000)
        layers.dynamicBroker = ["log.retention.ms": "7000"]
        let defaults = try layers.logDefaults()
        #expect(defaults.retentionMs == 7000 && defaults.segmentBytes == 4096)
        #expect(layers.value("log.retention.ms") == "7000")
        #expect(layers.value("num.io.threads") == "8")
        layers.dynamicBroker = [:]
        #expect(try layers.logDefaults().retentionMs == 5000)
    }

    @Test func synonymsComeLayerByLayerMostSpecificNameFirst() {
        let layers = BrokerConfigLayers(staticProperties: staticProperties, dynamicDefault: ["log.retention.ms": "5000"],
                                        dynamicBroker: ["log.retention.ms": "7000"])
        let synonyms = layers.synonyms(BrokerConfigLayers.brokerSynonyms(of: "log.retention.ms"))
        #expect(synonyms.map(\.source) == [.dynamicBroker, .dynamicDefault, .staticBroker, .defaultConfig])
        #expect(synonyms.map(\.name) == ["log.retention.ms", "log.retention.ms", "log.retention.hours", "log.retention.hours"])
        #expect(synonyms.map(\.value) == ["7000", "5000", "10", "168"])
        #expect(layers.synonyms(["num.io.threads"]) == [.init(name: "num.io.threads", value: "8", source: .defaultConfig)])
    }

    @Test func onlyReconfigurableKeysWithValidValuesAreAccepted() {
        func message(_ config: [String: String]) -> String? {
            if case .failure(let invalid) = BrokerConfigLayers.validated(config) { return invalid.message }
            return nil
        }
        #expect(message(["log.retention.ms": "60000", "log.segment.bytes": "1048576", "unclean.leader.election.enable": "true",
                         "min.insync.replicas": "2", "compression.type": "lz4", "message.max.bytes": "2000000",
                         "log.cleanup.policy": "compact,delete", "log.flush.interval.messages": "100"]) == nil)
        #expect(message(["background.threads": "4", "log.retention.ms": "1"])
            == "Cannot update these configs dynamically: Set(background.threads)")
        #expect(message(["num.replica.fetchers": "2"]) == nil)
        #expect(message(["log.cleaner.threads": "2"]) == nil)
        #expect(message(["num.network.threads": "6"]) == nil)
        #expect(message(["num.replica.fetchers": "0"]) == "Invalid value 0 for configuration num.replica.fetchers: Value must be at least 1")
        #expect(message(["num.io.threads": "0"]) == "Invalid value 0 for configuration num.io.threads: Value must be at least 1")
        #expect(message(["broker.id": "3", "zookeeper.connect": "x"])
            == "Cannot update these configs dynamically: Set(broker.id, zookeeper.connect)")
        #expect(message(["log.message.format.version": "2.3"]) == "Cannot update these configs dynamically: Set(log.message.format.version)")
        #expect(message(["no.such.key": "1"]) == "Unknown broker configs: Set(no.such.key)")
        #expect(message(["log.retention.ms": "abc"]) == "Invalid value abc for configuration log.retention.ms: Not a number of type LONG")
        #expect(message(["log.segment.bytes": "5"]) == "Invalid value 5 for configuration log.segment.bytes: out of range")
        #expect(message(["compression.type": "brotli"]) == "Invalid value brotli for configuration compression.type: out of range")
        #expect(message(["unclean.leader.election.enable": "yes"])
            == "Invalid value yes for configuration unclean.leader.election.enable: Expected value to be either true or false")
    }

    @Test func aStoredLayerKeepsWhatCanBeApplied() {
        let (kept, dropped) = BrokerConfigLayers.sanitized(["log.retention.ms": "1000", "background.threads": "2", "log.segment.bytes": "x"])
        #expect(kept == ["log.retention.ms": "1000"])
        #expect(dropped == ["background.threads", "log.segment.bytes"])
    }

    /// Kafka's `DynamicThreadPool` bounds: from the count in effect (8 by default, or the layer
    /// below the one replaced), at least half and at most double.
    @Test func aThreadCountMayAtMostHalveOrDouble() {
        let current = BrokerConfigLayers(staticProperties: staticProperties, dynamicDefault: ["num.io.threads": "6"])
        func message(_ config: [String: String], _ layer: BrokerConfigLayers.Layer) -> String? {
            if case .failure(let invalid) = BrokerConfigLayers.validated(config, replacing: layer, of: current) { return invalid.message }
            return nil
        }
        #expect(message(["num.io.threads": "12"], .dynamicBroker) == nil)
        #expect(message(["num.io.threads": "3"], .dynamicBroker) == nil)
        #expect(message(["num.io.threads": "13"], .dynamicBroker)
            == "Dynamic thread count update validation failed for num.io.threads=13, value should not be greater than double the current value 6")
        #expect(message(["num.io.threads": "2"], .dynamicDefault)
            == "Dynamic thread count update validation failed for num.io.threads=2, value should be at least half the current value 6")
        // Removing the default returns to Kafka's 8: within bounds of 6.
        #expect(message([:], .dynamicDefault) == nil)
        #expect(BrokerConfigLayers.validated(["num.io.threads": "100"]).map { _ in true } == .success(true), "no bounds without a current count")
        // num.replica.fetchers (Kafka's default 1) has the same bounds.
        #expect(message(["num.replica.fetchers": "2"], .dynamicBroker) == nil)
        #expect(message(["num.replica.fetchers": "3"], .dynamicBroker)
            == "Dynamic thread count update validation failed for num.replica.fetchers=3, value should not be greater than double the current value 1")
        // num.network.threads (Kafka's default 3) too: up to 6, not 7 (half of 3 is 1 in Kafka's integer arithmetic).
        #expect(message(["num.network.threads": "6"], .dynamicBroker) == nil)
        #expect(message(["num.network.threads": "1"], .dynamicBroker) == nil)
        #expect(message(["num.network.threads": "7"], .dynamicBroker)
            == "Dynamic thread count update validation failed for num.network.threads=7, value should not be greater than double the current value 3")
    }

    @Test func updatesSwapALayerAndTheLogDefaults() throws {
        var properties = JavaProperties()
        for (key, value) in staticProperties { properties.set(key, value) }
        let dynamic = try DynamicBrokerConfig(staticConfig: try KafkaConfig(properties: properties))
        #expect(dynamic.logDefaults.segmentBytes == 2048)
        let (old, new) = dynamic.update(dynamicDefault: ["log.segment.bytes": "4096", "background.threads": "1"])
        #expect(old.dynamicDefault.isEmpty && new.dynamicDefault == ["log.segment.bytes": "4096"])
        #expect(dynamic.logDefaults.segmentBytes == 4096)
        dynamic.update(brokerId: 1, dynamicBroker: ["log.segment.bytes": "8192", "unclean.leader.election.enable": "true"])
        #expect(dynamic.logDefaults.segmentBytes == 8192 && dynamic.logDefaults.uncleanLeaderElectionEnable)
        dynamic.update(brokerId: 1, dynamicBroker: [:])
        #expect(dynamic.logDefaults.segmentBytes == 4096 && !dynamic.logDefaults.uncleanLeaderElectionEnable)
    }
}
