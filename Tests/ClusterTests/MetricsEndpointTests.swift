import Foundation
import KafkaTestKit
import Testing

/// A broker with `admin.listener` on: records produced with kcat show on `/metrics` under the
/// names the Prometheus JMX exporter gives Kafka's MBeans.
extension RealClusterTests {
    @Suite("Metrics on the admin listener of one broker")
    struct MetricsEndpointTests {
        /// One sample of the Prometheus text format.
        struct Sample {
            var name: String
            var labels: [String: String]
            var value: Double
        }

        /// Parses the text format's sample lines (`name{a="x",b="y"} value`); comments skipped.
        static func parse(_ text: String) -> [Sample] {
            text.split(separator: "\n").compactMap { line -> Sample? in
                guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...])
                else { return nil }
                let series = line[..<space]
                guard let brace = series.firstIndex(of: "{") else { return Sample(name: String(series), labels: [:], value: value) }
                var labels: [String: String] = [:]
                for pair in series[series.index(after: brace)..<series.index(before: series.endIndex)].split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    guard parts.count == 2 else { continue }
                    labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
                }
                return Sample(name: String(series[..<brace]), labels: labels, value: value)
            }
        }

        /// The sum of the samples named `name` whose labels include `labels`.
        static func sum(_ samples: [Sample], _ name: String, _ labels: [String: String] = [:]) -> Double? {
            let matching = samples.filter { sample in sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value } }
            return matching.isEmpty ? nil : matching.reduce(0) { $0 + $1.value }
        }

        static func scrape(_ port: Int) async throws -> [Sample] {
            let (status, _, body) = try await HTTPGet.get(host: "127.0.0.1", port: port, path: "/metrics")
            guard status == 200 else { throw HTTPGet.Failure(description: "GET /metrics answered \(status)") }
            return parse(body)
        }

        @Test func producedRecordsShowUnderKafkasMetricNames() async throws {
            let adminPort = freeLoopbackPorts(1)[0]
            try await withKafkaCluster(zooKeepers: 1, ids: [1], brokerOverrides: [1: ["admin.listener": "http://127.0.0.1:\(adminPort)"]]) { cluster in
                let broker = cluster.broker(1)
                #expect(broker.log.contains("Admin listener (metrics at http://127.0.0.1:\(adminPort)/metrics) started"))
                try await waitUntil("the broker to be the active controller on /metrics", timeout: .seconds(60)) {
                    Self.sum(try await Self.scrape(adminPort), "kafka_controller_kafkacontroller_activecontrollercount") == 1
                }
                let before = try await Self.scrape(adminPort)
                let producesBefore = Self.sum(before, "kafka_network_requestmetrics_requests_total", ["request": "Produce"]) ?? 0
                #expect(producesBefore == 0)

                let count = 250
                let lines = (0..<count).map { "record-\($0)-" + String(repeating: "x", count: 100) }
                let produced = try ProduceConsumeTests.kcat(["-b", "127.0.0.1:\(broker.port)", "-P", "-t", "metered", "-X", "acks=1"],
                                                            input: lines.joined(separator: "\n") + "\n")
                #expect(produced.status == 0)
                try await waitUntil("messagesin_total{topic=metered} to reach \(count)", timeout: .seconds(60)) {
                    Self.sum(try await Self.scrape(adminPort), "kafka_server_brokertopicmetrics_messagesin_total",
                             ["topic": "metered"]) == Double(count)
                }
                let samples = try await Self.scrape(adminPort)
                #expect((Self.sum(samples, "kafka_server_brokertopicmetrics_bytesin_total", ["topic": "metered"]) ?? 0) > Double(count * 100))
                #expect(Self.sum(samples, "kafka_server_brokertopicmetrics_messagesin_total", ["topic": "metered"])
                    == Self.sum(samples.filter { $0.labels.isEmpty }, "kafka_server_brokertopicmetrics_messagesin_total"))
                #expect(Self.sum(samples, "kafka_server_replicamanager_partitioncount") == 1)
                #expect(Self.sum(samples, "kafka_server_replicamanager_leadercount") == 1)
                #expect(Self.sum(samples, "kafka_server_replicamanager_underreplicatedpartitions") == 0)
                #expect(Self.sum(samples, "kafka_controller_kafkacontroller_activecontrollercount") == 1)
                #expect(Self.sum(samples, "kafka_controller_kafkacontroller_offlinepartitionscount") == 0)
                #expect(Self.sum(samples, "kafka_log_log_logendoffset", ["topic": "metered", "partition": "0"]) == Double(count))
                #expect(Self.sum(samples, "kafka_log_log_logstartoffset", ["topic": "metered", "partition": "0"]) == 0)
                #expect((Self.sum(samples, "kafka_network_requestmetrics_requests_total", ["request": "Produce"]) ?? 0) > producesBefore)
                #expect((Self.sum(samples, "kafka_network_requestmetrics_requests_total", ["request": "Metadata"]) ?? 0) > 0)
                #expect((Self.sum(samples, "kafka_network_requestmetrics_totaltimems_count", ["request": "Produce"]) ?? 0) > 0)
                #expect(samples.contains { $0.name == "kafka_network_requestmetrics_totaltimems" && $0.labels["quantile"] == "0.99" })
                #expect(Self.sum(samples, "kafka_server_delayedoperationpurgatory_purgatorysize", ["delayedOperation": "Produce"]) != nil)

                let root = try await HTTPGet.get(host: "127.0.0.1", port: adminPort, path: "/")
                #expect(root.status == 200 && root.contentType.hasPrefix("text/html"))  // the live view
                let unknown = try await HTTPGet.get(host: "127.0.0.1", port: adminPort, path: "/nothing-here")
                #expect(unknown.status == 404)
            }
        }
    }
}
