/// A Fetch's `isolation_level` (KIP-98, Fetch v4+; Kafka's `IsolationLevel`). With no
/// transactions yet, the last stable offset is the high watermark and both levels read the same.
enum IsolationLevel: Int8, Sendable {
    case readUncommitted = 0
    case readCommitted = 1

    /// The level a request names; an unknown value reads as read_uncommitted, as every value
    /// did before the level was passed on.
    init(requested value: Int8) {
        self = IsolationLevel(rawValue: value) ?? .readUncommitted
    }
}
