import KafkaBroker
import KafkaCommon
import KafkaZk
import Testing

@Suite struct KafkaConfigTests {
    func config(_ text: String, file: String? = "server.properties") throws -> KafkaConfig {
        try KafkaConfig(properties: JavaProperties(parsing: text), file: file)
    }

    @Test func kafkaDefaults() throws {
        let config = try config("zookeeper.connect=zk1:2181,zk2:2181/kafka")
        #expect(config.brokerId == BrokerId.none)
        #expect(config.zkConnect == "zk1:2181,zk2:2181/kafka")
        #expect(config.zkSessionTimeoutMs == 6000)
        #expect(config.zkConnectionTimeoutMs == 6000, "defaults to the session timeout")
        #expect(config.logDirs == ["/tmp/kafka-logs"])
        #expect(config.listeners.map(\.connectionString) == ["PLAINTEXT://:9092"])
        #expect(config.advertisedListeners == config.listeners)
        #expect(config.numNetworkThreads == 3)
        #expect(config.numIoThreads == 8)
        #expect(config.interBrokerListenerName == "PLAINTEXT")
        #expect(config.value("num.partitions") == "1")
        #expect(config.value("unclean.leader.election.enable") == "false")
        #expect(config.unknownKeys.isEmpty)
    }

    @Test func listenersAndAdvertisedListeners() throws {
        let config = try config("""
            zookeeper.connect=zk:2181
            broker.id=7
            listeners=INTERNAL://0.0.0.0:9093,EXTERNAL://[::1]:9094
            advertised.listeners=INTERNAL://broker7:9093,EXTERNAL://[::1]:9094
            listener.security.protocol.map=INTERNAL:PLAINTEXT,EXTERNAL:SSL
            inter.broker.listener.name=INTERNAL
            log.dirs=/data/a, /data/b
            broker.rack=r1
            some.plugin.setting=x
            """)
        #expect(config.brokerId == BrokerId(7))
        #expect(config.advertisedListeners.map(\.connectionString) == ["INTERNAL://broker7:9093", "EXTERNAL://[::1]:9094"])
        #expect(config.advertisedListeners[1].securityProtocol == .ssl)
        #expect(config.logDirs == ["/data/a", "/data/b"])
        #expect(config.rack == "r1")
        #expect(config.unknownKeys == ["some.plugin.setting"])
    }

    @Test func missingRequiredKey() {
        #expect(throws: ConfigError(file: "server.properties", key: "zookeeper.connect",
                                    message: "Missing required configuration \"zookeeper.connect\" which has no default value.")) {
            try config("broker.id=1")
        }
    }

    @Test func malformedValuesNameKeyFileAndLine() {
        #expect(throws: ConfigError(file: "server.properties:2", key: "num.io.threads",
                                    message: "Invalid value eight for configuration num.io.threads: Not a number of type INT")) {
            try config("zookeeper.connect=zk:2181\nnum.io.threads=eight")
        }
        #expect(throws: ConfigError(file: "server.properties:1", key: "auto.create.topics.enable",
                                    message: "Invalid value maybe for configuration auto.create.topics.enable: Expected value to be either true or false")) {
            try config("auto.create.topics.enable=maybe\nzookeeper.connect=zk:2181")
        }
        #expect(throws: ConfigError.self) { try config("zookeeper.connect=zk:2181\nbroker.id=-2") }
        #expect(throws: ConfigError.self) { try config("zookeeper.connect=zk:2181\nbroker.id=1001") }
        #expect(throws: ConfigError.self) { try config("zookeeper.connect=zk:2181\nzookeeper.session.timeout.ms=0") }
        #expect(throws: ConfigError.self) { try config("zookeeper.connect=zk:2181\nnum.network.threads=0") }
        #expect(throws: ConfigError.self) { try config("zookeeper.connect=") }
    }

    @Test func listenerErrors() {
        #expect(throws: ConfigError.self, "missing port") { try config("zookeeper.connect=zk:2181\nlisteners=PLAINTEXT://host") }
        #expect(throws: ConfigError.self, "unknown listener name") { try config("zookeeper.connect=zk:2181\nlisteners=FOO://:9092") }
        #expect(throws: ConfigError.self, "duplicate names") {
            try config("zookeeper.connect=zk:2181\nlisteners=PLAINTEXT://:9092,PLAINTEXT://:9093")
        }
        #expect(throws: ConfigError.self, "0.0.0.0 cannot be advertised") {
            try config("zookeeper.connect=zk:2181\nlisteners=PLAINTEXT://0.0.0.0:9092")
        }
        #expect(throws: ConfigError.self, "advertised listener not in listeners") {
            try config("zookeeper.connect=zk:2181\nlisteners=PLAINTEXT://:9092\nadvertised.listeners=SSL://h:9093")
        }
        #expect(throws: ConfigError.self, "bad protocol map") {
            try config("zookeeper.connect=zk:2181\nlistener.security.protocol.map=PLAINTEXT:SMOKE")
        }
        #expect(throws: ConfigError.self, "inter-broker listener missing") {
            try config("zookeeper.connect=zk:2181\ninter.broker.listener.name=INTERNAL")
        }
    }

    @Test func overridesWinOverTheFile() throws {
        let directory = try makeTemporaryFile("broker.id=1\nzookeeper.connect=zk:2181\n")
        let config = try KafkaConfig.load(path: directory, overrides: ["broker.id": "3", "num.io.threads": "2"])
        #expect(config.brokerId == BrokerId(3))
        #expect(config.numIoThreads == 2)
        #expect(throws: ConfigError.self) { try KafkaConfig.load(path: directory + ".missing") }
    }
}
