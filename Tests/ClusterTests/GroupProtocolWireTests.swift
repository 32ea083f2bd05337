import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import NIOCore
import Testing

/// The group APIs frame by frame on one real broker: a JoinGroup v0 member (its id is
/// `<client id>-<UUID>`, its host `/127.0.0.1`), SyncGroup, Heartbeat, OffsetCommit's checks
/// (generations, unknown partitions, `offset.metadata.max.bytes`), OffsetFetch, LeaveGroup, and a
/// commit without generation once the group is Empty.
extension RealClusterTests {
    @Suite("Group APIs on the wire")
    struct GroupProtocolWireTests {
        static func call<API: KafkaAPI>(_ client: WireClient, _ api: API.Type, _ body: API.Request, version: Int16) throws -> API.Response {
            try GroupAdminTests.call(client, api, body, version: version)
        }

        @Test func aV0MemberJoinsSyncsCommitsAndLeaves() async throws {
            let overrides = ["offsets.topic.replication.factor": "1", "offsets.topic.num.partitions": "2",
                             "group.initial.rebalance.delay.ms": "50", "offset.metadata.max.bytes": "10"]
            try await withKafkaCluster(zooKeepers: 1, ids: [1], overrides: overrides) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await Replication.createTopic(zk, "t", partitions: 2, replicas: [1])
                let client = try WireClient(port: cluster.broker(1).port)
                try await waitUntil("the coordinator of group wire", timeout: .seconds(60)) {
                    try FindCoordinatorTests.findCoordinator(client, group: "wire").errorCode == .none
                }
                let invalid = try Self.call(client, JoinGroup.self, .init(groupId: "", sessionTimeoutMs: 6000, protocolType: "consumer"), version: 0)
                #expect(invalid.errorCode == .invalidGroupId)

                let join = JoinGroup.Request(
                    groupId: "wire", sessionTimeoutMs: 6000, protocolType: "consumer",
                    protocols: [.init(name: "range", metadata: ByteBuffer(string: "subscription"))])
                let joined = try await waitFor("the group's partition to be loaded") { () -> JoinGroup.Response? in
                    let answer = try Self.call(client, JoinGroup.self, join, version: 0)
                    return answer.errorCode == .coordinatorLoadInProgress ? nil : answer
                }
                #expect(joined.errorCode == .none)
                #expect(joined.generationId == 1 && joined.protocolName == "range")
                let memberId = joined.memberId
                #expect(memberId.hasPrefix("wire-test-") && memberId.dropFirst("wire-test-".count).count == 36)
                #expect(memberId == memberId.lowercased())
                #expect(joined.leader == memberId)
                #expect(joined.members.map(\.memberId) == [memberId])
                #expect(joined.members.first?.metadata == ByteBuffer(string: "subscription"))

                let synced = try Self.call(client, SyncGroup.self, .init(
                    groupId: "wire", generationId: 1, memberId: memberId,
                    assignments: [.init(memberId: memberId, assignment: ByteBuffer(string: "all of t"))]), version: 0)
                #expect(synced.errorCode == .none && synced.assignment == ByteBuffer(string: "all of t"))
                #expect(try Self.call(client, Heartbeat.self, .init(groupId: "wire", generationId: 1, memberId: memberId), version: 0).errorCode == .none)
                #expect(try Self.call(client, Heartbeat.self, .init(groupId: "wire", generationId: 0, memberId: memberId), version: 0).errorCode == .illegalGeneration)

                let described = try #require(try Self.call(client, DescribeGroups.self, .init(groups: ["wire"]), version: 0).groups.first)
                #expect(described.groupState == "Stable" && described.protocolData == "range")
                #expect(described.members.map(\.clientHost) == ["/127.0.0.1"])
                #expect(described.members.map(\.clientId) == ["wire-test"])
                #expect(described.members.first?.memberAssignment == ByteBuffer(string: "all of t"))

                func commit(generation: Int32, member: String, _ partitions: [OffsetCommit.Partition], topic: String = "t") throws -> [ErrorCode] {
                    try Self.call(client, OffsetCommit.self, .init(
                        groupId: "wire", generationId: generation, memberId: member,
                        topics: [.init(name: topic, partitions: partitions)]), version: 2).topics.flatMap(\.partitions).map(\.errorCode)
                }
                #expect(try commit(generation: -1, member: "", [.init(partitionIndex: 0, committedOffset: 1)]) == [.unknownMemberId])
                #expect(try commit(generation: 7, member: memberId, [.init(partitionIndex: 0, committedOffset: 1)]) == [.illegalGeneration])
                #expect(try commit(generation: 1, member: memberId, [.init(partitionIndex: 0, committedOffset: 1)], topic: "nope") == [.unknownTopicOrPartition])
                #expect(try commit(generation: 1, member: memberId, [
                    .init(partitionIndex: 0, committedOffset: 5, committedMetadata: "m"),
                    .init(partitionIndex: 1, committedOffset: 9, committedMetadata: "longer than ten bytes"),
                ]) == [.none, .offsetMetadataTooLarge])

                let fetched = try Self.call(client, OffsetFetch.self, .init(groupId: "wire", topics: [.init(name: "t", partitionIndexes: [0, 1])]), version: 1)
                #expect(fetched.topics.flatMap(\.partitions).map(\.committedOffset) == [5, -1])
                #expect(fetched.topics.flatMap(\.partitions).map(\.metadata) == ["m", ""])

                #expect(try Self.call(client, LeaveGroup.self, .init(groupId: "wire", memberId: memberId), version: 0).errorCode == .none)
                #expect(try Self.call(client, DescribeGroups.self, .init(groups: ["wire"]), version: 0).groups.first?.groupState == "Empty")
                #expect(try commit(generation: -1, member: "", [.init(partitionIndex: 1, committedOffset: 3)]) == [.none],
                        "an Empty group takes commits without a generation")
                let all = try Self.call(client, OffsetFetch.self, .init(groupId: "wire", topics: nil), version: 2)
                #expect(all.topics.flatMap(\.partitions).map(\.committedOffset) == [5, 3])
            }
        }
    }
}
