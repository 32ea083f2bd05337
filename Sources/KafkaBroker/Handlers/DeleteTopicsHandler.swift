import KafkaCommon
import KafkaProtocol
import KafkaPurgatory
import KafkaZk

/// DeleteTopics, as Kafka's admin path does it: each existing topic gets a
/// `/admin/delete_topics/<t>` node, which the controller acts on (see the controller's topic
/// deletion). With `timeout_ms` > 0 the answer waits in the purgatory until this broker's metadata
/// cache no longer has the topics (REQUEST_TIMED_OUT for those still there). With
/// `delete.topic.enable=false`: TOPIC_DELETION_DISABLED. A waiting request holds no request
/// handler: the UpdateMetadata that removes its topics (or the purgatory's timer) completes it
/// and sends the response.
struct DeleteTopicsHandler: KafkaDelayingRequestHandler {
    let apiKey = ApiKey.deleteTopics
    let zkClient: KafkaZkClient
    let cache: MetadataCache
    let purgatory: DelayedOperationPurgatory<DelayedDeleteTopics>
    let deleteTopicEnable: Bool

    func handle(_ request: KafkaRequest, respond: @escaping @Sendable (KafkaResponseAction) -> Void) async throws {
        var body = request.body
        let delete = try DeleteTopics.decodeRequest(from: &body, version: request.header.apiVersion)
        var results: [String: ErrorCode] = [:]
        var requested: [String] = []
        for topic in delete.topicNames.uniqued() {
            guard deleteTopicEnable else { results[topic] = .topicDeletionDisabled; continue }
            do {
                guard try await zkClient.topicAssignment(topic) != nil else {
                    results[topic] = .unknownTopicOrPartition
                    continue
                }
                try await zkClient.requestTopicDeletion(topic)
                results[topic] = ErrorCode.none
                requested.append(topic)
            } catch {
                results[topic] = .unknownServerError
            }
        }
        let names = delete.topicNames.uniqued()
        @Sendable func response(_ results: [String: ErrorCode]) -> KafkaResponseAction {
            DeleteTopics.responseFrame(DeleteTopics.Response(responses: names.map {
                .init(name: $0, errorCode: results[$0] ?? .unknownServerError)
            }), to: request)
        }
        guard !requested.isEmpty, delete.timeoutMs > 0 else { return respond(response(results)) }
        // Wait in the purgatory until the topics are gone; the completing thread answers.
        let settled = results
        let waiting = DelayedDeleteTopics(delayMs: Int64(delete.timeoutMs), topics: Set(requested), cache: cache) { [requested] gone in
            var results = settled
            for topic in requested where !gone.contains(topic) { results[topic] = .requestTimedOut }
            respond(response(results))
        }
        purgatory.tryCompleteElseWatch(waiting, watchKeys: requested)
    }
}
