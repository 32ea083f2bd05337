import Foundation
import KafkaCommon
import KafkaTestKit
import KafkaZk
import Testing

/// Three brokers with `admin.listener` on, a confluent-kafka producer writing all along; every
/// broker's `/metrics` is read by `prometheus_client`'s text-format parser (the Python client
/// Prometheus publishes), so a malformed exposition fails the test. The figures follow what
/// happens to the cluster: messages in rise with the records acknowledged, exactly one broker
/// counts itself the active controller, a follower killed with kill -9 makes its partitions
/// under-replicated until it restarts and rejoins, and the broker elected after the controller's
/// kill -9 counts the election under `ControllerChangeRateAndTimeMs`.
extension RealClusterTests {
    @Suite("Metrics of three brokers, read with prometheus_client's parser")
    struct ClusterMetricsTests {
        struct Sample {
            var name: String
            var labels: [String: String]
            var value: Double
        }

        /// The samples of each broker whose endpoint answered, by broker id; throws when the
        /// parser refused a body (the script exits 2 with its message).
        static func scrape(_ adminPorts: [Int: Int], _ ids: [Int]) throws -> [Int: [Sample]] {
            let urls = ids.map { "http://127.0.0.1:\(adminPorts[$0]!)/metrics" }
            let outcome = try PythonClient.run("scrape_metrics.py", urls)
            guard outcome.status == 0 else {
                throw HTTPGet.Failure(description: "scrape_metrics.py exited \(outcome.status): \(outcome.errorTail)")
            }
            let json = try JSONSerialization.jsonObject(with: outcome.output) as? [String: [String: Any]] ?? [:]
            var result: [Int: [Sample]] = [:]
            for (id, url) in zip(ids, urls) {
                guard let rows = json[url]?["samples"] as? [[Any]] else { continue }
                result[id] = rows.compactMap { row in
                    guard row.count == 3, let name = row[0] as? String, let labels = row[1] as? [String: String],
                          let value = row[2] as? Double else { return nil }
                    return Sample(name: name, labels: labels, value: value)
                }
            }
            return result
        }

        /// The sum of the samples named `name` whose labels are exactly `labels` (so the
        /// all-topics series is not counted with the per-topic ones).
        static func value(_ samples: [Sample]?, _ name: String, _ labels: [String: String] = [:]) -> Double? {
            let matching = (samples ?? []).filter { $0.name == name && $0.labels == labels }
            return matching.isEmpty ? nil : matching.reduce(0) { $0 + $1.value }
        }

        /// `value` summed over brokers (a broker without the series counts 0).
        static func total(_ scrapes: [Int: [Sample]], _ name: String, _ labels: [String: String] = [:]) -> Double {
            scrapes.values.reduce(0) { $0 + (value($1, name, labels) ?? 0) }
        }

        /// The producer's "acknowledged sent" progress.
        static func progress(_ file: URL) -> (acked: Int, sent: Int) {
            let fields = ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: " ")
                .compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return fields.count == 2 ? (fields[0], fields[1]) : (0, 0)
        }

        static let messagesIn = "kafka_server_brokertopicmetrics_messagesin_total"
        static let underReplicated = "kafka_server_replicamanager_underreplicatedpartitions"
        static let activeController = "kafka_controller_kafkacontroller_activecontrollercount"
        static let controllerChanges = "kafka_controller_controllerstats_controllerchangerateandtimems_count"

        @Test func producerFollowerLossAndControllerFailoverShowOnEveryBroker() async throws {
            let ports = freeLoopbackPorts(3)
            let adminPorts = [1: ports[0], 2: ports[1], 3: ports[2]]
            try await withKafkaCluster(overrides: ["replica.lag.time.max.ms": "4000"],
                                       brokerOverrides: adminPorts.mapValues { ["admin.listener": "http://127.0.0.1:\($0)"] }) { cluster in
                defer { keepBrokerLogs(cluster, test: "cluster-metrics") }
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let (controller, others) = try await RealClusterTests.BrokerFailureTests.roles(zk)
                let (leaderId, followerId) = (others[0], others[1])
                let (c, l, f) = (Int(controller.rawValue), Int(leaderId.rawValue), Int(followerId.rawValue))
                // Every partition has the follower; none is led by the controller.
                try await zk.createTopic("metered", assignment: [
                    0: [leaderId, followerId, controller], 1: [followerId, leaderId, controller], 2: [leaderId, controller, followerId],
                ], config: [:])
                let partitions = (0..<3).map { TopicPartition("metered", Int32($0)) }
                try await waitUntil("metered's three partitions in sync on three replicas", timeout: .seconds(60)) {
                    for tp in partitions {
                        guard try await Replication.state(zk, tp)?.isr.count == 3 else { return false }
                    }
                    return true
                }
                try await waitUntil("exactly one active controller on /metrics", timeout: .seconds(60)) {
                    let scrapes = try Self.scrape(adminPorts, [1, 2, 3])
                    return scrapes.count == 3 && Self.total(scrapes, Self.activeController) == 1
                }

                // A producer writes all along.
                let directory = try makeTemporaryDirectory(prefix: "cluster-metrics")
                defer { try? FileManager.default.removeItem(at: directory) }
                let progressFile = directory.appendingPathComponent("progress")
                let stopFile = directory.appendingPathComponent("stop")
                let bootstrap = [1, 2, 3].map { "127.0.0.1:\(cluster.broker($0).port)" }.joined(separator: ",")
                let producer = Task.detached {
                    try PythonClient.run("metered_producer.py", [bootstrap, "metered", progressFile.path, stopFile.path])
                }
                defer { _ = FileManager.default.createFile(atPath: stopFile.path, contents: nil) }

                // Messages in rise with the records produced: every acknowledged record was counted
                // by its leader before the scrape, and nothing is counted that was not sent.
                var lastTotal = 0.0
                // More acknowledgements than records sent before the last scrape ended: at least one
                // record was appended after it.
                var sentBeforeLastScrape = 0
                for round in 1...2 {
                    let target = max(Self.progress(progressFile).acked + 300, sentBeforeLastScrape + 1)
                    try await waitUntil("the producer to get \(target) records acknowledged", timeout: .seconds(60)) {
                        Self.progress(progressFile).acked >= target
                    }
                    let before = Self.progress(progressFile)
                    let scrapes = try Self.scrape(adminPorts, [1, 2, 3])
                    let after = Self.progress(progressFile)
                    let total = Self.total(scrapes, Self.messagesIn, ["topic": "metered"])
                    #expect(total >= Double(before.acked), "round \(round): \(total) counted, \(before.acked) acknowledged")
                    #expect(total <= Double(after.sent), "round \(round): \(total) counted, \(after.sent) sent")
                    #expect(total > lastTotal, "round \(round): messages in rose")
                    lastTotal = total
                    sentBeforeLastScrape = after.sent
                }
                // The controller does not lead, so it counts no messages in: a follower's appends are
                // replication (ReplicationBytesIn), not messages in.
                let steady = try Self.scrape(adminPorts, [1, 2, 3])
                #expect(Self.value(steady[c], Self.messagesIn, ["topic": "metered"]) ?? 0 == 0)
                #expect((Self.value(steady[c], "kafka_server_brokertopicmetrics_replicationbytesin_total") ?? 0) > 0)
                #expect(Self.total(steady, Self.activeController) == 1)
                #expect(Self.value(steady[c], Self.activeController) == 1)
                #expect(Self.total(steady, Self.underReplicated) == 0)
                for (id, samples) in steady {
                    let idle = Self.value(samples, "kafka_network_socketserver_networkprocessoravgidlepercent")
                    #expect(idle.map { (0...1).contains($0) } == true, "broker \(id): network processors idle \(String(describing: idle))")
                    #expect(Self.value(samples, "kafka_controller_kafkacontroller_controllerstate") != nil)
                    #expect((Self.value(samples, "kafka_server_zookeeperclientmetrics_zookeeperrequestlatencyms_count") ?? 0) > 0)
                }

                // kill -9 of a follower: its three partitions are under-replicated where they are
                // led, until it restarts and its leaders take it back into their ISRs.
                let follower = cluster.broker(f)
                await follower.kill9()
                try await waitUntil("the follower's three partitions under-replicated on /metrics", timeout: .seconds(60)) {
                    Self.total(try Self.scrape(adminPorts, [c, l]), Self.underReplicated) == 3
                }
                let expandsBefore = Self.value(try Self.scrape(adminPorts, [l])[l], "kafka_server_replicamanager_isrexpands_total") ?? 0
                let starts = follower.startedCount
                try follower.start()
                try await cluster.waitUntilStarted(follower, previousStarts: starts)
                try await waitUntil("the restarted follower back in every ISR", timeout: .seconds(90)) {
                    for tp in partitions {
                        guard try await Replication.state(zk, tp)?.isr.count == 3 else { return false }
                    }
                    return true
                }
                try await waitUntil("no under-replicated partition on any broker's /metrics", timeout: .seconds(60)) {
                    let scrapes = try Self.scrape(adminPorts, [1, 2, 3])
                    return scrapes.count == 3 && Self.total(scrapes, Self.underReplicated) == 0
                }
                let rejoined = try Self.scrape(adminPorts, [l])
                #expect((Self.value(rejoined[l], "kafka_server_replicamanager_isrexpands_total") ?? 0) > expandsBefore,
                        "the leader took the follower back into its ISRs itself")

                // kill -9 of the controller: another broker is elected, counts the election under
                // ControllerChangeRateAndTimeMs, and is then the only active controller.
                let beforeFailover = try Self.scrape(adminPorts, [l, f])
                await cluster.broker(c).kill9()
                let (successor, _) = try await waitFor("a new controller", timeout: .seconds(30)) {
                    try await zk.currentController().flatMap { $0.0 != controller ? $0 : nil }
                }
                let s = Int(successor.rawValue)
                try await waitUntil("broker \(s) alone active on /metrics", timeout: .seconds(60)) {
                    let scrapes = try Self.scrape(adminPorts, [l, f])
                    return scrapes.count == 2 && Self.value(scrapes[s], Self.activeController) == 1 && Self.total(scrapes, Self.activeController) == 1
                }
                let afterFailover = try Self.scrape(adminPorts, [l, f])
                let changesBefore = Self.value(beforeFailover[s], Self.controllerChanges) ?? 0
                let changesAfter = Self.value(afterFailover[s], Self.controllerChanges) ?? 0
                #expect(changesAfter > changesBefore, "broker \(s): controller changes \(changesBefore) → \(changesAfter)")
                #expect(afterFailover[s]?.contains { $0.name == "kafka_controller_controllerstats_controllerchangerateandtimems" && $0.labels["quantile"] == "0.99" } == true)

                _ = FileManager.default.createFile(atPath: stopFile.path, contents: nil)
                let outcome = try await producer.value
                #expect(outcome.status == 0, "the producer ran to the end: \(outcome.errorTail)")
            }
        }
    }
}
