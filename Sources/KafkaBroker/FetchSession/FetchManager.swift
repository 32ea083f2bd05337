import KafkaCommon
import KafkaProtocol
import Synchronization

/// Decides, for each Fetch request, which session it belongs to and what it reads, and after the
/// read what its response carries (Kafka's `FetchManager`, with the session logic of its
/// `FetchContext` classes). The rules are in `FetchMetadata` (the wire fields), `FetchContext`
/// (the kinds of request), `FetchSession` and `FetchSessionCache` (eviction).
///
/// A request goes through it twice: `newContext` before any log is read (validates the session
/// and epoch, applies an incremental request's changes, moves the epoch on and marks the session
/// used), and `completeResponse` once the partitions have been read, which may be after the
/// request waited in the fetch purgatory (creates the session of a full fetch, or selects what an
/// incremental response carries and records it in the session).
///
/// Isolation: the cache is under one mutex, held only for the session bookkeeping (no I/O, no
/// log lock); called concurrently by request handler threads and by whichever thread completes a
/// delayed fetch.
final class FetchManager: Sendable {
    private let time: any Time
    private let cache: Mutex<FetchSessionCache>

    init(cache: FetchSessionCache, time: any Time) {
        self.time = time
        self.cache = Mutex(cache)
    }

    /// A manager with Kafka's defaults (1000 slots, 120 s eviction time).
    convenience init(time: any Time = SystemTime()) {
        self.init(cache: FetchSessionCache(maxEntries: 1000, evictionMs: 120_000), time: time)
    }

    /// The cache as it is now (for tests and metrics).
    var snapshot: FetchSessionCache { cache.withLock { $0 } }

    /// Classifies `request` (see `FetchContext`). Requests before v7 carry no session fields and
    /// are sessionless.
    func newContext(_ request: Fetch.Request, version: Int16, isFromFollower: Bool) -> FetchContext {
        let metadata = version >= 7 ? request.fetchMetadata : .sessionless
        return newContext(metadata: metadata, fetchData: request.fetchEntries, toForget: request.forgottenPartitions,
                          isFromFollower: isFromFollower)
    }

    func newContext(metadata: FetchMetadata, fetchData: [FetchContext.Entry], toForget: [TopicPartition],
                    isFromFollower: Bool) -> FetchContext {
        let now = time.milliseconds
        return cache.withLock { cache -> FetchContext in
            if metadata.isFull {
                // A full fetch closes the session it names, whatever it asks for next.
                if metadata.sessionId != FetchMetadata.invalidSessionId { cache.remove(metadata.sessionId) }
                return metadata.epoch == FetchMetadata.finalEpoch
                    ? .sessionless(partitions: fetchData) : .full(partitions: fetchData, isFromFollower: isFromFollower)
            }
            let outcome = cache.modify(metadata.sessionId) { session -> FetchContext in
                guard session.epoch == metadata.epoch else { return .sessionError(.invalidFetchSessionEpoch) }
                _ = session.update(fetchData: fetchData.map { ($0.topicPartition, $0.request) }, toForget: toForget)
                session.epoch = FetchMetadata.nextEpoch(after: session.epoch)
                let partitions = session.orderedPartitions.map { FetchContext.Entry($0.topicPartition, $0.fetchPartition) }
                return .incremental(sessionId: session.id, expectedEpoch: session.epoch, partitions: partitions)
            }
            guard let outcome else { return .sessionError(.fetchSessionIdNotFound) }
            if case .incremental(let id, _, let partitions) = outcome {
                if partitions.isEmpty {
                    // Everything forgotten: the session ends and the request is answered as a
                    // sessionless one with nothing in it.
                    cache.remove(id)
                    return .sessionless(partitions: [])
                }
                cache.touch(id, now: now)
            }
            return outcome
        }
    }

    /// The session part of the response for `context`, given what was read for each of its
    /// partitions (`outcomes`, in the context's order).
    func completeResponse(_ context: FetchContext, outcomes: [(TopicPartition, FetchPartitionOutcome)]) -> FetchSessionResponse {
        switch context {
        case .sessionError(let code):
            return FetchSessionResponse(errorCode: code)
        case .sessionless:
            return FetchSessionResponse()
        case .full(let partitions, let isFromFollower):
            var cached: [CachedPartition] = []
            for (entry, (_, outcome)) in zip(partitions, outcomes) {
                var partition = CachedPartition(entry.topicPartition, request: entry.request)
                _ = partition.maybeUpdateResponseData(outcome, update: true)
                cached.append(partition)
            }
            let now = time.milliseconds
            let id = cache.withLock { $0.maybeCreateSession(now: now, privileged: isFromFollower, partitions: cached) }
            return FetchSessionResponse(sessionId: id)
        case .incremental(let id, let expectedEpoch, _):
            return cache.withLock { cache in
                let selected = cache.modify(id) { session -> [TopicPartition]? in
                    // Another request of this session got in between: this one's view is stale.
                    guard session.epoch == expectedEpoch else { return nil }
                    return session.selectForIncrementalResponse(outcomes)
                }
                switch selected {
                case .some(.some(let partitions)): return FetchSessionResponse(sessionId: id, selected: partitions)
                case .some(.none): return FetchSessionResponse(errorCode: .invalidFetchSessionEpoch)
                // Evicted while the request was being read: the client must start over.
                case .none: return FetchSessionResponse(errorCode: .fetchSessionIdNotFound)
                }
            }
        }
    }
}
