import KafkaCommon
import KafkaProtocol
import Logging

/// The broker's side of a controlled shutdown (Kafka's `KafkaServer.controlledShutdown`): before
/// it stops anything, a broker with `controlled.shutdown.enable` asks the controller to move its
/// leaderships away, so that clients are told NOT_LEADER_FOR_PARTITION and move on at once.
///
/// Each attempt looks the controller up afresh (`/controller`, then its registration: the
/// controller may have moved since the last attempt), sends it ControlledShutdown and reads the
/// answer. The shutdown succeeded when the answer is NONE with no remaining partitions. Otherwise
/// (remaining partitions, an error code, no controller, a failed connection or a request that
/// timed out) the driver waits `retryBackoff` and tries again, `maxRetries` attempts in all, as
/// Kafka does (which also waits after the last failed attempt). The broker then shuts down either
/// way; `run` says whether the controller confirmed.
///
/// The I/O is injected (finding the controller, sending, sleeping), so the retry rules are tested
/// without a cluster. A value; `run` is called once.
struct ControlledShutdownDriver: Sendable {
    /// Where the controller takes requests: its id and the endpoint of the inter-broker listener.
    struct ControllerNode: Sendable, Equatable {
        var id: BrokerId
        var host: String
        var port: Int
    }

    let brokerId: BrokerId
    /// The ControlledShutdown version: 2 (with the broker epoch) when `inter.broker.protocol.version`
    /// is 2.2 or newer, 1 from 0.9, else 0 (`version(interBrokerProtocol:)`).
    let version: Int16
    /// `controlled.shutdown.max.retries`: attempts in all.
    let maxRetries: Int
    /// `controlled.shutdown.retry.backoff.ms`.
    let retryBackoff: Duration
    let logger: Logger
    /// This broker's epoch (the czxid of its registration), sent with v2.
    let brokerEpoch: @Sendable () async -> Int64
    /// The controller as registered now; nil when none is (logged by the closure).
    let findController: @Sendable () async throws -> ControllerNode?
    /// Sends the request to the controller and returns its answer (throws on a failed connection
    /// or a request timeout).
    let send: @Sendable (ControllerNode, ControlledShutdown.Request, Int16) async throws -> ControlledShutdown.Response
    let sleep: @Sendable (Duration) async -> Void

    /// Kafka 2.3's choice of version by `inter.broker.protocol.version`.
    static func version(interBrokerProtocol: ApiVersion) -> Int16 {
        if let v2 = ApiVersion("2.2-IV0"), interBrokerProtocol >= v2 { return 2 }
        if let v1 = ApiVersion("0.9.0"), interBrokerProtocol >= v1 { return 1 }
        return 0
    }

    /// Asks until the controller confirms or the attempts run out; true when it confirmed.
    func run() async -> Bool {
        var remainingRetries = maxRetries
        while remainingRetries > 0 {
            remainingRetries -= 1
            if await attempt() { return true }
            await sleep(retryBackoff)
            logger.warning("Retrying controlled shutdown after the previous attempt failed...")
        }
        return false
    }

    /// One attempt: true when the controller answered NONE with nothing remaining.
    private func attempt() async -> Bool {
        let controller: ControllerNode
        do {
            guard let found = try await findController() else { return false }
            controller = found
        } catch {
            logger.warning("Error during controlled shutdown while looking up the controller: \(error)")
            return false
        }
        let request = ControlledShutdown.Request(brokerId: brokerId, brokerEpoch: version >= 2 ? await brokerEpoch() : -1)
        do {
            let response = try await send(controller, request, version)
            if response.errorCode == .none && response.remainingPartitions.isEmpty {
                logger.info("Controlled shutdown succeeded")
                return true
            }
            let remaining = response.remainingPartitions.map { "\($0.topicName)-\($0.partitionIndex)" }
            logger.info("Remaining partitions to move: \(remaining.joined(separator: ","))")
            logger.info("Error from controller: \(response.errorCode)")
        } catch {
            logger.warning("Error during controlled shutdown, possibly because leader movement took longer than the configured controller.socket.timeout.ms and/or request.timeout.ms: \(error)")
        }
        return false
    }
}
