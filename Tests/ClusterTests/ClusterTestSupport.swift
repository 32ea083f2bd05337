import Foundation
import KafkaCommon
import KafkaTestKit
import KafkaZk
import Logging
import ZooKeeper

let quietLogger: Logger = {
    var logger = Logger(label: "cluster-tests")
    logger.logLevel = .error
    return logger
}()

/// A ZooKeeper session of the test's own, reading the cluster's znodes under its chroot.
func observe(_ cluster: KafkaCluster) async throws -> KafkaZkClient {
    try await KafkaZkClient.connect(cluster.zkConnect, sessionTimeout: .seconds(10),
                                    connectionTimeout: .seconds(15), logger: quietLogger)
}

extension KafkaZkClient {
    /// The controller and epoch once both are set.
    func currentController() async throws -> (BrokerId, ControllerEpoch)? {
        guard let id = try await controllerId(), let (epoch, _) = try await controllerEpoch() else { return nil }
        return (id, epoch)
    }

    func registrationOwner(_ id: Int) async throws -> Int64? {
        try await zooKeeper.exists(BrokerIdZNode.path(BrokerId(Int32(id))))?.ephemeralOwner
    }
}

/// Lines of a broker log that contain `text`.
func lines(_ log: String, containing text: String) -> [Substring] {
    log.split(separator: "\n").filter { $0.contains(text) }
}

/// With `KEEP_BROKER_LOGS=<dir>` set, copies every broker's log to `<dir>/<test>-broker-<id>.log`
/// (the cluster's own directory goes when the test ends), for reading a run afterwards.
func keepBrokerLogs(_ cluster: KafkaCluster, test: String) {
    guard let directory = ProcessInfo.processInfo.environment["KEEP_BROKER_LOGS"] else { return }
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for broker in cluster.brokers {
        try? broker.log.write(toFile: "\(directory)/\(test)-broker-\(broker.id).log", atomically: true, encoding: .utf8)
    }
}
