import Foundation
import KafkaCommon
import KafkaProtocol
import Logging
import NIOCore
import Synchronization
import KafkaTestKit
import Testing

@testable import KafkaBroker

/// The metric names the Prometheus JMX exporter's Kafka rules give Kafka's MBeans, the text the
/// registry renders, and the request-time split.
@Suite struct BrokerMetricsTests {
    /// The value of the sample `name{labels}` in a scrape, labels as rendered.
    static func sample(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard line.hasPrefix(series + " ") else { continue }
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test func jmxExporterNames() {
        let messagesIn = KafkaMBean("server", type: "BrokerTopicMetrics", name: "MessagesInPerSec", tags: [.init("topic", "Orders")])
        #expect(messagesIn.description == "kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=Orders")
        #expect(messagesIn.meterCountName == "kafka_server_brokertopicmetrics_messagesin_total")
        #expect(messagesIn.labels.map { "\($0.0)=\($0.1)" } == ["topic=Orders"], "label values keep their case")
        #expect(KafkaMBean("server", type: "BrokerTopicMetrics", name: "FailedProduceRequestsPerSec").meterCountName
            == "kafka_server_brokertopicmetrics_failedproducerequests_total")
        #expect(KafkaMBean("server", type: "ReplicaManager", name: "IsrShrinksPerSec").meterCountName
            == "kafka_server_replicamanager_isrshrinks_total")
        #expect(KafkaMBean("server", type: "ReplicaManager", name: "UnderReplicatedPartitions").gaugeName
            == "kafka_server_replicamanager_underreplicatedpartitions")
        #expect(KafkaMBean("controller", type: "KafkaController", name: "ActiveControllerCount").gaugeName
            == "kafka_controller_kafkacontroller_activecontrollercount")
        #expect(KafkaMBean("network", type: "RequestMetrics", name: "TotalTimeMs").histogramCountName
            == "kafka_network_requestmetrics_totaltimems_count")
        #expect(KafkaMBean("coordinator.group", type: "GroupMetadataManager", name: "NumGroupsStable").gaugeName
            == "kafka_coordinator_group_groupmetadatamanager_numgroupsstable")
        #expect(KafkaMBean("log", type: "Log", name: "LogEndOffset").gaugeName == "kafka_log_log_logendoffset")
        #expect(KafkaMBean.quantileLabel(percentileDigits: "999") == "0.999")
        #expect(KafkaMBean.quantileLabel(percentileDigits: "50") == "0.50")
    }

    @Test func adminListenerAddresses() throws {
        #expect(AdminListenerAddress(parsing: "http://127.0.0.1:9404") == AdminListenerAddress(host: "127.0.0.1", port: 9404))
        #expect(AdminListenerAddress(parsing: "http://[::1]:0/") == AdminListenerAddress(host: "::1", port: 0))
        #expect(AdminListenerAddress(host: "::1", port: 9404).description == "http://[::1]:9404")
        for bad in ["127.0.0.1:9404", "https://127.0.0.1:9404", "http://127.0.0.1", "http://:9404", "http://h:99999",
                    "http://h:x", "http://h:1/metrics"] {
            #expect(AdminListenerAddress(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func adminListenerKeyIsOffByDefaultAndValidated() throws {
        let base = "zookeeper.connect=zk:2181\n"
        #expect(try KafkaConfig(properties: JavaProperties(parsing: base)).adminListener == nil)
        let on = try KafkaConfig(properties: JavaProperties(parsing: base + "admin.listener=http://127.0.0.1:9404\n"))
        #expect(on.adminListener == AdminListenerAddress(host: "127.0.0.1", port: 9404))
        #expect(on.unknownKeys.isEmpty)
        do {
            _ = try KafkaConfig(properties: JavaProperties(parsing: base + "admin.listener=127.0.0.1:9404\n"), file: "s.properties")
            Issue.record("a malformed admin.listener was accepted")
        } catch let error as ConfigError {
            #expect(error.key == "admin.listener")
            #expect(error.description.contains("admin.listener"))
            #expect(error.description.contains("http://host:port"))
        }
    }

    @Test func quantilesInterpolateWithinBuckets() {
        var counts = [Int](repeating: 0, count: LatencyHistogram.bounds.count + 1)
        #expect(LatencyHistogram.quantile(0.5, bucketCounts: counts) == 0)
        // 100 values in (1, 2] ms: the median is half way, the 99th percentile near the top.
        let index = LatencyHistogram.bounds.firstIndex(of: 2)!
        counts[index] = 100
        #expect(LatencyHistogram.quantile(0.5, bucketCounts: counts) == 1.5)
        #expect(abs(LatencyHistogram.quantile(0.99, bucketCounts: counts) - 1.99) < 1e-9)
        // Values past the last bound report the last bound.
        counts[counts.count - 1] = 10_000
        #expect(LatencyHistogram.quantile(0.999, bucketCounts: counts) == LatencyHistogram.bounds.last)
    }

    @Test func topicCountersAreCreatedOnceAndRenderedInTheTextFormat() async {
        let metrics = BrokerMetrics()
        let stats = metrics.topicStats
        #expect(stats.topic("orders") === stats.topic("orders"))
        stats.produceRequested("orders")
        stats.appended("orders", messages: 5, bytes: 300)
        stats.appended("payments", messages: 2, bytes: 100)
        stats.bytesOut("orders", bytes: 70, fromFollower: false)
        stats.bytesOut("orders", bytes: 1000, fromFollower: true)
        stats.recordsRejected("orders", code: 10, bytes: 2048)
        stats.recordsRejected("orders", code: 2, bytes: 4096)
        let text = await metrics.scrape()
        #expect(text.contains("# TYPE kafka_server_brokertopicmetrics_messagesin_total counter"))
        #expect(Self.sample(text, #"kafka_server_brokertopicmetrics_messagesin_total{topic="orders"}"#) == 5)
        #expect(Self.sample(text, #"kafka_server_brokertopicmetrics_messagesin_total{topic="payments"}"#) == 2)
        #expect(Self.sample(text, "kafka_server_brokertopicmetrics_messagesin_total") == 7)
        #expect(Self.sample(text, "kafka_server_brokertopicmetrics_bytesin_total") == 400)
        #expect(Self.sample(text, #"kafka_server_brokertopicmetrics_bytesout_total{topic="orders"}"#) == 70)
        #expect(Self.sample(text, "kafka_server_brokertopicmetrics_replicationbytesout_total") == 1000)
        #expect(Self.sample(text, "kafka_server_brokertopicmetrics_bytesrejected_total") == 2048, "only too-large counts")
        #expect(Self.sample(text, #"kafka_server_brokertopicmetrics_totalproducerequests_total{topic="orders"}"#) == 1)
    }

    @Test func requestTimesSplitIntoQueueLocalAndRemote() async throws {
        let time = ManualTime()
        let metrics = BrokerMetrics(time: time)
        let answered = Mutex(false)
        var request = KafkaRequest(header: RequestHeader(apiKey: .produce, apiVersion: 7, correlationId: 1, clientId: "t"),
                                   body: ByteBuffer(), connectionId: "c", listenerName: "PLAINTEXT",
                                   receivedNanos: time.nanoseconds, complete: { _ in answered.withLock { $0 = true } })
        request.clientHost = "/127.0.0.1"
        time.sleep(3)  // waits 3 ms in the request queue
        let timing = try #require(RequestTiming(request, metrics: metrics.requestMetrics, time: time))
        let wrapped = timing.wrap(request)
        #expect(wrapped.clientHost == "/127.0.0.1")
        time.sleep(2)  // 2 ms in the handler, then parked
        timing.handlerReturned()
        time.sleep(40)  // 40 ms in a purgatory
        wrapped.complete(.noResponse)
        #expect(answered.withLock { $0 })
        let api = try #require(metrics.requestMetrics.api(.produce))
        func median(_ histogram: LatencyHistogram) -> Double { LatencyHistogram.quantile(0.5, bucketCounts: histogram.bucketCounts) }
        #expect(median(api.requestQueueTime) > 2 && median(api.requestQueueTime) <= 3)
        #expect(median(api.localTime) > 1 && median(api.localTime) <= 2)
        #expect(median(api.remoteTime) > 25 && median(api.remoteTime) <= 50)
        let text = await metrics.scrape()
        #expect(Self.sample(text, #"kafka_network_requestmetrics_requests_total{request="Produce",version="7"}"#) == 1)
        #expect(Self.sample(text, #"kafka_network_requestmetrics_remotetimems_count{request="Produce"}"#) == 1)
        #expect(Self.sample(text, #"kafka_network_requestmetrics_localtimems{request="Produce",quantile="0.50"}"#) == 1.5)
        #expect(Self.sample(text, #"kafka_network_requestmetrics_requests_total{request="Fetch",version="0"}"#) == 0)
    }

    /// A scrape republishes a histogram's quantiles only when it recorded something since the last
    /// one; the quantiles still follow every new value, and a histogram never recorded shows 0.
    @Test func quantilesFollowNewValuesAcrossScrapes() async {
        let metrics = BrokerMetrics(time: ManualTime())
        let histogram = metrics.histogram(KafkaMBean("log", type: "LogFlushStats", name: "LogFlushRateAndTimeMs"))
        metrics.addCollector { histogram.publish() }  // as the server's collectors do
        let median = #"kafka_log_logflushstats_logflushrateandtimems{quantile="0.50"}"#
        #expect(Self.sample(await metrics.scrape(), median) == 0)
        histogram.record(milliseconds: 1.5)
        histogram.record(milliseconds: 1.5)
        #expect(Self.sample(await metrics.scrape(), median) == 1.5)
        #expect(Self.sample(await metrics.scrape(), median) == 1.5, "nothing new: the gauges stay")
        for _ in 0..<4 { histogram.record(milliseconds: 40) }
        #expect(Self.sample(await metrics.scrape(), median) == 31.25, "ranks 3 of 6: a quarter into (25, 50]")
    }

    @Test func aFetchCountsUnderFetchAndItsKind() async throws {
        let metrics = BrokerMetrics(time: ManualTime())
        var body = ByteBuffer()
        body.writeInteger(Int32(2))  // a follower's replica id
        let request = KafkaRequest(header: RequestHeader(apiKey: .fetch, apiVersion: 10, correlationId: 1, clientId: "t"),
                                   body: body, connectionId: "c", listenerName: "PLAINTEXT", receivedNanos: 0,
                                   complete: { _ in })
        #expect(request.isFetchFromFollower)
        let timing = try #require(RequestTiming(request, metrics: metrics.requestMetrics, time: ManualTime()))
        timing.wrap(request).complete(.noResponse)
        let text = await metrics.scrape()
        #expect(Self.sample(text, #"kafka_network_requestmetrics_requests_total{request="Fetch",version="10"}"#) == 1)
        #expect(Self.sample(text, #"kafka_network_requestmetrics_requests_total{request="FetchFollower",version="10"}"#) == 1)
        #expect(Self.sample(text, #"kafka_network_requestmetrics_requests_total{request="FetchConsumer",version="10"}"#) == 0)
    }

    @Test func groupCountsByState() {
        let counts = GroupCountsByState([.stable, .stable, .empty, .preparingRebalance])
        #expect(counts.total == 4)
        #expect(Dictionary(uniqueKeysWithValues: zip(GroupCountsByState.names, counts.inNameOrder)) == [
            "NumGroupsPreparingRebalance": 1, "NumGroupsCompletingRebalance": 0, "NumGroupsStable": 2,
            "NumGroupsDead": 0, "NumGroupsEmpty": 1,
        ])
    }

    @Test func theAdminListenerServesMetricsAndNothingElse() async throws {
        let metrics = BrokerMetrics()
        metrics.topicStats.appended("orders", messages: 3, bytes: 10)
        let listener = try await AdminListener.bind(AdminListenerAddress(host: "127.0.0.1", port: 0), metrics: metrics,
                                                    logger: Logger(label: "test"))
        defer { Task { await listener.close() } }
        #expect(listener.boundAddress.port > 0)
        let (status, contentType, body) = try await HTTPGet.get(host: "127.0.0.1", port: listener.boundAddress.port, path: "/metrics")
        #expect(status == 200)
        #expect(contentType.hasPrefix("text/plain; version=0.0.4"))
        #expect(Self.sample(body, #"kafka_server_brokertopicmetrics_messagesin_total{topic="orders"}"#) == 3)
        let notFound = try await HTTPGet.get(host: "127.0.0.1", port: listener.boundAddress.port, path: "/")
        #expect(notFound.status == 404)
    }
}

@Suite struct PrometheusTextMergeTests {
    @Test func familiesSplitOverExpositionsAreJoined() {
        let labeled = "# TYPE a_total counter\na_total{topic=\"x\"} 1\n# TYPE b gauge\nb{q=\"1\"} 2\n"
        let unlabeled = "# HELP a_total all topics\n# TYPE a_total counter\na_total 3\n# TYPE c gauge\nc 4\n"
        #expect(PrometheusTextMerge.merge([labeled, unlabeled]) == """
            # HELP a_total all topics
            # TYPE a_total counter
            a_total{topic="x"} 1
            a_total 3
            # TYPE b gauge
            b{q="1"} 2
            # TYPE c gauge
            c 4

            """)
    }
}

@Suite struct RequestHandlerIdleTests {
    @Test func waitingForARequestCountsIdleTimePerHandler() async throws {
        let time = ManualTime()
        let metrics = BrokerMetrics(time: time)
        metrics.requestMetrics.handlerThreads.store(2, ordering: .relaxed)
        let channel = RequestChannel(capacity: 4, requestMetrics: metrics.requestMetrics)
        let waiting = Task { await channel.receiveMeasuringIdle() }
        try await waitUntil("the handler to wait") { channel.waitingHandlers == 1 }
        time.sleep(10)  // 10 ms idle, shared by 2 handlers: 5 ms each
        channel.close()
        #expect(await waiting.value == nil)
        let text = await metrics.scrape()
        #expect(BrokerMetricsTests.sample(text, "kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent_count") == 5_000_000)
    }
}
