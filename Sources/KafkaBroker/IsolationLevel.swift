/// A Fetch's (v4+) or ListOffsets' (v2+) `isolation_level` (KIP-98; Kafka's `IsolationLevel`):
/// `read_committed` reads up to the last stable offset and is told the aborted transactions.
enum IsolationLevel: Int8, Sendable {
    case readUncommitted = 0
    case readCommitted = 1

    /// The level a request names; an unknown value reads as read_uncommitted, as every value
    /// did before the level was passed on.
    init(requested value: Int8) {
        self = IsolationLevel(rawValue: value) ?? .readUncommitted
    }
}
