import KafkaCommon
import KafkaProtocol
import NIOCore
import Testing

@testable import kafka

/// `kafka consumer-groups` through its whole protocol path, against `FakeGroupBroker` serving the
/// responses Kafka 2.3 gave its own tool (fixtures `java/030`…`038`): the requests it sends, the
/// coordinator lookup and its retry, and the text it prints.
@Suite("consumer-groups over the wire, against Kafka 2.3's answers")
struct ConsumerGroupsProtocolTests {
    /// The fixture state: `fx-java-grp` Empty with 15 committed on `fx-java-0`, whose log holds
    /// offsets 0..<15; a time between the first two batches resolves to 3.
    static func fixtureState() throws -> FakeGroupBroker.State {
        var state = FakeGroupBroker.State()
        state.coordinatorFailures = 1
        state.listGroups = try CLIFixtures.response(ListGroups.self, "030_ListGroups_v2")
        state.describeGroups = try CLIFixtures.response(DescribeGroups.self, "032_DescribeGroups_v3")
        state.offsetFetch = try CLIFixtures.response(OffsetFetch.self, "034_OffsetFetch_v5")
        state.deleteGroups = try CLIFixtures.response(DeleteGroups.self, "038_DeleteGroups_v1")
        state.partitionCounts = ["fx-java": 1]
        let partition = TopicPartition("fx-java", 0)
        state.logStartOffsets = [partition: 0]
        state.logEndOffsets = [partition: 15]
        state.offsetsForTime = [partition: 3]
        return state
    }

    /// Parses `arguments` as `kafka consumer-groups` does and performs them against `broker`.
    func run(_ arguments: [String], on broker: FakeGroupBroker) async throws -> ToolOutput {
        let command = try ConsumerGroupCommand.parse(["--bootstrap-server", broker.bootstrap] + arguments)
        let servers = try #require(BootstrapServers(argument: broker.bootstrap))
        return try await withClusterClient(servers, clientId: "kafka-consumer-groups") { client in
            try await command.perform(ConsumerGroupService(client: client, timeout: .seconds(5)))
        }
    }

    func withBroker(_ state: FakeGroupBroker.State, _ body: (FakeGroupBroker) async throws -> Void) async throws {
        let broker = try await FakeGroupBroker.start(state)
        do {
            try await body(broker)
            await broker.stop()
        } catch {
            await broker.stop()
            throw error
        }
    }

    @Test func listAsksEveryBroker() async throws {
        try await withBroker(try Self.fixtureState()) { broker in
            let output = try await run(["--list"], on: broker)
            #expect(output.stdout == "fx-java-grp\nfx-kcat-grp\n")
            #expect(broker.state.withLock { $0.received.contains(.listGroups) })
        }
    }

    @Test func describeFindsTheCoordinatorAgainAndShowsTheLag() async throws {
        try await withBroker(try Self.fixtureState()) { broker in
            let output = try await run(["--describe", "--group", "fx-java-grp"], on: broker)
            #expect(output.stderr == "\nConsumer group 'fx-java-grp' has no active members.\n")
            #expect(output.stdout == """

                GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID
                fx-java-grp     fx-java         0          15              15              0               -               -               -

                """)
            let received = broker.state.withLock { $0.received }
            #expect(received.filter { $0 == .findCoordinator }.count >= 3, "one refused lookup, then one per group request")
            #expect(broker.state.withLock { $0.listOffsetTimestamps } == [ListOffsets.latestTimestamp])
        }
    }

    @Test func resetToEarliestSendsKafkasCommit() async throws {
        try await withBroker(try Self.fixtureState()) { broker in
            let dryRun = try await run(["--reset-offsets", "--group", "fx-java-grp", "--topic", "fx-java", "--to-earliest"], on: broker)
            #expect(dryRun.stdout.hasSuffix("\nfx-java-grp                    fx-java                        0          0              \n"))
            #expect(broker.state.withLock { $0.commits }.isEmpty, "a dry run commits nothing")
            #expect(dryRun.stderr.hasPrefix("WARN: No action will be performed as the --execute option is missing.In a future"))

            let explicit = try await run(["--reset-offsets", "--group", "fx-java-grp", "--topic", "fx-java", "--to-earliest", "--dry-run"], on: broker)
            #expect(explicit.stdout == dryRun.stdout)
            #expect(explicit.stderr == "")
            #expect(broker.state.withLock { $0.commits }.isEmpty)

            let executed = try await run(["--reset-offsets", "--group", "fx-java-grp", "--topic", "fx-java", "--to-earliest", "--execute"], on: broker)
            #expect(executed.stdout == dryRun.stdout)
            #expect(executed.stderr == "")
            let recorded = try CLIFixtures.request(OffsetCommit.self, "037_OffsetCommit_v7").body
            #expect(broker.state.withLock { $0.commits } == [recorded])
        }
    }

    @Test func resetToDatetimeAsksForTheTime() async throws {
        try await withBroker(try Self.fixtureState()) { broker in
            let output = try await run(
                ["--reset-offsets", "--group", "fx-java-grp", "--all-topics", "--to-datetime", "2026-11-21T21:51:09.163"], on: broker)
            #expect(output.stdout.hasSuffix("\nfx-java-grp                    fx-java                        0          3              \n"))
            #expect(broker.state.withLock { $0.listOffsetTimestamps }.contains(1_795_297_869_163))
        }
    }

    @Test func anActiveGroupIsRefusedAndNothingCommitted() async throws {
        var state = try Self.fixtureState()
        let synced = try CLIFixtures.response(SyncGroup.self, "021_SyncGroup_v3")
        state.describeGroups = DescribeGroups.Response(groups: [.init(
            groupId: "fx-java-grp", groupState: "Stable", protocolType: "consumer", protocolData: "range",
            members: [.init(memberId: "consumer-1-24cd7661-7f8f-4861-b163-2aef3bebfe55", clientId: "consumer-1",
                            clientHost: "/127.0.0.1", memberAssignment: synced.assignment)])])
        try await withBroker(state) { broker in
            let output = try await run(["--reset-offsets", "--group", "fx-java-grp", "--all-topics", "--to-latest", "--execute"], on: broker)
            #expect(output.hasError)
            #expect(output.stdout.hasPrefix(
                "\nError: Assignments can only be reset if the group 'fx-java-grp' is inactive, but the current state is Stable.\n"))
            #expect(broker.state.withLock { $0.commits }.isEmpty)
        }
    }

    @Test func deleteReportsSuccess() async throws {
        try await withBroker(try Self.fixtureState()) { broker in
            let output = try await run(["--delete", "--group", "fx-java-grp"], on: broker)
            #expect(output.stdout == "Deletion of requested consumer groups ('fx-java-grp') was successful.\n")
        }
    }
}
