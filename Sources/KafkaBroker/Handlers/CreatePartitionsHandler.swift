import KafkaCommon
import KafkaProtocol
import KafkaPurgatory
import KafkaZk
import ZooKeeper

/// CreatePartitions (v0–1), as Kafka's admin path does it: for each topic, read its assignment,
/// plan the added partitions (`PartitionExpansion`), and — unless `validate_only` — write the
/// extended assignment to `/brokers/topics/<t>`, conditioned on the version read so a concurrent
/// change is not overwritten. The controller's watch on that znode starts the new partitions.
/// With `timeout_ms` > 0 the answer waits in the purgatory (`DelayedCreatePartitions`, watched
/// under the topic name like CreateTopics) until this broker's metadata cache has their leaders;
/// it holds no request handler meanwhile: the thread that completes it sends the response.
struct CreatePartitionsHandler: KafkaDelayingRequestHandler {
    let apiKey = ApiKey.createPartitions
    let zkClient: KafkaZkClient
    let cache: MetadataCache
    let purgatory: DelayedOperationPurgatory<DelayedCreatePartitions>

    func handle(_ request: KafkaRequest, respond: @escaping @Sendable (KafkaResponseAction) -> Void) async throws {
        var body = request.body
        let create = try CreatePartitions.decodeRequest(from: &body, version: request.header.apiVersion)
        var results: [String: CreatePartitions.Result] = [:]
        var expanded: [String: Int32] = [:]
        let names = create.topics.map(\.name)
        for topic in create.topics {
            if names.filter({ $0 == topic.name }).count > 1 {
                results[topic.name] = .init(name: topic.name, errorCode: .invalidRequest,
                                            errorMessage: "Duplicate topic in request: \(topic.name)")
                continue
            }
            do {
                try await expand(topic, validateOnly: create.validateOnly)
                results[topic.name] = .init(name: topic.name)
                if !create.validateOnly { expanded[topic.name] = topic.count }
            } catch {
                results[topic.name] = .init(name: topic.name, errorCode: error.code, errorMessage: error.message)
            }
        }
        let order = names.uniqued()
        guard !expanded.isEmpty, create.timeoutMs > 0 else {
            return respond(CreatePartitions.responseFrame(CreatePartitions.Response(results: order.compactMap { results[$0] }), to: request))
        }
        // Wait in the purgatory for the new partitions' leaders; the completing thread answers.
        let settled = results
        let operation = DelayedCreatePartitions(delayMs: Int64(create.timeoutMs), expected: expanded, cache: cache) { [expanded] ready in
            var results = settled
            for topic in expanded.keys where !ready.contains(topic) {
                results[topic] = .init(name: topic, errorCode: .requestTimedOut,
                                       errorMessage: "Operation timed out waiting for the leaders of the new partitions of \(topic)")
            }
            respond(CreatePartitions.responseFrame(CreatePartitions.Response(results: order.compactMap { results[$0] }), to: request))
        }
        purgatory.tryCompleteElseWatch(operation, watchKeys: Array(expanded.keys))
    }

    private func expand(_ topic: CreatePartitions.Topic, validateOnly: Bool) async throws(TopicCreationError) {
        let existing: (assignment: [Int32: [BrokerId]], version: ZkVersion)?
        let liveBrokers: [ReplicaAssignment.BrokerMetadata]
        do {
            existing = try await zkClient.topicAssignment(topic.name)
            // Kafka's `getBrokerMetadatas()`: racks enforced, a mix with and without is refused.
            liveBrokers = try ReplicaAssignment.BrokerMetadata.from(try await zkClient.allBrokersInCluster(), mode: .enforced)
        } catch let error as ReplicaAssignment.AssignmentError {
            throw TopicCreationError(assignmentError: error)
        } catch {
            throw TopicCreationError(code: .unknownServerError, message: "\(error)")
        }
        guard let existing, !existing.assignment.isEmpty else {
            throw TopicCreationError(code: .unknownTopicOrPartition, message: "The topic '\(topic.name)' does not exist.")
        }
        let added = try PartitionExpansion.plan(
            topic: topic.name, existing: existing.assignment, newCount: topic.count,
            manual: topic.assignments.map { $0.map(\.brokerIds) }, liveBrokers: liveBrokers)
        guard !validateOnly else { return }
        do {
            try await zkClient.setTopicAssignment(
                topic.name, assignment: existing.assignment.merging(added) { old, _ in old }, expectedVersion: existing.version)
        } catch let error as ZooKeeperError where error.code == .badVersion {
            throw TopicCreationError(code: .invalidPartitions,
                                     message: "The assignment of topic '\(topic.name)' changed while adding partitions; retry.")
        } catch let error as ZooKeeperError where error.code == .noNode {
            throw TopicCreationError(code: .unknownTopicOrPartition, message: "The topic '\(topic.name)' does not exist.")
        } catch {
            throw TopicCreationError(code: .unknownServerError, message: "\(error)")
        }
    }
}
