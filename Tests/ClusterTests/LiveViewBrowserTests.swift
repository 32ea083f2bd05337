import Foundation
import KafkaCommon
import KafkaTestKit
import KafkaZk
import Testing

/// The live view's page in a real browser: Debian's chromium, headless, driven by Selenium
/// (`Clients/live_view_browser.py`) on one broker's admin listener while the test kills another
/// broker, the leader of a partition, with -9. The page must show the new leader and the
/// shrunken ISR within 2 s of the state znode's change (its ZooKeeper mtime, against the page's
/// clock when it changed the cells: one machine, one clock), mark both, log the changes, and
/// print no console error; `kafka cluster --watch` names the same changes in the terminal.
extension RealClusterTests {
    @Suite("The live view's page in a real browser")
    struct LiveViewBrowserTests {
        @Test("a leader killed with -9: the page shows the new leader and the shrunken ISR within 2 s of the znode change")
        func leaderKilled() async throws {
            let ports = freeLoopbackPorts(3)
            var overrides: [Int: [String: String]] = [:]
            for (index, id) in [1, 2, 3].enumerated() { overrides[id] = ["admin.listener": "http://127.0.0.1:\(ports[index])"] }
            try await withKafkaCluster(zooKeepers: 1, ids: [1, 2, 3], brokerOverrides: overrides) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let tp = TopicPartition("watched", 0)
                try await Replication.createTopic(zk, tp.topic, partitions: 1, replicas: [2, 3, 1])
                let before = try #require(try await Replication.state(zk, tp))
                let oldLeader = Int(before.leader.rawValue)
                // The page is served by a broker that stays up.
                let pageBroker = [1, 2, 3].first { $0 != oldLeader }!
                let url = "http://127.0.0.1:\(ports[pageBroker - 1])/"
                let ready = cluster.directory.appendingPathComponent("browser-ready")
                // The terminal view watches the same failover.
                let watch = try ChildProcess(
                    name: "kafka-cluster-watch", executable: CLIProcess.executable().path,
                    arguments: ["cluster", "--watch", "--zookeeper", cluster.zkConnect, "--topic", tp.topic],
                    logFile: cluster.directory.appendingPathComponent("cluster-watch.log"))
                defer { Task { await watch.kill9() } }
                try await waitUntil("kafka cluster --watch to show \(tp) led by \(oldLeader)", timeout: .seconds(60)) {
                    watch.log.contains("Controller: ") && watch.log.split(separator: "\n").contains { line in
                        line.split(separator: " ").prefix(2) == ["\(tp)", "\(oldLeader)"]
                    }
                }

                // The script blocks its thread until the browser is done: it runs on a Dispatch
                // thread, not on one of the few threads of the cooperative pool.
                let browser = Task {
                    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PythonClient.Outcome, any Error>) in
                        DispatchQueue.global().async {
                            continuation.resume(with: Result {
                                try PythonClient.run("live_view_browser.py", [
                                    "--url", url, "--topic", tp.topic, "--partition", "0", "--old-leader", String(oldLeader),
                                    "--ready-file", ready.path, "--timeout", "90",
                                ])
                            })
                        }
                    }
                }
                try await waitUntil("the page to show \(tp)'s leader \(oldLeader)", timeout: .seconds(90), every: .milliseconds(100)) {
                    FileManager.default.fileExists(atPath: ready.path)
                }
                await cluster.broker(oldLeader).kill9()
                let (changed, modifiedMs) = try await waitFor("\(tp)'s state znode to name a new leader", timeout: .seconds(60)) {
                    () async throws -> (LeaderAndIsr, Int64)? in
                    guard let (bytes, stat) = try await zk.dataIfExists(TopicPartitionStateZNode.path(tp)) else { return nil }
                    let state = try TopicPartitionStateZNode.decode(tp, bytes, zkVersion: stat.version).leaderAndIsr
                    return state.leader != before.leader && state.leader != LeaderAndIsr.noLeader ? (state, stat.mtime) : nil
                }
                let outcome = try await browser.value
                #expect(outcome.status == 0, "browser script failed: \(outcome.outputText) \(outcome.errorTail)")
                let result = try JSONSerialization.jsonObject(with: outcome.output) as? [String: Any] ?? [:]
                #expect(result["leader"] as? String == String(changed.leader.rawValue))
                #expect(result["isr"] as? String == changed.isr.map { String($0.rawValue) }.joined(separator: ","))
                let shownMs = max(result["leaderShownMs"] as? Int64 ?? Int64(result["leaderShownMs"] as? Int ?? 0),
                                  result["isrShownMs"] as? Int64 ?? Int64(result["isrShownMs"] as? Int ?? 0))
                let latencyMs = shownMs - modifiedMs
                print("LiveViewBrowserTests: the page showed leader \(changed.leader) and ISR \(changed.isr) \(latencyMs) ms after the znode changed")
                #expect(latencyMs < 2_000, "the page showed the change \(latencyMs) ms after the znode's mtime")
                #expect(result["leaderMarked"] as? Bool == true)
                #expect(result["isrMarked"] as? Bool == true)
                let changes = result["changes"] as? [String] ?? []
                #expect(changes.contains { $0.contains("Leader of \(tp) moved: \(oldLeader) -> \(changed.leader)") }, "\(changes)")
                #expect(changes.contains { $0.contains("ISR of \(tp) shrank") }, "\(changes)")
                #expect((result["consoleErrors"] as? [String] ?? ["unreadable"]).isEmpty, "console errors: \(result["consoleErrors"] ?? "none")")
                try await waitUntil("kafka cluster --watch to name the failover", timeout: .seconds(30)) {
                    watch.log.contains("Leader of \(tp) moved: \(oldLeader) -> \(changed.leader)")
                        && watch.log.contains("ISR of \(tp) shrank")
                }
                #expect(watch.log.contains("\u{1B}[H\u{1B}[2JCluster internals at "))
                #expect(watch.isRunning)
                keepBrokerLogs(cluster, test: "LiveViewBrowserTests")
            }
        }
    }
}
