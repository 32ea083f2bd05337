import Controller
import KafkaCommon
import KafkaProtocol

/// ControlledShutdown (v0–2), from a broker that is shutting down, to the controller (Kafka's
/// `handleControlledShutdownRequest`): every broker answers it by handing it to its own
/// `KafkaController`, which answers NOT_CONTROLLER unless it is the active one. The answer comes
/// once the controller has processed the request: NONE with the partitions the broker still
/// leads, or STALE_BROKER_EPOCH (v2, an old incarnation of the broker), BROKER_NOT_AVAILABLE (not
/// registered).
struct ControlledShutdownHandler: KafkaRequestHandler {
    let apiKey = ApiKey.controlledShutdown
    /// The broker's controller, once started (nil before: NOT_CONTROLLER).
    let controller: @Sendable () async -> KafkaController?

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        var body = request.body
        let version = request.header.apiVersion
        let shutdown = try ControlledShutdown.decodeRequest(from: &body, version: version)
        guard let controller = await controller() else {
            return ControlledShutdown.responseFrame(ControlledShutdown.Response(errorCode: .notController), to: request)
        }
        let outcome = await controller.controlledShutdown(id: shutdown.brokerId, brokerEpoch: shutdown.brokerEpoch)
        return ControlledShutdown.responseFrame(
            ControlledShutdown.Response(
                errorCode: outcome.errorCode,
                remainingPartitions: outcome.remainingPartitions.map {
                    ControlledShutdown.RemainingPartition(topicName: $0.topic, partitionIndex: $0.partition)
                }),
            to: request)
    }
}
