/// The wire values of DescribeConfigs' int8 codes, shared by AlterConfigs and
/// IncrementalAlterConfigs (which name resources the same way).
extension DescribeConfigs {
    /// `resource_type` values (Kafka's `ConfigResource.Type`). Kafka 2.3's broker describes and
    /// alters only topics and brokers; `brokerLogger` exists on the wire (KIP-412) for
    /// DescribeConfigs and IncrementalAlterConfigs.
    public enum ResourceType {
        public static let unknown: Int8 = 0
        public static let topic: Int8 = 2
        public static let broker: Int8 = 4
        public static let brokerLogger: Int8 = 8
    }

    /// `config_source` values (v1+) of a config and of each of its synonyms. Synonyms are listed
    /// from the one that wins (lowest of 1...5) to Kafka's built-in default (5).
    public enum ConfigSource {
        public static let unknown: Int8 = 0
        public static let dynamicTopicConfig: Int8 = 1
        public static let dynamicBrokerConfig: Int8 = 2
        public static let dynamicDefaultBrokerConfig: Int8 = 3
        public static let staticBrokerConfig: Int8 = 4
        public static let defaultConfig: Int8 = 5
        public static let dynamicBrokerLoggerConfig: Int8 = 6
    }
}
