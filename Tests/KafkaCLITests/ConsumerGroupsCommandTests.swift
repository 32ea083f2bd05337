import ArgumentParser
import KafkaCommon
import KafkaProtocol
import Testing

@testable import kafka

/// `kafka consumer-groups`: option parsing with Kafka's names, the messages for each group
/// state, the reset rules (ranges, shifts, refusal of an active group) and the delete report.
@Suite("consumer-groups: options, states, resets and deletes")
struct ConsumerGroupsCommandTests {
    static let coordinator = ConsumerGroupDescription.Coordinator(id: BrokerId(1), host: "127.0.0.1", port: 9092)

    func group(_ state: ConsumerGroupDescription.State, members: [ConsumerGroupDescription.Member] = []) -> ConsumerGroupDescription {
        ConsumerGroupDescription(groupId: "orders-app", state: state, partitionAssignor: members.isEmpty ? "" : "range",
                                 members: members, coordinator: Self.coordinator)
    }

    // MARK: Options

    @Test func parsesKafkasOptionNames() throws {
        let command = try #require(try Kafka.parseAsRoot([
            "consumer-groups", "--bootstrap-server", "127.0.0.1:9092", "--reset-offsets", "--group", "g",
            "--topic", "orders:0,2", "--topic", "audit", "--shift-by", "-3", "--execute",
        ]) as? ConsumerGroupCommand)
        #expect(try command.action == .resetOffsets)
        #expect(try command.resetSpec == .shiftBy(-3))
        #expect(command.execute)
        let topics = try ConsumerGroupCommand.parseTopicArguments(command.topic)
        #expect(topics.map(\.topic) == ["orders", "audit"])
        #expect(topics.map(\.partitions) == [[0, 2], nil])

        let describe = try ConsumerGroupCommand.parse(["--bootstrap-server", "h:1", "--describe", "--group", "g", "--members", "--verbose"])
        #expect(describe.describeView == .members)
        #expect(try ConsumerGroupCommand.parse(["--bootstrap-server", "h:1", "--describe", "--group", "g"]).describeView == .offsets)
        #expect(try ConsumerGroupCommand.parse(["--bootstrap-server", "h:1", "--describe", "--group", "g", "--state"]).describeView == .state)
    }

    @Test func rejectsWhatKafkasToolRejects() {
        let invalid: [[String]] = [
            ["--list", "--describe"],
            [],
            ["--describe"],
            ["--delete"],
            ["--delete", "--group", "g", "--topic", "t"],
            ["--describe", "--group", "g", "--members", "--state"],
            ["--list", "--members"],
            ["--reset-offsets", "--group", "g", "--topic", "t"],
            ["--reset-offsets", "--group", "g", "--to-earliest"],
            ["--reset-offsets", "--group", "g", "--all-topics", "--to-earliest", "--to-latest"],
            ["--reset-offsets", "--group", "g", "--all-topics", "--to-earliest", "--execute", "--dry-run"],
            ["--reset-offsets", "--group", "g", "--all-topics", "--to-datetime", "yesterday"],
            ["--reset-offsets", "--group", "g", "--topic", "t:x", "--to-earliest"],
        ]
        for arguments in invalid {
            #expect(throws: (any Error).self, "\(arguments)") {
                try ConsumerGroupCommand.parse(["--bootstrap-server", "h:1"] + arguments)
            }
        }
        do {
            _ = try ConsumerGroupCommand.parse(["--bootstrap-server", "h:1", "--reset-offsets", "--group", "g", "--to-latest"])
        } catch {
            #expect(ConsumerGroupCommand.message(for: error).contains("One of the reset scopes should be defined: --all-topics, --topic."))
        }
    }

    @Test func datetimesAreUTCUnlessTheyNameAZone() {
        #expect(OffsetResetSpec.timestamp(parsing: "1970-01-01T00:00:01.500") == 1500)
        #expect(OffsetResetSpec.timestamp(parsing: "1970-01-01T01:00:00.000+01:00") == 0)
        #expect(OffsetResetSpec.timestamp(parsing: "1970-01-01T00:00:00.000-0130") == 5_400_000)
        #expect(OffsetResetSpec.timestamp(parsing: "2026-11-21T00:00:00.000Z") == 1_795_219_200_000)
        #expect(OffsetResetSpec.timestamp(parsing: "2026-02-30T00:00:00.000") == nil)
        #expect(OffsetResetSpec.timestamp(parsing: "2026-11-21 00:00:00") == nil)
    }

    // MARK: States

    @Test func aGroupThatDoesNotExistIsAnError() {
        let output = ConsumerGroupReport.offsets(group(.dead), rows: [])
        #expect(output.stdout == "\nError: Consumer group 'orders-app' does not exist.\n")
        #expect(output.hasError)
        #expect(ConsumerGroupReport.members(group(.dead), verbose: false).stdout == "\nError: Consumer group 'orders-app' does not exist.\n")
        #expect(ConsumerGroupReport.state(group(.dead)).stdout == "\nError: Consumer group 'orders-app' does not exist.\n")
    }

    @Test func aRebalancingGroupIsAnnouncedThenShown() {
        for state in [ConsumerGroupDescription.State.preparingRebalance, .completingRebalance] {
            let member = ConsumerGroupDescription.Member(consumerId: "c-1", clientId: "c", host: "/10.0.0.1", assignment: [])
            let output = ConsumerGroupReport.members(group(state, members: [member]), verbose: true)
            #expect(output.stderr == "\nWarning: Consumer group 'orders-app' is rebalancing.\n")
            #expect(output.stdout.hasSuffix("c-1             /10.0.0.1       c               0               -\n"))
        }
    }

    @Test func anEmptyGroupWithoutOffsetsPrintsOnlyTheNote() {
        let output = ConsumerGroupReport.offsets(group(.empty), rows: ConsumerGroupReport.offsetRows(group(.empty), committed: [:], logEndOffsets: [:]))
        #expect(output.stderr == "\nConsumer group 'orders-app' has no active members.\n")
        #expect(output.stdout == "")
        #expect(!output.hasError)
    }

    @Test func offsetRowsPutBusiestMembersFirstThenUnownedCommits() {
        let orders = (0..<3).map { TopicPartition("orders", $0) }
        let busy = ConsumerGroupDescription.Member(consumerId: "b", clientId: "cb", host: "/h2", assignment: [orders[2], orders[0]])
        let quiet = ConsumerGroupDescription.Member(consumerId: "a", clientId: "ca", host: "/h1", assignment: [orders[1]])
        let idle = ConsumerGroupDescription.Member(consumerId: "z", clientId: "cz", host: "/h3", assignment: [])
        let stable = group(.stable, members: [quiet, idle, busy])
        let audit = TopicPartition("audit", 0)
        let rows = ConsumerGroupReport.offsetRows(
            stable, committed: [orders[0]: 5, audit: 7], logEndOffsets: [orders[0]: 9, orders[1]: 4, audit: 7])
        #expect(rows.map(\.consumerId) == ["b", "b", "a", "-"])
        #expect(rows.map(\.partition) == [0, 2, 1, 0])
        #expect(rows.map(\.lag) == [4, nil, nil, 0])
        let output = ConsumerGroupReport.offsets(stable, rows: rows)
        #expect(output.stdout.contains("\norders-app      orders          2          -               -               -               b               /h2             cb\n"))
        #expect(output.stdout.contains("\norders-app      audit           0          7               7               0               -               -               -\n"))
    }

    @Test func assignmentTextGroupsPartitionsByTopic() {
        let text = ConsumerGroupReport.assignmentText([
            TopicPartition("orders", 2), TopicPartition("audit", 0), TopicPartition("orders", 0),
        ])
        #expect(text == "audit(0), orders(0,2)")
        #expect(ConsumerGroupReport.assignmentText([]) == "-")
    }

    // MARK: Resets

    @Test func offsetsAreKeptWithinTheLog() throws {
        let p = TopicPartition("orders", 0)
        let inputs = OffsetResetSpec.Inputs(committed: [p: 10], logStartOffsets: [p: 4], logEndOffsets: [p: 20])
        #expect(try OffsetResetSpec.toOffset(99).plan(for: [p], from: inputs) == [p: 20])
        #expect(try OffsetResetSpec.toOffset(1).plan(for: [p], from: inputs) == [p: 4])
        #expect(try OffsetResetSpec.toOffset(12).plan(for: [p], from: inputs) == [p: 12])
        #expect(try OffsetResetSpec.shiftBy(-3).plan(for: [p], from: inputs) == [p: 7])
        #expect(try OffsetResetSpec.shiftBy(-30).plan(for: [p], from: inputs) == [p: 4])
        #expect(try OffsetResetSpec.shiftBy(30).plan(for: [p], from: inputs) == [p: 20])
        #expect(try OffsetResetSpec.toLatest.plan(for: [p], from: inputs) == [p: 20])
        #expect(try OffsetResetSpec.toEarliest.plan(for: [p], from: inputs) == [p: 4])
        // No record at or after the time: the log end offset.
        #expect(try OffsetResetSpec.toDatetime(0).plan(for: [p], from: inputs) == [p: 20])
    }

    @Test func shiftingAPartitionWithoutACommitFails() {
        let p = TopicPartition("orders", 1)
        do {
            _ = try OffsetResetSpec.shiftBy(1).plan(for: [p], from: .init(logStartOffsets: [p: 0], logEndOffsets: [p: 5]))
            Issue.record("shifted without a committed offset")
        } catch {
            #expect("\(error)" == "Cannot shift offset for partition orders-1 since there is no current committed offset")
        }
    }

    @Test func anActiveGroupIsNotReset() {
        let output = ConsumerGroupReport.reset([("orders-app", .refused(state: "Stable"))])
        #expect(output.hasError)
        #expect(output.stdout == """

            Error: Assignments can only be reset if the group 'orders-app' is inactive, but the current state is Stable.

            GROUP                          TOPIC                          PARTITION  NEW-OFFSET     \n
            """)
    }

    // MARK: Deletes

    @Test func failedDeletesNameKafkasExceptions() {
        let output = ConsumerGroupReport.delete([("a", .none), ("b", .nonEmptyGroup), ("c", .groupIdNotFound)])
        #expect(output.hasError)
        #expect(output.stdout == """

            Error: Deletion of some consumer groups failed:
            * Group 'b' could not be deleted due to: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.
            * Group 'c' could not be deleted due to: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.

            These consumer groups were deleted successfully: 'a'

            """)
    }
}
