import Controller
import KafkaCommon
import KafkaProtocol
import KafkaPurgatory

/// ElectPreferredLeaders (key 43, v0; `ElectLeaders` in the generated codec), as Kafka 2.3's
/// `handleElectReplicaLeader`: every broker answers it, but only the controller elects — Kafka's
/// admin client sends it to the controller, and any other broker answers NOT_CONTROLLER for every
/// partition. A null partition list means every partition this broker's metadata cache knows.
///
/// On the controller the election runs as a controller event (`KafkaController.electPreferredLeaders`),
/// whose callback, on the controller's event loop, answers or parks the request: the request
/// handler does not wait for the controller.
/// Partitions already settled (already led by their preferred replica, failed, unknown, being
/// deleted) are answered as the controller said; when some were elected the answer waits in the
/// purgatory (`DelayedElectPreferredLeader`, watched per partition) until this broker's metadata
/// shows the new leaders, or `timeout_ms` passes. A waiting request holds no request handler.
struct ElectPreferredLeadersHandler: KafkaDelayingRequestHandler {
    let apiKey = ApiKey.electLeaders
    let cache: MetadataCache
    let purgatory: DelayedOperationPurgatory<DelayedElectPreferredLeader>
    /// This broker's controller (nil before it started).
    let controller: @Sendable () async -> KafkaController?

    func handle(_ request: KafkaRequest, respond: @escaping @Sendable (KafkaResponseAction) -> Void) async throws {
        var body = request.body
        let elect = try ElectLeaders.decodeRequest(from: &body, version: request.header.apiVersion)
        let partitions: Set<TopicPartition>
        if let topics = elect.topicPartitions {
            partitions = Set(topics.flatMap { topic in topic.partitionId.map { TopicPartition(topic.topic, $0) } })
        } else {
            partitions = Set(cache.current.partitions.flatMap { topic, states in states.keys.map { TopicPartition(topic, $0) } })
        }
        guard let controller = await controller(), await controller.isActive else {
            return respond(Self.response(Dictionary(uniqueKeysWithValues: partitions.map { ($0, (ErrorCode.notController, nil)) }),
                                         to: request))
        }
        // The controller answers on its event loop; this handler does not wait for it.
        let deadline = ContinuousClock.now + .milliseconds(Int64(elect.timeoutMs))
        let cache = self.cache
        let purgatory = self.purgatory
        controller.electPreferredLeaders(partitions) { expected, results in
            let settled = results.mapValues { ($0.errorCode, $0.errorMessage) }
            guard !expected.isEmpty else { return respond(Self.response(settled, to: request)) }
            let remaining = max(Int64(0), (deadline - ContinuousClock.now).milliseconds)
            let operation = DelayedElectPreferredLeader(
                delayMs: remaining, expectedLeaders: expected, settled: settled, cache: cache
            ) { results in
                respond(Self.response(results, to: request))
            }
            purgatory.tryCompleteElseWatch(operation, watchKeys: Array(expected.keys))
        }
    }

    /// The response: one entry per topic, partitions in order (topics in name order).
    static func response(_ results: [TopicPartition: (ErrorCode, String?)], to request: KafkaRequest) -> KafkaResponseAction {
        let byTopic = Dictionary(grouping: results.keys, by: \.topic)
        let response = ElectLeaders.Response(replicaElectionResults: byTopic.keys.sorted().map { topic in
            ElectLeaders.TopicResult(topic: topic, partitionResult: byTopic[topic, default: []].sorted().map { tp in
                let (code, message) = results[tp] ?? (.none, nil)
                return ElectLeaders.PartitionResult(partitionId: tp.partition, errorCode: code, errorMessage: message)
            })
        })
        return ElectLeaders.responseFrame(response, to: request)
    }
}

extension Duration {
    /// The whole milliseconds of a duration.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
