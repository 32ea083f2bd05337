/// The request handlers' idle time (Kafka's `RequestHandlerAvgIdlePercent` meter on
/// `kafka.server:type=KafkaRequestHandlerPool`): the time a handler waits for a request, divided
/// by the number of handlers, as Kafka marks it, in nanoseconds. The JMX exporter exports the
/// meter's `Count` as `kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent_count`;
/// `rate(…[1m]) / 1e9` is the handlers' average idle fraction.
extension RequestChannel {
    /// `receive`, timing the wait when metrics are on (two clock reads and an atomic add per
    /// request; nothing more when they are off).
    func receiveMeasuringIdle() async -> KafkaRequest? {
        guard let metrics = requestMetrics else { return await receive() }
        let start = metrics.time.nanoseconds
        let request = await receive()
        let end = metrics.time.nanoseconds
        let threads = max(1, metrics.handlerThreads.load(ordering: .relaxed))
        if end > start { metrics.handlerIdleNanos.increment(by: Int64(end - start) / Int64(threads)) }
        return request
    }
}
