import KafkaCommon
import KafkaProtocol
import KafkaPurgatory
import KafkaZk

/// DeleteTopics, as Kafka's admin path does it: each existing topic gets a
/// `/admin/delete_topics/<t>` node, which the controller acts on (see the controller's topic
/// deletion). With `timeout_ms` > 0 the answer waits in the purgatory until this broker's metadata
/// cache no longer has the topics (REQUEST_TIMED_OUT for those still there). With
/// `delete.topic.enable=false`: TOPIC_DELETION_DISABLED.
struct DeleteTopicsHandler: KafkaRequestHandler {
    let apiKey = ApiKey.deleteTopics
    let zkClient: KafkaZkClient
    let cache: MetadataCache
    let purgatory: DelayedOperationPurgatory<DelayedDeleteTopics>
    let deleteTopicEnable: Bool

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
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
        if !requested.isEmpty, delete.timeoutMs > 0 {
            let gone: Set<String> = await withCheckedContinuation { continuation in
                let waiting = DelayedDeleteTopics(delayMs: Int64(delete.timeoutMs), topics: Set(requested), cache: cache) {
                    continuation.resume(returning: $0)
                }
                purgatory.tryCompleteElseWatch(waiting, watchKeys: requested)
            }
            for topic in requested where !gone.contains(topic) { results[topic] = .requestTimedOut }
        }
        let response = DeleteTopics.Response(responses: delete.topicNames.uniqued().map {
            .init(name: $0, errorCode: results[$0] ?? .unknownServerError)
        })
        return DeleteTopics.responseFrame(response, to: request)
    }
}
