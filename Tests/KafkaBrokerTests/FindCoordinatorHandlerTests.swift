import KafkaCommon
import KafkaProtocol
import Logging
import Synchronization
import Testing

@testable import KafkaBroker

/// FindCoordinator without a socket or ZooKeeper: the metadata cache fed with UpdateMetadata as
/// the controller would, and the topic creation recorded instead of written.
@Suite struct FindCoordinatorHandlerTests {
    typealias Creation = (name: String, partitions: Int32, replicationFactor: Int16, configs: [String: String])

    /// The topics the handler asked to create.
    final class Recorder: Sendable {
        let creations = Mutex<[Creation]>([])
    }

    let cache = MetadataCache(brokerId: 1)
    let recorder = Recorder()
    /// What was created so far.
    var made: [Creation] { recorder.creations.withLock { $0 } }
    let offsets = GroupCoordinatorConfig.offsetsTopicName

    var creator: InternalTopicCreator {
        let recorder = self.recorder
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return InternalTopicCreator(config: GroupCoordinatorConfig(), createTopic: { name, partitions, rf, configs in
            recorder.creations.withLock { $0.append((name, partitions, rf, configs)) }
        }, logger: logger)
    }

    var handler: FindCoordinatorHandler {
        FindCoordinatorHandler(cache: cache, offsetsTopicPartitionCount: 50, internalTopicCreator: creator)
    }

    static func broker(_ id: Int32) -> UpdateMetadata.Broker {
        UpdateMetadata.Broker(id: BrokerId(id), endpoints: [
            .init(port: 9000 + id, host: "host\(id)", listener: "PLAINTEXT", securityProtocol: 0),
            .init(port: 8000 + id, host: "internal\(id)", listener: "INTERNAL", securityProtocol: 0),
        ])
    }

    /// Brokers `alive`, and `__consumer_offsets` with 50 partitions led round-robin by 1, 2, 3
    /// when `withTopic`.
    func update(alive: [Int32], withTopic: Bool) {
        let states: [UpdateMetadata.TopicState] = withTopic ? [.init(topicName: offsets, partitionStates: (0..<50).map { index in
            UpdateMetadata.PartitionState(partitionIndex: index, controllerEpoch: 1, leader: BrokerId(index % 3 + 1),
                                          leaderEpoch: 0, isr: [1, 2, 3], zkVersion: 0, replicas: [1, 2, 3])
        })] : []
        let request = UpdateMetadata.Request(controllerId: 1, controllerEpoch: 1, topicStates: states,
                                             liveBrokers: alive.map(Self.broker), version: 5)
        #expect(cache.update(request) == ErrorCode.none)
    }

    func find(_ key: String, keyType: Int8 = 0, version: Int16 = 2) async throws -> FindCoordinator.Response {
        let request = HandlerHarness.request(FindCoordinator.self, FindCoordinator.Request(key: key, keyType: keyType), version: version)
        return try HandlerHarness.response(FindCoordinator.self, of: try await handler.handle(request), version: version)
    }

    func expectNotAvailable(_ response: FindCoordinator.Response) {
        #expect(response.errorCode == .coordinatorNotAvailable)
        #expect(response.errorMessage == "The coordinator is not available.")
        #expect(response.nodeId == BrokerId.none)
        #expect(response.host == "")
        #expect(response.port == -1)
    }

    @Test func theFirstRequestCreatesTheOffsetsTopicAndIsNotAnsweredYet() async throws {
        update(alive: [1, 2, 3], withTopic: false)
        expectNotAvailable(try await find("fx-group"))
        let made = self.made
        #expect(made.count == 1)
        #expect(made.first?.name == "__consumer_offsets")
        #expect(made.first?.partitions == 50)
        #expect(made.first?.replicationFactor == 3)
        #expect(made.first?.configs == ["cleanup.policy": "compact", "segment.bytes": "104857600", "compression.type": "producer"])
    }

    @Test func tooFewAliveBrokersCreateNothing() async throws {
        update(alive: [1, 2], withTopic: false)
        expectNotAvailable(try await find("fx-group"))
        #expect(made.isEmpty)
    }

    /// The fixture groups' partitions (0, 37, 8, 20) are led by brokers 1, 2, 3, 3 here.
    @Test(arguments: [("fx-group", 1), ("fx-kpy-group", 2), ("fx-deleted", 3), ("fx-eos-group", 3)] as [(String, Int32)])
    func theCoordinatorIsTheLeaderOfTheGroupsPartition(group: String, leader: Int32) async throws {
        update(alive: [1, 2, 3], withTopic: true)
        for version: Int16 in 0...2 {
            let response = try await find(group, version: version)
            #expect(response.errorCode == ErrorCode.none)
            #expect(response.nodeId == BrokerId(leader))
            #expect(response.host == "host\(leader)", "the endpoint of the request's listener")
            #expect(response.port == 9000 + leader)
            #expect(response.errorMessage == (version >= 1 ? "NONE" : nil))
            #expect(response.throttleTimeMs == 0)
        }
        #expect(made.isEmpty)
    }

    @Test func aDeadLeaderIsNoCoordinator() async throws {
        update(alive: [2, 3], withTopic: true)
        expectNotAvailable(try await find("fx-group"))
        #expect(made.isEmpty, "the topic exists")
    }

    @Test func transactionalIdsHaveNoCoordinatorYetAndUnknownKeyTypesAreInvalid() async throws {
        update(alive: [1, 2, 3], withTopic: false)
        expectNotAvailable(try await find("fx-ck-txn-1", keyType: 1))
        #expect(made.isEmpty, "no __transaction_state, and no __consumer_offsets for it")
        let invalid = try await find("x", keyType: 2)
        #expect(invalid.errorCode == .invalidRequest)
        #expect(invalid.nodeId == BrokerId.none)
    }

    @Test func metadataNamingTheOffsetsTopicCreatesItAsInternal() async throws {
        let metadata = MetadataHandler(cache: cache, clusterId: "c", autoCreate: nil, internalTopicCreator: creator)
        func ask() async throws -> Metadata.Topic? {
            let request = HandlerHarness.request(
                Metadata.self, Metadata.Request(topicNames: [offsets], allowAutoTopicCreation: false), version: 7)
            return try HandlerHarness.response(Metadata.self, of: try await metadata.handle(request), version: 7).topics.first
        }
        update(alive: [1], withTopic: false)
        let tooFew = try await ask()
        #expect(tooFew?.errorCode == .invalidReplicationFactor)
        #expect(tooFew?.isInternal == true)
        #expect(made.isEmpty)

        update(alive: [1, 2, 3], withTopic: false)
        let created = try await ask()
        #expect(created?.errorCode == .leaderNotAvailable)
        #expect(created?.isInternal == true)
        #expect(made.map(\.name) == [offsets])

        update(alive: [1, 2, 3], withTopic: true)
        let known = try await ask()
        #expect(known?.errorCode == ErrorCode.none)
        #expect(known?.isInternal == true)
        #expect(known?.partitions.count == 50)
    }
}
