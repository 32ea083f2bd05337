import Foundation
import GroupCoordinator
import KafkaCommon
import KafkaProtocol
import Logging
import Synchronization
import Testing

@testable import KafkaBroker

/// OffsetCommit v0 and OffsetFetch v0 keep offsets in ZooKeeper, as Kafka 2.3 did, without the
/// group coordinator; v1 and later still go to the coordinator. ZooKeeper is a fake here; the
/// cluster test `GroupZooKeeperOffsetsTests` checks the real znodes.
@Suite struct ZkConsumerOffsetsHandlerTests {
    /// Offsets by path, as ZooKeeper would hold them; `failing` topics throw.
    final class FakeZkOffsets: ZkConsumerOffsets {
        let nodes = Mutex<[String: Int64]>([:])
        let failing: Set<String>

        init(failing: Set<String> = []) { self.failing = failing }

        struct Failure: Error {}

        func setOrCreateConsumerOffset(group: String, topicPartition: TopicPartition, offset: Int64) async throws {
            if failing.contains(topicPartition.topic) { throw Failure() }
            nodes.withLock { $0["/consumers/\(group)/offsets/\(topicPartition.topic)/\(topicPartition.partition)"] = offset }
        }

        func consumerOffset(group: String, topicPartition: TopicPartition) async throws -> Int64? {
            if failing.contains(topicPartition.topic) { throw Failure() }
            return nodes.withLock { $0["/consumers/\(group)/offsets/\(topicPartition.topic)/\(topicPartition.partition)"] }
        }
    }

    struct Harness {
        let base: HandlerHarness
        let cache = MetadataCache(brokerId: 1)
        let zk: FakeZkOffsets
        let coordinator: GroupCoordinator

        /// Topics `orders` (2 partitions) and `broken` (1) exist; the broker coordinates no group.
        init(failing: Set<String> = []) throws {
            base = try HandlerHarness()
            zk = FakeZkOffsets(failing: failing)
            let states: [UpdateMetadata.TopicState] = [("orders", 2), ("broken", 1)].map { name, count in
                .init(topicName: name, partitionStates: (0..<Int32(count)).map {
                    UpdateMetadata.PartitionState(partitionIndex: $0, controllerEpoch: 1, leader: 1, leaderEpoch: 0,
                                                  isr: [1], zkVersion: 0, replicas: [1])
                })
            }
            #expect(cache.update(UpdateMetadata.Request(controllerId: 1, controllerEpoch: 1, topicStates: states, liveBrokers: [], version: 5)) == .none)
            coordinator = GroupCoordinator(
                manager: GroupMetadataManager(
                    brokerId: 1, config: GroupCoordinatorConfig(), interBrokerProtocolVersion: ApiVersion("2.3-IV1")!,
                    partitionCount: 50, replicaManager: base.manager, time: base.time, logger: Logger(label: "test")),
                time: base.time, logger: Logger(label: "test"))
        }

        func commit(_ request: OffsetCommit.Request, version: Int16) async throws -> [String: ErrorCode] {
            let handler = OffsetCommitHandler(coordinator: coordinator, cache: cache, time: base.time, zkOffsets: zk)
            let action = try await handler.handle(HandlerHarness.request(OffsetCommit.self, request, version: version))
            let response = try HandlerHarness.response(OffsetCommit.self, of: action, version: version)
            var errors: [String: ErrorCode] = [:]
            for topic in response.topics {
                for partition in topic.partitions { errors["\(topic.name)-\(partition.partitionIndex)"] = partition.errorCode }
            }
            return errors
        }

        func fetch(_ topics: [OffsetFetch.Topic], version: Int16 = 0) async throws -> OffsetFetch.Response {
            let handler = OffsetFetchHandler(coordinator: coordinator, zkOffsets: zk, cache: cache)
            let request = OffsetFetch.Request(groupId: "legacy", topics: topics)
            return try HandlerHarness.response(
                OffsetFetch.self, of: try await handler.handle(HandlerHarness.request(OffsetFetch.self, request, version: version)),
                version: version)
        }
    }

    static func commitRequest(_ partitions: [(String, Int32, Int64, String)]) -> OffsetCommit.Request {
        let topics = Dictionary(grouping: partitions) { $0.0 }.sorted { $0.key < $1.key }.map { name, entries in
            OffsetCommit.Topic(name: name, partitions: entries.map {
                OffsetCommit.Partition(partitionIndex: $0.1, committedOffset: $0.2, committedMetadata: $0.3)
            })
        }
        return OffsetCommit.Request(groupId: "legacy", topics: topics)
    }

    @Test func aVersion0CommitIsWrittenToZooKeeperWithoutTheCoordinator() async throws {
        let h = try Harness()
        let errors = try await h.commit(Self.commitRequest([
            ("orders", 0, 42, "m"), ("orders", 1, 7, String(repeating: "x", count: 4097)), ("missing", 0, 1, ""),
        ]), version: 0)
        #expect(errors == ["orders-0": .none, "orders-1": .offsetMetadataTooLarge, "missing-0": .unknownTopicOrPartition],
                "served although this broker coordinates no group")
        #expect(h.zk.nodes.withLock { $0 } == ["/consumers/legacy/offsets/orders/0": 42])

        // Version 1 still goes to the coordinator (which does not serve the group here).
        let v1 = try await h.commit(Self.commitRequest([("orders", 0, 50, "")]), version: 1)
        #expect(v1 == ["orders-0": .notCoordinator])
        #expect(h.zk.nodes.withLock { $0["/consumers/legacy/offsets/orders/0"] } == 42)
    }

    @Test func aZooKeeperFailureIsAnUnknownServerErrorForItsPartition() async throws {
        let h = try Harness(failing: ["broken"])
        let errors = try await h.commit(Self.commitRequest([("orders", 1, 3, ""), ("broken", 0, 9, "")]), version: 0)
        #expect(errors == ["orders-1": .none, "broken-0": .unknownServerError])
    }

    @Test func aVersion0FetchReadsZooKeeperAndAnswersUnknownPartitionsWithMinusOne() async throws {
        let h = try Harness(failing: ["broken"])
        h.zk.nodes.withLock { $0["/consumers/legacy/offsets/orders/1"] = 99 }
        let response = try await h.fetch([
            .init(name: "orders", partitionIndexes: [1, 0]), .init(name: "missing", partitionIndexes: [0]),
            .init(name: "broken", partitionIndexes: [0]),
        ])
        let answers = response.topics.flatMap { topic in
            topic.partitions.map { "\(topic.name)-\($0.partitionIndex)=\($0.committedOffset)/\($0.metadata ?? "null")/\($0.errorCode)" }
        }
        #expect(answers == [
            "orders-1=99//\(ErrorCode.none)", "orders-0=-1//\(ErrorCode.none)", "missing-0=-1//\(ErrorCode.none)",
            "broken-0=-1//\(ErrorCode.unknownServerError)",
        ])
        // Version 1 asks the coordinator, which does not serve the group here.
        let v1 = try await h.fetch([.init(name: "orders", partitionIndexes: [1])], version: 1)
        #expect(v1.topics.first?.partitions.first?.errorCode == .notCoordinator)
    }
}
