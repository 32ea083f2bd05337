import KafkaCommon
import Synchronization

/// Measures one request's request-queue, local and remote time (Kafka's
/// `RequestChannel.Request` timestamps) between the request handler taking it and the response
/// being handed back to its connection; the connection measures the response-queue, send and
/// total time (`KafkaConnectionHandler+RequestMetrics`).
///
/// Local time ends when the handler returns or answers, whichever comes first; a request parked
/// in a purgatory then spends remote time until its delayed operation answers. The two ends race
/// on `localEnd` (compare-exchange from 0), so each time is recorded exactly once.
///
/// Made only when metrics are on (one object and one wrapping closure per request; with
/// `admin.listener` unset `KafkaApis` makes neither).
final class RequestTiming: Sendable {
    /// The API's metrics, and for a fetch the FetchConsumer / FetchFollower ones too.
    let api: RequestMetrics.Api
    let fetchKind: RequestMetrics.Api?
    let time: any Time
    let dequeued: UInt64
    private let localEnd = Atomic<UInt64>(0)

    init?(_ request: KafkaRequest, metrics: RequestMetrics, time: any Time) {
        guard let api = metrics.api(request.header.apiKey) else { return nil }
        self.api = api
        fetchKind = metrics.fetchKind(of: request)
        self.time = time
        dequeued = time.nanoseconds
        forEachApi { api in
            api.countRequest(version: request.header.apiVersion)
            api.requestQueueTime.record(fromNanos: request.receivedNanos, toNanos: dequeued)
        }
    }

    func forEachApi(_ body: (RequestMetrics.Api) -> Void) {
        body(api)
        if let fetchKind { body(fetchKind) }
    }

    /// `request`, answering through this timing first.
    func wrap(_ request: KafkaRequest) -> KafkaRequest {
        let complete = request.complete
        var wrapped = request
        wrapped.complete = { [self] action in
            answered()
            complete(action)
        }
        return wrapped
    }

    /// The handler returned (from `KafkaApis.handle`'s `defer`).
    func handlerReturned() {
        let now = time.nanoseconds
        if localEnd.compareExchange(expected: 0, desired: max(now, 1), ordering: .acquiringAndReleasing).exchanged {
            forEachApi { $0.localTime.record(fromNanos: dequeued, toNanos: now) }
        }
    }

    private func answered() {
        let now = time.nanoseconds
        let (first, end) = localEnd.compareExchange(expected: 0, desired: max(now, 1), ordering: .acquiringAndReleasing)
        forEachApi { api in
            if first {
                api.localTime.record(fromNanos: dequeued, toNanos: now)
                api.remoteTime.record(milliseconds: 0)
            } else {
                api.remoteTime.record(fromNanos: end, toNanos: now)
            }
        }
    }
}
