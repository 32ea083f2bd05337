import GroupCoordinator
import KafkaCommon
import KafkaProtocol

/// FindCoordinator (v0–2), as Kafka 2.3's `KafkaApis.handleFindCoordinatorRequest` answers it.
///
/// Key type 0, a consumer group: the coordinator is the leader of the group's partition of
/// `__consumer_offsets`, `GroupPartitioning.partitionFor(groupId:partitionCount:)`, looked up in
/// the `MetadataCache` and answered with its endpoint on the listener the request came in on.
/// COORDINATOR_NOT_AVAILABLE (node -1, host "", port -1) while that partition has no live leader
/// with that listener.
///
/// The first FindCoordinator for a group creates `__consumer_offsets` when the cache does not
/// know it (`InternalTopicCreator`: `offsets.topic.num.partitions` partitions,
/// `offsets.topic.replication.factor` replicas, compacted; not created with fewer alive brokers
/// than that replication factor). Either way that request is answered COORDINATOR_NOT_AVAILABLE;
/// the client retries until the controller has elected the partition's leader.
///
/// Key type 1, a transactional id: the leader of its `__transaction_state` partition, the topic
/// created on first use in the same way (`FindCoordinatorHandler+Transaction.swift`).
/// Any other key type: INVALID_REQUEST, as Kafka answers its "unknown coordinator type".
///
/// Only the existence of a leader is checked here: the broker named may still be loading the
/// partition, and then answers the group's requests COORDINATOR_LOAD_IN_PROGRESS
/// (`GroupCoordinator`).
///
/// Invariant: `offsetsTopicPartitionCount` is fixed for the broker's life (Kafka reads it once,
/// at start-up, from the topic if it exists, else from the config), so a group always maps to
/// the same partition.
struct FindCoordinatorHandler: KafkaRequestHandler {
    let apiKey = ApiKey.findCoordinator
    let cache: MetadataCache
    let offsetsTopicPartitionCount: Int32
    let internalTopicCreator: InternalTopicCreator
    /// `__transaction_state`'s partition count and the transaction settings, when this broker
    /// runs a transaction coordinator; without them key type 1 is COORDINATOR_NOT_AVAILABLE.
    var transactions: TransactionCoordinatorLookup? = nil

    /// Kafka's texts for the codes this handler answers with (`Errors.message()`), sent as the
    /// v1+ `error_message`.
    static func message(_ code: ErrorCode) -> String {
        switch code {
        case .none: "NONE"
        case .coordinatorNotAvailable: "The coordinator is not available."
        case .invalidRequest:
            "This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details."
        default: code.name ?? "UNKNOWN"
        }
    }

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        var body = request.body
        let version = request.header.apiVersion
        let find = try FindCoordinator.decodeRequest(from: &body, version: version)
        let response: FindCoordinator.Response
        switch find.keyType {
        case FindCoordinator.KeyType.group:
            response = await groupCoordinator(for: find.key, listenerName: request.listenerName)
        case FindCoordinator.KeyType.transaction:
            if let transactions {
                response = await transactionCoordinator(for: find.key, listenerName: request.listenerName, lookup: transactions)
            } else {
                response = Self.error(.coordinatorNotAvailable)
            }
        default:
            response = Self.error(.invalidRequest)
        }
        return FindCoordinator.responseFrame(response, to: request)
    }

    static func error(_ code: ErrorCode) -> FindCoordinator.Response {
        FindCoordinator.Response(errorCode: code, errorMessage: message(code), nodeId: .none, host: "", port: -1)
    }

    /// The leader of the group's partition, creating `__consumer_offsets` if no broker knows it.
    func groupCoordinator(for groupId: String, listenerName: String) async -> FindCoordinator.Response {
        let topic = GroupCoordinatorConfig.offsetsTopicName
        let snapshot = cache.current
        guard let partitions = snapshot.partitions[topic] else {
            _ = await internalTopicCreator.createOffsetsTopic(aliveBrokers: snapshot.aliveBrokers.count)
            return Self.error(.coordinatorNotAvailable)
        }
        let partition = GroupPartitioning.partitionFor(groupId: groupId, partitionCount: offsetsTopicPartitionCount)
        guard let leader = partitions[partition]?.leader, let broker = snapshot.aliveBrokers[leader],
              let endpoint = broker.allEndpoints.first(where: { $0.listener == listenerName }) else {
            return Self.error(.coordinatorNotAvailable)
        }
        return FindCoordinator.Response(errorCode: .none, errorMessage: Self.message(.none), nodeId: leader,
                                        host: endpoint.host, port: endpoint.port)
    }
}
