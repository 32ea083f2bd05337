import KafkaCommon
import KafkaProtocol
import KafkaStorage

/// StopReplica from the controller: the broker stops hosting partitions, deleting their logs
/// when asked (topic deletion). Requests for an older incarnation of this broker are
/// STALE_BROKER_EPOCH; from an older controller, STALE_CONTROLLER_EPOCH.
struct StopReplicaHandler: KafkaRequestHandler {
    let apiKey = ApiKey.stopReplica
    let replicaManager: ReplicaManager
    let logManager: LogManager
    let currentBrokerEpoch: @Sendable () async -> Int64
    /// Told which partitions stopped without error: a stopped `__consumer_offsets` partition's
    /// groups are unloaded by the group coordinator.
    var onStopped: (@Sendable ([TopicPartition]) -> Void)? = nil

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        var body = request.body
        let stop = try StopReplica.decodeRequest(from: &body, version: request.header.apiVersion)
        if stop.brokerEpoch != -1, stop.brokerEpoch < (await currentBrokerEpoch()) {
            return StopReplica.responseFrame(StopReplica.Response(errorCode: .staleBrokerEpoch, partitionErrors: []), to: request)
        }
        let response = replicaManager.stopReplicas(stop) { tp in _ = try logManager.asyncDelete(tp) }
        if let onStopped, response.errorCode == .none {
            onStopped(response.partitionErrors.filter { $0.errorCode == .none }.map {
                TopicPartition($0.topicName, $0.partitionIndex)
            })
        }
        return StopReplica.responseFrame(response, to: request)
    }
}
