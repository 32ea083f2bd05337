/// The controller's automatic leader rebalance settings (Kafka's `auto.leader.rebalance.enable`,
/// `leader.imbalance.per.broker.percentage`, `leader.imbalance.check.interval.seconds`).
///
/// An active controller first checks `initialDelay` after its failover (5 s in Kafka), then every
/// `checkInterval` after the previous check finished, until it resigns.
public struct AutoLeaderRebalanceConfig: Sendable, Equatable {
    public var isEnabled: Bool
    /// A broker's allowed share, in percent, of the partitions it prefers but does not lead.
    public var imbalancePerBrokerPercentage: Int
    public var checkInterval: Duration
    public var initialDelay: Duration

    public init(
        isEnabled: Bool = true, imbalancePerBrokerPercentage: Int = 10, checkInterval: Duration = .seconds(300),
        initialDelay: Duration = .seconds(5)
    ) {
        self.isEnabled = isEnabled
        self.imbalancePerBrokerPercentage = imbalancePerBrokerPercentage
        self.checkInterval = checkInterval
        self.initialDelay = initialDelay
    }
}
