import KafkaProtocol
import NIOCore
import Testing

/// The group and config codecs generated from their schemas. For the APIs new to the codec
/// (DescribeGroups, ListGroups, DeleteGroups, IncrementalAlterConfigs) the fixtures' decoded values
/// (from `decoded.txt`) land in the right fields. Older versions, which no client used against
/// Kafka 2.3, have the layouts of the protocol guide, written out by hand: above all where a
/// version lacks the throttle time or a top-level error that later versions have.
@Suite struct GroupAndConfigCodecTests {
    typealias F = Fixtures

    @Test func describeGroupsAuthorizedOperations() throws {
        let request = try FixtureDecoding.request(DescribeGroups.self, F.pair("kafka-python", "043_DescribeGroups_v3"))
        #expect(request.body == DescribeGroups.Request(groups: ["fx-kpy-grp"], includeAuthorizedOperations: true))
        let response = try FixtureDecoding.response(DescribeGroups.self, F.pair("kafka-python", "043_DescribeGroups_v3"))
        #expect(response.body.groups == [DescribeGroups.DescribedGroup(
            errorCode: .none, groupId: "fx-kpy-grp", groupState: "Empty", protocolType: "consumer", protocolData: "",
            members: [], authorizedOperations: 328
        )])

        // Not asked for: Kafka 2.3 answers 0.
        let java = try FixtureDecoding.response(DescribeGroups.self, F.pair("java", "032_DescribeGroups_v3"))
        #expect(java.body.groups.first?.authorizedOperations == 0)
    }

    @Test func listGroups() throws {
        let request = try FixtureDecoding.request(ListGroups.self, F.pair("confluent-kafka", "035_ListGroups_v2"))
        #expect(request.header.clientId == "fx-ck-admin")
        let response = try FixtureDecoding.response(ListGroups.self, F.pair("confluent-kafka", "035_ListGroups_v2"))
        #expect(response.body == ListGroups.Response(errorCode: .none, groups: [
            ListGroups.ListedGroup(groupId: "fx-kcat-grp", protocolType: "consumer"),
            ListGroups.ListedGroup(groupId: "fx-ck-grp", protocolType: "consumer"),
        ]))
    }

    @Test func deleteGroups() throws {
        let request = try FixtureDecoding.request(DeleteGroups.self, F.pair("java", "038_DeleteGroups_v1"))
        #expect(request.body.groupsNames == ["fx-java-grp"])
        let response = try FixtureDecoding.response(DeleteGroups.self, F.pair("java", "038_DeleteGroups_v1"))
        #expect(response.body.results == [DeleteGroups.DeletableGroupResult(groupId: "fx-java-grp", errorCode: .none)])
    }

    @Test func incrementalAlterConfigs() throws {
        let request = try FixtureDecoding.request(IncrementalAlterConfigs.self, F.pair("confluent-kafka", "055_IncrementalAlterConfigs_v0"))
        #expect(request.body == IncrementalAlterConfigs.Request(resources: [IncrementalAlterConfigs.Resource(
            resourceType: DescribeConfigs.ResourceType.topic, resourceName: "fx-ck",
            configs: [IncrementalAlterConfigs.Config(name: "segment.ms", configOperation: 0, value: "3600000")]
        )], validateOnly: false))
        let response = try FixtureDecoding.response(IncrementalAlterConfigs.self, F.pair("confluent-kafka", "055_IncrementalAlterConfigs_v0"))
        #expect(response.body.responses == [IncrementalAlterConfigs.ResourceResponse(
            errorCode: .none, errorMessage: nil, resourceType: DescribeConfigs.ResourceType.topic, resourceName: "fx-ck"
        )])
    }

    // MARK: Versions without fixtures

    @Test func describeGroupsV0HasNoThrottleTimeNorOperations() throws {
        let request = try checkLayout(DescribeGroups.Request.self, version: 0, "00000001 0001 67")
        #expect(request.groups == ["g"])
        let response = try checkLayout(DescribeGroups.Response.self, version: 0, """
            00000001 0000 0001 67 0006 537461626c65 0008 636f6e73756d6572 0005 72616e6765
            00000001 0001 6d 0001 63 0002 2f68 00000001 aa 00000002 bbcc
            """)
        let group = try #require(response.groups.first)
        #expect(group.groupState == "Stable")
        #expect(group.protocolData == "range")
        #expect(group.members.map(\.clientHost) == ["/h"])
        #expect(group.members.first?.memberAssignment.readableBytes == 2)
        let v1 = try checkLayout(DescribeGroups.Response.self, version: 1, "00000064 00000000")
        #expect(v1.throttleTimeMs == 100)
    }

    @Test func listGroupsV0HasNoThrottleTime() throws {
        let v0 = try checkLayout(ListGroups.Response.self, version: 0, "000e 00000001 0001 67 0000")
        #expect(v0.errorCode == .coordinatorLoadInProgress)
        #expect(v0.groups == [ListGroups.ListedGroup(groupId: "g", protocolType: "")])
        let v1 = try checkLayout(ListGroups.Response.self, version: 1, "00000064 0000 00000000")
        #expect(v1.throttleTimeMs == 100)
        #expect(try checkLayout(ListGroups.Request.self, version: 0, "") == ListGroups.Request())
    }

    @Test func coordinatorAndMembershipV0() throws {
        let find = try checkLayout(FindCoordinator.Request.self, version: 0, "0001 67")
        #expect(find.keyType == FindCoordinator.KeyType.group)
        let found = try checkLayout(FindCoordinator.Response.self, version: 0, "0000 00000001 0001 68 00002384")
        #expect(found == FindCoordinator.Response(nodeId: 1, host: "h", port: 9092))

        let joined = try checkLayout(JoinGroup.Response.self, version: 1, """
            0000 00000001 0005 72616e6765 0001 6d 0001 6d 00000001 0001 6d 00000001 aa
            """)
        #expect(joined.throttleTimeMs == 0)
        #expect(joined.members.map(\.memberId) == ["m"])
        #expect(try checkLayout(JoinGroup.Response.self, version: 2, "00000064 0000 ffffffff 0000 0000 0000 00000000").generationId == -1)

        #expect(try checkLayout(Heartbeat.Response.self, version: 0, "0019").errorCode == .unknownMemberId)
        #expect(try checkLayout(SyncGroup.Response.self, version: 0, "001b 00000000").errorCode == .rebalanceInProgress)
        #expect(try checkLayout(LeaveGroup.Response.self, version: 0, "0000") == LeaveGroup.Response())
    }

    @Test func offsetsWithoutThrottleTimeOrTopLevelError() throws {
        let fetched = try checkLayout(OffsetFetch.Response.self, version: 1, """
            00000001 0001 74 00000001 00000000 000000000000000f 0000 0000
            """)
        #expect(fetched.topics.first?.partitions.first?.committedOffset == 15)
        #expect(fetched.topics.first?.partitions.first?.committedLeaderEpoch == -1)
        let v2 = try checkLayout(OffsetFetch.Response.self, version: 2, "00000000 000e")
        #expect(v2.errorCode == .coordinatorLoadInProgress)

        let committed = try checkLayout(OffsetCommit.Response.self, version: 2, "00000001 0001 74 00000001 00000000 0000")
        #expect(committed.topics.first?.partitions.first?.errorCode == ErrorCode.none)
        #expect(try checkLayout(OffsetCommit.Response.self, version: 3, "00000064 00000000").throttleTimeMs == 100)
    }
}
