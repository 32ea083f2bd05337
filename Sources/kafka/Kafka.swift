import ArgumentParser

/// The admin command line (`kafka <tool> …`): one subcommand per Kafka shell tool
/// (`kafka-topics.sh`, `kafka-console-producer.sh`, `kafka-console-consumer.sh`,
/// `kafka-consumer-groups.sh`, `kafka-dump-log.sh`), with Kafka's option names.
///
/// Every subcommand that talks to a cluster is a plain wire-protocol client (`ClusterClient`);
/// `dump-log` reads segment files from disk and needs no broker.
@main
struct Kafka: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka",
        abstract: "Administer and use a Kafka cluster over the wire protocol.",
        subcommands: [TopicsCommand.self, ConfigsCommand.self, ConsumerGroupCommand.self, ConsoleProducerCommand.self, ConsoleConsumerCommand.self, DumpLogCommand.self, LabTimelineCommand.self, ReassignPartitionsCommand.self, LeaderElectionCommand.self, ClusterCommand.self]
    )
}
