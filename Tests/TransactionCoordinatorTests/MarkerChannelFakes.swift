import Foundation
import KafkaCommon
import KafkaProtocol
import TransactionCoordinator

/// Partition leaders the test moves.
final class FakeMarkerMetadata: TxnMarkerMetadata, @unchecked Sendable {
    private let lock = NSLock()
    private var destinations: [TopicPartition: TxnMarkerDestination]
    init(_ destinations: [TopicPartition: TxnMarkerDestination]) { self.destinations = destinations }
    func set(_ partition: TopicPartition, _ destination: TxnMarkerDestination) { lock.withLock { destinations[partition] = destination } }
    func destination(of partition: TopicPartition) async -> TxnMarkerDestination {
        lock.withLock { destinations[partition] ?? .partitionDeleted }
    }
}

/// Records every request and answers with the error the test set per partition (NONE when
/// unset); a broker marked down throws as a disconnect does.
final class FakeMarkerNetwork: TxnMarkerNetwork, @unchecked Sendable {
    struct Down: Error {}
    private let lock = NSLock()
    private var sent: [(BrokerId, WriteTxnMarkers.Request)] = []
    private var errors: [TopicPartition: ErrorCode] = [:]
    private var down: Set<BrokerId> = []
    var requests: [(broker: BrokerId, request: WriteTxnMarkers.Request)] { lock.withLock { sent.map { ($0.0, $0.1) } } }
    func answer(_ partition: TopicPartition, with error: ErrorCode) { lock.withLock { errors[partition] = error } }
    func setDown(_ broker: BrokerId, _ isDown: Bool) { lock.withLock { if isDown { down.insert(broker) } else { down.remove(broker) } } }
    func send(_ request: WriteTxnMarkers.Request, to broker: BrokerId) async throws -> WriteTxnMarkers.Response {
        try lock.withLock {
            sent.append((broker, request))
            if down.contains(broker) { throw Down() }
            return WriteTxnMarkers.Response(transactionMarkers: request.transactionMarkers.map { marker in
                WriteTxnMarkers.TxnMarkerResult(producerId: marker.producerId, topics: marker.topics.map { topic in
                    WriteTxnMarkers.TopicResult(topic: topic.topic, partitions: topic.partitions.map { partition in
                        WriteTxnMarkers.PartitionResult(
                            partition: partition, errorCode: errors[TopicPartition(topic.topic, partition)] ?? .none)
                    })
                })
            })
        }
    }
}

/// A coordinator stand-in: records the completions and answers them with queued errors.
final class FakeCompletionTarget: TxnMarkerCompletionTarget, @unchecked Sendable {
    private let lock = NSLock()
    private var completions: [(String, TxnTransitMetadata)] = []
    private var errors: [ErrorCode] = []
    private var coordinates = true
    var completed: [String] { lock.withLock { completions.map(\.0) } }
    var completedStates: [TransactionState] { lock.withLock { completions.map(\.1.txnState) } }
    func failNextCompletion(_ error: ErrorCode) { lock.withLock { errors.append(error) } }
    func setCoordinates(_ value: Bool) { lock.withLock { coordinates = value } }
    func stillCoordinates(transactionalId: String, coordinatorEpoch: Int32) async -> Bool { lock.withLock { coordinates } }
    func completeTransaction(transactionalId: String, coordinatorEpoch: Int32, transit: TxnTransitMetadata) async -> ErrorCode {
        lock.withLock {
            completions.append((transactionalId, transit))
            return errors.isEmpty ? .none : errors.removeFirst()
        }
    }
}
