/// The persistent paths a Kafka broker creates at start-up when they are missing (Kafka 2.x), so
/// that anyone listing the ensemble sees the layout of an Apache Kafka cluster:
/// `admin/delete_topics`, `brokers/{ids,topics,seqid}`, `config/{changes,topics,clients,users,brokers}`,
/// `consumers`, `isr_change_notification`, `latest_producer_id_block`, `log_dir_event_notification`.
public enum PersistentZkPaths {
    public static let consumers = "/consumers"
    public static let brokerTopics = "/brokers/topics"
    public static let brokerSequenceId = "/brokers/seqid"
    public static let configChanges = "/config/changes"
    public static let deleteTopics = "/admin/delete_topics"
    public static let isrChangeNotification = "/isr_change_notification"
    public static let latestProducerIdBlock = "/latest_producer_id_block"
    public static let logDirEventNotification = "/log_dir_event_notification"
    /// `/config/<entity type>` for every entity type Kafka 2.x configures.
    public static let configEntityTypes = ["topics", "clients", "users", "brokers"].map { "/config/\($0)" }

    public static let all: [String] = [
        consumers, BrokerIdsZNode.path, brokerTopics, configChanges, deleteTopics, brokerSequenceId,
        isrChangeNotification, latestProducerIdBlock, logDirEventNotification,
    ] + configEntityTypes
}
