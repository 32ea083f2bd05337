import Foundation
import KafkaTestKit
import Testing

/// The failover lab (`Scripts/lab`) as its users run it: one scenario end to end, on the fixed
/// quickstart ports (9092–9094, ZooKeeper 2181–2183, which the other suites never take: they use
/// ephemeral ports), with the broker and CLI binaries of this build. The timeline it prints is
/// checked for what the scenario exists to show.
extension RealClusterTests {
    @Suite("Failover lab scenarios")
    struct LabScenarioTests {
        static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

        @Test func killingTheControllerShowsTheElectionAndTheFencedWrites() async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lab-\(UUID().uuidString.prefix(8))")
            defer { try? FileManager.default.removeItem(at: directory) }
            let result = try await CLIProcess.run(
                program: "/bin/bash", [Self.root.appendingPathComponent("Scripts/lab/kill-controller.sh").path],
                environment: [
                    "KAFKA_SERVER_BIN": KafkaCluster.serverExecutable().path,
                    "KAFKA_CLI": CLIProcess.executable().path,
                    "LAB_DIR": directory.path,
                ],
                timeout: .seconds(400))
            try #require(result.status == 0, "the scenario ran to its end:\n\(result.output.suffix(3000))\n\(result.error.suffix(3000))")
            let output = result.output
            let timeline = try #require(output.range(of: "== timeline")).upperBound
            let lines = output[timeline...].split(separator: "\n").map(String.init)
            let killed = try #require(output.firstMatch(of: /== the controller is broker (\d)/)?.1).description

            func index(_ description: String, _ match: (String) -> Bool) throws -> Int {
                let found = lines.firstIndex(where: match)
                return try #require(found, "the timeline shows \(description)")
            }
            let kill = try index("the kill") { $0.contains("lab ") && $0.contains("kill -9 broker \(killed)") }
            let expiry = try index("the session expiry") {
                $0.contains("zk broker \(killed)") && $0.contains("expired; its ephemeral znodes deleted:") && $0.contains("/controller")
            }
            let election = try index("the new controller's create of /controller with the epoch bump") {
                $0.contains("create /controller v0 (ephemeral)")
            }
            #expect(lines[election + 1].contains("set /controller_epoch v"), "in the same multi")
            let fenced = try index("a fenced partition-state write") { $0.contains("check /controller_epoch is at v") }
            #expect(lines[fenced + 1].contains("set /brokers/topics/lab/partitions/"))
            let becameLeader = try index("a survivor becoming leader") { $0.contains("Became leader for lab-") }
            let restarted = try index("the killed broker registering again") {
                $0.contains("zk broker \(killed)") && $0.contains("create /brokers/ids/\(killed) v0 (ephemeral)")
            }
            #expect(kill < expiry && expiry < election && election < fenced && fenced < becameLeader && becameLeader < restarted,
                    "in the order it happened")
            #expect(lines.contains { $0.contains("Expanding ISR") && $0.contains(",\(killed) for lab-") }, "back in the ISRs")
        }
    }
}
