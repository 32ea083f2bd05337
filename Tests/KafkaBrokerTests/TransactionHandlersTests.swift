import Foundation
import KafkaCommon
import KafkaProtocol
import Logging
import Testing
import TransactionCoordinator

@testable import KafkaBroker

/// AddPartitionsToTxn, AddOffsetsToTxn and EndTxn over a coordinator with a recording log, and
/// the transaction keys of the broker config.
@Suite struct TransactionHandlersTests {
    final class Log: TransactionLogAppender, @unchecked Sendable {
        let lock = NSLock()
        var states: [TransactionState?] = []
        func append(_ records: [TransactionLogRecord], toPartition partition: Int32, timestamp: Int64, timeoutMs: Int32) async -> ErrorCode {
            lock.withLock { states += records.map { try? $0.state() } }
            return .none
        }
    }

    final class Markers: TransactionMarkerSender, @unchecked Sendable {
        let lock = NSLock()
        var partitions: [Set<TopicPartition>] = []
        func addTxnMarkersToSend(
            transactionalId: String, coordinatorEpoch: Int32, result: TransactionResult, metadata: TransactionMetadata,
            transit: TxnTransitMetadata) async { lock.withLock { partitions.append(metadata.topicPartitions) } }
        func removeMarkers(forTxnTopicPartition partition: Int32) async {}
    }

    struct Ids: ProducerIdGenerator {
        func generateProducerId() async throws -> Int64 { 77 }
    }

    let cache = MetadataCache(brokerId: 1)
    let log = Log()
    let markers = Markers()
    let coordinator: TransactionCoordinator

    init() async throws {
        var manager = TransactionStateManager(brokerId: 1, config: TransactionConfig())
        for partition in 0..<manager.partitionCount {
            manager.addLoadingPartition(partition, coordinatorEpoch: 0)
            _ = try manager.completeLoading(partition, coordinatorEpoch: 0, transactions: [:], now: 0)
        }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        coordinator = TransactionCoordinator(
            stateManager: manager, appender: log, markerSender: markers, producerIds: Ids(), time: ManualTime(), logger: logger)
        let request = UpdateMetadata.Request(controllerId: 1, controllerEpoch: 1, topicStates: [
            .init(topicName: "orders", partitionStates: [
                .init(partitionIndex: 0, controllerEpoch: 1, leader: 1, leaderEpoch: 0, isr: [1], zkVersion: 0, replicas: [1]),
            ]),
        ], liveBrokers: [UpdateMetadata.Broker(id: 1, endpoints: [.init(port: 9001, host: "h", listener: "PLAINTEXT", securityProtocol: 0)])],
        version: 5)
        #expect(cache.update(request) == ErrorCode.none)
        #expect(await coordinator.handleInitProducerId(transactionalId: "tx", transactionTimeoutMs: 60_000).error == .none)
    }

    func addPartitions(_ partitions: [(String, [Int32])]) async throws -> [String: ErrorCode] {
        let body = AddPartitionsToTxn.Request(transactionalId: "tx", producerId: 77, producerEpoch: 0,
                                              topics: partitions.map { .init(topic: $0.0, partitions: $0.1) })
        let action = try await AddPartitionsToTxnHandler(coordinator: coordinator, cache: cache)
            .handle(HandlerHarness.request(AddPartitionsToTxn.self, body, version: 1))
        let response = try HandlerHarness.response(AddPartitionsToTxn.self, of: action, version: 1)
        var errors: [String: ErrorCode] = [:]
        for topic in response.errors {
            for partition in topic.partitionErrors { errors["\(topic.topic)-\(partition.partition)"] = partition.errorCode }
        }
        return errors
    }

    @Test func anUnknownPartitionAddsNothing() async throws {
        let errors = try await addPartitions([("orders", [0, 1])])
        #expect(errors == ["orders-0": .operationNotAttempted, "orders-1": .unknownTopicOrPartition])
        #expect(log.states == [.empty], "nothing written after InitProducerId")
    }

    @Test func knownPartitionsJoinTheTransactionAndEndTxnCommitsIt() async throws {
        #expect(try await addPartitions([("orders", [0])]) == ["orders-0": .none])
        let addOffsets = AddOffsetsToTxn.Request(transactionalId: "tx", producerId: 77, producerEpoch: 0, groupId: "g")
        let offsetsAction = try await AddOffsetsToTxnHandler(coordinator: coordinator, offsetsTopicPartitionCount: 50)
            .handle(HandlerHarness.request(AddOffsetsToTxn.self, addOffsets, version: 1))
        #expect(try HandlerHarness.response(AddOffsetsToTxn.self, of: offsetsAction, version: 1).errorCode == .none)

        let end = EndTxn.Request(transactionalId: "tx", producerId: 77, producerEpoch: 0, transactionResult: true)
        let endAction = try await EndTxnHandler(coordinator: coordinator).handle(HandlerHarness.request(EndTxn.self, end, version: 1))
        #expect(try HandlerHarness.response(EndTxn.self, of: endAction, version: 1).errorCode == .none)
        #expect(log.states == [.empty, .ongoing, .ongoing, .prepareCommit])
        // Java's "g".hashCode() is 103; 103 % 50 = 3.
        #expect(markers.partitions == [[TopicPartition("orders", 0), TopicPartition("__consumer_offsets", 3)]])
    }

    @Test func theBrokerConfigCarriesTheTransactionKeys() throws {
        let defaults = try KafkaConfig(properties: JavaProperties(parsing: "zookeeper.connect=zk:2181\n"), file: nil).transactionConfig()
        #expect(defaults == TransactionConfig())
        let set = try KafkaConfig(properties: JavaProperties(parsing: """
            zookeeper.connect=zk:2181
            transaction.state.log.num.partitions=3
            transaction.state.log.replication.factor=1
            transaction.state.log.min.isr=1
            transaction.max.timeout.ms=5000
            transaction.abort.timed.out.transaction.cleanup.interval.ms=1000
            """), file: nil).transactionConfig()
        #expect(set.transactionLogNumPartitions == 3 && set.transactionLogReplicationFactor == 1 && set.transactionLogMinInsyncReplicas == 1)
        #expect(set.transactionMaxTimeoutMs == 5000 && set.abortTimedOutTransactionsIntervalMs == 1000)
        #expect(throws: ConfigError.self) {
            try KafkaConfig(properties: JavaProperties(parsing: "zookeeper.connect=zk:2181\ntransaction.state.log.num.partitions=0\n"), file: nil)
                .transactionConfig()
        }
    }
}
