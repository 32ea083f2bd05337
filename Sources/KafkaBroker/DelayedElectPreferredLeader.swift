import KafkaCommon
import KafkaProtocol
import KafkaPurgatory

/// An ElectPreferredLeaders request waiting until this broker's metadata cache shows the elected
/// leaders (Kafka's `DelayedElectPreferredLeader`): the controller has written them and sent
/// UpdateMetadata; the request completes when every expected partition's leader in the cache is
/// its preferred replica, or after the request's `timeout_ms` (REQUEST_TIMED_OUT for the
/// partitions still led by another broker). Watched under each partition (`TopicPartition`);
/// UpdateMetadata calls `checkAndComplete` for the partitions it carries.
///
/// `completion` runs once, on the completing thread, with every partition's result: those the
/// controller already settled, plus NONE or REQUEST_TIMED_OUT for the awaited ones.
final class DelayedElectPreferredLeader: DelayedOperation, @unchecked Sendable {
    typealias Results = [TopicPartition: (ErrorCode, String?)]

    /// The partitions awaited, each with the leader expected.
    let expectedLeaders: [TopicPartition: BrokerId]
    /// The results the controller gave for the partitions not awaited.
    let settled: Results
    let cache: MetadataCache
    private let completion: @Sendable (Results) -> Void

    init(delayMs: Int64, expectedLeaders: [TopicPartition: BrokerId], settled: Results, cache: MetadataCache,
         completion: @escaping @Sendable (Results) -> Void) {
        self.expectedLeaders = expectedLeaders
        self.settled = settled
        self.cache = cache
        self.completion = completion
        super.init(delayMs: delayMs)
    }

    /// The awaited partitions whose expected leader is still not in the metadata cache.
    var waitingPartitions: [TopicPartition] {
        let snapshot = cache.current
        return expectedLeaders.filter { tp, leader in
            snapshot.partitions[tp.topic]?[tp.partition]?.leader != leader
        }.map(\.key)
    }

    override func tryComplete() -> Bool {
        waitingPartitions.isEmpty ? forceComplete() : false
    }

    override func onComplete() {
        var results = settled
        let waiting = Set(waitingPartitions)
        for tp in expectedLeaders.keys {
            results[tp] = waiting.contains(tp) ? (.requestTimedOut, nil) : (.none, nil)
        }
        completion(results)
    }

    override func onExpiration() {}
}
