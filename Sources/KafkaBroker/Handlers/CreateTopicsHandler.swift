import KafkaCommon
import KafkaProtocol
import KafkaPurgatory
import KafkaStorage
import KafkaZk
import ZooKeeper

/// CreateTopics, as Kafka's admin path does it: validate each topic (name, partitions,
/// replication factor or manual assignment, configs), place replicas on the live brokers
/// (Kafka's rack-unaware placement), and write `/config/topics/<t>` then `/brokers/topics/<t>`.
/// The controller sees the new topic and elects leaders; with `timeout_ms` > 0 the answer waits
/// in the purgatory until the metadata cache has those leaders (`DelayedCreatePartitions`).
/// A waiting request holds no request handler: the UpdateMetadata that brings the leaders (or
/// the purgatory's timer) completes it and sends the response, as in Kafka.
struct CreateTopicsHandler: KafkaDelayingRequestHandler {
    let apiKey = ApiKey.createTopics
    let topicCreator: TopicCreator
    let cache: MetadataCache
    let purgatory: DelayedOperationPurgatory<DelayedCreatePartitions>

    func handle(_ request: KafkaRequest, respond: @escaping @Sendable (KafkaResponseAction) -> Void) async throws {
        var body = request.body
        let create = try CreateTopics.decodeRequest(from: &body, version: request.header.apiVersion)
        var results: [String: CreateTopics.CreatableTopicResult] = [:]
        var created: [String: Int32] = [:]
        let names = create.topics.map(\.name)
        for topic in create.topics {
            if names.filter({ $0 == topic.name }).count > 1 {
                results[topic.name] = .init(name: topic.name, errorCode: .invalidRequest,
                                            errorMessage: "Create topics request from client `\(request.header.clientId ?? "")` contains multiple entries for the following topics: \(topic.name)")
                continue
            }
            do {
                let partitions = try await topicCreator.create(
                    name: topic.name, numPartitions: topic.numPartitions, replicationFactor: topic.replicationFactor,
                    assignments: topic.assignments.map { ($0.partitionIndex, $0.brokerIds) },
                    configs: topic.configs.reduce(into: [:]) { $0[$1.name] = $1.value ?? "" },
                    validateOnly: create.validateOnly)
                results[topic.name] = .init(name: topic.name)
                if !create.validateOnly { created[topic.name] = partitions }
            } catch let error as TopicCreationError {
                results[topic.name] = .init(name: topic.name, errorCode: error.code, errorMessage: error.message)
            }
        }
        let order = names.uniqued()
        guard !created.isEmpty, create.timeoutMs > 0 else {
            return respond(CreateTopics.responseFrame(CreateTopics.Response(topics: order.compactMap { results[$0] }), to: request))
        }
        // Wait in the purgatory for the leaders; the completing thread answers.
        let settled = results
        let operation = DelayedCreatePartitions(delayMs: Int64(create.timeoutMs), expected: created, cache: cache) { [created] ready in
            var results = settled
            for topic in created.keys where !ready.contains(topic) {
                results[topic] = .init(name: topic, errorCode: .requestTimedOut,
                                       errorMessage: "Operation timed out waiting for the leaders of \(topic)")
            }
            respond(CreateTopics.responseFrame(CreateTopics.Response(topics: order.compactMap { results[$0] }), to: request))
        }
        purgatory.tryCompleteElseWatch(operation, watchKeys: Array(created.keys))
    }
}
