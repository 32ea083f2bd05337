import KafkaCommon
import KafkaProtocol
import KafkaRecords
import Synchronization

/// WriteTxnMarkers v0 (Kafka's `handleWriteTxnMarkersRequest`): the transaction coordinator asks
/// this broker, as leader of the partitions named, to end a producer's transaction in each of
/// them with a COMMIT or ABORT control batch.
///
/// For each marker of the request, every partition named gets one control batch: transactional
/// and control attributes, the marker's producer id and epoch, no sequence, and one record whose
/// key is the control type and whose value is the `EndTransactionMarker` carrying the
/// coordinator epoch (`EndTransactionMarker.controlBatch`). The batches of one marker are one
/// `ReplicaManager.appendRecords` with acks=all and origin `.coordinator` (internal topics
/// allowed, control batches allowed), so a marker's result waits in the produce purgatory until
/// the ISR has it, at most `request.timeout.ms`. The response is sent once every marker's append
/// has answered.
///
/// Per-partition errors, as Kafka 2.3 gives them: UNKNOWN_TOPIC_OR_PARTITION for a partition not
/// hosted here (not appended), UNSUPPORTED_FOR_MESSAGE_FORMAT for a topic on a message format
/// before 0.11 (not appended), and what the append answers: NOT_LEADER_FOR_PARTITION on a
/// follower, NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT, the producer state's refusals (a stale
/// producer epoch or coordinator epoch), KAFKA_STORAGE_ERROR. The response has one entry per
/// producer id, in the order the request first names them (markers of one producer merge, as
/// Kafka's response keyed by producer id does), each partition under its topic.
struct WriteTxnMarkersHandler: KafkaDelayingRequestHandler {
    let apiKey = ApiKey.writeTxnMarkers
    let replicaManager: ReplicaManager
    /// `request.timeout.ms`: how long a marker's append waits for the ISR.
    let requestTimeoutMs: Int64
    let time: any Time
    /// Told of each marker written to `__consumer_offsets` partitions here, before the response
    /// (Kafka's `scheduleHandleTxnCompletion`), so that transactional offsets are completed.
    var groupCoordinator: GroupCoordinator? = nil

    func handle(_ request: KafkaRequest, respond: @escaping @Sendable (KafkaResponseAction) -> Void) async throws {
        var body = request.body
        let markers = try WriteTxnMarkers.decodeRequest(from: &body, version: request.header.apiVersion).transactionMarkers
        let results = MarkerResults(markers: markers) { response in
            respond(WriteTxnMarkers.responseFrame(response, to: request))
        }
        guard !markers.isEmpty else { return results.sendNow() }
        for (index, marker) in markers.enumerated() {
            var errors: [(TopicPartition, ErrorCode)] = []
            var entries: [(TopicPartition, MemoryRecords)] = []
            let endMarker = EndTransactionMarker(type: marker.transactionResult ? .commit : .abort, coordinatorEpoch: marker.coordinatorEpoch)
            for topic in marker.topics {
                for partitionIndex in topic.partitions {
                    let tp = TopicPartition(topic.topic, partitionIndex)
                    guard let partition = replicaManager.partition(tp) else {
                        errors.append((tp, .unknownTopicOrPartition))
                        continue
                    }
                    guard Self.supportsTransactions(messageFormatVersion: partition.log.withLock { $0.config.messageFormatVersion }) else {
                        errors.append((tp, .unsupportedForMessageFormat))
                        continue
                    }
                    do {
                        entries.append((tp, try endMarker.controlBatch(timestamp: time.milliseconds, producerId: marker.producerId,
                                                                       producerEpoch: marker.producerEpoch)))
                    } catch {
                        errors.append((tp, ErrorCode(rawValue: error.kafkaErrorCode)))
                    }
                }
            }
            guard !entries.isEmpty else {
                results.complete(marker: index, errors)
                continue
            }
            let refused = errors
            replicaManager.appendRecords(
                timeout: requestTimeoutMs, requiredAcks: -1, internalTopicsAllowed: true, origin: .coordinator,
                entriesPerPartition: entries
            ) { [groupCoordinator] appended in
                let offsetsPartitions = Set(appended.filter {
                    $0.topicPartition.topic == GroupCoordinatorConfig.offsetsTopicName && $0.response.errorCode == .none
                }.map(\.topicPartition.partition))
                if let groupCoordinator, !offsetsPartitions.isEmpty {
                    groupCoordinator.scheduleHandleTxnCompletion(
                        producerId: marker.producerId, offsetsPartitions: offsetsPartitions, isCommit: marker.transactionResult)
                }
                results.complete(marker: index, refused + appended.map { ($0.topicPartition, $0.response.errorCode) })
            }
        }
    }

    /// Message formats before 0.11 (magic 0 and 1) have no producer ids or control batches.
    static func supportsTransactions(messageFormatVersion: String) -> Bool {
        !["0.8", "0.9", "0.10"].contains { messageFormatVersion == $0 || messageFormatVersion.hasPrefix($0 + ".") || messageFormatVersion.hasPrefix($0 + "-") }
    }
}

/// The markers' outcomes as their appends answer (on request handler threads or the purgatory's
/// completing threads); the response goes out when the last one has.
private final class MarkerResults: Sendable {
    private struct State {
        var outcomes: [[(TopicPartition, ErrorCode)]?]
        var remaining: Int
    }

    private let producerIds: [Int64]
    private let state: Mutex<State>
    private let send: @Sendable (WriteTxnMarkers.Response) -> Void

    init(markers: [WriteTxnMarkers.TxnMarker], send: @escaping @Sendable (WriteTxnMarkers.Response) -> Void) {
        producerIds = markers.map(\.producerId)
        state = Mutex(State(outcomes: Array(repeating: nil, count: markers.count), remaining: markers.count))
        self.send = send
    }

    func sendNow() { send(response(state.withLock { $0.outcomes })) }

    func complete(marker index: Int, _ outcome: [(TopicPartition, ErrorCode)]) {
        let done: [[(TopicPartition, ErrorCode)]?]? = state.withLock { state in
            state.outcomes[index] = outcome
            state.remaining -= 1
            return state.remaining == 0 ? state.outcomes : nil
        }
        if let done { send(response(done)) }
    }

    private func response(_ outcomes: [[(TopicPartition, ErrorCode)]?]) -> WriteTxnMarkers.Response {
        var order: [Int64] = []
        var byProducer: [Int64: [(TopicPartition, ErrorCode)]] = [:]
        for (producerId, outcome) in zip(producerIds, outcomes) {
            if byProducer[producerId] == nil { order.append(producerId) }
            byProducer[producerId, default: []] += outcome ?? []
        }
        return WriteTxnMarkers.Response(transactionMarkers: order.map { producerId in
            var topics: [WriteTxnMarkers.TopicResult] = []
            for (tp, code) in byProducer[producerId] ?? [] {
                let result = WriteTxnMarkers.PartitionResult(partition: tp.partition, errorCode: code)
                if let index = topics.firstIndex(where: { $0.topic == tp.topic }) {
                    if let existing = topics[index].partitions.firstIndex(where: { $0.partition == tp.partition }) {
                        topics[index].partitions[existing] = result
                    } else {
                        topics[index].partitions.append(result)
                    }
                } else {
                    topics.append(.init(topic: tp.topic, partitions: [result]))
                }
            }
            return WriteTxnMarkers.TxnMarkerResult(producerId: producerId, topics: topics)
        })
    }
}
