import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import NIOCore
import Testing

/// The group admin APIs on the coordinator of a group a real consumer left behind: ListGroups,
/// DescribeGroups, OffsetFetch (all partitions, v2+) and DeleteGroups with its tombstones, and
/// NOT_COORDINATOR from the other brokers.
extension RealClusterTests {
    @Suite("Group admin APIs: list, describe, fetch offsets, delete")
    struct GroupAdminTests {
        static func call<API: KafkaAPI>(_ client: WireClient, _ api: API.Type, _ body: API.Request, version: Int16) throws -> API.Response {
            try client.sendFrame(RealClusterTests.SocketServerTests.request(api, body, version: version, correlationId: 5))
            var answer = ByteBuffer(bytes: try client.readFrame())
            _ = try ResponseHeader(from: &answer, headerVersion: API.responseHeaderVersion(for: version))
            return try API.decodeResponse(from: &answer, version: version)
        }

        @Test func anEmptyGroupIsListedDescribedFetchedAndDeleted() async throws {
            try await withKafkaCluster(zooKeepers: 1, overrides: GroupConsumerTests.overrides) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await Replication.createTopic(zk, "audit", partitions: 2, replicas: [1, 2, 3])
                let bootstrap = cluster.brokers.map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
                try GroupConsumerTests.produce(bootstrap, "audit", (1...8).map { "a\($0)" })
                let consumed = try GroupConsumerTests.consume(bootstrap, "audit", group: "audit-app", count: 8)

                let any = try WireClient(port: cluster.broker(1).port)
                let found = try FindCoordinatorTests.findCoordinator(any, group: "audit-app")
                try #require(found.errorCode == .none)
                let coordinator = try WireClient(port: Int(found.port))
                let other = try WireClient(port: cluster.brokers.first { $0.id != Int(found.nodeId.rawValue) }!.port)

                let listed = try Self.call(coordinator, ListGroups.self, .init(), version: 2)
                #expect(listed.errorCode == .none)
                #expect(listed.groups.contains { $0.groupId == "audit-app" && $0.protocolType == "consumer" })
                #expect(try Self.call(other, ListGroups.self, .init(), version: 2).groups.allSatisfy { $0.groupId != "audit-app" })

                let described = try Self.call(coordinator, DescribeGroups.self, .init(groups: ["audit-app", "nobody"]), version: 3)
                #expect(described.groups.map(\.groupState) == ["Empty", "Dead"])
                #expect(described.groups[0].protocolType == "consumer" && described.groups[0].members.isEmpty)
                let elsewhere = try Self.call(other, DescribeGroups.self, .init(groups: ["audit-app"]), version: 0)
                #expect(elsewhere.groups.first?.errorCode == .notCoordinator)

                let fetched = try Self.call(coordinator, OffsetFetch.self, .init(groupId: "audit-app", topics: nil), version: 5)
                #expect(fetched.errorCode == .none)
                let offsets = Dictionary(uniqueKeysWithValues: fetched.topics.flatMap { topic in
                    topic.partitions.map { ("\($0.partitionIndex)", $0.committedOffset) }
                })
                // The producer may have put every record on one partition; the client reports the
                // other as "no offset" (-1001), which OffsetFetch of all partitions leaves out.
                #expect(offsets == consumed.committed.filter { $0.value >= 0 })
                #expect(try Self.call(other, OffsetFetch.self, .init(groupId: "audit-app", topics: nil), version: 5).errorCode == .notCoordinator)

                let deleted = try Self.call(coordinator, DeleteGroups.self, .init(groupsNames: ["audit-app", "nobody"]), version: 1)
                #expect(deleted.results.map(\.errorCode) == [.none, .groupIdNotFound])
                let after = try Self.call(
                    coordinator, OffsetFetch.self,
                    .init(groupId: "audit-app", topics: [.init(name: "audit", partitionIndexes: [0, 1])]), version: 1)
                #expect(after.topics.flatMap(\.partitions).map(\.committedOffset) == [-1, -1], "the offsets are gone")
                #expect(try Self.call(coordinator, DescribeGroups.self, .init(groups: ["audit-app"]), version: 1).groups.first?.groupState == "Dead")
            }
        }
    }
}
