import ArgumentParser
import KafkaCommon
import KafkaProtocol
import Testing

@testable import kafka

@Suite("kafka leader-election: options, election files and the report, in Kafka's words")
struct LeaderElectionCommandTests {
    @Test func takesExactlyOneSourceOfPartitions() throws {
        let all = try #require(try Kafka.parseAsRoot([
            "leader-election", "--bootstrap-server", "127.0.0.1:9092", "--election-type", "preferred", "--all-topic-partitions",
        ]) as? LeaderElectionCommand)
        #expect(all.allTopicPartitions && all.topic == nil)
        let one = try LeaderElectionCommand.parse([
            "--bootstrap-server", "h:1", "--election-type", "PREFERRED", "--topic", "t", "--partition", "2"])
        #expect(one.topic == "t" && one.partition == 2)
        _ = try LeaderElectionCommand.parse(["--bootstrap-server", "h:1", "--election-type", "preferred", "--topic", "t"])
        _ = try LeaderElectionCommand.parse(["--bootstrap-server", "h:1", "--election-type", "preferred", "--path-to-json-file", "f"])

        for invalid in [
            ["--bootstrap-server", "h:1", "--election-type", "preferred"],
            ["--bootstrap-server", "h:1", "--election-type", "preferred", "--all-topic-partitions", "--topic", "t"],
            ["--bootstrap-server", "h:1", "--election-type", "preferred", "--topic", "t", "--path-to-json-file", "f"],
            ["--bootstrap-server", "h:1", "--election-type", "preferred", "--all-topic-partitions", "--partition", "1"],
            ["--bootstrap-server", "h:1", "--election-type", "unclean", "--all-topic-partitions"],
            ["--bootstrap-server", "h:1", "--all-topic-partitions"],
        ] {
            #expect(throws: (any Error).self, "\(invalid)") { try LeaderElectionCommand.parse(invalid) }
        }
        do {
            _ = try LeaderElectionCommand.parse(["--bootstrap-server", "h:1", "--election-type", "preferred"])
        } catch {
            #expect(LeaderElectionCommand.message(for: error)
                == "One and only one of the following options is required: --all-topic-partitions, --topic, --path-to-json-file")
        }
    }

    @Test func readsKafkasElectionFile() throws {
        let partitions = try LeaderElectionCommand.parseElectionData(
            #"{"partitions": [{"topic": "foo", "partition": 1}, {"topic": "foobar", "partition": 2}]}"#)
        #expect(partitions == [TopicPartition("foo", 1), TopicPartition("foobar", 2)])
        #expect(throws: CLIError.self) { try LeaderElectionCommand.parseElectionData("") }
        #expect(throws: CLIError.self) { try LeaderElectionCommand.parseElectionData(#"{"version": 1}"#) }
        do {
            _ = try LeaderElectionCommand.parseElectionData(
                #"{"partitions": [{"topic": "foo", "partition": 1}, {"topic": "foo", "partition": 1}]}"#)
            Issue.record("duplicates must be refused")
        } catch {
            #expect("\(error)" == "Replica election data contains duplicate partitions: foo-1")
        }
    }

    @Test func reportsSuccessesOnOneLineAndEachFailure() {
        let ok = LeaderElectionCommand.report([
            TopicPartition("t", 1): (.none, nil), TopicPartition("t", 0): (.none, nil),
        ])
        #expect(ok.stdout == "Successfully completed leader election (PREFERRED) for partitions t-0, t-1\n")
        #expect(!ok.hasError)

        let mixed = LeaderElectionCommand.report([
            TopicPartition("t", 0): (.none, nil),
            TopicPartition("t", 2): (.preferredLeaderNotAvailable,
                                     "Failed to elect leader for partition t-2 under strategy PreferredReplicaPartitionLeaderElectionStrategy"),
            TopicPartition("u", 0): (.unknownTopicOrPartition, "The partition does not exist."),
        ])
        #expect(mixed.stdout == """
            Successfully completed leader election (PREFERRED) for partitions t-0
            Error completing leader election (PREFERRED) for partition: t-2: org.apache.kafka.common.errors.PreferredLeaderNotAvailableException: Failed to elect leader for partition t-2 under strategy PreferredReplicaPartitionLeaderElectionStrategy
            Error completing leader election (PREFERRED) for partition: u-0: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: The partition does not exist.

            """)
        #expect(mixed.stderr == "Error: kafka.common.AdminCommandFailedException: 2 replica(s) could not be elected\n")
        #expect(mixed.hasError)
        #expect(LeaderElectionCommand.javaException(.notController, nil)
            == "org.apache.kafka.common.errors.NotControllerException: This is not the correct controller for this cluster.")
    }
}
