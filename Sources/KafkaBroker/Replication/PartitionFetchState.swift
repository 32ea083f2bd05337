import KafkaCommon

/// One partition in a fetcher (Kafka's `PartitionFetchState`): where the next fetch starts, the
/// leader epoch it is fetched under, and whether the log must first be truncated.
///
///     truncating ──(leader-epoch exchange, or no epochs: truncate to the high watermark)──▶ fetching
///         ▲                                                                                   │
///         └─────────────────────── (a new leader: the partition is added again) ◀────────────┘
///
/// A partition whose fetch failed is delayed until `delayedUntilMs`, then retried.
struct PartitionFetchState: Sendable, Equatable {
    enum Phase: Sendable, Equatable { case truncating, fetching }

    var fetchOffset: Int64
    var currentLeaderEpoch: LeaderEpoch
    var phase: Phase
    var delayedUntilMs: Int64?

    func isReady(nowMs: Int64) -> Bool { delayedUntilMs.map { $0 <= nowMs } ?? true }
}
