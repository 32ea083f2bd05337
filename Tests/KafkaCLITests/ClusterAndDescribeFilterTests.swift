import ArgumentParser
import KafkaCommon
import KafkaProtocol
import Testing

@testable import kafka

/// `kafka cluster`'s report, `kafka topics --describe`'s partition filters and `kafka configs`
/// for brokers, without a broker.
@Suite struct ClusterAndDescribeFilterTests {
    func partition(_ index: Int32, leader: BrokerId, replicas: [BrokerId], isr: [BrokerId]) -> Metadata.Partition {
        Metadata.Partition(partitionIndex: index, leaderId: leader, replicaNodes: replicas, isrNodes: isr)
    }

    var topic: Metadata.Topic {
        Metadata.Topic(name: "orders", partitions: [
            partition(2, leader: 3, replicas: [3, 1], isr: [3, 1]),
            partition(0, leader: 1, replicas: [1, 2], isr: [1]),
            partition(1, leader: .none, replicas: [2, 3], isr: [2]),
            partition(3, leader: 2, replicas: [2, 3], isr: [2, 3]),
        ])
    }

    @Test func underReplicatedMeansAnIsrSmallerThanTheReplicas() {
        let text = TopicsCommand.describe(topic, filter: .init(underReplicated: true), liveBrokers: [1, 2, 3])
        #expect(text == "\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1,2\tIsr: 1\n"
            + "\tTopic: orders\tPartition: 1\tLeader: none\tReplicas: 2,3\tIsr: 2\n")
    }

    @Test func unavailableMeansNoLeaderOrALeaderThatIsNotLive() {
        let text = TopicsCommand.describe(topic, filter: .init(unavailable: true), liveBrokers: [1, 3])
        // Partition 1 has no leader; partition 3's leader, broker 2, is not live.
        #expect(text.split(separator: "\n").map { $0.split(separator: "\t")[1] } == ["Partition: 1", "Partition: 3"])
        #expect(TopicsCommand.describe(topic, filter: .init(unavailable: true), liveBrokers: [1, 2, 3])
            == "\tTopic: orders\tPartition: 1\tLeader: none\tReplicas: 2,3\tIsr: 2\n")
        let both = TopicsCommand.describe(topic, filter: .init(underReplicated: true, unavailable: true), liveBrokers: [1, 3])
        #expect(both.split(separator: "\n").count == 3)
    }

    @Test func theFiltersGoWithDescribeOnly() throws {
        let command = try #require(try Kafka.parseAsRoot([
            "topics", "--bootstrap-server", "127.0.0.1:9092", "--describe", "--under-replicated-partitions",
        ]) as? TopicsCommand)
        #expect(command.filter == .init(underReplicated: true))
        #expect(throws: (any Error).self) {
            try Kafka.parseAsRoot(["topics", "--bootstrap-server", "127.0.0.1:9092", "--list", "--unavailable-partitions"])
        }
    }

    @Test func theClusterReportNamesTheControllerAndItsEpoch() {
        let brokers = [
            ClusterCommand.BrokerLine(id: 1, rack: "r1", endpoints: ["PLAINTEXT://127.0.0.1:9092"]),
            ClusterCommand.BrokerLine(id: 2, rack: nil, endpoints: ["127.0.0.1:9093"]),
        ]
        #expect(ClusterCommand.report(clusterId: "abc", controllerId: 2, epoch: .success(7), brokers: brokers) == """
            Cluster ID: abc
            Controller: 2\tEpoch: 7
            Broker: 1\tRack: r1\tEndpoints: PLAINTEXT://127.0.0.1:9092
            Broker: 2\tRack: none\tEndpoints: 127.0.0.1:9093\t(controller)

            """)
        let unknown = ClusterCommand.report(clusterId: nil, controllerId: .none, epoch: .failure(CLIError("unknown: why")),
                                            brokers: [])
        #expect(unknown == "Cluster ID: none\nController: none\tEpoch: unknown: why\n")
    }

    @Test func brokerConfigsTakeAnIdOrTheDefault() throws {
        let byId = try #require(try Kafka.parseAsRoot([
            "configs", "--bootstrap-server", "127.0.0.1:9092", "--entity-type", "brokers", "--entity-name", "1",
            "--alter", "--add-config", "log.retention.ms=1000",
        ]) as? ConfigsCommand)
        #expect(byId.resourceName == "1" && byId.entityDescription == "broker 1")
        let byDefault = try #require(try Kafka.parseAsRoot([
            "configs", "--bootstrap-server", "127.0.0.1:9092", "--entity-type", "brokers", "--entity-default", "--describe",
        ]) as? ConfigsCommand)
        #expect(byDefault.resourceName == "" && byDefault.entityDescription == "default brokers")
        for bad in [["--entity-type", "topics", "--entity-default"], ["--entity-type", "brokers", "--entity-name", "one"],
                    ["--entity-type", "brokers"], ["--entity-type", "brokers", "--entity-name", "1", "--entity-default"]] {
            #expect(throws: (any Error).self) {
                try Kafka.parseAsRoot(["configs", "--bootstrap-server", "127.0.0.1:9092", "--describe"] + bad)
            }
        }
    }

    @Test func brokerDescribeListsTheDynamicEntriesWithTheirSynonyms() {
        let configs = [
            DescribeConfigs.Config(name: "log.retention.ms", value: "1000", configSource: 2, synonyms: [
                .init(name: "log.retention.ms", value: "1000", source: 2), .init(name: "log.retention.ms", value: "5000", source: 3),
                .init(name: "log.retention.hours", value: "168", source: 5),
            ]),
            DescribeConfigs.Config(name: "log.segment.bytes", value: "1024", configSource: 3),
            DescribeConfigs.Config(name: "num.io.threads", value: "8", readOnly: true, configSource: 5),
        ]
        #expect(ConfigsCommand.describeBrokerConfigs(configs, entityDescription: "broker 1", isDefault: false) == """
            Dynamic configs for broker 1 are:
              log.retention.ms=1000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.retention.ms=1000, DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=5000, DEFAULT_CONFIG:log.retention.hours=168}

            """)
        #expect(ConfigsCommand.describeBrokerConfigs(configs, entityDescription: "default brokers", isDefault: true) == """
            Default configs for brokers in the cluster are:
              log.segment.bytes=1024 sensitive=false synonyms={}

            """)
    }
}
