import KafkaCommon
import KafkaStorage
import Testing

@testable import KafkaBroker

/// The log cleaner's dynamic broker keys (Kafka 2.3's `LogCleaner.ReconfigurableConfigs`):
/// accepted by AlterConfigs for a broker with Kafka's checks, described as dynamic with their
/// sources, and turned into the `LogCleanerConfig` the running cleaner is rebuilt with.
@Suite struct DynamicCleanerConfigTests {
    let staticProperties = ["zookeeper.connect": "127.0.0.1:2181", "log.dirs": "/tmp/x", "log.cleaner.threads": "2",
                            "log.cleaner.dedupe.buffer.size": "8388608"]

    func message(_ config: [String: String], _ layer: BrokerConfigLayers.Layer? = nil, of current: BrokerConfigLayers? = nil) -> String? {
        if case .failure(let invalid) = BrokerConfigLayers.validated(config, replacing: layer, of: current) { return invalid.message }
        return nil
    }

    @Test func theCleanerKeysAreReconfigurable() {
        let keys = ["log.cleaner.threads", "log.cleaner.io.max.bytes.per.second", "log.cleaner.dedupe.buffer.size",
                    "log.cleaner.io.buffer.size", "log.cleaner.io.buffer.load.factor", "log.cleaner.backoff.ms", "message.max.bytes"]
        #expect(Set(keys).isSubset(of: BrokerConfigLayers.reconfigurableKeys))
        #expect(!BrokerConfigLayers.reconfigurableKeys.contains("log.cleaner.enable"))
        #expect(message(["log.cleaner.io.max.bytes.per.second": "1048576", "log.cleaner.dedupe.buffer.size": "268435456",
                         "log.cleaner.io.buffer.size": "1048576", "log.cleaner.io.buffer.load.factor": "0.8",
                         "log.cleaner.backoff.ms": "100"]) == nil)
        #expect(message(["log.cleaner.enable": "false"]) == "Cannot update these configs dynamically: Set(log.cleaner.enable)")
    }

    @Test func valuesAreCheckedAsKafkaChecksThem() {
        #expect(message(["log.cleaner.io.max.bytes.per.second": "fast"])
            == "Invalid value fast for configuration log.cleaner.io.max.bytes.per.second: Not a number of type DOUBLE")
        #expect(message(["log.cleaner.io.buffer.size": "-1"]) == "Invalid value -1 for configuration log.cleaner.io.buffer.size: out of range")
        #expect(message(["log.cleaner.backoff.ms": "-5"]) == "Invalid value -5 for configuration log.cleaner.backoff.ms: out of range")
        // Kafka's KafkaConfig bound, over the layers the change would give: more than 1 MiB of
        // offset map per cleaner thread (2 threads from server.properties here).
        let current = BrokerConfigLayers(staticProperties: staticProperties)
        let bound = "log.cleaner.dedupe.buffer.size must be at least 1MB per cleaner thread."
        #expect(message(["log.cleaner.dedupe.buffer.size": "2097152"], .dynamicBroker, of: current) == bound)
        #expect(message(["log.cleaner.dedupe.buffer.size": "4194304"], .dynamicDefault, of: current) == nil)
        // More threads over the static 8 MiB: 4 threads leave 2 MiB each; 8 would be too many
        // anyway (more than double), 3 leave 2.67 MiB.
        #expect(message(["log.cleaner.threads": "4"], .dynamicBroker, of: current) == nil)
        let smallBuffer = BrokerConfigLayers(staticProperties: staticProperties, dynamicDefault: ["log.cleaner.dedupe.buffer.size": "4194304"])
        #expect(message(["log.cleaner.threads": "4"], .dynamicBroker, of: smallBuffer) == bound)
        #expect(message(["log.cleaner.threads": "3"], .dynamicBroker, of: smallBuffer) == nil)
    }

    @Test func theCleanerConfigComesFromTheHighestLayer() throws {
        var layers = BrokerConfigLayers(staticProperties: staticProperties.merging(["log.cleaner.backoff.ms": "500"]) { $1 })
        #expect(try layers.cleanerConfig().maxIoBytesPerSecond == .greatestFiniteMagnitude)
        layers.dynamicDefault = ["log.cleaner.io.max.bytes.per.second": "2097152", "log.cleaner.backoff.ms": "200"]
        layers.dynamicBroker = ["log.cleaner.io.max.bytes.per.second": "1048576"]
        let config = try layers.cleanerConfig()
        #expect(config.maxIoBytesPerSecond == 1_048_576 && config.backOffMs == 200 && config.numThreads == 2)
        #expect(config.dedupeBufferSize == 8_388_608)
        let synonyms = layers.synonyms(BrokerConfigLayers.brokerSynonyms(of: "log.cleaner.io.max.bytes.per.second"))
        #expect(synonyms.map(\.source) == [.dynamicBroker, .dynamicDefault, .defaultConfig])
        #expect(synonyms.map(\.value) == ["1048576", "2097152", "1.7976931348623157E308"])
    }
}
