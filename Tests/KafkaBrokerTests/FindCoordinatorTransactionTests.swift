import KafkaCommon
import KafkaProtocol
import Logging
import Synchronization
import Testing
import TransactionCoordinator

@testable import KafkaBroker

/// FindCoordinator for transactional ids (key type 1) on a broker that runs a transaction
/// coordinator: `__transaction_state` created on first use with the transaction keys, then the
/// leader of the id's partition.
@Suite struct FindCoordinatorTransactionTests {
    typealias Creation = (name: String, partitions: Int32, replicationFactor: Int16, configs: [String: String])
    final class Recorder: Sendable { let creations = Mutex<[Creation]>([]) }

    let cache = MetadataCache(brokerId: 1)
    let recorder = Recorder()
    var made: [Creation] { recorder.creations.withLock { $0 } }

    var handler: FindCoordinatorHandler {
        let recorder = self.recorder
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let creator = InternalTopicCreator(config: GroupCoordinatorConfig(), createTopic: { name, partitions, rf, configs in
            recorder.creations.withLock { $0.append((name, partitions, rf, configs)) }
        }, logger: logger)
        var config = TransactionConfig()
        config.transactionLogNumPartitions = 7
        config.transactionLogReplicationFactor = 3
        config.transactionLogMinInsyncReplicas = 2
        config.transactionLogSegmentBytes = 1_048_576
        return FindCoordinatorHandler(cache: cache, offsetsTopicPartitionCount: 50, internalTopicCreator: creator,
                                      transactions: TransactionCoordinatorLookup(partitionCount: 7, config: config))
    }

    func update(alive: [Int32], withTopic: Bool) {
        let states: [UpdateMetadata.TopicState] = withTopic ? [.init(topicName: TransactionStateManager.topic, partitionStates: (0..<7).map { index in
            UpdateMetadata.PartitionState(partitionIndex: index, controllerEpoch: 1, leader: BrokerId(index % 3 + 1),
                                          leaderEpoch: 0, isr: [1, 2, 3], zkVersion: 0, replicas: [1, 2, 3])
        })] : []
        let brokers = alive.map { id in
            UpdateMetadata.Broker(id: BrokerId(id), endpoints: [.init(port: 9000 + id, host: "host\(id)", listener: "PLAINTEXT", securityProtocol: 0)])
        }
        let request = UpdateMetadata.Request(controllerId: 1, controllerEpoch: 1, topicStates: states, liveBrokers: brokers, version: 5)
        #expect(cache.update(request) == ErrorCode.none)
    }

    func find(_ key: String) async throws -> FindCoordinator.Response {
        let request = HandlerHarness.request(FindCoordinator.self, FindCoordinator.Request(key: key, keyType: 1), version: 2)
        return try HandlerHarness.response(FindCoordinator.self, of: try await handler.handle(request), version: 2)
    }

    @Test func theFirstLookupCreatesTheTransactionLogWithItsKeys() async throws {
        update(alive: [1, 2], withTopic: false)
        #expect(try await find("tx").errorCode == .coordinatorNotAvailable)
        #expect(made.isEmpty, "two brokers are fewer than transaction.state.log.replication.factor")

        update(alive: [1, 2, 3], withTopic: false)
        #expect(try await find("tx").errorCode == .coordinatorNotAvailable)
        let creation = try #require(made.first)
        #expect(made.count == 1 && creation.name == "__transaction_state" && creation.partitions == 7 && creation.replicationFactor == 3)
        #expect(creation.configs == [
            "cleanup.policy": "compact", "compression.type": "uncompressed", "unclean.leader.election.enable": "false",
            "segment.bytes": "1048576", "min.insync.replicas": "2",
        ])
    }

    @Test func theCoordinatorIsTheLeaderOfTheIdsPartition() async throws {
        update(alive: [1, 2, 3], withTopic: true)
        // Java's "tx".hashCode() is 3716; 3716 % 7 = 6, led by broker 1.
        let found = try await find("tx")
        #expect(found.errorCode == .none && found.nodeId == BrokerId(1) && found.host == "host1" && found.port == 9001)
        #expect(made.isEmpty)
        update(alive: [2, 3], withTopic: true)
        #expect(try await find("tx").errorCode == .coordinatorNotAvailable)
    }
}
