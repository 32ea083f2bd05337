import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaRecords
import Logging
import TransactionCoordinator

/// A clock the test sets.
final class TestClock: Time, @unchecked Sendable {
    private let lock = NSLock()
    private var now: Int64
    init(_ now: Int64) { self.now = now }
    var milliseconds: Int64 { lock.withLock { now } }
    var nanoseconds: UInt64 { UInt64(milliseconds) * 1_000_000 }
    func advance(_ ms: Int64) { lock.withLock { now += ms } }
}

/// Records every append and answers with the queued errors (NONE when none is queued).
final class FakeAppender: TransactionLogAppender, @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [ErrorCode] = []
    private var appended: [(partition: Int32, record: TransactionLogRecord)] = []
    func failNext(_ error: ErrorCode) { lock.withLock { errors.append(error) } }
    var records: [(partition: Int32, record: TransactionLogRecord)] { lock.withLock { appended } }
    var states: [TransactionState?] { records.map { try? $0.record.state() } }
    func append(_ records: [TransactionLogRecord], toPartition partition: Int32, timestamp: Int64, timeoutMs: Int32) async -> ErrorCode {
        lock.withLock {
            for record in records { appended.append((partition, record)) }
            return errors.isEmpty ? .none : errors.removeFirst()
        }
    }
}

/// Records the markers queued.
final class FakeMarkerSender: TransactionMarkerSender, @unchecked Sendable {
    struct Call: Equatable {
        var transactionalId: String
        var coordinatorEpoch: Int32
        var result: TransactionResult
        var transit: TxnTransitMetadata
    }
    private let lock = NSLock()
    private var queued: [Call] = []
    private var removed: [Int32] = []
    var calls: [Call] { lock.withLock { queued } }
    var removedPartitions: [Int32] { lock.withLock { removed } }
    func removeMarkers(forTxnTopicPartition partition: Int32) async { lock.withLock { removed.append(partition) } }
    func addTxnMarkersToSend(transactionalId: String, coordinatorEpoch: Int32, result: TransactionResult, metadata: TransactionMetadata, transit: TxnTransitMetadata) async {
        lock.withLock { queued.append(Call(transactionalId: transactionalId, coordinatorEpoch: coordinatorEpoch, result: result, transit: transit)) }
    }
}

/// Producer ids 1000, 1001, …
final class FakeProducerIds: ProducerIdGenerator, @unchecked Sendable {
    private let lock = NSLock()
    private var next: Int64 = 1000
    func generateProducerId() async throws -> Int64 { lock.withLock { defer { next += 1 }; return next } }
}

/// A coordinator that owns every `__transaction_state` partition at coordinator epoch 1.
struct CoordinatorHarness {
    let clock = TestClock(10_000)
    let appender = FakeAppender()
    let markers = FakeMarkerSender()
    let coordinator: TransactionCoordinator

    init(config: TransactionConfig = TransactionConfig()) async throws {
        var manager = TransactionStateManager(brokerId: BrokerId(rawValue: 1), config: config)
        for partition in 0..<manager.partitionCount {
            manager.addLoadingPartition(partition, coordinatorEpoch: 1)
            _ = try manager.completeLoading(partition, coordinatorEpoch: 1, transactions: [:], now: 0)
        }
        var logger = Logger(label: "transaction-coordinator-test")
        logger.logLevel = .critical
        coordinator = TransactionCoordinator(
            stateManager: manager, appender: appender, markerSender: markers, producerIds: FakeProducerIds(), time: clock, logger: logger)
    }

    func metadata(_ id: String) async -> TransactionMetadata? {
        await coordinator.stateManager.transactionState(of: id).map { $0?.metadata }.get(or: nil)
    }
}

extension Result {
    func get(or fallback: Success) -> Success { (try? get()) ?? fallback }
}

/// Serves fixed records for each partition.
struct FakeLogReader: TransactionLogReader {
    var logs: [Int32: MemoryRecords]
    func readAll(partition: Int32) async throws -> MemoryRecords? { logs[partition] }
}
