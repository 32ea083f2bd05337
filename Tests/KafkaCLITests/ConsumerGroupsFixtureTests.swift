import KafkaCommon
import KafkaProtocol
import NIOCore
import Testing

@testable import kafka

/// `kafka consumer-groups` output for the responses Kafka 2.3 gave its own
/// `kafka-consumer-groups.sh` (scenario 7 of the fixtures: the `fx-java-grp` group after its
/// console consumer left, so Empty with offset 15 committed on `fx-java-0`, whose log ends at 15).
/// Expected text is Kafka 2.3's layout: `%-Ns` columns, `-` for missing values.
@Suite("consumer-groups against Kafka 2.3's own responses")
struct ConsumerGroupsFixtureTests {
    static let memberId = "consumer-1-24cd7661-7f8f-4861-b163-2aef3bebfe55"

    /// The coordinator named by the tool's FindCoordinator (031).
    func coordinator() throws -> ConsumerGroupDescription.Coordinator {
        let found = try CLIFixtures.response(FindCoordinator.self, "031_FindCoordinator_v2")
        return .init(id: found.nodeId, host: found.host, port: found.port)
    }

    func describedGroup(_ name: String) throws -> ConsumerGroupDescription {
        let response = try CLIFixtures.response(DescribeGroups.self, name)
        return try ConsumerGroupDescription(#require(response.groups.first), coordinator: coordinator())
    }

    /// The log end offset GetOffsetShell read for `fx-java-0` (016: latest → 15).
    func logEndOffsets() throws -> [TopicPartition: Int64] {
        let response = try CLIFixtures.response(ListOffsets.self, "016_ListOffsets_v5")
        let partition = try #require(response.topics.first?.partitions.first)
        return [TopicPartition("fx-java", partition.partitionIndex): partition.offset]
    }

    /// A Stable `fx-java-grp` as DescribeGroups reported it while its consumer was in it: the
    /// member id the JoinGroup (020) gave, the assignment bytes its SyncGroup (021) returned, the
    /// protocol `range` the JoinGroup chose. (The capture described the group only once empty.)
    func stableGroup() throws -> ConsumerGroupDescription {
        let joined = try CLIFixtures.response(JoinGroup.self, "020_JoinGroup_v5")
        let synced = try CLIFixtures.response(SyncGroup.self, "021_SyncGroup_v3")
        let described = DescribeGroups.DescribedGroup(
            groupId: "fx-java-grp", groupState: "Stable", protocolType: "consumer", protocolData: joined.protocolName,
            members: [.init(memberId: joined.memberId, clientId: "consumer-1", clientHost: "/127.0.0.1",
                            memberMetadata: joined.members[0].metadata, memberAssignment: synced.assignment)])
        // Through the wire format and back, as the tool would receive it.
        var buffer = ByteBuffer()
        DescribeGroups.Response(groups: [described]).write(into: &buffer, version: 3)
        let decoded = try DescribeGroups.decodeResponse(from: &buffer, version: 3)
        return try ConsumerGroupDescription(#require(decoded.groups.first), coordinator: coordinator())
    }

    @Test func listPrintsEveryConsumerGroupOfListGroups() throws {
        let response = try CLIFixtures.response(ListGroups.self, "030_ListGroups_v2")
        let groups = response.groups.filter { $0.protocolType == "consumer" || $0.protocolType.isEmpty }.map(\.groupId)
        #expect(ConsumerGroupReport.list(groups).stdout == "fx-java-grp\nfx-kcat-grp\n")
    }

    @Test func describeOfTheEmptyGroupShowsCommittedOffsetAndLag() throws {
        let group = try describedGroup("032_DescribeGroups_v3")
        #expect(group.state == .empty)
        #expect(group.members.isEmpty)
        let committed = ConsumerGroupService.committedOffsets(in: try CLIFixtures.response(OffsetFetch.self, "034_OffsetFetch_v5"))
        #expect(committed == [TopicPartition("fx-java", 0): 15])
        let rows = ConsumerGroupReport.offsetRows(group, committed: committed, logEndOffsets: try logEndOffsets())
        let output = ConsumerGroupReport.offsets(group, rows: rows)
        #expect(output.stderr == "\nConsumer group 'fx-java-grp' has no active members.\n")
        #expect(output.stdout == """

            GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID
            fx-java-grp     fx-java         0          15              15              0               -               -               -

            """)
        #expect(!output.hasError)
        // Kafka prints the note before the table.
        #expect(output.chunks.first?.stream == .stderr)
    }

    @Test func membersOfTheEmptyGroupPrintOnlyTheNote() throws {
        let output = ConsumerGroupReport.members(try describedGroup("035_DescribeGroups_v3"), verbose: true)
        #expect(output.stderr == "\nConsumer group 'fx-java-grp' has no active members.\n")
        #expect(output.stdout == "")
    }

    @Test func stateOfTheEmptyGroupNamesItsCoordinator() throws {
        let output = ConsumerGroupReport.state(try describedGroup("036_DescribeGroups_v3"))
        #expect(output.stderr == "\nConsumer group 'fx-java-grp' has no active members.\n")
        #expect(output.stdout == """

            GROUP                     COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE           #MEMBERS
            fx-java-grp               127.0.0.1:39093 (0)                            Empty           0

            """)
    }

    @Test func assignmentBytesFromSyncGroupDecodeAndReencode() throws {
        let synced = try CLIFixtures.response(SyncGroup.self, "021_SyncGroup_v3")
        let assignment = try ConsumerProtocolAssignment(decoding: synced.assignment)
        #expect(assignment.version == 0)
        #expect(assignment.partitions == [TopicPartition("fx-java", 0)])
        #expect(assignment.userData?.readableBytes == 0)
        #expect(assignment.encoded() == synced.assignment)
        #expect(try ConsumerProtocolAssignment(decoding: ByteBuffer()).partitions.isEmpty)
        var truncated = synced.assignment
        truncated.moveWriterIndex(to: truncated.writerIndex - 6)
        #expect(throws: (any Error).self) { try ConsumerProtocolAssignment(decoding: truncated) }
    }

    @Test func describeOfTheStableGroupShowsTheMember() throws {
        let group = try stableGroup()
        #expect(group.members.map(\.assignment) == [[TopicPartition("fx-java", 0)]])
        let rows = ConsumerGroupReport.offsetRows(group, committed: [TopicPartition("fx-java", 0): 12], logEndOffsets: try logEndOffsets())
        let output = ConsumerGroupReport.offsets(group, rows: rows)
        #expect(output.stderr == "")
        #expect(output.stdout == """

            GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID                                     HOST            CLIENT-ID
            fx-java-grp     fx-java         0          12              15              3               consumer-1-24cd7661-7f8f-4861-b163-2aef3bebfe55 /127.0.0.1      consumer-1

            """)
    }

    @Test func membersVerboseAndStateOfTheStableGroup() throws {
        let group = try stableGroup()
        #expect(ConsumerGroupReport.members(group, verbose: true).stdout == """

            GROUP           CONSUMER-ID                                     HOST            CLIENT-ID       #PARTITIONS     ASSIGNMENT
            fx-java-grp     consumer-1-24cd7661-7f8f-4861-b163-2aef3bebfe55 /127.0.0.1      consumer-1      1               fx-java(0)

            """)
        #expect(ConsumerGroupReport.members(group, verbose: false).stdout.hasSuffix(" /127.0.0.1      consumer-1      1               \n"))
        #expect(ConsumerGroupReport.state(group).stdout == """

            GROUP                     COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE           #MEMBERS
            fx-java-grp               127.0.0.1:39093 (0)       range                Stable          1

            """)
    }

    @Test func resetToEarliestCommitsWhatKafkasToolCommitted() throws {
        // 013: the earliest offset of fx-java-0 is 0; 037: the tool's commit of it.
        let earliest = try CLIFixtures.response(ListOffsets.self, "013_ListOffsets_v5")
        let start = try #require(earliest.topics.first?.partitions.first?.offset)
        let partition = TopicPartition("fx-java", 0)
        let plan = try OffsetResetSpec.toEarliest.plan(
            for: [partition], from: .init(logStartOffsets: [partition: start], logEndOffsets: try logEndOffsets()))
        #expect(plan == [partition: 0])

        let (header, recorded) = try CLIFixtures.request(OffsetCommit.self, "037_OffsetCommit_v7")
        let request = ConsumerGroupService.commitRequest("fx-java-grp", offsets: plan)
        #expect(request == recorded)
        var ours = ByteBuffer()
        OffsetCommit.writeRequestFrame(request, header: header, into: &ours)
        #expect(ours == (try CLIFixtures.frame("037_OffsetCommit_v7", request: true)))
        #expect(try CLIFixtures.response(OffsetCommit.self, "037_OffsetCommit_v7").topics.flatMap(\.partitions).allSatisfy { $0.errorCode == .none })

        #expect(ConsumerGroupReport.reset([("fx-java-grp", .planned(plan))]).stdout == """

            GROUP                          TOPIC                          PARTITION  NEW-OFFSET     
            fx-java-grp                    fx-java                        0          0              

            """)
    }

    @Test func resetToDatetimeUsesTheOffsetOfTheTime() throws {
        // 017: GetOffsetShell asked for a time between the first and second batch: offset 3.
        let byTime = try CLIFixtures.response(ListOffsets.self, "017_ListOffsets_v5")
        let offset = try #require(byTime.topics.first?.partitions.first?.offset)
        let partition = TopicPartition("fx-java", 0)
        let plan = try OffsetResetSpec.toDatetime(1_795_297_869_163).plan(
            for: [partition], from: .init(logEndOffsets: try logEndOffsets(), byTimestamp: [partition: offset]))
        #expect(plan == [partition: 3])
    }

    @Test func deleteReportsKafkasSuccessLine() throws {
        let response = try CLIFixtures.response(DeleteGroups.self, "038_DeleteGroups_v1")
        let output = ConsumerGroupReport.delete(response.results.map { ($0.groupId, $0.errorCode) })
        #expect(output.stdout == "Deletion of requested consumer groups ('fx-java-grp') was successful.\n")
        #expect(!output.hasError)
    }
}
