import ArgumentParser
import KafkaClient
import KafkaCommon
import KafkaProtocol
import KafkaZk
import Logging

/// `kafka cluster`: the cluster at a glance — its id, every live broker with its endpoints and
/// rack, and the active controller with its epoch.
///
/// The brokers and the controller id come from Metadata (through `--bootstrap-server`); Metadata
/// gives each broker's address on the listener the tool connected to. The controller epoch is not
/// in any client API of Kafka 2.3 (only brokers see it, in LeaderAndIsr and UpdateMetadata), so it
/// is read from `/controller_epoch` when `--zookeeper` is given, together with every listener of
/// each broker from `/brokers/ids/<id>`; without it the epoch is reported as unknown, saying why.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Describe the cluster: brokers with endpoints and rack, the controller and its epoch.")

    @Option(name: .customLong("bootstrap-server"), help: "The broker(s) to connect to, HOST:PORT[,HOST:PORT…].")
    var bootstrapServer: BootstrapServers?
    @Option(help: "ZooKeeper connect string (HOST:PORT[,…][/chroot]), to read the controller epoch and every listener.")
    var zookeeper: String?
    @Flag(help: "Watch the cluster's internals (controller, ISRs, HW and LEO of every replica, purgatories, state changes), redrawn every second; needs --zookeeper.")
    var watch = false
    @Option(help: "With --watch: only this topic's partitions.")
    var topic: String?

    func validate() throws {
        if watch {
            guard zookeeper != nil else { throw ValidationError("--watch needs --zookeeper") }
        } else {
            guard bootstrapServer != nil else { throw ValidationError("Missing expected argument '--bootstrap-server <bootstrap-server>'") }
            guard topic == nil else { throw ValidationError("--topic is only for --watch") }
        }
    }

    /// One broker as reported.
    struct BrokerLine: Equatable, Sendable {
        var id: BrokerId
        var rack: String?
        var endpoints: [String]
    }

    func run() async throws {
        if watch, let zookeeper { return try await runWatch(zookeeper: zookeeper) }
        guard let bootstrapServer else { throw ExitCode.failure }
        do {
            let metadata = try await withClusterClient(bootstrapServer, clientId: "kafka-cluster") { client in
                try await client.metadata(topics: [])
            }
            var brokers = metadata.brokers.sorted { $0.nodeId < $1.nodeId }
                .map { BrokerLine(id: $0.nodeId, rack: $0.rack, endpoints: ["\($0.host):\($0.port)"]) }
            var epoch: Result<ControllerEpoch, CLIError> = .failure(CLIError(
                "unknown: no client API carries it; pass --zookeeper to read \(ControllerEpochZNode.path)"))
            if let zookeeper {
                var logger = Logger(label: "kafka.cluster")
                logger.logLevel = .critical
                let zkClient = try await KafkaZkClient.connect(
                    zookeeper, sessionTimeout: .seconds(10), connectionTimeout: .seconds(10), logger: logger)
                if let (stored, _) = try await zkClient.controllerEpoch() {
                    epoch = .success(stored)
                } else {
                    epoch = .failure(CLIError("none: \(ControllerEpochZNode.path) does not exist yet"))
                }
                for index in brokers.indices {
                    if let info = try await zkClient.brokerInfo(brokers[index].id) {
                        brokers[index].endpoints = info.endpoints.map(\.connectionString)
                        brokers[index].rack = info.rack
                    }
                }
                await zkClient.close()
            }
            print(Self.report(clusterId: metadata.clusterId, controllerId: metadata.controllerId, epoch: epoch,
                              brokers: brokers), terminator: "")
        } catch {
            printError("Error while executing cluster command : \(error)")
            throw ExitCode.failure
        }
    }

    /// The report's text: the cluster id, the controller line, then one line per broker.
    static func report(
        clusterId: String?, controllerId: BrokerId, epoch: Result<ControllerEpoch, CLIError>, brokers: [BrokerLine]
    ) -> String {
        var text = "Cluster ID: \(clusterId ?? "none")\n"
        let controller = controllerId == .none ? "none" : controllerId.description
        switch epoch {
        case .success(let epoch): text += "Controller: \(controller)\tEpoch: \(epoch)\n"
        case .failure(let reason): text += "Controller: \(controller)\tEpoch: \(reason.description)\n"
        }
        for broker in brokers {
            let marker = broker.id == controllerId ? "\t(controller)" : ""
            text += "Broker: \(broker.id)\tRack: \(broker.rack ?? "none")\tEndpoints: \(broker.endpoints.joined(separator: ","))\(marker)\n"
        }
        return text
    }
}
