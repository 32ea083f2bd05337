/// The broker settings the group coordinator's decisions depend on (Kafka's `GroupConfig`), read
/// from `KafkaConfig` by the broker. Defaults are Kafka 2.3's.
public struct GroupConfig: Sendable, Equatable {
    /// `group.min.session.timeout.ms`: the shortest session timeout a JoinGroup may ask for.
    public var minSessionTimeoutMs: Int32
    /// `group.max.session.timeout.ms`: the longest session timeout a JoinGroup may ask for.
    public var maxSessionTimeoutMs: Int32
    /// `group.max.size`: how many members a group may have (KIP-389).
    public var maxSize: Int32
    /// `group.initial.rebalance.delay.ms`: how long the first rebalance of an empty group waits for
    /// more members, so that consumers started together do not cause one rebalance each (KIP-134).
    public var initialRebalanceDelayMs: Int32

    public init(
        minSessionTimeoutMs: Int32 = 6000, maxSessionTimeoutMs: Int32 = 1_800_000,
        maxSize: Int32 = .max, initialRebalanceDelayMs: Int32 = 3000
    ) {
        self.minSessionTimeoutMs = minSessionTimeoutMs
        self.maxSessionTimeoutMs = maxSessionTimeoutMs
        self.maxSize = maxSize
        self.initialRebalanceDelayMs = initialRebalanceDelayMs
    }
}
