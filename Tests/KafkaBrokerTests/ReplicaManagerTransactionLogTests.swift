import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaStorage
import Logging
import Testing
import TransactionCoordinator

@testable import KafkaBroker

/// The transaction coordinator over a real `ReplicaManager` and log: its transitions appended to
/// `__transaction_state-0` with acks=all, and a coordinator that becomes leader later reads them
/// back from the log.
@Suite struct ReplicaManagerTransactionLogTests {
    final class Ids: ProducerIdGenerator, @unchecked Sendable {
        let lock = NSLock()
        var next: Int64 = 4000
        func generateProducerId() async throws -> Int64 { lock.withLock { defer { next += 1 }; return next } }
    }

    struct NoMarkers: TransactionMarkerSender {
        func addTxnMarkersToSend(
            transactionalId: String, coordinatorEpoch: Int32, result: TransactionResult, metadata: TransactionMetadata,
            transit: TxnTransitMetadata) async {}
        func removeMarkers(forTxnTopicPartition partition: Int32) async {}
    }

    let time = ManualTime()
    let replicaManager: ReplicaManager
    let tp = TopicPartition(TransactionStateManager.topic, 0)

    init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("txnlog-\(UUID().uuidString.prefix(8))")
        let partitionDirectory = directory.appendingPathComponent("\(tp.topic)-\(tp.partition)")
        try FileManager.default.createDirectory(at: partitionDirectory, withIntermediateDirectories: true)
        let time = self.time
        replicaManager = ReplicaManager(brokerId: 1, config: ReplicationConfig(), time: time, isrStore: FakeIsrStore()) { _, config in
            try Log(dir: partitionDirectory.path, config: config, hadCleanShutdown: false,
                    scheduler: DispatchScheduler(), time: time, logger: Logger(label: "test"))
        }
        let request = KafkaProtocol.LeaderAndIsr.Request(controllerId: 3, controllerEpoch: 1, topicStates: [
            .init(topicName: tp.topic, partitionStates: [
                .init(partitionIndex: 0, controllerEpoch: 1, leader: 1, leaderEpoch: 5, isr: [1], zkVersion: 1, replicas: [1]),
            ]),
        ], liveLeaders: [.init(brokerId: 1, hostName: "127.0.0.1", port: 1)])
        #expect(replicaManager.becomeLeaderOrFollower(request, configs: [:]).partitionErrors.map(\.errorCode) == [.none])
    }

    func coordinator() -> TransactionCoordinator {
        var config = TransactionConfig()
        config.transactionLogNumPartitions = 1
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let log = ReplicaManagerTransactionLog(replicaManager: replicaManager)
        return TransactionCoordinator(
            stateManager: TransactionStateManager(brokerId: 1, config: config, partitionCount: 1), appender: log,
            markerSender: NoMarkers(), producerIds: Ids(), time: time, logger: logger)
    }

    @Test func transitionsWrittenByOneLeaderAreLoadedByTheNext() async throws {
        let log = ReplicaManagerTransactionLog(replicaManager: replicaManager)
        let first = coordinator()
        await first.handleTxnImmigration(partition: 0, coordinatorEpoch: 5, reader: log)
        let pid = await first.handleInitProducerId(transactionalId: "tx", transactionTimeoutMs: 60_000)
        #expect(pid == InitProducerIdResult(producerId: 4000, producerEpoch: 0, error: .none))
        #expect(await first.handleAddPartitionsToTransaction(
            transactionalId: "tx", producerId: 4000, producerEpoch: 0, partitions: [TopicPartition("orders", 2)]) == .none)
        #expect(replicaManager.partition(tp)?.offsets.logEndOffset == 2)

        let second = coordinator()
        await second.handleTxnImmigration(partition: 0, coordinatorEpoch: 6, reader: log)
        let loaded = try #require(await second.stateManager.transactionState(of: "tx").get())
        #expect(loaded.coordinatorEpoch == 6)
        #expect(loaded.metadata.producerId == 4000 && loaded.metadata.state == .ongoing)
        #expect(loaded.metadata.topicPartitions == [TopicPartition("orders", 2)])
    }

    @Test func aPartitionThisBrokerDoesNotHostReadsAsNoLog() async throws {
        let log = ReplicaManagerTransactionLog(replicaManager: replicaManager)
        #expect(try await log.readAll(partition: 3) == nil)
        let tombstone = try TransactionLogRecord(transactionalId: "tx", transit: nil)
        let error = await log.append([tombstone], toPartition: 3, timestamp: 0, timeoutMs: 1000)
        #expect(error != .none)
    }
}
