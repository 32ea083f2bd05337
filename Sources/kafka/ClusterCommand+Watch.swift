import ArgumentParser
import Foundation
import KafkaLiveView
import KafkaZk
import Logging

/// `kafka cluster --watch --zookeeper HOST:PORT [--topic T]`: the cluster's internals in the
/// terminal, redrawn every second (the screen cleared with ANSI codes, then
/// `ClusterWatchView.render`): controller and epoch, live brokers, every partition's leader,
/// leader epoch and ISR with each replica's HW, LEO and lag, the purgatories, the last
/// state-change log lines, and the changes since the previous refresh. Runs until interrupted.
///
/// Reads ZooKeeper itself and each broker's `/internals.json` on its admin listener (brokers
/// without one show their replicas' offsets as `?`).
extension ClusterCommand {
    /// ESC[H ESC[2J: cursor home, clear the screen.
    static let clearScreen = "\u{1B}[H\u{1B}[2J"

    func runWatch(zookeeper: String) async throws {
        var logger = Logger(label: "kafka.cluster")
        logger.logLevel = .critical
        let zkClient: KafkaZkClient
        do {
            zkClient = try await KafkaZkClient.connect(
                zookeeper, sessionTimeout: .seconds(10), connectionTimeout: .seconds(10), logger: logger)
        } catch {
            printError("Error while executing cluster command : \(error)")
            throw ExitCode.failure
        }
        let collector = ClusterSnapshotCollector(zkClient: zkClient)
        var previous: ClusterSnapshot?
        while !Task.isCancelled {
            let started = ContinuousClock.now
            do {
                let snapshot = try await collector.snapshot()
                let changes = previous.map { snapshot.changes(since: $0) } ?? []
                previous = snapshot
                let text = ClusterWatchView.render(snapshot, topic: topic, changes: changes)
                FileHandle.standardOutput.write(Data((Self.clearScreen + text).utf8))
            } catch {
                FileHandle.standardOutput.write(Data((Self.clearScreen + "Cannot read the cluster from ZooKeeper: \(error)\n").utf8))
            }
            try? await Task.sleep(until: started + .seconds(1), clock: .continuous)
        }
        await zkClient.close()
    }
}
