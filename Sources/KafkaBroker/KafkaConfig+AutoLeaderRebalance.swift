import Controller

extension KafkaConfig {
    /// The controller's automatic leader rebalance: `auto.leader.rebalance.enable`,
    /// `leader.imbalance.per.broker.percentage`, `leader.imbalance.check.interval.seconds` (the
    /// first check comes 5 s after a controller takes over, as in Kafka).
    public var autoLeaderRebalance: AutoLeaderRebalanceConfig {
        AutoLeaderRebalanceConfig(
            isEnabled: value("auto.leader.rebalance.enable")?.lowercased() != "false",
            imbalancePerBrokerPercentage: integer("leader.imbalance.per.broker.percentage"),
            checkInterval: .seconds(max(1, integer("leader.imbalance.check.interval.seconds"))))
    }
}
