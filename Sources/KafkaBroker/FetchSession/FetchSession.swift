import KafkaCommon
import KafkaProtocol

/// An incremental fetch session (KIP-227; Kafka's `FetchSession`): the partitions one client
/// fetches from this broker, with what it was last told about each, so that its requests name
/// only what changed on its side and the responses carry only what changed on the broker's.
///
/// Lifecycle: created by a full fetch with epoch 0 when the `FetchSessionCache` has (or can make)
/// room; its `epoch` starts at 1, the epoch the client's first incremental fetch must carry, and
/// moves on by one with each incremental fetch accepted. It ends when a full fetch names its id,
/// when an incremental fetch leaves it with no partitions, or when the cache evicts it.
///
/// Order: `order` is the order in which the partitions are read for an incremental fetch, which
/// matters when `max_bytes` cuts a response short. Partitions an incremental response carries move
/// to the end, so the others are read first next time and none starves (as in Kafka).
///
/// Isolation: a value; the `FetchSessionCache` that holds it is guarded by its `FetchManager`.
struct FetchSession: Equatable, Sendable {
    let id: Int32
    /// A follower's session: may evict consumers' sessions (see `FetchSessionCache`).
    let isPrivileged: Bool
    let creationMs: Int64
    var lastUsedMs: Int64
    /// The epoch the next incremental request must carry.
    var epoch: Int32
    /// The partitions, by name.
    private(set) var partitions: [TopicPartition: CachedPartition]
    /// The partitions in read order; the same set as `partitions`.
    private(set) var order: [TopicPartition]
    /// The size when the cache last touched the session; its eviction bookkeeping uses this, not
    /// the live size. -1 before the first touch.
    var cachedSize = -1

    init(id: Int32, isPrivileged: Bool, now: Int64, partitions: [CachedPartition]) {
        self.id = id
        self.isPrivileged = isPrivileged
        self.creationMs = now
        self.lastUsedMs = now
        self.epoch = FetchMetadata.nextEpoch(after: FetchMetadata.initialEpoch)
        self.partitions = [:]
        self.order = []
        for partition in partitions where self.partitions.updateValue(partition, forKey: partition.topicPartition) == nil {
            order.append(partition.topicPartition)
        }
    }

    var size: Int { partitions.count }
    var isEmpty: Bool { partitions.isEmpty }

    /// The partitions in read order.
    var orderedPartitions: [CachedPartition] { order.compactMap { partitions[$0] } }

    /// What an incremental request changed.
    struct Update: Equatable, Sendable {
        var added: [TopicPartition] = []
        var updated: [TopicPartition] = []
        var removed: [TopicPartition] = []
    }

    /// Applies an incremental request: its partitions are added or take their new fetch
    /// parameters; its forgotten partitions leave the session.
    mutating func update(fetchData: [(TopicPartition, Fetch.FetchPartition)], toForget: [TopicPartition]) -> Update {
        var result = Update()
        for (tp, request) in fetchData {
            if partitions[tp] != nil {
                partitions[tp]?.updateRequestParameters(request)
                result.updated.append(tp)
            } else {
                partitions[tp] = CachedPartition(tp, request: request)
                order.append(tp)
                result.added.append(tp)
            }
        }
        let forgotten = Set(toForget.filter { partitions.removeValue(forKey: $0) != nil })
        if !forgotten.isEmpty {
            order.removeAll { forgotten.contains($0) }
            result.removed = toForget.filter { forgotten.contains($0) }
        }
        return result
    }

    /// Records a response built for an incremental fetch and returns the partitions it must carry
    /// (in read order): those `CachedPartition.maybeUpdateResponseData` selects. Those move to the
    /// end of the read order.
    mutating func selectForIncrementalResponse(_ outcomes: [(TopicPartition, FetchPartitionOutcome)]) -> [TopicPartition] {
        var selected: [TopicPartition] = []
        for (tp, outcome) in outcomes {
            guard var cached = partitions[tp] else { continue }
            if cached.maybeUpdateResponseData(outcome, update: true) { selected.append(tp) }
            partitions[tp] = cached
        }
        if !selected.isEmpty {
            let moved = Set(selected)
            order = order.filter { !moved.contains($0) } + order.filter { moved.contains($0) }
        }
        return selected
    }

    /// Records a full response (every partition is in it).
    mutating func recordFullResponse(_ outcomes: [(TopicPartition, FetchPartitionOutcome)]) {
        for (tp, outcome) in outcomes {
            _ = partitions[tp]?.maybeUpdateResponseData(outcome, update: true)
        }
    }
}
