import Controller
import KafkaClient
import KafkaCommon
import KafkaProtocol
import KafkaZk
import Logging
import NIOPosix

/// The first step of a broker's shutdown when `controlled.shutdown.enable` is true (Kafka's
/// `KafkaServer.controlledShutdown`): while the broker still serves requests, it asks the
/// controller to move its leaderships away (`ControlledShutdownDriver`), over a connection to
/// the controller's inter-broker listener, each attempt bounded by `request.timeout.ms` (to
/// connect and to be answered). Then the shutdown goes on, whether the controller confirmed or
/// the attempts ran out.
extension KafkaServer {
    /// Runs the controlled shutdown if it is enabled and the broker had started (registered, with
    /// its controller); returns whether it ran.
    func controlledShutdownIfEnabled() async -> Bool {
        guard config.controlledShutdownEnable, let zkClient, let controller else { return false }
        let ident = "[KafkaServer id=\(brokerId)] "
        logger.info("\(ident)Starting controlled shutdown")
        let requestTimeoutMs = config.integer("request.timeout.ms")
        let listener = config.interBrokerListenerName
        let brokerId = self.brokerId
        let logger = self.logger
        let driver = ControlledShutdownDriver(
            brokerId: brokerId,
            version: ControlledShutdownDriver.version(interBrokerProtocol: config.interBrokerProtocolVersion),
            maxRetries: config.integer("controlled.shutdown.max.retries"),
            retryBackoff: .milliseconds(config.integer("controlled.shutdown.retry.backoff.ms")),
            logger: logger,
            brokerEpoch: { await controller.brokerEpoch },
            findController: {
                guard let id = try await zkClient.controllerId() else {
                    logger.info("\(ident)No controller registered in ZooKeeper")
                    return nil
                }
                guard let (bytes, _) = try await zkClient.dataIfExists(BrokerIdZNode.path(id)) else {
                    logger.info("\(ident)Broker registration for controller \(id) is not available (i.e. the Controller's ZK session expired)")
                    return nil
                }
                let info = try BrokerIdZNode.decode(id: id, bytes)
                guard let endpoint = info.endpoint(listenerName: listener) ?? info.endpoints.first else { return nil }
                return ControlledShutdownDriver.ControllerNode(id: id, host: endpoint.host, port: Int(endpoint.port))
            },
            send: { node, request, version in
                let connection = try await BrokerConnection.connect(
                    host: node.host, port: node.port, clientId: "\(brokerId)", group: MultiThreadedEventLoopGroup.singleton,
                    timeout: .milliseconds(requestTimeoutMs))
                do {
                    let response = try await connection.send(
                        ControlledShutdown.self, request, version: version,
                        timeout: .milliseconds(Int64(requestTimeoutMs)))
                    await connection.close()
                    return response
                } catch {
                    await connection.close()
                    throw error
                }
            },
            sleep: { try? await Task.sleep(for: $0) })
        if !(await driver.run()) {
            logger.warning("\(ident)Proceeding to do an unclean shutdown as all the controlled shutdown attempts failed")
        }
        return true
    }
}
