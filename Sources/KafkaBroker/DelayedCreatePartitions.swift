import KafkaCommon
import KafkaPurgatory

/// A CreateTopics request waiting for its topics' leaders (Kafka's `DelayedCreatePartitions`):
/// the topics were written to ZooKeeper; the request completes when this broker's metadata cache
/// has a leader for every new partition, or after the request's `timeout_ms`
/// (REQUEST_TIMED_OUT for the topics still without one). Watched under each topic's name;
/// UpdateMetadata calls `checkAndComplete` for the topics it mentions. CreatePartitions waits
/// in it the same way, for its new partitions.
///
/// `completion` runs once, on the completing thread (a request handler's, handling the
/// UpdateMetadata, or the purgatory's timer), and sends the response: no request handler waits
/// for the operation.
final class DelayedCreatePartitions: DelayedOperation, @unchecked Sendable {
    /// topic → number of partitions expected
    let expected: [String: Int32]
    let cache: MetadataCache
    private let completion: @Sendable (_ ready: Set<String>) -> Void

    init(delayMs: Int64, expected: [String: Int32], cache: MetadataCache,
         completion: @escaping @Sendable (_ ready: Set<String>) -> Void) {
        self.expected = expected
        self.cache = cache
        self.completion = completion
        super.init(delayMs: delayMs)
    }

    /// The topics whose partitions all have a leader in the metadata cache.
    var readyTopics: Set<String> {
        let snapshot = cache.current
        return Set(expected.filter { topic, count in
            guard let partitions = snapshot.partitions[topic] else { return false }
            return (0..<count).allSatisfy { partitions[$0].map { $0.leader.rawValue >= 0 } ?? false }
        }.keys)
    }

    override func tryComplete() -> Bool {
        readyTopics.count == expected.count ? forceComplete() : false
    }

    override func onComplete() {
        completion(readyTopics)
    }

    override func onExpiration() {}
}

/// A DeleteTopics request waiting until this broker's metadata cache no longer has its topics
/// (Kafka's `DelayedDeleteTopics`), or for its `timeout_ms`. Watched under each topic's name;
/// `completion` runs once, on the completing thread, and sends the response.
final class DelayedDeleteTopics: DelayedOperation, @unchecked Sendable {
    let topics: Set<String>
    let cache: MetadataCache
    private let completion: @Sendable (_ gone: Set<String>) -> Void

    init(delayMs: Int64, topics: Set<String>, cache: MetadataCache, completion: @escaping @Sendable (_ gone: Set<String>) -> Void) {
        self.topics = topics
        self.cache = cache
        self.completion = completion
        super.init(delayMs: delayMs)
    }

    var goneTopics: Set<String> {
        let known = Set(cache.current.partitions.keys)
        return topics.subtracting(known)
    }

    override func tryComplete() -> Bool {
        goneTopics.count == topics.count ? forceComplete() : false
    }

    override func onComplete() { completion(goneTopics) }
    override func onExpiration() {}
}
