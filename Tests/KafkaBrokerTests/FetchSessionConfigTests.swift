import KafkaCommon
import Testing

@testable import KafkaBroker

/// `max.incremental.fetch.session.cache.slots` and `min.incremental.fetch.session.eviction.ms`:
/// Kafka's defaults, and a start-up error naming the key for a bad value.
@Suite struct FetchSessionConfigTests {
    func config(_ text: String) throws -> KafkaConfig {
        try KafkaConfig(properties: JavaProperties(parsing: "zookeeper.connect=zk:2181\n" + text), file: "server.properties")
    }

    @Test func kafkaDefaults() throws {
        let config = try config("")
        let cache = try config.fetchSessionCache()
        #expect(cache.maxEntries == 1000)
        #expect(cache.evictionMs == 120_000)
        #expect(config.unknownKeys.isEmpty)
    }

    @Test func setValuesAreUsed() throws {
        let cache = try config("max.incremental.fetch.session.cache.slots=0\nmin.incremental.fetch.session.eviction.ms=5").fetchSessionCache()
        #expect(cache.maxEntries == 0)
        #expect(cache.evictionMs == 5)
    }

    @Test func aNegativeSlotCountIsAStartUpErrorNamingTheKey() throws {
        let config = try config("max.incremental.fetch.session.cache.slots=-1")
        #expect(throws: ConfigError.self) { try config.fetchSessionCache() }
        do {
            _ = try config.fetchSessionCache()
        } catch let error as ConfigError {
            #expect(error.key == "max.incremental.fetch.session.cache.slots")
            #expect(error.file == "server.properties:2")
        }
    }

    @Test func aNonNumberIsRefusedAtLoad() {
        #expect(throws: ConfigError.self) { try config("min.incremental.fetch.session.eviction.ms=soon") }
    }
}
