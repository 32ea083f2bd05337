import CoreMetrics
import KafkaCommon
import KafkaProtocol
import Prometheus
import Synchronization

/// `kafka.network:type=RequestMetrics` for every API the broker advertises (Kafka's
/// `RequestMetrics`, created for every API at start-up as Kafka does): `RequestsPerSec` per
/// `request` and `version`, and the six request-time histograms per `request` (`TotalTimeMs`,
/// `RequestQueueTimeMs`, `LocalTimeMs`, `RemoteTimeMs`, `ResponseQueueTimeMs`,
/// `ResponseSendTimeMs`). A fetch counts under `Fetch` and under `FetchConsumer` or
/// `FetchFollower`, by its replica id, as in Kafka.
///
/// Cheap per request: the API's metrics are found by indexing an array with the key's raw value,
/// the version's counter by indexing with the version; recording is atomic adds
/// (`LatencyHistogram.record`). Nothing is allocated and no string is built per request.
///
/// Isolation: immutable after `init`; the counters and histograms are atomic.
public final class RequestMetrics: Sendable {
    /// The metrics of one `request` name.
    public final class Api: Sendable {
        public let name: String
        /// Indexed by version; versions past the end are not counted (an ApiVersions request
        /// newer than this broker knows).
        let requests: [CoreMetrics.Counter]
        public let totalTime: LatencyHistogram
        public let requestQueueTime: LatencyHistogram
        public let localTime: LatencyHistogram
        public let remoteTime: LatencyHistogram
        public let responseQueueTime: LatencyHistogram
        public let responseSendTime: LatencyHistogram

        public static let timeNames = [
            "TotalTimeMs", "RequestQueueTimeMs", "LocalTimeMs", "RemoteTimeMs", "ResponseQueueTimeMs", "ResponseSendTimeMs",
        ]

        init(name: String, maxVersion: Int16, factory: PrometheusMetricsFactory) {
            self.name = name
            requests = (0...Int(max(0, maxVersion))).map { version in
                let mbean = KafkaMBean("network", type: "RequestMetrics", name: "RequestsPerSec",
                                       tags: [.init("request", name), .init("version", "\(version)")])
                return CoreMetrics.Counter(label: mbean.meterCountName, dimensions: mbean.labels, factory: factory)
            }
            func histogram(_ metric: String) -> LatencyHistogram {
                LatencyHistogram(KafkaMBean("network", type: "RequestMetrics", name: metric, tags: [.init("request", name)]),
                                 factory: factory)
            }
            totalTime = histogram("TotalTimeMs")
            requestQueueTime = histogram("RequestQueueTimeMs")
            localTime = histogram("LocalTimeMs")
            remoteTime = histogram("RemoteTimeMs")
            responseQueueTime = histogram("ResponseQueueTimeMs")
            responseSendTime = histogram("ResponseSendTimeMs")
        }

        /// Counts one request at `version`.
        public func countRequest(version: Int16) {
            if version >= 0, Int(version) < requests.count { requests[Int(version)].increment(by: 1) }
        }

        var histograms: [LatencyHistogram] {
            [totalTime, requestQueueTime, localTime, remoteTime, responseQueueTime, responseSendTime]
        }
    }

    /// Indexed by API key.
    private let byKey: [Api?]
    public let fetchConsumer: Api
    public let fetchFollower: Api
    /// The clock the request times are read from (the broker's).
    public let time: any Time
    /// `kafka.server:type=KafkaRequestHandlerPool,name=RequestHandlerAvgIdlePercent`'s count
    /// (`RequestChannel+IdleTime`), and the handler count it is divided by.
    public let handlerIdleNanos: CoreMetrics.Counter
    let handlerThreads = Atomic<Int>(1)

    init(factory: PrometheusMetricsFactory, time: any Time) {
        self.time = time
        handlerIdleNanos = CoreMetrics.Counter(
            label: KafkaMBean("server", type: "KafkaRequestHandlerPool", name: "RequestHandlerAvgIdlePercent").histogramCountName,
            dimensions: [], factory: factory)
        var byKey: [Api?] = []
        for advertised in KafkaAPIs.advertised {
            let key = Int(advertised.apiKey.rawValue)
            guard key >= 0 else { continue }
            while byKey.count <= key { byKey.append(nil) }
            byKey[key] = Api(name: Self.name(of: advertised.apiKey), maxVersion: advertised.maxVersion, factory: factory)
        }
        self.byKey = byKey
        let fetchVersions = KafkaAPIs.advertised.first { $0.apiKey == .fetch }?.maxVersion ?? 0
        fetchConsumer = Api(name: "FetchConsumer", maxVersion: fetchVersions, factory: factory)
        fetchFollower = Api(name: "FetchFollower", maxVersion: fetchVersions, factory: factory)
    }

    /// The name Kafka 2.3's `ApiKeys` gives the API (`ElectPreferredLeaders` for key 43).
    static func name(of key: ApiKey) -> String {
        key == .electLeaders ? "ElectPreferredLeaders" : (key.name ?? "ApiKey\(key.rawValue)")
    }

    /// The metrics of an advertised API; nil for any other key.
    public func api(_ key: ApiKey) -> Api? {
        let index = Int(key.rawValue)
        return index >= 0 && index < byKey.count ? byKey[index] : nil
    }

    /// The `FetchConsumer` / `FetchFollower` metrics for a fetch request, read from the body's
    /// first field (replica id, an int32 in every Fetch version) without decoding the request.
    public func fetchKind(of request: KafkaRequest) -> Api? {
        guard request.header.apiKey == .fetch else { return nil }
        return request.isFetchFromFollower ? fetchFollower : fetchConsumer
    }

    var all: [Api] { byKey.compactMap { $0 } + [fetchConsumer, fetchFollower] }

    /// Sets every histogram's quantile gauges (at scrape time).
    func publish() {
        for api in all { for histogram in api.histograms { histogram.publish() } }
    }
}

extension KafkaRequest {
    /// Whether this is a Fetch from a follower (replica id ≥ 0, the body's first int32 in every
    /// version), read without decoding the request.
    public var isFetchFromFollower: Bool {
        guard header.apiKey == .fetch, let replicaId = body.getInteger(at: body.readerIndex, as: Int32.self) else { return false }
        return replicaId >= 0
    }
}
