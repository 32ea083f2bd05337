/// Where a follower truncates its log after asking the leader, by leader epoch, where its log
/// really ends (KIP-101, KIP-279; Kafka's `getOffsetTruncationState`). Pure: the fetcher gives
/// the leader's answer and the local log's facts.
///
/// The follower sent its latest epoch E; the leader answered (epoch L, end offset O): the largest
/// epoch it has ≤ E, and where that epoch ends in its log.
/// - O undefined (−1): the leader knows no epoch ≤ E; fall back to the initial offset (the high
///   watermark).
/// - L undefined (an old leader): truncate to min(O, local end).
/// - The follower has epoch L: truncate to min(O, where L ends locally, local end) — done.
/// - The follower's largest epoch ≤ L is smaller than L: truncate to where that one ends locally
///   and ask again with the new latest epoch (not done).
/// - The follower has no epoch ≤ L: truncate to min(O, local end) — done.
public struct OffsetTruncation: Sendable, Equatable {
    public var offset: Int64
    public var isComplete: Bool

    public static let undefinedEpoch: Int32 = -1
    public static let undefinedOffset: Int64 = -1

    public static func decide(
        leaderEpoch: Int32, leaderEndOffset: Int64, localEndOffsetForLeaderEpoch: (epoch: Int32, endOffset: Int64),
        localLogEndOffset: Int64, initialFetchOffset: Int64
    ) -> OffsetTruncation {
        if leaderEndOffset == undefinedOffset {
            return OffsetTruncation(offset: min(initialFetchOffset, localLogEndOffset), isComplete: true)
        }
        if leaderEpoch == undefinedEpoch {
            return OffsetTruncation(offset: min(leaderEndOffset, localLogEndOffset), isComplete: true)
        }
        let local = localEndOffsetForLeaderEpoch
        if local.epoch == undefinedEpoch || local.endOffset == undefinedOffset {
            return OffsetTruncation(offset: min(leaderEndOffset, localLogEndOffset), isComplete: true)
        }
        if local.epoch != leaderEpoch {
            return OffsetTruncation(offset: min(local.endOffset, localLogEndOffset), isComplete: false)
        }
        return OffsetTruncation(offset: min(leaderEndOffset, local.endOffset, localLogEndOffset), isComplete: true)
    }
}
