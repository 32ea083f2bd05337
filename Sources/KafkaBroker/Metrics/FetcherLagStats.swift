import CoreMetrics
import KafkaCommon
import Synchronization

/// The replica fetchers' lag (Kafka's `FetcherLagStats`): per followed partition, how far the
/// follower's log end is behind the leader's high watermark after its last fetch, and
/// `kafka.server:type=ReplicaFetcherManager,name=MaxLag,clientId=Replica`, the largest lag of the
/// partitions still followed, computed at scrape time.
///
/// Cost: one uncontended `Mutex` and a dictionary write per partition per fetch round on the
/// follower path (not the clients' produce and fetch path); nothing when metrics are off.
public final class FetcherLagStats: Sendable {
    private let lags = Mutex<[TopicPartition: Int64]>([:])

    public func record(_ tp: TopicPartition, leaderHighWatermark: Int64, logEndOffset: Int64) {
        let lag = max(0, leaderHighWatermark - logEndOffset)
        lags.withLock { $0[tp] = lag }
    }

    /// The largest lag among `followed`; lags of partitions no longer followed are dropped.
    public func maxLag(followed: Set<TopicPartition>) -> Int64 {
        lags.withLock { lags in
            lags = lags.filter { followed.contains($0.key) }
            return lags.values.max() ?? 0
        }
    }
}
