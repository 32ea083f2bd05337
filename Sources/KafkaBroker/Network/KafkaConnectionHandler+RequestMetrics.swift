import KafkaCommon
import NIOCore

/// What a connection keeps of its in-flight request for the request metrics: which APIs' metrics
/// it counts under and when it arrived. Made only when metrics are on.
struct InFlightRequestMetrics {
    let api: RequestMetrics.Api
    let fetchKind: RequestMetrics.Api?
    let receivedNanos: UInt64
    let time: any Time

    init?(_ request: KafkaRequest, metrics: RequestMetrics) {
        guard let api = metrics.api(request.header.apiKey) else { return nil }
        self.api = api
        fetchKind = metrics.fetchKind(of: request)
        receivedNanos = request.receivedNanos
        self.time = metrics.time
    }

    func forEachApi(_ body: (RequestMetrics.Api) -> Void) {
        body(api)
        if let fetchKind { body(fetchKind) }
    }
}

extension KafkaConnectionHandler {
    /// Records the response-queue time (answered → back on this event loop) and returns a promise
    /// that, once the response is written, records the send and total times; nil when metrics are
    /// off (then nothing is measured and no promise is made) or the response closes the
    /// connection. A response that sends nothing (acks=0) is complete at once.
    func responseSendPromise(readyNanos: UInt64, action: KafkaResponseAction,
                             context: ChannelHandlerContext) -> EventLoopPromise<Void>? {
        guard let measured = inFlightMetrics else { return nil }
        inFlightMetrics = nil
        let dequeued = measured.time.nanoseconds
        measured.forEachApi { $0.responseQueueTime.record(fromNanos: readyNanos, toNanos: dequeued) }
        func finish() {
            let now = measured.time.nanoseconds
            measured.forEachApi { api in
                api.responseSendTime.record(fromNanos: dequeued, toNanos: now)
                api.totalTime.record(fromNanos: measured.receivedNanos, toNanos: now)
            }
        }
        switch action {
        case .send, .sendParts:
            let promise = context.eventLoop.makePromise(of: Void.self)
            promise.futureResult.whenSuccess { finish() }
            return promise
        case .noResponse:
            finish()
            return nil
        case .close:
            return nil
        }
    }
}
