import GroupCoordinator
import KafkaCommon
import KafkaRecords
import Testing

@testable import KafkaBroker

/// The group coordinator's and offsets topic's keys: Kafka 2.3's defaults, values read as set,
/// and a start-up error naming the key (and its line) for every value Kafka 2.3 refuses.
@Suite struct GroupCoordinatorConfigTests {
    func config(_ text: String) throws -> KafkaConfig {
        try KafkaConfig(properties: JavaProperties(parsing: "zookeeper.connect=zk:2181\n" + text), file: "server.properties")
    }

    @Test func kafka23Defaults() throws {
        let group = try config("").groupCoordinator
        #expect(group.offsetsTopicNumPartitions == 50)
        #expect(group.offsetsTopicReplicationFactor == 3)
        #expect(group.offsetsTopicSegmentBytes == 104_857_600)
        #expect(group.offsetsTopicCompressionCodec == CompressionType.none)
        #expect(group.offsetsRetentionMinutes == 10_080)
        #expect(group.offsetsRetentionCheckIntervalMs == 600_000)
        #expect(group.offsetCommitTimeoutMs == 5000)
        #expect(group.offsetCommitRequiredAcks == -1)
        #expect(group.offsetsLoadBufferSize == 5_242_880)
        #expect(group.offsetMetadataMaxBytes == 4096)
        #expect(group.groupMinSessionTimeoutMs == 6000)
        #expect(group.groupMaxSessionTimeoutMs == 1_800_000)
        #expect(group.groupInitialRebalanceDelayMs == 3000)
        #expect(group.groupMaxSize == Int32.max)
        #expect(group == GroupCoordinatorConfig(), "the struct's defaults are the keys' defaults")
    }

    @Test func setValuesAreRead() throws {
        let group = try config("""
            offsets.topic.num.partitions=7
            offsets.topic.replication.factor=2
            offsets.topic.segment.bytes=1048576
            offsets.topic.compression.codec=4
            offsets.retention.minutes=60
            offsets.retention.check.interval.ms=1000
            offsets.commit.timeout.ms=250
            offsets.commit.required.acks=2
            offsets.load.buffer.size=1024
            offset.metadata.max.bytes=10
            group.min.session.timeout.ms=100
            group.max.session.timeout.ms=200
            group.initial.rebalance.delay.ms=0
            group.max.size=5
            """).groupCoordinator
        #expect(group.offsetsTopicNumPartitions == 7)
        #expect(group.offsetsTopicReplicationFactor == 2)
        #expect(group.offsetsTopicSegmentBytes == 1_048_576)
        #expect(group.offsetsTopicCompressionCodec == .zstd)
        #expect(group.offsetsRetentionMinutes == 60)
        #expect(group.offsetsRetentionCheckIntervalMs == 1000)
        #expect(group.offsetCommitTimeoutMs == 250)
        #expect(group.offsetCommitRequiredAcks == 2)
        #expect(group.offsetsLoadBufferSize == 1024)
        #expect(group.offsetMetadataMaxBytes == 10)
        #expect(group.groupMinSessionTimeoutMs == 100)
        #expect(group.groupMaxSessionTimeoutMs == 200)
        #expect(group.groupInitialRebalanceDelayMs == 0)
        #expect(group.groupMaxSize == 5)
        #expect(group.offsetsTopicConfigs == [
            "cleanup.policy": "compact", "segment.bytes": "1048576", "compression.type": "producer",
        ])
        // What the group state machine decides with.
        #expect(group.groupConfig == GroupConfig(
            minSessionTimeoutMs: 100, maxSessionTimeoutMs: 200, maxSize: 5, initialRebalanceDelayMs: 0))
    }

    /// Kafka 2.3's `atLeast(1)` keys.
    @Test(arguments: [
        "offsets.topic.num.partitions", "offsets.topic.replication.factor", "offsets.topic.segment.bytes",
        "offsets.retention.minutes", "offsets.retention.check.interval.ms", "offsets.commit.timeout.ms",
        "offsets.load.buffer.size", "group.max.size",
    ])
    func zeroIsRefusedNamingTheKey(key: String) throws {
        #expect(throws: ConfigError(file: "server.properties:2", key: key,
                                    message: "Invalid value 0 for configuration \(key): Value must be at least 1")) {
            try config("\(key)=0")
        }
    }

    @Test func anUnknownCompressionCodecIsRefused() {
        #expect(throws: ConfigError(file: "server.properties:2", key: "offsets.topic.compression.codec",
                                    message: "Invalid value 5 for configuration offsets.topic.compression.codec: 5 is an unknown compression codec")) {
            try config("offsets.topic.compression.codec=5")
        }
    }

    /// From -1 to `offsets.topic.replication.factor`.
    @Test func commitAcksAreBoundedByTheReplicationFactor() throws {
        #expect(try config("offsets.commit.required.acks=3").groupCoordinator.offsetCommitRequiredAcks == 3)
        #expect(try config("offsets.commit.required.acks=0").groupCoordinator.offsetCommitRequiredAcks == 0)
        for text in ["offsets.commit.required.acks=-2", "offsets.commit.required.acks=4",
                     "offsets.topic.replication.factor=1\noffsets.commit.required.acks=2"] {
            #expect(throws: ConfigError.self) { try config(text) }
            do {
                _ = try config(text)
            } catch let error as ConfigError {
                #expect(error.key == "offsets.commit.required.acks")
                #expect(error.message.contains("less or equal to offsets.topic.replication.factor"))
            }
        }
    }

    @Test func typesAreKafkas() {
        // offsets.topic.replication.factor and offsets.commit.required.acks are SHORTs.
        #expect(throws: ConfigError.self) { try config("offsets.topic.replication.factor=40000") }
        #expect(throws: ConfigError.self) { try config("group.max.size=many") }
        #expect(throws: ConfigError.self) { try config("offsets.retention.check.interval.ms=1.5") }
    }
}
